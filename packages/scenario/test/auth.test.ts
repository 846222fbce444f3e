/** Auth helpers: bearer, basic, OAuth2 client credentials against a real token endpoint (cached). */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  basic,
  bearer,
  createClient,
  expect,
  oauth2ClientCredentials,
  runIteration,
  scenario,
  createDispatcher,
} from '@steady/scenario'
import { startServer, TOKEN } from './helpers/server.ts'

test('bearer (static or lazy) and basic', async () => {
  const srv = await startServer()
  const http = createClient({ baseUrl: srv.url })
  try {
    expect(await http.get('/me', { auth: bearer(TOKEN) })).toHaveStatus(200)
    expect(await http.with({ auth: bearer(async () => TOKEN) }).get('/me')).toHaveStatus(200)
    expect(await http.get('/me', { auth: bearer('wrong') })).toHaveStatus(401)
    expect(await http.get('/basic', { auth: basic('ann', 'pw-basic-123') })).toHaveStatus(200)
    expect(await http.get('/basic', { auth: basic('ann', 'nope') })).toHaveStatus(401)
    // auth: null on a request drops the client's credentials
    expect(await http.with({ auth: bearer(TOKEN) }).get('/me', { auth: null })).toHaveStatus(401)
  } finally {
    await http.close()
    await srv.close()
  }
})

test('OAuth2 client credentials: one token request, cached across iterations, sent as bearer', async () => {
  const srv = await startServer()
  const dispatcher = createDispatcher()
  const oauth = oauth2ClientCredentials({
    tokenUrl: '/oauth/token',
    clientId: 'client-1',
    clientSecret: 'client-secret-xyz',
    scope: 'orders',
  })
  const s = scenario('oauth', async ({ http }) => {
    const r = await http.with({ auth: oauth }).get('/oauth/api')
    expect(r).toHaveStatus(200)
    expect(r.json()).toMatchObject({ via: 'Bearer oauth-orders-TOKEN-1' })
  })
  try {
    for (let i = 0; i < 3; i++) {
      const r = await runIteration(s, { baseUrl: srv.url, seed: 1, iteration: i, dispatcher })
      assert.ok(r.passed, r.failure?.message)
    }
    assert.is(srv.hits.get('/oauth/token'), 1)
    oauth.invalidate()
    const http = createClient({ baseUrl: srv.url, dispatcher })
    assert.is(await oauth.token(http), 'oauth-orders-TOKEN-2')
    const bad = oauth2ClientCredentials({
      tokenUrl: '/oauth/token',
      clientId: 'client-1',
      clientSecret: 'wrong-secret',
    })
    const f = await runIteration(
      scenario('bad oauth', async ({ http }) => void (await http.get('/oauth/api', { auth: bad }))),
      { baseUrl: srv.url, seed: 1, iteration: 0, dispatcher },
    )
    assert.match(f.failure!.message, 'OAuth2 token request to')
    assert.match(f.failure!.message, 'answered 401 (invalid_client)')
    assert.not.match(JSON.stringify(f.failure), 'wrong-secret')
  } finally {
    await dispatcher.close()
    await srv.close()
  }
})

test.run()
