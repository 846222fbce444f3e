/**
 * Closing the soak's windows: every window length, the ticker fills the
 * PromQL series up to the boundary of the last whole window, writes the
 * windows up to that boundary, and says so (the progress line follows). One
 * tick at a time: a slow Prometheus delays a flush, never reorders it.
 */
import type { Clock } from '@steady/kernel'
import { every } from './timers.ts'

export interface WindowTickerOptions {
  clock: Clock
  windowMs: number
  /** Soak time, ms since the soak started. */
  now: () => number
  /** The PromQL fill up to `toMs`, before the windows up to it are written. */
  fill: (toMs: number) => Promise<void>
  /** Writes every window that ends at or before `atMs`. */
  flushAt: (atMs: number) => void
  /** After a flush: `upTo` is the first window still open. */
  closed: (upTo: number) => void
}

export class WindowTicker {
  readonly #o: WindowTickerOptions
  #ticking: Promise<void> = Promise.resolve()
  #stopTimer: (() => void) | undefined

  constructor(o: WindowTickerOptions) {
    this.#o = o
  }

  /** Ticks every window length from now on, until {@link stopTimer}. */
  start(): void {
    this.#stopTimer = every(this.#o.clock, this.#o.windowMs, () => {
      this.#ticking = this.#ticking.then(() => this.#tick())
    })
  }

  /** No more ticks on the timer; {@link settled} resolves when the last one has ended. */
  stopTimer(): void {
    this.#stopTimer?.()
  }

  settled(): Promise<void> {
    return this.#ticking
  }

  async #tick(): Promise<void> {
    const { windowMs } = this.#o
    const upTo = Math.max(0, Math.floor(this.#o.now() / windowMs))
    await this.#o.fill(upTo * windowMs)
    this.#o.flushAt(upTo * windowMs)
    this.#o.closed(upTo)
  }
}
