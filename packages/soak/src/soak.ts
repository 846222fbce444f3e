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
 */
import { performance } from 'node:perf_hooks'
import {
  LatencyHistogram,
  Redactor,
  RunRecordWriter,
  SeriesAggregator,
  comparabilityKey,
  type PhaseLoad,
  type RunHeader,
  type RunEvent,
  type PairedRun,
  type RunRecord,
  type SeriesAggregator as Aggregator,
  type Side,
  type Subject,
} from '@steady/record'
import { runIteration, type IterationResult, type RequestEvent, type Scenario, type ScenarioFile } from '@steady/scenario'
import { feedLoadWindow, runLoad, runSetup, runTeardown, scaleProfile, type LoadResult, type ResolvedProfile, type WindowSnapshot } from '@steady/load'
import type { ResolvedPlan } from './plan.ts'
import { ServiceMetricsScraper, DEFAULT_SERVICE_SERIES } from './scrape/service-metrics.ts'
import { ProcSampler } from './scrape/proc.ts'
import { fillFromRange } from './scrape/prometheus-query.ts'
import { Progress } from './progress.ts'
import { LiveMetrics } from './live-metrics.ts'
import { failureEntry, writePreflightRecord, type PreflightOutcome } from './preflight.ts'
import { abbaSlot, sideAggregator, sideEvents } from './paired.ts'

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

interface ProbeTask {
  scenario: Scenario
  file: ScenarioFile
}

/** One side of the soak (an unpaired soak has one, without a side tag). */
interface SideRun {
  side?: Side
  target: string
  services: SoakService[]
  /** Each scenario file's setup data on this side's service. */
  setup: Map<ScenarioFile, unknown>
  agg?: Aggregator
  event?: (e: RunEvent) => void
  iterations: number
  passed: number
}

/** The seed of a paired soak's ABBA block order (recorded as `paired.seed`). */
const pairSeedOf = (seed: string) => `${seed}-abba`

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve()
    const t = setTimeout(done, ms)
    function done() {
      clearTimeout(t)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })

function errorKindOf(e: RequestEvent): string | undefined {
  if (e.expected) return undefined
  return e.error ?? (e.status ? `status_${e.status}` : 'error')
}

/** Runs a soak plan against a running target and writes its record (see the module comment). */
export async function soak(o: SoakOptions): Promise<SoakResult> {
  const redactor = o.redactor ?? new Redactor()
  const plan = o.plan
  const tasks: ProbeTask[] = o.files.flatMap((file) => file.scenarios.map((scenario) => ({ scenario, file })))
  const sideRun = (side: Side | undefined, target: string, services: SoakService[]): SideRun => ({
    ...(side ? { side } : {}),
    target,
    services,
    setup: new Map(),
    iterations: 0,
    passed: 0,
  })
  const sides: SideRun[] = o.control
    ? [sideRun('candidate', o.target, o.services), sideRun('control', o.control.target, o.control.services)]
    : [sideRun(undefined, o.target, o.services)]
  const pairSeed = pairSeedOf(o.seed)
  const progress = new Progress({ write: o.write, isTTY: o.isTTY })
  const stop = new AbortController()
  const onAbort = () => stop.abort(o.signal?.reason)
  o.signal?.addEventListener('abort', onAbort, { once: true })
  try {
    // ── setup hooks, once per file, as steady run does ───────────────────────
    const stopped = async (outcomes: PreflightOutcome[]): Promise<SoakResult> => {
      // The gate's verdict step finds a record that says why (complete: false), not a missing file.
      const header = soakHeader(o, new Date())
      const windowMs = plan.windowMs
      const record = writePreflightRecord({ dir: o.outDir, header, windowMs, seed: o.seed, outcomes, redactor })
      for (const side of sides) {
        for (const [file, data] of side.setup) {
          const problem = await runTeardown(file, data, { target: side.target, seed: o.seed, redactor })
          if (problem) progress.log(`${file.relativePath}${side.side ? ` (${side.side})` : ''}: ${problem}`)
        }
      }
      const preflightFailures = outcomes
        .filter((x) => x.setupError !== undefined || (x.result && !x.result.passed))
        .map((x) => ({ scenario: x.scenario.name, file: x.file, message: x.setupError ?? x.result?.failure?.message ?? 'failed' }))
      return { record, preflightFailures }
    }
    for (const side of sides) {
      for (const file of o.files) {
        try {
          const opts = { target: side.target, seed: o.seed, signal: stop.signal, redactor, file: file.relativePath }
          side.setup.set(file, await runSetup(file, opts))
        } catch (error) {
          const setupError = `${side.side ? `${side.side}: ` : ''}${(error as Error).message}`
          return stopped(file.scenarios.map((scenario) => ({ scenario, file: file.relativePath, setupError })))
        }
      }
    }

    // ── preflight: a version that does not work is not worth soaking ────────
    if (o.preflight !== false) {
      progress.log(`preflight: running each of ${tasks.length} scenarios once${o.control ? ' on each side' : ''}`)
      const outcomes: PreflightOutcome[] = []
      for (const side of sides) {
        for (const t of tasks) {
          if (stop.signal.aborted) break
          const r = await runIteration(t.scenario, {
            baseUrl: side.target,
            seed: o.seed,
            iteration: 0,
            signal: stop.signal,
            redactor,
            headers: o.headers,
            setupData: side.setup.get(t.file),
            timeout: plan.probeTimeoutMs,
            file: t.file.relativePath,
          })
          // A control that does not work is named as such: the candidate is not the one to fix.
          const file = side.side === 'control' ? `${t.file.relativePath} (control)` : t.file.relativePath
          if (!r.aborted) outcomes.push({ scenario: t.scenario, file, result: r })
        }
      }
      if (outcomes.some((x) => !x.result?.passed)) return stopped(outcomes)
    }
    if (stop.signal.aborted) return { preflightFailures: [], interrupted: String(stop.signal.reason ?? 'signal') }

    // ── the run ──────────────────────────────────────────────────────────────
    const startedAt = new Date()
    const t0 = performance.now()
    const now = () => performance.now() - t0
    const agg = new SeriesAggregator({ windowMs: plan.windowMs, now })
    // The writer closes windows up to its clock; a tick holds it at the boundary it filled up to (see tick()).
    let closeAt: number | undefined
    const writer = new RunRecordWriter({
      dir: o.outDir,
      aggregator: agg,
      now: () => closeAt ?? now(),
      redactor,
      header: soakHeader(o, startedAt),
    })
    const live = o.metricsPort !== undefined ? new LiveMetrics(plan.name) : undefined
    let metricsUrl: string | undefined
    if (live) {
      metricsUrl = await live.listen(o.metricsPort!, o.metricsHost)
      progress.log(`live metrics of this soak: ${metricsUrl}`)
    }
    live?.total.set(plan.totalMs / 1000)
    const event = (e: RunEvent) => {
      writer.event(e)
      live?.events.labels(e.kind).inc()
      // Saturated windows are counted and reported once per phase (progress.endPhase), not a line per window.
      if (e.kind !== 'phase-start' && e.kind !== 'phase-end' && e.kind !== 'generator-saturated') progress.log(`${e.kind}: ${e.message}`)
    }
    for (const side of sides) {
      side.agg = side.side ? sideAggregator(agg, side.side) : agg
      side.event = side.side ? sideEvents(event, side.side) : event
    }
    for (const p of plan.phases) {
      if (p.load && !p.load.startsWith('__')) {
        const prof = o.profiles.get(p.load)
        if (prof && !prof.executor.includes('arrival-rate')) {
          writer.warn(
            `phase ${p.name} loads with the ${prof.executor} executor (profile ${p.load}): a closed model sends less load to a slower version; use constant-arrival-rate or ramping-arrival-rate for phases that count for the verdict`,
          )
        }
      }
    }

    if (o.control && plan.prometheus) {
      // A PromQL query is one expression for the whole run: steady cannot tell which side its values belong to.
      writer.warn('the PromQL series of this paired soak carry no side tag: the paired judge cannot compare them side by side')
    }
    // Service indicators: /metrics, /proc, PromQL.
    const selectSeries = plan.series ?? [...DEFAULT_SERVICE_SERIES, ...plan.extraSeries]
    const scrapers =
      plan.metricsPath === false
        ? []
        : sides.flatMap((side) =>
            side.services
              .filter((s) => s.url)
              .map(
                (s) =>
                  new ServiceMetricsScraper({
                    service: s.name,
                    url: new URL(plan.metricsPath as string, s.url!.endsWith('/') ? s.url : s.url + '/').href,
                    select: selectSeries,
                    expected: (plan.series ?? plan.extraSeries).filter((x): x is string => typeof x === 'string'),
                    aggregator: side.agg!,
                    onEvent: side.event!,
                    now,
                  }),
              ),
          )
    // /proc only for processes steady started (a control URL has no pid).
    const samplers = plan.proc
      ? sides.flatMap((side) =>
          side.services
            .filter((s) => s.pid)
            .map((s) => {
              const opts = { service: s.name, pid: s.pid!, aggregator: side.agg!, onEvent: side.event!, now }
              return new ProcSampler(opts)
            }),
        )
      : []
    let scraping: Promise<unknown> = Promise.resolve()
    const scrapeAll = () => {
      // One scrape round at a time: a slow /metrics must not pile up requests.
      scraping = scraping.then(() => Promise.all(scrapers.map((s) => s.scrape(stop.signal))).then(() => samplers.forEach((s) => s.sample())))
    }
    scrapeAll()
    const scrapeTimer = setInterval(scrapeAll, plan.scrapeIntervalMs)

    // Progress and windows.
    let phaseName = plan.phases[0].name
    let phaseIndex = 0
    let loadRate: number | undefined
    let lastP95: number | undefined
    /** When each phase started (monotonic ms), to give a point in the past its phase. */
    const phaseStarts: { name: string; startMs: number }[] = []
    // Phases start in order: the last one started at or before `atMs` (a loop, not findLast: the guides'
    // type check compiles these sources against ES2022's library).
    const phaseAt = (atMs: number) => {
      for (let i = phaseStarts.length - 1; i >= 0; i--) if (phaseStarts[i].startMs <= atMs) return phaseStarts[i].name
      return plan.phases[0].name
    }
    // A Prometheus server's series: each window is filled from query_range over its span when it closes.
    let promFilledUpTo = 0
    const fillFromPrometheus = async (toMs: number) => {
      const prom = plan.prometheus
      if (!prom || toMs <= promFilledUpTo) return
      const span = { fromMs: promFilledUpTo, toMs, wallStartMs: startedAt.getTime(), stepMs: plan.scrapeIntervalMs, phaseAt }
      promFilledUpTo = toMs
      await Promise.all(
        prom.queries.map((q) =>
          fillFromRange(prom.url, q, agg, span, stop.signal).catch((e: Error) => {
            if (!stop.signal.aborted) event({ atMs: now(), kind: 'scrape-failed', message: `PromQL ${q.name}: ${e.message}`, data: { query: q.name } })
          }),
        ),
      )
    }
    // Successful probe requests of the open windows, for the progress line's p95 of the last closed window.
    const probeWindows = new Map<number, LatencyHistogram>()
    const spare: LatencyHistogram[] = []
    const tick = async () => {
      const upTo = agg.windowOf(now())
      await fillFromPrometheus(upTo * plan.windowMs)
      closeAt = upTo * plan.windowMs
      writer.flush()
      closeAt = undefined
      const last = probeWindows.get(upTo - 1)
      lastP95 = last ? last.quantile(0.95) : undefined
      for (const [i, h] of probeWindows) {
        if (i >= upTo) continue
        probeWindows.delete(i)
        h.reset()
        spare.push(h)
      }
      const iterations = sides.reduce((n, s) => n + s.iterations, 0)
      const passed = sides.reduce((n, s) => n + s.passed, 0)
      const perSide = o.control ? { sides: sides.map(({ side, iterations, passed }) => ({ side: side!, iterations, passed })) } : {}
      const totals = { iterations, passed, p95Ms: lastP95, loadRate, ...perSide }
      progress.update({ phase: phaseName, elapsedMs: now(), totalMs: plan.totalMs, ...totals })
      live?.elapsed.set(now() / 1000)
    }
    // One tick at a time: a slow Prometheus delays the flush, never reorders it.
    let ticking: Promise<void> = Promise.resolve()
    const windowTimer = setInterval(() => {
      ticking = ticking.then(tick)
    }, plan.windowMs)

    // The probe loop: the measured user flows.
    const counters = new Map<string, number>()
    let nextTask = 0
    const probeDone = stop.signal
    const probeStop = new AbortController()
    const probeSignal = AbortSignal.any([probeDone, probeStop.signal])
    const recordIteration = (side: SideRun, t: ProbeTask, r: IterationResult, phase: string, startIndex: number) => {
      const straddling = phaseIndex !== startIndex
      const errorKind = r.passed ? undefined : (r.failure?.errorKind ?? (r.failure ? 'assertion' : 'error'))
      const sagg = side.agg!
      const scenario = { scenario: t.scenario.name }
      sagg.outcome('probe', 'iterations', scenario, r.passed, { error: errorKind, phase })
      const failed = r.passed ? {} : { error: errorKind }
      sagg.duration('probe', 'iteration_duration', scenario, r.durationMs, { phase, ...failed })
      const sideOf = side.side ? { side: side.side } : {}
      const described = { name: t.scenario.name, file: t.file.relativePath, tags: t.scenario.tags, ...sideOf }
      writer.iteration(described, r.passed, straddling)
      side.iterations++
      if (r.passed) side.passed++
      if (side.side !== 'control') live?.iterations.labels(t.scenario.name, r.passed ? 'passed' : 'failed').inc()
      if (r.failure) {
        const { signature, sample } = failureEntry(t.scenario.name, r.failure, { atMs: now(), phase })
        writer.failure({ ...signature, ...sideOf }, sample)
      }
    }
    // What the next probe iteration runs: round robin over the scenarios; on a paired soak each pair
    // (same scenario, same iteration data) goes to both sides, in ABBA/BAAB blocks.
    const nextProbe = (): { side: SideRun; t: ProbeTask; iteration: number } => {
      if (o.control) {
        const slot = abbaSlot(pairSeed, nextTask++)
        const side = slot.side === 'candidate' ? sides[0] : sides[1]
        // Iteration 0 was the preflight's: the probe loop starts at 1, so every pair has its own data.
        return { side, t: tasks[slot.pair % tasks.length], iteration: Math.floor(slot.pair / tasks.length) + 1 }
      }
      const t = tasks[nextTask++ % tasks.length]
      const n = counters.get(t.scenario.name) ?? 0
      counters.set(t.scenario.name, n + 1)
      return { side: sides[0], t, iteration: n + 1 }
    }
    const probeWorker = async (vu: number) => {
      while (!probeSignal.aborted) {
        const { side, t, iteration } = nextProbe()
        const sagg = side.agg!
        const startPhase = phaseName
        const startIndex = phaseIndex
        const r = await runIteration(t.scenario, {
          baseUrl: side.target,
          seed: o.seed,
          iteration,
          vu,
          signal: probeSignal,
          timeout: plan.probeTimeoutMs,
          setupData: side.setup.get(t.file),
          headers: o.headers,
          redactor,
          runStart: t0,
          file: t.file.relativePath,
          onRequest: (e) => {
            const error = errorKindOf(e)
            sagg.duration('probe', 'http_req_duration', { scenario: e.scenario, name: e.step }, e.durationMs, {
              atMs: e.endTime - t0,
              phase: startPhase,
              ...(error ? { error } : {}),
            })
            // The live line and /metrics follow the candidate.
            if (!error && side.side !== 'control') {
              live?.probeDuration.labels(e.scenario, e.step).observe(e.durationMs / 1000)
              const i = agg.windowOf(e.endTime - t0)
              let h = probeWindows.get(i)
              if (!h) probeWindows.set(i, (h = spare.pop() ?? new LatencyHistogram()))
              h.record(e.durationMs)
            }
          },
        })
        // An iteration cut short by the end of the soak is not a result of the service.
        if (r.aborted) break
        recordIteration(side, t, r, startPhase, startIndex)
        if (plan.probePauseMs > 0) await sleep(plan.probePauseMs, probeSignal)
      }
    }
    const probes = tasks.length ? Array.from({ length: plan.probeConcurrency }, (_, i) => probeWorker(i)) : []

    // One side's load for one phase; a failed load run is a note, not the end of the soak.
    const startLoad = (side: SideRun, phase: string, name: string, phaseOffset: number, signal: AbortSignal) => {
      const profile = scaleProfile(o.profiles.get(name)!, plan.durationScale, plan.windowMs)
      const sideEvent = side.event!
      const label = side.side === 'control' ? `${phase} (control)` : phase
      return runLoad({
        profile,
        target: side.target,
        scenarios: o.scenarioPatterns,
        cwd: o.cwd,
        ...(o.configDir ? { configDir: o.configDir } : {}),
        ...(o.workers ? { workers: o.workers } : {}),
        seed: `${o.seed}-${phase}`,
        signal,
        redactor,
        timeout: `${plan.probeTimeoutMs}ms`,
        onLog: (line) => progress.log(`load ${name}${side.side ? ` (${side.side})` : ''}: ${line}`),
        onWindow: (w: WindowSnapshot) => {
          feedLoadWindow(side.agg!, w, phaseOffset, phase)
          // Each side's generator is checked on its own; its saturation event names the side, and the judge
          // takes a window saturated on either side as inconclusive for both.
          progress.loadWindow(label, w.generator.saturated, w.generator.reasons)
          if (w.generator.saturated) {
            const why = w.generator.reasons.join(', ')
            const message = `the load generator was saturated in window ${w.index} of ${label}: ${why}`
            sideEvent({ atMs: now(), kind: 'generator-saturated', message, data: { phase } })
          }
          if (side.side === 'control') return
          const total = (metric: string) =>
            Object.values(w.counters)
              .filter((c) => c.metric === metric)
              .reduce((n, c) => n + c.value, 0)
          loadRate = total('iterations') / ((w.endMs - w.startMs) / 1000)
          live?.loadRate.set(loadRate)
          const dropped = total('dropped_iterations')
          if (dropped) live?.dropped.inc(dropped)
        },
      }).catch((e: Error): undefined => {
        const message = `load ${name}${side.side ? ` (${side.side})` : ''} stopped: ${e.message}`
        sideEvent({ atMs: now(), kind: 'note', message, data: { phase } })
        return undefined
      })
    }

    // ── phases ───────────────────────────────────────────────────────────────
    let offset = 0
    for (const [i, phase] of plan.phases.entries()) {
      if (stop.signal.aborted) break
      phaseName = phase.name
      phaseIndex = i
      agg.setPhase(phase.name)
      phaseStarts.push({ name: phase.name, startMs: now() })
      live?.setPhase(plan.name, phase.name, i > 0 ? plan.phases[i - 1].name : 'none')
      const startMs = now()
      event({ atMs: startMs, kind: 'phase-start', message: `phase ${phase.name} (${Math.round(phase.durationMs / 1000)}s${phase.load ? `, load ${phase.load}` : ''})`, data: { phase: phase.name } })
      progress.log(`phase ${phase.name} started${phase.load ? ` with load profile ${phase.load}` : ''}`)
      const phaseEnd = new AbortController()
      const phaseSignal = AbortSignal.any([stop.signal, phaseEnd.signal])
      // Each side gets the same profile and seed, started in the same tick: the identical arrival schedule.
      const loads = phase.load ? sides.map((s) => startLoad(s, phase.name, phase.load!, startMs, phaseSignal)) : []
      offset += phase.durationMs
      // Phase ends are planned from the soak's start, so the plan's total does not drift.
      await sleep(Math.max(0, offset - now()), stop.signal)
      phaseEnd.abort('phase end')
      const [result, controlResult] = await Promise.all(loads)
      loadRate = undefined
      const endMs = now()
      const phaseLoad = result ? describeLoad(phase.load!, result) : undefined
      const controlLoad = controlResult ? describeLoad(phase.load!, controlResult) : undefined
      // The warm-up goes into the record, so the judge ignores what the plan said to ignore (not its own default).
      writer.phaseEnded({
        name: phase.name,
        startMs,
        endMs,
        warmupMs: phase.warmupMs,
        ...(phaseLoad ? { load: phaseLoad } : {}),
        ...(controlLoad ? { controlLoad } : {}),
      })
      event({ atMs: endMs, kind: 'phase-end', message: `phase ${phase.name} ended`, data: { phase: phase.name } })
      progress.endPhase(phase.name)
    }

    // ── the end: stop probing, last scrape, teardown hooks, compact ─────────
    probeStop.abort('soak end')
    await Promise.all(probes)
    clearInterval(scrapeTimer)
    clearInterval(windowTimer)
    await ticking
    if (!stop.signal.aborted) {
      scrapeAll()
      await Promise.all([scraping, fillFromPrometheus(now())])
    }
    for (const side of sides) {
      for (const file of o.files) {
        const problem = await runTeardown(file, side.setup.get(file), { target: side.target, seed: o.seed, redactor })
        if (problem) writer.warn(`${file.relativePath}${side.side ? ` (${side.side})` : ''}: ${problem}`)
      }
    }
    const interrupted = stop.signal.aborted ? String(stop.signal.reason ?? 'signal') : undefined
    if (interrupted) event({ atMs: now(), kind: 'interrupted', message: `interrupted by ${interrupted}` })
    progress.done()
    const record = writer.finish(interrupted ? { complete: false, incompleteReason: interrupted } : { complete: true })
    await live?.close()
    return { record, preflightFailures: [], ...(metricsUrl ? { metricsUrl } : {}), ...(interrupted ? { interrupted } : {}) }
  } finally {
    o.signal?.removeEventListener('abort', onAbort)
  }
}

/** The run record's header of this soak (also for a soak stopped at preflight). */
function soakHeader(o: SoakOptions, startedAt: Date): RunHeader {
  const plan = o.plan
  return {
    kind: 'soak',
    id: o.runId,
    startedAt: startedAt.toISOString(),
    tool: { name: 'steady', version: o.toolVersion },
    subject: o.subject,
    seed: o.seed,
    configHash: o.configHash,
    comparability: {
      ...comparabilityKey({ planHash: plan.hash, durationScale: plan.durationScale, engine: engineOf(plan, o.profiles) }),
      ...(o.control ? { paired: true as const } : {}),
    },
    window: { sizeMs: plan.windowMs },
    ...(o.control ? { paired: pairedOf(o.subject, o.control.subject, o.seed) } : {}),
  }
}

function pairedOf(candidate: Subject, control: Subject, seed: string): PairedRun {
  return { candidate, control, design: 'abba', seed: pairSeedOf(seed) }
}

function engineOf(plan: ResolvedPlan, profiles: Map<string, ResolvedProfile>): string | null {
  const engines = new Set(plan.phases.filter((p) => p.load).map((p) => profiles.get(p.load!)?.engine ?? 'embedded'))
  return engines.size ? [...engines].sort().join('+') : null
}

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
