/**
 * The sides of a soak: an unpaired soak has one, without a side tag; a
 * paired soak has the candidate and the control, each with its own target,
 * services, setup data, aggregator view, event handler and tallies.
 */
import type { RunEvent, SeriesAggregator, Side } from '@steady/record'
import type { Scenario, ScenarioFile } from '@steady/scenario'
import { sideAggregator, sideEvents } from './paired.ts'
import type { SoakOptions, SoakService } from './soak.ts'

/** One scenario the probe loop runs, with its file. */
export interface ProbeTask {
  scenario: Scenario
  file: ScenarioFile
}

/** One side of the soak (an unpaired soak has one, without a side tag). */
export interface SideRun {
  side?: Side
  target: string
  services: SoakService[]
  /** Each scenario file's setup data on this side's service. */
  setup: Map<ScenarioFile, unknown>
  agg?: SeriesAggregator
  event?: (e: RunEvent) => void
  iterations: number
  passed: number
}

/** Every scenario of every file, in order. */
export function probeTasks(files: readonly ScenarioFile[]): ProbeTask[] {
  return files.flatMap((file) => file.scenarios.map((scenario) => ({ scenario, file })))
}

/** The candidate (and, on a paired soak, the control) as the soak's options give them. */
export function sidesOf(o: Pick<SoakOptions, 'target' | 'services' | 'control'>): SideRun[] {
  const sideRun = (side: Side | undefined, target: string, services: SoakService[]): SideRun => ({
    ...(side ? { side } : {}),
    target,
    services,
    setup: new Map(),
    iterations: 0,
    passed: 0,
  })
  return o.control
    ? [sideRun('candidate', o.target, o.services), sideRun('control', o.control.target, o.control.services)]
    : [sideRun(undefined, o.target, o.services)]
}

/** Gives each side its view of the run's aggregator and events: a paired side tags what it records. */
export function bindSides(sides: readonly SideRun[], agg: SeriesAggregator, event: (e: RunEvent) => void): void {
  for (const side of sides) {
    side.agg = side.side ? sideAggregator(agg, side.side) : agg
    side.event = side.side ? sideEvents(event, side.side) : event
  }
}

/** ` (candidate)` or ` (control)` after a name; nothing on an unpaired soak. */
export function sideSuffix(side: SideRun): string {
  return side.side ? ` (${side.side})` : ''
}

/** Iterations and passes so far, in all and (on a paired soak) per side, for the progress line. */
export function sideTotals(sides: readonly SideRun[], paired: boolean) {
  const iterations = sides.reduce((n, s) => n + s.iterations, 0)
  const passed = sides.reduce((n, s) => n + s.passed, 0)
  const perSide = paired
    ? { sides: sides.map(({ side, iterations, passed }) => ({ side: side!, iterations, passed })) }
    : {}
  return { iterations, passed, perSide }
}
