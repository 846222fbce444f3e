import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createClient, createDispatcher, RequestError, runIteration, scenario, expect } from '@steady/scenario'
import { startServer, SESSION, type TestServer } from './helpers/server.ts'

let srv: TestServer
test.before(async () => {
  srv = await startServer()
})
test.after(async () => {
  await srv.close()
})

test('json, form, raw body, query and headers reach the server', async () => {
  const http = createClient({ baseUrl: srv.url, headers: { 'x-team': 'checkout' } })
  try {
    const j = await http.post('/echo', {
      json: { a: 1 },
      query: { q: 'shoes', tag: ['x', 'y'], skip: undefined },
      headers: { 'x-one': 'two' },
    })
    const e = j.json<{ method: string; query: Record<string, string>; headers: Record<string, string>; body: string }>()
    assert.is(e.method, 'POST')
    assert.equal(e.query, { q: 'shoes', tag: 'y' })
    assert.ok(j.request.url.includes('tag=x&tag=y'))
    assert.is(e.headers['content-type'], 'application/json')
    assert.is(e.headers['x-team'], 'checkout')
    assert.is(e.headers['x-one'], 'two')
    assert.equal(JSON.parse(e.body), { a: 1 })
    const f = (await http.put('/echo', { form: { name: 'a b', n: 2 } })).json<{
      body: string
      headers: Record<string, string>
    }>()
    assert.is(f.body, 'name=a+b&n=2')
    assert.is(f.headers['content-type'], 'application/x-www-form-urlencoded')
    const r = (await http.patch('/echo', { body: 'raw text', headers: { 'content-type': 'text/plain' } })).json<{
      body: string
      method: string
    }>()
    assert.is(r.body, 'raw text')
    assert.is(r.method, 'PATCH')
    for (const m of ['get', 'delete', 'options'] as const) assert.is((await http[m]('/echo')).status, 200)
    const h = await http.head('/echo')
    assert.is(h.status, 200)
    assert.is(h.text(), '')
  } finally {
    await http.close()
  }
})

test('a response exposes status, headers, text, json and timings', async () => {
  const http = createClient({ baseUrl: srv.url })
  try {
    const r = await http.get('/text')
    assert.is(r.status, 200)
    assert.ok(r.ok)
    assert.is(r.header('X-Custom'), 'yes')
    assert.is(r.text(), 'hello world')
    assert.throws(() => r.json(), /not JSON/)
    const t = r.timings
    for (const k of ['blocked', 'connect', 'tls', 'waiting', 'receiving', 'ttfb', 'total'] as const)
      assert.type(t[k], 'number')
    assert.ok(t.connect > 0, 'first request on a new connection has a connect time')
    assert.is(t.tls, 0)
    assert.ok(t.total >= t.ttfb && t.ttfb > 0)
    // undici may open a second connection while the first is being released; by the third request one is reused.
    const later = [await http.get('/text'), await http.get('/text'), await http.get('/text')]
    assert.ok(
      later.some((r) => r.timings.connect === 0),
      'a reused connection has no connect time',
    )
  } finally {
    await http.close()
  }
})

test('keep-alive: sequential requests reuse connections', async () => {
  const dispatcher = createDispatcher()
  const before = srv.connections()
  const http = createClient({ baseUrl: srv.url, dispatcher })
  const ports = new Set<number>()
  for (let i = 0; i < 10; i++) ports.add((await http.get('/echo')).json<{ port: number }>().port)
  // undici (like its own request()) may open a second socket while the first is released; never one per request.
  assert.ok(ports.size <= 2, `10 requests used ${ports.size} connections`)
  assert.ok(srv.connections() - before <= 2)
  await dispatcher.close()
})

test('cookies: a jar per iteration, sent back by path', async () => {
  const s = scenario('cookies', async ({ http }) => {
    await http.get('/set-cookie')
    const sent = (await http.get('/echo')).json<{ headers: Record<string, string> }>().headers.cookie
    expect(sent).toBe(`session=${SESSION}`)
    const prefs = (await http.get('/prefs/x')).request.headers.cookie
    expect(prefs).toMatch('theme=dark')
    expect(
      http.cookies
        .list()
        .map((c) => c.name)
        .sort(),
    ).toEqual(['session', 'theme'])
    const off = (await http.get('/echo', { cookies: false })).json<{ headers: Record<string, string> }>().headers.cookie
    expect(off).toBeUndefined()
  })
  const a = await runIteration(s, { baseUrl: srv.url, seed: 1, iteration: 0 })
  assert.ok(a.passed, a.failure?.message)
  // A new iteration starts without cookies.
  const fresh = scenario('fresh', async ({ http }) => {
    expect((await http.get('/echo')).json<{ headers: Record<string, string> }>().headers.cookie).toBeUndefined()
  })
  const b = await runIteration(fresh, { baseUrl: srv.url, seed: 1, iteration: 1 })
  assert.ok(b.passed, b.failure?.message)
})

test('per-request timeout: RequestError of kind timeout; the client default too', async () => {
  const http = createClient({ baseUrl: srv.url })
  try {
    const err = await http.get('/slow?ms=2000', { timeout: '100ms' }).catch((e: unknown) => e)
    assert.instance(err, RequestError)
    assert.is((err as RequestError).kind, 'timeout')
    assert.match((err as Error).message, /GET http:\/\/127\.0\.0\.1:\d+\/slow\?ms=2000: timeout/)
    const short = createClient({ baseUrl: srv.url, timeout: '80ms' })
    const e2 = await short.get('/slow?ms=2000').catch((e: unknown) => e)
    assert.is((e2 as RequestError).kind, 'timeout')
    await short.close()
    const slowOk = await http.get('/slow?ms=50', { timeout: '2s' })
    assert.is(slowOk.status, 200)
  } finally {
    await http.close()
  }
})

test('network errors carry a kind: ECONNREFUSED', async () => {
  const { createServer } = await import('node:net')
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as { port: number }).port
  await new Promise<void>((r) => s.close(() => r()))
  const http = createClient({ baseUrl: `http://127.0.0.1:${port}` })
  const err = (await http.get('/x').catch((e: unknown) => e)) as RequestError
  assert.is(err.kind, 'ECONNREFUSED')
  await http.close()
})

test('an AbortSignal stops a request in flight', async () => {
  const http = createClient({ baseUrl: srv.url })
  const ac = new AbortController()
  setTimeout(() => ac.abort(), 50)
  const err = (await http.get('/slow?ms=5000', { signal: ac.signal }).catch((e: unknown) => e)) as RequestError
  assert.is(err.kind, 'aborted')
  await http.close()
})

test('with(): derived clients share the session and add defaults', async () => {
  const http = createClient({ baseUrl: srv.url })
  const api = http.with({ headers: { 'x-api': '1' }, query: { v: 2 } })
  const e = (await api.get('/echo')).json<{ headers: Record<string, string>; query: Record<string, string> }>()
  assert.is(e.headers['x-api'], '1')
  assert.is(e.query.v, '2')
  assert.is((await http.get('/echo')).json<{ headers: Record<string, string> }>().headers['x-api'], undefined)
  assert.is(http.url('items').href, `${srv.url}/items`)
  assert.is(http.with({ baseUrl: srv.url + '/api/' }).url('/x').href, `${srv.url}/api/x`)
  await http.close()
})

test.run()
