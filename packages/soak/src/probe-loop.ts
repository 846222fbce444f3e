/**
 * The probe loop: the measured user flows. `probeConcurrency` workers run
 * the scenarios again and again (in the order of {@link ProbeOrder}) until
 * the soak ends; each iteration counts in the phase it started in (one that
 * ends in the next phase is marked straddling), its requests in the windows
 * they completed in. An iteration cut short by the end of the soak is not a
 * result of the service and is dropped.
 */
import type { Redactor, RunRecordWriter } from '@steady/record'
import { runIteration, type IterationResult, type RequestEvent } from '@steady/scenario'
import type { Clock } from '@steady/kernel'
import type { LiveMetrics } from './live-metrics.ts'
import type { PhaseTracker } from './phase-tracker.ts'
import type { ResolvedPlan } from './plan.ts'
import { failureEntry } from './preflight.ts'
import type { ProbeLatency } from './probe-latency.ts'
import type { ProbeOrder } from './probe-order.ts'
import type { ProbeTask, SideRun } from './sides.ts'
import { sleepFor } from './timers.ts'

export interface ProbeLoopOptions {
  tasks: readonly ProbeTask[]
  order: ProbeOrder<SideRun, ProbeTask>
  plan: Pick<ResolvedPlan, 'probeConcurrency' | 'probeTimeoutMs' | 'probePauseMs'>
  seed: string
  headers?: Record<string, string>
  redactor: Redactor
  clock: Clock
  /** When the soak started on `clock` (request events' times are on the same timeline). */
  t0: number
  /** Soak time, ms since the soak started. */
  now: () => number
  /** The window a soak time falls in. */
  windowOf: (atMs: number) => number
  phases: PhaseTracker
  writer: Pick<RunRecordWriter, 'iteration' | 'failure'>
  live?: LiveMetrics
  /** The candidate's successful requests, for the progress line's p95. */
  latency: ProbeLatency
  /** The soak's stop signal. */
  signal: AbortSignal
}

export class ProbeLoop {
  readonly #o: ProbeLoopOptions
  readonly #end = new AbortController()
  readonly #signal: AbortSignal
  #workers: Promise<void>[] = []

  constructor(o: ProbeLoopOptions) {
    this.#o = o
    this.#signal = AbortSignal.any([o.signal, this.#end.signal])
  }

  /** Starts the workers (none when there is no scenario). */
  start(): void {
    const { tasks, plan } = this.#o
    this.#workers = tasks.length ? Array.from({ length: plan.probeConcurrency }, (_, i) => this.#worker(i)) : []
  }

  /** Stops probing: iterations in flight are aborted; resolves when every worker has ended. */
  async stop(): Promise<void> {
    this.#end.abort('soak end')
    await Promise.all(this.#workers)
  }

  async #worker(vu: number): Promise<void> {
    const o = this.#o
    const signal = this.#signal
    while (!signal.aborted) {
      const { side, t, iteration } = o.order.next()
      const startPhase = o.phases.name
      const startIndex = o.phases.index
      const r = await runIteration(t.scenario, {
        baseUrl: side.target,
        seed: o.seed,
        iteration,
        vu,
        signal,
        timeout: o.plan.probeTimeoutMs,
        setupData: side.setup.get(t.file),
        headers: o.headers,
        redactor: o.redactor,
        runStart: o.t0,
        file: t.file.relativePath,
        onRequest: (e) => this.#request(side, e, startPhase),
      })
      // An iteration cut short by the end of the soak is not a result of the service.
      if (r.aborted) break
      this.#record(side, t, r, startPhase, startIndex)
      if (o.plan.probePauseMs > 0) await sleepFor(o.clock, o.plan.probePauseMs, signal)
    }
  }

  #request(side: SideRun, e: RequestEvent, phase: string): void {
    const o = this.#o
    const error = errorKindOf(e)
    side.agg!.duration('probe', 'http_req_duration', { scenario: e.scenario, name: e.step }, e.durationMs, {
      atMs: e.endTime - o.t0,
      phase,
      ...(error ? { error } : {}),
    })
    // The live line and /metrics follow the candidate.
    if (!error && side.side !== 'control') {
      o.live?.probeDuration.labels(e.scenario, e.step).observe(e.durationMs / 1000)
      o.latency.record(o.windowOf(e.endTime - o.t0), e.durationMs)
    }
  }

  #record(side: SideRun, t: ProbeTask, r: IterationResult, phase: string, startIndex: number): void {
    const o = this.#o
    const straddling = o.phases.index !== startIndex
    const errorKind = r.passed ? undefined : (r.failure?.errorKind ?? (r.failure ? 'assertion' : 'error'))
    const sagg = side.agg!
    const scenario = { scenario: t.scenario.name }
    sagg.outcome('probe', 'iterations', scenario, r.passed, { error: errorKind, phase })
    const failed = r.passed ? {} : { error: errorKind }
    sagg.duration('probe', 'iteration_duration', scenario, r.durationMs, { phase, ...failed })
    const sideOf = side.side ? { side: side.side } : {}
    const described = { name: t.scenario.name, file: t.file.relativePath, tags: t.scenario.tags, ...sideOf }
    o.writer.iteration(described, r.passed, straddling)
    side.iterations++
    if (r.passed) side.passed++
    if (side.side !== 'control') o.live?.iterations.labels(t.scenario.name, r.passed ? 'passed' : 'failed').inc()
    if (r.failure) {
      const { signature, sample } = failureEntry(t.scenario.name, r.failure, { atMs: o.now(), phase })
      o.writer.failure({ ...signature, ...sideOf }, sample)
    }
  }
}

/** The error a request event counts with: none for an expected answer. */
function errorKindOf(e: RequestEvent): string | undefined {
  if (e.expected) return undefined
  return e.error ?? (e.status ? `status_${e.status}` : 'error')
}
