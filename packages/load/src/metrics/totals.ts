/**
 * Whole-run totals folded from windows: what thresholds (evaluated over the
 * whole run, as k6 does) and the end-of-test summary read.
 */
import { createHistogram, decodeHistogram, type LatencyHistogram } from './histogram.ts'
import { tagsMatch, type MetricType } from './metrics.ts'
import type { SeriesId, WindowSnapshot } from './windows.ts'

export class RunTotals {
  readonly counters = new Map<string, SeriesId & { value: number }>()
  readonly rates = new Map<string, SeriesId & { passes: number; fails: number }>()
  readonly gauges = new Map<string, SeriesId & { min: number; max: number; last: number }>()
  readonly trends = new Map<string, SeriesId & { h: LatencyHistogram }>()
  /** ms from the run's start covered by the windows folded in. */
  startMs = Infinity
  endMs = 0
  windows = 0
  saturatedWindows = 0
  /** Metric types learned at run time (k6 custom metrics). */
  readonly types = new Map<string, MetricType>()

  /** Merges one trend histogram (a window's, before it is reused) without going through its encoding. */
  addTrend(key: string, series: SeriesId, h: LatencyHistogram): void {
    const o = this.trends.get(key)
    if (o) o.h.merge(h)
    else this.trends.set(key, { metric: series.metric, tags: series.tags, h: createHistogram().merge(h) })
  }

  /** Folds one window in; `trends: false` when its trends came through {@link addTrend} already. */
  add(w: WindowSnapshot, options: { trends?: boolean } = {}): void {
    this.windows++
    if (w.generator.saturated) this.saturatedWindows++
    this.startMs = Math.min(this.startMs, w.startMs)
    this.endMs = Math.max(this.endMs, w.endMs)
    for (const [k, c] of Object.entries(w.counters)) {
      const o = this.counters.get(k)
      if (o) o.value += c.value
      else this.counters.set(k, { ...c })
    }
    for (const [k, r] of Object.entries(w.rates)) {
      const o = this.rates.get(k)
      if (o) {
        o.passes += r.passes
        o.fails += r.fails
      } else this.rates.set(k, { ...r })
    }
    for (const [k, g] of Object.entries(w.gauges)) {
      const o = this.gauges.get(k)
      if (o) {
        o.min = Math.min(o.min, g.min)
        o.max = Math.max(o.max, g.max)
        o.last = g.last
      } else this.gauges.set(k, { ...g })
    }
    if (options.trends === false) return
    for (const [k, t] of Object.entries(w.trends)) {
      const h = decodeHistogram(t.histogram)
      const o = this.trends.get(k)
      if (o) o.h.merge(h)
      else this.trends.set(k, { metric: t.metric, tags: t.tags, h })
    }
  }

  /**
   * A copy with the open window folded in, for live abortOnFail checks. Only
   * trends of `metrics` are copied (merging histograms costs time).
   */
  with(
    open: { snapshot: WindowSnapshot; trends: Map<string, SeriesId & { h: LatencyHistogram }> },
    metrics: ReadonlySet<string>,
  ): RunTotals {
    const t = new RunTotals()
    t.startMs = this.startMs
    t.endMs = this.endMs
    for (const [k, c] of this.counters) t.counters.set(k, { ...c })
    for (const [k, r] of this.rates) t.rates.set(k, { ...r })
    for (const [k, g] of this.gauges) t.gauges.set(k, { ...g })
    for (const [k, h] of this.trends)
      if (metrics.has(h.metric)) t.trends.set(k, { metric: h.metric, tags: h.tags, h: createHistogram().merge(h.h) })
    for (const [k, v] of this.types) t.types.set(k, v)
    t.add(open.snapshot, { trends: false })
    for (const [k, h] of open.trends) if (metrics.has(h.metric)) t.addTrend(k, h, h.h)
    return t
  }

  /** Seconds the run has lasted, by its windows (at least 1 ms to keep rates finite). */
  get durationSeconds(): number {
    return Math.max(0.001, this.endMs - (Number.isFinite(this.startMs) ? this.startMs : 0)) / 1000
  }

  /** The sum of a counter's series whose tags match `filter`. */
  counter(metric: string, filter: Record<string, string> = {}): number {
    let n = 0
    for (const c of this.counters.values()) if (c.metric === metric && tagsMatch(c.tags, filter)) n += c.value
    return n
  }

  /** Passes and fails of a rate's matching series. */
  rate(metric: string, filter: Record<string, string> = {}): { passes: number; fails: number } {
    let passes = 0
    let fails = 0
    for (const r of this.rates.values()) {
      if (r.metric === metric && tagsMatch(r.tags, filter)) {
        passes += r.passes
        fails += r.fails
      }
    }
    return { passes, fails }
  }

  /** A gauge's matching series (summed when several match), or undefined when never set. */
  gauge(metric: string, filter: Record<string, string> = {}): { min: number; max: number; last: number } | undefined {
    let out: { min: number; max: number; last: number } | undefined
    for (const g of this.gauges.values()) {
      if (g.metric !== metric || !tagsMatch(g.tags, filter)) continue
      if (!out) out = { min: g.min, max: g.max, last: g.last }
      else {
        out.min += g.min
        out.max += g.max
        out.last += g.last
      }
    }
    return out
  }

  /** A new histogram holding every matching series of a trend. */
  trend(metric: string, filter: Record<string, string> = {}): LatencyHistogram {
    const h = createHistogram()
    for (const t of this.trends.values()) if (t.metric === metric && tagsMatch(t.tags, filter)) h.merge(t.h)
    return h
  }

  /** Every metric name that has data, with its type. */
  metricNames(): Map<string, MetricType> {
    const out = new Map<string, MetricType>()
    for (const c of this.counters.values()) out.set(c.metric, 'counter')
    for (const r of this.rates.values()) out.set(r.metric, 'rate')
    for (const g of this.gauges.values()) out.set(g.metric, 'gauge')
    for (const t of this.trends.values()) out.set(t.metric, 'trend')
    return out
  }
}
