import type { Duration } from '@steady/record/internal'
import type { EventuallyOptions } from './eventually.ts'
import type { ExpectFunction } from './expect/index.ts'
import type { HttpClient } from './http/client.ts'
import type { Faker } from './data.ts'

/**
 * What a scenario function receives, fresh for every iteration. Sub-flows
 * are plain async functions that take it: `async function login(ctx) { ... }`.
 */
export interface ScenarioContext<S = unknown> {
  /** HTTP client bound to the target; cookies live for this iteration. */
  readonly http: HttpClient
  /**
   * A named, timed unit; steps nest. Requests made inside are attributed to
   * the step (metrics are keyed by step path, never by URL). Steps may run in
   * parallel (`Promise.all([step('a', ...), step('b', ...)])`): a request, or
   * a step opened inside, belongs to the step whose code made it, also after
   * an `await`.
   */
  step<T>(name: string, fn: () => T | Promise<T>): Promise<T>
  /** `expect` that counts every check against this iteration. */
  readonly expect: ExpectFunction
  /** Polls until `fn` stops throwing; aborted with the iteration. */
  eventually<T>(fn: () => T | Promise<T>, options?: EventuallyOptions): Promise<T>
  /** faker, seeded from run seed + scenario + iteration: replaying an iteration generates the same data. */
  readonly data: Faker
  /** The data seed of this iteration (derived from the run seed). */
  readonly seed: number
  /** The scenario being run. */
  readonly scenario: { readonly name: string; readonly tags: readonly string[]; readonly file?: string }
  /** Iteration number within the scenario, from 0. */
  readonly iteration: number
  /** Virtual user running it (0 in `steady run` unless concurrency > 1). */
  readonly vu: number
  /** Aborted when the iteration times out or the run is interrupted; pass it to your own async work. */
  readonly signal: AbortSignal
  /** What the file's `setup` returned (undefined without one). */
  readonly setupData: S
  /** The target's base URL. */
  readonly baseUrl: string
  /** A line shown with the failure (and in `--replay` output), redacted like everything else. */
  log(message: string): void
  /** Waits, unless the iteration is aborted. */
  sleep(duration: Duration): Promise<void>
}
