/**
 * Time, injected. Schedulers, windows and pollers read the time and wait
 * through a {@link Clock}, so tests drive them with a {@link VirtualClock}
 * and check schedules exactly, never by timing. What only needs to know the
 * date (judging a history against "now") takes a {@link WallClock}.
 */
import { performance } from 'node:perf_hooks'

/** Where the date comes from. Inject a fixed one in tests so judgements are deterministic. */
export interface WallClock {
  /** Milliseconds since the Unix epoch. */
  now(): number
}

/** The wall clock: `Date.now()`. */
export const systemClock: WallClock = { now: () => Date.now() }

/** A clock that can also wait: what a scheduler, a load engine or a poller runs on. */
export interface Clock {
  /** Milliseconds on a monotonic timeline (fractional). */
  now(): number
  /** Calls `fn` once the clock reaches `atMs`; returns a function that cancels it. */
  setTimer(atMs: number, fn: () => void): () => void
  /** Resolves when the clock reaches `atMs`, or at once when `signal` aborts (never rejects). */
  sleepUntil(atMs: number, signal?: AbortSignal): Promise<void>
}

/** The real clock: `performance.now()` and `setTimeout` (which may fire late; callers measure how late). */
export const realClock: Clock = {
  now: () => performance.now(),
  setTimer(atMs, fn) {
    const t = setTimeout(fn, Math.max(0, atMs - performance.now()))
    return () => clearTimeout(t)
  },
  sleepUntil(atMs, signal) {
    return sleepWith(realClock, atMs, signal)
  },
}

function sleepWith(clock: Clock, atMs: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted || clock.now() >= atMs) return Promise.resolve()
  return new Promise<void>((resolve) => {
    const done = () => {
      cancel()
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const cancel = clock.setTimer(atMs, done)
    signal?.addEventListener('abort', done, { once: true })
  })
}

interface VirtualTimer {
  at: number
  seq: number
  fn: () => void
  cancelled: boolean
}

/**
 * A clock that moves only when told to. {@link VirtualClock.drive} runs a
 * promise to completion, jumping from timer to timer whenever every pending
 * microtask has settled, so an engine run over ten virtual minutes takes
 * milliseconds and always takes the same path.
 */
export class VirtualClock implements Clock {
  #now: number
  #seq = 0
  #timers: VirtualTimer[] = []

  constructor(startMs = 0) {
    this.#now = startMs
  }

  now(): number {
    return this.#now
  }

  setTimer(atMs: number, fn: () => void): () => void {
    const timer: VirtualTimer = { at: Math.max(atMs, this.#now), seq: this.#seq++, fn, cancelled: false }
    // Keep the list sorted by (at, seq): timers due at the same instant fire in the order they were set.
    let i = this.#timers.length
    while (i > 0 && this.#timers[i - 1].at > timer.at) i--
    this.#timers.splice(i, 0, timer)
    return () => {
      timer.cancelled = true
    }
  }

  sleepUntil(atMs: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, atMs, signal)
  }

  /**
   * Moves the clock forward by `ms` at once, firing nothing: what a
   * synchronous busy loop (or a stalled event loop) does to a real clock.
   * Timers that fell due meanwhile fire late, at the new time, on the next
   * step of {@link VirtualClock.drive} or {@link VirtualClock.advance}.
   */
  block(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`VirtualClock.block: ms must be ≥ 0, got ${ms}`)
    this.#now += ms
  }

  /** Moves the clock forward by `ms`, firing every timer due on the way (with microtasks settled between them). */
  async advance(ms: number): Promise<void> {
    const until = this.#now + ms
    for (;;) {
      await settle()
      const next = this.#nextTimer()
      if (!next || next.at > until) break
      this.#timers.shift()
      // A timer that fell due while the clock was blocked fires late: time never runs backwards.
      this.#now = Math.max(this.#now, next.at)
      next.fn()
    }
    this.#now = Math.max(this.#now, until)
    await settle()
  }

  /**
   * Runs until `work` settles, jumping to the next timer each time nothing
   * else can happen. Throws if `work` waits on something no timer will ever
   * resolve, or after `maxSteps` timers (a runaway loop).
   */
  async drive<T>(work: Promise<T>, maxSteps = 10_000_000): Promise<T> {
    let settled = false
    let value: T | undefined
    let failure: { error: unknown } | undefined
    work.then(
      (v) => {
        settled = true
        value = v
      },
      (error: unknown) => {
        settled = true
        failure = { error }
      },
    )
    for (let steps = 0; ; steps++) {
      await settle()
      if (settled) break
      const next = this.#nextTimer()
      if (!next) throw new Error('VirtualClock.drive: the work is waiting but no timer is pending (deadlock)')
      if (steps >= maxSteps) throw new Error(`VirtualClock.drive: more than ${maxSteps} timers fired`)
      this.#timers.shift()
      // A timer that fell due while the clock was blocked fires late: time never runs backwards.
      this.#now = Math.max(this.#now, next.at)
      next.fn()
    }
    if (failure) throw failure.error
    return value as T
  }

  #nextTimer(): VirtualTimer | undefined {
    while (this.#timers.length && this.#timers[0].cancelled) this.#timers.shift()
    return this.#timers[0]
  }
}

/** Lets every queued microtask (and promise chain) run: setImmediate runs after the microtask queue drains. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
