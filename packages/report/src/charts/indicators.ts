/**
 * The service section: one chart per indicator that changed during the run
 * (the ones that did not are named with their value, not drawn), with the
 * window minimum for heap-like indicators, the control and the ratio on a
 * paired run, and a trend line per phase (`trend.ts`).
 */
import type { SeriesRecord } from '@steady/record'
import type { DisplayUnit } from '../format.ts'
import { indicatorValue, perWindow, type Indicator } from '../series.ts'
import type { Reduce } from '../stats.ts'
import type { ChartFrame } from './frame.ts'
import { COLORS, RATIO_AXIS, ratioLine, type ChartLine, type Figure } from './spec.ts'
import { reportTrend, verdictTrend, type Trend } from './trend.ts'

/** An indicator that did not change: its label, value and unit. */
export interface FlatIndicator {
  label: string
  value: number
  unit: DisplayUnit
}

/** Splits the indicators: one that never changed is named, not drawn (a flat line says nothing a number does not). */
export function splitFlat(frame: ChartFrame): { flat: FlatIndicator[]; changing: Indicator[] } {
  const { input, n, windowSec } = frame
  const flat: FlatIndicator[] = []
  const changing = input.classified.indicators.filter((ind) => {
    const values = perWindow(ind.series, n, (w) => indicatorValue(ind, w, windowSec)).filter(
      (v): v is number => v !== null,
    )
    const still = values.length > 0 && values.every((v) => v === values[0])
    if (still) flat.push({ label: ind.label, value: values[0], unit: ind.unit })
    return !still
  })
  return { flat, changing }
}

/** The chart of one indicator. */
export function indicatorFigure(frame: ChartFrame, ind: Indicator, kind: 'service' | 'generator'): Figure {
  const { input, record, n, f, windowSec } = frame
  const s = ind.series
  const lines: ChartLine[] = []
  const how: Reduce = ind.how === 'buckets' ? 'max' : ind.how === 'rate' ? 'mean' : 'last'
  const minOf = (x: SeriesRecord) =>
    perWindow(x, n, (w) => ((w.min ?? w.value) === undefined ? undefined : (w.min ?? w.value)! * ind.factor))
  const control = ind.control
  const side = control ? 'candidate ' : ''
  const what = ind.how === 'buckets' ? 'p95 (from buckets)' : ind.useMin ? 'sampled' : 'value'
  // The control first (under the candidate), muted; the ratio compares what a leak is judged by (the minimum).
  const valuesOf = (x: SeriesRecord) => perWindow(x, n, (w) => indicatorValue(ind, w, windowSec))
  const shownOf = (x: SeriesRecord) => (ind.useMin ? minOf(x) : valuesOf(x))
  const values = valuesOf(s)
  const controlShown = control ? f(shownOf(control), ind.useMin ? 'min' : how) : []
  if (control) {
    const label = ind.useMin ? 'control window minimum (after GC)' : `control ${what}`
    lines.push({ label, values: controlShown, color: COLORS.control, width: 1.5 })
  }
  lines.push({ label: `${side}${what}`, values: f(values, how), color: COLORS.value, width: 1.5 })
  let fitOn = values
  if (ind.useMin) {
    const mins = minOf(s)
    lines.push({ label: `${side}window minimum (after GC)`, values: f(mins, 'min'), color: COLORS.min, width: 1.5 })
    fitOn = mins
  }
  if (control) {
    const measure = ind.useMin ? 'minimum' : ind.how === 'buckets' ? 'p95' : 'value'
    lines.push(ratioLine(measure, f(fitOn, ind.useMin ? 'min' : how), controlShown))
  }
  const given = input.lines?.get(s.key)
  const trend: Trend = given?.length
    ? verdictTrend(record, n, given, ind.factor)
    : kind === 'service' && ind.how === 'gauge'
      ? reportTrend(record, n, fitOn)
      : { fit: [], slopes: [] }
  const { slopes } = trend
  if (slopes.length) {
    const label = slopes[0].source === 'verdict' ? 'fitted slope per phase (verdict)' : 'trend per phase (Theil–Sen)'
    lines.push({ label, values: f(trend.fit, 'mean'), color: COLORS.fit, width: 2, dash: [6, 3] })
  }
  const sides = control
    ? ' Both sides of the paired run: the control in grey, the candidate in colour, and the candidate divided by ' +
      'the control in the same window (right axis; 1 = the same). The trend is fitted on the candidate.'
    : ''
  return {
    title: ind.label,
    unit: ind.unit,
    caption: captionOf(ind, kind) + sides + (frame.factor > 1 ? ` Each point covers ${frame.factor} windows.` : ''),
    slopes,
    spec: {
      id: frame.id(kind),
      xKind: 'time',
      x: frame.xTime,
      y: { unit: ind.unit, label: ind.label, min: ind.unit === 'bytes' ? undefined : 0 },
      ...(control ? { y2: RATIO_AXIS } : {}),
      lines,
      phases: true,
      markers: frame.markers,
    },
  }
}

function captionOf(ind: Indicator, kind: 'service' | 'generator'): string {
  const trend = ' The dashed lines are a trend fitted within each phase, after its first tenth.'
  if (kind === 'generator') {
    return (
      'The load generator’s own health. When its event loop is saturated, it starts work late and the service’s ' +
      'numbers in those windows are not to be trusted.'
    )
  }
  if (ind.how === 'buckets') {
    return (
      'The p95 the service itself reports, estimated from its Prometheus histogram buckets per window ' +
      '(interpolated within a bucket, as PromQL does).'
    )
  }
  if (ind.useMin) {
    return (
      'Heap used, sampled, and the smallest sample of each window (the heap after garbage collection): a leak ' +
      'shows as a rising minimum.' +
      trend
    )
  }
  if (ind.how === 'rate') return 'The counter’s increase per second, per window.'
  return 'The value sampled from the service, last sample of each window.' + trend
}
