/**
 * The load section: the throughput the generator achieved against the
 * plan's target, and the errors and dropped iterations beside the probe
 * loop's failures. On a paired run each line is drawn once per side, the
 * control muted under the candidate: the same schedule went to both.
 */
import type { SeriesRecord, Side } from '@steady/record'
import { errorsOf, sumPerWindow } from '../series.ts'
import { perPhase, type ChartFrame } from './frame.ts'
import { COLORS, type ChartLine, type Figure } from './spec.ts'

/** The run's load series, and the rates per window (per second) the charts draw from them. */
export interface LoadRates {
  iterations: SeriesRecord[]
  requestCounts: SeriesRecord[]
  durations: SeriesRecord[]
  dropped: SeriesRecord[]
  /** Load iterations per second (or requests, without an iteration counter). */
  achieved?: (number | null)[]
  /** Load requests per second. */
  requests?: (number | null)[]
  /** The probe's iteration outcome series (one per scenario). */
  outcomes: SeriesRecord[]
  /** Probe iterations per second. */
  probe: number[]
}

/** The rates of the whole run, or of one side of a paired run. */
export function loadRates(frame: ChartFrame, side?: Side): LoadRates {
  const { input, n, windowSec } = frame
  const mine = (s: SeriesRecord) => side === undefined || s.tags.side === side
  const load = input.classified.load.filter(mine)
  const iterations = load.filter((s) => s.name === 'iterations' && s.kind === 'counter')
  const requestCounts = load.filter((s) => s.name === 'http_reqs' && s.kind === 'counter')
  const durations = load.filter((s) => s.name === 'http_req_duration' && s.kind === 'histogram')
  const dropped = load.filter((s) => s.name === 'dropped_iterations')
  const rate = (list: SeriesRecord[]) =>
    sumPerWindow(list, n, (w) => w.delta ?? w.count).map((v) => (v === null ? null : v / windowSec))
  const achieved = iterations.length ? rate(iterations) : requestCounts.length ? rate(requestCounts) : undefined
  const requests = requestCounts.length
    ? rate(requestCounts)
    : durations.length
      ? sumPerWindow(durations, n, (w) => w.count).map((v) => (v ?? 0) / windowSec)
      : undefined
  const { classified } = input
  const sides = [
    ...(side !== 'control' ? [classified] : []),
    ...(side !== 'candidate' && classified.control ? [classified.control] : []),
  ]
  const outcomes = sides.flatMap((p) => [...p.outcomes.values()])
  const probe = sumPerWindow(outcomes, n, (w) => w.count).map((v) => (v ?? 0) / windowSec)
  return { iterations, requestCounts, durations, dropped, outcomes, achieved, requests, probe }
}

/** One side's rates and how its lines are drawn: the control muted and named, the candidate in colour. */
interface SideRates {
  rates: LoadRates
  /** `control ` / `candidate ` on a paired run, nothing otherwise. */
  prefix: string
  /** The colour for every line of the side (the control's), or undefined for each line's own. */
  color?: string
}

function sidesOf(frame: ChartFrame, rates: LoadRates): SideRates[] {
  if (!frame.record.paired) return [{ rates, prefix: '' }]
  return [
    { rates: loadRates(frame, 'control'), prefix: 'control ', color: COLORS.control },
    { rates: loadRates(frame, 'candidate'), prefix: 'candidate ' },
  ]
}

const PAIRED_CAPTION = ' Both sides of the paired run: the control in grey under the candidate in colour.'

/** Throughput (when the run had load), then errors and dropped iterations (always). */
export function loadFigures(frame: ChartFrame, rates: LoadRates): Figure[] {
  const load: Figure[] = []
  const sides = sidesOf(frame, rates)
  const throughput = throughputFigure(frame, sides)
  if (throughput) load.push(throughput)
  load.push(errorsFigure(frame, sides))
  return load
}

function throughputFigure(frame: ChartFrame, sides: SideRates[]): Figure | undefined {
  const { record, f, factor } = frame
  if (!sides.some((x) => x.rates.achieved || x.rates.requests)) return undefined
  const target = perPhase(frame, (p) => p.load?.targetRate ?? 0)
  const lines: ChartLine[] = []
  // An iteration may make many requests: requests get their own axis so iterations and the target stay
  // readable (one side's; a paired run's two sides would crowd it).
  const requestsAxis = sides.length === 1 && Boolean(sides[0].rates.requests && sides[0].rates.iterations.length)
  for (const { rates, prefix, color } of sides) {
    // Without iteration or request counters (a k6 summary), the requests timed per second stand in.
    const achieved = rates.achieved ?? rates.requests
    if (achieved) {
      const label = `${prefix}${rates.iterations.length ? 'load iterations/s achieved' : 'load requests/s'}`
      lines.push({ label, values: f(achieved, 'mean'), color: color ?? COLORS.throughput, width: 2 })
    }
    if (requestsAxis) {
      const values = f(rates.requests!, 'mean')
      lines.push({ label: 'load requests/s (right axis)', values, color: COLORS.palette[2], width: 1, scale: 'y2' })
    }
    const probe = f(rates.probe, 'mean')
    lines.push({ label: `${prefix}probe iterations/s`, values: probe, color: color ?? COLORS.palette[3], width: 1 })
  }
  if (record.phases.some((p) => p.load?.targetRate !== undefined)) {
    const values = f(target, 'mean')
    lines.push({ label: 'target rate', values, color: COLORS.target, dash: [6, 4], width: 1.5, stepped: true })
  }
  const paired = sides.length > 1 ? PAIRED_CAPTION : ''
  return {
    title: 'Throughput: load applied and probe iterations',
    unit: 'rate',
    caption:
      'The load the generator achieved against the plan’s target rate, and the probe loop’s own iterations, ' +
      `per second.${paired}${factor > 1 ? ` Each point averages ${factor} windows.` : ''}`,
    spec: {
      id: frame.id('load'),
      xKind: 'time',
      x: frame.xTime,
      y: { unit: 'rate', label: 'iterations per second', min: 0 },
      ...(requestsAxis ? { y2: { unit: 'rate' as const, label: 'requests per second', min: 0 } } : {}),
      lines,
      phases: true,
      markers: frame.markers,
    },
  }
}

function errorsFigure(frame: ChartFrame, sides: SideRates[]): Figure {
  const { n, windowSec, f } = frame
  const perSecond = (v: number | null) => (v ?? 0) / windowSec
  const lines: ChartLine[] = []
  for (const { rates, prefix, color } of sides) {
    const errorSource = rates.requestCounts.length ? rates.requestCounts : rates.durations
    const probeFailed = sumPerWindow(rates.outcomes, n, (w) => w.failed ?? 0).map(perSecond)
    const failed = { values: f(probeFailed, 'mean'), color: color ?? COLORS.probeFailed, width: 2 }
    lines.push({ label: `${prefix}probe iterations failed/s`, ...failed })
    if (errorSource.length) {
      const values = f(sumPerWindow(errorSource, n, (w) => errorsOf(w.errors)).map(perSecond), 'mean')
      lines.push({ label: `${prefix}load requests failed/s`, values, color: color ?? COLORS.errors, width: 1.5 })
    }
    if (rates.dropped.length) {
      const values = f(sumPerWindow(rates.dropped, n, (w) => w.delta ?? w.count).map(perSecond), 'mean')
      const style = { color: color ?? COLORS.dropped, width: 1.5, dash: [5, 3] }
      lines.push({ label: `${prefix}dropped iterations/s`, values, ...style })
    }
  }
  const paired = sides.length > 1 ? PAIRED_CAPTION : ''
  return {
    title: 'Errors and dropped iterations',
    unit: 'rate',
    caption:
      'Failed probe iterations, failed load requests (no response or an error status), and iterations the load ' +
      'generator had to drop because it could not start them in time — a version that cannot keep up drops work ' +
      `instead of showing latency.${paired}`,
    spec: {
      id: frame.id('errors'),
      xKind: 'time',
      x: frame.xTime,
      y: { unit: 'rate', label: 'per second', min: 0 },
      lines,
      phases: true,
      markers: frame.markers,
    },
  }
}
