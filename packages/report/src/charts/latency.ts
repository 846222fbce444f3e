/**
 * The latency section: one chart per step the probe loop measured, its p50,
 * p95 and p99 per window, with the baseline's band where one was given and,
 * on a paired run, the control beside the candidate and their ratio.
 */
import { perWindow, type StepSeries } from '../series.ts'
import { perPhase, type ChartFrame } from './frame.ts'
import { COLORS, RATIO_AXIS, ratioLine, type ChartLine, type ChartSpec, type Figure } from './spec.ts'

/** The chart of one step. */
export function latencyFigure(frame: ChartFrame, step: StepSeries): Figure {
  const { input, n, f, windowSec, folded } = frame
  const s = step.series
  const lines: ChartLine[] = []
  const bands: ChartSpec['bands'] = []
  const band = input.bands?.get(s.key)
  if (band) {
    const hi = perPhase(frame, (p) => band[p.name]?.hi)
    const lo = perPhase(frame, (p) => band[p.name]?.lo)
    lines.push({ label: 'expected p95 (baseline)', values: f(hi, 'max'), color: COLORS.bandEdge, bandEdge: true })
    lines.push({
      label: 'baseline p95 low',
      values: f(lo, 'min'),
      color: COLORS.bandEdge,
      bandEdge: true,
      noLegend: true,
    })
    bands.push({ upper: 0, lower: 1, fill: COLORS.band })
  }
  const control = step.control?.series
  // The control first (under the candidate), muted; p99 before the p95 the gate judges, so it lies under it.
  const side = control ? 'candidate ' : ''
  const p95 = f(
    perWindow(s, n, (w) => w.p95),
    'max',
  )
  if (control) {
    const p50 = f(
      perWindow(control, n, (w) => w.p50),
      'max',
    )
    const controlP95 = f(
      perWindow(control, n, (w) => w.p95),
      'max',
    )
    lines.push({ label: 'control p50', values: p50, color: COLORS.control, width: 1, dash: [4, 3] })
    lines.push({ label: 'control p95', values: controlP95, color: COLORS.control, width: 2 })
  }
  lines.push({
    label: `${side}p99`,
    values: f(
      perWindow(s, n, (w) => w.p99),
      'max',
    ),
    color: COLORS.p99,
    width: 1,
  })
  lines.push({
    label: `${side}p50`,
    values: f(
      perWindow(s, n, (w) => w.p50),
      'max',
    ),
    color: COLORS.p50,
    width: 1.5,
  })
  lines.push({ label: `${side}p95`, values: p95, color: COLORS.p95, width: 2 })
  if (control)
    lines.push(
      ratioLine(
        'p95',
        p95,
        f(
          perWindow(control, n, (w) => w.p95),
          'max',
        ),
      ),
    )
  const title = step.scenario ? `${step.scenario} › ${step.step}` : step.step
  const caption = control
    ? `Latency of the step on both sides of the paired run, per window of ${windowSec}s ` +
      '(failed requests left out): the control in grey, the candidate in colour, and the candidate’s p95 ' +
      'divided by the control’s in the same window (right axis; 1 = as fast). What the machine did to both ' +
      `sides cancels in the ratio.${folded}`
    : `Latency of the step as the probe loop measured it, per window of ${windowSec}s ` +
      '(failed requests are left out).' +
      bandSentence(Boolean(band), Boolean(input.bandsFromVerdict)) +
      folded
  return {
    title,
    unit: 'ms',
    caption,
    spec: {
      id: frame.id('latency'),
      xKind: 'time',
      x: frame.xTime,
      y: { unit: 'ms', label: 'latency', min: 0 },
      ...(control ? { y2: RATIO_AXIS } : {}),
      lines,
      bands,
      phases: true,
      markers: frame.markers,
    },
  }
}

function bandSentence(band: boolean, fromVerdict: boolean): string {
  if (!band) return ' No baseline was given, so there is no band to compare with.'
  return fromVerdict
    ? ' The green band is where the p95 was expected in each phase: the verdict’s prediction interval where it ' +
        'judged the step, else the range of the baseline runs’ p95.'
    : ' The green band is the range of the baseline runs’ p95 in each phase.'
}
