/**
 * The under-load section: latency against the achieved load, one dot per
 * window of this run and one ring per phase of each baseline run.
 */
import { sig } from '../stats.ts'
import type { ChartFrame } from './frame.ts'
import { COLORS, MAX_POINTS, type ChartLine, type Figure } from './spec.ts'

/** The chart, when the run had load (`loadX`, per window) and a flow with a p95 under it. */
export function underLoadFigures(frame: ChartFrame, loadX: (number | null)[] | undefined): Figure[] {
  if (!loadX) return []
  const { input } = frame
  const byScenario = input.classified.iterationDurations.size > 0
  const flows = byScenario
    ? [...input.classified.iterationDurations.entries()].map(([scenario, s]) => ({ label: scenario || s.name, s }))
    : input.classified.steps.map((st) => ({ label: `${st.scenario} › ${st.step}`, s: st.series }))
  const points: { x: number; y: number; k: number }[] = []
  flows.forEach((fl, k) => {
    for (const w of fl.s.windows) {
      const x = loadX[w.i]
      if (w.p95 !== undefined && x !== null && x !== undefined) points.push({ x, y: w.p95, k })
    }
  })
  // Baseline runs: one ring per run and phase, in the colour of the flow it belongs to.
  const base = input.baselineLoad ?? []
  let withBase = 0
  flows.forEach((fl, k) => {
    const mine = base.filter((b) => b.key === fl.s.key)
    if (mine.length) withBase++
    for (const b of mine) points.push({ x: b.rate, y: b.p95, k: flows.length + k })
  })
  points.sort((a, b) => a.x - b.x)
  // Thin evenly if there are very many windows: the cloud's shape is what matters.
  const stride = Math.max(1, Math.ceil(points.length / (MAX_POINTS * 3)))
  const kept = points.filter((p, i) => i % stride === 0 || p.k >= flows.length)
  const x = kept.map((p) => sig(p.x, 4) ?? 0)
  const lines: ChartLine[] = []
  const valuesOf = (k: number) => kept.map((p) => (p.k === k ? sig(p.y, 4) : null))
  flows.forEach((fl, k) => {
    const color = COLORS.palette[k % COLORS.palette.length]
    lines.push({ label: `${fl.label} p95 (now)`, values: valuesOf(k), color, points: 'only' })
    if (kept.some((p) => p.k === flows.length + k)) {
      const label = `${fl.label} p95 (baseline runs)`
      lines.push({ label, values: valuesOf(flows.length + k), color, points: 'only', hollow: true })
    }
  })
  if (!x.length) return []
  const what = byScenario ? 'each scenario’s iterations' : 'each step'
  return [
    {
      title: 'Latency against achieved load',
      unit: 'ms',
      caption:
        `Each dot is one window: the load achieved in it (x) and the p95 of ${what} in it (y). ` +
        'A version that degrades under load climbs more steeply to the right.' +
        (withBase
          ? ' Rings are the baseline runs, one per run and phase, at the rate they achieved.'
          : ' No baseline was given, so only this run is shown.'),
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
