/**
 * The embedded engine: runs one profile on this machine, in the main thread
 * (one worker, the default) or split over worker threads as k6's execution
 * segments split work. Windows from every worker merge into one timeline;
 * thresholds are evaluated over the whole run, and `abortOnFail` ones every
 * 2 s (and at each window) while it runs.
 */
import { Worker } from 'node:worker_threads'
import { performance } from 'node:perf_hooks'
import { SteadyError, type Redactor } from '@steady/record'
import type { IterationResult } from '@steady/scenario'
import { realClock, type Clock } from '@steady/kernel'
import type { ResolvedProfile } from './profile.ts'
import { Runner, type IterationFn, type RunnerResult, type VuFactory } from './engine/runner.ts'
import { scenarioIterations, type ScenarioSource } from './engine/scenario-iteration.ts'
import { eventLoopMonitor } from './metrics/self.ts'
import { RunTotals } from './metrics/totals.ts'
import { WindowCollector, mergeWindows, type WindowSnapshot } from './metrics/windows.ts'
import { compileThresholds, evaluateThresholds, type Threshold, type ThresholdResult } from './thresholds.ts'
import type { ParentMessage, WorkerInput, WorkerMessage } from './engine/worker-protocol.ts'
import type { TandemSeat } from './engine/tandem.ts'

/** Counts over the whole run (all workers). */
interface LoadCounts {
  planned: number | undefined
  started: number
  completed: number
  interrupted: number
  dropped: number
  lateStarts: number
  vusAllocated: number
}

/** Pass/fail counts and failure samples of the scenario iterations. */
interface ScenarioOutcome {
  name: string
  file?: string
  iterations: number
  passed: number
  failed: number
  /** The first few failures, already redacted by the scenario package. */
  samples: NonNullable<IterationResult['failure']>[]
}

/** What a load run produced. */
export interface LoadResult {
  profile: ResolvedProfile
  engine: 'embedded' | 'k6'
  workers: number
  target: string
  seed: string
  startedAt: Date
  endedAt: Date
  durationMs: number
  windows: WindowSnapshot[]
  totals: RunTotals
  thresholds: ThresholdResult[]
  counts: LoadCounts
  /** Why the run ended before its plan: `signal` (SIGINT/SIGTERM), `thresholds` (abortOnFail), `k6 exit 108`, ... */
  stopReason?: string
  /** The signal name when a signal stopped it. */
  signal?: string
  /** True when any window found the load generator saturated (the service cannot be judged from this run). */
  saturated: boolean
  saturationReasons: string[]
  scenario?: ScenarioOutcome
  /** The exit code steady gives this result: 0 ok, 1 thresholds failed, 3 generator saturated, 130/143 signal. */
  exitCode: number
  /** k6's own exit code (engine k6). */
  k6ExitCode?: number
}

/** Options of {@link runEmbedded}. */
export interface EmbeddedOptions {
  profile: ResolvedProfile
  /** The target's base URL. */
  target: string
  /** The scenario to run (by file and name); or give `iterate` and `vus` to run custom work (single worker). */
  scenario?: ScenarioSource
  iterate?: IterationFn<unknown>
  vus?: VuFactory<unknown>
  /** Run seed (default: random). */
  seed?: string
  /** Setup data handed to every iteration. */
  setupData?: unknown
  /** Worker threads (default 1: the main thread runs the iterations). */
  workers?: number
  /** Stops the run: iterations are interrupted, what was recorded is kept. */
  signal?: AbortSignal
  /** Injected clock (single worker only). */
  clock?: Clock
  /** Each merged window as it closes (progress lines, live records). */
  onWindow?: (w: WindowSnapshot) => void
  redactor?: Redactor
  /** Iteration timeout (k6 has none; steady's scenarios default to 60s). */
  timeout?: string
  /** Measure the event loop (default true). */
  selfMonitor?: boolean
  /** Run one unrecorded iteration of the scenario before the clock starts (default true). */
  warmup?: boolean
  /**
   * Share an arrival-rate schedule with other runs as member `index`
   * (single worker only; see {@link ArrivalTandem}).
   */
  tandem?: TandemSeat
}

const abortCheckMs = 2000

function sumCounts(rs: RunnerResult[]): LoadCounts {
  const planned = rs.every((r) => r.planned === undefined) ? undefined : rs.reduce((a, r) => a + (r.planned ?? 0), 0)
  return {
    planned,
    started: rs.reduce((a, r) => a + r.started, 0),
    completed: rs.reduce((a, r) => a + r.completed, 0),
    interrupted: rs.reduce((a, r) => a + r.interrupted, 0),
    dropped: rs.reduce((a, r) => a + r.dropped, 0),
    lateStarts: rs.reduce((a, r) => a + r.lateStarts, 0),
    vusAllocated: rs.reduce((a, r) => a + r.vusAllocated, 0),
  }
}

/** Watches abortOnFail thresholds and stops the run when one fails. */
class AbortWatch {
  readonly #thresholds: Threshold[]
  readonly #stop: AbortController
  #stopped = false

  constructor(thresholds: Threshold[], stop: AbortController) {
    this.#thresholds = thresholds.filter((t) => t.abortOnFail)
    this.#stop = stop
  }

  get active(): boolean {
    return this.#thresholds.length > 0
  }

  /** The metrics the abortOnFail thresholds read. */
  get metrics(): ReadonlySet<string> {
    return new Set(this.#thresholds.map((t) => t.metric))
  }

  get fired(): boolean {
    return this.#stopped
  }

  check(totals: RunTotals, elapsedMs: number): void {
    if (this.#stopped || !this.active) return
    const due = this.#thresholds.filter((t) => elapsedMs >= t.delayAbortEvalMs)
    if (!due.length) return
    if (evaluateThresholds(due, totals).some((r) => !r.ok)) {
      this.#stopped = true
      this.#stop.abort('thresholds')
    }
  }
}

/**
 * Runs a profile on the embedded engine and resolves with its windows,
 * totals, thresholds and counts. Never throws for what the service does:
 * failures are measured. Throws SteadyError for unusable input.
 */
export async function runEmbedded(options: EmbeddedOptions): Promise<LoadResult> {
  const profile = options.profile
  const workers = options.workers ?? 1
  if (!Number.isInteger(workers) || workers < 1) {
    throw new SteadyError('STEADY_LOAD_WORKERS_INVALID', `--workers must be a whole number ≥ 1, got ${workers}`, {
      hint: 'use --workers 1 (default) or more',
    })
  }
  if (workers > 1 && !options.scenario) {
    throw new SteadyError('STEADY_LOAD_WORKERS_INVALID', 'worker threads run steady scenarios only', {
      hint: 'give a scenario, or run custom iterations with one worker',
    })
  }
  const thresholds = compileThresholds(profile.thresholds, `load.profiles.${profile.name}`)
  const seed = options.seed ?? Math.random().toString(36).slice(2, 10)
  const stop = new AbortController()
  const onSignal = () => stop.abort('signal')
  if (options.signal?.aborted) stop.abort('signal')
  options.signal?.addEventListener('abort', onSignal, { once: true })
  const watch = new AbortWatch(thresholds, stop)
  const windows: WindowSnapshot[] = []
  const totals = new RunTotals()
  const startedAt = new Date()
  const accept = (w: WindowSnapshot, trendsMerged = false) => {
    windows.push(w)
    totals.add(w, { trends: !trendsMerged })
    options.onWindow?.(w)
    watch.check(totals, w.endMs)
  }
  let counts: LoadCounts
  let outcome: ScenarioOutcome | undefined
  const began = performance.now()
  try {
    if (workers === 1) {
      const r = await runInThread(options, seed, stop, accept, watch, totals)
      counts = sumCounts([r.result])
      outcome = r.outcome
    } else {
      const r = await runInWorkers(options, workers, seed, stop, accept)
      counts = sumCounts(r.results)
      outcome = r.outcome
    }
  } finally {
    options.signal?.removeEventListener('abort', onSignal)
    // Worker threads keep their own schedules, and a run that failed never rode: the others go on without it.
    options.tandem?.tandem.leave(options.tandem.index)
  }
  const durationMs = performance.now() - began
  const results = evaluateThresholds(thresholds, totals)
  const saturatedWindows = windows.filter((w) => w.generator.saturated)
  const reasons = [
    ...new Set(saturatedWindows.flatMap((w) => w.generator.reasons.map((r) => r.replace(/ [\d.]+(ms)? ≥/, ' ≥')))),
  ]
  const stopReason = stop.signal.aborted ? (watch.fired ? 'thresholds' : 'signal') : undefined
  const failedThresholds = results.some((r) => !r.ok)
  const sig = options.signal?.aborted ? String(options.signal.reason ?? 'SIGINT') : undefined
  const exitCode = sig === 'SIGTERM' ? 143 : sig ? 130 : saturatedWindows.length ? 3 : failedThresholds ? 1 : 0
  return {
    profile,
    engine: 'embedded',
    workers,
    target: options.target,
    seed,
    startedAt,
    endedAt: new Date(startedAt.getTime() + durationMs),
    durationMs,
    windows,
    totals,
    thresholds: results,
    counts,
    stopReason,
    signal: sig,
    saturated: saturatedWindows.length > 0,
    saturationReasons: reasons,
    scenario: outcome,
    exitCode,
  }
}

function newOutcome(name: string, file?: string): ScenarioOutcome {
  return { name, file, iterations: 0, passed: 0, failed: 0, samples: [] }
}

function countOutcome(
  o: ScenarioOutcome,
  r: { passed: boolean; aborted: boolean; failure?: IterationResult['failure'] },
): void {
  if (r.aborted) return
  o.iterations++
  if (r.passed) o.passed++
  else {
    o.failed++
    if (r.failure && o.samples.length < 5) o.samples.push(r.failure)
  }
}

async function runInThread(
  options: EmbeddedOptions,
  seed: string,
  stop: AbortController,
  accept: (w: WindowSnapshot, trendsMerged?: boolean) => void,
  watch: AbortWatch,
  totals: RunTotals,
): Promise<{ result: RunnerResult; outcome?: ScenarioOutcome }> {
  const clock = options.clock ?? realClock
  let iterate: IterationFn<unknown>
  let vus: VuFactory<unknown>
  let outcome: ScenarioOutcome | undefined
  if (options.scenario) {
    const { loadScenarioFiles } = await import('@steady/scenario')
    const files = await loadScenarioFiles({ patterns: [options.scenario.file] })
    const scenario = files.flatMap((f) => f.scenarios).find((s) => s.name === options.scenario!.name)
    if (!scenario)
      throw new SteadyError(
        'STEADY_LOAD_EXEC_NOT_FOUND',
        `no scenario "${options.scenario.name}" in ${options.scenario.file}`,
        { hint: "check the profile's exec" },
      )
    const o = (outcome = newOutcome(scenario.name, options.scenario.file))
    const s = scenarioIterations(scenario, {
      target: options.target,
      seed,
      setupData: options.setupData,
      timeout: options.timeout,
      redactor: options.redactor,
      onResult: (r) => countOutcome(o, r),
    })
    iterate = s.iterate as IterationFn<unknown>
    vus = s.vus as VuFactory<unknown>
    if (options.warmup !== false) await s.warmup()
  } else if (options.iterate && options.vus) {
    iterate = options.iterate
    vus = options.vus
  } else {
    throw new SteadyError('STEADY_LOAD_NO_WORK', 'runEmbedded needs a scenario, or iterate and vus', {
      hint: 'pass scenario: { file, name }',
    })
  }
  // The clock starts once the scenario is loaded: loading is not part of the schedule.
  const t0 = clock.now()
  const collector = new WindowCollector({
    clock,
    t0,
    windowMs: options.profile.windowMs,
    // Totals merge each closing histogram directly: decoding the encoded form would cost far more.
    onTrend: (key, series, h) => totals.addTrend(key, series, h),
    onWindow: (w) => accept(w, true),
    monitor: options.selfMonitor === false ? undefined : eventLoopMonitor(),
  })
  const runner = new Runner({
    profile: options.profile,
    clock,
    t0,
    collector,
    iterate,
    vus,
    signal: stop.signal,
    ...(options.tandem ? { tandem: options.tandem } : {}),
  })
  // Live abortOnFail checks between windows.
  let timer: (() => void) | undefined
  const tick = () => {
    watch.check(totals.with(collector.peek(), watch.metrics), clock.now() - t0)
    timer = clock.setTimer(clock.now() + abortCheckMs, tick)
  }
  if (watch.active) timer = clock.setTimer(t0 + abortCheckMs, tick)
  try {
    const result = await runner.run()
    return { result, outcome }
  } finally {
    timer?.()
    await collector.flush()
  }
}

async function runInWorkers(
  options: EmbeddedOptions,
  count: number,
  seed: string,
  stop: AbortController,
  accept: (w: WindowSnapshot) => void,
): Promise<{ results: RunnerResult[]; outcome?: ScenarioOutcome }> {
  const url = new URL(import.meta.url.endsWith('.ts') ? './engine/worker.ts' : './engine/worker.js', import.meta.url)
  const workers: Worker[] = []
  let ready = 0
  const pending = new Map<number, WindowSnapshot[]>()
  const delivered = new Array<number>(count).fill(-1)
  const outcome = newOutcome(options.scenario!.name, options.scenario!.file)
  const release = () => {
    // A window is complete when every worker has moved past it.
    const upTo = Math.min(...delivered)
    for (const i of [...pending.keys()].sort((a, b) => a - b)) {
      if (i > upTo) break
      accept(mergeWindows(pending.get(i)!))
      pending.delete(i)
    }
  }
  const runs = Array.from({ length: count }, (_, index) => {
    const input: WorkerInput = {
      profile: options.profile,
      segment: { index, count },
      scenario: options.scenario!,
      target: options.target,
      seed,
      setupData: options.setupData,
      timeout: options.timeout,
      selfMonitor: options.selfMonitor !== false,
      warmup: options.warmup !== false,
    }
    // In the monorepo the worker is TypeScript: register tsx in the thread before importing it.
    const worker = url.pathname.endsWith('.ts')
      ? new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}) })`, {
          eval: true,
          workerData: input,
        })
      : new Worker(url, { workerData: input })
    workers.push(worker)
    const onStop = () => worker.postMessage({ type: 'stop' } satisfies ParentMessage)
    stop.signal.addEventListener('abort', onStop, { once: true })
    return new Promise<RunnerResult>((resolve, reject) => {
      let result: RunnerResult | undefined
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'ready') {
          // Start together once every worker has loaded its scenario, a few ms ahead so none starts late.
          if (++ready === count) {
            const startEpoch = performance.timeOrigin + performance.now() + 20
            for (const w of workers) w.postMessage({ type: 'start', startEpoch } satisfies ParentMessage)
          }
        } else if (m.type === 'window') {
          const list = pending.get(m.window.index) ?? []
          list.push(m.window)
          pending.set(m.window.index, list)
          delivered[index] = m.window.index
          release()
        } else if (m.type === 'outcome') {
          for (const r of m.results) countOutcome(outcome, r)
        } else if (m.type === 'done') {
          result = m.result
        } else if (m.type === 'error') {
          stop.abort('error')
          reject(
            new SteadyError(m.code ?? 'STEADY_LOAD_WORKER_FAILED', `worker ${index + 1}/${count}: ${m.message}`, {
              hint: m.hint ?? 'run with --workers 1 to see the error in the main thread',
            }),
          )
        }
      })
      worker.on('error', (e) => {
        stop.abort('error')
        reject(
          new SteadyError('STEADY_LOAD_WORKER_FAILED', `worker ${index + 1}/${count} crashed: ${e.message}`, {
            hint: 'run with --workers 1',
            cause: e,
          }),
        )
      })
      worker.on('exit', () => {
        stop.signal.removeEventListener('abort', onStop)
        delivered[index] = Number.MAX_SAFE_INTEGER
        release()
        if (result) resolve(result)
        else
          reject(
            new SteadyError('STEADY_LOAD_WORKER_FAILED', `worker ${index + 1}/${count} exited without a result`, {
              hint: 'run with --workers 1',
            }),
          )
      })
    })
  })
  const settled = await Promise.allSettled(runs)
  const failed = settled.find((s) => s.status === 'rejected')
  if (failed) {
    stop.abort('error')
    throw (failed as PromiseRejectedResult).reason
  }
  return { results: settled.map((s) => (s as PromiseFulfilledResult<RunnerResult>).value), outcome }
}
