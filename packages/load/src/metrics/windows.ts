/**
 * Per-window metrics: every sample goes into the window of the moment it was
 * recorded (k6 stamps `http_req_*` at the end of the request), as counters,
 * rates, gauges and HDR histograms per tagged series. A closed window becomes a
 * {@link WindowSnapshot}: plain data that crosses worker threads, merges
 * exactly, and keeps memory flat however long the run.
 */
import type { Clock } from '@steady/kernel'
import { createHistogram, decodeHistogram, encodeHistogram, type LatencyHistogram } from './histogram.ts'
import { seriesKey } from './metrics.ts'

export interface SeriesId {
  metric: string
  tags: Record<string, string>
}

/** How the load generator itself did in a window: a saturated generator must not be read as a slow service. */
interface GeneratorStats {
  /** Event-loop utilisation (0–1) of the thread(s) running iterations; the max over workers. */
  eventLoopUtilization: number
  /** Event-loop delay in ms (p50, p99, max) over the window; the max over workers. */
  eventLoopLagP50Ms: number
  eventLoopLagP99Ms: number
  eventLoopLagMaxMs: number
  /** Iteration starts the scheduler made on schedule (arrival-rate executors). */
  scheduledStarts: number
  /** How late those starts were, in µs (compressed HDR histogram), and its p99 in ms. */
  startLateness: string
  startLatenessP99Ms: number
  startLatenessMaxMs: number
  /** True when any of the limits in {@link saturationLimits} was crossed. */
  saturated: boolean
  /** Which limits were crossed, as `eventLoopUtilization 0.97 ≥ 0.9`. */
  reasons: string[]
}

/**
 * When a window counts as saturated. The event-loop figures follow Clinic.js
 * Doctor's heuristics (delay median ≥ 10 ms or max ≥ 100 ms); start lateness
 * p99 ≥ 10 ms means the scheduler could not keep its schedule.
 */
export const saturationLimits = {
  eventLoopUtilization: 0.9,
  eventLoopLagP50Ms: 10,
  eventLoopLagMaxMs: 100,
  startLatenessP99Ms: 10,
} as const

/** A closed window: plain, mergeable data. Times are ms from the run's start. */
export interface WindowSnapshot {
  index: number
  startMs: number
  endMs: number
  counters: Record<string, SeriesId & { value: number }>
  rates: Record<string, SeriesId & { passes: number; fails: number }>
  gauges: Record<string, SeriesId & { min: number; max: number; last: number }>
  /** Trend series as compressed base64 HDR histograms of µs. */
  trends: Record<string, SeriesId & { histogram: string }>
  generator: GeneratorStats
}

/** A source of self-measurement, read and reset at each window's end. */
export interface SelfMonitor {
  take(): { eventLoopUtilization: number; lagP50Ms: number; lagP99Ms: number; lagMaxMs: number }
  stop(): void
}

interface OpenWindow {
  index: number
  counters: Map<string, SeriesId & { value: number }>
  rates: Map<string, SeriesId & { passes: number; fails: number }>
  gauges: Map<string, SeriesId & { min: number; max: number; last: number }>
  trends: Map<string, SeriesId & { h: LatencyHistogram }>
  lateness: LatencyHistogram
  starts: number
}

export interface WindowCollectorOptions {
  clock: Clock
  /** The run's start on the clock's timeline. */
  t0: number
  windowMs: number
  /** Called with each window once it is closed and encoded, in order. */
  onWindow?: (w: WindowSnapshot) => void
  /**
   * Called with each trend histogram of a closing window before it is reused,
   * so whole-run totals can merge it without decoding the encoded form.
   */
  onTrend?: (key: string, series: SeriesId, h: LatencyHistogram) => void
  monitor?: SelfMonitor
}

/**
 * Collects samples into windows. The `add*` methods are the hot path: they
 * find the open window for `clock.now()` and update one series each.
 */
export class WindowCollector {
  readonly #clock: Clock
  readonly #t0: number
  readonly #windowMs: number
  readonly #onWindow: ((w: WindowSnapshot) => void) | undefined
  readonly #onTrend: WindowCollectorOptions['onTrend']
  readonly #monitor: SelfMonitor | undefined
  #open: OpenWindow
  #windowEnd: number
  readonly #spare: LatencyHistogram[] = []

  constructor(options: WindowCollectorOptions) {
    this.#clock = options.clock
    this.#t0 = options.t0
    this.#windowMs = options.windowMs
    this.#onWindow = options.onWindow
    this.#onTrend = options.onTrend
    this.#monitor = options.monitor
    this.#open = this.#newWindow(0)
    this.#windowEnd = this.#t0 + this.#windowMs
  }

  #newWindow(index: number): OpenWindow {
    return {
      index,
      counters: new Map(),
      rates: new Map(),
      gauges: new Map(),
      trends: new Map(),
      lateness: this.#histogram(),
      starts: 0,
    }
  }

  #histogram(): LatencyHistogram {
    const h = this.#spare.pop()
    if (h) return h
    return createHistogram()
  }

  /** Closes windows that ended before now; returns the open one. */
  #current(): OpenWindow {
    const now = this.#clock.now()
    if (now >= this.#windowEnd) this.#rollTo(now)
    return this.#open
  }

  #rollTo(now: number): void {
    while (now >= this.#windowEnd) {
      const closed = this.#open
      this.#close(closed, this.#windowEnd - this.#windowMs - this.#t0, this.#windowEnd - this.#t0)
      this.#open = this.#newWindow(closed.index + 1)
      // A gauge holds its value until it changes: carry the last value into the new window.
      for (const [k, g] of closed.gauges)
        this.#open.gauges.set(k, { metric: g.metric, tags: g.tags, min: g.last, max: g.last, last: g.last })
      this.#windowEnd += this.#windowMs
    }
  }

  /**
   * Closes a window. The generator figures are read now (they belong to this
   * instant); the histograms are encoded afterwards, one per event-loop turn,
   * because encoding one takes milliseconds and a window can hold dozens: done
   * in one go it would stall the scheduler at every window boundary.
   */
  #close(w: OpenWindow, startMs: number, endMs: number): void {
    const self = this.#monitor?.take() ?? { eventLoopUtilization: 0, lagP50Ms: 0, lagP99Ms: 0, lagMaxMs: 0 }
    const latenessP99 = w.lateness.count ? w.lateness.quantile(0.99) : 0
    const latenessMax = w.lateness.count ? w.lateness.max : 0
    const trends = [...w.trends]
    const snap: WindowSnapshot = {
      index: w.index,
      startMs,
      endMs,
      counters: Object.fromEntries(w.counters),
      rates: Object.fromEntries(w.rates),
      gauges: Object.fromEntries(w.gauges),
      trends: {},
      generator: judgeGenerator(endMs - startMs, {
        eventLoopUtilization: self.eventLoopUtilization,
        eventLoopLagP50Ms: self.lagP50Ms,
        eventLoopLagP99Ms: self.lagP99Ms,
        eventLoopLagMaxMs: self.lagMaxMs,
        scheduledStarts: w.starts,
        startLateness: '',
        startLatenessP99Ms: latenessP99,
        startLatenessMaxMs: latenessMax,
      }),
    }
    const lateness = w.lateness
    this.#closing = this.#closing.then(async () => {
      snap.generator.startLateness = encodeHistogram(lateness)
      lateness.reset()
      this.#spare.push(lateness)
      for (const [k, t] of trends) {
        await turn()
        snap.trends[k] = { metric: t.metric, tags: t.tags, histogram: encodeHistogram(t.h) }
        this.#onTrend?.(k, t, t.h)
        t.h.reset()
        this.#spare.push(t.h)
      }
      this.#onWindow?.(snap)
    })
  }

  #closing: Promise<void> = Promise.resolve()

  /** Adds `value` to a counter series. */
  count(metric: string, tags: Record<string, string>, value = 1, key = seriesKey(metric, tags)): void {
    const w = this.#current()
    const c = w.counters.get(key)
    if (c) c.value += value
    else w.counters.set(key, { metric, tags, value })
  }

  /** Adds one sample to a rate series (`pass` = a non-zero sample, as k6 counts `passes`). */
  rate(metric: string, tags: Record<string, string>, pass: boolean, key = seriesKey(metric, tags)): void {
    const w = this.#current()
    let r = w.rates.get(key)
    if (!r) w.rates.set(key, (r = { metric, tags, passes: 0, fails: 0 }))
    if (pass) r.passes++
    else r.fails++
  }

  /** Adds counted samples to a rate series at once (`passes` non-zero, `fails` zero samples). */
  rateCounts(
    metric: string,
    tags: Record<string, string>,
    passes: number,
    fails: number,
    key = seriesKey(metric, tags),
  ): void {
    if (passes === 0 && fails === 0) return
    const w = this.#current()
    let r = w.rates.get(key)
    if (!r) w.rates.set(key, (r = { metric, tags, passes: 0, fails: 0 }))
    r.passes += passes
    r.fails += fails
  }

  /** Sets a gauge series (min/max/last kept per window). */
  gauge(metric: string, tags: Record<string, string>, value: number, key = seriesKey(metric, tags)): void {
    const w = this.#current()
    const g = w.gauges.get(key)
    if (g) {
      if (value < g.min) g.min = value
      if (value > g.max) g.max = value
      g.last = value
    } else w.gauges.set(key, { metric, tags, min: value, max: value, last: value })
  }

  /** Adds a duration in ms to a trend series. */
  trend(metric: string, tags: Record<string, string>, ms: number, key = seriesKey(metric, tags)): void {
    const w = this.#current()
    let t = w.trends.get(key)
    if (!t) w.trends.set(key, (t = { metric, tags, h: this.#histogram() }))
    t.h.record(ms)
  }

  /** Records how late (ms) a scheduled iteration start was. */
  lateness(ms: number): void {
    const w = this.#current()
    w.starts++
    w.lateness.record(ms)
  }

  /**
   * Closes every window up to now and the open one too (the run's last,
   * possibly short, window); resolves when every closed window has been
   * handed to `onWindow`.
   */
  async flush(): Promise<void> {
    const now = this.#clock.now()
    this.#rollTo(now)
    const w = this.#open
    const startMs = this.#windowEnd - this.#windowMs - this.#t0
    const endMs = Math.max(startMs, now - this.#t0)
    const empty = !w.counters.size && !w.rates.size && !w.gauges.size && !w.trends.size && !w.starts
    if (!empty || endMs > startMs) {
      this.#close(w, startMs, endMs)
      this.#open = this.#newWindow(w.index + 1)
      this.#windowEnd = this.#t0 + (w.index + 2) * this.#windowMs
    }
    this.#monitor?.stop()
    await this.#closing
  }

  /** Resolves once every window closed so far has been handed to `onWindow`. */
  settled(): Promise<void> {
    return this.#closing
  }

  /**
   * The open window's data without closing it, for live abortOnFail checks:
   * counters, rates and gauges copied, trend histograms as they are (read
   * them at once; they keep filling).
   */
  peek(): { snapshot: WindowSnapshot; trends: Map<string, SeriesId & { h: LatencyHistogram }> } {
    const now = this.#clock.now()
    this.#rollTo(now)
    const w = this.#open
    const trends = new Map<string, SeriesId & { h: LatencyHistogram }>()
    for (const [k, t] of w.trends) trends.set(k, t)
    const snapshot: WindowSnapshot = {
      index: w.index,
      startMs: this.#windowEnd - this.#windowMs - this.#t0,
      endMs: now - this.#t0,
      counters: structuredClone(Object.fromEntries(w.counters)),
      rates: structuredClone(Object.fromEntries(w.rates)),
      gauges: structuredClone(Object.fromEntries(w.gauges)),
      trends: {},
      generator: judgeGenerator(0, {
        eventLoopUtilization: 0,
        eventLoopLagP50Ms: 0,
        eventLoopLagP99Ms: 0,
        eventLoopLagMaxMs: 0,
        scheduledStarts: w.starts,
        startLateness: '',
        startLatenessP99Ms: 0,
        startLatenessMaxMs: 0,
      }),
    }
    return { snapshot, trends }
  }
}

/** One event-loop turn (after I/O and timers that are due). */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/** Event-loop figures over less than this (the run's last, short window) are noise, not evidence. */
const minJudgedMs = 1000

function judgeGenerator(lengthMs: number, g: Omit<GeneratorStats, 'saturated' | 'reasons'>): GeneratorStats {
  const reasons: string[] = []
  const round = (n: number) => Math.round(n * 1000) / 1000
  if (lengthMs < minJudgedMs) {
    // Only the schedule can be judged in a short window.
    if (g.startLatenessP99Ms >= saturationLimits.startLatenessP99Ms)
      reasons.push(`startLateness p99 ${round(g.startLatenessP99Ms)}ms ≥ ${saturationLimits.startLatenessP99Ms}ms`)
    return { ...g, saturated: reasons.length > 0, reasons }
  }
  if (g.eventLoopUtilization >= saturationLimits.eventLoopUtilization) {
    reasons.push(`eventLoopUtilization ${round(g.eventLoopUtilization)} ≥ ${saturationLimits.eventLoopUtilization}`)
  }
  if (g.eventLoopLagP50Ms >= saturationLimits.eventLoopLagP50Ms) {
    reasons.push(`eventLoopLag p50 ${round(g.eventLoopLagP50Ms)}ms ≥ ${saturationLimits.eventLoopLagP50Ms}ms`)
  }
  if (g.eventLoopLagMaxMs >= saturationLimits.eventLoopLagMaxMs) {
    reasons.push(`eventLoopLag max ${round(g.eventLoopLagMaxMs)}ms ≥ ${saturationLimits.eventLoopLagMaxMs}ms`)
  }
  if (g.startLatenessP99Ms >= saturationLimits.startLatenessP99Ms) {
    reasons.push(`startLateness p99 ${round(g.startLatenessP99Ms)}ms ≥ ${saturationLimits.startLatenessP99Ms}ms`)
  }
  return { ...g, saturated: reasons.length > 0, reasons }
}

/**
 * Merges windows with the same index from several workers into one: counters
 * and rates add, histograms add exactly, gauges add (each worker holds its own
 * VUs), generator figures take the worst worker.
 */
export function mergeWindows(parts: readonly WindowSnapshot[]): WindowSnapshot {
  if (parts.length === 1) return parts[0]
  const first = parts[0]
  const out: WindowSnapshot = {
    index: first.index,
    startMs: Math.min(...parts.map((p) => p.startMs)),
    endMs: Math.max(...parts.map((p) => p.endMs)),
    counters: {},
    rates: {},
    gauges: {},
    trends: {},
    generator: first.generator,
  }
  const hists = new Map<string, SeriesId & { h: LatencyHistogram }>()
  const lateness = createHistogram()
  for (const p of parts) {
    for (const [k, c] of Object.entries(p.counters)) {
      const o = out.counters[k]
      if (o) o.value += c.value
      else out.counters[k] = { ...c }
    }
    for (const [k, r] of Object.entries(p.rates)) {
      const o = out.rates[k]
      if (o) {
        o.passes += r.passes
        o.fails += r.fails
      } else out.rates[k] = { ...r }
    }
    for (const [k, g] of Object.entries(p.gauges)) {
      const o = out.gauges[k]
      if (o) {
        o.min += g.min
        o.max += g.max
        o.last += g.last
      } else out.gauges[k] = { ...g }
    }
    for (const [k, t] of Object.entries(p.trends)) {
      const h = decodeHistogram(t.histogram)
      const o = hists.get(k)
      if (o) o.h.merge(h)
      else hists.set(k, { metric: t.metric, tags: t.tags, h })
    }
    lateness.merge(decodeHistogram(p.generator.startLateness))
  }
  for (const [k, t] of hists) {
    out.trends[k] = { metric: t.metric, tags: t.tags, histogram: encodeHistogram(t.h) }
  }
  out.generator = judgeGenerator(out.endMs - out.startMs, {
    eventLoopUtilization: Math.max(...parts.map((p) => p.generator.eventLoopUtilization)),
    eventLoopLagP50Ms: Math.max(...parts.map((p) => p.generator.eventLoopLagP50Ms)),
    eventLoopLagP99Ms: Math.max(...parts.map((p) => p.generator.eventLoopLagP99Ms)),
    eventLoopLagMaxMs: Math.max(...parts.map((p) => p.generator.eventLoopLagMaxMs)),
    scheduledStarts: parts.reduce((a, p) => a + p.generator.scheduledStarts, 0),
    startLateness: encodeHistogram(lateness),
    startLatenessP99Ms: lateness.count ? lateness.quantile(0.99) : 0,
    startLatenessMaxMs: lateness.count ? lateness.max : 0,
  })
  return out
}
