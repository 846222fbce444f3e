/**
 * Accuracy of `steady verdict` on real soaks of the demo store on this
 * machine, where the synthetic benchmark's noise model does not reach: the
 * scheduler, the load generator sharing the cores, a neighbour burning CPU.
 *
 * Two conditions run interleaved (a run of one, then a run of the other):
 * `quiet`, and `noisy`, where a child process burning one core is switched on
 * and off at random (every 1–6 s) while the soak runs. Per condition: clean
 * baseline runs, clean runs, and runs of each fault (the demo store's
 * switches, with a service time so that multiplicative faults have a time to
 * multiply). Each run is judged as `steady verdict --gate staging` judges it
 * (the repo config's staging gate) against its condition's baseline, and the
 * table counts failed / inconclusive / passed and whether a failing primary
 * finding of the right kind was named.
 *
 *   node --conditions=steady-source --import tsx scripts/bench/verdict-live-accuracy.ts \
 *     [--keep <dir>] [--runs 5,10,6] [--soak-seconds 60] [--conditions quiet,noisy] \
 *     [--cases clean,leak-offheap,...] [--service-time 2ms] [--seed 1] [--json out.json]
 *   node --conditions=steady-source --import tsx scripts/bench/verdict-live-accuracy.ts \
 *     --rejudge <dir> [--json out.json]
 *
 * `--runs B,C,F`: B baseline runs, C clean runs and F runs per fault, per
 * condition. Records are kept in `--keep <dir>` (a temporary folder,
 * removed at the end, otherwise) with a `manifest.json`; `--rejudge <dir>`
 * judges them again without soaking, with the judge as it is now. Traffic
 * goes only to 127.0.0.1; every child (soak, store, CPU hog) is stopped on
 * exit and on Ctrl-C (exit 130, 143 on SIGTERM, the manifest written first).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import {
  addRun,
  emptyBaseline,
  judge,
  selectGate,
  summariseRun,
  type BaselineFile,
  type GateConfig,
} from '@steady/baseline'
import { readRunRecord, writeJsonAtomic, type FindingKind, type Verdict } from '@steady/record'
import { wilsonInterval } from '../../packages/baseline/src/stats/distributions.ts'
import { Random } from '../../packages/baseline/src/stats/random.ts'

const repo = resolve(import.meta.dirname, '../..')
const bin = join(repo, 'packages/cli/bin/steady.js')

/** A case: what the store is told to get wrong, and which failing primary findings name it. */
interface Case {
  name: string
  label: string
  env: Record<string, string>
  /**
   * Finding kinds that name this fault (none for clean runs): the memory check
   * is kind `leak`, the all-steps shift and per-step levels `level`, the tail
   * share above the baseline's p99 `tail`.
   */
  kinds: FindingKind[]
  /** Steps the finding must be on, when the fault is on one route (any step otherwise). */
  steps?: string[]
}

export const CASES: Case[] = [
  { name: 'clean', label: 'no fault', env: {}, kinds: [] },
  // About 60 API requests/s over a 60-s soak: some 200 MiB retained, resident memory up, heap used flat.
  {
    name: 'leak-offheap',
    label: 'off-heap leak: 64 KiB Buffer per API request',
    env: { STORE_FAULT_OFFHEAP_LEAK_BYTES: '65536' },
    kinds: ['leak'],
  },
  {
    name: 'all-x1.5',
    label: 'every API route ×1.5',
    env: { STORE_FAULT_LATENCY: '*=+50%' },
    kinds: ['level', 'tail', 'load-latency'],
  },
  {
    name: 'route+30%',
    label: 'one route +30% (/api/products/:id)',
    env: { STORE_FAULT_LATENCY: '/api/products/:id=+30%' },
    kinds: ['level', 'tail', 'load-latency'],
    steps: ['product detail', 'unknown product'],
  },
  {
    name: 'tail-3%x8',
    label: '3% of API requests ×8',
    env: { STORE_FAULT_TAIL: '3%x8' },
    kinds: ['tail', 'level'],
  },
  {
    name: 'errors+1pp',
    label: 'every API route fails 1% of requests',
    env: { STORE_FAULT_ERRORS: '*=0.01' },
    kinds: ['failure-rate', 'new-error', 'load-failures', 'objective'],
  },
  {
    name: 'inflight',
    label: '+1.5 ms per API request in flight above 2',
    env: { STORE_FAULT_INFLIGHT: '1.5ms/inflight:2' },
    kinds: ['load-latency', 'level', 'tail', 'load-slope'],
  },
]

const CONDITIONS = ['quiet', 'noisy'] as const
type Condition = (typeof CONDITIONS)[number]

/** One soak, as the manifest keeps it. */
interface RunEntry {
  condition: Condition
  case: string
  role: 'baseline' | 'judged'
  index: number
  /** The run folder, relative to the manifest's folder. */
  dir: string
  exit: number | null
  seconds: number
  /** Share of the soak the CPU hog was on (noisy condition). */
  hogOnShare?: number
  loadAverage: number
}

interface Manifest {
  schema: 'steady.live-accuracy/1'
  createdAt: string
  commit: string
  args: string
  soakSeconds: number
  serviceTime: string
  runs: RunEntry[]
}

interface Judged {
  entry: RunEntry
  result: string
  /** The verdict's stable question failed (not stable), whatever the working question said. */
  notStable: boolean
  named: boolean
  /** The failing primary findings' kinds (to see what else fired). */
  fails: FindingKind[]
  /** The verdict says the load generator was saturated in a phase (its latency findings are then inconclusive). */
  saturated: boolean
}

function commit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'packages'], { cwd: repo, encoding: 'utf8' })
      .trim()
    return dirty ? `${head} (with uncommitted changes under packages/)` : head
  } catch {
    return 'unknown'
  }
}

/** The config the soaks use: the repo's, with a `live-accuracy` plan of `seconds` and the store's service time. */
function writeConfig(dir: string, seconds: number, serviceTime: string): string {
  const path = join(dir, 'steady.config.ts')
  const tsx = import.meta.resolve('tsx')
  const s = (share: number) => `'${Math.max(500, Math.round(seconds * share * 1000))}ms'`
  const main = join(repo, 'packages/demo-store/src/main.ts')
  const storeArgs = ['--conditions=steady-source', '--import', tsx, main, '--port', '0', '--service-time', serviceTime]
  writeFileSync(
    path,
    `import base from ${JSON.stringify(join(repo, 'steady.config.ts'))}
const store = base.environments.local.services.store
export default {
  ...base,
  scenarios: [${JSON.stringify(join(repo, 'scenarios/**/*.scenario.ts'))}],
  environments: {
    local: { ...base.environments.local, services: { store: { ...store, args: ${JSON.stringify(storeArgs)} } } },
  },
  plans: {
    'live-accuracy': {
      ...base.plans.demo,
      // Half-second windows and scrapes, as the live verdict test: trends get points to fit in a short soak.
      window: '500ms',
      scrape: { ...base.plans.demo.scrape, interval: '500ms' },
      phases: [
        { name: 'warmup', duration: ${s(0.1)} },
        { name: 'quiet', duration: ${s(0.25)} },
        { name: 'nominal', duration: ${s(0.35)}, load: 'nominal' },
        { name: 'peak', duration: ${s(0.25)}, load: 'peak' },
        { name: 'recovery', duration: ${s(0.05)} },
      ],
    },
  },
}
`,
  )
  return path
}

/** The soaks running now (each in its own process group, so a terminal's Ctrl-C reaches them only through us). */
const children = new Set<ChildProcess>()
/** Set by SIGINT / SIGTERM: no further soak starts; the process exits with this code once the current one stopped. */
let aborted: { signal: NodeJS.Signals; code: number } | undefined

/**
 * The hog: a busy loop that ends by itself when its parent is gone (it
 * polls its parent's pid) or after `limitMs`, so a benchmark killed with
 * SIGKILL does not leave it burning a core.
 */
const HOG_SCRIPT = (limitMs: number) =>
  `const p = process.ppid, end = Date.now() + ${limitMs}; ` +
  'for (let i = 0; ; i++) if (i % 1e6 === 0 && (process.ppid !== p || Date.now() > end)) process.exit(0)'

/**
 * A child burning one core, paused (SIGSTOP) and resumed (SIGCONT) at random
 * every 1–6 s while `on()` — a neighbour whose load comes and goes.
 */
class CpuHog {
  readonly #child: ChildProcess
  readonly #rnd: Random
  #timer: NodeJS.Timeout | undefined
  #running = false
  #onMs = 0
  #since = 0
  #total = 0

  constructor(rnd: Random, limitMs: number) {
    this.#rnd = rnd
    this.#child = spawn(process.execPath, ['-e', HOG_SCRIPT(limitMs)], { stdio: 'ignore' })
    // A signal to a hog that has ended already is no error of ours.
    this.#child.on('error', () => {})
    this.#child.kill('SIGSTOP')
  }

  /** Starts switching at random; returns nothing until `off()`. */
  on(): void {
    this.#onMs = 0
    this.#total = 0
    const flip = () => {
      const now = performance.now()
      if (this.#running) this.#onMs += now - this.#since
      this.#total += this.#since ? now - this.#since : 0
      this.#since = now
      this.#running = this.#rnd.next() < 0.5
      this.#child.kill(this.#running ? 'SIGCONT' : 'SIGSTOP')
      this.#timer = setTimeout(flip, 1000 + this.#rnd.next() * 5000)
    }
    this.#since = 0
    flip()
  }

  /** Pauses the hog; returns the share of the time it was burning since `on()`. */
  off(): number {
    clearTimeout(this.#timer)
    const now = performance.now()
    if (this.#running) this.#onMs += now - this.#since
    this.#total += now - this.#since
    this.#running = false
    this.#child.kill('SIGSTOP')
    return this.#total > 0 ? this.#onMs / this.#total : 0
  }

  /** Ends the hog (SIGKILL reaches a stopped process too). */
  stop(): void {
    clearTimeout(this.#timer)
    this.#child.kill('SIGKILL')
  }
}

/** Runs one soak as the real binary; resolves with its exit code (bounded: killed after `timeoutMs`). */
function soak(config: string, out: string, seed: string, env: Record<string, string>, timeoutMs: number) {
  return new Promise<number | null>((done) => {
    const args = [bin, 'soak', 'live-accuracy', '--config', config, '--env', 'local', '--out', out, '--seed', seed]
    const child = spawn(process.execPath, args, {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: { ...process.env, NO_COLOR: '1', ...env },
    })
    children.add(child)
    let log = ''
    child.stdout!.on('data', (d: Buffer) => (log += d.toString()))
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()))
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs)
    child.on('close', (code) => {
      clearTimeout(timer)
      children.delete(child)
      mkdirSync(out, { recursive: true })
      writeFileSync(join(out, 'soak.log'), log)
      done(code)
    })
  })
}

type Planned = Omit<RunEntry, 'dir' | 'exit' | 'seconds' | 'loadAverage'>
interface RunCounts {
  baseline: number
  clean: number
  fault: number
}

/** The order of the soaks: baseline runs first, then the rest shuffled; the conditions alternate throughout. */
function schedule(conditions: Condition[], cases: Case[], runs: RunCounts, rnd: Random): Planned[] {
  const out: Planned[] = []
  for (let i = 0; i < runs.baseline; i++) {
    for (const condition of conditions) out.push({ condition, case: 'clean', role: 'baseline', index: i })
  }
  const judged: Array<{ case: string; index: number }> = []
  for (const c of cases) {
    for (let i = 0; i < (c.name === 'clean' ? runs.clean : runs.fault); i++) judged.push({ case: c.name, index: i })
  }
  // Fisher–Yates with the seeded generator: the same seed, the same order.
  for (let i = judged.length - 1; i > 0; i--) {
    const j = rnd.int(i + 1)
    ;[judged[i], judged[j]] = [judged[j], judged[i]]
  }
  for (const j of judged) for (const condition of conditions) out.push({ condition, ...j, role: 'judged' })
  return out
}

/** Judges every judged run of the manifest against its condition's baseline (built from its baseline runs). */
async function judgeAll(dir: string, manifest: Manifest): Promise<Judged[]> {
  const config = (await import(join(repo, 'steady.config.ts'))) as { default: { gates?: Record<string, GateConfig> } }
  const gate = selectGate(config.default.gates, 'staging')
  const baselines = new Map<Condition, BaselineFile>()
  const usable = manifest.runs.filter((r) => existsSync(join(dir, r.dir, 'run.json')))
  for (const r of usable.filter((x) => x.role === 'baseline')) {
    const record = await readRunRecord(join(dir, r.dir, 'run.json'))
    let file = baselines.get(r.condition)
    if (!file) baselines.set(r.condition, (file = emptyBaseline(record.subject.service)))
    try {
      const path = `${r.condition} baseline`
      addRun(file, summariseRun(record), { by: 'live accuracy benchmark', now: new Date(), path })
    } catch (err) {
      process.stderr.write(`  [note] baseline run ${r.dir} left out: ${(err as Error).message}\n`)
    }
  }
  const out: Judged[] = []
  for (const entry of usable.filter((x) => x.role === 'judged')) {
    const record = await readRunRecord(join(dir, entry.dir, 'run.json'))
    const v: Verdict = judge({ record, baseline: baselines.get(entry.condition), gate })
    await writeJsonAtomic(join(dir, entry.dir, 'verdict.json'), v)
    const spec = CASES.find((c) => c.name === entry.case)!
    const fails = v.findings.filter((f) => f.primary && f.status === 'fail')
    const onStep = (step: string | undefined) => !spec.steps || (step !== undefined && spec.steps.includes(step))
    const named = fails.some((f) => spec.kinds.includes(f.kind) && onStep(f.step))
    const saturated = v.findings.some((f) => f.kind === 'generator-saturated' && !['pass', 'info'].includes(f.status))
    const kinds = [...new Set(fails.map((f) => f.kind))]
    out.push({ entry, result: v.result, notStable: v.stable.status === 'fail', named, fails: kinds, saturated })
  }
  return out
}

function pct(k: number, n: number): string {
  if (!n) return '—'
  const [lo, hi] = wilsonInterval(k, n)
  return `${((100 * k) / n).toFixed(0)}% [${(100 * lo).toFixed(0)}, ${(100 * hi).toFixed(0)}]`
}

const COLUMNS: Array<[string, number]> = [
  ['runs', 5],
  ['failed', 8],
  ['unstable', 10],
  ['inconcl.', 10],
  ['passed', 8],
  ['named', 7],
  ['sat.', 6],
]

/** One row of counts, right-aligned under `COLUMNS`. */
function row(condition: string, name: string, counts: number[]): string {
  return `${condition.padEnd(10)}${name.padEnd(14)}${counts.map((n, i) => String(n).padStart(COLUMNS[i][1])).join('')}`
}

/** What the soaks took, and what else happened to them. */
function soakLines(manifest: Manifest): string[] {
  const lines: string[] = []
  const soaks = manifest.runs.filter((r) => r.seconds > 0)
  const secs = soaks.map((r) => r.seconds).sort((a, b) => a - b)
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
  if (secs.length) {
    const median = secs[Math.floor(secs.length / 2)]
    lines.push('', `${soaks.length} soaks, wall time per soak: median ${median.toFixed(0)} s, ` +
      `largest ${secs[secs.length - 1].toFixed(0)} s, total ${(sum(secs) / 60).toFixed(1)} min`)
  }
  const hog = soaks.filter((r) => r.hogOnShare !== undefined).map((r) => r.hogOnShare!)
  if (hog.length) {
    const share = ((100 * sum(hog)) / hog.length).toFixed(0)
    lines.push(`noisy condition: the CPU hog burned ${share}% of the soak time on average`)
  }
  const bad = soaks.filter((r) => r.exit !== 0)
  if (bad.length) {
    const which = bad.map((r) => `${r.dir} (${r.exit})`).join(', ')
    lines.push(`soaks that did not exit 0 (left out when they wrote no run.json): ${which}`)
  }
  return lines
}

/** The table (condition × case) and its JSON. For clean runs the interval is of failures; for faults, of detection. */
function table(judged: Judged[], manifest: Manifest): { text: string; json: Record<string, unknown> } {
  const load = loadavg().map((l) => l.toFixed(1)).join(' ')
  const lines = [
    `steady verdict on real soaks of the demo store — ${manifest.soakSeconds}-s soaks, ` +
      `service time ${manifest.serviceTime}, staging gate`,
    `records made at ${manifest.commit} (${manifest.createdAt}); judged at ${commit()}; ` +
      `${cpus().length} cores, load average ${load}`,
    '',
    `${'condition'.padEnd(10)}${'case'.padEnd(14)}${COLUMNS.map(([h, w]) => h.padStart(w)).join('')}` +
      '   rate (Wilson 95%)                other failing kinds',
  ]
  const cells: Record<string, unknown>[] = []
  for (const condition of CONDITIONS) {
    for (const c of CASES) {
      const rs = judged.filter((j) => j.entry.condition === condition && j.entry.case === c.name)
      if (!rs.length) continue
      const count = (pred: (r: Judged) => boolean) => rs.filter(pred).length
      const failed = count((r) => r.result === 'fail')
      const notStable = count((r) => r.notStable)
      const inconclusive = count((r) => r.result === 'inconclusive')
      const passed = count((r) => r.result === 'pass')
      const named = count((r) => r.result === 'fail' && r.named)
      const saturated = count((r) => r.saturated)
      const k = c.name === 'clean' ? failed : named
      const what = c.name === 'clean' ? 'false positives' : 'detected, named'
      const other = [...new Set(rs.flatMap((r) => r.fails).filter((f) => !c.kinds.includes(f)))].join(', ')
      const counts = [rs.length, failed, notStable, inconclusive, passed, named, saturated]
      lines.push(`${row(condition, c.name, counts)}   ${`${pct(k, rs.length)} ${what}`.padEnd(31)} ${other}`)
      const rate = { k, n: rs.length, ci: wilsonInterval(k, rs.length), of: what }
      const counted = { runs: rs.length, failed, notStable, inconclusive, passed, named, saturated }
      cells.push({ condition, case: c.name, label: c.label, ...counted, rate })
    }
  }
  lines.push('', 'unstable: judged not stable; ' +
    "named: failed with a failing primary finding of the fault's kind; sat.: runs whose load generator was saturated")
  lines.push(...soakLines(manifest))
  const { soakSeconds, serviceTime } = manifest
  const json = { commit: manifest.commit, judgedAt: commit(), soakSeconds, serviceTime, cells }
  return { text: lines.join('\n'), json }
}

function parseList<T extends string>(flag: string, text: string, allowed: readonly T[]): T[] {
  const names = text.split(',').map((s) => s.trim()).filter(Boolean)
  const unknown = names.filter((n) => !(allowed as readonly string[]).includes(n))
  if (unknown.length || !names.length) {
    usage(`--${flag} ${JSON.stringify(text)}: use a comma-separated list of ${allowed.join(', ')}`)
  }
  return names as T[]
}

function usage(message: string): never {
  process.stderr.write(`error: ${message}\n  → see the usage at the top of scripts/bench/verdict-live-accuracy.ts\n`)
  process.exit(2)
}

interface SoakOptions {
  soakSeconds: number
  serviceTime: string
  conditions: Condition[]
  cases: Case[]
  runs: RunCounts
  seed: string
}

/** Runs the schedule's soaks one after the other, writing the manifest after each. */
async function runSoaks(dir: string, o: SoakOptions): Promise<Manifest> {
  const manifest: Manifest = {
    schema: 'steady.live-accuracy/1',
    createdAt: new Date().toISOString(),
    commit: commit(),
    args: process.argv.slice(2).join(' '),
    soakSeconds: o.soakSeconds,
    serviceTime: o.serviceTime,
    runs: [],
  }
  const config = writeConfig(dir, o.soakSeconds, o.serviceTime)
  const rnd = new Random(`live-accuracy:${o.seed}`)
  const plan = schedule(o.conditions, o.cases, o.runs, rnd)
  const limitMs = plan.length * (o.soakSeconds * 3 + 120) * 1000
  const noisy = o.conditions.includes('noisy')
  const hog = noisy ? new CpuHog(new Random(`live-accuracy-hog:${o.seed}`), limitMs) : undefined
  const stopAll = (signal: NodeJS.Signals, code: number) => {
    process.stderr.write(`\n${signal}: stopping the soak (it writes its partial record) and the CPU hog\n`)
    aborted = { signal, code }
    hog?.stop()
    // One SIGTERM: steady stops its phases, writes the record and tears its environment down.
    for (const c of children) c.kill('SIGTERM')
  }
  process.once('SIGINT', () => stopAll('SIGINT', 130))
  process.once('SIGTERM', () => stopAll('SIGTERM', 143))
  try {
    for (const [n, item] of plan.entries()) {
      if (aborted) break
      const spec = CASES.find((c) => c.name === item.case)!
      const rel = join(item.condition, `${item.role === 'baseline' ? 'baseline' : item.case}-${item.index + 1}`)
      const t0 = performance.now()
      if (item.condition === 'noisy') hog!.on()
      const exit = await soak(config, join(dir, rel), `${o.seed}-${rel}`, spec.env, (o.soakSeconds * 3 + 120) * 1000)
      const hogOnShare = item.condition === 'noisy' ? hog!.off() : undefined
      const seconds = (performance.now() - t0) / 1000
      const hogged = hogOnShare !== undefined ? { hogOnShare } : {}
      manifest.runs.push({ ...item, dir: rel, exit, seconds, ...hogged, loadAverage: loadavg()[0] })
      await writeJsonAtomic(join(dir, 'manifest.json'), manifest)
      const hogNote = hogOnShare !== undefined ? `, hog on ${(100 * hogOnShare).toFixed(0)}%` : ''
      process.stderr.write(`  ${n + 1}/${plan.length} ${rel}: exit ${exit}, ${seconds.toFixed(0)} s${hogNote}\n`)
    }
  } finally {
    hog?.stop()
  }
  if (aborted) {
    await writeJsonAtomic(join(dir, 'manifest.json'), manifest)
    process.stderr.write(`stopped by ${aborted.signal}; ${manifest.runs.length} soaks kept in ${dir} (--rejudge it)\n`)
    process.exit(aborted.code)
  }
  return manifest
}

async function mainProgram(): Promise<void> {
  let values
  try {
    ;({ values } = parseArgs({
      options: {
        keep: { type: 'string' },
        rejudge: { type: 'string' },
        runs: { type: 'string', default: '5,10,6' },
        'soak-seconds': { type: 'string', default: '60' },
        conditions: { type: 'string', default: CONDITIONS.join(',') },
        cases: { type: 'string', default: CASES.map((c) => c.name).join(',') },
        'service-time': { type: 'string', default: '2ms' },
        seed: { type: 'string', default: '1' },
        json: { type: 'string' },
      },
    }))
  } catch (err) {
    usage((err as Error).message)
  }
  let dir: string
  let manifest: Manifest
  let temporary = false
  if (values.rejudge) {
    dir = resolve(values.rejudge)
    if (!existsSync(join(dir, 'manifest.json'))) {
      usage(`--rejudge ${values.rejudge}: no manifest.json there; give a folder written with --keep`)
    }
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest
  } else {
    const runs = values.runs.split(',').map(Number)
    if (runs.length !== 3 || !runs.every((n) => Number.isInteger(n) && n >= 0) || runs[0] < 1) {
      usage(`--runs ${values.runs}: write B,C,F (baseline runs ≥ 1, clean runs, runs per fault), e.g. 5,10,6`)
    }
    const soakSeconds = Number(values['soak-seconds'])
    if (!(soakSeconds >= 10 && soakSeconds <= 900)) {
      usage(`--soak-seconds ${values['soak-seconds']}: write a number of seconds from 10 to 900`)
    }
    const serviceTime = values['service-time']
    if (!/^\d+(\.\d+)?(ms|s)$/.test(serviceTime)) usage(`--service-time ${serviceTime}: write e.g. 2ms`)
    const caseNames = parseList('cases', values.cases, CASES.map((c) => c.name))
    dir = values.keep ? resolve(values.keep) : mkdtempSync(join(tmpdir(), 'steady-live-accuracy-'))
    temporary = !values.keep
    if (existsSync(join(dir, 'manifest.json'))) {
      usage(`--keep ${values.keep}: it holds a manifest.json already; use --rejudge to judge it, or another folder`)
    }
    mkdirSync(dir, { recursive: true })
    manifest = await runSoaks(dir, {
      soakSeconds,
      serviceTime,
      conditions: parseList('conditions', values.conditions, CONDITIONS),
      cases: CASES.filter((c) => caseNames.includes(c.name)),
      runs: { baseline: runs[0], clean: runs[1], fault: runs[2] },
      seed: values.seed,
    })
  }
  const out = table(await judgeAll(dir, manifest), manifest)
  console.log(out.text)
  if (!temporary) console.log(`\nrecords kept in ${dir} (judge them again with --rejudge ${dir})`)
  if (values.json) await writeJsonAtomic(resolve(values.json), out.json)
  if (temporary) rmSync(dir, { recursive: true, force: true })
}

// A soak still running when this process ends (an error) is asked to stop cleanly; it is bounded by its plan anyway.
process.on('exit', () => {
  for (const c of children) c.kill('SIGTERM')
})
await mainProgram()
