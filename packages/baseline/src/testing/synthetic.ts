/**
 * Synthetic run records from a stated, fixed noise model, for the accuracy
 * benchmark (scripts/bench/verdict-accuracy.ts) and for tests. The model is
 * fixed before the judge was measured on it; it is not tuned to the judge:
 *
 * - Service: two scenarios of three steps; each step's latency has a true
 *   p50/p95/p99 ({@link SYNTHETIC_SERVICE}); a request's latency is drawn from
 *   the log-linear quantile function through those three points.
 * - Plan: `quiet` (no load), `nominal` and `peak` (constant-arrival-rate load
 *   of 5 and 10 iterations/s per scenario), 10 minutes each, 10 s windows.
 *   Load makes every step slower by 3% per iteration/s per scenario.
 * - Fixed iteration counts: the probe runs 1 iteration/s per scenario (1,800
 *   per scenario per run, one request per step each); the load runs 3,000
 *   (nominal) + 6,000 (peak) iterations per scenario per run.
 * - Run-to-run effect: one log-normal factor per run, shared by every series
 *   of the run (the machine, the build, the neighbours), with CV 5% on p50,
 *   8% on p95 and 15% on p99.
 * - Between windows: AR(1) noise on each series' log latency, φ = 0.5,
 *   innovation SD 5%.
 * - GC-spike windows: each window with probability 2% (shared by the run's
 *   series, since a pause stops the whole process); in it, 3% of the
 *   requests take 100–300 ms longer.
 * - Errors: each request fails with probability 0.2% (status_500 0.15%,
 *   timeout 0.05%), over-dispersed by a gamma factor per run (CV 30%) and
 *   one per window (shape 2); a failed request ends its iteration and is
 *   kept out of latency.
 * - Service indicators, scraped twice per window: heap used (old space of
 *   50 MB growing 2 MB/min between major GCs at random times, mean 2 min,
 *   plus the young generation's fill at a random point, 0–16 MB, more under
 *   load), resident memory, event-loop lag; generator event-loop utilisation.
 *
 * Injected changes are stated in {@link SyntheticChange}.
 *
 * That model is the one the judge assumes: one run factor moves every step
 * together, and the per-step checks cancel it. {@link SyntheticNoise} adds
 * held-out noise the judge does not assume (per-step wobble, heavy-tailed run
 * effects, a noisy neighbour in one phase, minute-long contention), drawn
 * from a stream of its own, so the base model's draws stay as they were.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fnv1a } from '@steady/kernel'
import { HISTOGRAM_PARAMETERS, seriesKey, signatureKey } from '@steady/record/internal'
import {
  RUN_SCHEMA,
  RunRecordWriter,
  SeriesAggregator,
  type ComparabilityKey,
  type FailureGroup,
  type PhaseRecord,
  type RunEvent,
  type RunRecord,
  type ScenarioRecord,
  type SeriesRecord,
  type SeriesSource,
  type SeriesWindow,
} from '@steady/record'
import { Random } from '../stats/random.ts'

interface SyntheticStep {
  name: string
  p50: number
  p95: number
  p99: number
}

export interface SyntheticScenario {
  name: string
  steps: SyntheticStep[]
}

/** The synthetic service: true latencies in ms of each step when quiet. */
export const SYNTHETIC_SERVICE: SyntheticScenario[] = [
  {
    name: 'browse',
    steps: [
      { name: 'home', p50: 20, p95: 45, p99: 80 },
      { name: 'search', p50: 35, p95: 90, p99: 160 },
      { name: 'product', p50: 25, p95: 60, p99: 110 },
    ],
  },
  {
    name: 'checkout',
    steps: [
      { name: 'login', p50: 40, p95: 95, p99: 170 },
      { name: 'cart', p50: 30, p95: 70, p99: 130 },
      { name: 'pay', p50: 60, p95: 150, p99: 280 },
    ],
  },
]

interface SyntheticPhase {
  name: string
  durationMs: number
  /** Load iterations per second per scenario (0: no load). */
  rate: number
}

const SYNTHETIC_PHASES: SyntheticPhase[] = [
  { name: 'quiet', durationMs: 600_000, rate: 0 },
  { name: 'nominal', durationMs: 600_000, rate: 5 },
  { name: 'peak', durationMs: 600_000, rate: 10 },
]

/** The fixed noise model (see the module comment). */
const NOISE_MODEL = {
  windowMs: 10_000,
  probeRatePerScenario: 1,
  loadSlowdownPerRate: 0.03,
  runCv: { p50: 0.05, p95: 0.08, p99: 0.15 },
  ar: { phi: 0.5, sd: 0.05 },
  gc: { probability: 0.02, share: 0.03, extraMs: [100, 300] as const },
  errors: { status_500: 0.0015, timeout: 0.0005, runCv: 0.3, windowShape: 2 },
  heap: { baseBytes: 50e6, youngBytes: 16e6, oldGrowthBytesPerMs: 2e6 / 60_000, majorGcMeanMs: 120_000 },
} as const

/**
 * An injected change, applied to the truth before noise:
 * - `step-latency`: one step slower by `magnitude` (every quantile, every phase);
 * - `all-latency`: every step slower by `magnitude`;
 * - `tail`: one step's p99 × (1 + magnitude) with p50 and p95 unchanged (the
 *   quantile function stretched between p95 and p99 and beyond);
 * - `failures`: every request fails `magnitude` more often (0.005 = +0.5 pp);
 * - `scenario-failures`: one scenario's iterations fail `magnitude` more often;
 * - `heap-leak`: heap after GC grows by `magnitude` bytes per hour from the start;
 * - `drift`: latency rises linearly by `magnitude` over each phase (after its first 20%), on one step or, with
 *   target `*`, on every step (a service slowing down as it runs);
 * - `load-degradation`: one step degrades more under load: × (1 + magnitude) at the peak rate (10
 *   iterations/s per scenario), in proportion below it, unchanged when quiet.
 */
export interface SyntheticChange {
  kind:
    | 'step-latency'
    | 'all-latency'
    | 'tail'
    | 'failures'
    | 'scenario-failures'
    | 'heap-leak'
    | 'drift'
    | 'load-degradation'
  magnitude: number
  /** `scenario/step` for step changes, a scenario name for scenario-failures (default: the first). */
  target?: string
}

/**
 * Noise on top of the base model, which the judge does not assume (`base`: none):
 * - `machine15`: run-to-run machine noise: one more log-normal factor per run with CV 15%, shared by every
 *   step, and a per-step wobble: each step's own log-normal factor per run, CV 5%;
 * - `heavy-t3`: the run effect's normal draw replaced by a Student t with 3 degrees of freedom scaled to unit
 *   variance (same spread, heavier tails: one run in ~30 lands beyond 2.5 standard deviations);
 * - `neighbour`: in 15% of runs a noisy neighbour shares the machine during one phase, picked at random: each
 *   window of that phase is busy with probability ½, and a busy window makes every request 40% slower;
 * - `contention`: minute-long contention shared by every series of the run: AR(1) on log latency across
 *   10 s windows with φ = 0.95 and a stationary standard deviation of 8% (a correlation time of ~3 minutes).
 */
export type SyntheticNoise = 'base' | 'machine15' | 'heavy-t3' | 'neighbour' | 'contention'

/** The noise models, in benchmark order, with what each adds. */
export const SYNTHETIC_NOISE_MODELS: ReadonlyArray<{ readonly name: SyntheticNoise; readonly label: string }> = [
  { name: 'base', label: 'the base model: one run factor for every step (the judge cancels it)' },
  { name: 'machine15', label: 'machine noise: run factor CV 15%, each step its own wobble CV 5%' },
  { name: 'heavy-t3', label: 'heavy-tailed run effects: Student t, 3 df, unit variance' },
  { name: 'neighbour', label: 'noisy neighbour: 15% of runs, one phase, half its windows 40% slower' },
  { name: 'contention', label: 'minute-long contention: AR(1) over windows, phi 0.95, SD 8%, shared' },
]

/** The held-out models' constants (see {@link SyntheticNoise}). */
const HELD_OUT_NOISE = {
  machine: { runCv: 0.15, stepCv: 0.05 },
  neighbour: { runShare: 0.15, busyWindowShare: 0.5, slowdown: 0.4 },
  contention: { phi: 0.95, sd: 0.08 },
} as const

export interface SyntheticRunOptions {
  seed: string | number
  change?: SyntheticChange
  /** Held-out noise on top of the base model (default `base`: none). */
  noise?: SyntheticNoise
  /** The run's id (default derived from the seed). */
  id?: string
  startedAt?: Date
  comparability?: Partial<ComparabilityKey>
  service?: SyntheticScenario[]
  phases?: SyntheticPhase[]
  /** Multiplies phase durations (0.1 for quick tests). */
  durationScale?: number
  /** Extra service gauge series (to reach a target series count for speed benchmarks). */
  extraGauges?: number
  /**
   * Write through SeriesAggregator + RunRecordWriter into this folder (real HDR histograms); otherwise build
   * the record directly (fast, no histograms).
   */
  writeTo?: string
  /** Subject fields. */
  version?: string
  /** Mark the record incomplete (interrupted). */
  incomplete?: boolean
  /** Inject service restarts at these times (ms). */
  restartsAtMs?: number[]
  /**
   * Leave out requests and iterations (service and generator indicators only): for long leak benchmarks,
   * where latency plays no part.
   */
  indicatorsOnly?: boolean
}

/** The comparability key of synthetic runs (fixed so runs compare). */
const SYNTHETIC_KEY: ComparabilityKey = {
  cpuModel: 'synthetic CPU',
  cores: 2,
  node: '20.20.0',
  platform: 'linux-x64',
  planHash: 'synthetic-plan',
  durationScale: 1,
  engine: 'embedded',
}

const Z95 = 1.6448536269514722
const Z99 = 2.3263478740408408

interface Sink {
  request(
    source: SeriesSource,
    scenario: string,
    step: string,
    atMs: number,
    ms: number,
    error: string | undefined,
  ): void
  iteration(source: SeriesSource, scenario: string, atMs: number, passed: boolean, error: string | undefined): void
  failure(scenario: string, step: string, kind: string, atMs: number, phase: string, iteration: number): void
  gauge(
    source: SeriesSource,
    name: string,
    tags: Record<string, string>,
    unit: string,
    atMs: number,
    value: number,
  ): void
  counter(source: SeriesSource, name: string, tags: Record<string, string>, atMs: number, n: number): void
  windowEnd(endMs: number): void
  phaseStart(name: string, atMs: number): void
  phaseEnd(phase: PhaseRecord): void
  event(e: RunEvent): void
  finish(durationMs: number, complete: boolean): RunRecord
}

/** Makes one synthetic run record. */
export function syntheticRun(options: SyntheticRunOptions): RunRecord {
  const rnd = new Random(`synthetic:${options.seed}`)
  const service = options.service ?? SYNTHETIC_SERVICE
  const scale = options.durationScale ?? 1
  const phases = (options.phases ?? SYNTHETIC_PHASES).map((p) => ({ ...p, durationMs: p.durationMs * scale }))
  const windowMs = NOISE_MODEL.windowMs
  const startedAt =
    options.startedAt ?? new Date(Date.UTC(2026, 10, 1) + (fnv1a(String(options.seed)) % 1_000_000) * 60_000)
  const id = options.id ?? `synthetic-${String(options.seed).replace(/[^A-Za-z0-9_.-]/g, '-')}`
  const header = {
    kind: 'soak' as const,
    id,
    startedAt: startedAt.toISOString(),
    tool: { name: 'steady' as const, version: '0.1.0' },
    subject: { service: 'synthetic-store', version: options.version ?? '1.0.0' },
    seed: String(options.seed),
    configHash: 'synthetic',
    comparability: { ...SYNTHETIC_KEY, ...options.comparability },
    window: { sizeMs: windowMs },
  }
  let sink: Sink
  if (options.writeTo) sink = writerSink(options.writeTo, header)
  else sink = new FastSink(header)
  generate(rnd, sink, service, phases, options)
  const total = phases.reduce((a, p) => a + p.durationMs, 0)
  return sink.finish(total, !options.incomplete)
}

function lognormalFactor(rnd: Random, cv: number, z?: number): number {
  const s = Math.sqrt(Math.log(1 + cv * cv))
  return Math.exp(s * (z ?? rnd.normal()) - (s * s) / 2)
}

interface StepState {
  scenario: string
  step: SyntheticStep
  /** Log knots after the run effect and the change: ln p50, ln p95, ln p99. */
  knots: [number, number, number]
  /** AR(1) state per source. */
  ar: Record<'probe' | 'load', number>
  tail: number
  drift: number
  loadExtra: number
}

/** The held-out noise of one run: a factor per step (fixed for the run) and one per window (shared by every series). */
interface HeldOut {
  stepFactor(): number
  /** Called once per window, in order; returns the factor on every request of that window. */
  windowFactor(phaseIndex: number): number
  /** Replaces the base model's run draw (heavy tails); identity otherwise. */
  runZ(z: number): number
}

function heldOutNoise(noise: SyntheticNoise, seed: string | number, phaseCount: number): HeldOut {
  // A stream of its own, so that the base model's draws (and results) are the same with or without it.
  const rnd = new Random(`synthetic-noise:${noise}:${seed}`)
  const none: HeldOut = { stepFactor: () => 1, windowFactor: () => 1, runZ: (z) => z }
  if (noise === 'machine15') {
    const run = lognormalFactor(rnd, HELD_OUT_NOISE.machine.runCv)
    return { ...none, stepFactor: () => run * lognormalFactor(rnd, HELD_OUT_NOISE.machine.stepCv) }
  }
  if (noise === 'heavy-t3') {
    // t with ν = 3 is z / √(χ²₃/3); its variance is ν/(ν−2) = 3, so it is scaled by 1/√3 to unit variance.
    const chi2 = 2 * rnd.gamma(1.5)
    return { ...none, runZ: (z) => z / Math.sqrt(chi2 / 3) / Math.sqrt(3) }
  }
  if (noise === 'neighbour') {
    const hit = rnd.next() < HELD_OUT_NOISE.neighbour.runShare
    const phase = rnd.int(phaseCount)
    const n = HELD_OUT_NOISE.neighbour
    return { ...none, windowFactor: (p) => (hit && p === phase && rnd.next() < n.busyWindowShare ? 1 + n.slowdown : 1) }
  }
  if (noise === 'contention') {
    const { phi, sd } = HELD_OUT_NOISE.contention
    let x = rnd.normal() * sd
    return {
      ...none,
      windowFactor: () => {
        const f = Math.exp(x)
        x = phi * x + Math.sqrt(1 - phi * phi) * sd * rnd.normal()
        return f
      },
    }
  }
  return none
}

/** What one synthetic run carries from window to window while it is generated. */
interface RunState {
  rnd: Random
  sink: Sink
  service: SyntheticScenario[]
  o: SyntheticRunOptions
  steps: StepState[]
  held: HeldOut
  /** The run's error factor (gamma, mean 1). */
  errRun: number
  extraFail: number
  scenarioFail: { scenario: string; p: number } | undefined
  leakPerMs: number
  /** Restart times not yet emitted, in order. */
  restarts: number[]
  /** The last and the next major GC (ms). */
  heap: { lastMajorGc: number; nextMajorGc: number }
  /** Probe iterations so far, by scenario. */
  iterationNo: Map<string, number>
}

/** One window being generated: what every request and iteration in it shares. */
interface WindowState {
  phase: SyntheticPhase
  start: number
  progress: number
  loadFactor: number
  gc: boolean
  heldFactor: number
  p500: number
  pTimeout: number
}

function generate(
  rnd: Random,
  sink: Sink,
  service: SyntheticScenario[],
  phases: SyntheticPhase[],
  o: SyntheticRunOptions,
): void {
  const change = o.change
  const held = heldOutNoise(o.noise ?? 'base', o.seed, phases.length)
  const zRun = held.runZ(rnd.normal())
  const runFactor = {
    p50: lognormalFactor(rnd, NOISE_MODEL.runCv.p50, zRun),
    p95: lognormalFactor(rnd, NOISE_MODEL.runCv.p95, zRun),
    p99: lognormalFactor(rnd, NOISE_MODEL.runCv.p99, zRun),
  }
  const firstStep = `${service[0].name}/${service[0].steps[0].name}`
  const target = change?.target ?? (change?.kind === 'scenario-failures' ? service[0].name : firstStep)
  const steps = stepStates(rnd, service, held, runFactor, change, target)
  const errRun = rnd.gamma(1 / NOISE_MODEL.errors.runCv ** 2) * NOISE_MODEL.errors.runCv ** 2
  const run: RunState = {
    rnd,
    sink,
    service,
    o,
    steps,
    held,
    errRun,
    extraFail: change?.kind === 'failures' ? change.magnitude : 0,
    scenarioFail: change?.kind === 'scenario-failures' ? { scenario: target, p: change.magnitude } : undefined,
    leakPerMs: change?.kind === 'heap-leak' ? change.magnitude / 3_600_000 : 0,
    restarts: [...(o.restartsAtMs ?? [])].sort((a, b) => a - b),
    heap: { lastMajorGc: 0, nextMajorGc: -Math.log(1 - rnd.next()) * NOISE_MODEL.heap.majorGcMeanMs },
    iterationNo: new Map<string, number>(),
  }
  let t0 = 0
  for (const [phaseIndex, phase] of phases.entries()) t0 = generatePhase(run, phase, phaseIndex, t0)
}

/** Each step's latency knots after the run effect and the injected change, and its AR(1) start. */
function stepStates(
  rnd: Random,
  service: SyntheticScenario[],
  held: HeldOut,
  runFactor: { p50: number; p95: number; p99: number },
  change: SyntheticChange | undefined,
  target: string,
): StepState[] {
  const steps: StepState[] = []
  for (const sc of service) {
    for (const step of sc.steps) {
      const isTarget = `${sc.name}/${step.name}` === target
      let f = held.stepFactor()
      const slower = change && (change.kind === 'all-latency' || (change.kind === 'step-latency' && isTarget))
      if (slower) f *= 1 + change.magnitude
      steps.push({
        scenario: sc.name,
        step,
        knots: [
          Math.log(step.p50 * runFactor.p50 * f),
          Math.log(step.p95 * runFactor.p95 * f),
          Math.log(step.p99 * runFactor.p99 * f),
        ],
        ar: { probe: rnd.normal() * NOISE_MODEL.ar.sd, load: rnd.normal() * NOISE_MODEL.ar.sd },
        tail: change?.kind === 'tail' && isTarget ? Math.log(1 + change.magnitude) : 0,
        drift: change?.kind === 'drift' && (isTarget || target === '*') ? change.magnitude : 0,
        loadExtra: change?.kind === 'load-degradation' && isTarget ? change.magnitude : 0,
      })
    }
  }
  return steps
}

/** One phase's windows from `t0`; returns where the phase ends. */
function generatePhase(run: RunState, phase: SyntheticPhase, phaseIndex: number, t0: number): number {
  const { rnd, sink, service } = run
  const windowMs = NOISE_MODEL.windowMs
  sink.phaseStart(phase.name, t0)
  const windows = Math.round(phase.durationMs / windowMs)
  const loadFactor = 1 + NOISE_MODEL.loadSlowdownPerRate * phase.rate
  let loadIterations = 0
  for (let w = 0; w < windows; w++) {
    const start = t0 + w * windowMs
    const gc = rnd.next() < NOISE_MODEL.gc.probability
    const heldFactor = run.held.windowFactor(phaseIndex)
    const errWindow = rnd.gamma(NOISE_MODEL.errors.windowShape) / NOISE_MODEL.errors.windowShape
    const win: WindowState = {
      phase,
      start,
      progress: w / windows,
      loadFactor,
      gc,
      heldFactor,
      p500: NOISE_MODEL.errors.status_500 * run.errRun * errWindow,
      pTimeout: NOISE_MODEL.errors.timeout * run.errRun * errWindow,
    }
    for (const st of run.steps) {
      for (const src of ['probe', 'load'] as const) {
        st.ar[src] =
          NOISE_MODEL.ar.phi * st.ar[src] + Math.sqrt(1 - NOISE_MODEL.ar.phi ** 2) * NOISE_MODEL.ar.sd * rnd.normal()
      }
    }
    const probePerWindow = Math.round((NOISE_MODEL.probeRatePerScenario * windowMs) / 1000)
    for (const sc of run.o.indicatorsOnly ? [] : service) {
      for (let k = 0; k < probePerWindow; k++)
        runIteration(run, win, 'probe', sc, start + Math.floor(((k + rnd.next() * 0.5) * windowMs) / probePerWindow))
      const loadPerWindow = Math.round((phase.rate * windowMs) / 1000)
      for (let k = 0; k < loadPerWindow; k++)
        runIteration(run, win, 'load', sc, start + Math.floor(((k + rnd.next() * 0.5) * windowMs) / loadPerWindow))
      loadIterations += loadPerWindow
    }
    scrape(run, phase, start, gc)
    if (phase.rate) sink.counter('load', 'dropped_iterations', {}, start + 5000, 0)
    while (run.restarts.length && run.restarts[0] < start + windowMs) {
      const at = run.restarts.shift()!
      sink.event({ atMs: at, kind: 'service-restart', message: 'process_start_time_seconds changed', data: {} })
    }
    sink.windowEnd(start + windowMs)
  }
  const end = t0 + windows * windowMs
  const rec: PhaseRecord = { name: phase.name, startMs: t0, endMs: end }
  if (phase.rate) {
    rec.load = {
      profile: phase.name,
      engine: 'embedded',
      executor: 'constant-arrival-rate',
      targetRate: phase.rate * service.length,
      achievedRate: (loadIterations * 1000) / (end - t0),
      iterations: loadIterations,
      droppedIterations: 0,
    }
  }
  sink.phaseEnd(rec)
  return end
}

/** One request's latency: the step's quantile function, its AR(1) state, load, drift and GC spikes. */
function latency(run: RunState, win: WindowState, st: StepState, src: 'probe' | 'load'): number {
  const { rnd } = run
  const { phase } = win
  const z = rnd.normal()
  const [a, b, c] = st.knots
  let l: number
  if (z <= Z95) l = a + ((b - a) / Z95) * z
  else l = b + ((c - b) / (Z99 - Z95)) * (z - Z95)
  if (st.tail && z > Z95) l += st.tail * Math.min(1, (z - Z95) / (Z99 - Z95))
  const underLoad = phase.rate ? win.loadFactor * (1 + (st.loadExtra * phase.rate) / 10) : 1
  let factor = win.heldFactor * Math.exp(st.ar[src]) * underLoad
  if (st.drift && win.progress > 0.2) factor *= 1 + (st.drift * (win.progress - 0.2)) / 0.8
  let v = Math.exp(l) * factor
  if (win.gc && rnd.next() < NOISE_MODEL.gc.share)
    v += NOISE_MODEL.gc.extraMs[0] + rnd.next() * (NOISE_MODEL.gc.extraMs[1] - NOISE_MODEL.gc.extraMs[0])
  return v
}

/** One iteration of a scenario: its steps in order until one fails. */
function runIteration(run: RunState, win: WindowState, src: 'probe' | 'load', sc: SyntheticScenario, atMs: number) {
  const { rnd, sink, scenarioFail } = run
  const windowMs = NOISE_MODEL.windowMs
  let error: string | undefined
  let failedStep: string | undefined
  let t = atMs
  const forced = scenarioFail && scenarioFail.scenario === sc.name && rnd.next() < scenarioFail.p
  const forcedAt = forced ? rnd.int(sc.steps.length) : -1
  for (let k = 0; k < sc.steps.length; k++) {
    const st = run.steps.find((x) => x.scenario === sc.name && x.step.name === sc.steps[k].name)!
    const u = rnd.next()
    let kind: string | undefined
    if (k === forcedAt || u < win.p500 + run.extraFail) kind = 'status_500'
    else if (u < win.p500 + run.extraFail + win.pTimeout) kind = 'timeout'
    const v = kind === 'timeout' ? 5000 : latency(run, win, st, src)
    sink.request(src, sc.name, st.step.name, Math.min(t, win.start + windowMs - 1), v, kind)
    t += Math.min(v, 50)
    if (kind) {
      error = kind
      failedStep = st.step.name
      break
    }
  }
  sink.iteration(src, sc.name, atMs, !error, error)
  if (src === 'probe') {
    const n = (run.iterationNo.get(sc.name) ?? 0) + 1
    run.iterationNo.set(sc.name, n)
    if (error) sink.failure(sc.name, failedStep!, error, atMs, win.phase.name, n)
  }
}

/**
 * Service indicators: two scrapes per window. The heap is V8-shaped: the old space (50 MB, plus a leak if
 * injected) grows between major GCs at random times and drops back; a scrape lands at a random point of the
 * young generation's fill (scavenges every second or two), 0–16 MB.
 */
function scrape(run: RunState, phase: SyntheticPhase, start: number, gc: boolean): void {
  const { rnd, sink, heap: h } = run
  const extraGauges = run.o.extraGauges ?? 0
  for (const off of [2500, 7500]) {
    const at = start + off
    while (at >= h.nextMajorGc) {
      h.lastMajorGc = h.nextMajorGc
      h.nextMajorGc += -Math.log(1 - rnd.next()) * NOISE_MODEL.heap.majorGcMeanMs
    }
    const leak = run.leakPerMs * at
    const oldSpace = NOISE_MODEL.heap.baseBytes + leak + NOISE_MODEL.heap.oldGrowthBytesPerMs * (at - h.lastMajorGc)
    const heap = oldSpace + rnd.next() * NOISE_MODEL.heap.youngBytes * (1 + phase.rate / 10)
    sink.gauge('service', 'nodejs_heap_size_used_bytes', { service: 'store' }, 'bytes', at, heap)
    const rss = 120e6 + leak * 1.2 + rnd.normal() * 2e6
    sink.gauge('service', 'process_resident_memory_bytes', { service: 'store' }, 'bytes', at, rss)
    const lag = Math.max(0, 0.002 + rnd.normal() * 0.0005 + (gc ? 0.05 : 0))
    sink.gauge('service', 'nodejs_eventloop_lag_seconds', { service: 'store' }, 'seconds', at, lag)
    const elu = Math.min(1, Math.max(0, 0.15 + phase.rate * 0.02 + rnd.normal() * 0.02))
    sink.gauge('generator', 'event_loop_utilization', {}, 'ratio', at, elu)
    for (let g = 0; g < extraGauges; g++)
      sink.gauge('service', `synthetic_gauge_${g}`, { service: 'store' }, '', at, 100 + rnd.normal())
  }
}

/** HDR's "value at percentile": the smallest value with at least q of the values at or below it. */
function pick(sorted: Float64Array, q: number): number {
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1))]
}

function r3(v: number): number {
  return Math.round(v * 1000) / 1000
}

class Growable {
  data = new Float64Array(64)
  n = 0
  push(v: number): void {
    if (this.n === this.data.length) {
      const d = new Float64Array(this.data.length * 2)
      d.set(this.data)
      this.data = d
    }
    this.data[this.n++] = v
  }
  sorted(): Float64Array {
    return this.data.slice(0, this.n).sort()
  }
}

/** What a window and a phase of a series count. */
interface FastBucket {
  count: number
  errors?: Record<string, number>
  values?: Growable
  passed?: number
  failed?: number
  min?: number
  delta?: number
}

interface FastSeries {
  record: Omit<SeriesRecord, 'windows' | 'phases'>
  windows: Map<number, FastBucket & { value?: number }>
  phases: Map<string, FastBucket & { first?: number; last?: number }>
}

/** What a run record says about the run before any of it is measured. */
type RecordHeader = Omit<
  RunRecord,
  | 'schema'
  | 'complete'
  | 'endedAt'
  | 'durationMs'
  | 'histogram'
  | 'phases'
  | 'scenarios'
  | 'series'
  | 'events'
  | 'failures'
  | 'warnings'
>

/** What a window and a phase of a series both say: counts, errors, pass/fail, exact quantiles of the values. */
function counted(
  b: FastBucket,
): Pick<SeriesWindow, 'count' | 'errors' | 'passed' | 'failed' | 'p50' | 'p95' | 'p99' | 'max'> {
  const out: ReturnType<typeof counted> = { count: b.count }
  if (b.errors) out.errors = b.errors
  if (b.passed !== undefined || b.failed !== undefined) {
    out.passed = b.passed ?? 0
    out.failed = b.failed ?? 0
  }
  if (b.values && b.values.n) {
    const v = b.values.sorted()
    Object.assign(out, {
      p50: r3(pick(v, 0.5)),
      p95: r3(pick(v, 0.95)),
      p99: r3(pick(v, 0.99)),
      max: r3(v[v.length - 1]),
    })
  }
  return out
}

/** Builds the record directly: exact quantiles from the samples, no encoded histograms. */
class FastSink implements Sink {
  readonly #header: RecordHeader
  readonly #series = new Map<string, FastSeries>()
  /**
   * Series by a cheap id (source, name, tag values): building the sorted key per value was the generator's
   * hot spot.
   */
  readonly #byId = new Map<string, FastSeries>()
  readonly #phases: PhaseRecord[] = []
  readonly #events: RunEvent[] = []
  readonly #scenarios = new Map<string, ScenarioRecord>()
  readonly #failures = new Map<string, FailureGroup>()
  #phase = ''

  constructor(header: RecordHeader) {
    this.#header = header
  }

  #get(
    source: SeriesSource,
    name: string,
    kind: SeriesRecord['kind'],
    unit: string,
    tags: Record<string, string>,
    id: string,
  ): FastSeries {
    let s = this.#byId.get(id)
    if (s) return s
    const key = seriesKey(source, name, tags)
    s = this.#series.get(key)
    if (!s)
      this.#series.set(
        key,
        (s = { record: { key, source, name, kind, unit, tags }, windows: new Map(), phases: new Map() }),
      )
    this.#byId.set(id, s)
    return s
  }

  #w: FastSeries['windows'] extends Map<number, infer W> ? W : never = { count: 0 }
  #p: FastSeries['phases'] extends Map<string, infer P> ? P : never = { count: 0 }

  /** Sets #w and #p to the window and phase slots of a value (no allocation on the hot path). */
  #slots(s: FastSeries, atMs: number): void {
    const i = Math.floor(atMs / this.#header.window.sizeMs)
    let w = s.windows.get(i)
    if (!w) s.windows.set(i, (w = { count: 0 }))
    let p = s.phases.get(this.#phase)
    if (!p) s.phases.set(this.#phase, (p = { count: 0 }))
    this.#w = w
    this.#p = p
  }

  request(
    source: SeriesSource,
    scenario: string,
    step: string,
    atMs: number,
    ms: number,
    error: string | undefined,
  ): void {
    const s = this.#get(
      source,
      'http_req_duration',
      'histogram',
      'ms',
      { name: step, scenario },
      `${source}|d|${scenario}|${step}`,
    )
    this.#slots(s, atMs)
    for (const slot of [this.#w, this.#p]) {
      slot.count++
      if (error) (slot.errors ??= {})[error] = (slot.errors[error] ?? 0) + 1
      else (slot.values ??= new Growable()).push(ms)
    }
  }

  iteration(source: SeriesSource, scenario: string, atMs: number, passed: boolean, error: string | undefined): void {
    const s = this.#get(source, 'iterations', 'counter', 'count', { scenario }, `${source}|i|${scenario}`)
    this.#slots(s, atMs)
    for (const slot of [this.#w, this.#p]) {
      slot.count++
      if (passed) slot.passed = (slot.passed ?? 0) + 1
      else {
        slot.failed = (slot.failed ?? 0) + 1
        if (error) (slot.errors ??= {})[error] = (slot.errors[error] ?? 0) + 1
      }
    }
    if (source === 'probe') {
      let sc = this.#scenarios.get(scenario)
      if (!sc) this.#scenarios.set(scenario, (sc = { name: scenario, tags: [], iterations: 0, passed: 0, failed: 0 }))
      sc.iterations++
      if (passed) sc.passed++
      else sc.failed++
    }
  }

  failure(scenario: string, step: string, kind: string, atMs: number, phase: string, iteration: number): void {
    const signature =
      kind === 'timeout'
        ? { scenario, step, assertion: 'error', errorCode: 'timeout' }
        : { scenario, step, assertion: 'toHaveStatus(200)', status: 500 }
    const key = signatureKey(signature)
    let g = this.#failures.get(key)
    if (!g)
      this.#failures.set(key, (g = { signature, count: 0, firstAtMs: atMs, lastAtMs: atMs, byPhase: {}, samples: [] }))
    g.count++
    g.lastAtMs = Math.max(g.lastAtMs, atMs)
    g.byPhase[phase] = (g.byPhase[phase] ?? 0) + 1
    if (g.samples.length < 3)
      g.samples.push({
        atMs,
        phase,
        message: kind === 'timeout' ? 'request timed out' : 'expected status 200, got 500',
        replay: { seed: this.#header.seed, scenario, iteration },
      })
  }

  gauge(
    source: SeriesSource,
    name: string,
    tags: Record<string, string>,
    unit: string,
    atMs: number,
    value: number,
  ): void {
    const s = this.#get(source, name, 'gauge', unit, tags, `${source}|g|${name}|${Object.values(tags).join('|')}`)
    this.#slots(s, atMs)
    const w = this.#w
    const p = this.#p
    w.count++
    w.value = value
    w.min = w.min === undefined ? value : Math.min(w.min, value)
    p.count++
    p.first ??= value
    p.last = value
    p.min = p.min === undefined ? value : Math.min(p.min, value)
  }

  counter(source: SeriesSource, name: string, tags: Record<string, string>, atMs: number, n: number): void {
    const s = this.#get(source, name, 'counter', 'count', tags, `${source}|c|${name}|${Object.values(tags).join('|')}`)
    this.#slots(s, atMs)
    for (const slot of [this.#w, this.#p]) {
      slot.count++
      slot.delta = (slot.delta ?? 0) + n
    }
  }

  windowEnd(): void {}

  phaseStart(name: string, atMs: number): void {
    this.#phase = name
    this.#events.push({ atMs, kind: 'phase-start', message: name, data: { phase: name } })
  }

  phaseEnd(phase: PhaseRecord): void {
    this.#phases.push(phase)
    this.#events.push({ atMs: phase.endMs, kind: 'phase-end', message: phase.name, data: { phase: phase.name } })
  }

  event(e: RunEvent): void {
    this.#events.push(e)
  }

  finish(durationMs: number, complete: boolean): RunRecord {
    const series: SeriesRecord[] = [...this.#series.values()]
      .map((s) => {
        const windows: SeriesWindow[] = [...s.windows.entries()]
          .sort((a, b) => a[0] - b[0])
          .map(([i, w]) => {
            const out: SeriesWindow = { i, ...counted(w) }
            if (w.value !== undefined) Object.assign(out, { value: w.value, min: w.min })
            if (w.delta !== undefined) out.delta = w.delta
            return out
          })
        const phases: SeriesRecord['phases'] = {}
        for (const [name, p] of s.phases) {
          const out: SeriesRecord['phases'][string] = counted(p)
          if (p.first !== undefined) Object.assign(out, { first: p.first, last: p.last, min: p.min })
          if (p.delta !== undefined) out.delta = p.delta
          phases[name] = out
        }
        return { ...s.record, windows, phases }
      })
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    return {
      schema: RUN_SCHEMA,
      ...this.#header,
      complete,
      ...(complete ? {} : { incompleteReason: 'SIGINT' }),
      endedAt: new Date(Date.parse(this.#header.startedAt) + durationMs).toISOString(),
      durationMs,
      histogram: HISTOGRAM_PARAMETERS,
      phases: this.#phases,
      scenarios: [...this.#scenarios.values()],
      series,
      events: this.#events,
      failures: [...this.#failures.values()],
      warnings: [],
    }
  }
}

/** Writes through the recorder's own code (SeriesAggregator + RunRecordWriter), with real HDR histograms. */
function writerSink(dir: string, header: ConstructorParameters<typeof RunRecordWriter>[0]['header']): Sink {
  let t = 0
  const now = () => t
  const aggregator = new SeriesAggregator({ windowMs: header.window.sizeMs, now })
  const writer = new RunRecordWriter({
    dir,
    header,
    aggregator,
    now,
    wallClock: () => new Date(Date.parse(header.startedAt) + t),
  })
  return {
    request: (source, scenario, step, atMs, ms, error) =>
      aggregator.duration(
        source,
        'http_req_duration',
        { name: step, scenario },
        ms,
        error ? { error, atMs } : { atMs },
      ),
    iteration: (source, scenario, atMs, passed, error) => {
      aggregator.outcome(source, 'iterations', { scenario }, passed, error ? { error, atMs } : { atMs })
      if (source === 'probe') writer.iteration({ name: scenario }, passed)
    },
    failure: (scenario, step, kind, atMs, phase, iteration) =>
      writer.failure(
        kind === 'timeout'
          ? { scenario, step, assertion: 'error', errorCode: 'timeout' }
          : { scenario, step, assertion: 'toHaveStatus(200)', status: 500 },
        {
          atMs,
          phase,
          message: kind === 'timeout' ? 'request timed out' : 'expected status 200, got 500',
          replay: { seed: header.seed, scenario, iteration },
        },
      ),
    gauge: (source, name, tags, unit, atMs, value) => aggregator.gauge(source, name, tags, value, { unit, atMs }),
    counter: (source, name, tags, atMs, n) => aggregator.count(source, name, tags, n, { atMs }),
    windowEnd: (endMs) => {
      t = endMs
      writer.flush()
    },
    phaseStart: (name, atMs) => {
      aggregator.setPhase(name)
      writer.event({ atMs, kind: 'phase-start', message: name, data: { phase: name } })
    },
    phaseEnd: (phase) => {
      writer.event({ atMs: phase.endMs, kind: 'phase-end', message: phase.name, data: { phase: phase.name } })
      writer.phaseEnded(phase)
    },
    event: (e) => writer.event(e),
    finish: (durationMs, complete) => {
      t = durationMs
      return writer.finish(complete ? { complete: true } : { complete: false, incompleteReason: 'SIGINT' })
    },
  }
}

/** A temporary folder for {@link SyntheticRunOptions.writeTo}, removed by the returned function. */
export function tempRunDir(prefix = 'steady-synthetic-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}
