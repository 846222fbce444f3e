/**
 * The run record (`schema: "steady.run/1"`): the one artifact every producer
 * (`steady run`, `steady load`, `steady soak`) writes and every consumer
 * (`steady verdict`, `steady report`, baselines) reads.
 *
 * Time: `startedAt`/`endedAt` are wall-clock ISO strings for people; every
 * other time is milliseconds on a monotonic clock since the run started
 * (`atMs`, `startMs`), so a clock jump during a soak cannot reorder data.
 *
 * Windows: the run is cut into windows of `window.sizeMs`; window `i` covers
 * `[i * sizeMs, (i + 1) * sizeMs)`. A request belongs to the window in which it
 * completed; an iteration belongs to the phase in which it started.
 */
import { HISTOGRAM_PARAMETERS } from './histogram.ts'

export const RUN_SCHEMA = 'steady.run/1'

export type RunKind = 'run' | 'load' | 'soak'

export interface RunRecord {
  schema: typeof RUN_SCHEMA
  kind: RunKind
  /** Unique id of this run, e.g. `2026-11-26T06-40-12Z-7f3a`. */
  id: string
  /** True when the runner finished its plan (a crashed service still gives a complete record). */
  complete: boolean
  /** Why the run is incomplete (`SIGINT`, `SIGTERM`, `recovered from events after the runner died`). */
  incompleteReason?: string
  startedAt: string
  endedAt: string
  durationMs: number
  tool: { name: 'steady'; version: string }
  subject: Subject
  /** The run seed: with a scenario name and an iteration it replays one iteration exactly. */
  seed: string
  /** sha256 prefix of the config file the run used. */
  configHash: string
  comparability: ComparabilityKey
  window: { sizeMs: number }
  histogram: typeof HISTOGRAM_PARAMETERS
  phases: PhaseRecord[]
  scenarios: ScenarioRecord[]
  series: SeriesRecord[]
  events: RunEvent[]
  failures: FailureGroup[]
  /** Things a reader should know about how the run was made (a VU-based loaded phase, a saturated generator). */
  warnings: string[]
  /**
   * Present only on a paired run: the candidate and a control version soaked
   * side by side (same plan, same schedule, alternating probe iterations).
   * `subject` is the candidate's; every series carries the tag `side`
   * (`candidate` or `control`), and window `i` of one side covers the same
   * time as window `i` of the other.
   */
  paired?: PairedRun
}

/** Which side of a paired run a series, scenario, failure or event belongs to. */
export type Side = 'candidate' | 'control'

/** The two sides of a paired run and how their probe iterations were interleaved. */
export interface PairedRun {
  candidate: Subject
  control: Subject
  /** Probe iterations alternate in randomized balanced blocks (ABBA / BAAB). */
  design: 'abba'
  /** Seed of the block order. */
  seed: string
  /** The CPUs each side's services were pinned to (`--pin`), as `taskset -c` lists them; absent: shared. */
  pinned?: { candidate: string; control: string }
}

/** What was tested. */
export interface Subject {
  service?: string
  version?: string
  commit?: string
  branch?: string
  environment?: {
    id: string
    name: string
    provider: string
    url?: string
    tags: Record<string, string>
  }
  /** The base URL the scenarios ran against. */
  target?: string
}

/**
 * Two runs are compared only when these match (a gate may relax a key, with a
 * warning). A field that does not apply (no load engine in `steady run`) is null.
 */
export interface ComparabilityKey {
  cpuModel: string
  cores: number
  node: string
  platform: string
  planHash: string | null
  durationScale: number
  engine: string | null
  /**
   * True on a paired run (both sides share the machine), absent otherwise:
   * paired runs compare only with paired runs.
   */
  paired?: true
}

export interface PhaseRecord {
  name: string
  startMs: number
  endMs: number
  /**
   * The start of the phase that trend findings ignore (the service settling
   * after a load step), in ms from the phase's start. Absent: the judge uses
   * 20% of the phase, at most one minute (the soak plan's default).
   */
  warmupMs?: number
  /** The load applied during the phase, if any (on a paired run, the candidate side's). */
  load?: PhaseLoad
  /** On a paired run: the load applied to the control side (same profile and schedule). */
  controlLoad?: PhaseLoad
}

export interface PhaseLoad {
  profile: string
  engine: string
  executor: string
  /** Planned iterations per second for arrival-rate executors (the mean over the phase for ramps). */
  targetRate?: number
  achievedRate?: number
  iterations: number
  droppedIterations: number
  maxVUs?: number
}

export interface ScenarioRecord {
  name: string
  file?: string
  tags: string[]
  iterations: number
  passed: number
  failed: number
  /** Iterations that started in one phase and ended in the next. */
  straddling?: number
  /** On a paired run: the side these iterations ran against (each scenario is listed once per side). */
  side?: Side
}

export type SeriesSource = 'probe' | 'load' | 'service' | 'generator'
export type SeriesKind = 'histogram' | 'counter' | 'gauge'

/**
 * One measured quantity over time. `key` is stable across runs and is what
 * baselines index by: `source/name{tag=value,...}` with tags sorted.
 */
export interface SeriesRecord {
  key: string
  source: SeriesSource
  /**
   * k6's metric names for probe and load series (`http_req_duration`,
   * `iteration_duration`, `checks`, ...); the metric name for service series.
   */
  name: string
  kind: SeriesKind
  unit: string
  /** scenario, step (k6's `name` tag), status, phase-independent tags. */
  tags: Record<string, string>
  /** Only windows with data are present, in increasing `i`. */
  windows: SeriesWindow[]
  /** Whole-phase aggregates, by phase name (histograms are merged, counters summed). */
  phases: Record<string, PhaseAggregate>
}

export interface SeriesWindow {
  /** Window index. */
  i: number
  /** Values recorded (requests, iterations, samples). */
  count: number
  /** Failures by kind (`status_500`, `ECONNREFUSED`, `timeout`, `assertion`). */
  errors?: Record<string, number>
  /** Passed/failed iterations (probe iteration series). */
  passed?: number
  failed?: number
  /** Histogram series: quantiles in the series' unit, and the encoded histogram for merging. */
  p50?: number
  p95?: number
  p99?: number
  max?: number
  hist?: string
  /** Gauge series: the sampled value (the last of the window); min for heap-after-GC style judging. */
  value?: number
  min?: number
  /** Counter series: the increase during the window (resets survived). */
  delta?: number
  /**
   * Prometheus histogram series scraped from the service: per-window bucket
   * deltas as `[le, count]` pairs (cumulative, as Prometheus exposes them;
   * `le` of +Inf is written as `"+Inf"`), plus `sum` of the observed values.
   */
  buckets?: [number | '+Inf', number][]
  sum?: number
}

export interface PhaseAggregate {
  count: number
  errors?: Record<string, number>
  passed?: number
  failed?: number
  hist?: string
  p50?: number
  p95?: number
  p99?: number
  max?: number
  /** Gauges: first, last, min and max over the phase. */
  first?: number
  last?: number
  min?: number
  delta?: number
  buckets?: [number | '+Inf', number][]
  sum?: number
}

export type RunEventKind =
  | 'phase-start'
  | 'phase-end'
  | 'service-restart'
  | 'service-crash'
  | 'scrape-failed'
  | 'scrape-recovered'
  | 'generator-saturated'
  | 'interrupted'
  | 'note'

export interface RunEvent {
  atMs: number
  kind: RunEventKind
  message: string
  data?: Record<string, unknown>
}

/** Failures grouped by signature; the first and last few samples are kept, redacted. */
export interface FailureGroup {
  signature: FailureSignature
  count: number
  firstAtMs: number
  lastAtMs: number
  /** Phases in which failures of this signature happened, with counts. */
  byPhase: Record<string, number>
  samples: FailureSample[]
}

export interface FailureSignature {
  scenario: string
  step: string
  /** The assertion's short form (`toHaveStatus(200)`) or `error`. */
  assertion: string
  status?: number
  errorCode?: string
  /** On a paired run: the side that failed. */
  side?: Side
}

export interface FailureSample {
  atMs: number
  phase?: string
  message: string
  diff?: string
  request?: { method: string; url: string; headers: Record<string, string>; body?: string }
  response?: { status: number; headers: Record<string, string>; body?: string }
  curl?: string
  replay: { seed: string; scenario: string; iteration: number }
}

/** Builds a series key: `source/name{a=1,b=2}` with tags sorted, so it is stable across runs. */
export function seriesKey(source: SeriesSource, name: string, tags: Record<string, string> = {}): string {
  const t = Object.keys(tags)
    .sort()
    .map((k) => `${k}=${tags[k]}`)
    .join(',')
  return `${source}/${name}${t ? `{${t}}` : ''}`
}

/** The failure signature as one string, for grouping. */
export function signatureKey(s: FailureSignature): string {
  return [s.scenario, s.step, s.assertion, s.status ?? '', s.errorCode ?? '', s.side ?? ''].join('\u241f')
}
