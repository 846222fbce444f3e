/**
 * steady run's overhead, measured (a benchmark, not a test):
 *
 * 1. Client CPU per iteration of a 5-request flow: steady's `runIteration`
 *    (client, steps, checks, events) against a raw undici loop making the same
 *    requests. The server runs in its own process so its CPU is not counted.
 *    Target: steady ≤ 1.25× raw.
 * 2. The same flow in Step CI (@stepci/runner) and Newman, installed into a
 *    temp folder for the benchmark only (never into this repo), same server,
 *    same run.
 * 3. Wall time of `steady run` on one scenario file, start to exit, and what
 *    it is made of.
 *
 *   nice node --import tsx scripts/bench/run-overhead.ts [iterations]   (docs/benchmarks.md used 3000)
 *   STEADY_BENCH_PEERS=/tmp/steady-bench-peers   where Step CI and Newman get installed
 *   STEADY_BENCH_SKIP_PEERS=1                   skip them (no registry access)
 *
 * Without `--conditions=steady-source`, @steady/scenario and @steady/record
 * resolve to their built `dist/` (built here first with tsc), which is what a
 * team installs. On the sources through tsx, esbuild's keepNames adds a
 * `__name()` call per closure and the client looks ~10% slower than it is.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Agent } from 'undici'
import { loadavg } from 'node:os'

const root = resolve(import.meta.dirname, '../..')
const N = Number(process.argv[2] ?? 2000)
const rounds = 15
const fromSources = process.execArgv.some((a) => a.includes('steady-source'))
// dist/ folders this run creates are removed at the end: in the monorepo, code runs from sources.
const built: string[] = []
if (!fromSources) {
  for (const pkg of ['record', 'scenario']) {
    if (!existsSync(join(root, 'packages', pkg, 'dist'))) built.push(join(root, 'packages', pkg, 'dist'))
    const r = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'packages', pkg, 'tsconfig.build.json')], { stdio: 'inherit' })
    if (r.status !== 0) throw new Error(`building @steady/${pkg} failed`)
  }
}
const { createDispatcher, expect, runIteration, scenario } = await import('@steady/scenario')
console.log(`measuring @steady/scenario from ${fromSources ? 'its sources through tsx' : 'dist/ (as installed)'}; load average ${loadavg().map((l: number) => l.toFixed(1)).join(' ')}`)

function startServer(): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [join(import.meta.dirname, 'fixtures/server.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] })
    child.stdout!.once('data', (d: Buffer) => res({ url: d.toString().trim(), child }))
    child.once('error', rej)
  })
}

function cpuMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

async function measure(n: number, iteration: (i: number) => Promise<void>): Promise<number> {
  const start = cpuMs()
  for (let i = 0; i < n; i++) await iteration(i)
  return ((cpuMs() - start) / n) * 1000 // µs per iteration
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

const { url, child } = await startServer()
try {
  // ── 1. steady vs raw undici ────────────────────────────────────────────
  const agent = new Agent({ keepAliveTimeout: 60_000 })
  const origin = url
  const json = { 'content-type': 'application/json' }
  async function raw(): Promise<void> {
    const check = (s: number, want: number) => {
      if (s !== want) throw new Error(`status ${s}`)
    }
    let r = await agent.request({ origin, path: '/api/items?page=1', method: 'GET' })
    check(r.statusCode, 200)
    await r.body.text()
    r = await agent.request({ origin, path: '/api/cart', method: 'POST', headers: json, body: JSON.stringify({ sku: 'sku-1', qty: 1 }) })
    check(r.statusCode, 201)
    await r.body.text()
    r = await agent.request({ origin, path: '/api/cart', method: 'GET' })
    check(r.statusCode, 200)
    await r.body.text()
    r = await agent.request({ origin, path: '/api/cart/sku-1', method: 'PUT', headers: json, body: JSON.stringify({ qty: 2 }) })
    check(r.statusCode, 200)
    await r.body.text()
    r = await agent.request({ origin, path: '/api/cart/sku-1', method: 'DELETE' })
    check(r.statusCode, 200)
    await r.body.text()
  }
  const five = scenario('five requests', async ({ http, step }) => {
    await step('flow', async () => {
      expect(await http.get('/api/items', { query: { page: 1 } })).toHaveStatus(200)
      expect(await http.post('/api/cart', { json: { sku: 'sku-1', qty: 1 } })).toHaveStatus(201)
      expect(await http.get('/api/cart')).toHaveStatus(200)
      expect(await http.put('/api/cart/sku-1', { json: { qty: 2 } })).toHaveStatus(200)
      expect(await http.delete('/api/cart/sku-1')).toHaveStatus(200)
    })
  })
  const dispatcher = createDispatcher({ keepAlive: '60s' })
  let events = 0
  const steady = async (i: number) => {
    const r = await runIteration(five, { baseUrl: url, seed: 1, iteration: i, dispatcher, onRequest: () => void events++ })
    if (!r.passed) throw new Error(r.failure?.message)
  }
  await measure(300, raw)
  await measure(300, steady)
  // Short interleaved rounds, compared pairwise: other load on the machine drifts, a neighbouring pair shares it.
  const rawUs: number[] = []
  const steadyUs: number[] = []
  const ratios: number[] = []
  const per = Math.max(100, Math.floor(N / rounds))
  for (let k = 0; k < rounds; k++) {
    const a = await measure(per, raw)
    const b = await measure(per, steady)
    rawUs.push(a)
    steadyUs.push(b)
    ratios.push(b / a)
  }
  const rawMed = median(rawUs)
  const steadyMed = median(steadyUs)
  console.log(`iterations: ${rounds} rounds × ${per} (medians), 5 requests each, server in its own process`)
  console.log(`raw undici loop     ${rawMed.toFixed(0).padStart(6)} µs CPU / iteration`)
  console.log(`steady runIteration ${steadyMed.toFixed(0).padStart(6)} µs CPU / iteration   (client, step, 5 checks, request events)`)
  console.log(`steady / raw        ${median(ratios).toFixed(2)}×   median of per-round ratios (range ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}; target ≤ 1.25×)`)
  await agent.close()
  await dispatcher.close()

  // ── 2. peers ───────────────────────────────────────────────────────────
  if (process.env.STEADY_BENCH_SKIP_PEERS !== '1') {
    const peers = process.env.STEADY_BENCH_PEERS ?? join(tmpdir(), 'steady-bench-peers')
    if (!existsSync(join(peers, 'node_modules/newman')) || !existsSync(join(peers, 'node_modules/@stepci/runner'))) {
      mkdirSync(peers, { recursive: true })
      writeFileSync(join(peers, 'package.json'), '{ "name": "steady-bench-peers", "private": true }\n')
      console.log(`installing @stepci/runner@2.0.7 and newman@6.2.2 into ${peers} (benchmark only)`)
      const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '@stepci/runner@2.0.7', 'newman@6.2.2'], { cwd: peers, stdio: 'inherit' })
      if (r.status !== 0) throw new Error('npm install of the peers failed')
    }
    const req = createRequire(join(peers, 'package.json'))
    const n = Math.max(100, Math.floor(N / 4))

    const stepci = req('@stepci/runner') as { run(w: unknown, o?: unknown): Promise<{ result: { passed: boolean } }> }
    const step = (name: string, method: string, path: string, status: number, body?: unknown) => ({ name, http: { url: `${url}${path}`, method, ...(body ? { json: body } : {}), check: { status } } })
    const workflow = {
      version: '1.1',
      name: 'five requests',
      tests: {
        flow: {
          steps: [
            step('items', 'GET', '/api/items?page=1', 200),
            step('add', 'POST', '/api/cart', 201, { sku: 'sku-1', qty: 1 }),
            step('cart', 'GET', '/api/cart', 200),
            step('change', 'PUT', '/api/cart/sku-1', 200, { qty: 2 }),
            step('remove', 'DELETE', '/api/cart/sku-1', 200),
          ],
        },
      },
    }
    const stepciIteration = async () => {
      const r = await stepci.run(workflow)
      if (!r.result.passed) throw new Error('Step CI flow failed')
    }
    await measure(50, stepciIteration)
    const stepciUs = median([await measure(n, stepciIteration), await measure(n, stepciIteration), await measure(n, stepciIteration)])

    const newman = req('newman') as { run(o: unknown, cb: (err: Error | null, summary: { run: { failures: unknown[] } }) => void): void }
    const item = (name: string, method: string, path: string, status: number, body?: unknown) => ({
      name,
      request: { method, url: `${url}${path}`, header: body ? [{ key: 'content-type', value: 'application/json' }] : [], ...(body ? { body: { mode: 'raw', raw: JSON.stringify(body) } } : {}) },
      event: [{ listen: 'test', script: { exec: [`pm.test('status', () => pm.response.to.have.status(${status}))`] } }],
    })
    const collection = {
      info: { name: 'five requests', schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json' },
      item: [
        item('items', 'GET', '/api/items?page=1', 200),
        item('add', 'POST', '/api/cart', 201, { sku: 'sku-1', qty: 1 }),
        item('cart', 'GET', '/api/cart', 200),
        item('change', 'PUT', '/api/cart/sku-1', 200, { qty: 2 }),
        item('remove', 'DELETE', '/api/cart/sku-1', 200),
      ],
    }
    const newmanRun = (iterations: number) =>
      new Promise<number>((res, rej) => {
        const start = cpuMs()
        newman.run({ collection, iterationCount: iterations, reporters: [] }, (err, summary) => {
          if (err) return rej(err)
          if (summary.run.failures.length) return rej(new Error(`newman: ${summary.run.failures.length} failures`))
          res(((cpuMs() - start) / iterations) * 1000)
        })
      })
    await newmanRun(20)
    const newmanUs = median([await newmanRun(n), await newmanRun(n), await newmanRun(n)])
    console.log(`Step CI run()       ${stepciUs.toFixed(0).padStart(6)} µs CPU / iteration   (${n} iterations × 3, @stepci/runner 2.0.7)  ${(stepciUs / steadyMed).toFixed(1)}× steady`)
    console.log(`Newman              ${newmanUs.toFixed(0).padStart(6)} µs CPU / iteration   (${n} iterations × 3, newman 6.2.2)  ${(newmanUs / steadyMed).toFixed(1)}× steady`)
  }

  // ── 3. steady run wall time ────────────────────────────────────────────
  const out = mkdtempSync(join(tmpdir(), 'steady-bench-run-'))
  const wall = (args: string[]) => {
    const t = performance.now()
    const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`)
    return performance.now() - t
  }
  const src = ['--conditions=steady-source', '--import', 'tsx', join(root, 'packages/cli/src/bin.ts')]
  const runArgs = ['run', join(import.meta.dirname, 'fixtures/five.scenario.ts'), '--target', url, '--reporter', 'json', '--out', out]
  wall([...src, '--version'])
  const times = {
    'node -e 0': median([0, 1, 2, 3, 4].map(() => wall(['-e', '0']))),
    'node --import tsx -e 0': median([0, 1, 2, 3, 4].map(() => wall(['--import', 'tsx', '-e', '0']))),
    'steady --version (sources)': median([0, 1, 2, 3, 4].map(() => wall([...src, '--version']))),
    'steady run one file (sources)': median([0, 1, 2, 3, 4].map(() => wall([...src, ...runArgs]))),
  }
  for (const [k, v] of Object.entries(times)) console.log(`${k.padEnd(32)} ${v.toFixed(0).padStart(5)} ms wall (median of 5)`)
  console.log(`events seen: ${events}`)
} finally {
  child.kill('SIGTERM')
  for (const dir of built) rmSync(dir, { recursive: true, force: true })
}
