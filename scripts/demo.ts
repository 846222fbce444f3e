/**
 * `npm run demo`. Today: starts the demo store as a process on a free port
 * (the way an ephemeral environment will), prints its URL, says what the
 * full demo will do, runs a short self-check against the store (a user flow
 * from login to a shipped order, then /metrics), and tears the store down.
 * Exits 0 when the self-check passes, 1 when it does not, 130 on Ctrl-C
 * (after tearing the store down).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')
const storeMain = join(root, 'packages', 'demo-store', 'src', 'main.ts')
/** Every wait in the demo is bounded; the whole demo gives up after this. */
const DEMO_LIMIT_MS = 60_000

const out = (line = '') => process.stdout.write(`${line}\n`)

let store: ChildProcess | undefined
let storeExit: Promise<number | null> | undefined

/** Starts the store on a free port and resolves with the URL it prints. */
function startStore(): Promise<string> {
  const child = spawn(process.execPath, ['--conditions=steady-source', '--import', 'tsx', storeMain, '--port', '0', '--order-delay', '100ms'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  store = child
  storeExit = new Promise((resolve) => child.on('exit', (code) => resolve(code)))
  let printed = ''
  child.stderr!.on('data', (d: Buffer) => process.stderr.write(d))
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      printed += d.toString()
      const m = /demo-store listening on (http:\/\/\S+)/.exec(printed)
      if (m) resolve(m[1])
    })
    child.on('error', reject)
    void storeExit!.then((code) => reject(new Error(`the demo store exited (${code}) before it listened:\n${printed}`)))
  })
}

/**
 * Stops the store: SIGTERM, and SIGKILL if it has not stopped 10 s later.
 * After a Ctrl-C the store (in the same process group) has had the signal
 * already and is stopping; `waitFirstMs` gives it that long before a SIGTERM
 * would count as its second signal.
 */
async function stopStore(waitFirstMs = 0): Promise<number | null> {
  if (!store || !storeExit) return 0
  const running = () => store!.exitCode === null && store!.signalCode === null
  if (waitFirstMs > 0) await Promise.race([storeExit, new Promise((r) => setTimeout(r, waitFirstMs).unref())])
  if (running()) store.kill('SIGTERM')
  const kill = setTimeout(() => store?.kill('SIGKILL'), 10_000)
  const code = await storeExit
  clearTimeout(kill)
  return code
}

interface Json {
  [key: string]: unknown
}

async function request(base: string, method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: Json; text: string }> {
  const headers: Record<string, string> = {}
  if (token) headers.authorization = `Bearer ${token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(10_000) })
  const text = await res.text()
  let parsed: Json = {}
  try {
    parsed = JSON.parse(text) as Json
  } catch {
    // /metrics is text.
  }
  return { status: res.status, body: parsed, text }
}

let failures = 0
function check(ok: boolean, what: string, detail: string): void {
  out(`  ${ok ? '✓' : '✗'} ${what.padEnd(34)} ${detail}`)
  if (!ok) failures++
}

async function selfCheck(base: string): Promise<void> {
  const health = await request(base, 'GET', '/health')
  check(health.status === 200 && health.body.status === 'ok', 'GET /health', `${health.status} ${String(health.body.status)}`)

  const login = await request(base, 'POST', '/api/login', undefined, { email: 'demo@example.com', password: 'demo' })
  const token = typeof login.body.token === 'string' ? login.body.token : undefined
  check(login.status === 200 && token !== undefined, 'POST /api/login', `${login.status} bearer token for demo@example.com`)

  const products = await request(base, 'GET', '/api/products?pageSize=5')
  const items = Array.isArray(products.body.items) ? (products.body.items as Json[]) : []
  check(products.status === 200 && items.length === 5, 'GET /api/products?pageSize=5', `${products.status} ${items.length} of ${String(products.body.total)} products`)
  const product = items.find((p) => p.inStock === true)

  const added = await request(base, 'POST', '/api/cart/items', token, { productId: product?.id, quantity: 2 })
  check(added.status === 201, 'POST /api/cart/items', `${added.status} 2 × ${String(product?.name)}`)

  const checkout = await request(base, 'POST', '/api/checkout', token)
  const orderId = String(checkout.body.id)
  check(checkout.status === 201 && checkout.body.state === 'pending', 'POST /api/checkout', `${checkout.status} order ${orderId} ${String(checkout.body.state)}`)

  // The worker ships it in the background; poll as a scenario would (bounded).
  let state = String(checkout.body.state)
  let polls = 0
  while (state !== 'shipped' && polls < 50) {
    await new Promise((r) => setTimeout(r, 50))
    polls++
    state = String((await request(base, 'GET', `/api/orders/${orderId}`, token)).body.state)
  }
  check(state === 'shipped', `GET /api/orders/${orderId}`, `${state} after ${polls} polls`)

  const metrics = await request(base, 'GET', '/metrics')
  const series = metrics.text.split('\n').filter((l) => l.startsWith('http_request_duration_seconds_count')).length
  const rss = Number(/^process_resident_memory_bytes (\S+)/m.exec(metrics.text)?.[1] ?? NaN)
  check(metrics.status === 200 && series > 0 && rss > 0, 'GET /metrics', `${series} request-duration series by route template, RSS ${(rss / 2 ** 20).toFixed(0)} MiB`)
}

let interrupted = false
async function onInterrupt(signal: NodeJS.Signals): Promise<void> {
  if (interrupted) return
  interrupted = true
  out(`\n${signal}: stopping the demo store`)
  await stopStore(3000)
  out('demo store stopped')
  process.exit(signal === 'SIGINT' ? 130 : 143)
}
process.on('SIGINT', (s) => void onInterrupt(s))
process.on('SIGTERM', (s) => void onInterrupt(s))

const giveUp = setTimeout(() => {
  out(`the demo did not finish within ${DEMO_LIMIT_MS / 1000}s: stopping`)
  void stopStore().then(() => process.exit(1))
}, DEMO_LIMIT_MS)
giveUp.unref()

out('steady demo (preview)')
out()
let exitCode = 0
let failure: string | undefined
try {
  const url = await startStore()
  out(`demo store listening on ${url}`)
  out()
  out('The full demo will:')
  out('  1. bring the demo store up as an ephemeral environment (steady env),')
  out('  2. run the example scenarios in scenarios/ against it: is it working? (steady run),')
  out('  3. soak it briefly, phase by phase (quiet, nominal, peak), with the scenarios as')
  out('     end-to-end probes while watching its /metrics (steady soak),')
  out('  4. compare the run with the baseline in baselines/: is it stable? (steady verdict),')
  out('  5. write an HTML report to reports/ (steady report).')
  out()
  out('What works today is the demo store itself. A user flow against it:')
  await selfCheck(url)
  out()
  if (failures > 0) failure = `${failures} check(s) failed`
} catch (err) {
  failure = `the demo failed: ${(err as Error).message}`
}
// A Ctrl-C reaches the store too (same process group), and a request may fail
// because of it before this process has run its own handler: give the event
// loop one more turn to deliver the signal before reading a failure as one.
await new Promise((resolve) => setImmediate(() => setImmediate(resolve)))
if (!interrupted) {
  if (failure) {
    out(failure)
    exitCode = 1
  }
  const code = await stopStore()
  out(`demo store stopped (exit ${code})`)
  if (code !== 0) exitCode = 1
  out()
  out('Try it yourself:')
  out('  npm run store -- --port 0')
  out('  STORE_FAULT_LATENCY="/api/products/:id=150ms" npm run store -- --port 0   # a known regression')
  out('  (fault switches: packages/demo-store/README.md)')
  clearTimeout(giveUp)
  process.exit(exitCode)
}
// Otherwise the interrupt handler is tearing the store down and exits 130.
