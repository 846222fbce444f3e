/**
 * Redaction: a run full of known secrets (password, bearer token, cookie, API
 * key from the config, a client secret in a body, a config pattern), then
 * every output is searched for them: console, run.json, junit.xml, GitHub
 * annotations and step summary, and the verbose --replay output. A second
 * server answers with a Set-Cookie session, which the jar sends back.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createStore } from '@steady/demo-store'
import { project, steady } from './helpers/run-project.ts'

const PASSWORD = 'Pa55word-SECRET-0001'
const SESSION = 'sess-SECRET-cookie-0002'
const API_KEY = 'key-SECRET-header-0003'
const CLIENT_SECRET = 'client-SECRET-body-0004'
const ACCOUNT = 'acct-778899'
const SET_COOKIE = 'sid-SECRET-setcookie-0005'

const scenarioFile = `import { scenario, expect } from '@steady/scenario'
import { appendFileSync } from 'node:fs'
export default scenario('leaky flow', async ({ http, step, log }) => {
  // A server that sets a session cookie (Set-Cookie), then gets it back from the jar (Cookie).
  const auth = process.env.STEADY_COOKIE_URL!
  expect(await step('session', () => http.post(auth + '/session'))).toHaveStatus(200)
  expect(await step('whoami', () => http.get(auth + '/whoami'))).toHaveJson({ cookieSent: true })
  const login = await step('login', () => http.post('/api/login', { json: { email: 'ann@example.com', password: '${PASSWORD}' } }))
  const token = login.json<{ token: string }>().token
  appendFileSync(process.env.STEADY_SECRETS_FILE!, token + '\\n')
  http.cookies.set(http.baseUrl, 'session', '${SESSION}')
  log('token is ' + token + ' for account ${ACCOUNT}')
  const api = http.with({ headers: { authorization: 'Bearer ' + token } })
  const res = await step('add', () => api.post('/api/cart/items?account=${ACCOUNT}', { json: { productId: 'p-001', quantity: 1, client_secret: '${CLIENT_SECRET}' } }))
  expect(token, 'the token').toBe('something else')
  expect(res).toHaveStatus(201)
})
`

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e)
    return statSync(p).isDirectory() ? (e === 'node_modules' ? [] : allFiles(p)) : [p]
  })
}

test('no secret appears in any output of a failing run or its replay', async () => {
  const store = createStore({ orderDelayMs: 20 })
  const { url } = await store.listen(0)
  const cookies = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      if (req.url === '/session') {
        res.writeHead(200, {
          'content-type': 'application/json',
          'set-cookie': [`sid=${SET_COOKIE}; Path=/; HttpOnly; SameSite=Lax`, 'theme=dark; Path=/'],
        })
        return res.end('{"ok":true}')
      }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ cookieSent: (req.headers.cookie ?? '').includes(`sid=${SET_COOKIE}`) }))
    })
  })
  await new Promise<void>((r) => cookies.listen(0, '127.0.0.1', r))
  process.env.STEADY_COOKIE_URL = `http://127.0.0.1:${(cookies.address() as AddressInfo).port}`
  try {
    const dir = project({
      'steady.config.ts': `export default {
  headers: { 'x-api-key': '${API_KEY}' },
  redaction: { patterns: ['acct-[0-9]+'] },
}
`,
      'leaky.scenario.ts': scenarioFile,
    })
    const secretsFile = join(dir, 'secrets.txt')
    // Scenario code runs in this process: it reads process.env.
    process.env.STEADY_SECRETS_FILE = secretsFile
    const env = { GITHUB_STEP_SUMMARY: join(dir, 'out', 'summary.md') }
    const run = await steady(
      ['run', 'leaky.scenario.ts', '--target', url, '--reporter', 'pretty,json,junit,github', '--out', 'out'],
      dir,
      env,
    )
    assert.is(run.code, 1, run.out + run.err)
    // The failure really shows the request: the secrets were there to leak.
    assert.match(run.out, 'authorization: [REDACTED]')
    assert.match(run.out, 'x-api-key: [REDACTED]')
    assert.match(run.out, 'cookie: [REDACTED]')
    assert.match(run.out, '"client_secret":"[REDACTED]"')
    assert.match(run.out, '::error file=leaky.scenario.ts')
    const replay = await steady(['run', 'leaky.scenario.ts', '--target', url, '--replay', 'out/run.json'], dir, env)
    assert.is(replay.code, 1)
    assert.match(replay.out, '"password":"[REDACTED]"')
    assert.match(replay.out, '"token":"[REDACTED]"')
    // The Set-Cookie response and the Cookie sent back were in the output, masked.
    assert.match(replay.out, /← 200[^\n]*\n(?:  [^\n]*\n)*  set-cookie: \[REDACTED\]/)
    assert.match(replay.out, /→ GET [^\n]*\/whoami   \[step whoami\]\n(?:  [^\n]*\n)*  cookie: \[REDACTED\]/)

    const tokens = readFileSync(secretsFile, 'utf8').trim().split('\n')
    assert.is(tokens.length, 2)
    const secrets = [PASSWORD, SESSION, API_KEY, CLIENT_SECRET, ACCOUNT, SET_COOKIE, ...tokens]
    const outputs: Record<string, string> = {
      'run stdout': run.out,
      'run stderr': run.err,
      'replay stdout': replay.out,
      'replay stderr': replay.err,
    }
    for (const f of allFiles(join(dir, 'out'))) outputs[f] = readFileSync(f, 'utf8')
    assert.ok(Object.keys(outputs).some((k) => k.endsWith('run.json')))
    assert.ok(Object.keys(outputs).some((k) => k.endsWith('junit.xml')))
    assert.ok(Object.keys(outputs).some((k) => k.endsWith('summary.md')))
    const leaks: string[] = []
    for (const [name, text] of Object.entries(outputs))
      for (const s of secrets) if (text.includes(s)) leaks.push(`${name} contains ${s}`)
    assert.equal(leaks, [])
  } finally {
    cookies.closeAllConnections()
    await new Promise((r) => cookies.close(r))
    await store.close()
  }
})

test.run()
