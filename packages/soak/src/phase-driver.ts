/**
 * The phase driver: the plan's phases one after another, each as long as the
 * plan says (ends are planned from the soak's start, so the total does not
 * drift), each side loaded with the phase's profile, and the record told
 * where each phase began and ended and what load it got. A failed load run
 * is a note, not the end of the soak.
 */
import type { PhaseLoad, Redactor, RunEvent, RunRecordWriter, SeriesAggregator } from '@steady/record'
import { ArrivalTandem, feedLoadWindow, scaleProfile } from '@steady/load/internal'
import { runLoad } from '@steady/load'
import type { Clock } from '@steady/kernel'
import type { LoadResult, ResolvedProfile } from '@steady/load'
import type { TandemSeat, WindowSnapshot } from '@steady/load/internal'
import { arrivalLead } from './paired.ts'
import type { LiveMetrics } from './live-metrics.ts'
import type { PhaseTracker } from './phase-tracker.ts'
import type { ResolvedPhase, ResolvedPlan } from './plan.ts'
import type { Progress } from './progress.ts'
import { sideSuffix, type SideRun } from './sides.ts'
import { sleepFor } from './timers.ts'

export interface PhaseDriverOptions {
  plan: ResolvedPlan
  profiles: Map<string, ResolvedProfile>
  sides: readonly SideRun[]
  /** A paired soak's seed of the ABBA order: which side leads at each load arrival. */
  pairSeed?: string
  /** What `runLoad` needs besides the profile: where the scenarios are, the seed, the workers. */
  load: {
    scenarioPatterns: readonly string[]
    cwd: string
    configDir?: string
    workers?: number
    seed: string
    redactor: Redactor
  }
  phases: PhaseTracker
  agg: SeriesAggregator
  writer: Pick<RunRecordWriter, 'phaseEnded'>
  /** The soak's event handler (record, live /metrics, progress). */
  event: (e: RunEvent) => void
  live?: LiveMetrics
  progress: Progress
  clock: Clock
  /** Soak time, ms since the soak started. */
  now: () => number
  /** The soak's stop signal: no phase starts after it, the running one ends. */
  signal: AbortSignal
}

/** Runs the plan's phases in order until the last ends or the soak is stopped. */
export async function runPhases(o: PhaseDriverOptions): Promise<void> {
  const { plan } = o
  let offset = 0
  for (const [i, phase] of plan.phases.entries()) {
    if (o.signal.aborted) break
    o.phases.begin(phase.name, i, o.now())
    o.agg.setPhase(phase.name)
    o.live?.setPhase(plan.name, phase.name, i > 0 ? plan.phases[i - 1].name : 'none')
    const startMs = o.now()
    o.event({ atMs: startMs, kind: 'phase-start', message: phaseStartMessage(phase), data: { phase: phase.name } })
    o.progress.log(`phase ${phase.name} started${phase.load ? ` with load profile ${phase.load}` : ''}`)
    const phaseEnd = new AbortController()
    const phaseSignal = AbortSignal.any([o.signal, phaseEnd.signal])
    // Each side gets the same profile and seed. On a paired soak both ride one arrival schedule, each
    // arrival starting both sides in the same tick, the lead alternating: neither side always goes first.
    const tandem = phase.load && o.sides.length > 1 ? pairedTandem(o.sides, o.pairSeed ?? '') : undefined
    const loads = phase.load
      ? o.sides.map((s, index) =>
          startLoad(o, s, phase.name, phase.load!, startMs, phaseSignal, tandem && { tandem, index }),
        )
      : []
    offset += phase.durationMs
    // Phase ends are planned from the soak's start, so the plan's total does not drift.
    await sleepFor(o.clock, Math.max(0, offset - o.now()), o.signal)
    phaseEnd.abort('phase end')
    const [result, controlResult] = await Promise.all(loads)
    o.phases.loadRate = undefined
    const endMs = o.now()
    const phaseLoad = result ? describeLoad(phase.load!, result) : undefined
    const controlLoad = controlResult ? describeLoad(phase.load!, controlResult) : undefined
    // The warm-up goes into the record, so the judge ignores what the plan said to ignore (not its own default).
    o.writer.phaseEnded({
      name: phase.name,
      startMs,
      endMs,
      warmupMs: phase.warmupMs,
      ...(phaseLoad ? { load: phaseLoad } : {}),
      ...(controlLoad ? { controlLoad } : {}),
    })
    o.event({ atMs: endMs, kind: 'phase-end', message: `phase ${phase.name} ended`, data: { phase: phase.name } })
    o.progress.endPhase(phase.name)
  }
}

function phaseStartMessage(phase: ResolvedPhase): string {
  return `phase ${phase.name} (${Math.round(phase.durationMs / 1000)}s${phase.load ? `, load ${phase.load}` : ''})`
}

/** The tandem of a paired phase's load: member i is side i, and the ABBA order picks the lead. */
function pairedTandem(sides: readonly SideRun[], seed: string): ArrivalTandem {
  const index = new Map(sides.map((s, i) => [s.side, i]))
  return new ArrivalTandem({ members: sides.length, first: (k) => index.get(arrivalLead(seed, k)) ?? 0 })
}

/** One side's load for one phase; a failed load run is a note, not the end of the soak. */
function startLoad(
  o: PhaseDriverOptions,
  side: SideRun,
  phase: string,
  name: string,
  phaseOffset: number,
  signal: AbortSignal,
  tandem: TandemSeat | undefined,
) {
  const { plan, load } = o
  const profile = scaleProfile(o.profiles.get(name)!, plan.durationScale, plan.windowMs)
  const sideEvent = side.event!
  const label = side.side === 'control' ? `${phase} (control)` : phase
  return runLoad({
    profile,
    target: side.target,
    scenarios: load.scenarioPatterns,
    cwd: load.cwd,
    ...(load.configDir ? { configDir: load.configDir } : {}),
    ...(load.workers ? { workers: load.workers } : {}),
    seed: `${load.seed}-${phase}`,
    signal,
    redactor: load.redactor,
    timeout: `${plan.probeTimeoutMs}ms`,
    onLog: (line) => o.progress.log(`load ${name}${sideSuffix(side)}: ${line}`),
    onWindow: (w: WindowSnapshot) => loadWindow(o, side, w, { phase, label, phaseOffset }),
    ...(tandem ? { tandem } : {}),
  }).catch((e: Error): undefined => {
    const message = `load ${name}${sideSuffix(side)} stopped: ${e.message}`
    sideEvent({ atMs: o.now(), kind: 'note', message, data: { phase } })
    return undefined
  })
}

/** A load window of one side: into the side's series, the generator's saturation, the live load rate. */
function loadWindow(
  o: PhaseDriverOptions,
  side: SideRun,
  w: WindowSnapshot,
  at: { phase: string; label: string; phaseOffset: number },
): void {
  const { phase, label } = at
  feedLoadWindow(side.agg!, w, at.phaseOffset, phase)
  // Each side's generator is checked on its own; its saturation event names the side, and the judge
  // takes a window saturated on either side as inconclusive for both.
  o.progress.loadWindow(label, w.generator.saturated, w.generator.reasons)
  if (w.generator.saturated) {
    const why = w.generator.reasons.join(', ')
    const message = `the load generator was saturated in window ${w.index} of ${label}: ${why}`
    side.event!({ atMs: o.now(), kind: 'generator-saturated', message, data: { phase } })
  }
  if (side.side === 'control') return
  const total = (metric: string) =>
    Object.values(w.counters)
      .filter((c) => c.metric === metric)
      .reduce((n, c) => n + c.value, 0)
  const rate = total('iterations') / ((w.endMs - w.startMs) / 1000)
  o.phases.loadRate = rate
  o.live?.loadRate.set(rate)
  const dropped = total('dropped_iterations')
  if (dropped) o.live?.dropped.inc(dropped)
}

/** What the record says about a phase's load: the profile, the rate it aimed at and the rate it achieved. */
function describeLoad(name: string, r: LoadResult): PhaseLoad {
  const seconds = r.durationMs / 1000
  const p = r.profile
  const out: PhaseLoad = {
    profile: name,
    engine: r.engine,
    executor: p.executor,
    iterations: r.counts.started,
    droppedIterations: r.counts.dropped,
  }
  if (p.executor === 'constant-arrival-rate') out.targetRate = p.rate / (p.timeUnitMs / 1000)
  if (p.executor === 'ramping-arrival-rate') {
    const total = p.stages.reduce((s, st) => s + st.durationMs, 0)
    let area = 0
    let prev = p.startRate
    for (const st of p.stages) {
      area += ((prev + st.target) / 2) * st.durationMs
      prev = st.target
    }
    if (total > 0) out.targetRate = area / total / (p.timeUnitMs / 1000)
  }
  if (seconds > 0) out.achievedRate = Math.round((r.counts.started / seconds) * 100) / 100
  if ('maxVUs' in p) out.maxVUs = p.maxVUs
  return out
}
