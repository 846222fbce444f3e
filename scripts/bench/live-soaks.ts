/**
 * What the real-soak benchmarks share: the demo store's fault cases, a
 * config with a short plan, the soak as a child process, a CPU hog that comes
 * and goes, the commit the records were made at, and the table's rate column.
 * `verdict-live-accuracy.ts` (history baselines, quiet and noisy) and
 * `paired-accuracy.ts` (paired soaks against history, noisy) use it.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import {
  addRun,
  emptyBaseline,
  selectGate,
  summariseRun,
  type BaselineFile,
  type GateConfig,
  type ResolvedGate,
} from '@steady/baseline'
import {
  LatencyHistogram,
  readRunRecord,
  writeJsonAtomic,
  type FindingKind,
  type RunRecord,
  type SeriesRecord,
  type Verdict,
} from '@steady/record'
import { Random, wilsonInterval } from '@steady/kernel'

export { Random }

const repo = resolve(import.meta.dirname, '../..')
const bin = join(repo, 'packages/cli/bin/steady.js')

/** A case: what the store is told to get wrong, and which failing primary findings name it. */
export interface Case {
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
  /**
   * A crowd case: the effect it was sized for, at which rate, the delay per request in flight it got, and
   * the share of the modelled crowd a request meets that sizing assumed.
   */
  crowd?: { percent: number; peakRate: number; msPerRequest: number; met: number }
}

// About 60 API requests/s: some 4 MiB a second retained, resident memory up, heap used flat.
export const OFFHEAP_LEAK: Case = {
  name: 'leak-offheap',
  label: 'off-heap leak: 64 KiB Buffer per API request',
  env: { STORE_FAULT_OFFHEAP_LEAK_BYTES: '65536' },
  kinds: ['leak'],
}

/** Every API route slower by `percent`. */
export function allRoutes(percent: number): Case {
  return {
    name: `all-x${1 + percent / 100}`,
    label: `every API route ×${1 + percent / 100}`,
    env: { STORE_FAULT_LATENCY: `*=+${percent}%` },
    kinds: ['level', 'tail', 'load-latency'],
  }
}

export const ONE_ROUTE: Case = {
  name: 'route+30%',
  label: 'one route +30% (/api/products/:id)',
  env: { STORE_FAULT_LATENCY: '/api/products/:id=+30%' },
  kinds: ['level', 'tail', 'load-latency'],
  steps: ['product detail', 'unknown product'],
}

export const TAIL: Case = {
  name: 'tail-3%x8',
  label: '3% of API requests ×8',
  env: { STORE_FAULT_TAIL: '3%x8' },
  kinds: ['tail', 'level'],
}

export const ERRORS: Case = {
  name: 'errors+1pp',
  label: 'every API route fails 1% of requests',
  env: { STORE_FAULT_ERRORS: '*=0.01' },
  kinds: ['failure-rate', 'new-error', 'load-failures', 'objective'],
}

/** The live accuracy benchmark's in-flight case (its recorded tables used it): about 1% at its plan's rates. */
export const INFLIGHT: Case = {
  name: 'inflight',
  label: '+1.5 ms per API request in flight above 2',
  env: { STORE_FAULT_INFLIGHT: '1.5ms/inflight:2' },
  kinds: ['load-latency', 'level', 'tail', 'load-slope'],
}

/**
 * What a crowd case measured when it ran: at `msPerRequest` the candidate's
 * mean API latency at peak was `ratio` times the control's (the median over
 * paired soaks), when one side took `peakRate` API requests a second.
 */
export interface CrowdCalibration {
  msPerRequest: number
  ratio: number
}

/**
 * Latency with the crowd, sized by a rule fixed before it is judged: each API
 * request is k ms slower for every other API request in flight when it
 * arrives, with k such that at a load of `peakRate` API requests a second the
 * crowd adds `percent` to the mean latency at peak. An arrival finds c·λ·W'
 * others in flight on average (Little's law; c = 1 when arrivals see the
 * time average), so W' = W + k·c·λ·W' and W'/W = 1/(1 − k·c·λ) whatever the
 * service time W is: k = (1 − 1/(1 + percent/100)) / (c·λ). At a lower rate
 * the same k adds less: latency that grows with the load, not a level shift.
 *
 * c < 1 for a real plan: its iterations are chains of requests (a request
 * never overlaps its own chain) and its peak ramps. Without a `calibration`
 * c = 1; with one (the case measured at one k), c is what that measurement
 * implies, c = (1 − 1/r)/(k·λ), and k follows from the same formula.
 */
export function crowd(percent: number, peakRate: number, calibration?: CrowdCalibration): Case {
  const met = calibration ? (1 - 1 / calibration.ratio) / ((calibration.msPerRequest / 1000) * peakRate) : 1
  const k = (1 - 1 / (1 + percent / 100)) / (met * peakRate)
  const ms = Math.round(k * 1000 * 100) / 100
  return {
    name: `crowd+${percent}%`,
    label: `+${ms} ms per other API request in flight`,
    // `:1`: the request itself costs nothing, only the others in flight.
    env: { STORE_FAULT_INFLIGHT: `${ms}ms/inflight:1` },
    kinds: ['load-latency', 'level', 'tail', 'load-slope'],
    crowd: { percent, peakRate, msPerRequest: ms, met },
  }
}

/** What a crowd case adds at a rate, by the model it was sized with (0.3 for +30%). */
export function crowdEffect(c: NonNullable<Case['crowd']>, rate: number): number {
  const load = (c.msPerRequest / 1000) * c.met * rate
  // At k·c·λ ≥ 1 every request waits on the others without bound: the model has no steady state.
  return load >= 1 ? Infinity : 1 / (1 - load) - 1
}

/** Whether a verdict failed naming the case's fault: a failing primary finding of its kind (on its steps). */
function namedBy(v: Verdict, spec: Case): { named: boolean; fails: FindingKind[]; saturated: boolean } {
  const fails = v.findings.filter((f) => f.primary && f.status === 'fail')
  const onStep = (step: string | undefined) => !spec.steps || (step !== undefined && spec.steps.includes(step))
  const named = fails.some((f) => spec.kinds.includes(f.kind) && onStep(f.step))
  const saturated = v.findings.some((f) => f.kind === 'generator-saturated' && !['pass', 'info'].includes(f.status))
  return { named, fails: [...new Set(fails.map((f) => f.kind))], saturated }
}

/** A run's API request series (`http_req_duration` of probe and load), by side (`''` on an unpaired run). */
function apiSeriesBySide(record: RunRecord): Map<string, SeriesRecord[]> {
  const bySide = new Map<string, SeriesRecord[]>()
  for (const s of record.series) {
    if (s.name !== 'http_req_duration' || (s.source !== 'probe' && s.source !== 'load')) continue
    const side = s.tags.side ?? ''
    bySide.set(side, [...(bySide.get(side) ?? []), s])
  }
  return bySide
}

/**
 * The API requests a second one side of a run received in `phase` (probe and
 * load requests, the mean over the sides of a paired run): the rate a crowd
 * case is sized from, and checked against.
 */
export function apiRate(record: RunRecord, phase: string): number {
  const p = record.phases.find((x) => x.name === phase)
  if (!p || p.endMs <= p.startMs) return NaN
  const counts = [...apiSeriesBySide(record).values()].map((ss) =>
    ss.reduce((n, s) => n + (s.phases[phase]?.count ?? 0), 0),
  )
  return counts.reduce((a, b) => a + b, 0) / counts.length / ((p.endMs - p.startMs) / 1000)
}

/**
 * The candidate's mean API latency in `phase` over the control's, on a paired
 * run (probe and load requests merged per side): what a crowd case added,
 * measured rather than modelled. NaN on a run without both sides.
 */
export function sideMeanRatio(record: RunRecord, phase: string): number {
  const bySide = apiSeriesBySide(record)
  const mean = (side: string) =>
    LatencyHistogram.mergeAll((bySide.get(side) ?? []).flatMap((s) => s.phases[phase]?.hist ?? [])).summary().mean
  return bySide.has('candidate') && bySide.has('control') ? mean('candidate') / mean('control') : NaN
}

/** The short commit of the repo, and whether packages/ had uncommitted changes. */
export function commit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'packages'], {
      cwd: repo,
      encoding: 'utf8',
    }).trim()
    return dirty ? `${head} (with uncommitted changes under packages/)` : head
  } catch {
    return 'unknown'
  }
}

/**
 * The config the soaks use: the repo's, with a plan named `plan` of `seconds`
 * (the demo plan's phases in proportion, windows of `window` and scrapes
 * every half second, so trends get points to fit in a short soak) and the
 * store's service time.
 */
export function writeConfig(dir: string, plan: string, seconds: number, serviceTime: string, window = '500ms'): string {
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
    ${JSON.stringify(plan)}: {
      ...base.plans.demo,
      window: ${JSON.stringify(window)},
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

/** Asks every running soak to stop: one SIGTERM, on which steady writes its partial record and tears down. */
function stopSoaks(): void {
  for (const c of children) c.kill('SIGTERM')
}

// A soak still running when this process ends (an error) is asked to stop cleanly; it is bounded by its plan anyway.
process.on('exit', stopSoaks)

/**
 * Runs `steady soak <plan>` as the real binary with `extra` arguments (a
 * control, say); resolves with its exit code (bounded: SIGTERM after
 * `timeoutMs`). Its output is kept in `<out>/soak.log`.
 */
function soak(
  config: string,
  plan: string,
  out: string,
  seed: string,
  env: Record<string, string>,
  timeoutMs: number,
  extra: string[] = [],
): Promise<number | null> {
  return new Promise((done) => {
    const args = [bin, 'soak', plan, '--config', config, '--env', 'local', '--out', out, '--seed', seed, ...extra]
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
 * every 1–6 s while `on()` — a neighbour whose load comes and goes, so each
 * run and each of its phases gets its own share of it.
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

/** `k/n` as a percentage with its Wilson 95% interval: `10% [3, 26]`. */
export function pct(k: number, n: number): string {
  if (!n) return '—'
  const [lo, hi] = wilsonInterval(k, n)
  return `${((100 * k) / n).toFixed(0)}% [${(100 * lo).toFixed(0)}, ${(100 * hi).toFixed(0)}]`
}

/** Shuffles in place with the seeded generator (Fisher–Yates): the same seed, the same order. */
export function shuffle<T>(items: T[], rnd: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rnd.int(i + 1)
    ;[items[i], items[j]] = [items[j], items[i]]
  }
  return items
}

/** A comma-separated flag value checked against its allowed names; a usage error otherwise. */
export function parseList<T extends string>(
  flag: string,
  text: string,
  allowed: readonly T[],
  usage: (message: string) => never,
): T[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  const unknown = names.filter((n) => !(allowed as readonly string[]).includes(n))
  if (unknown.length || !names.length) {
    usage(`--${flag} ${JSON.stringify(text)}: use a comma-separated list of ${allowed.join(', ')}`)
  }
  return names as T[]
}

/** Wall time of the soaks and how much the hog burned, for the lines under a table. */
export function soakLines(
  soaks: Array<{ seconds: number; hogOnShare?: number; exit: number | null; dir: string }>,
): string[] {
  const lines: string[] = []
  const ran = soaks.filter((r) => r.seconds > 0)
  const secs = ran.map((r) => r.seconds).sort((a, b) => a - b)
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
  if (secs.length) {
    const median = secs[Math.floor(secs.length / 2)]
    lines.push(
      '',
      `${ran.length} soaks, wall time per soak: median ${median.toFixed(0)} s, ` +
        `largest ${secs[secs.length - 1].toFixed(0)} s, total ${(sum(secs) / 60).toFixed(1)} min`,
    )
  }
  const hog = ran.filter((r) => r.hogOnShare !== undefined).map((r) => r.hogOnShare!)
  if (hog.length) {
    const share = ((100 * sum(hog)) / hog.length).toFixed(0)
    lines.push(`noisy condition: the CPU hog burned ${share}% of the soak time on average`)
  }
  const bad = ran.filter((r) => r.exit !== 0)
  if (bad.length) {
    const which = bad.map((r) => `${r.dir} (${r.exit})`).join(', ')
    lines.push(`soaks that did not exit 0 (left out when they wrote no run.json): ${which}`)
  }
  return lines
}

/** The fields every manifest entry has: where the soak's records are and how it went. */
export interface SoakEntry {
  /** The run folder, relative to the manifest's folder. */
  dir: string
  exit: number | null
  seconds: number
  /** Share of the soak the CPU hog was burning (soaks run with the hog on). */
  hogOnShare?: number
  loadAverage: number
}

/** A manifest: the soaks of one benchmark run, written after each soak. */
export interface Manifest<E extends SoakEntry> {
  schema: string
  createdAt: string
  commit: string
  args: string
  soakSeconds: number
  serviceTime: string
  runs: E[]
  /** When a stopped benchmark was taken up again with `--resume`, and by which commit. */
  resumed?: { at: string; commit: string }[]
}

/** One planned soak: where it goes, its fault, and whether the hog is on for it. */
export interface PlannedSoak {
  dir: string
  env: Record<string, string>
  hog: boolean
  extra?: string[]
}

/**
 * Runs planned soaks one after the other (the hog switching during those
 * that want it), writing the manifest after each and a progress line to
 * stderr. SIGINT / SIGTERM stop the current soak (it writes its partial
 * record), the hog and the plan; the manifest is written and the process
 * exits 130 / 143. Soaks the manifest holds already (a resumed benchmark)
 * are skipped, except one that such a stop cut short: it is soaked again.
 */
export async function soakAll<P, E extends SoakEntry>(o: {
  folder: string
  manifest: Manifest<E>
  config: string
  plan: string
  seed: string
  items: P[]
  soakOf: (item: P) => PlannedSoak
  entryOf: (item: P, soaked: SoakEntry) => E
}): Promise<void> {
  const timeoutMs = (o.manifest.soakSeconds * 3 + 120) * 1000
  const wantHog = o.items.some((i) => o.soakOf(i).hog)
  const hog = wantHog
    ? new CpuHog(new Random(`${o.manifest.schema}-hog:${o.seed}`), o.items.length * timeoutMs)
    : undefined
  let aborted: { signal: NodeJS.Signals; code: number } | undefined
  const stopAll = (signal: NodeJS.Signals, code: number) => {
    process.stderr.write(`\n${signal}: stopping the soak (it writes its partial record) and the CPU hog\n`)
    aborted = { signal, code }
    hog?.stop()
    stopSoaks()
  }
  process.once('SIGINT', () => stopAll('SIGINT', 130))
  process.once('SIGTERM', () => stopAll('SIGTERM', 143))
  const finished = (r: SoakEntry) => r.exit !== 130 && r.exit !== 143 && existsSync(join(o.folder, r.dir, 'run.json'))
  o.manifest.runs = o.manifest.runs.filter(finished)
  const done = new Set(o.manifest.runs.map((r) => r.dir))
  try {
    for (const [n, item] of o.items.entries()) {
      if (aborted) break
      const s = o.soakOf(item)
      if (done.has(s.dir)) continue
      rmSync(join(o.folder, s.dir), { recursive: true, force: true })
      const t0 = performance.now()
      if (s.hog) hog!.on()
      const exit = await soak(o.config, o.plan, join(o.folder, s.dir), `${o.seed}-${s.dir}`, s.env, timeoutMs, s.extra)
      const hogOnShare = s.hog ? hog!.off() : undefined
      const seconds = (performance.now() - t0) / 1000
      const soaked: SoakEntry = {
        dir: s.dir,
        exit,
        seconds,
        ...(hogOnShare !== undefined ? { hogOnShare } : {}),
        loadAverage: loadavg()[0],
      }
      o.manifest.runs.push(o.entryOf(item, soaked))
      await writeJsonAtomic(join(o.folder, 'manifest.json'), o.manifest)
      const hogNote = hogOnShare !== undefined ? `, hog on ${(100 * hogOnShare).toFixed(0)}%` : ''
      process.stderr.write(`  ${n + 1}/${o.items.length} ${s.dir}: exit ${exit}, ${seconds.toFixed(0)} s${hogNote}\n`)
    }
  } finally {
    hog?.stop()
  }
  if (aborted) {
    await writeJsonAtomic(join(o.folder, 'manifest.json'), o.manifest)
    const kept = `${o.manifest.runs.length} soaks kept in ${o.folder} (--rejudge it)`
    process.stderr.write(`stopped by ${aborted.signal}; ${kept}\n`)
    process.exit(aborted.code)
  }
}

/**
 * The manifest to soak into: a new one for these arguments at the repo's
 * commit, or the resumed one (`kept`), which notes when it was taken up again.
 */
export function newManifest<E extends SoakEntry>(
  schema: string,
  soakSeconds: number,
  serviceTime: string,
  kept?: Manifest<E>,
): Manifest<E> {
  if (kept) return { ...kept, resumed: [...(kept.resumed ?? []), { at: new Date().toISOString(), commit: commit() }] }
  const args = benchArgs().join(' ')
  return { schema, createdAt: new Date().toISOString(), commit: commit(), args, soakSeconds, serviceTime, runs: [] }
}

/**
 * The arguments to parse: this process's own or, with `--resume <dir>`, the
 * ones the stopped benchmark was started with (from its manifest) and the
 * `--resume`, so that the same seeded schedule is built again and its
 * finished soaks are skipped.
 */
export function benchArgs(): string[] {
  const argv = process.argv.slice(2)
  const at = argv.indexOf('--resume')
  if (at < 0 || !argv[at + 1]) return argv
  const file = join(resolve(argv[at + 1]), 'manifest.json')
  if (!existsSync(file)) return argv
  const { args } = JSON.parse(readFileSync(file, 'utf8')) as Manifest<SoakEntry>
  const started = args.split(' ').filter(Boolean)
  // Its own --keep names the same folder and its --json the same table; a --json given now wins.
  const json = argv.indexOf('--json')
  return [...started, ...(json >= 0 ? argv.slice(json, json + 2) : []), '--resume', argv[at + 1]]
}

/** The flags every real-soak benchmark takes, for `parseArgs`. */
export const COMMON_OPTIONS = {
  keep: { type: 'string' },
  rejudge: { type: 'string' },
  resume: { type: 'string' },
  'service-time': { type: 'string', default: '2ms' },
  seed: { type: 'string', default: '1' },
  json: { type: 'string' },
} as const

/**
 * Where the records are: `--rejudge <dir>` (its manifest read back, to judge),
 * `--resume <dir>` (its manifest read back, to soak what it has not yet), or
 * a new folder (`--keep <dir>`, else a temporary one) for new soaks; and the
 * soak length and service time, checked.
 */
export function benchFolder<E extends SoakEntry>(
  values: { keep?: string; rejudge?: string; resume?: string; 'soak-seconds': string; 'service-time': string },
  prefix: string,
  usage: (message: string) => never,
): {
  dir: string
  temporary: boolean
  /** The manifest read back: to judge (`--rejudge`) or to go on soaking into (`resuming`). */
  manifest?: Manifest<E>
  resuming: boolean
  soakSeconds: number
  serviceTime: string
} {
  const soakSeconds = Number(values['soak-seconds'])
  const serviceTime = values['service-time']
  const kept = values.rejudge ?? values.resume
  if (kept) {
    const flag = values.rejudge ? '--rejudge' : '--resume'
    const dir = resolve(kept)
    if (!existsSync(join(dir, 'manifest.json'))) {
      usage(`${flag} ${kept}: no manifest.json there; give a folder written with --keep`)
    }
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest<E>
    const { soakSeconds, serviceTime } = manifest
    return { dir, temporary: false, manifest, resuming: !values.rejudge, soakSeconds, serviceTime }
  }
  if (!(soakSeconds >= 10 && soakSeconds <= 900)) {
    usage(`--soak-seconds ${values['soak-seconds']}: write a number of seconds from 10 to 900`)
  }
  if (!/^\d+(\.\d+)?(ms|s)$/.test(serviceTime)) usage(`--service-time ${serviceTime}: write e.g. 2ms`)
  const dir = values.keep ? resolve(values.keep) : mkdtempSync(join(tmpdir(), prefix))
  if (existsSync(join(dir, 'manifest.json'))) {
    usage(`--keep ${values.keep}: it holds a manifest.json already; use --rejudge to judge it, or another folder`)
  }
  mkdirSync(dir, { recursive: true })
  return { dir, temporary: !values.keep, resuming: false, soakSeconds, serviceTime }
}

/** Prints the table, says where the records are, writes the JSON, and removes a temporary folder. */
export async function finish(
  out: { text: string; json: Record<string, unknown> },
  dir: string,
  temporary: boolean,
  json: string | undefined,
): Promise<void> {
  console.log(out.text)
  if (!temporary) console.log(`\nrecords kept in ${dir} (judge them again with --rejudge ${dir})`)
  if (json) await writeJsonAtomic(resolve(json), out.json)
  if (temporary) rmSync(dir, { recursive: true, force: true })
}

/** The repo config's staging gate, which both benchmarks judge with. */
export async function stagingGate(): Promise<ResolvedGate> {
  const config = (await import(join(repo, 'steady.config.ts'))) as { default: { gates?: Record<string, GateConfig> } }
  return selectGate(config.default.gates, 'staging')
}

/** The soaks of a manifest that wrote a run record. */
export function usable<E extends SoakEntry>(dir: string, manifest: Manifest<E>): E[] {
  return manifest.runs.filter((r) => existsSync(join(dir, r.dir, 'run.json')))
}

/** A history baseline of the given soaks' records (a run `addRun` refuses is left out, with a note). */
export async function baselineOf(
  dir: string,
  entries: readonly SoakEntry[],
  by: string,
  path: string,
): Promise<BaselineFile | undefined> {
  let file: BaselineFile | undefined
  for (const r of entries) {
    const record = await readRunRecord(join(dir, r.dir, 'run.json'))
    file ??= emptyBaseline(record.subject.service)
    try {
      addRun(file, summariseRun(record), { by, now: new Date(), path })
    } catch (err) {
      process.stderr.write(`  [note] baseline run ${r.dir} left out: ${(err as Error).message}\n`)
    }
  }
  return file
}

/** One judged soak, as the tables count it. */
export interface JudgedSoak {
  result: Verdict['result']
  /** The verdict's stable question failed (not stable), whatever the working question said. */
  notStable: boolean
  named: boolean
  /** The failing primary findings' kinds (to see what else fired). */
  fails: FindingKind[]
  /** The verdict says the load generator was saturated in a phase (its latency findings are then inconclusive). */
  saturated: boolean
}

/** Writes a soak's verdict beside its record and says how it counts for `spec`. */
export async function judged(dir: string, soakDir: string, v: Verdict, spec: Case): Promise<JudgedSoak> {
  await writeJsonAtomic(join(dir, soakDir, 'verdict.json'), v)
  return { result: v.result, notStable: v.stable.status === 'fail', ...namedBy(v, spec) }
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

/**
 * A table of soaks by group (a condition, an arm) and case: the header line
 * to put first, a row and its JSON cell per group and case, and the legend.
 * For clean runs the rate is of failures; for faults, of named detections.
 */
export function caseTable(groupTitle: string) {
  const head =
    `${groupTitle.padEnd(10)}${'case'.padEnd(14)}${COLUMNS.map(([h, w]) => h.padStart(w)).join('')}` +
    '   rate (Wilson 95%)                other failing kinds'
  const rate = (rs: readonly JudgedSoak[], c: Case) => {
    const k = rs.filter((r) => r.result === 'fail' && (c.name === 'clean' || r.named)).length
    return {
      k,
      n: rs.length,
      ci: wilsonInterval(k, rs.length),
      of: c.name === 'clean' ? 'false positives' : 'detected, named',
    }
  }
  const row = (group: string, c: Case, rs: readonly JudgedSoak[]) => {
    const count = (pred: (r: JudgedSoak) => boolean) => rs.filter(pred).length
    const counted = {
      runs: rs.length,
      failed: count((r) => r.result === 'fail'),
      notStable: count((r) => r.notStable),
      inconclusive: count((r) => r.result === 'inconclusive'),
      passed: count((r) => r.result === 'pass'),
      named: count((r) => r.result === 'fail' && r.named),
      saturated: count((r) => r.saturated),
    }
    const r = rate(rs, c)
    const other = [...new Set(rs.flatMap((x) => x.fails).filter((f) => !c.kinds.includes(f)))].join(', ')
    const cells = Object.values(counted)
      .map((n, i) => String(n).padStart(COLUMNS[i][1]))
      .join('')
    const line = `${group.padEnd(10)}${c.name.padEnd(14)}${cells}   ${`${pct(r.k, r.n)} ${r.of}`.padEnd(31)} ${other}`
    return { line, cell: { group, case: c.name, label: c.label, ...counted, rate: r } }
  }
  const legend =
    'unstable: judged not stable; ' +
    "named: failed with a failing primary finding of the fault's kind; sat.: runs whose load generator was saturated"
  return { head, row, rate, legend }
}

/** The two lines above a table: what was soaked, and when, where and by which commit it was judged. */
export function tableTitle(what: string, manifest: Manifest<SoakEntry>): string[] {
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')
  const resumed = (manifest.resumed ?? []).map((r) => `, resumed at ${r.commit} (${r.at})`).join('')
  return [
    `${what} — ${manifest.soakSeconds}-s soaks, service time ${manifest.serviceTime}, staging gate`,
    `records made at ${manifest.commit} (${manifest.createdAt})${resumed}; judged at ${commit()}; ` +
      `${cpus().length} cores, load average ${load}`,
    '',
  ]
}
