/**
 * The work of a `steady run`: `concurrency` workers take the jobs in order;
 * each job waits for its file's setup, runs its iteration (or fails it with
 * the setup's failure), and is counted. Workers stop taking jobs after an
 * interrupt, or after `bail` failed iterations.
 */
import type { SeriesAggregator } from '@steady/record'
import { runIteration, type IterationResult, type RequestEvent } from '../iteration.ts'
import type { FailureSample } from '../failure.ts'
import type { FileHooks, IterationCommon } from './hooks.ts'
import type { RunFailures } from './failures.ts'
import { countIteration, type Job, type Tally } from './tally.ts'

export interface WorkOptions {
  jobs: readonly Job[]
  concurrency: number
  signal?: AbortSignal
  /** Stop starting iterations after the first failure (`true`) or after N failures. */
  bail?: boolean | number
  hooks: FileHooks
  common: IterationCommon
  agg: SeriesAggregator
  failures: RunFailures
  /** Every request event (metrics). */
  onRequest?: (event: RequestEvent) => void
  /** Every iteration, counted, as it ends (the reporters' progress). */
  iterationEnded: (result: IterationResult) => Promise<void>
  /** A scenario's last job is done. */
  scenarioEnded: (tally: Tally) => Promise<void>
}

export class Work {
  /** Iterations that failed (not counting interrupted ones). */
  failed = 0
  /** Why the workers stopped before the jobs ran out. */
  stopReason: 'bail' | 'interrupt' | undefined
  readonly #o: WorkOptions
  readonly #bailAfter: number
  #next = 0

  constructor(o: WorkOptions) {
    this.#o = o
    this.#bailAfter = o.bail === true ? 1 : typeof o.bail === 'number' && o.bail > 0 ? o.bail : Infinity
  }

  /** Runs the workers until the jobs run out or they stop. */
  async run(): Promise<void> {
    const { concurrency, jobs } = this.#o
    const workers = Math.min(concurrency, Math.max(1, jobs.length))
    await Promise.all(Array.from({ length: workers }, (_, vu) => this.#worker(vu)))
  }

  async #worker(vu: number): Promise<void> {
    const o = this.#o
    for (;;) {
      if (o.signal?.aborted) this.stopReason ??= 'interrupt'
      if (this.stopReason || this.#next >= o.jobs.length) return
      const job = o.jobs[this.#next++]
      const { tally } = job
      const setup = await o.hooks.setup(tally.file)
      const result = setup.ok ? await this.#iteration(job, vu, setup.data) : setupFailed(job, vu, setup.failure!)
      countIteration(tally, result, o.agg, o.failures)
      await o.iterationEnded(result)
      if (!result.passed && !result.aborted && ++this.failed >= this.#bailAfter) this.stopReason ??= 'bail'
      tally.remaining--
      if (tally.remaining === 0) await o.scenarioEnded(tally)
      o.hooks.jobDone(tally.file)
    }
  }

  #iteration(job: Job, vu: number, setupData: unknown): Promise<IterationResult> {
    const o = this.#o
    const { tally } = job
    return runIteration(tally.scenario, {
      ...o.common,
      iteration: job.iteration,
      vu,
      signal: o.signal,
      setupData,
      file: tally.file.relativePath,
      onRequest: (ev) => {
        o.agg.duration('probe', 'http_req_duration', { scenario: ev.scenario, step: ev.step }, ev.durationMs, {
          error: ev.expected ? undefined : (ev.error ?? `status_${ev.status}`),
        })
        o.onRequest?.(ev)
      },
    })
  }
}

/** The result of an iteration that could not run because its file's setup failed: the setup's failure. */
function setupFailed(job: Job, vu: number, failure: FailureSample): IterationResult {
  const scenario = job.tally.scenario.name
  return {
    scenario,
    iteration: job.iteration,
    vu,
    seed: 0,
    passed: false,
    aborted: false,
    durationMs: 0,
    startedAt: Date.now(),
    steps: [],
    requests: 0,
    unexpectedRequests: 0,
    checks: { passed: 0, failed: 0 },
    failure: { ...failure, scenario, replay: { ...failure.replay, scenario, iteration: job.iteration } },
  }
}
