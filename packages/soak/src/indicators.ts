/**
 * The service's own indicators during a soak: each side's services'
 * `/metrics` (unless the plan turns it off) and, for processes steady
 * started, `/proc`, read in rounds every scrape interval. One round runs at
 * a time: a slow `/metrics` must not pile up requests.
 */
import type { RunEvent, SeriesAggregator } from '@steady/record'
import type { Clock } from '@steady/kernel'
import type { ResolvedPlan } from './plan.ts'
import { ServiceMetricsScraper, DEFAULT_SERVICE_SERIES } from './scrape/service-metrics.ts'
import { ProcSampler } from './scrape/proc.ts'
import { every } from './timers.ts'

/** A side as the indicators see it: its services, and where what is read from them goes. */
interface IndicatorSide {
  services: readonly { name: string; url?: string; pid?: number }[]
  agg?: SeriesAggregator
  event?: (e: RunEvent) => void
}

export interface IndicatorOptions {
  plan: Pick<ResolvedPlan, 'metricsPath' | 'series' | 'extraSeries' | 'proc' | 'scrapeIntervalMs'>
  sides: readonly IndicatorSide[]
  clock: Clock
  /** Soak time, ms since the soak started. */
  now: () => number
  /** The soak's stop signal: a scrape in flight is abandoned. */
  signal: AbortSignal
}

export class Indicators {
  readonly #o: IndicatorOptions
  readonly #scrapers: ServiceMetricsScraper[]
  readonly #samplers: ProcSampler[]
  #scraping: Promise<unknown> = Promise.resolve()
  #stopTimer: (() => void) | undefined

  constructor(o: IndicatorOptions) {
    this.#o = o
    this.#scrapers = scrapersOf(o)
    this.#samplers = samplersOf(o)
  }

  /** Starts a round now and then one every scrape interval, until {@link stopTimer}. */
  start(): void {
    this.round()
    this.#stopTimer = every(this.#o.clock, this.#o.plan.scrapeIntervalMs, () => this.round())
  }

  /** Starts a round after the one in flight: every `/metrics` scraped, then every process sampled. */
  round(): void {
    const { signal } = this.#o
    this.#scraping = this.#scraping.then(() =>
      Promise.all(this.#scrapers.map((s) => s.scrape(signal))).then(() => this.#samplers.forEach((s) => s.sample())),
    )
  }

  /** No more rounds on the timer (a round can still be started by hand). */
  stopTimer(): void {
    this.#stopTimer?.()
  }

  /** Resolves when the last round started has ended. */
  settled(): Promise<unknown> {
    return this.#scraping
  }
}

function scrapersOf({ plan, sides, now }: IndicatorOptions): ServiceMetricsScraper[] {
  if (plan.metricsPath === false) return []
  const path = plan.metricsPath
  const select = plan.series ?? [...DEFAULT_SERVICE_SERIES, ...plan.extraSeries]
  const expected = (plan.series ?? plan.extraSeries).filter((x): x is string => typeof x === 'string')
  return sides.flatMap((side) =>
    side.services
      .filter((s) => s.url)
      .map(
        (s) =>
          new ServiceMetricsScraper({
            service: s.name,
            url: new URL(path, s.url!.endsWith('/') ? s.url : s.url + '/').href,
            select,
            expected,
            aggregator: side.agg!,
            onEvent: side.event!,
            now,
          }),
      ),
  )
}

// /proc only for processes steady started (a control URL has no pid).
function samplersOf({ plan, sides, now }: IndicatorOptions): ProcSampler[] {
  if (!plan.proc) return []
  return sides.flatMap((side) =>
    side.services
      .filter((s) => s.pid)
      .map((s) => new ProcSampler({ service: s.name, pid: s.pid!, aggregator: side.agg!, onEvent: side.event!, now })),
  )
}
