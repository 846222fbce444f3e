/**
 * The embedded load engine's cost and accuracy at a fixed rate (a benchmark,
 * not a test):
 *
 * 1. Client CPU per request at a fixed 2,000 requests/s for 30 s, one-request
 *    scenario with one check, against a raw undici loop at the same fixed rate
 *    (target: ≤ 1.25×), autocannon `-R` (open-ish, rate-limited) and wrk
 *    (closed loop: it sends as fast as responses come back, so its rate is not
 *    2,000/s; its CPU per request is printed for scale). Target: within 1.5×
 *    of autocannon.
 * 2. Achieved rate against the target (within 1%), dropped iterations and
 *    start lateness.
 *
 * The server runs in its own process. Each client runs in its own process;
 * node clients report CPU over the load only (process.cpuUsage, startup
 * excluded); autocannon and wrk are measured whole by /usr/bin/time.
 *
 *   node --import tsx scripts/bench/load-throughput.ts [--rate 2000] [--duration 30] [--rounds 3] [--workers 1]
 *   STEADY_BENCH_PEERS=/tmp/steady-bench-autocannon   where autocannon gets installed (npm, temp folder)
 *   STEADY_BENCH_SKIP_PEERS=1                          skip autocannon and wrk
 *
 * Without `--conditions=steady-source` the steady packages run from their
 * built dist/ (built here first), as a team installs them.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join, resolve } from 'node:path'
import { buildDist } from './build-dist.ts'

const root = resolve(import.meta.dirname, '../..')
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : fallback
}
const rate = arg('rate', 2000)
const duration = arg('duration', 30)
const rounds = arg('rounds', 3)
const workers = arg('workers', 1)
const fromSources = process.execArgv.some((a) => a.includes('steady-source'))
/** The dist/ folders this run built, removed at its end. */
const built: string[] = []
/** The clients load dist/: built when missing, before each client (another benchmark may clean it up meanwhile). */
function ensureBuilt(): void {
  if (!fromSources) built.push(...buildDist(['load'], { rebuild: false }))
}
ensureBuilt()

interface Result {
  client: string
  requests: number
  ok: number
  planned?: number
  started?: number
  dropped?: number
  activeSeconds: number
  cpuMs: number
  wallMs: number
  p50Ms?: number
  p99Ms?: number
  latenessP99Ms?: number
  saturatedWindows?: number
  windows?: number
  note?: string
}

function startServer(): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [join(import.meta.dirname, 'fixtures/load-server.mjs')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    child.stdout!.once('data', (d: Buffer) => res({ url: d.toString().trim(), child }))
    child.once('error', rej)
  })
}

function run(cmd: string, args: string[]): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((res) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d))
    child.stderr.on('data', (d: Buffer) => (stderr += d))
    child.on('close', (code) => res({ stdout, stderr, code }))
  })
}

const tsxArgs = [...(fromSources ? ['--conditions=steady-source'] : []), '--import', 'tsx']

async function nodeClient(file: string, url: string, extra: string[] = []): Promise<Result> {
  ensureBuilt()
  const r = await run(process.execPath, [
    ...tsxArgs,
    join(import.meta.dirname, 'fixtures', file),
    url,
    String(rate),
    String(duration),
    ...extra,
  ])
  const line = r.stdout.trim().split('\n').pop() ?? ''
  try {
    return JSON.parse(line) as Result
  } catch {
    throw new Error(`${file} failed (${r.code}): ${r.stderr.slice(-2000)}`)
  }
}

/** /usr/bin/time's user+system CPU of a whole process (threads included). */
function timed(stderr: string): number {
  const m = /STEADY_TIME ([\d.]+) ([\d.]+)/.exec(stderr)
  return m ? (Number(m[1]) + Number(m[2])) * 1000 : Number.NaN
}

function installAutocannon(): string | undefined {
  const dir = process.env.STEADY_BENCH_PEERS ?? join(os.tmpdir(), 'steady-bench-autocannon')
  const bin = join(dir, 'node_modules/autocannon/autocannon.js')
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true })
    const r = spawnSync('npm', ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', 'autocannon@8'], {
      stdio: 'inherit',
    })
    if (r.status !== 0) return undefined
  }
  return bin
}

async function autocannon(bin: string, url: string): Promise<Result> {
  // -R: overall rate; -c: connections the rate is spread over (enough for 2,000/s at ~1 ms).
  const r = await run('/usr/bin/time', [
    '-f',
    'STEADY_TIME %U %S',
    process.execPath,
    bin,
    '-R',
    String(rate),
    '-c',
    '50',
    '-d',
    String(duration),
    '--json',
    `${url}/ping`,
  ])
  const json = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    requests: { total: number }
    '2xx': number
    latency: { p50: number; p99: number }
  }
  return {
    client: 'autocannon -R',
    requests: json.requests.total,
    ok: json['2xx'],
    activeSeconds: duration,
    cpuMs: timed(r.stderr),
    wallMs: duration * 1000,
    p50Ms: json.latency.p50,
    p99Ms: json.latency.p99,
    note: 'whole process (startup included)',
  }
}

async function wrk(url: string): Promise<Result | undefined> {
  if (spawnSync('which', ['wrk']).status !== 0) return undefined
  const r = await run('/usr/bin/time', [
    '-f',
    'STEADY_TIME %U %S',
    'wrk',
    '-t1',
    '-c10',
    `-d${duration}s`,
    '--latency',
    `${url}/ping`,
  ])
  const total = Number(/(\d+) requests in/.exec(r.stdout)?.[1] ?? NaN)
  const p50 = /50%\s+([\d.]+)(us|ms|s)/.exec(r.stdout)
  const p99 = /99%\s+([\d.]+)(us|ms|s)/.exec(r.stdout)
  const ms = (m: RegExpExecArray | null) =>
    m ? Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1) : undefined
  return {
    client: 'wrk (closed loop)',
    requests: total,
    ok: total,
    activeSeconds: duration,
    cpuMs: timed(r.stderr),
    wallMs: duration * 1000,
    p50Ms: ms(p50),
    p99Ms: ms(p99),
    note: 'closed loop, 1 thread, 10 connections: as fast as it can',
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

console.log(
  `load benchmark: ${rate} req/s for ${duration}s, ${rounds} rounds; steady from ${fromSources ? 'sources (tsx)' : 'dist/'}; ${os.cpus().length} cores, ${os.cpus()[0]?.model}; node ${process.versions.node}`,
)
console.log(
  `load average at start: ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
)
const server = await startServer()
const peers = process.env.STEADY_BENCH_SKIP_PEERS === '1' ? undefined : installAutocannon()
const all: Result[][] = []
try {
  for (let round = 0; round < rounds; round++) {
    const results: Result[] = []
    results.push(await nodeClient('load-client-undici.ts', server.url))
    results.push(await nodeClient('load-client-embedded.ts', server.url, [String(workers)]))
    if (peers) results.push(await autocannon(peers, server.url))
    if (process.env.STEADY_BENCH_SKIP_PEERS !== '1') {
      const w = await wrk(server.url)
      if (w) results.push(w)
    }
    all.push(results)
    console.log(
      `round ${round + 1}: ${results.map((r) => `${r.client} ${((r.cpuMs / r.requests) * 1000).toFixed(1)}µs/req`).join(', ')}`,
    )
  }
} finally {
  server.child.kill('SIGTERM')
}

const clients = all[0].map((r) => r.client)
const perReq = (c: string) =>
  median(all.map((rs) => rs.find((r) => r.client === c)!).map((r) => (r.cpuMs / r.requests) * 1000))
const raw = perReq('undici')
console.log(
  `\nload average at end: ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
)
console.log(
  '\n| client | CPU per request (median of rounds) | vs raw undici | requests | achieved rate | p50 / p99 | notes |',
)
console.log('|---|---|---|---|---|---|---|')
for (const c of clients) {
  const rs = all.map((x) => x.find((r) => r.client === c)!)
  const last = rs[rs.length - 1]
  const achieved = median(rs.map((r) => r.requests / r.activeSeconds))
  const extra =
    c === 'embedded'
      ? `dropped ${median(rs.map((r) => r.dropped ?? 0))}, start lateness p99 ${median(rs.map((r) => r.latenessP99Ms ?? 0)).toFixed(1)} ms, saturated windows ${median(rs.map((r) => r.saturatedWindows ?? 0))}/${last.windows}`
      : (last.note ?? '')
  const lat = last.p50Ms !== undefined ? `${last.p50Ms.toFixed(2)} / ${last.p99Ms?.toFixed(2)} ms` : '–'
  console.log(
    `| ${c} | ${perReq(c).toFixed(1)} µs | ${(perReq(c) / raw).toFixed(2)}× | ${last.requests} | ${achieved.toFixed(1)}/s (${((achieved / rate - 1) * 100).toFixed(2)}%) | ${lat} | ${extra} |`,
  )
}
if (clients.includes('autocannon -R'))
  console.log(`\nembedded vs autocannon: ${(perReq('embedded') / perReq('autocannon -R')).toFixed(2)}× (aim ≤ 1.5×)`)
console.log(`embedded vs raw undici: ${(perReq('embedded') / raw).toFixed(2)}× (target ≤ 1.25×)`)
// The dist/ folders this run made go away again: in the monorepo, code runs from sources.
for (const dir of built) rmSync(dir, { recursive: true, force: true })
