/**
 * The soak: the E2E scenarios run again and again (the probe loop, the
 * measured user flows) while the external conditions change phase by phase
 * (load profiles, the condition, recorded separately) and the service's own
 * indicators are scraped. Everything lands in one run record, written as it
 * goes and compacted at the end, also after Ctrl-C.
 *
 * The service crashing or refusing connections is data, not a runner
 * failure: iterations fail with their cause, the soak goes on to the end of
 * its plan, and the record is complete.
 *
 * `soak()` only composes units that each do one thing: the setup hooks, the
 * preflight and the teardown (`before-run.ts`); the record, its warnings and
 * the event handler (`soak-record.ts`); the service's indicators
 * (`indicators.ts`, `prometheus-fill.ts`); closing windows
 * (`window-ticker.ts`); the probe loop (`probe-loop.ts`, `probe-order.ts`,
 * `probe-latency.ts`); the phases and their load (`phase-driver.ts`), and
 * where in the plan the soak is (`phase-tracker.ts`). Time comes from one
 * injected clock (`timers.ts`).
 */
import { Redactor, SeriesAggregator, type RunRecord, type Subject } from '@steady/record'
import type { ScenarioFile } from '@steady/scenario'
import { realClock, type Clock } from '@steady/kernel'
import type { ResolvedProfile } from '@steady/load'
import type { ResolvedPlan } from './plan.ts'
import { Progress } from './progress.ts'
import { LiveMetrics } from './live-metrics.ts'
import { preflight, setUpSides, tearDownSides, type BeforeRun } from './before-run.ts'
import { Indicators } from './indicators.ts'
import { PhaseTracker } from './phase-tracker.ts'
import { runPhases } from './phase-driver.ts'
import { ProbeLatency } from './probe-latency.ts'
import { ProbeLoop } from './probe-loop.ts'
import { ProbeOrder } from './probe-order.ts'
import { PrometheusFill } from './prometheus-fill.ts'
import { bindSides, probeTasks, sideTotals, sidesOf } from './sides.ts'
import { openSoakRecord, pairSeedOf, soakEvents, warnAboutPlan } from './soak-record.ts'
import { WindowTicker } from './window-ticker.ts'

/** A service of the environment under test. */
export interface SoakService {
  name: string
  /** Its base URL, when it serves HTTP (metrics are scraped at `url + metricsPath`). */
  url?: string
  /** Its PID, when steady started it (a process environment): sampled from /proc. */
  pid?: number
}

export interface SoakOptions {
  plan: ResolvedPlan
  /** Scenario files as loaded by `loadScenarioFiles` (the probe loop runs their scenarios). */
  files: ScenarioFile[]
  /** Scenario patterns and folder, for load profiles whose `exec` names a scenario. */
  scenarioPatterns: readonly string[]
  cwd: string
  configDir?: string
  /** Resolved load profiles by name (the ones the plan's phases name). */
  profiles: Map<string, ResolvedProfile>
  /** The base URL the scenarios and the load run against. */
  target: string
  services: SoakService[]
  /**
   * A paired soak: the control side, run side by side with the candidate
   * (`target`, `services`, `subject`) under the same plan and schedule.
   */
  control?: SoakControl
  /** The run folder (`reports/<run-id>`). */
  outDir: string
  runId: string
  seed: string
  subject: Subject
  configHash: string
  toolVersion: string
  /** Run every scenario once first and stop (exit 1) if one fails. Default true. */
  preflight?: boolean
  /** Serve the soak's own /metrics on this port (0 picks one). */
  metricsPort?: number
  /** The address the live /metrics listens on (default 127.0.0.1; `0.0.0.0` for a Prometheus on another host). */
  metricsHost?: string
  /** Headers every probe request sends (from the config). */
  headers?: Record<string, string>
  redactor?: Redactor
  /** Aborted by Ctrl-C/SIGTERM: the soak stops, writes `complete: false`, returns. */
  signal?: AbortSignal
  /** Where progress and notices go (stderr in the CLI). */
  write: (text: string) => void
  isTTY: boolean
  /** Embedded engine worker threads for load phases. */
  workers?: number
}

/** The control side of a paired soak. */
export interface SoakControl {
  target: string
  services: SoakService[]
  subject: Subject
  /** The CPUs each side's services were pinned to, for the record (`paired.pinned`). */
  pinned?: { candidate: string; control: string }
}

export interface PreflightFailure {
  scenario: string
  file: string
  message: string
}

export interface SoakResult {
  /** The record, or undefined when preflight stopped the soak before it began. */
  record?: RunRecord
  preflightFailures: PreflightFailure[]
  /** The URL of the live /metrics, when served. */
  metricsUrl?: string
  interrupted?: string
}

/** Runs a soak plan against a running target and writes its record (see the module comment). */
export async function soak(o: SoakOptions): Promise<SoakResult> {
  const stop = new AbortController()
  const onAbort = () => stop.abort(o.signal?.reason)
  o.signal?.addEventListener('abort', onAbort, { once: true })
  try {
    const before: BeforeRun = {
      o,
      sides: sidesOf(o),
      tasks: probeTasks(o.files),
      redactor: o.redactor ?? new Redactor(),
      progress: new Progress({ write: o.write, isTTY: o.isTTY }),
      signal: stop.signal,
    }
    // Setup hooks, once per file and side, as steady run does; then the preflight.
    const stopped = (await setUpSides(before)) ?? (await preflight(before))
    if (stopped) return stopped
    if (stop.signal.aborted) return { preflightFailures: [], interrupted: String(stop.signal.reason ?? 'signal') }
    return await run(before, realClock)
  } finally {
    o.signal?.removeEventListener('abort', onAbort)
  }
}

/**
 * The soak proper: the indicators, the window ticker and the probe loop run
 * on `clock` while the phase driver goes through the plan; then the last
 * scrape, the teardown hooks, and the record compacted.
 */
async function run(before: BeforeRun, clock: Clock): Promise<SoakResult> {
  const { o, sides, tasks, redactor, progress, signal } = before
  const plan = o.plan
  const startedAt = new Date()
  const t0 = clock.now()
  const now = () => clock.now() - t0
  const agg = new SeriesAggregator({ windowMs: plan.windowMs, now })
  const { writer, flushAt } = openSoakRecord(o, { agg, now, startedAt, redactor })
  const live = o.metricsPort !== undefined ? new LiveMetrics(plan.name) : undefined
  const metricsUrl = live ? await live.listen(o.metricsPort!, o.metricsHost) : undefined
  if (metricsUrl) progress.log(`live metrics of this soak: ${metricsUrl}`)
  live?.total.set(plan.totalMs / 1000)
  const event = soakEvents(writer, live, progress)
  bindSides(sides, agg, event)
  warnAboutPlan(o, writer)

  // Service indicators: /metrics and /proc in rounds, PromQL as each window closes.
  const indicators = new Indicators({ plan, sides, clock, now, signal })
  indicators.start()
  const phases = new PhaseTracker(plan.phases[0].name)
  const wallStartMs = startedAt.getTime()
  const prom = new PrometheusFill({ plan, agg, wallStartMs, phaseAt: (atMs) => phases.at(atMs), now, signal, event })
  const latency = new ProbeLatency()
  const ticker = new WindowTicker({
    clock,
    windowMs: plan.windowMs,
    now,
    fill: (toMs) => prom.fillTo(toMs),
    flushAt,
    closed: (upTo) => {
      const { iterations, passed, perSide } = sideTotals(sides, Boolean(o.control))
      const totals = { iterations, passed, p95Ms: latency.close(upTo), loadRate: phases.loadRate, ...perSide }
      progress.update({ phase: phases.name, elapsedMs: now(), totalMs: plan.totalMs, ...totals })
      live?.elapsed.set(now() / 1000)
    },
  })
  ticker.start()
  const pairSeed = o.control ? pairSeedOf(o.seed) : undefined
  const order = new ProbeOrder(tasks, sides, pairSeed)
  const windowOf = (atMs: number) => agg.windowOf(atMs)
  const common = { clock, now, phases, live, signal }
  const probing = { tasks, order, plan, seed: o.seed, headers: o.headers, redactor, t0, windowOf, writer, latency }
  const probes = new ProbeLoop({ ...common, ...probing })
  probes.start()

  const { scenarioPatterns, cwd, configDir, workers } = o
  const load = { scenarioPatterns, cwd, configDir, workers, seed: o.seed, redactor }
  await runPhases({
    ...common,
    plan,
    profiles: o.profiles,
    sides,
    ...(pairSeed ? { pairSeed } : {}),
    load,
    agg,
    writer,
    event,
    progress,
  })

  // The end: stop probing, last scrape, teardown hooks, compact.
  await probes.stop()
  indicators.stopTimer()
  ticker.stopTimer()
  await ticker.settled()
  if (!signal.aborted) {
    indicators.round()
    await Promise.all([indicators.settled(), prom.fillTo(now())])
  }
  await tearDownSides(before, (text) => writer.warn(text))
  const interrupted = signal.aborted ? String(signal.reason ?? 'signal') : undefined
  if (interrupted) event({ atMs: now(), kind: 'interrupted', message: `interrupted by ${interrupted}` })
  progress.done()
  const record = writer.finish(interrupted ? { complete: false, incompleteReason: interrupted } : { complete: true })
  await live?.close()
  const extra = { ...(metricsUrl ? { metricsUrl } : {}), ...(interrupted ? { interrupted } : {}) }
  return { record, preflightFailures: [], ...extra }
}
