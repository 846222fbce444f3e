/**
 * What trend findings read from a run: per constant-load phase, the windows
 * after the phase's warm-up and outside saturated load-generator windows,
 * as points (time, value). Shared by the summary (a baseline keeps the slopes)
 * and the judge (which also tests them).
 */
import type { RunRecord, SeriesRecord, SeriesWindow } from '@steady/record'
import { median } from './stats/robust.ts'
import {
  slopeStandardError,
  spearman,
  theilSen,
  trendTest,
  trendTestHamedRao,
  type Point,
  type TrendTest,
} from './stats/trend.ts'

export interface TrendPhase {
  name: string
  startMs: number
  endMs: number
  /** Where the judged part starts (after the warm-up). */
  fromMs: number
  loaded: boolean
}

/** The warm-up of a phase: as recorded, else 20% of it, at most one minute (the soak plan's default). */
function warmupOf(p: { startMs: number; endMs: number; warmupMs?: number }): number {
  return p.warmupMs ?? Math.min(60_000, 0.2 * (p.endMs - p.startMs))
}

export function trendPhases(record: RunRecord): TrendPhase[] {
  return record.phases.map((p) => ({
    name: p.name,
    startMs: p.startMs,
    endMs: p.endMs,
    fromMs: p.startMs + warmupOf(p),
    loaded: Boolean(p.load),
  }))
}

/**
 * Load-generator windows that were saturated: from `generator-saturated` events and the generator's own
 * utilisation.
 */
export function saturatedWindows(record: RunRecord): Set<number> {
  const out = new Set<number>()
  for (const e of record.events) {
    // By time: the event's `data.window` is the load engine's own window index, not the run's.
    if (e.kind === 'generator-saturated') out.add(Math.floor(e.atMs / record.window.sizeMs))
  }
  const elu = record.series.find((s) => s.key === 'generator/event_loop_utilization')
  for (const w of elu?.windows ?? []) if ((w.value ?? 0) >= 0.9) out.add(w.i)
  return out
}

/** The judged windows of a series in a phase, as points (x = window midpoint, ms). */
export function phasePoints(
  s: SeriesRecord,
  phase: TrendPhase,
  windowMs: number,
  saturated: Set<number>,
  value: (w: SeriesWindow) => number | undefined,
): Point[] {
  const out: Point[] = []
  for (const w of s.windows) {
    const start = w.i * windowMs
    if (start < phase.fromMs || start + windowMs > phase.endMs + 1e-9 || saturated.has(w.i)) continue
    const v = value(w)
    if (v !== undefined && Number.isFinite(v)) out.push({ x: start + windowMs / 2, y: v })
  }
  return out
}

const logP95 = (w: SeriesWindow) => (w.p95 !== undefined && w.p95 > 0 ? Math.log(w.p95) : undefined)
const logP50 = (w: SeriesWindow) => (w.p50 !== undefined && w.p50 > 0 ? Math.log(w.p50) : undefined)

/**
 * A trend test whose slope standard error is the larger of the lag-1 (AR(1)) one and the Newey–West one
 * ({@link slopeStandardError}, bandwidth from the residuals' own autocorrelation): minute-long contention
 * keeps windows correlated far beyond lag 1, and the lag-1 correction alone then understates the error.
 */
function driftTest(segments: Point[][]): TrendTest {
  const t = trendTest(segments)
  const hac = slopeStandardError(segments)
  if (Number.isFinite(hac) && !(t.se >= hac)) t.se = hac
  return t
}

/** Drift of a step's p95 over a phase: the trend test of ln(window p95), and the log change over the judged part. */
export function latencyDrift(
  s: SeriesRecord,
  phase: TrendPhase,
  windowMs: number,
  saturated: Set<number>,
): (TrendTest & { logChange: number; span: number }) | undefined {
  const pts = phasePoints(s, phase, windowMs, saturated, logP95)
  if (pts.length < 6) return undefined
  const t = driftTest([pts])
  const span = pts[pts.length - 1].x - pts[0].x
  return { ...t, logChange: t.slope * span, span }
}

/**
 * All steps of a source at once: per window, the median over the steps of
 * (ln window p50 − that step's median in the phase). A service-wide drift
 * shows here with the steps' independent noise averaged away; the median of
 * a window is the typical request, far less noisy than its p95.
 */
export function combinedDrift(
  steps: SeriesRecord[],
  phase: TrendPhase,
  windowMs: number,
  saturated: Set<number>,
): (TrendTest & { logChange: number; span: number; steps: number }) | undefined {
  const byWindow = new Map<number, number[]>()
  let used = 0
  for (const s of steps) {
    const pts = phasePoints(s, phase, windowMs, saturated, logP50)
    if (pts.length < 6) continue
    used++
    const m = median(pts.map((p) => p.y))
    for (const p of pts) {
      let list = byWindow.get(p.x)
      if (!list) byWindow.set(p.x, (list = []))
      list.push(p.y - m)
    }
  }
  if (used < 3) return undefined
  const pts = [...byWindow.entries()]
    .filter(([, v]) => v.length * 2 >= used)
    .map(([x, v]) => ({ x, y: median(v) }))
    .sort((a, b) => a.x - b.x)
  if (pts.length < 6) return undefined
  const t = driftTest([pts])
  const span = pts[pts.length - 1].x - pts[0].x
  return { ...t, logChange: t.slope * span, span, steps: used }
}

/** Heap-like gauges are judged on their per-window minimum (heap used after GC); others on their value. */
export function isHeapSeries(s: SeriesRecord): boolean {
  return s.kind === 'gauge' && /heap.*(used|inuse)|heap_size_used/i.test(s.name)
}

function isRssSeries(s: SeriesRecord): boolean {
  return s.kind === 'gauge' && /resident_memory/i.test(s.name)
}

/**
 * V8's memory outside the heap: Buffers and array buffers (`nodejs_external_memory_bytes`,
 * `..._array_buffers_...`).
 */
function isExternalMemorySeries(s: SeriesRecord): boolean {
  return s.kind === 'gauge' && /external_memory|array_buffers?_(memory_)?bytes/i.test(s.name)
}

/** Every memory indicator a leak can show in: heap used after GC, resident memory, external memory. */
export function isMemorySeries(s: SeriesRecord): boolean {
  return isHeapSeries(s) || isRssSeries(s) || isExternalMemorySeries(s)
}

/** How a memory indicator is named in a sentence: `resident memory (/proc)`. */
export function memoryLabel(s: SeriesRecord): string {
  if (isHeapSeries(s)) return 'heap used after GC'
  if (isRssSeries(s)) return /^proc_/.test(s.name) ? 'resident memory (/proc)' : 'resident memory (/metrics)'
  if (/array_buffer/i.test(s.name)) return 'array-buffer memory'
  return 'external memory (Buffers)'
}

/** Other indicators whose growth is a finding: open fds, handles, event-loop lag. */
export function isIndicatorSeries(s: SeriesRecord): boolean {
  return (
    s.kind === 'gauge' && s.source === 'service' && /open_fds|active_handles|eventloop_lag|event_loop_lag/i.test(s.name)
  )
}

/**
 * Trend of a gauge over every phase (within phases only), per hour: the
 * Theil–Sen slope, the seasonal Mann–Kendall test (Hamed–Rao for memory,
 * pre-whitened otherwise) and the slope's autocorrelation-robust standard
 * error ({@link slopeStandardError}).
 */
export function gaugeTrend(
  s: SeriesRecord,
  phases: TrendPhase[],
  windowMs: number,
):
  | (TrendTest & { perHour: number; sePerHour: number; level: number; last: number; spanMs: number; df: number })
  | undefined {
  // Memory is judged on its per-window minimum: what is left after a collection, not what a burst allocated.
  const useMin = isMemorySeries(s)
  // A saturated load generator does not make the service's own indicators wrong: unlike latency and load
  // findings, a trend keeps its windows.
  const segments = phases.map((p) =>
    phasePoints(s, p, windowMs, new Set(), (w) => (useMin ? (w.min ?? w.value) : w.value)),
  )
  const all = segments.flat()
  if (all.length < 8) return undefined
  // Memory ramps between major GCs and drops at them: autocorrelation beyond lag 1, hence Hamed–Rao.
  const t = useMin ? trendTestHamedRao(segments) : trendTest(segments)
  // The slope's standard error from the residuals' autocorrelation at every lag it lasts (Newey–West): the
  // current run's own floor under the baseline runs' spread, and what the power rule sees without a baseline.
  const hac = slopeStandardError(segments)
  if (Number.isFinite(hac)) t.se = hac
  const spanMs = segments.reduce((a, seg) => a + (seg.length > 1 ? seg[seg.length - 1].x - seg[0].x : 0), 0)
  const used = segments.filter((seg) => seg.length >= 3).length
  return {
    ...t,
    perHour: t.slope * 3_600_000,
    sePerHour: t.se * 3_600_000,
    level: median(all.map((p) => p.y)),
    last: all[all.length - 1].y,
    spanMs,
    df: Math.max(1, all.length - 2 * Math.max(1, used)),
  }
}

/**
 * Time until the probes pass again in a recovery phase: from the phase start
 * (or a restart inside it) to the first window from which three windows in a
 * row (or the rest of the phase) passed every probe iteration; 0 when they
 * passed from the start. A lone flake later on is not a slow recovery.
 */
export function recoveryTime(record: RunRecord, phase: TrendPhase): number {
  const windowMs = record.window.sizeMs
  let from = phase.startMs
  const restart = record.events.find(
    (e) =>
      (e.kind === 'service-restart' || e.kind === 'service-crash') && e.atMs >= phase.startMs && e.atMs < phase.endMs,
  )
  if (restart) from = restart.atMs
  const first = Math.floor(from / windowMs)
  const last = Math.ceil(phase.endMs / windowMs) - 1
  const failed = new Set<number>()
  for (const s of record.series) {
    if (s.source !== 'probe' || s.name !== 'iterations') continue
    for (const w of s.windows) if (w.i >= first && w.i <= last && (w.failed ?? 0) > 0) failed.add(w.i)
  }
  for (let i = first; i <= last; i++) {
    let clean = true
    for (let j = i; j <= Math.min(last, i + 2); j++) if (failed.has(j)) clean = false
    if (clean) return Math.max(0, i * windowMs - from)
  }
  return Math.max(0, phase.endMs - from)
}

/**
 * Latency against the load actually achieved, across the loaded phases'
 * windows (after warm-ups, outside saturated windows): Spearman's rank
 * correlation and the Theil–Sen slope of ln(window p95) per iteration/s of
 * the step's scenario. Undefined without per-window load counts.
 */
export function loadSlope(
  record: RunRecord,
  s: SeriesRecord,
  saturated: Set<number>,
): { slope: number; rho: number; minRate: number; maxRate: number; n: number } | undefined {
  const scenario = s.tags.scenario
  const windowMs = record.window.sizeMs
  const its = record.series.filter(
    (x) => x.source === 'load' && x.name === 'iterations' && (!scenario || x.tags.scenario === scenario),
  )
  if (!its.length) return undefined
  const rate = new Map<number, number>()
  for (const it of its)
    for (const w of it.windows) rate.set(w.i, (rate.get(w.i) ?? 0) + ((w.delta ?? w.count) * 1000) / windowMs)
  const xs: number[] = []
  const ys: number[] = []
  for (const phase of trendPhases(record).filter((p) => p.loaded)) {
    for (const pt of phasePoints(s, phase, windowMs, saturated, logP95)) {
      const r = rate.get(Math.floor(pt.x / windowMs))
      if (r === undefined) continue
      xs.push(r)
      ys.push(pt.y)
    }
  }
  if (xs.length < 8) return undefined
  const minRate = Math.min(...xs)
  const maxRate = Math.max(...xs)
  if (maxRate - minRate < 1e-9) return undefined
  return {
    slope: theilSen([xs.map((x, i) => ({ x, y: ys[i] }))]),
    rho: spearman(xs, ys),
    minRate,
    maxRate,
    n: xs.length,
  }
}

/**
 * The phases a source's service-wide drift is judged over: the load's steps
 * over the loaded phases, the probe's over the others (not warm-ups); when no
 * phase is loaded, the probe's over every phase but warm-ups.
 */
export function driftPhases(record: RunRecord, source: string): TrendPhase[] {
  const all = trendPhases(record).filter((p) => !/warm/i.test(p.name))
  const anyLoaded = all.some((p) => p.loaded)
  if (source === 'load') return all.filter((p) => p.loaded)
  return anyLoaded ? all.filter((p) => !p.loaded) : all
}

/**
 * Every step of a source drifting, within each of several phases (never
 * across): per phase the median-combined series of {@link combinedDrift},
 * one slope over all of them (Theil–Sen within phases, seasonal Mann–Kendall).
 * `logChange` is the drift over a typical phase's judged span.
 */
export function combinedDriftSeasonal(
  steps: SeriesRecord[],
  phases: TrendPhase[],
  windowMs: number,
  saturated: Set<number>,
): (TrendTest & { logChange: number; span: number; phases: number }) | undefined {
  const segments: Point[][] = []
  for (const phase of phases) {
    const byWindow = new Map<number, number[]>()
    let used = 0
    for (const s of steps) {
      const pts = phasePoints(s, phase, windowMs, saturated, logP50)
      if (pts.length < 6) continue
      used++
      const m = median(pts.map((p) => p.y))
      for (const p of pts) {
        let list = byWindow.get(p.x)
        if (!list) byWindow.set(p.x, (list = []))
        list.push(p.y - m)
      }
    }
    if (used < 3) continue
    const seg = [...byWindow.entries()]
      .filter(([, v]) => v.length * 2 >= used)
      .map(([x, v]) => ({ x, y: median(v) }))
      .sort((a, b) => a.x - b.x)
    if (seg.length >= 6) segments.push(seg)
  }
  if (!segments.length) return undefined
  const t = driftTest(segments)
  const span = segments.reduce((a, seg) => a + (seg[seg.length - 1].x - seg[0].x), 0) / segments.length
  return { ...t, logChange: t.slope * span, span, phases: segments.length }
}
