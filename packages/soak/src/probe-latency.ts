/**
 * The probes' latency for the progress line: successful candidate requests
 * in a histogram per open window, and the p95 of the last window closed.
 * Closed windows' histograms are reset and reused.
 */
import { LatencyHistogram } from '@steady/record'

export class ProbeLatency {
  readonly #open = new Map<number, LatencyHistogram>()
  readonly #spare: LatencyHistogram[] = []

  /** A request of `ms` that completed in window `window`. */
  record(window: number, ms: number): void {
    let h = this.#open.get(window)
    if (!h) this.#open.set(window, (h = this.#spare.pop() ?? new LatencyHistogram()))
    h.record(ms)
  }

  /** Closes every window before `upTo`; returns the p95 of window `upTo - 1` (undefined when it had no request). */
  close(upTo: number): number | undefined {
    const last = this.#open.get(upTo - 1)
    const p95 = last ? last.quantile(0.95) : undefined
    for (const [i, h] of this.#open) {
      if (i >= upTo) continue
      this.#open.delete(i)
      h.reset()
      this.#spare.push(h)
    }
    return p95
  }

  /** Windows still open (for tests: closed ones are given back). */
  get openWindows(): number {
    return this.#open.size
  }
}
