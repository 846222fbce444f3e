/**
 * The k6 driver: runs `k6 run` (`K6_BIN`, else `k6` on PATH) with
 * `--out json=<file>`, tails that file while k6 writes it (k6 flushes every
 * 200 ms), folds the points into the same windows as the embedded engine, and
 * maps k6's exit code to steady's through one table.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { accessSync, constants, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { SteadyError } from '@steady/record'
import type { Clock } from '@steady/kernel'
import type { LoadResult } from '../embedded.ts'
import type { ResolvedProfile } from '../profile.ts'
import { arrivalSchedule } from '../schedule.ts'
import type { MetricType } from '../metrics/metrics.ts'
import { RunTotals } from '../metrics/totals.ts'
import { WindowCollector, type WindowSnapshot } from '../metrics/windows.ts'
import { compileThresholds, evaluateThresholds } from '../thresholds.ts'
import { mapK6ExitCode } from './exit-codes.ts'
import { LineSplitter, isProblem, parseK6Line, parseK6Time, type K6ParseProblem } from './json-output.ts'
import { toK6Options } from './options.ts'

export interface K6RunOptions {
  profile: ResolvedProfile
  /** The k6 script (.ts or .js). */
  script: string
  /** Passed to the script as `__ENV.BASE_URL`. */
  target: string
  seed?: string
  signal?: AbortSignal
  onWindow?: (w: WindowSnapshot) => void
  /** k6's own output lines (progress, warnings), and parse problems. */
  onLog?: (line: string) => void
  /** Environment of the k6 process; `K6_BIN` picks the binary. */
  env?: NodeJS.ProcessEnv
  /** Extra `k6 run` arguments, before the script. */
  args?: string[]
  /** How long after SIGINT k6 gets before SIGKILL (default: gracefulStop + 10 s). */
  killAfterMs?: number
}

/** Tags k6 adds that would only multiply series: the URL (the `name` tag carries it), protocol details. */
const droppedTags = new Set([
  'url',
  'proto',
  'tls_version',
  'ip',
  'vu',
  'iter',
  'ocsp_status',
  'instance_id',
  'testrun_name',
])

/** Finds the k6 binary: `K6_BIN` (a path or a name on PATH), else `k6` on PATH. */
export function findK6(env: NodeJS.ProcessEnv = process.env): string {
  const wanted = env.K6_BIN || 'k6'
  const executable = (p: string) => {
    try {
      accessSync(p, constants.X_OK)
      return true
    } catch {
      return false
    }
  }
  if (wanted.includes('/')) {
    if (existsSync(wanted) && executable(wanted)) return wanted
  } else {
    for (const dir of (env.PATH ?? '').split(delimiter)) {
      if (dir && executable(join(dir, wanted))) return join(dir, wanted)
    }
  }
  throw new SteadyError(
    'STEADY_LOAD_K6_NOT_FOUND',
    env.K6_BIN ? `K6_BIN=${env.K6_BIN} is not an executable file` : 'k6 is not installed (no k6 on PATH)',
    {
      hint:
        'install k6 (https://grafana.com/docs/k6/latest/set-up/install-k6/) or set K6_BIN; ' +
        "or run the profile on the embedded engine (engine: 'embedded')",
    },
  )
}

/** A clock that stands at the time of the point being folded in (ms since the run's start). */
class PointClock implements Clock {
  at = 0
  now(): number {
    return this.at
  }
  setTimer(): () => void {
    return () => {}
  }
  sleepUntil(): Promise<void> {
    return Promise.resolve()
  }
}

interface BufferedPoint {
  t: number
  metric: string
  value: number
  tags: Record<string, string>
}

/**
 * Folds k6 output lines into windows. Points are held back for a second and
 * sorted, since k6 writes each metric's samples in batches, so every point
 * lands in the window of its own timestamp.
 */
export class K6PointFolder {
  readonly types = new Map<string, MetricType>()
  readonly thresholdsInScript = new Map<string, string[]>()
  readonly problems: K6ParseProblem[] = []
  points = 0
  readonly #clock = new PointClock()
  readonly #collector: WindowCollector
  readonly #t0Epoch: number
  #buffer: BufferedPoint[] = []
  #latest = 0
  #lastReleased = 0
  readonly #splitter = new LineSplitter()

  constructor(options: { t0Epoch: number; windowMs: number; onWindow: (w: WindowSnapshot) => void }) {
    this.#t0Epoch = options.t0Epoch
    this.#collector = new WindowCollector({
      clock: this.#clock,
      t0: 0,
      windowMs: options.windowMs,
      onWindow: options.onWindow,
    })
  }

  /** Feeds a chunk of the JSON output (any split, partial lines are kept). */
  push(chunk: string): void {
    for (const { text, line } of this.#splitter.push(chunk)) this.#line(text, line)
    this.#release(this.#latest - 1000)
  }

  /** The end of the output: every held point goes in and the last window closes. */
  async end(): Promise<void> {
    for (const { text, line } of this.#splitter.end()) this.#line(text, line)
    this.#release(Infinity)
    this.#clock.at = Math.max(this.#clock.at, this.#latest)
    await this.#collector.flush()
  }

  #line(text: string, lineNo: number): void {
    const parsed = parseK6Line(text, lineNo)
    if (isProblem(parsed)) {
      this.problems.push(parsed)
      return
    }
    if (parsed.type === 'Metric') {
      this.types.set(parsed.data.name, parsed.data.type)
      if (parsed.data.thresholds.length) this.thresholdsInScript.set(parsed.data.name, parsed.data.thresholds)
      return
    }
    this.points++
    const t = Math.max(0, parseK6Time(parsed.data.time) - this.#t0Epoch)
    const tags: Record<string, string> = {}
    for (const [k, v] of Object.entries(parsed.data.tags ?? {}))
      if (!droppedTags.has(k) && v !== '') tags[k] = String(v)
    if (t > this.#latest) this.#latest = t
    this.#buffer.push({ t, metric: parsed.metric, value: parsed.data.value, tags })
  }

  #release(upTo: number): void {
    if (!this.#buffer.length) return
    this.#buffer.sort((a, b) => a.t - b.t)
    let i = 0
    for (; i < this.#buffer.length && this.#buffer[i].t <= upTo; i++) {
      const p = this.#buffer[i]
      // Never step back: a point older than one already folded lands in the current window.
      this.#clock.at = Math.max(p.t, this.#lastReleased)
      this.#lastReleased = this.#clock.at
      this.#fold(p)
    }
    this.#buffer = this.#buffer.slice(i)
  }

  #fold(p: BufferedPoint): void {
    const c = this.#collector
    switch (this.types.get(p.metric)) {
      case 'counter':
        c.count(p.metric, p.tags, p.value)
        break
      case 'rate':
        c.rate(p.metric, p.tags, p.value !== 0)
        break
      case 'gauge':
        c.gauge(p.metric, p.tags, p.value)
        break
      case 'trend':
        c.trend(p.metric, p.tags, p.value)
        break
      default:
        // A Point before its Metric line breaks k6's documented order; keep it visible.
        this.problems.push({
          type: 'Problem',
          line: 0,
          message: `Point of ${p.metric} before its Metric line`,
          text: '',
        })
    }
  }
}

/** Runs a k6 script for a profile and resolves with a result shaped like the embedded engine's. */
export async function runK6(o: K6RunOptions): Promise<LoadResult> {
  const env = o.env ?? process.env
  const bin = findK6(env)
  const p = o.profile
  const dir = mkdtempSync(join(tmpdir(), 'steady-k6-'))
  const outFile = join(dir, 'points.json')
  const configFile = join(dir, 'options.json')
  // The profile as a k6 config file: the script's own `options` win over it, as k6's precedence says.
  writeFileSync(configFile, JSON.stringify(toK6Options(p)))
  writeFileSync(outFile, '')
  const windows: WindowSnapshot[] = []
  const totals = new RunTotals()
  const startedAt = new Date()
  const began = performance.now()
  const folder = new K6PointFolder({
    t0Epoch: startedAt.getTime(),
    windowMs: p.windowMs,
    onWindow: (w) => {
      windows.push(w)
      totals.add(w)
      o.onWindow?.(w)
    },
  })
  const child = spawn(bin, k6Args(o, configFile, outFile), {
    env: { ...env, K6_NO_USAGE_REPORT: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const log = (buf: Buffer) => {
    for (const line of buf.toString().split('\n')) if (line.trim()) o.onLog?.(`k6: ${line.trimEnd()}`)
  }
  child.stdout.on('data', log)
  child.stderr.on('data', log)
  const abort = stopOnAbort(child, o)
  const exit = new Promise<K6Exit>((resolve) => {
    child.on('error', (error) => resolve({ code: null, signal: null, error }))
    child.on('close', (code, signal) => resolve({ code, signal }))
  })
  try {
    await followPoints(outFile, folder, exit)
  } finally {
    abort.dispose()
  }
  await folder.end()
  rmSync(dir, { recursive: true, force: true })
  const ended = await exit
  if (ended.error) {
    throw new SteadyError('STEADY_LOAD_K6_START', `could not start ${bin}: ${ended.error.message}`, {
      hint: 'check K6_BIN or the k6 on PATH',
      cause: ended.error,
    })
  }
  for (const problem of folder.problems.slice(0, 5))
    o.onLog?.(`warning: k6 output line ${problem.line}: ${problem.message}`)
  for (const [name, type] of folder.types) totals.types.set(name, type)
  const thresholds = evaluateThresholds(
    compileThresholds(p.thresholds, `load.profiles.${p.name}`, folder.types),
    totals,
  )
  const durationMs = performance.now() - began
  return k6Result(o, { startedAt, durationMs, windows, totals, thresholds, ended, signalled: abort.signalled })
}

/** How the k6 process ended: its exit code or signal, or the error that kept it from starting. */
interface K6Exit {
  code: number | null
  signal: NodeJS.Signals | null
  error?: Error
}

/** `k6 run`'s arguments: the profile as a config file, points to a JSON file, the target as `BASE_URL`. */
function k6Args(o: K6RunOptions, configFile: string, outFile: string): string[] {
  return [
    'run',
    '--config',
    configFile,
    '--out',
    `json=${outFile}`,
    '--env',
    `BASE_URL=${o.target}`,
    ...(o.args ?? []),
    o.script,
  ]
}

/** Passes an abort on to k6 as SIGINT, then SIGKILL if it does not stop; `signalled` says which abort came. */
function stopOnAbort(child: ChildProcess, o: K6RunOptions): { signalled: string | undefined; dispose(): void } {
  let killTimer: NodeJS.Timeout | undefined
  const state = {
    signalled: undefined as string | undefined,
    dispose: () => {
      clearTimeout(killTimer)
      o.signal?.removeEventListener('abort', onAbort)
    },
  }
  const onAbort = () => {
    state.signalled = String(o.signal?.reason ?? 'SIGINT')
    // k6 stops gracefully on SIGINT (exit 105); it gets gracefulStop and a margin before SIGKILL.
    child.kill('SIGINT')
    killTimer = setTimeout(() => child.kill('SIGKILL'), o.killAfterMs ?? o.profile.gracefulStopMs + 10_000)
  }
  if (o.signal?.aborted) onAbort()
  else o.signal?.addEventListener('abort', onAbort, { once: true })
  return state
}

/** Tails k6's JSON output into the folder while k6 runs (k6 flushes every 200 ms), then reads what is left. */
async function followPoints(file: string, folder: K6PointFolder, exit: Promise<unknown>): Promise<void> {
  let handle: FileHandle | undefined
  let offset = 0
  const read = async () => {
    handle ??= await open(file, 'r')
    const buf = Buffer.alloc(1 << 20)
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, offset)
      if (bytesRead === 0) break
      offset += bytesRead
      folder.push(buf.subarray(0, bytesRead).toString('utf8'))
    }
  }
  let done = false
  void exit.then(() => (done = true))
  try {
    while (!done) {
      await Promise.race([exit, new Promise((r) => setTimeout(r, 200))])
      await read()
    }
    await read()
  } finally {
    await handle?.close()
  }
}

/** What a finished k6 run measured, in the embedded engine's shape, with k6's exit code mapped to steady's. */
function k6Result(
  o: K6RunOptions,
  run: Pick<LoadResult, 'startedAt' | 'durationMs' | 'windows' | 'totals' | 'thresholds'> & {
    ended: K6Exit
    signalled: string | undefined
  },
): LoadResult {
  const { startedAt, durationMs, totals, thresholds, ended, signalled } = run
  const p = o.profile
  const k6Code = ended.code ?? (ended.signal ? 128 : 255)
  const mapped = mapK6ExitCode(k6Code)
  let exitCode: number
  if (mapped.steady === 'interrupted' || (ended.code === null && signalled))
    exitCode = signalled === 'SIGTERM' ? 143 : 130
  else if (mapped.steady === 0) exitCode = thresholds.some((t) => !t.ok) ? 1 : 0
  else exitCode = mapped.steady
  const completed = totals.counter('iterations')
  const dropped = totals.counter('dropped_iterations')
  const planned =
    p.executor === 'constant-arrival-rate' || p.executor === 'ramping-arrival-rate'
      ? arrivalSchedule(p).planned
      : undefined
  const stopReason =
    k6Code === 0
      ? undefined
      : mapped.steady === 'interrupted'
        ? 'signal'
        : `k6 exit ${k6Code} (${mapped.name}: ${mapped.meaning})`
  if (exitCode === 2 && !signalled) o.onLog?.(`k6 exited ${k6Code}: ${mapped.meaning}`)
  return {
    profile: p,
    engine: 'k6',
    workers: 1,
    target: o.target,
    seed: o.seed ?? '',
    startedAt,
    endedAt: new Date(startedAt.getTime() + durationMs),
    durationMs,
    windows: run.windows,
    totals,
    thresholds,
    counts: {
      planned,
      started: completed,
      completed,
      interrupted: 0,
      dropped,
      lateStarts: 0,
      vusAllocated: totals.gauge('vus_max')?.max ?? totals.gauge('vus')?.max ?? 0,
    },
    stopReason,
    signal: signalled,
    saturated: false,
    saturationReasons: [],
    exitCode,
    k6ExitCode: k6Code,
  }
}
