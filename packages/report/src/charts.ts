/**
 * The charts' data: what the page's script hands to uPlot, built on the
 * server so the page itself only draws. Long runs are thinned to at most
 * {@link MAX_POINTS} points per line (a latency point then shows the highest
 * window it covers, so a spike stays visible).
 *
 * One module per section of the report under `charts/`: what every chart
 * shares (`frame.ts`), latency, load, latency under load, scenarios,
 * service indicators (with their trend lines, `trend.ts`) and the load
 * generator. The types and colours are in `charts/spec.ts`.
 */
import { chartFrame, type ChartFrame } from './charts/frame.ts'
import { generatorFigures } from './charts/generator.ts'
import { indicatorFigure, splitFlat, type FlatIndicator } from './charts/indicators.ts'
import { latencyFigure } from './charts/latency.ts'
import { loadFigures, loadRates, type LoadRates } from './charts/load.ts'
import { scenarioCharts, type ScenarioCharts } from './charts/scenarios.ts'
import { underLoadFigures, type UnderLoadX } from './charts/under-load.ts'
import type { ChartInputs, Figure } from './charts/spec.ts'

export { COLORS, MAX_POINTS } from './charts/spec.ts'
export type { BandsBySeries, BaselineLoadPoint, ChartInputs, ChartSpec, Figure } from './charts/spec.ts'

/** The load per window the under-load chart puts its dots at: each side's own on a paired run. */
function underLoadX(frame: ChartFrame, rates: LoadRates): UnderLoadX {
  const x = (r: LoadRates) => r.achieved ?? r.requests
  if (!frame.record.paired) return { candidate: x(rates) }
  return { candidate: x(loadRates(frame, 'candidate')), control: x(loadRates(frame, 'control')) }
}

/** Builds every chart of the report, grouped by section. */
export function buildCharts(input: ChartInputs): {
  latency: Figure[]
  /** Per scenario: one chart of every step's p95, and the steps' own charts (the same figures as `latency`). */
  scenarios: ScenarioCharts[]
  /** Service indicators that did not change during the run: named, not drawn. */
  flat: FlatIndicator[]
  load: Figure[]
  underLoad: Figure[]
  service: Figure[]
  generator: Figure[]
} {
  // Chart ids are numbered in the order the sections are built here.
  const frame = chartFrame(input)
  const latency = input.classified.steps.map((step) => latencyFigure(frame, step))
  const rates = loadRates(frame)
  const load = loadFigures(frame, rates)
  const underLoad = underLoadFigures(frame, underLoadX(frame, rates))
  const scenarios = scenarioCharts(frame, latency)
  const { flat, changing } = splitFlat(frame)
  const service = changing.map((ind) => indicatorFigure(frame, ind, 'service'))
  const generator = generatorFigures(frame)
  return { latency, scenarios, flat, load, underLoad, service, generator }
}
