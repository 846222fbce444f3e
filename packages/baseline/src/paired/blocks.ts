/**
 * Paired log-ratios from blocks of windows. A step with many requests per
 * window is compared window by window; a sparser one has consecutive windows
 * merged (their HDR histograms) until both sides have the values the
 * statistic needs. Both sides of a block cover the same windows, so a machine
 * effect still cancels.
 *
 * The all-steps ratio averages the steps within a block. Where no step has
 * enough values for a median (probes that run about once a second on each
 * side, in a quiet phase), it does with a few values per step: the mean of
 * the logs of a side's values stands in, which, unlike a median of one or
 * two values, does not depend on how many values the side happened to have.
 */
import { LatencyHistogram, type SeriesWindow } from '@steady/record'
import { mean } from '@steady/kernel'
import type { Point } from '../stats/trend.ts'
import type { LevelStat } from '../summary.ts'
import type { TrendPhase } from '../trends.ts'
import { timedValues, windowPairs, type SeriesPair } from './pairs.ts'

/** A paired log-ratio at `x` (the middle of the windows it covers), from `windows` consecutive windows. */
export interface Ratio {
  x: number
  d: number
  windows: number
}

/** Where the windows of one comparison are: the phase, the window size and the windows to leave out. */
export interface WindowFrame {
  phase: TrendPhase
  windowMs: number
  saturated: ReadonlySet<number>
}

const STAT_Q: Record<LevelStat, number> = { p50: 0.5, p95: 0.95, p99: 0.99 }

/** Values a side needs in a block before its median is used; below it, the mean of the values' logs. */
const MEDIAN_VALUES = 10

/** Block lengths (in windows) the all-steps ratio tries, shortest first. */
const BLOCK_LENGTHS = [1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30]

const decoded = new WeakMap<SeriesWindow, LatencyHistogram>()

/** The windows' timed values merged into one histogram (each window decoded once), undefined without histograms. */
function merged(ws: readonly SeriesWindow[]): LatencyHistogram | undefined {
  const out = new LatencyHistogram()
  for (const w of ws) {
    if (!w.hist) return undefined
    let h = decoded.get(w)
    if (!h) decoded.set(w, (h = LatencyHistogram.decode(w.hist)))
    out.merge(h)
  }
  return out
}

/** A statistic of a block of windows: the window's own when it is one, else the merged histograms' quantile. */
function blockStat(ws: readonly SeriesWindow[], stat: LevelStat): number | undefined {
  if (ws.length === 1) return ws[0][stat]
  const h = merged(ws)
  return h && h.count ? h.quantile(STAT_Q[stat]) : undefined
}

/** The mean of the logs of a histogram's values (each recovered as the quantile at its own rank). */
function meanLog(h: LatencyHistogram): number {
  const n = h.count
  let s = 0
  for (let i = 0; i < n; i++) s += Math.log(h.quantile((i + 0.5) / n))
  return s / n
}

function middle(ws: readonly SeriesWindow[], windowMs: number): number {
  return ((ws[0].i + ws[ws.length - 1].i + 1) * windowMs) / 2
}

/**
 * A step's paired log-ratios of a statistic in a phase: a window where both sides timed `min` values is its
 * own block; otherwise consecutive windows are merged until both sides have. Leftover windows at a phase's
 * end that never reach `min` values are left out.
 */
export function stepRatios(pair: SeriesPair, frame: WindowFrame, stat: LevelStat, min: number): Ratio[] {
  const out: Ratio[] = []
  let c: SeriesWindow[] = []
  let k: SeriesWindow[] = []
  let nc = 0
  let nk = 0
  for (const [cw, kw] of windowPairs(pair, frame.phase, frame.windowMs, frame.saturated)) {
    c.push(cw)
    k.push(kw)
    nc += timedValues(cw)
    nk += timedValues(kw)
    if (nc < min || nk < min) continue
    const a = blockStat(c, stat)
    const b = blockStat(k, stat)
    if (a !== undefined && b !== undefined && a > 0 && b > 0) {
      out.push({ x: middle(c, frame.windowMs), d: Math.log(a / b), windows: c.length })
    }
    c = []
    k = []
    nc = nk = 0
  }
  return out
}

/** Each side's windows of a series in the judged part of a phase, by window index (saturated ones left out). */
function judgedWindows(windows: readonly SeriesWindow[], frame: WindowFrame): Map<number, SeriesWindow> {
  const out = new Map<number, SeriesWindow>()
  for (const w of windows) {
    const start = w.i * frame.windowMs
    if (start < frame.phase.fromMs || start + frame.windowMs > frame.phase.endMs + 1e-9) continue
    if (!frame.saturated.has(w.i) && timedValues(w) > 0) out.set(w.i, w)
  }
  return out
}

/**
 * The typical-latency log-ratio of one step in one block: the medians' when both sides have enough values;
 * with `sparse`, the mean logs' where they have fewer.
 */
function typicalRatio(c: readonly SeriesWindow[], k: readonly SeriesWindow[], sparse: boolean): number | undefined {
  if (!c.length || !k.length) return undefined
  const nc = c.reduce((s, w) => s + timedValues(w), 0)
  const nk = k.reduce((s, w) => s + timedValues(w), 0)
  if (nc >= MEDIAN_VALUES && nk >= MEDIAN_VALUES) {
    const a = blockStat(c, 'p50')
    const b = blockStat(k, 'p50')
    return a !== undefined && b !== undefined && a > 0 && b > 0 ? Math.log(a / b) : undefined
  }
  if (!sparse) return undefined
  const hc = merged(c)
  const hk = merged(k)
  if (!hc?.count || !hk?.count || !(hc.min > 0) || !(hk.min > 0)) return undefined
  return meanLog(hc) - meanLog(hk)
}

interface StepSides {
  c: Map<number, SeriesWindow>
  k: Map<number, SeriesWindow>
}

/** How one all-steps comparison is made: blocks of `length` windows, sparse steps counted or not. */
interface Blocking {
  length: number
  sparse: boolean
}

function windowsIn(m: ReadonlyMap<number, SeriesWindow>, from: number, length: number): SeriesWindow[] {
  const out: SeriesWindow[] = []
  for (let i = from; i < from + length; i++) {
    const w = m.get(i)
    if (w) out.push(w)
  }
  return out
}

/**
 * The all-steps ratio on blocks: per block, the mean over the steps that have a ratio in it, kept where
 * that is at least half the steps that have one anywhere in the phase (`used`).
 */
function blocksOf(sides: readonly StepSides[], frame: WindowFrame, how: Blocking): { points: Point[]; used: number } {
  const first = Math.ceil(frame.phase.fromMs / frame.windowMs - 1e-9)
  const last = Math.floor(frame.phase.endMs / frame.windowMs + 1e-9) - 1
  const blocks: { x: number; d: (number | undefined)[] }[] = []
  for (let from = first; from + how.length - 1 <= last; from += how.length) {
    const d = sides.map((s) =>
      typicalRatio(windowsIn(s.c, from, how.length), windowsIn(s.k, from, how.length), how.sparse),
    )
    blocks.push({ x: (from + how.length / 2) * frame.windowMs, d })
  }
  const used = sides.filter((_, j) => blocks.some((b) => b.d[j] !== undefined)).length
  const points: Point[] = []
  for (const b of blocks) {
    const ds = b.d.filter((v): v is number => v !== undefined)
    if (ds.length && ds.length * 2 >= used) points.push({ x: b.x, y: mean(ds) })
  }
  return { points, used }
}

/**
 * The all-steps ratio of a phase: the mean over steps of each block's typical-latency log-ratio, on the
 * shortest blocks (in windows) that give `enough` of them, steps with enough values for a median first.
 * Loaded phases, whose steps have many requests a window, stay window by window; a quiet phase of probes
 * that run about once a second on each side is compared on blocks of a few seconds, with mean logs. When
 * no blocking gives `enough`, the one that gives the most.
 */
export function allStepsBlocks(
  steps: readonly SeriesPair[],
  frame: WindowFrame,
  enough: number,
): { points: Point[]; used: number; length: number } {
  const sides = steps.map((p) => ({
    c: judgedWindows(p.candidate.windows, frame),
    k: judgedWindows(p.control.windows, frame),
  }))
  let best = { points: [] as Point[], used: 0, length: 1 }
  for (const sparse of [false, true]) {
    for (const length of BLOCK_LENGTHS) {
      const r = blocksOf(sides, frame, { length, sparse })
      if (r.points.length >= enough) return { ...r, length }
      if (r.points.length > best.points.length) best = { ...r, length }
    }
  }
  return best
}
