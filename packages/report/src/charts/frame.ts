/**
 * What every chart of one report shares: the time axis (thinned to at most
 * {@link MAX_POINTS} points), how a line is folded onto it, the restart and
 * crash markers, the caption's note on folding, and the charts' ids, handed
 * out in the order the charts are built.
 */
import type { RunRecord } from '@steady/record'
import { windowCount } from '../series.ts'
import { fold, sig, type Reduce } from '../stats.ts'
import { MAX_POINTS, type ChartInputs, type ChartSpec } from './spec.ts'

export interface ChartFrame {
  input: ChartInputs
  record: RunRecord
  /** Windows in the run. */
  n: number
  /** Windows folded into one point. */
  factor: number
  windowSec: number
  /** Seconds since the start, one per point. */
  xTime: number[]
  /** One value per window, folded onto the points (`how` picks what a point shows) and rounded. */
  f: (values: (number | null)[], how: Reduce, digits?: number) => (number | null)[]
  markers: NonNullable<ChartSpec['markers']>
  /** The caption's sentence on folding (empty when nothing is folded). */
  folded: string
  /** The next chart id with this prefix. */
  id: (prefix: string) => string
}

export function chartFrame(input: ChartInputs): ChartFrame {
  const { record } = input
  const n = windowCount(record)
  const factor = Math.max(1, Math.ceil(n / MAX_POINTS))
  const windowSec = record.window.sizeMs / 1000
  const xTime = fold(
    Array.from({ length: n }, (_, i) => (i + 0.5) * windowSec),
    factor,
    'mean',
  ).map((v) => sig(v, 6) ?? 0)
  const f = (values: (number | null)[], how: Reduce, digits = 4) => fold(values, factor, how).map((v) => sig(v, digits))
  const markers = record.events
    .filter((e) => e.kind === 'service-restart' || e.kind === 'service-crash')
    .map((e) => ({
      x: sig(e.atMs / 1000, 6) ?? 0,
      label: e.kind === 'service-crash' ? 'service crashed' : 'service restarted',
    }))
  const folded =
    factor > 1 ? ` Each point covers ${factor} windows of ${windowSec}s (the highest latency of them is shown).` : ''
  let seq = 0
  const id = (prefix: string) => `${prefix}-${++seq}`
  return { input, record, n, factor, windowSec, xTime, f, markers, folded, id }
}

/** One value per window from a per-phase value (null outside the phases that have one). */
export function perPhase(frame: ChartFrame, valueOf: (phase: RunRecord['phases'][number]) => number | undefined) {
  const { record, n } = frame
  const out = new Array<number | null>(n).fill(null)
  for (const p of record.phases) {
    const v = valueOf(p)
    if (v === undefined) continue
    const from = Math.floor(p.startMs / record.window.sizeMs)
    const to = Math.min(n, Math.ceil(p.endMs / record.window.sizeMs))
    for (let i = from; i < to; i++) out[i] = v
  }
  return out
}
