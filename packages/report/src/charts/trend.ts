/**
 * The dashed trend line of an indicator chart, and its slope per phase. The
 * verdict's fitted lines are drawn when it gives them; otherwise, for a
 * service gauge, the report fits its own line the way the judge does
 * (Theil–Sen after each phase's warm-up), apart on either side of a restart.
 * This file is the one place the report draws a line of its own.
 */
import type { RunRecord } from '@steady/record'
import { theilSenLine, type Point } from '@steady/kernel'
import { trendPhases } from '@steady/baseline/internal'
import type { FittedLine } from '../stats.ts'
import type { Figure } from './spec.ts'

type Slope = NonNullable<Figure['slopes']>[number]

/** A trend: one value per window (null where it is not drawn), and the slope of each fitted segment. */
export interface Trend {
  fit: (number | null)[]
  slopes: Slope[]
}

/** The verdict's lines over `n` windows, in the chart's unit (`factor` times the series'). */
export function verdictTrend(record: RunRecord, n: number, given: readonly FittedLine[], factor: number): Trend {
  const ms = record.window.sizeMs
  const fit = new Array<number | null>(n).fill(null)
  const slopes: Slope[] = []
  for (const line of given) {
    const from = Math.floor(line.fromMs / ms)
    const to = Math.min(n, Math.ceil(line.toMs / ms))
    for (let i = from; i < to; i++) fit[i] = (line.atFrom + line.slopePerMs * ((i + 0.5) * ms - line.fromMs)) * factor
    const phase = record.phases.find((p) => line.fromMs >= p.startMs && line.fromMs < p.endMs)?.name ?? ''
    slopes.push({
      phase,
      perHour: line.slopePerMs * 3_600_000 * factor,
      from: line.atFrom * factor,
      to: (line.atFrom + line.slopePerMs * (line.toMs - line.fromMs)) * factor,
      source: 'verdict',
      spanMs: line.toMs - line.fromMs,
    })
  }
  return { fit, slopes }
}

/**
 * The report's own trend through `values` (one per window, already in the
 * chart's unit): a Theil–Sen line per phase segment with at least five
 * values, fitted as the judge fits a gauge's trend (the same estimator from
 * `@steady/kernel`, over the windows after the phase's warm-up as
 * `@steady/baseline` sets it), so a chart drawn without a verdict shows the
 * line the judge would have judged.
 */
export function reportTrend(record: RunRecord, n: number, values: readonly (number | null)[]): Trend {
  const ms = record.window.sizeMs
  const fit = new Array<number | null>(n).fill(null)
  const slopes: Slope[] = []
  for (const p of segments(record)) {
    const from = Math.floor(p.fromMs / ms)
    const to = Math.min(n, Math.ceil(p.endMs / ms))
    const points: Point[] = []
    for (let i = from; i < to; i++) {
      const v = values[i]
      if (v !== null) points.push({ x: (i + 0.5) * ms, y: v })
    }
    const line = points.length >= 5 ? theilSenLine(points) : undefined
    if (!line) continue
    for (let i = from; i < to; i++) fit[i] = line.intercept + line.slope * (i + 0.5) * ms
    const first = points[0].x
    const last = points[points.length - 1].x
    slopes.push({
      phase: p.name,
      perHour: line.slope * 3_600_000,
      from: line.intercept + line.slope * first,
      to: line.intercept + line.slope * last,
      source: 'report',
      spanMs: last - first,
    })
  }
  return { fit, slopes }
}

/**
 * The run's phases after their warm-ups, cut at every restart or crash inside them (a restarted process
 * starts afresh): `fromMs` is where a segment's fitted part starts.
 */
function segments(record: RunRecord): { name: string; fromMs: number; endMs: number }[] {
  const cuts = record.events
    .filter((e) => e.kind === 'service-restart' || e.kind === 'service-crash')
    .map((e) => e.atMs)
  const out: { name: string; fromMs: number; endMs: number }[] = []
  for (const p of trendPhases(record)) {
    let start = p.fromMs
    const inside = cuts.filter((c) => c > p.startMs && c < p.endMs).sort((a, b) => a - b)
    inside.forEach((c, k) => {
      const name = k === 0 ? `${p.name} (before the restart)` : `${p.name} (between restarts)`
      if (c > start) out.push({ name, fromMs: start, endMs: c })
      start = Math.max(start, c)
    })
    out.push({ name: inside.length ? `${p.name} (after the restart)` : p.name, fromMs: start, endMs: p.endMs })
  }
  return out
}
