/**
 * The dashed trend line of an indicator chart, and its slope per phase. The
 * verdict's fitted lines are drawn when it gives them; otherwise, for a
 * service gauge, the report fits its own line (Theil–Sen, `../stats.ts`)
 * within each phase and apart on either side of a restart. This file is the
 * one place the report draws a line of its own.
 */
import type { RunRecord } from '@steady/record'
import { theilSen, type FittedLine } from '../stats.ts'
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
 * values, after the segment's first tenth (growth while a phase settles is
 * not drift).
 */
export function reportTrend(record: RunRecord, n: number, values: readonly (number | null)[]): Trend {
  const ms = record.window.sizeMs
  const fit = new Array<number | null>(n).fill(null)
  const slopes: Slope[] = []
  for (const p of segments(record)) {
    const from = Math.floor(p.startMs / ms)
    const to = Math.min(n, Math.ceil(p.endMs / ms))
    // Skip the first tenth of each phase: growth while a phase settles is not drift.
    const skip = Math.max(1, Math.floor((to - from) / 10))
    const xs: number[] = []
    const ys: number[] = []
    for (let i = from + skip; i < to; i++) {
      const v = values[i]
      if (v !== null) {
        xs.push((i + 0.5) * ms)
        ys.push(v)
      }
    }
    const line = theilSen(xs, ys)
    if (!line || xs.length < 5) continue
    for (let i = from + skip; i < to; i++) fit[i] = line.intercept + line.slope * (i + 0.5) * ms
    slopes.push({
      phase: p.name,
      perHour: line.slope * 3_600_000,
      from: line.intercept + line.slope * xs[0],
      to: line.intercept + line.slope * xs[xs.length - 1],
      source: 'report',
      spanMs: xs[xs.length - 1] - xs[0],
    })
  }
  return { fit, slopes }
}

/** The run's phases, cut at every restart or crash inside them (a restarted process starts afresh). */
function segments(record: RunRecord): { name: string; startMs: number; endMs: number }[] {
  const cuts = record.events
    .filter((e) => e.kind === 'service-restart' || e.kind === 'service-crash')
    .map((e) => e.atMs)
  const out: { name: string; startMs: number; endMs: number }[] = []
  for (const p of record.phases) {
    let start = p.startMs
    const inside = cuts.filter((c) => c > p.startMs && c < p.endMs).sort((a, b) => a - b)
    inside.forEach((c, k) => {
      const name = k === 0 ? `${p.name} (before the restart)` : `${p.name} (between restarts)`
      out.push({ name, startMs: start, endMs: c })
      start = c
    })
    out.push({ name: inside.length ? `${p.name} (after the restart)` : p.name, startMs: start, endMs: p.endMs })
  }
  return out
}
