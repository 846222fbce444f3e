/**
 * What the page's script hands to uPlot: charts, their lines and figures,
 * the inputs the charts are built from, and the colours they share.
 */
import type { RunRecord } from '@steady/record'
import type { DisplayUnit } from '../format.ts'
import type { ClassifiedSeries } from '../series.ts'
import { sig, type FittedLine } from '../stats.ts'

/** At most this many points per line; longer runs fold neighbouring windows. */
export const MAX_POINTS = 720

/** One line (or set of points) of a chart. */
export interface ChartLine {
  label: string
  values: (number | null)[]
  color: string
  width?: number
  dash?: number[]
  /** `only`: points without a line (scatter); `show`: line with points. */
  points?: 'only' | 'show'
  /** `y2`: the chart's second axis. */
  scale?: 'y' | 'y2'
  /** Hidden from the legend (the second half of a band, a continuation). */
  noLegend?: boolean
  /** Points drawn as rings (the baseline runs beside this run's dots). */
  hollow?: boolean
  /** Drawn as steps (target rates that change per phase). */
  stepped?: boolean
  /** A band's edge: not stroked, filled towards its partner by the chart's `bands`. */
  bandEdge?: boolean
}

/** What the page's script draws with uPlot. */
export interface ChartSpec {
  id: string
  /** `time`: x is seconds since the run started; `rate`: x is the achieved load (it/s). */
  xKind: 'time' | 'rate'
  x: number[]
  y: { unit: DisplayUnit; label: string; min?: number; max?: number }
  y2?: { unit: DisplayUnit; label: string; min?: number; max?: number }
  lines: ChartLine[]
  /** Filled areas between two lines (indices into `lines`, upper first). */
  bands?: { upper: number; lower: number; fill: string }[]
  /** Shade the run's phases behind the data. */
  phases: boolean
  /** Vertical markers (restarts, crashes) at seconds since the start. */
  markers?: { x: number; label: string }[]
}

/** A chart with what the server writes around it. */
export interface Figure {
  spec: ChartSpec
  title: string
  /** What the chart shows and how to read it (one or two sentences). */
  caption: string
  /** Per-phase fitted slopes, for indicator charts. */
  slopes?: { phase: string; perHour: number; from: number; to: number; source: 'verdict' | 'report'; spanMs: number }[]
  unit: DisplayUnit
}

/** Baseline bands per series key and phase: the range the baseline runs' values span. */
export type BandsBySeries = Map<string, Record<string, { lo: number; hi: number }>>

/** A baseline run's phase for the latency-under-load chart: the series, its achieved rate and p95 (ms). */
export interface BaselineLoadPoint {
  key: string
  run: string
  phase: string
  rate: number
  p95: number
}

export interface ChartInputs {
  record: RunRecord
  classified: ClassifiedSeries
  /** p95 bands from the baseline, by step series key. */
  bands?: BandsBySeries
  /** Some bands are the verdict's prediction intervals (the caption says so). */
  bandsFromVerdict?: boolean
  /** Fitted lines from the verdict, by series key (they replace the report's own). */
  lines?: Map<string, FittedLine[]>
  /** Baseline runs' (rate, p95) points for the load chart. */
  baselineLoad?: BaselineLoadPoint[]
}

export const COLORS = {
  p50: '#7fb3e0',
  p95: '#1f5fa8',
  p99: '#d98cbf',
  band: 'rgba(26, 152, 80, 0.22)',
  bandEdge: 'rgba(26, 152, 80, 0.55)',
  fit: '#d95f02',
  value: '#1f5fa8',
  min: '#66a61e',
  throughput: '#1f5fa8',
  target: '#555555',
  errors: '#d62728',
  probeFailed: '#9e0142',
  dropped: '#ff7f0e',
  elu: '#1f5fa8',
  lag: '#e7298a',
  late: '#d95f02',
  /** A paired run's control side: muted, so the candidate in colour reads first. */
  control: '#9a9a9a',
  sideRatio: '#7b3294',
  palette: ['#1f5fa8', '#d95f02', '#1a9850', '#7b3294', '#e7298a', '#a6761d', '#666666', '#17becf'],
}

/** The right axis of a paired chart: the candidate's value divided by the control's, 1 when they are the same. */
export const RATIO_AXIS = { unit: 'count', label: 'candidate ÷ control', min: 0 } as const

/** The candidate's points divided by the control's, window by window (none where either is missing or zero). */
export function ratioLine(what: string, candidate: (number | null)[], control: (number | null)[]): ChartLine {
  const values = candidate.map((c, i) => {
    const k = control[i]
    return c === null || k === null || k === undefined || k === 0 ? null : sig(c / k, 3)
  })
  const label = `candidate ÷ control ${what} (right axis)`
  return { label, values, color: COLORS.sideRatio, width: 1, dash: [2, 2], scale: 'y2' }
}
