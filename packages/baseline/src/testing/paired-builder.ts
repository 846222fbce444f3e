/**
 * Paired run records for the paired judge's tests, built through the
 * recorder's own SeriesAggregator (real HDR histograms), from a stated noise
 * model: per request log-normal latency around each step's median; per window
 * and side an independent factor (5%); a machine effect shared by both sides
 * (+60% in a random third of the windows, or none); failures at 0.2% per
 * request; resident memory and heap sampled twice per window. Faults apply to
 * the candidate only.
 */
import { HISTOGRAM_PARAMETERS } from '@steady/record/internal'
import {
  RUN_SCHEMA,
  SeriesAggregator,
  type PhaseRecord,
  type RunEvent,
  type RunRecord,
  type ScenarioRecord,
  type Side,
} from '@steady/record'
import { Random } from '../stats/random.ts'

interface PairedFault {
  /** Every step slower by this factor. */
  allSteps?: number
  /** One step (`scenario/step`) slower by this factor. */
  step?: { name: string; factor: number }
  /** Resident memory growth per hour (heap stays flat): an off-heap leak. */
  rssBytesPerHour?: number
  /** Extra failure probability per request. */
  extraErrorRate?: number
  /** Every step slower by this factor in loaded windows only (latency that grows with in-flight requests). */
  underLoad?: number
  /** The candidate's services use this many times the control's CPU. */
  cpu?: number
}

export interface PairedBuildOptions {
  seed: number
  /** Candidate-only fault. */
  fault?: PairedFault
  /** Machine effect shared by both sides: +60% latency in a random third of the windows (default true). */
  machine?: boolean
  /** Length of the loaded phase in windows (default 30). */
  peakWindows?: number
  /** Load requests per step per window per side (default 250). */
  loadPerWindow?: number
  /** Probe requests per step per window per side (default 10). */
  probePerWindow?: number
  /** Windows (run indices) in which the load generator saturated. */
  saturated?: number[]
  /**
   * Standard deviation of a per-run bias of the candidate side's log latency (which side got the faster
   * cores): constant within a run, so the window noise cannot see it; only A/A runs between runs can.
   */
  sideBias?: number
  /** A latency factor on the candidate in the saturated windows only (what a saturated window can look like). */
  saturatedFactor?: number
}

export const STEPS = [
  { scenario: 'browse', name: 'home', median: 20 },
  { scenario: 'browse', name: 'item', median: 35 },
  { scenario: 'checkout', name: 'cart', median: 50 },
  { scenario: 'checkout', name: 'pay', median: 80 },
]

const WINDOW_MS = 10_000
const QUIET_WINDOWS = 12
const MiB = 1024 * 1024

/** A paired run record (candidate and control) under the model above. */
export function pairedRecord(options: PairedBuildOptions): RunRecord {
  const rnd = new Random(options.seed)
  const peakWindows = options.peakWindows ?? 30
  const perWindow = options.loadPerWindow ?? 250
  const saturated = new Set(options.saturated ?? [])
  const bias = Math.exp((options.sideBias ?? 0) * rnd.normal())
  let t = 0
  const agg = new SeriesAggregator({ windowMs: WINDOW_MS, now: () => t })
  const quietEnd = QUIET_WINDOWS * WINDOW_MS
  const end = quietEnd + peakWindows * WINDOW_MS
  const phases: PhaseRecord[] = [
    { name: 'quiet', startMs: 0, endMs: quietEnd, warmupMs: 20_000 },
    { name: 'peak', startMs: quietEnd, endMs: end, warmupMs: 20_000 },
  ]
  const load = {
    profile: 'peak',
    engine: 'embedded',
    executor: 'constant-arrival-rate',
    targetRate: 25,
    iterations: 25 * peakWindows * 10,
    droppedIterations: 0,
  }
  phases[1].load = load
  phases[1].controlLoad = { ...load }
  const iterations: Record<string, { passed: number; failed: number }> = {}
  const sides: Side[] = ['candidate', 'control']
  const state: BuildState = { rnd, agg, options, bias, saturated, perWindow, iterations }
  for (let w = 0; w < QUIET_WINDOWS + peakWindows; w++) {
    agg.setPhase(w >= QUIET_WINDOWS ? 'peak' : 'quiet')
    const machine = options.machine === false ? 1 : rnd.next() < 1 / 3 ? 1.6 : 1
    for (const side of sides) sideWindow(state, side, w, machine)
  }
  t = end
  agg.closeAll()
  const events: RunEvent[] = [...saturated].map((w) => ({
    atMs: w * WINDOW_MS + 1,
    kind: 'generator-saturated',
    message: 'the load generator could not keep the schedule',
    data: { side: 'candidate' },
  }))
  const scenarios: ScenarioRecord[] = Object.entries(iterations).map(([k, v]) => {
    const [side, name] = k.split('|') as [Side, string]
    return { name, tags: [], iterations: v.passed + v.failed, passed: v.passed, failed: v.failed, side }
  })
  // Both sides started by the soak beside each other (as with --control-env).
  const environment = (side: Side) => ({ id: `paired-${side}`, name: 'local', provider: 'process', tags: { side } })
  const subject = {
    service: 'store',
    version: options.fault ? '1.1.0' : '1.0.0',
    environment: environment('candidate'),
  }
  const seed = options.seed
  return {
    schema: RUN_SCHEMA,
    kind: 'soak',
    id: `paired-${options.seed}`,
    complete: true,
    startedAt: '2026-12-06T10:00:00.000Z',
    endedAt: new Date(Date.parse('2026-12-06T10:00:00.000Z') + end).toISOString(),
    durationMs: end,
    tool: { name: 'steady', version: '0.1.0' },
    subject,
    paired: {
      candidate: subject,
      control: { service: 'store', version: '1.0.0', environment: environment('control') },
      design: 'abba',
      seed: `${seed}`,
    },
    seed: String(options.seed),
    configHash: 'paired-test',
    comparability: {
      cpuModel: 'test CPU',
      cores: 2,
      node: '20.20.0',
      platform: 'linux-x64',
      planHash: 'paired-plan',
      durationScale: 1,
      engine: 'embedded',
      paired: true,
    },
    window: { sizeMs: WINDOW_MS },
    histogram: HISTOGRAM_PARAMETERS,
    phases,
    scenarios,
    series: agg.series(),
    events,
    failures: [],
    warnings: [],
  }
}

/** What every window of one paired record shares. */
interface BuildState {
  rnd: Random
  agg: SeriesAggregator
  options: PairedBuildOptions
  bias: number
  saturated: Set<number>
  perWindow: number
  iterations: Record<string, { passed: number; failed: number }>
}

/** One side in window `w`: every step's probe (and, under load, load) requests, then two memory scrapes. */
function sideWindow(b: BuildState, side: Side, w: number, machine: number): void {
  const { rnd, agg, options, bias, saturated, perWindow, iterations } = b
  const fault = options.fault ?? {}
  const start = w * WINDOW_MS
  const loaded = w >= QUIET_WINDOWS
  const sideNoise = Math.exp(0.05 * rnd.normal())
  for (const step of STEPS) {
    let factor = machine * sideNoise * (loaded ? 1.2 : 1)
    if (side === 'candidate') {
      factor *= bias * (fault.allSteps ?? 1)
      if (loaded) factor *= fault.underLoad ?? 1
      if (fault.step && fault.step.name === `${step.scenario}/${step.name}`) factor *= fault.step.factor
      if (saturated.has(w)) factor *= options.saturatedFactor ?? 1
    }
    const errorRate = 0.002 + (side === 'candidate' ? (fault.extraErrorRate ?? 0) : 0)
    const tags = { name: step.name, scenario: step.scenario, side }
    const sources: ['probe' | 'load', number][] = loaded
      ? [
          ['probe', options.probePerWindow ?? 10],
          ['load', perWindow],
        ]
      : [['probe', options.probePerWindow ?? 10]]
    for (const [source, n] of sources) {
      for (let k = 0; k < n; k++) {
        const atMs = start + Math.floor((k * WINDOW_MS) / n)
        const failed = rnd.next() < errorRate
        const ms = step.median * factor * Math.exp(0.3 * rnd.normal())
        agg.duration(source, 'http_req_duration', tags, ms, failed ? { error: 'status_500', atMs } : { atMs })
        if (source === 'probe') {
          const it = (iterations[`${side}|${step.scenario}`] ??= { passed: 0, failed: 0 })
          if (failed) it.failed++
          else it.passed++
          // Each probe request stands for an iteration of its scenario, as the probe loop records them.
          const flow = { scenario: step.scenario, side }
          agg.outcome('probe', 'iterations', flow, !failed, failed ? { error: 'status_500', atMs } : { atMs })
          agg.duration('probe', 'iteration_duration', flow, ms, failed ? { error: 'status_500', atMs } : { atMs })
        }
      }
    }
  }
  for (const half of [0, 1]) {
    const atMs = start + half * (WINDOW_MS / 2)
    const hours = atMs / 3_600_000
    const leak = side === 'candidate' ? (fault.rssBytesPerHour ?? 0) * hours : 0
    const svc = { service: 'store', side }
    const rss = 150 * MiB + 2 * MiB * rnd.normal() + leak
    agg.gauge('service', 'process_resident_memory_bytes', svc, rss, { unit: 'bytes', atMs })
    const heap = 60 * MiB + 4 * MiB * rnd.next()
    agg.gauge('service', 'nodejs_heap_size_used_bytes', svc, heap, { unit: 'bytes', atMs })
    // Half a core, on the candidate times its CPU fault.
    const cpu = (WINDOW_MS / 2000) * 0.5 * (side === 'candidate' ? (fault.cpu ?? 1) : 1)
    agg.count('service', 'process_cpu_seconds_total', svc, cpu, { unit: 'seconds', atMs })
  }
}
