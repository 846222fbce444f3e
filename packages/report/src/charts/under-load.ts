/**
 * The under-load section: latency against the achieved load, one dot per
 * window of this run and one ring per phase of each baseline run. On a
 * paired run the control's windows are grey dots at the control's own load.
 */
import type { SeriesRecord } from '@steady/record'
import { sig } from '../stats.ts'
import type { ChartFrame } from './frame.ts'
import { COLORS, MAX_POINTS, type ChartLine, type Figure } from './spec.ts'

/** The load achieved per window: of the run, or of each side of a paired run. */
export interface UnderLoadX {
  candidate: (number | null)[] | undefined
  control?: (number | null)[] | undefined
}

interface Flow {
  label: string
  s: SeriesRecord
  control?: SeriesRecord
}

/** The flows drawn: each scenario's iterations when the probe timed them, else each step. */
function flowsOf(frame: ChartFrame): { flows: Flow[]; byScenario: boolean } {
  const { classified } = frame.input
  const byScenario = classified.iterationDurations.size > 0
  const flows = byScenario
    ? [...classified.iterationDurations.entries()].map(([scenario, s]) => {
        const control = classified.control?.iterationDurations.get(scenario)
        return { label: scenario || s.name, s, ...(control ? { control } : {}) }
      })
    : classified.steps.map((st) => ({
        label: `${st.scenario} › ${st.step}`,
        s: st.series,
        ...(st.control ? { control: st.control.series } : {}),
      }))
  return { flows, byScenario }
}

/** The chart, when the run had load (`loadX`, per window) and a flow with a p95 under it. */
export function underLoadFigures(frame: ChartFrame, loadX: UnderLoadX): Figure[] {
  if (!loadX.candidate) return []
  const { flows, byScenario } = flowsOf(frame)
  // Point groups: k (this run), flows + k (baseline rings), 2 × flows + k (the control side).
  const points: { x: number; y: number; k: number }[] = []
  const add = (s: SeriesRecord | undefined, xs: (number | null)[] | undefined, k: number) => {
    for (const w of s?.windows ?? []) {
      const x = xs?.[w.i]
      if (w.p95 !== undefined && x !== null && x !== undefined) points.push({ x, y: w.p95, k })
    }
  }
  flows.forEach((fl, k) => add(fl.s, loadX.candidate, k))
  flows.forEach((fl, k) => add(fl.control, loadX.control, 2 * flows.length + k))
  // Baseline runs: one ring per run and phase, in the colour of the flow it belongs to.
  const base = frame.input.baselineLoad ?? []
  let withBase = 0
  flows.forEach((fl, k) => {
    const mine = base.filter((b) => b.key === fl.s.key)
    if (mine.length) withBase++
    for (const b of mine) points.push({ x: b.rate, y: b.p95, k: flows.length + k })
  })
  points.sort((a, b) => a.x - b.x)
  // Thin evenly if there are very many windows: the cloud's shape is what matters.
  const stride = Math.max(1, Math.ceil(points.length / (MAX_POINTS * 3)))
  const kept = points.filter((p, i) => i % stride === 0 || (p.k >= flows.length && p.k < 2 * flows.length))
  const x = kept.map((p) => sig(p.x, 4) ?? 0)
  const valuesOf = (k: number) => kept.map((p) => (p.k === k ? sig(p.y, 4) : null))
  const has = (k: number) => kept.some((p) => p.k === k)
  const paired = flows.some((_fl, k) => has(2 * flows.length + k))
  const lines: ChartLine[] = []
  // The control first, so the candidate's dots lie over its grey ones.
  flows.forEach((fl, k) => {
    if (!has(2 * flows.length + k)) return
    const label = `${fl.label} p95 (control)`
    lines.push({ label, values: valuesOf(2 * flows.length + k), color: COLORS.control, points: 'only' })
  })
  flows.forEach((fl, k) => {
    const color = COLORS.palette[k % COLORS.palette.length]
    lines.push({
      label: `${fl.label} p95 (${paired ? 'candidate' : 'now'})`,
      values: valuesOf(k),
      color,
      points: 'only',
    })
    if (has(flows.length + k)) {
      const label = `${fl.label} p95 (baseline runs)`
      lines.push({ label, values: valuesOf(flows.length + k), color, points: 'only', hollow: true })
    }
  })
  if (!x.length) return []
  const what = byScenario ? 'each scenario’s iterations' : 'each step'
  const others = paired
    ? ' Grey dots are the control’s windows at the load it achieved: a candidate that degrades more climbs above them.'
    : withBase
      ? ' Rings are the baseline runs, one per run and phase, at the rate they achieved.'
      : ' No baseline was given, so only this run is shown.'
  return [
    {
      title: 'Latency against achieved load',
      unit: 'ms',
      caption:
        `Each dot is one window: the load achieved in it (x) and the p95 of ${what} in it (y). ` +
        `A version that degrades under load climbs more steeply to the right.${others}`,
      spec: {
        id: frame.id('underload'),
        xKind: 'rate',
        x,
        y: { unit: 'ms', label: 'p95', min: 0 },
        lines,
        phases: false,
      },
    },
  ]
}
