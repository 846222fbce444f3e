/**
 * The store as a process, the way an environment provider runs it: it prints
 * its URL, reads its switches from env vars and flags, stops cleanly on
 * SIGTERM and SIGINT (exit 0, in-flight requests answered), exits 2 on bad
 * usage, and the crash switch really kills it (non-zero).
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { call, mainPath, run, scrape, spawnStore, until, type Child } from './helpers.ts'

const started: Child[] = []
async function store(
  args: string[],
  env: Record<string, string> = {},
  how: 'npm' | 'node' = 'node',
  group = false,
): Promise<Child> {
  const c = await spawnStore(args, env, how, group)
  started.push(c)
  return c
}
test.after(async () => {
  // Whatever a failed test left running.
  for (const c of started) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL')
})

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

test('npm run store -- --port 0 prints its URL, serves, and exits 0 on SIGTERM', async () => {
  const c = await store(['--port', '0'], {}, 'npm')
  assert.match(c.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  const health = await call(c.url, 'GET', '/health')
  assert.is(health.body.status, 'ok')
  assert.is((await call(c.url, 'GET', '/api/products')).body.total, 50)
  // npm runs the script through `sh -c`, which does not pass signals on: signal the store's own process (its pid is in /health).
  process.kill(health.body.pid, 'SIGTERM')
  const { code } = await c.exited
  assert.is(code, 0, c.stderr())
  assert.match(c.stdout(), /demo-store: SIGTERM received/)
  assert.match(c.stdout(), /demo-store stopped/)
})

test('npm run store: SIGTERM to the process group (as a terminal or a supervisor sends it) stops the store cleanly', async () => {
  const c = await store(['--port', '0'], {}, 'npm', true)
  const pid = (await call(c.url, 'GET', '/health')).body.pid
  process.kill(-c.child.pid!, 'SIGTERM')
  await c.exited
  // npm itself ends by the signal; the store finished its shutdown and nothing is left running.
  assert.match(c.stdout(), /demo-store stopped/)
  await until(async () => !alive(pid), 'the store process to be gone')
})

test('SIGINT stops it cleanly too (exit 0)', async () => {
  const c = await store(['--port', '0'])
  assert.is((await call(c.url, 'GET', '/health')).status, 200)
  c.child.kill('SIGINT')
  assert.is((await c.exited).code, 0, c.stderr())
})

test('SIGTERM lets an in-flight request finish before exiting 0', async () => {
  const c = await store(['--port', '0', '--fault-latency', '/api/products=400ms'])
  const pending = call(c.url, 'GET', '/api/products')
  await until(async () => (await scrape(c.url)).value('http_requests_in_flight') === 1, 'the request to be in flight')
  c.child.kill('SIGTERM')
  const res = await pending
  assert.equal([res.status, res.body.total, res.faults], [200, 50, ['latency=400ms']])
  assert.is((await c.exited).code, 0, c.stderr())
})

test('PORT, --host and the fault env vars and flags are honoured, and the switches are printed', async () => {
  const c = await store(['--host', '127.0.0.1', '--fault-leak-bytes', '2048', '--order-delay', '10ms'], {
    PORT: '0',
    STORE_FAULT_LATENCY: '/api/products/:id=25ms',
    STORE_FAULT_ERRORS: '/api/checkout=1',
  })
  await until(async () => c.stdout().includes('STORE_FAULT_ERRORS'), 'the fault lines')
  assert.match(c.stdout(), /demo-store fault: STORE_FAULT_LATENCY=\/api\/products\/:id=25ms/)
  assert.match(c.stdout(), /demo-store fault: STORE_FAULT_LEAK_BYTES=2048/)
  const res = await call(c.url, 'GET', '/api/products/p-001')
  assert.equal(res.faults, ['leak=2048', 'latency=25ms'])
  assert.is((await call(c.url, 'POST', '/api/checkout')).status, 500)
  const m = await scrape(c.url)
  assert.is(m.value('store_fault_leak_retained_bytes'), 2 * 2048)
  assert.is(m.value('store_fault_injected_total', { fault: 'error' }), 1)
  c.child.kill('SIGTERM')
  assert.is((await c.exited).code, 0)
})

test('the crash switch: the process answers N API requests, then exits abruptly with a non-zero code', async () => {
  const c = await store(['--port', '0'], { STORE_FAULT_CRASH_AFTER: '5' })
  for (let i = 0; i < 5; i++) assert.is((await call(c.url, 'GET', '/api/products')).status, 200)
  assert.is((await scrape(c.url)).value('store_fault_crash_requests_remaining'), 0)
  let dropped = false
  await call(c.url, 'GET', '/api/products').catch(() => (dropped = true))
  assert.ok(dropped, 'request 6 gets no answer')
  const { code } = await c.exited
  assert.ok(code !== 0 && code !== null, `exit code ${code}`)
  assert.match(c.stderr(), /injected crash: API request 6 arrived after STORE_FAULT_CRASH_AFTER=5/)
})

test('bad usage exits 2 with a message naming the flag or variable', async () => {
  const node = [process.execPath, '--conditions=steady-source', '--import', 'tsx', mainPath]
  const flag = await run(node[0], [...node.slice(1), '--port', '0', '--fault-latency', '/api/nope=5ms'])
  assert.is(flag.code, 2)
  assert.match(flag.stderr, /--fault-latency \(STORE_FAULT_LATENCY: unknown route template "\/api\/nope"\)/)
  const env = await run(node[0], [...node.slice(1), '--port', '0'], { STORE_FAULT_CRASH_AFTER: 'soon' })
  assert.is(env.code, 2)
  assert.match(env.stderr, /STORE_FAULT_CRASH_AFTER: "soon" is not a number of requests/)
  const unknown = await run(node[0], [...node.slice(1), '--bogus'])
  assert.is(unknown.code, 2)
  const help = await run(node[0], [...node.slice(1), '--help'])
  assert.is(help.code, 0)
  assert.match(help.stdout, /usage: npm run store/)
})

test('a port in use exits 2 and says so', async () => {
  const c = await store(['--port', '0'])
  const port = new URL(c.url).port
  const clash = await run(process.execPath, ['--conditions=steady-source', '--import', 'tsx', mainPath, '--port', port])
  assert.is(clash.code, 2)
  assert.match(clash.stderr, /cannot listen on 127\.0\.0\.1:\d+/)
  c.child.kill('SIGTERM')
  assert.is((await c.exited).code, 0)
})

test.run()
