/**
 * Scrapes a service's Prometheus `/metrics` into the run's series: gauges as
 * sampled, counters as per-window increases that survive resets, histograms as
 * per-window bucket increases. A summary's `_count` and `_sum` are counters
 * like any other (so a window's count is its requests and its rate is that
 * over the window), its mean over each scrape interval is a `<family>_mean`
 * gauge, and its quantiles (computed by the client over its own sliding
 * window) are gauges as sampled. A restart (a counter going backwards, a new
 * `process_start_time_seconds`) and a streak of failed scrapes become run
 * events with their time: data, not a runner failure.
 */
import { splitUrlCredentials } from '@steady/kernel'
import type { RunEvent, SeriesAggregator } from '@steady/record'
import { parsePrometheusText, type Sample } from './prometheus-text.ts'

/**
 * What is kept by default: the indicators that say whether a Node.js (or any
 * prom-client / client_golang / client_python) service is healthy, and any
 * request-duration histogram.
 */
export const DEFAULT_SERVICE_SERIES: readonly (string | RegExp)[] = [
  'process_resident_memory_bytes',
  'process_cpu_seconds_total',
  'process_open_fds',
  'nodejs_heap_size_used_bytes',
  'nodejs_heap_size_total_bytes',
  'nodejs_external_memory_bytes',
  'nodejs_eventloop_lag_seconds',
  'nodejs_eventloop_lag_p99_seconds',
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'go_memstats_heap_inuse_bytes',
  'go_goroutines',
  /^[a-z_]*request_duration_seconds$/,
]

export interface ServiceScrapeOptions {
  /** The service's name, a tag on every series (`service=store`). */
  service: string
  /** The full URL of its metrics endpoint. */
  url: string
  /**
   * Metric families to keep: exact names or RegExps. Default {@link DEFAULT_SERVICE_SERIES}. A name
   * may also be a sample's own name (`rpc_duration_seconds_count`, `..._bucket`): that sample is kept.
   */
  select?: readonly (string | RegExp)[]
  /**
   * Names the user asked for (the plan's `series` or `extraSeries`): one that the first successful
   * scrape does not have, as a family or a sample, gets one `note` event naming it.
   */
  expected?: readonly string[]
  /** Per-scrape timeout in ms (default 3000). */
  timeoutMs?: number
  /** Failed scrapes in a row that make a `scrape-failed` event (default 3). */
  failureStreak?: number
  aggregator: SeriesAggregator
  /** Receives restart and scrape events. */
  onEvent: (event: RunEvent) => void
  /** Monotonic ms since the run started. */
  now: () => number
}

function labelKey(name: string, labels: Record<string, string>): string {
  return name + JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)))
}

export class ServiceMetricsScraper {
  readonly #o: ServiceScrapeOptions
  /** The URL without user and password, as shown, and their authorization header. */
  readonly #url: { url: string; shown: string; authorization?: string }
  readonly #select: readonly (string | RegExp)[]
  /** Last counter values and histogram buckets, by series. */
  readonly #counters = new Map<string, number>()
  readonly #histos = new Map<string, { buckets: Map<string, number>; sum: number }>()
  /** Last `_count` and `_sum` of each summary, by series, for the mean over a scrape interval. */
  readonly #summaries = new Map<string, { count: number; sum: number }>()
  #startTime: number | undefined
  #failures = 0
  #down = false
  /** Successful scrapes so far. */
  scrapes = 0

  constructor(options: ServiceScrapeOptions) {
    this.#o = options
    this.#select = options.select ?? DEFAULT_SERVICE_SERIES
    // A URL with user and password: fetch refuses it, so they go in a header, and messages show it masked.
    this.#url = splitUrlCredentials(options.url)
  }

  #wanted(s: Sample): boolean {
    if (s.family === 'process_start_time_seconds') return true
    return this.#select.some((x) => (typeof x === 'string' ? x === s.family || x === s.name : x.test(s.family)))
  }

  /** Once, on the first successful scrape: names asked for that the endpoint does not expose. */
  #checkExpected(samples: readonly Sample[], at: number): void {
    const names = new Set(samples.flatMap((s) => [s.family, s.name]))
    for (const name of this.#o.expected ?? []) {
      if (names.has(name)) continue
      this.#o.onEvent({
        atMs: at,
        kind: 'note',
        message:
          `${this.#o.service}: ${this.#url.shown} has no series ${name} ` +
          "(asked for in the soak plan's scrape series)",
        data: { service: this.#o.service, series: name },
      })
    }
  }

  /** One scrape. Never throws: a failure is counted and, in a streak, reported. */
  async scrape(signal?: AbortSignal): Promise<boolean> {
    const at = this.#o.now()
    let text: string
    try {
      const timeout = AbortSignal.timeout(this.#o.timeoutMs ?? 3000)
      const headers = this.#url.authorization ? { authorization: this.#url.authorization } : undefined
      const res = await fetch(this.#url.url, { headers, signal: signal ? AbortSignal.any([signal, timeout]) : timeout })
      if (!res.ok) throw new Error(`HTTP ${res.status}`)
      text = await res.text()
    } catch (error) {
      if (signal?.aborted) return false
      this.#failures++
      if (this.#failures === (this.#o.failureStreak ?? 3) && !this.#down) {
        this.#down = true
        this.#o.onEvent({
          atMs: at,
          kind: 'scrape-failed',
          message:
            `${this.#o.service}: ${this.#failures} scrapes of ${this.#url.shown} failed in a row ` +
            `(${(error as Error).message})`,
          data: { service: this.#o.service, error: (error as Error).message },
        })
      }
      return false
    }
    let samples: Sample[]
    try {
      samples = parsePrometheusText(text)
    } catch (error) {
      this.#o.onEvent({
        atMs: at,
        kind: 'scrape-failed',
        message: `${this.#o.service}: unreadable metrics: ${(error as Error).message}`,
        data: { service: this.#o.service },
      })
      return false
    }
    if (this.#down) {
      this.#o.onEvent({
        atMs: at,
        kind: 'scrape-recovered',
        message: `${this.#o.service}: metrics answer again after ${this.#failures} failed scrapes`,
        data: { service: this.#o.service },
      })
    }
    this.#down = false
    this.#failures = 0
    if (this.scrapes === 0) this.#checkExpected(samples, at)
    this.#ingest(samples, at)
    this.scrapes++
    return true
  }

  /** A counter's increase since the last scrape (all of it after a reset), into the window of `at`. */
  #counter(
    s: Sample,
    tags: Record<string, string>,
    at: number,
    restarted: boolean,
    resets: string[],
    unit: string,
  ): void {
    const key = labelKey(s.name, s.labels)
    const prev = this.#counters.get(key)
    this.#counters.set(key, s.value)
    if (prev === undefined) return
    let delta = s.value - prev
    if (delta < 0) resets.push(`${s.name} went from ${prev} to ${s.value}`)
    if (delta < 0 || restarted) delta = s.value
    this.#o.aggregator.count('service', s.name, tags, delta, { atMs: at, unit })
  }

  /** A summary's mean over the last scrape interval: its `_sum` increase over its `_count` increase. */
  #summaryMean(key: string, t: SummaryTotals, at: number, restarted: boolean): void {
    if (t.count === undefined || t.sum === undefined) return
    const prev = this.#summaries.get(key)
    this.#summaries.set(key, { count: t.count, sum: t.sum })
    if (!prev) return
    const reset = restarted || t.count < prev.count
    const count = reset ? t.count : t.count - prev.count
    const sum = reset ? t.sum : t.sum - prev.sum
    // No requests in the interval: no mean (not zero).
    if (count <= 0) return
    this.#o.aggregator.gauge('service', `${t.family}_mean`, t.tags, sum / count, { atMs: at, unit: unitOf(t.family) })
  }

  #ingest(samples: Sample[], at: number): void {
    const agg = this.#o.aggregator
    const service = this.#o.service
    const resets: string[] = []
    // A new process start time means every counter started again from zero, even one that
    // has already climbed past its old value (a counter going backwards alone would miss it).
    const start = samples.find((s) => s.family === 'process_start_time_seconds')?.value
    const restarted = start !== undefined && this.#startTime !== undefined && start !== this.#startTime
    if (restarted) resets.push(`process_start_time_seconds went from ${this.#startTime} to ${start}`)
    if (start !== undefined) this.#startTime = start
    const histograms = new Map<
      string,
      { family: string; labels: Record<string, string>; buckets: Map<string, number>; sum: number }
    >()
    const summaries = new Map<string, SummaryTotals>()
    for (const s of samples) {
      if (!this.#wanted(s)) continue
      if (s.family === 'process_start_time_seconds') continue
      const tags = { ...s.labels, service }
      if (s.type === 'histogram') {
        if (s.name.endsWith('_created')) continue
        const { le, ...rest } = s.labels
        const key = labelKey(s.family, rest)
        let h = histograms.get(key)
        if (!h)
          histograms.set(key, (h = { family: s.family, labels: { ...rest, service }, buckets: new Map(), sum: 0 }))
        if (s.name.endsWith('_bucket') && le !== undefined) h.buckets.set(le, s.value)
        else if (s.name.endsWith('_sum')) h.sum = s.value
      } else if (s.type === 'counter') {
        if (s.name.endsWith('_created')) continue
        this.#counter(s, tags, at, restarted, resets, s.name.endsWith('_seconds_total') ? 'seconds' : 'count')
      } else if (s.type === 'summary' && s.name !== s.family) {
        if (s.name.endsWith('_created')) continue
        const part = s.name.endsWith('_sum') ? 'sum' : 'count'
        this.#counter(s, tags, at, restarted, resets, part === 'sum' ? unitOf(s.family) : 'count')
        const key = labelKey(s.family, s.labels)
        let t = summaries.get(key)
        if (!t) summaries.set(key, (t = { family: s.family, tags }))
        t[part] = s.value
      } else {
        agg.gauge('service', s.name, tags, s.value, { atMs: at, unit: unitOf(s.name) })
      }
    }
    for (const [key, h] of histograms) {
      const prev = this.#histos.get(key)
      this.#histos.set(key, { buckets: h.buckets, sum: h.sum })
      if (!prev) continue
      const infNow = h.buckets.get('+Inf') ?? 0
      const infPrev = prev.buckets.get('+Inf') ?? 0
      const reset = restarted || infNow < infPrev
      if (infNow < infPrev) resets.push(`${h.family} count went from ${infPrev} to ${infNow}`)
      const deltas: [number | '+Inf', number][] = [...h.buckets.entries()]
        .map(([le, v]): [number | '+Inf', number] => [
          le === '+Inf' ? '+Inf' : Number(le),
          reset ? v : v - (prev.buckets.get(le) ?? 0),
        ])
        .sort((a, b) => (a[0] === '+Inf' ? 1 : b[0] === '+Inf' ? -1 : a[0] - b[0]))
      agg.bucketDelta('service', h.family, h.labels, deltas, reset ? h.sum : h.sum - prev.sum, {
        atMs: at,
        unit: 'seconds',
      })
    }
    for (const [key, t] of summaries) this.#summaryMean(key, t, at, restarted)
    if (resets.length) {
      this.#o.onEvent({
        atMs: at,
        kind: 'service-restart',
        message: `${service} restarted (${resets[0]}${resets.length > 1 ? ` and ${resets.length - 1} more` : ''})`,
        data: { service, evidence: resets.slice(0, 5) },
      })
    }
  }
}

interface SummaryTotals {
  family: string
  tags: Record<string, string>
  count?: number
  sum?: number
}

function unitOf(name: string): string {
  if (name.endsWith('_bytes')) return 'bytes'
  if (name.endsWith('_seconds')) return 'seconds'
  if (name.endsWith('_ratio')) return 'ratio'
  return ''
}
