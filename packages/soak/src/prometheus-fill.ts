/**
 * A Prometheus server's series in a soak: each window is filled from
 * query_range over its span when it closes (and the rest at the end). A
 * query that fails is a `scrape-failed` event, not the end of the soak.
 */
import type { RunEvent, SeriesAggregator } from '@steady/record'
import { fillFromRange } from './scrape/prometheus-query.ts'
import type { ResolvedPlan } from './plan.ts'

export interface PrometheusFillOptions {
  plan: Pick<ResolvedPlan, 'prometheus' | 'scrapeIntervalMs'>
  agg: SeriesAggregator
  /** Wall-clock ms (Unix epoch) at which the soak's clock was 0. */
  wallStartMs: number
  /** The phase a point at `atMs` belongs to. */
  phaseAt: (atMs: number) => string
  /** Soak time, ms since the soak started. */
  now: () => number
  /** The soak's stop signal: queries in flight are abandoned, and their failure is not reported. */
  signal: AbortSignal
  event: (e: RunEvent) => void
}

export class PrometheusFill {
  readonly #o: PrometheusFillOptions
  #filledUpTo = 0

  constructor(o: PrometheusFillOptions) {
    this.#o = o
  }

  /** Fills every query's series from where the last fill ended up to `toMs` (nothing without a Prometheus). */
  async fillTo(toMs: number): Promise<void> {
    const { plan, agg, signal } = this.#o
    const prom = plan.prometheus
    if (!prom || toMs <= this.#filledUpTo) return
    const span = {
      fromMs: this.#filledUpTo,
      toMs,
      wallStartMs: this.#o.wallStartMs,
      stepMs: plan.scrapeIntervalMs,
      phaseAt: this.#o.phaseAt,
    }
    this.#filledUpTo = toMs
    await Promise.all(
      prom.queries.map((q) =>
        fillFromRange(prom.url, q, agg, span, signal).catch((e: Error) => {
          if (signal.aborted) return
          const message = `PromQL ${q.name}: ${e.message}`
          this.#o.event({ atMs: this.#o.now(), kind: 'scrape-failed', message, data: { query: q.name } })
        }),
      ),
    )
  }
}
