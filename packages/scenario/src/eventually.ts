/**
 * Polling for eventual consistency: call `fn` until it stops throwing, every
 * `every`, for at most `timeout`; when it gives up it throws the last failure
 * (with its diff), the number of attempts and how long it tried.
 */
import { formatDuration, parseDuration, type Duration } from '@steady/record/internal'
import { isExpectationError } from './expect/error.ts'
import { kExpectation } from './symbols.ts'

/** Time as pollers see it; tests inject a fake one. */
export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number
  /** Resolves after `ms`, or rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

/** The real clock: `performance.now()` and timers. */
export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal))
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }, ms)
      const onAbort = () => {
        clearTimeout(timer)
        reject(abortError(signal!))
      }
      signal?.addEventListener('abort', onAbort, { once: true })
    }),
}

function abortError(signal: AbortSignal): Error {
  const r = signal.reason
  return r instanceof Error ? r : new DOMException(typeof r === 'string' ? `aborted (${r})` : 'aborted', 'AbortError')
}

/** Options of {@link eventually}. */
export interface EventuallyOptions {
  /** Give up after this long. Default `'10s'`. */
  timeout?: Duration
  /** Wait this long between attempts. Default `'250ms'`. */
  every?: Duration
  /** Stops polling (the iteration's signal is used in a scenario). */
  signal?: AbortSignal
  /** Injected time (tests). */
  clock?: Clock
  /** What is being waited for, for the message (`'order shipped'`). */
  message?: string
}

/** Thrown when {@link eventually} gives up; carries the last failure. */
export class EventuallyError extends Error {
  readonly attempts: number
  readonly elapsedMs: number
  /** The last attempt's diff, when it was an expectation. */
  readonly diff: string | undefined
  readonly matcher: string
  readonly subject: unknown
  readonly [kExpectation]: boolean

  constructor(message: string, attempts: number, elapsedMs: number, last: unknown) {
    super(message, { cause: last })
    this.name = 'EventuallyError'
    this.attempts = attempts
    this.elapsedMs = elapsedMs
    const e = isExpectationError(last) ? last : undefined
    this.diff = e?.diff
    this.matcher = `eventually(${e?.matcher ?? 'error'})`
    this.subject = e?.subject
    // An unmet expectation stays an assertion failure; a thrown error stays an error.
    this[kExpectation] = e !== undefined
  }
}

/**
 * Retries `fn` until it resolves without throwing; returns its value.
 *
 * ```ts
 * await eventually(async () => {
 *   const r = await http.get(`/api/orders/${id}`)
 *   expect(r.json()).toMatchObject({ state: 'shipped' })
 * }, { timeout: '30s', every: '250ms' })
 * ```
 */
export async function eventually<T>(fn: () => T | Promise<T>, options: EventuallyOptions = {}): Promise<T> {
  const clock = options.clock ?? realClock
  const timeout = parseDuration(options.timeout ?? '10s', 'eventually.timeout')
  const every = parseDuration(options.every ?? '250ms', 'eventually.every')
  const start = clock.now()
  let attempts = 0
  let last: unknown
  for (;;) {
    if (options.signal?.aborted) throw abortError(options.signal)
    attempts++
    try {
      return await fn()
    } catch (error) {
      // An aborted request inside the attempt means the iteration is over: stop now.
      if (options.signal?.aborted) throw error
      last = error
    }
    const elapsed = clock.now() - start
    if (elapsed + every > timeout) {
      const what = options.message ? `${options.message}: ` : ''
      const lastMessage = last instanceof Error ? last.message : String(last)
      throw new EventuallyError(
        `${what}still failing after ${attempts} attempts in ${formatDuration(elapsed)} ` +
          `(timeout ${formatDuration(timeout)}); last failure: ${lastMessage}`,
        attempts,
        elapsed,
        last,
      )
    }
    await clock.sleep(every, options.signal)
  }
}
