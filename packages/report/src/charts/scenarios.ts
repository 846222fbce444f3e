/**
 * The scenario section: per scenario, its steps' latency charts (the same
 * figures as the latency section) under an overview of every step's p95
 * (on a paired run, the control's steps grey under the candidate's).
 */
import type { SeriesRecord } from '@steady/record'
import { perWindow } from '../series.ts'
import type { ChartFrame } from './frame.ts'
import { COLORS, type ChartLine, type Figure } from './spec.ts'

export interface ScenarioCharts {
  scenario: string
  overview: Figure
  steps: Figure[]
}

/** Groups the latency figures (one per step, in the classified order) by scenario, each with its overview. */
export function scenarioCharts(frame: ChartFrame, latency: readonly Figure[]): ScenarioCharts[] {
  const { input, n, f, windowSec, folded } = frame
  const groups: { scenario: string; steps: Figure[] }[] = []
  input.classified.steps.forEach((step, i) => {
    let group = groups.find((g) => g.scenario === step.scenario)
    if (!group) groups.push((group = { scenario: step.scenario, steps: [] }))
    group.steps.push(latency[i])
  })
  return groups.map((group) => {
    const steps = input.classified.steps.filter((st) => st.scenario === group.scenario)
    const p95 = (series: SeriesRecord) =>
      f(
        perWindow(series, n, (w) => w.p95),
        'max',
      )
    // On a paired run the control's steps come first, thin and grey, under the candidate's in colour.
    const control: ChartLine[] = steps.flatMap((st) =>
      st.control
        ? [{ label: `${st.step} (control)`, values: p95(st.control.series), color: COLORS.control, width: 1 }]
        : [],
    )
    const lines: ChartLine[] = steps.map((st, k) => ({
      label: control.length ? `${st.step} (candidate)` : st.step,
      values: p95(st.series),
      color: COLORS.palette[k % COLORS.palette.length],
      width: 1.5,
    }))
    const sides = control.length ? ' The control’s steps are the thin grey lines under the candidate’s.' : ''
    const overview: Figure = {
      title: 'p95 of each step',
      unit: 'ms',
      caption:
        `The p95 latency of every step of the scenario, per window of ${windowSec}s, on one scale: ` +
        `the step that dominates the flow stands out.${sides}${folded}`,
      spec: {
        id: frame.id('scenario'),
        xKind: 'time',
        x: frame.xTime,
        y: { unit: 'ms', label: 'p95', min: 0 },
        lines: [...control, ...lines],
        phases: true,
        markers: frame.markers,
      },
    }
    return { scenario: group.scenario, overview, steps: group.steps }
  })
}
