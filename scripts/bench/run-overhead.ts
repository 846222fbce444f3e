/**
 * steady run's overhead, measured (a benchmark, not a test):
 *
 * 1. Client CPU per iteration of a 5-request flow: steady's `runIteration`
 *    (client, steps, checks, events) against a raw undici loop making the same
 *    requests. The server runs in its own process so its CPU is not counted.
 *    Target: steady ≤ 1.25× raw.
 * 2. The same flow in Step CI (@stepci/runner) and Newman, installed into a
 *    temp folder for the benchmark only (never into this repo), same server,
 *    same run, each warmed up and measured in rounds interleaved with steady
 *    (the ratio is the median of per-round ratios), each measurement in a
 *    process of its own (run-overhead-peer.ts): measured in one process,
 *    Newman's and Step CI's garbage slowed steady's iterations 2.5×.
 * 3. Wall time of `steady run` on one scenario file, start to exit, and what
 *    it is made of.
 *
 *   nice node --import tsx scripts/bench/run-overhead.ts [iterations]   (docs/benchmarks.md used 3000)
 *   STEADY_BENCH_FLOW=3                         a 3-request flow (POST, GET, DELETE) instead of the 5-request one
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
import { tmpdir } from 'node:os'
import { buildDist } from './build-dist.ts'
import { join, resolve } from 'node:path'
import { Agent } from 'undici'
import { loadavg } from 'node:os'
import { chosenFlow, measure, median, pathWithQuery } from './fixtures/overhead-flow.ts'

const root = resolve(import.meta.dirname, '../..')
const N = Number(process.argv[2] ?? 2000)
const rounds = 15
const fromSources = process.execArgv.some((a) => a.includes('steady-source'))
// dist/ folders this run creates are removed at the end: in the monorepo, code runs from sources.
const built = fromSources ? [] : buildDist(['scenario'], { rebuild: true })
const { createDispatcher, expect, runIteration, scenario } = await import('@steady/scenario')
console.log(
  `measuring @steady/scenario from ${fromSources ? 'its sources through tsx' : 'dist/ (as installed)'}; load average ${loadavg()
    .map((l: number) => l.toFixed(1))
    .join(' ')}`,
)

function startServer(): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [join(import.meta.dirname, 'fixtures/server.mjs')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    child.stdout!.once('data', (d: Buffer) => res({ url: d.toString().trim(), child }))
    child.once('error', rej)
  })
}

const flow = chosenFlow()

const { url, child } = await startServer()
try {
  // ── 1. steady vs raw undici ────────────────────────────────────────────
  const agent = new Agent({ keepAliveTimeout: 60_000 })
  const origin = url
  const json = { 'content-type': 'application/json' }
  async function raw(): Promise<void> {
    for (const q of flow) {
      const r = await agent.request({
        origin,
        path: pathWithQuery(q),
        method: q.method,
        ...(q.json ? { headers: json, body: JSON.stringify(q.json) } : {}),
      })
      await r.body.text()
      if (r.statusCode !== q.status) throw new Error(`${q.name}: status ${r.statusCode}`)
    }
  }
  const measured = scenario(`${flow.length} requests`, async ({ http, step }) => {
    await step('flow', async () => {
      for (const q of flow) {
        const options = { ...(q.query ? { query: q.query } : {}), ...(q.json ? { json: q.json } : {}) }
        const res =
          q.method === 'GET'
            ? await http.get(q.path, options)
            : q.method === 'POST'
              ? await http.post(q.path, options)
              : q.method === 'PUT'
                ? await http.put(q.path, options)
                : await http.delete(q.path, options)
        expect(res).toHaveStatus(q.status)
      }
    })
  })
  const dispatcher = createDispatcher({ keepAlive: '60s' })
  let events = 0
  const steady = async (i: number) => {
    const r = await runIteration(measured, {
      baseUrl: url,
      seed: 1,
      iteration: i,
      dispatcher,
      onRequest: () => void events++,
    })
    if (!r.passed) throw new Error(r.failure?.message)
  }
  // Warm-up: the JIT compiles both loops before anything is counted.
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
  const range = (xs: number[]) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`
  console.log(
    `flow: ${flow.length} requests (${flow.map((q) => `${q.method} ${q.path}`).join(', ')}), server in its own process`,
  )
  console.log(`iterations: ${rounds} rounds × ${per} (medians), after 300 warm-up iterations of each`)
  console.log(`raw undici loop     ${rawMed.toFixed(0).padStart(6)} µs CPU / iteration`)
  console.log(
    `steady runIteration ${steadyMed.toFixed(0).padStart(6)} µs CPU / iteration   (client, step, ${flow.length} checks, request events)`,
  )
  console.log(
    `steady / raw        ${median(ratios).toFixed(2)}×   median of per-round ratios (range ${range(ratios)}; target ≤ 1.25×)`,
  )
  await agent.close()

  // ── 2. peers, in rounds interleaved with steady ───────────────────────
  if (process.env.STEADY_BENCH_SKIP_PEERS !== '1') {
    const peers = process.env.STEADY_BENCH_PEERS ?? join(tmpdir(), 'steady-bench-peers')
    if (!existsSync(join(peers, 'node_modules/newman')) || !existsSync(join(peers, 'node_modules/@stepci/runner'))) {
      mkdirSync(peers, { recursive: true })
      writeFileSync(join(peers, 'package.json'), '{ "name": "steady-bench-peers", "private": true }\n')
      console.log(`installing @stepci/runner@2.0.7 and newman@6.2.2 into ${peers} (benchmark only)`)
      const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '@stepci/runner@2.0.7', 'newman@6.2.2'], {
        cwd: peers,
        stdio: 'inherit',
      })
      if (r.status !== 0) throw new Error('npm install of the peers failed')
    }
    const n = Math.max(100, Math.floor(N / 10))
    const peerRounds = 5
    const tools = ['steady', 'stepci', 'newman']
    // Each measurement in a fresh process (one tool's heap and garbage must not slow another's), the tools in
    // rotating order round after round; the ratios are per round.
    const child = (tool: string) => {
      const r = spawnSync(
        process.execPath,
        [...process.execArgv, join(import.meta.dirname, 'run-overhead-peer.ts'), tool, String(n), url, peers],
        {
          cwd: root,
          encoding: 'utf8',
          env: process.env,
        },
      )
      if (r.status !== 0) throw new Error(`${tool} measurement exited ${r.status}: ${r.stderr}`)
      return (JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { us: number }).us
    }
    const us: Record<string, number[]> = { steady: [], stepci: [], newman: [] }
    for (let k = 0; k < peerRounds; k++) {
      for (let j = 0; j < tools.length; j++) {
        const tool = tools[(j + k) % tools.length]
        us[tool].push(child(tool))
      }
    }
    const ratio = (tool: string) => us[tool].map((v, k) => v / us.steady[k])
    console.log(
      `peers: ${peerRounds} rounds × ${n} iterations, each tool in its own process after a warm-up of at least 100 iterations and 2 s of CPU, order rotated per round`,
    )
    console.log(`steady runIteration ${median(us.steady).toFixed(0).padStart(6)} µs CPU / iteration`)
    console.log(
      `Step CI run()       ${median(us.stepci).toFixed(0).padStart(6)} µs CPU / iteration   (@stepci/runner 2.0.7, one run() per iteration)  ${median(ratio('stepci')).toFixed(1)}× steady (range ${range(ratio('stepci'))})`,
    )
    console.log(
      `Newman              ${median(us.newman).toFixed(0).padStart(6)} µs CPU / iteration   (newman 6.2.2, one run of ${n} iterations)  ${median(ratio('newman')).toFixed(1)}× steady (range ${range(ratio('newman'))})`,
    )
  }
  await dispatcher.close()

  // ── 3. steady run wall time ────────────────────────────────────────────
  const out = mkdtempSync(join(tmpdir(), 'steady-bench-run-'))
  const wall = (args: string[]) => {
    const t = performance.now()
    const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`)
    return performance.now() - t
  }
  const src = ['--conditions=steady-source', '--import', 'tsx', join(root, 'packages/cli/src/bin.ts')]
  const runArgs = [
    'run',
    join(import.meta.dirname, 'fixtures/five.scenario.ts'),
    '--target',
    url,
    '--reporter',
    'json',
    '--out',
    out,
  ]
  wall([...src, '--version'])
  const times = {
    'node -e 0': median([0, 1, 2, 3, 4].map(() => wall(['-e', '0']))),
    'node --import tsx -e 0': median([0, 1, 2, 3, 4].map(() => wall(['--import', 'tsx', '-e', '0']))),
    'steady --version (sources)': median([0, 1, 2, 3, 4].map(() => wall([...src, '--version']))),
    'steady run one file (sources)': median([0, 1, 2, 3, 4].map(() => wall([...src, ...runArgs]))),
  }
  for (const [k, v] of Object.entries(times))
    console.log(`${k.padEnd(32)} ${v.toFixed(0).padStart(5)} ms wall (median of 5)`)
  console.log(`events seen: ${events}`)
} finally {
  child.kill('SIGTERM')
  for (const dir of built) rmSync(dir, { recursive: true, force: true })
}
