/**
 * Paired log-ratios from blocks of windows. A step with enough requests per
 * window is compared window by window, on the quantiles each window stored. A
 * sparser one is compared on blocks of consecutive windows, as many as its
 * request rate needs for the statistic, aligned to the phase: both sides of a
 * block span the same seconds, so a machine effect on those seconds still
 * cancels. A block's quantile comes from the values of its windows, which a
 * window of a few requests gives back cheaply (its histogram decoded once per
 * judgement).
 *
 * The all-steps ratio averages the steps within a block. Where no step has
 * enough values for a median (probes that run about once a second on each
 * side, in a quiet phase), it does with a few values per step: the mean of
 * the logs of a side's values stands in, which, unlike a median of one or two
 * values, does not depend on how many values the side happened to have.
 */
import { LatencyHistogram, type SeriesWindow } from '@steady/record'
import { mean, quantile } from '@steady/kernel'
import { median } from '../stats/robust.ts'
import type { Point } from '../stats/trend.ts'
import type { LevelStat } from '../summary.ts'
import type { TrendPhase } from '../trends.ts'
import { timedValues, windowPairs, type SeriesPair } from './pairs.ts'

/** A paired log-ratio at `x` (the middle of the windows it spans), from a block of `windows` windows. */
export interface Ratio {
  x: number
  d: number
  windows: number
}

/** Windows' timed values, decoded once per judgement for the all-steps ratio's sparse blocks. */
export type ValueCache = Map<SeriesWindow, number[] | null>

/** Where the windows of one comparison are: the phase, the window size, the windows to leave out. */
export interface WindowFrame {
  phase: TrendPhase
  windowMs: number
  saturated: ReadonlySet<number>
  values: ValueCache
}

const STAT_Q: Record<LevelStat, number> = { p50: 0.5, p95: 0.95, p99: 0.99 }

/** Values a side needs in a block before its median is used by the all-steps ratio; below, mean logs. */
const MEDIAN_VALUES = 10

/** Block lengths (in windows) the all-steps ratio tries on sparse steps. */
const BLOCK_LENGTHS = [1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30]

/** A window's timed values, ascending; undefined without a histogram. Kept in `cache` when one is given. */
function valuesOf(w: SeriesWindow, cache: ValueCache | undefined): number[] | undefined {
  let v = cache?.get(w)
  if (v === undefined) {
    v = w.hist ? LatencyHistogram.decodeValues(w.hist) : null
    cache?.set(w, v)
  }
  return v ?? undefined
}

/** The values of a side's windows in a block; undefined when a window has no histogram. */
function blockValues(ws: readonly SeriesWindow[], cache: ValueCache | undefined): number[] | undefined {
  const out: number[] = []
  for (const w of ws) {
    const v = valuesOf(w, cache)
    if (!v) return undefined
    for (const x of v) out.push(x)
  }
  return out
}

/** The first and last window index of the judged part of a phase (after its warm-up). */
function judgedSpan(frame: WindowFrame): { first: number; last: number } {
  return {
    first: Math.ceil(frame.phase.fromMs / frame.windowMs - 1e-9),
    last: Math.floor(frame.phase.endMs / frame.windowMs + 1e-9) - 1,
  }
}

/** A series' windows in the judged part of a phase that timed a value, by index (saturated ones left out). */
function judgedWindows(windows: readonly SeriesWindow[], frame: WindowFrame): Map<number, SeriesWindow> {
  const { first, last } = judgedSpan(frame)
  const out = new Map<number, SeriesWindow>()
  for (const w of windows) {
    if (w.i >= first && w.i <= last && !frame.saturated.has(w.i) && timedValues(w) > 0) out.set(w.i, w)
  }
  return out
}

function windowsIn(m: ReadonlyMap<number, SeriesWindow>, from: number, length: number): SeriesWindow[] {
  const out: SeriesWindow[] = []
  for (let i = from; i < from + length; i++) {
    const w = m.get(i)
    if (w) out.push(w)
  }
  return out
}

/** ln(candidate / control) of a statistic two windows stored; undefined unless both are positive. */
function storedRatio(c: SeriesWindow, k: SeriesWindow, stat: LevelStat): number | undefined {
  const a = c[stat]
  const b = k[stat]
  return a !== undefined && b !== undefined && a > 0 && b > 0 ? Math.log(a / b) : undefined
}

function timedIn(ws: readonly SeriesWindow[]): number {
  return ws.reduce((s, w) => s + timedValues(w), 0)
}

/** Both sides' windows of a step in the judged part of a phase: paired by index, and each side's own. */
interface StepWindows {
  pairs: [SeriesWindow, SeriesWindow][]
  candidate: Map<number, SeriesWindow>
  control: Map<number, SeriesWindow>
}

/**
 * Windows per block for a step's statistic: one when most paired windows have `min` values on each side
 * (windows with fewer are then left out), else as many as the slower side's average rate needs.
 */
function blockLength(w: StepWindows, span: number, min: number): number {
  if (w.pairs.length && median(w.pairs.map(([c, k]) => Math.min(timedValues(c), timedValues(k)))) >= min) return 1
  if (span <= 0) return 0
  const rate = (side: Map<number, SeriesWindow>) => timedIn([...side.values()]) / span
  const slower = Math.min(rate(w.candidate), rate(w.control))
  return slower > 0 ? Math.ceil(min / slower) : 0
}

/**
 * A step's paired log-ratios of a statistic in a phase: window by window where the step is dense enough,
 * else on aligned blocks of {@link blockLength} windows, each kept when both sides have `min` values; and
 * that length (0 when a side timed nothing).
 */
export function stepRatios(
  pair: SeriesPair,
  frame: WindowFrame,
  stat: LevelStat,
  min: number,
): { ratios: Ratio[]; length: number } {
  const { first, last } = judgedSpan(frame)
  const w: StepWindows = {
    pairs: windowPairs(pair, frame.phase, frame.windowMs, frame.saturated),
    candidate: judgedWindows(pair.candidate.windows, frame),
    control: judgedWindows(pair.control.windows, frame),
  }
  const length = blockLength(w, last - first + 1, min)
  const out: Ratio[] = []
  if (length === 1) {
    for (const [c, k] of w.pairs) {
      if (timedValues(c) < min || timedValues(k) < min) continue
      const d = storedRatio(c, k, stat)
      if (d !== undefined) out.push({ x: (c.i + 0.5) * frame.windowMs, d, windows: 1 })
    }
    return { ratios: out, length }
  }
  for (let from = first; length && from <= last; from += length) {
    const c = windowsIn(w.candidate, from, Math.min(length, last - from + 1))
    const k = windowsIn(w.control, from, Math.min(length, last - from + 1))
    if (timedIn(c) < min || timedIn(k) < min) continue
    // Not cached: a window is in one block per statistic, and a long soak's values would add up.
    const cv = blockValues(c, undefined)
    const kv = blockValues(k, undefined)
    if (!cv || !kv) continue
    const a = quantile(cv, STAT_Q[stat])
    const b = quantile(kv, STAT_Q[stat])
    if (!(a > 0) || !(b > 0)) continue
    const to = Math.min(from + length, last + 1)
    out.push({ x: ((from + to) / 2) * frame.windowMs, d: Math.log(a / b), windows: length })
  }
  return { ratios: out, length }
}

/** The mean of the logs of some latencies; undefined when one is not positive. */
function meanLog(values: readonly number[]): number | undefined {
  let s = 0
  for (const v of values) {
    if (!(v > 0)) return undefined
    s += Math.log(v)
  }
  return s / values.length
}

/**
 * The typical-latency log-ratio of one step in one block: the medians' when both sides have enough values
 * (a single window's stored median, else the block's values'); with `sparse`, the mean logs' where they
 * have fewer.
 */
function typicalRatio(
  c: readonly SeriesWindow[],
  k: readonly SeriesWindow[],
  sparse: boolean,
  cache: ValueCache,
): number | undefined {
  if (!c.length || !k.length) return undefined
  const dense = timedIn(c) >= MEDIAN_VALUES && timedIn(k) >= MEDIAN_VALUES
  if (!dense && !sparse) return undefined
  if (dense && c.length === 1 && k.length === 1) return storedRatio(c[0], k[0], 'p50')
  const cv = blockValues(c, cache)
  const kv = blockValues(k, cache)
  if (!cv?.length || !kv?.length) return undefined
  if (dense) {
    const a = quantile(cv, 0.5)
    const b = quantile(kv, 0.5)
    return a > 0 && b > 0 ? Math.log(a / b) : undefined
  }
  const a = meanLog(cv)
  const b = meanLog(kv)
  return a === undefined || b === undefined ? undefined : a - b
}

interface StepSides {
  c: Map<number, SeriesWindow>
  k: Map<number, SeriesWindow>
}

/**
 * The all-steps ratio on aligned blocks of `length` windows: per block, the mean over the steps that have a
 * ratio in it, kept where that is at least half the steps that have one anywhere in the phase (`used`).
 */
function blocksOf(
  sides: readonly StepSides[],
  frame: WindowFrame,
  length: number,
  sparse: boolean,
): { points: Point[]; used: number } {
  const { first, last } = judgedSpan(frame)
  const blocks: { x: number; d: (number | undefined)[] }[] = []
  for (let from = first; from + length - 1 <= last; from += length) {
    const d = sides.map((s) =>
      typicalRatio(windowsIn(s.c, from, length), windowsIn(s.k, from, length), sparse, frame.values),
    )
    blocks.push({ x: (from + length / 2) * frame.windowMs, d })
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
 * The all-steps ratio of a phase: the mean over steps of each window's median log-ratio (steps with enough
 * values a window, as in a loaded phase). When that gives fewer than `enough` windows, sparse steps count
 * too, with mean logs, on the block length (in windows) that gives the most blocks: a quiet phase of probes
 * that run about once a second on each side is compared on blocks of a few seconds.
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
  const dense = blocksOf(sides, frame, 1, false)
  if (dense.points.length >= enough) return { ...dense, length: 1 }
  let best = { ...dense, length: 1 }
  for (const length of BLOCK_LENGTHS) {
    const r = blocksOf(sides, frame, length, true)
    if (r.points.length > best.points.length) best = { ...r, length }
  }
  return best
}
