/**
 * The load section: the throughput the generator achieved against the
 * plan's target, and the errors and dropped iterations beside the probe
 * loop's failures.
 */
import type { SeriesRecord } from '@steady/record'
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
  /** Probe iterations per second. */
  probe: number[]
}

export function loadRates(frame: ChartFrame): LoadRates {
  const { input, n, windowSec } = frame
  const load = input.classified.load
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
  const outcomes = [...input.classified.outcomes.values()]
  const probe = sumPerWindow(outcomes, n, (w) => w.count).map((v) => (v ?? 0) / windowSec)
  return { iterations, requestCounts, durations, dropped, achieved, requests, probe }
}

/** Throughput (when the run had load), then errors and dropped iterations (always). */
export function loadFigures(frame: ChartFrame, rates: LoadRates): Figure[] {
  const load: Figure[] = []
  const throughput = throughputFigure(frame, rates)
  if (throughput) load.push(throughput)
  load.push(errorsFigure(frame, rates))
  return load
}

function throughputFigure(frame: ChartFrame, rates: LoadRates): Figure | undefined {
  const { record, f, factor } = frame
  const { achieved, requests } = rates
  if (!achieved && !requests) return undefined
  const target = perPhase(frame, (p) => p.load?.targetRate ?? 0)
  const lines: ChartLine[] = []
  if (achieved) {
    const label = rates.iterations.length ? 'load iterations/s achieved' : 'load requests/s'
    lines.push({ label, values: f(achieved, 'mean'), color: COLORS.throughput, width: 2 })
  }
  // An iteration may make many requests: requests get their own axis so iterations and the target stay readable.
  const requestsAxis = Boolean(requests && rates.iterations.length)
  if (requestsAxis) {
    const values = f(requests!, 'mean')
    lines.push({ label: 'load requests/s (right axis)', values, color: COLORS.palette[2], width: 1, scale: 'y2' })
  }
  if (record.phases.some((p) => p.load?.targetRate !== undefined)) {
    const values = f(target, 'mean')
    lines.push({ label: 'target rate', values, color: COLORS.target, dash: [6, 4], width: 1.5, stepped: true })
  }
  lines.push({ label: 'probe iterations/s', values: f(rates.probe, 'mean'), color: COLORS.palette[3], width: 1 })
  return {
    title: 'Throughput: load applied and probe iterations',
    unit: 'rate',
    caption:
      'The load the generator achieved against the plan’s target rate, and the probe loop’s own iterations, ' +
      `per second.${factor > 1 ? ` Each point averages ${factor} windows.` : ''}`,
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

function errorsFigure(frame: ChartFrame, rates: LoadRates): Figure {
  const { input, n, windowSec, f } = frame
  const errorSource = rates.requestCounts.length ? rates.requestCounts : rates.durations
  const perSecond = (v: number | null) => (v ?? 0) / windowSec
  const loadErrors = sumPerWindow(errorSource, n, (w) => errorsOf(w.errors)).map(perSecond)
  const outcomes = [...input.classified.outcomes.values()]
  const probeFailed = sumPerWindow(outcomes, n, (w) => w.failed ?? 0).map(perSecond)
  const droppedRate = sumPerWindow(rates.dropped, n, (w) => w.delta ?? w.count).map(perSecond)
  const lines: ChartLine[] = [
    { label: 'probe iterations failed/s', values: f(probeFailed, 'mean'), color: COLORS.probeFailed, width: 2 },
  ]
  if (errorSource.length) {
    lines.push({ label: 'load requests failed/s', values: f(loadErrors, 'mean'), color: COLORS.errors, width: 1.5 })
  }
  if (rates.dropped.length) {
    const values = f(droppedRate, 'mean')
    lines.push({ label: 'dropped iterations/s', values, color: COLORS.dropped, width: 1.5, dash: [5, 3] })
  }
  return {
    title: 'Errors and dropped iterations',
    unit: 'rate',
    caption:
      'Failed probe iterations, failed load requests (no response or an error status), and iterations the load ' +
      'generator had to drop because it could not start them in time — a version that cannot keep up drops work ' +
      'instead of showing latency.',
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
