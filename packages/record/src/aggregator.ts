/**
 * Metrics flow as events into one aggregator (the Artillery shape): the probe
 * loop, the load engine and the scraper report values as they happen; the
 * aggregator folds them into windows of the run's window size and into
 * whole-phase aggregates. Closed windows are handed out in batches (to be
 * appended to the events file) and kept compactly for the final record.
 *
 * Time comes from an injected monotonic clock (ms since the run started), so
 * tests place values in windows deterministically.
 */
import { roundTo } from '@steady/kernel'
import { LatencyHistogram } from './histogram.ts'
import {
  seriesKey,
  type PhaseAggregate,
  type SeriesKind,
  type SeriesRecord,
  type SeriesSource,
  type SeriesWindow,
} from './run-record.ts'

export interface AggregatorOptions {
  /** Window size in ms (default 10 s). */
  windowMs?: number
  /** Monotonic ms since the run started. */
  now: () => number
}

/** A window closed by {@link SeriesAggregator.closeWindows}: what goes into the events file. */
export interface WindowBatch {
  i: number
  series: { key: string; window: SeriesWindow }[]
}

type Buckets = [number | '+Inf', number][]

/** Adds cumulative bucket counts by `le` (a new array; `+Inf` last). */
export function addBuckets(into: Buckets | undefined, add: Buckets): Buckets {
  if (!into) return add.map(([le, n]) => [le, n])
  const byLe = new Map(into.map(([le, n]) => [String(le), n]))
  for (const [le, n] of add) byLe.set(String(le), (byLe.get(String(le)) ?? 0) + n)
  return [...byLe.entries()]
    .map(([le, n]): [number | '+Inf', number] => [le === '+Inf' ? '+Inf' : Number(le), n])
    .sort((a, b) => (a[0] === '+Inf' ? 1 : b[0] === '+Inf' ? -1 : a[0] - b[0]))
}

interface OpenWindow {
  buckets?: Buckets
  sum?: number
  count: number
  errors?: Record<string, number>
  passed?: number
  failed?: number
  hist?: LatencyHistogram
  value?: number
  min?: number
  delta?: number
}

interface PhaseState {
  buckets?: Buckets
  sum?: number
  count: number
  errors?: Record<string, number>
  passed?: number
  failed?: number
  hist?: LatencyHistogram
  first?: number
  last?: number
  min?: number
  delta?: number
}

/**
 * Histograms of closed windows are reset and reused: a fresh one per window
 * and series would churn ~90 kB of typed arrays each time, which the heap
 * does not show but resident memory does over a long soak.
 */
const spareHistograms: LatencyHistogram[] = []
const maxSpare = 256

function takeHistogram(): LatencyHistogram {
  return spareHistograms.pop() ?? new LatencyHistogram()
}

function giveBack(h: LatencyHistogram): void {
  if (spareHistograms.length >= maxSpare) return
  h.reset()
  spareHistograms.push(h)
}

class SeriesState {
  readonly record: SeriesRecord
  readonly open = new Map<number, OpenWindow>()
  readonly phases = new Map<string, PhaseState>()

  constructor(source: SeriesSource, name: string, kind: SeriesKind, unit: string, tags: Record<string, string>) {
    this.record = {
      key: seriesKey(source, name, tags),
      source,
      name,
      kind,
      unit,
      tags: { ...tags },
      windows: [],
      phases: {},
    }
  }

  window(i: number): OpenWindow {
    let w = this.open.get(i)
    if (!w) {
      w = { count: 0 }
      if (this.record.kind === 'histogram') w.hist = takeHistogram()
      this.open.set(i, w)
    }
    return w
  }

  phase(name: string): PhaseState {
    let p = this.phases.get(name)
    if (!p) {
      p = { count: 0 }
      if (this.record.kind === 'histogram') p.hist = new LatencyHistogram()
      this.phases.set(name, p)
    }
    return p
  }
}

function bump(target: { errors?: Record<string, number> }, kind: string, n = 1): void {
  target.errors ??= {}
  target.errors[kind] = (target.errors[kind] ?? 0) + n
}

export class SeriesAggregator {
  readonly windowMs: number
  readonly #now: () => number
  readonly #series = new Map<string, SeriesState>()
  #phase = ''
  #closedUpTo = 0

  constructor(options: AggregatorOptions) {
    this.windowMs = options.windowMs ?? 10_000
    this.#now = options.now
  }

  /** The window index of a monotonic time. */
  windowOf(atMs: number): number {
    return Math.max(0, Math.floor(atMs / this.windowMs))
  }

  /** Sets the phase that values recorded from now on count towards. */
  setPhase(name: string): void {
    this.#phase = name
  }

  get phase(): string {
    return this.#phase
  }

  #get(source: SeriesSource, name: string, kind: SeriesKind, unit: string, tags: Record<string, string>): SeriesState {
    const key = seriesKey(source, name, tags)
    let s = this.#series.get(key)
    if (!s) this.#series.set(key, (s = new SeriesState(source, name, kind, unit, tags)))
    return s
  }

  #target(s: SeriesState, atMs: number | undefined, phase: string | undefined): [OpenWindow, PhaseState] {
    let i = this.windowOf(atMs ?? this.#now())
    // A value for a window already written goes into the oldest open one: late, never lost.
    if (i < this.#closedUpTo) i = this.#closedUpTo
    return [s.window(i), s.phase(phase ?? this.#phase)]
  }

  /**
   * Records a duration (ms) into a histogram series. `error` marks a failed
   * value: it is counted under that kind and kept out of the latency
   * histogram (a version that fails fast must not look faster).
   */
  duration(
    source: SeriesSource,
    name: string,
    tags: Record<string, string>,
    ms: number,
    opts: { error?: string; atMs?: number; phase?: string } = {},
  ): void {
    const s = this.#get(source, name, 'histogram', 'ms', tags)
    const [w, p] = this.#target(s, opts.atMs, opts.phase)
    w.count++
    p.count++
    if (opts.error) {
      bump(w, opts.error)
      bump(p, opts.error)
    } else {
      w.hist!.record(ms)
      p.hist!.record(ms)
    }
  }

  /** Records one iteration's outcome (pass/fail and, on failure, the kind). */
  outcome(
    source: SeriesSource,
    name: string,
    tags: Record<string, string>,
    passed: boolean,
    opts: { error?: string; atMs?: number; phase?: string } = {},
  ): void {
    const s = this.#get(source, name, 'counter', 'count', tags)
    const [w, p] = this.#target(s, opts.atMs, opts.phase)
    w.count++
    p.count++
    if (passed) {
      w.passed = (w.passed ?? 0) + 1
      p.passed = (p.passed ?? 0) + 1
    } else {
      w.failed = (w.failed ?? 0) + 1
      p.failed = (p.failed ?? 0) + 1
      if (opts.error) {
        bump(w, opts.error)
        bump(p, opts.error)
      }
    }
  }

  /**
   * Adds to a counter series (already a delta: resets are the caller's
   * business). `samples` is how many observations the delta stands for
   * (default 1: one scrape or one event).
   */
  count(
    source: SeriesSource,
    name: string,
    tags: Record<string, string>,
    n = 1,
    opts: { unit?: string; error?: string; atMs?: number; phase?: string; samples?: number } = {},
  ): void {
    const s = this.#get(source, name, 'counter', opts.unit ?? 'count', tags)
    const [w, p] = this.#target(s, opts.atMs, opts.phase)
    w.count += opts.samples ?? 1
    p.count += opts.samples ?? 1
    w.delta = (w.delta ?? 0) + n
    p.delta = (p.delta ?? 0) + n
    if (opts.error) {
      bump(w, opts.error, n)
      bump(p, opts.error, n)
    }
  }

  /**
   * Merges an already-built histogram (encoded, from another process or a
   * worker's window) into a histogram series.
   */
  mergeHistogram(
    source: SeriesSource,
    name: string,
    tags: Record<string, string>,
    encoded: string,
    opts: { atMs?: number; phase?: string; unit?: string } = {},
  ): void {
    const s = this.#get(source, name, 'histogram', opts.unit ?? 'ms', tags)
    const [w, p] = this.#target(s, opts.atMs, opts.phase)
    const added = w.hist!.mergeEncoded(encoded)
    p.hist!.mergeEncoded(encoded)
    w.count += added
    p.count += added
  }

  /** Adds k6-style rate samples (passes are non-zero samples, fails zero ones). */
  rate(
    source: SeriesSource,
    name: string,
    tags: Record<string, string>,
    passes: number,
    fails: number,
    opts: { atMs?: number; phase?: string } = {},
  ): void {
    const s = this.#get(source, name, 'counter', 'rate', tags)
    const [w, p] = this.#target(s, opts.atMs, opts.phase)
    for (const t of [w, p]) {
      t.count += passes + fails
      t.delta = (t.delta ?? 0) + passes
      t.passed = (t.passed ?? 0) + passes
      t.failed = (t.failed ?? 0) + fails
    }
  }

  /**
   * Adds a Prometheus histogram's bucket increase (cumulative `[le, count]`
   * pairs, already deltas since the previous scrape) and its sum increase.
   */
  bucketDelta(
    source: SeriesSource,
    name: string,
    tags: Record<string, string>,
    buckets: Buckets,
    sum: number,
    opts: { unit?: string; atMs?: number; phase?: string } = {},
  ): void {
    const s = this.#get(source, name, 'counter', opts.unit ?? 'seconds', tags)
    const [w, p] = this.#target(s, opts.atMs, opts.phase)
    const total = buckets.find(([le]) => le === '+Inf')?.[1] ?? 0
    w.count += total
    p.count += total
    w.buckets = addBuckets(w.buckets, buckets)
    p.buckets = addBuckets(p.buckets, buckets)
    w.sum = (w.sum ?? 0) + sum
    p.sum = (p.sum ?? 0) + sum
  }

  /** Samples a gauge; the window keeps the last value and the minimum. */
  gauge(
    source: SeriesSource,
    name: string,
    tags: Record<string, string>,
    value: number,
    opts: { unit?: string; atMs?: number; phase?: string } = {},
  ): void {
    if (!Number.isFinite(value)) return
    const s = this.#get(source, name, 'gauge', opts.unit ?? '', tags)
    const [w, p] = this.#target(s, opts.atMs, opts.phase)
    w.count++
    p.count++
    w.value = value
    w.min = w.min === undefined ? value : Math.min(w.min, value)
    p.first ??= value
    p.last = value
    p.min = p.min === undefined ? value : Math.min(p.min, value)
  }

  /**
   * Closes every window that ended before `beforeMs` (default: now) and
   * returns them, oldest first. Their data moves into the compact record.
   */
  closeWindows(beforeMs = this.#now()): WindowBatch[] {
    const upTo = this.windowOf(beforeMs)
    return this.#close(upTo)
  }

  /** Closes every window, including the current one (end of run). */
  closeAll(): WindowBatch[] {
    let last = this.#closedUpTo
    for (const s of this.#series.values()) for (const i of s.open.keys()) last = Math.max(last, i + 1)
    return this.#close(last)
  }

  #close(upTo: number): WindowBatch[] {
    const batches = new Map<number, WindowBatch>()
    for (const s of this.#series.values()) {
      for (const [i, w] of [...s.open.entries()].sort((a, b) => a[0] - b[0])) {
        if (i >= upTo) continue
        s.open.delete(i)
        const out = finishWindow(i, w)
        if (w.hist) giveBack(w.hist)
        s.record.windows.push(out)
        let b = batches.get(i)
        if (!b) batches.set(i, (b = { i, series: [] }))
        b.series.push({ key: s.record.key, window: out })
      }
    }
    this.#closedUpTo = Math.max(this.#closedUpTo, upTo)
    return [...batches.values()].sort((a, b) => a.i - b.i)
  }

  /** Every series with its closed windows and whole-phase aggregates. */
  series(): SeriesRecord[] {
    return [...this.#series.values()]
      .map((s) => {
        const phases: Record<string, PhaseAggregate> = {}
        for (const [name, p] of s.phases) phases[name] = finishPhase(p)
        return { ...s.record, windows: [...s.record.windows].sort((a, b) => a.i - b.i), phases }
      })
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  }

  /** Series metadata (without windows) for the events file header of a new series. */
  describe(key: string): Omit<SeriesRecord, 'windows' | 'phases'> | undefined {
    const s = this.#series.get(key)
    if (!s) return undefined
    const { windows: _w, phases: _p, ...meta } = s.record
    return meta
  }

  /** Whole-phase aggregates so far (for writing at phase end and for progress lines). */
  phaseAggregates(): Map<string, Record<string, PhaseAggregate>> {
    const out = new Map<string, Record<string, PhaseAggregate>>()
    for (const s of this.#series.values()) {
      const phases: Record<string, PhaseAggregate> = {}
      for (const [name, p] of s.phases) phases[name] = finishPhase(p)
      out.set(s.record.key, phases)
    }
    return out
  }
}

/** The fields windows and phase aggregates share: outcomes, errors, histogram summary, buckets. */
function finishCommon(out: SeriesWindow | PhaseAggregate, state: OpenWindow | PhaseState): void {
  if (state.errors) out.errors = { ...state.errors }
  if (state.passed !== undefined) out.passed = state.passed
  if (state.failed !== undefined) out.failed = state.failed
  const h = state.hist
  if (h && h.count > 0) {
    out.p50 = roundTo(h.quantile(0.5), 3)
    out.p95 = roundTo(h.quantile(0.95), 3)
    out.p99 = roundTo(h.quantile(0.99), 3)
    out.max = roundTo(h.max, 3)
    out.hist = h.encode()
  }
  if (state.min !== undefined) out.min = state.min
  if (state.delta !== undefined) out.delta = state.delta
  if (state.buckets) out.buckets = state.buckets
  if (state.sum !== undefined) out.sum = roundTo(state.sum, 3)
}

function finishWindow(i: number, w: OpenWindow): SeriesWindow {
  const out: SeriesWindow = { i, count: w.count }
  finishCommon(out, w)
  if (w.value !== undefined) out.value = w.value
  return out
}

function finishPhase(p: PhaseState): PhaseAggregate {
  const out: PhaseAggregate = { count: p.count }
  finishCommon(out, p)
  if (p.first !== undefined) out.first = p.first
  if (p.last !== undefined) out.last = p.last
  return out
}
