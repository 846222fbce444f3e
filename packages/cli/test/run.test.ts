/** `steady run` through the CLI against the demo store: exit codes, targets, grep, reporters, replay, redaction. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { main } from '@steady/cli'
import { join } from 'node:path'
import { spawn, spawnSync } from 'node:child_process'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createStore } from '@steady/demo-store'
import { project, repoRoot, steady } from './helpers/run-project.ts'

let store: ReturnType<typeof createStore>
let url: string
test.before(async () => {
  store = createStore({ orderDelayMs: 20 })
  ;({ url } = await store.listen(0))
})
test.after(async () => {
  await store.close()
})

const passing = `import { scenario, expect } from '@steady/scenario'
export default scenario('products list', { tags: ['smoke'] }, async ({ http, step }) => {
  const r = await step('list', () => http.get('/api/products'))
  expect(r).toHaveStatus(200)
})
export const detail = scenario('product detail', { tags: ['detail'] }, async ({ http }) => {
  expect(await http.get('/api/products/p-002')).toHaveJson({ id: 'p-002' })
})
`
const failing = `import { scenario, expect, defineSetup } from '@steady/scenario'
export const setup = defineSetup(async ({ http, data }) => {
  const r = await http.post('/api/login', { json: { email: data.internet.email(), password: 'setup-pw' } })
  return { token: r.json<{ token: string }>().token, email: data.internet.email() }
})
export default scenario('wrong price', async ({ http, step, data }) => {
  const email = data.internet.email()
  await step('login', () => http.post('/api/login', { json: { email, password: 'pw-' + email } }))
  const r = await step('detail', () => http.get('/api/products/p-001'))
  expect(r).toHaveJson({ priceCents: 1 })
})
`

test('exit 0 when every scenario passes; --grep @tag and a named target from the config', async () => {
  const dir = project({
    'steady.config.ts': `export default { scenarios: ['flows/*.scenario.ts'], targets: { store: ${JSON.stringify(url)} }, defaultTarget: 'store', headers: { 'x-team': 'qa' } }\n`,
    'flows/a.scenario.ts': passing,
  })
  const r = await steady(['run', '--reporter', 'pretty,json', '--out', 'out'], dir)
  assert.is(r.code, 0, r.out + r.err)
  assert.match(r.out, '✓ products list')
  assert.match(r.out, '✓ product detail')
  assert.match(r.out, `store (${url})`)
  assert.match(r.out, '2 passed')
  assert.ok(existsSync(join(dir, 'out', 'run.json')))
  const grep = await steady(['run', '--grep', '@smoke', '--reporter', 'pretty'], dir)
  assert.is(grep.code, 0)
  assert.match(grep.out, '1 scenario × 1 iteration')
  assert.not.match(grep.out, 'product detail')
  // Without --out, run folders go to reports/<run-id>/ next to the config; every run writes its record,
  // whatever the reporters (the --grep run above with --reporter pretty too).
  await steady(['run', '--target', 'store'], dir)
  const runs = readdirSync(join(dir, 'reports'))
  assert.is(runs.length, 2)
  for (const run of runs) assert.ok(existsSync(join(dir, 'reports', run, 'run.json')))
})

test('exit 1 when a scenario fails, with the failure, run.json and junit.xml', async () => {
  const dir = project({ 'f.scenario.ts': failing })
  const r = await steady(
    ['run', 'f.scenario.ts', '--target', url, '--reporter', 'pretty,json,junit', '--out', 'out', '--seed', '99'],
    dir,
  )
  assert.is(r.code, 1, r.out + r.err)
  assert.match(r.out, '✗ wrong price')
  assert.match(r.out, 'f.scenario.ts:10 · step "detail" · iteration 0')
  assert.match(r.out, '-   "priceCents": 1')
  assert.match(r.out, "curl -sS -i 'http://127.0.0.1:")
  assert.match(r.out, `steady run --replay ${join(dir, 'out', 'run.json')} --scenario 'wrong price' --iteration 0`)
  const rec = JSON.parse(readFileSync(join(dir, 'out', 'run.json'), 'utf8'))
  assert.is(rec.schema, 'steady.run/1')
  assert.is(rec.seed, '99')
  assert.match(
    readFileSync(join(dir, 'out', 'junit.xml'), 'utf8'),
    '<failure message="[detail] expected GET /api/products/p-001 body to match',
  )
})

test('exit 2 when it cannot run: load error with file and line, no target, unknown target, bad flags, nothing found', async () => {
  const dir = project({
    'bad.scenario.ts':
      "import { scenario } from '@steady/scenario'\nexport default scenario('x', async () => {\n  const = 1\n})\n",
    'ok/a.scenario.ts': passing,
  })
  const load = await steady(['run', 'bad.scenario.ts', '--target', url], dir)
  assert.is(load.code, 2)
  assert.match(load.err, /error: bad\.scenario\.ts:3:\d+: /)
  assert.match(load.err, '→ fix the error at that line')
  const noTarget = await steady(['run', 'ok'], dir)
  assert.is(noTarget.code, 2)
  assert.match(noTarget.err, 'no target to run against')
  const unknown = await steady(['run', 'ok', '--target', 'staging'], dir)
  assert.is(unknown.code, 2)
  assert.match(unknown.err, '--target staging: not a URL and not a target')
  for (const args of [
    ['--iterations', '0'],
    ['--reporter', 'pretty,xml'],
    ['--timeout', '5'],
    ['--scenario', 'x'],
    ['--concurrency', 'many'],
  ]) {
    const r = await steady(['run', 'ok', '--target', url, ...args], dir)
    assert.is(r.code, 2, `${args.join(' ')}: ${r.err}`)
    assert.match(r.err, /→ /)
  }
  const none = await steady(['run', 'nothing/**/*.scenario.ts', '--target', url], dir)
  assert.is(none.code, 2)
  assert.match(none.err, 'no scenario files match')
  const grepNone = await steady(['run', 'ok', '--target', url, '--grep', '@nope'], dir)
  assert.is(grepNone.code, 2)
  assert.match(grepNone.err, 'selects none of the 2 scenarios')
})

test('--replay re-runs one recorded iteration with the same seeded data, printing every exchange', async () => {
  const dir = project({ 'f.scenario.ts': failing })
  const first = await steady(
    ['run', 'f.scenario.ts', '--target', url, '--out', 'out', '--iterations', '3', '--seed', 'abc'],
    dir,
  )
  assert.is(first.code, 1)
  const replay = await steady(
    [
      'run',
      'f.scenario.ts',
      '--target',
      url,
      '--replay',
      'out/run.json',
      '--scenario',
      'wrong price',
      '--iteration',
      '2',
    ],
    dir,
  )
  assert.is(replay.code, 1)
  assert.match(replay.out, 'replaying "wrong price" iteration 2 of run')
  assert.match(replay.out, '(seed abc)')
  assert.match(replay.out, '→ POST ' + url + '/api/login   [step login]')
  assert.match(replay.out, '← 200 in ')
  assert.match(replay.out, '"password":"[REDACTED]"')
  // The same email as iteration 2 of the recorded run: seeded data replays exactly.
  const { seededFaker, iterationSeed } = await import('@steady/scenario/testing')
  const email = seededFaker(iterationSeed('abc', 'wrong price', 2)).internet.email()
  assert.match(replay.out, JSON.stringify(email).slice(1, -1))
  // The setup ran again with the same seed: the same data (the fresh token is redacted out of the comparison).
  assert.match(replay.out, 'setup of f.scenario.ts: the same result as in the recorded run')
  const missing = await steady(['run', 'f.scenario.ts', '--target', url, '--replay', 'nope.json'], dir)
  assert.is(missing.code, 2)
  assert.match(missing.err, '--replay nope.json: no run.json')
  const badIt = await steady(['run', 'f.scenario.ts', '--target', url, '--replay', 'out', '--iteration', '7'], dir)
  assert.is(badIt.code, 2)
  assert.match(badIt.err, 'there is no iteration 7')
})

test('the printed curl command reproduces the request (method, path, headers, body); junit.xml carries the request and response', async () => {
  if (spawnSync('curl', ['--version']).status !== 0) {
    if (process.env.CI === 'true') throw new Error('curl is missing: apt-get install -y curl')
    console.log('[note] curl is missing: the printed curl command was not run (apt-get install -y curl)')
    return
  }
  // An echo server that keeps what it received, so the curl run can be compared with the scenario's request.
  const seen: { method?: string; url?: string; headers: IncomingHttpHeaders; body: string }[] = []
  const echo = createServer((req, res) => {
    let body = ''
    req.on('data', (d: Buffer) => (body += d.toString()))
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body })
      res.writeHead(200, { 'content-type': 'application/json', 'x-echo': 'yes' })
      res.end(JSON.stringify({ got: req.method }))
    })
  })
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r))
  const target = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`
  try {
    const dir = project({
      'c.scenario.ts': `import { scenario, expect } from '@steady/scenario'
export default scenario('posts a thing', async ({ http, step }) => {
  const r = await step('send', () => http.post('/things', { query: { x: 1, q: 'a b' }, json: { name: "O'Neil", qty: 2 }, headers: { 'x-trace': 'abc' } }))
  expect(r).toHaveStatus(201)
})
`,
    })
    const r = await steady(
      ['run', 'c.scenario.ts', '--target', target, '--reporter', 'pretty,junit', '--out', 'out'],
      dir,
    )
    assert.is(r.code, 1, r.out + r.err)
    assert.is(seen.length, 1)
    const curl = r.out
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.startsWith('curl '))
    assert.ok(curl, r.out)
    // Async: the echo server runs in this process and must keep answering.
    const ran = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('sh', ['-c', curl!], { timeout: 10_000 })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
      child.on('close', (status) => resolve({ status, stdout, stderr }))
    })
    assert.is(ran.status, 0, ran.stderr)
    assert.match(ran.stdout, 'HTTP/1.1 200 OK')
    assert.is(seen.length, 2, 'curl reached the server')
    const [original, replayed] = seen
    assert.equal([replayed.method, replayed.url, replayed.body], [original.method, original.url, original.body])
    assert.equal([replayed.method, replayed.url], ['POST', '/things?x=1&q=a+b'])
    assert.equal(JSON.parse(replayed.body), { name: "O'Neil", qty: 2 })
    for (const h of ['content-type', 'x-trace', 'user-agent']) assert.is(replayed.headers[h], original.headers[h], h)

    // junit.xml: the failure text holds the request (method, URL, headers, body) and the response (status, headers, body).
    const xml = readFileSync(join(dir, 'out', 'junit.xml'), 'utf8')
    const failure = xml.match(/<failure [^>]*>([\s\S]*?)<\/failure>/)?.[1] ?? ''
    const text = failure
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&')
    assert.match(text, `→ POST ${target}/things?x=1&q=a+b`)
    assert.match(text, '  x-trace: abc')
    assert.match(text, `  {"name":"O'Neil","qty":2}`)
    assert.match(text, /← 200 \([^)]+\)/)
    assert.match(text, '  x-echo: yes')
    assert.match(text, '  {"got":"POST"}')
    assert.match(text, `curl -sS -i -X POST '${target}/things?x=1&q=a+b'`)
  } finally {
    echo.closeAllConnections()
    await new Promise((r) => echo.close(r))
  }
})

test('--replay <run id>: the run is found under reports/, setup re-runs for the masked token, and a different store answer is said', async () => {
  const dir = project({
    'o.scenario.ts': `import { scenario, expect, defineSetup } from '@steady/scenario'
export const setup = defineSetup(async ({ http, data }) => {
  // The same seeded user in the run and in its replay; its order count changes in between.
  const login = await http.post('/api/login', { json: { email: data.internet.email(), password: 'pw-setup-1' } })
  const token = login.json<{ token: string }>().token
  const orders = await http.get('/api/orders', { headers: { authorization: 'Bearer ' + token } })
  return { token, orders: orders.json<{ total: number }>().total }
})
export default scenario<{ token: string; orders: number }>('orders grow', async ({ http, step, setupData }) => {
  const headers = { authorization: 'Bearer ' + setupData.token, 'x-orders-at-setup': String(setupData.orders) }
  const products = (await http.get('/api/products', { query: { pageSize: 100 } })).json<{ items: { id: string; inStock: boolean }[] }>().items
  const productId = products.find((p) => p.inStock)!.id
  expect(await step('add', () => http.post('/api/cart/items', { headers, json: { productId, quantity: 1 } }))).toHaveStatus(201)
  expect(await step('checkout', () => http.post('/api/checkout', { headers }))).toHaveStatus(201)
  expect(await step('list', () => http.get('/api/orders', { headers }))).toHaveJson({ total: 0 })
})
`,
  })
  const first = await steady(['run', 'o.scenario.ts', '--target', url, '--seed', 'grow', '--reporter', 'json'], dir)
  assert.is(first.code, 1, first.out + first.err)
  const [id] = readdirSync(join(dir, 'reports'))
  const rec = JSON.parse(readFileSync(join(dir, 'reports', id, 'run.json'), 'utf8'))
  const note = rec.events.find((e: { data?: { file?: string } }) => e.data?.file === 'o.scenario.ts')
  assert.equal([note.data.result, note.data.masked], [{ token: '[REDACTED]', orders: 0 }, [['token']]])

  const replay = await steady(['run', 'o.scenario.ts', '--target', url, '--replay', id], dir)
  assert.is(replay.code, 1, replay.out + replay.err)
  assert.match(replay.out, `replaying "orders grow" iteration 0 of run ${id} (seed grow)`)
  assert.match(
    replay.out,
    'setup of o.scenario.ts: redaction masked token in the recorded result, so setup re-ran with the same seed for it; the rest is the recorded result',
  )
  assert.match(
    replay.out,
    /setup of o\.scenario\.ts: a different result from the recorded run \(fingerprint [0-9a-f]+, was [0-9a-f]+\): the service returned other data/,
  )
  // The iteration got the recorded order count (0), not the re-run's (1), and a live token (the checkout answered 201).
  assert.match(replay.out, '  x-orders-at-setup: 0')
  assert.not.match(replay.out, 'x-orders-at-setup: 1')
  assert.match(replay.out, /→ POST [^\n]*\/api\/checkout   \[step checkout\]\n(?:  [^\n]*\n)*← 201/)
})

test('colour on a terminal, none with NO_COLOR', async () => {
  const dir = project({ 'p.scenario.ts': passing })
  const run = async (env: NodeJS.ProcessEnv) => {
    let out = ''
    const code = await main(['run', 'p.scenario.ts', '--target', url, '--reporter', 'pretty'], {
      cwd: dir,
      env: { ...process.env, GITHUB_ACTIONS: '', ...env },
      out: (s) => void (out += s),
      err: () => {},
      isTTY: true,
    })
    return { code, out }
  }
  const tty = await run({ NO_COLOR: '' })
  assert.is(tty.code, 0)
  assert.match(tty.out, '\u001b[32m✓\u001b[39m')
  delete process.env.NO_COLOR
  const plain = await run({ NO_COLOR: '1' })
  assert.not.match(plain.out, '\u001b[')
})

test('SIGINT: the binary stops the run, writes an incomplete record, runs teardown and exits 130', async () => {
  const dir = project({
    's.scenario.ts': `import { scenario, defineTeardown } from '@steady/scenario'
import { writeFileSync } from 'node:fs'
export const teardown = defineTeardown(async () => writeFileSync('teardown-ran', 'yes'))
export default scenario('waits a long time', async ({ http, sleep }) => {
  await http.get('/api/products', { query: { page: 1 } })
  await sleep('60s')
})
`,
  })
  const bin = join(repoRoot, 'packages/cli/bin/steady.js')
  const child = spawn(
    process.execPath,
    [bin, 'run', 's.scenario.ts', '--target', url, '--reporter', 'pretty,json', '--out', 'out'],
    { cwd: dir, env: { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '' } },
  )
  let out = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (out += d.toString()))
  // Wait until the run has started, then interrupt it.
  for (let i = 0; i < 200 && !out.includes('steady run ·'); i++) await new Promise((r) => setTimeout(r, 50))
  await new Promise((r) => setTimeout(r, 300))
  child.kill('SIGINT')
  const code = await new Promise<number | null>((r) => child.on('close', r))
  assert.is(code, 130, out)
  assert.match(out, 'interrupted')
  const rec = JSON.parse(readFileSync(join(dir, 'out', 'run.json'), 'utf8'))
  assert.is(rec.complete, false)
  assert.is(readFileSync(join(dir, 'teardown-ran'), 'utf8'), 'yes')
})

test('the real binary: exit codes 0, 1 and 2 from a child process', async () => {
  const dir = project({ 'p.scenario.ts': passing, 'f.scenario.ts': failing })
  const bin = join(repoRoot, 'packages/cli/bin/steady.js')
  // Async: the store runs in this process and must keep answering.
  const run = (...args: string[]) =>
    new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, 'run', ...args], {
        cwd: dir,
        env: { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '' },
      })
      let stderr = ''
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
      child.on('close', (status) => resolve({ status, stderr }))
    })
  assert.is((await run('p.scenario.ts', '--target', url, '--reporter', 'pretty')).status, 0)
  assert.is((await run('f.scenario.ts', '--target', url, '--reporter', 'pretty')).status, 1)
  const two = await run('missing.scenario.ts', '--target', url)
  assert.is(two.status, 2)
  assert.match(two.stderr, 'no scenario files match')
})

test.run()
