/**
 * Prometheus export through prom-client, on the instance's own `Registry`
 * (never the global one, so two instances or a test never collide):
 * durations as histograms with buckets that fit minutes to days, rates and
 * counts as counters, the last observation of each indicator as gauges (its
 * value and its own timestamp, which the Prometheus store reads back), and
 * health states as enum-style gauges. One metric family per unit: a family
 * never mixes seconds with ratios or events per day. prom-client cannot
 * backdate samples, so history and judgement stay in the library; Prometheus
 * gets current values.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { splitUrlCredentials } from '@steady/kernel'
import { msPerUnit } from '../define.ts'
import { ProcessHealthError } from '../errors.ts'
import type { ProcessHealth } from '../judge/index.ts'
import { parseDurationMs } from '../time.ts'
import type { HealthState, IndicatorDefinition, Observation, ProcessDefinition } from '../types.ts'
import { boundedLabels, groupingPath } from './labels.ts'

/**
 * Default buckets for duration histograms, in seconds: 1 s to 1 week, so CI
 * cycle times (minutes) and lead times (hours, days) both land in buckets
 * (prom-client's default tops out at 10 s).
 */
const durationBuckets: readonly number[] = [
  1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400, 259_200, 604_800,
]

const states: readonly HealthState[] = ['healthy', 'degraded', 'unknown']

/** The tiers a tier gauge resets to 0 besides the current one (DORA's four). */
const knownTiers: readonly string[] = ['elite', 'high', 'medium', 'low']

const day = 86_400_000

/**
 * The unit suffix of an indicator's metric families: `seconds` for durations,
 * `ratio` for rates; for counts `events` (one observation) and `per_day` (a
 * level: the mean count per period, scaled to a day).
 */
export function unitSuffix(
  indicator: IndicatorDefinition,
  what: 'observation' | 'level',
): 'seconds' | 'ratio' | 'events' | 'per_day' {
  if (indicator.kind === 'duration') return 'seconds'
  if (indicator.kind === 'rate') return 'ratio'
  return what === 'observation' ? 'events' : 'per_day'
}

/** A judged level (current or baseline statistic) in its family's unit: seconds, ratio, or events per day. */
function levelValue(indicator: IndicatorDefinition, value: number): number {
  if (indicator.kind === 'count') return (value * day) / parseDurationMs(indicator.per ?? '1d', `${indicator.name}.per`)
  return baseValue(indicator, value)
}

/** Finds a process's indicator among `processes`, or throws: without it the unit, hence the metric name, is unknown. */
export function indicatorFor(
  processes: readonly ProcessDefinition[] | undefined,
  o: Pick<Observation, 'process' | 'indicator'>,
): IndicatorDefinition {
  const indicator = processes?.find((p) => p.name === o.process)?.indicators.find((i) => i.name === o.indicator)
  if (!indicator) {
    throw new ProcessHealthError(
      'STEADY_HEALTH_UNKNOWN_INDICATOR',
      `no declared indicator ${o.process}.${o.indicator} to export`,
      {
        hint: 'pass the process definitions (processes: [...]): the indicator picks the family (seconds, ratio, …)',
        details: { process: o.process, indicator: o.indicator },
      },
    )
  }
  return indicator
}

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
  /**
   * Branch names kept as they are in the `branch` label; `release/…` and
   * `releases/…` become `release/*` and every other branch `other`, so a
   * branch per PR never makes a series per PR. Default `main`, `master`,
   * `develop`, `trunk`.
   */
  keepBranches?: readonly string[]
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
 * The metrics of a set of processes, on one registry; every family holds one
 * unit (see docs/process-health.md, "Prometheus metric names"):
 *
 * - `<prefix>process_duration_seconds` histogram {process, indicator, ...labels}
 * - `<prefix>process_events_total` counter: observations (trials for rates, events for counts)
 * - `<prefix>process_hits_total` counter: for rates, the weighted sum of outcomes (successes, flaky runs)
 * - `<prefix>process_observation_seconds` / `_ratio` / `_events` gauges: the last observation of a
 *   duration, rate or count indicator; `_timestamp_seconds` its own time, `_weight` its trials
 * - `<prefix>process_health_state` {process, state} and
 *   `<prefix>process_indicator_health_state` {process, indicator, state}:
 *   1 for the current state, 0 for the others
 * - `<prefix>process_indicator_current_seconds` / `_ratio` / `_per_day` and `<prefix>process_indicator_baseline_…`:
 *   the recent statistic judged and its baseline; `<prefix>process_slo_burn_rate`
 * - `<prefix>process_indicator_tier` {process, indicator, tier}: 1 for the current tier (DORA's), 0 for the others
 */
export class HealthMetrics {
  /** The registry the metrics live on. Serve `await registry.metrics()` with `registry.contentType`. */
  readonly registry: Registry
  private readonly processes: readonly ProcessDefinition[]
  private readonly labelNames: readonly string[]
  private readonly keepBranches: readonly string[] | undefined
  private readonly durations: Histogram<string>
  private readonly events: Counter<string>
  private readonly hits: Counter<string>
  private readonly lastValue: Record<'seconds' | 'ratio' | 'events', Gauge<string>>
  private readonly lastTimestamp: Gauge<string>
  private readonly lastWeight: Gauge<string>
  private readonly processState: Gauge<string>
  private readonly indicatorState: Gauge<string>
  private readonly current: Record<'seconds' | 'ratio' | 'per_day', Gauge<string>>
  private readonly baseline: Record<'seconds' | 'ratio' | 'per_day', Gauge<string>>
  private readonly burnRate: Gauge<string>
  private readonly tier: Gauge<string>

  constructor(options: HealthMetricsOptions) {
    this.registry = options.registry ?? new Registry()
    this.processes = options.processes
    this.keepBranches = options.keepBranches
    const prefix = options.prefix ?? 'steady_'
    const extra = new Set<string>(options.labelNames ?? [])
    for (const p of options.processes) for (const i of p.indicators) for (const l of i.labels ?? []) extra.add(l)
    this.labelNames = [...extra].sort()
    const obsLabels = ['process', 'indicator', ...this.labelNames]
    const registers = [this.registry]
    const gauge = (name: string, help: string, labelNames: string[]) =>
      new Gauge({ name: `${prefix}${name}`, help, labelNames, registers })
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
    this.lastValue = observationGauges(gauge, obsLabels)
    this.lastTimestamp = gauge(
      'process_observation_timestamp_seconds',
      'When the last observation of each indicator happened (its own time, Unix seconds).',
      obsLabels,
    )
    this.lastWeight = gauge(
      'process_observation_weight',
      'The weight (trials) of the last observation of each indicator.',
      obsLabels,
    )
    this.processState = gauge(
      'process_health_state',
      'Process health: 1 for the current state (healthy, degraded, unknown), 0 for the others.',
      ['process', 'state'],
    )
    this.indicatorState = gauge(
      'process_indicator_health_state',
      'Indicator health: 1 for the current state (healthy, degraded, unknown), 0 for the others.',
      ['process', 'indicator', 'state'],
    )
    const level = (which: 'current' | 'baseline', what: string) => ({
      seconds: gauge(
        `process_indicator_${which}_seconds`,
        `${what} of a duration indicator (the median), in seconds.`,
        ['process', 'indicator'],
      ),
      ratio: gauge(`process_indicator_${which}_ratio`, `${what} of a rate indicator, 0..1.`, ['process', 'indicator']),
      per_day: gauge(`process_indicator_${which}_per_day`, `${what} of a count indicator, in events per day.`, [
        'process',
        'indicator',
      ]),
    })
    this.current = level('current', 'The recent statistic judged')
    this.baseline = level('baseline', 'The baseline the recent statistic is judged against')
    this.burnRate = gauge(
      'process_slo_burn_rate',
      'Error-budget burn rate over the recent window, for indicators with an SLO.',
      ['process', 'indicator'],
    )
    this.tier = gauge(
      'process_indicator_tier',
      "An indicator's tier (DORA's elite, high, medium, low): 1 for the current tier, 0 for the others.",
      ['process', 'indicator', 'tier'],
    )
  }

  /** The label names observations carry into metrics besides process and indicator. */
  get observationLabelNames(): readonly string[] {
    return this.labelNames
  }

  /** Adds observations: histogram or counters, and the last-observation gauges. */
  observe(observations: Observation | readonly Observation[]): void {
    const list = Array.isArray(observations) ? (observations as readonly Observation[]) : [observations as Observation]
    for (const o of list) {
      const indicator = indicatorFor(this.processes, o)
      const labels: Record<string, string> = { process: o.process, indicator: o.indicator }
      // Only declared label names reach Prometheus; any other label stays in the store.
      const bounded = boundedLabels(o.labels ?? {}, this.keepBranches)
      for (const name of this.labelNames) if (bounded[name] !== undefined) labels[name] = bounded[name]
      const weight = o.weight ?? 1
      const value = baseValue(indicator, o.value)
      if (indicator.kind === 'duration') {
        this.durations.observe(labels, value)
        this.events.inc(labels, 1)
      } else if (indicator.kind === 'rate') {
        this.events.inc(labels, weight)
        this.hits.inc(labels, o.value * weight)
      } else {
        this.events.inc(labels, o.value)
      }
      this.lastValue[unitSuffix(indicator, 'observation') as 'seconds' | 'ratio' | 'events'].set(labels, value)
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
        if (indicator) {
          const unit = unitSuffix(indicator, 'level') as 'seconds' | 'ratio' | 'per_day'
          if (i.current !== undefined) this.current[unit].set(labels, levelValue(indicator, i.current))
          if (i.baseline !== undefined) this.baseline[unit].set(labels, levelValue(indicator, i.baseline))
        }
        const slo = i.checks.find((c) => c.name === 'slo')
        if (slo && slo.numbers.burnRate !== undefined) this.burnRate.set(labels, slo.numbers.burnRate)
        if (i.tier) {
          for (const t of new Set([...knownTiers, i.tier.tier]))
            this.tier.set({ ...labels, tier: t }, t === i.tier.tier ? 1 : 0)
        }
      }
    }
  }

  /** The exposition text (Prometheus text format). */
  metrics(): Promise<string> {
    return this.registry.metrics()
  }
}

type GaugeMaker = (name: string, help: string, labelNames: string[]) => Gauge<string>

/** The last-observation gauges, one family per unit. */
export function observationGauges(
  gauge: GaugeMaker,
  labelNames: string[],
): Record<'seconds' | 'ratio' | 'events', Gauge<string>> {
  return {
    seconds: gauge(
      'process_observation_seconds',
      'The last observation of each duration indicator, in seconds.',
      labelNames,
    ),
    ratio: gauge('process_observation_ratio', 'The last observation of each rate indicator, 0..1.', labelNames),
    events: gauge('process_observation_events', 'The last observation of each count indicator, in events.', labelNames),
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
 * Pushes a registry to a Prometheus Pushgateway: the way a batch job such as
 * a CI step hands its metrics to Prometheus. Pushed series stay until
 * deleted, which suits one-shot steps. The grouping key goes in the URL path
 * as the Pushgateway requires: a value with a `/` (a branch `release/1.2`)
 * or an empty one as `name@base64/<base64url>`, others URI-encoded
 * (prom-client's own `Pushgateway` URI-encodes a `/`, which the Pushgateway
 * reads as a path separator and refuses).
 */
export async function pushMetrics(registry: Registry, options: PushOptions): Promise<void> {
  const path = groupingPath(options.jobName ?? 'steady_health', options.groupings ?? {})
  const { url: base, shown, authorization } = splitUrlCredentials(options.url)
  const url = `${base.replace(/\/+$/, '')}/metrics${path}`
  const failed = (
    why: string,
    cause?: unknown,
    hint = 'check the Pushgateway URL and that it is up (curl <url>/-/ready)',
  ) =>
    new ProcessHealthError('STEADY_HEALTH_PUSH_FAILED', `push to Pushgateway ${shown} failed: ${why}`, {
      hint,
      cause,
      details: { url: shown, path },
    })
  let response: Response
  try {
    response = await fetch(url, {
      method: options.method === 'push' ? 'PUT' : 'POST',
      headers: { 'content-type': registry.contentType, ...(authorization ? { authorization } : {}) },
      body: await registry.metrics(),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    })
  } catch (error) {
    throw failed((error as Error).message, error)
  }
  if (response.status >= 300) {
    const text = (await response.text()).slice(0, 300).trim()
    throw failed(
      `HTTP ${response.status} ${text}`,
      undefined,
      'the Pushgateway refused the metrics; its message above says which label or sample',
    )
  }
  await response.body?.cancel()
}
