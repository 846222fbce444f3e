/**
 * Prometheus export through prom-client, on the instance's own `Registry`
 * (never the global one, so two instances or a test never collide):
 * durations as histograms with buckets that fit minutes to days, rates and
 * counts as counters, the last observation of each indicator as gauges (its
 * value and its own timestamp, which the Prometheus store reads back), and
 * health states as enum-style gauges. prom-client cannot backdate samples, so
 * history and judgement stay in the library; Prometheus gets current values.
 */
import { Counter, Gauge, Histogram, Pushgateway, Registry } from 'prom-client'
import { msPerUnit } from '../define.ts'
import { ProcessHealthError } from '../errors.ts'
import type { ProcessHealth } from '../judge.ts'
import type { HealthState, IndicatorDefinition, Observation, ProcessDefinition } from '../types.ts'

/**
 * Default buckets for duration histograms, in seconds: 1 s to 1 week, so CI
 * cycle times (minutes) and lead times (hours, days) both land in buckets
 * (prom-client's default tops out at 10 s).
 */
export const durationBuckets: readonly number[] = [1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400, 259_200, 604_800]

const states: readonly HealthState[] = ['healthy', 'degraded', 'unknown']

/** Options of {@link HealthMetrics}. */
export interface HealthMetricsOptions {
  /** The processes observations belong to (their units and label names come from here). */
  processes: readonly ProcessDefinition[]
  /** The registry to register on. Default: a new `Registry` of its own. */
  registry?: Registry
  /** Metric name prefix. Default `steady_`. */
  prefix?: string
  /** Histogram buckets in seconds for duration indicators. Default {@link durationBuckets}. */
  buckets?: readonly number[]
  /** Extra label names observations may carry into metrics, besides the indicators' declared `labels`. */
  labelNames?: readonly string[]
}

/** The base-unit value of an observation: seconds for durations, the ratio for rates, the count for counts. */
export function baseValue(indicator: IndicatorDefinition | undefined, value: number): number {
  return indicator?.kind === 'duration' ? (value * msPerUnit[indicator.unit]) / 1000 : value
}

/** The inverse of {@link baseValue}. */
export function fromBaseValue(indicator: IndicatorDefinition | undefined, value: number): number {
  return indicator?.kind === 'duration' ? (value * 1000) / msPerUnit[indicator.unit] : value
}

/**
 * The metrics of a set of processes, on one registry:
 *
 * - `<prefix>process_duration_seconds` histogram {process, indicator, ...labels}
 * - `<prefix>process_events_total` counter: observations (trials for rates, events for counts)
 * - `<prefix>process_hits_total` counter: for rates, the weighted sum of outcomes (successes, flaky runs)
 * - `<prefix>process_observation_value` / `_timestamp_seconds` / `_weight` gauges: the last observation, at its own time
 * - `<prefix>process_health_state` {process, state} and `<prefix>process_indicator_health_state` {process, indicator, state}: 1 for the current state, 0 for the others
 * - `<prefix>process_indicator_current` / `_baseline` gauges (base units) and `<prefix>process_slo_burn_rate`
 */
export class HealthMetrics {
  /** The registry the metrics live on. Serve `await registry.metrics()` with `registry.contentType`. */
  readonly registry: Registry
  private readonly processes: readonly ProcessDefinition[]
  private readonly labelNames: readonly string[]
  private readonly durations: Histogram<string>
  private readonly events: Counter<string>
  private readonly hits: Counter<string>
  private readonly lastValue: Gauge<string>
  private readonly lastTimestamp: Gauge<string>
  private readonly lastWeight: Gauge<string>
  private readonly processState: Gauge<string>
  private readonly indicatorState: Gauge<string>
  private readonly current: Gauge<string>
  private readonly baseline: Gauge<string>
  private readonly burnRate: Gauge<string>

  constructor(options: HealthMetricsOptions) {
    this.registry = options.registry ?? new Registry()
    this.processes = options.processes
    const prefix = options.prefix ?? 'steady_'
    const extra = new Set<string>(options.labelNames ?? [])
    for (const p of options.processes) for (const i of p.indicators) for (const l of i.labels ?? []) extra.add(l)
    this.labelNames = [...extra].sort()
    const obsLabels = ['process', 'indicator', ...this.labelNames]
    const registers = [this.registry]
    this.durations = new Histogram({
      name: `${prefix}process_duration_seconds`,
      help: 'Durations observed by process indicators (cycle time, queue time, lead time), in seconds.',
      labelNames: obsLabels,
      buckets: [...(options.buckets ?? durationBuckets)],
      registers,
    })
    this.events = new Counter({
      name: `${prefix}process_events_total`,
      help: 'Events observed per indicator: observations of durations, trials of rates, counted events of counts.',
      labelNames: obsLabels,
      registers,
    })
    this.hits = new Counter({
      name: `${prefix}process_hits_total`,
      help: 'For rate indicators, the weighted sum of outcomes (successes, flaky runs); the rate is hits/events.',
      labelNames: obsLabels,
      registers,
    })
    this.lastValue = new Gauge({
      name: `${prefix}process_observation_value`,
      help: 'The last observation of each indicator, in base units (seconds, ratio, count).',
      labelNames: obsLabels,
      registers,
    })
    this.lastTimestamp = new Gauge({
      name: `${prefix}process_observation_timestamp_seconds`,
      help: 'When the last observation of each indicator happened (its own time, Unix seconds).',
      labelNames: obsLabels,
      registers,
    })
    this.lastWeight = new Gauge({
      name: `${prefix}process_observation_weight`,
      help: 'The weight (trials) of the last observation of each indicator.',
      labelNames: obsLabels,
      registers,
    })
    this.processState = new Gauge({
      name: `${prefix}process_health_state`,
      help: 'Process health: 1 for the current state (healthy, degraded, unknown), 0 for the others.',
      labelNames: ['process', 'state'],
      registers,
    })
    this.indicatorState = new Gauge({
      name: `${prefix}process_indicator_health_state`,
      help: 'Indicator health: 1 for the current state (healthy, degraded, unknown), 0 for the others.',
      labelNames: ['process', 'indicator', 'state'],
      registers,
    })
    this.current = new Gauge({
      name: `${prefix}process_indicator_current`,
      help: 'The recent statistic judged (median duration in seconds, rate, mean count per period).',
      labelNames: ['process', 'indicator'],
      registers,
    })
    this.baseline = new Gauge({
      name: `${prefix}process_indicator_baseline`,
      help: 'The baseline the recent statistic is judged against, in the same units.',
      labelNames: ['process', 'indicator'],
      registers,
    })
    this.burnRate = new Gauge({
      name: `${prefix}process_slo_burn_rate`,
      help: 'Error-budget burn rate over the recent window, for indicators with an SLO.',
      labelNames: ['process', 'indicator'],
      registers,
    })
  }

  /** The label names observations carry into metrics besides process and indicator. */
  get observationLabelNames(): readonly string[] {
    return this.labelNames
  }

  /** Adds observations: histogram or counters, and the last-observation gauges. */
  observe(observations: Observation | readonly Observation[]): void {
    const list = Array.isArray(observations) ? (observations as readonly Observation[]) : [observations as Observation]
    for (const o of list) {
      const indicator = this.processes.find((p) => p.name === o.process)?.indicators.find((i) => i.name === o.indicator)
      const labels: Record<string, string> = { process: o.process, indicator: o.indicator }
      // Only declared label names reach Prometheus; any other label stays in the store.
      for (const name of this.labelNames) if (o.labels?.[name] !== undefined) labels[name] = o.labels[name]
      const weight = o.weight ?? 1
      const value = baseValue(indicator, o.value)
      if (indicator?.kind === 'duration') {
        this.durations.observe(labels, value)
        this.events.inc(labels, 1)
      } else if (indicator?.kind === 'rate') {
        this.events.inc(labels, weight)
        this.hits.inc(labels, o.value * weight)
      } else {
        this.events.inc(labels, o.value)
      }
      this.lastValue.set(labels, value)
      this.lastTimestamp.set(labels, o.at / 1000)
      this.lastWeight.set(labels, weight)
    }
  }

  /** Sets the health gauges from judged processes (from {@link checkHealth} or {@link judgeProcess}). */
  setHealth(processes: readonly ProcessHealth[]): void {
    for (const p of processes) {
      for (const s of states) this.processState.set({ process: p.process, state: s }, p.state === s ? 1 : 0)
      const definition = this.processes.find((d) => d.name === p.process)
      for (const i of p.indicators) {
        const labels = { process: p.process, indicator: i.indicator }
        for (const s of states) this.indicatorState.set({ ...labels, state: s }, i.state === s ? 1 : 0)
        const indicator = definition?.indicators.find((d) => d.name === i.indicator)
        if (i.current !== undefined) this.current.set(labels, baseValue(indicator, i.current))
        if (i.baseline !== undefined) this.baseline.set(labels, baseValue(indicator, i.baseline))
        const slo = i.checks.find((c) => c.name === 'slo')
        if (slo && slo.numbers.burnRate !== undefined) this.burnRate.set(labels, slo.numbers.burnRate)
      }
    }
  }

  /** The exposition text (Prometheus text format). */
  metrics(): Promise<string> {
    return this.registry.metrics()
  }
}

/** Options of {@link pushMetrics}. */
export interface PushOptions {
  /** The Pushgateway's base URL, e.g. `http://pushgateway:9091`. */
  url: string
  /** The `job` grouping label. Default `steady_health`. */
  jobName?: string
  /** More grouping labels (low-cardinality, like the metrics' own labels). */
  groupings?: Record<string, string>
  /**
   * `pushAdd` (POST) replaces only the metrics of the same names in the group;
   * `push` (PUT) replaces the whole group. Default `pushAdd`.
   */
  method?: 'push' | 'pushAdd'
  /** Request timeout in ms. Default 10 000. */
  timeoutMs?: number
}

/**
 * Pushes a registry to a Prometheus Pushgateway with prom-client's
 * `Pushgateway`: the way a batch job such as a CI step hands its metrics to
 * Prometheus. Pushed series stay until deleted, which suits one-shot steps.
 */
export async function pushMetrics(registry: Registry, options: PushOptions): Promise<void> {
  const gateway = new Pushgateway(options.url, { timeout: options.timeoutMs ?? 10_000 }, registry)
  const params = { jobName: options.jobName ?? 'steady_health', groupings: options.groupings }
  try {
    if (options.method === 'push') await gateway.push(params)
    else await gateway.pushAdd(params)
  } catch (error) {
    throw new ProcessHealthError('STEADY_HEALTH_PUSH_FAILED', `push to Pushgateway ${options.url} failed: ${(error as Error).message}`, {
      hint: 'check the Pushgateway URL and that it is up (curl <url>/-/ready)',
      cause: error,
      details: { url: options.url },
    })
  }
}
