/**
 * A store backed by Prometheus, for teams whose CI pushes to a Pushgateway
 * (or remote-writes): appends push the observation's gauges (its value, its
 * own timestamp, its weight) to the Pushgateway, one group per process,
 * indicator and label set; reads ask Prometheus for those gauges with
 * `query_range` and turn each distinct observation timestamp back into one
 * observation. Prometheus keeps what it scraped, so history survives fresh
 * CI clones; its resolution is the scrape interval (two observations of the
 * same series pushed within one scrape keep only the later one).
 */
import { Gauge, Registry } from 'prom-client'
import { maskUrlPassword, splitUrlCredentials } from '@steady/kernel'
import { ProcessHealthError } from '../errors.ts'
import { boundedLabels } from '../export/labels.ts'
import {
  baseValue,
  fromBaseValue,
  indicatorFor,
  observationGauges,
  pushMetrics,
  unitSuffix,
} from '../export/prometheus.ts'
import type { Observation, ProcessDefinition } from '../types.ts'
import type { HealthStore, HistoryQuery } from './types.ts'

/** Options of {@link PrometheusStore}. */
export interface PrometheusStoreOptions {
  /** Prometheus's base URL, e.g. `http://prometheus:9090`. */
  url: string
  /** The processes, to convert durations between their unit and seconds. */
  processes: readonly ProcessDefinition[]
  /** Where appends go. Without it the store is read-only. */
  pushgateway?: { url: string; jobName?: string }
  /** Metric name prefix, as the exporter's. Default `steady_`. */
  prefix?: string
  /** How far back a read reaches when the query has no `from` (ms). Default 35 days. */
  defaultRangeMs?: number
  /**
   * The query_range step (ms). Default 60 000. Keep it at most half the
   * scrape interval of the Pushgateway to see every scraped observation; two
   * observations of one series (process, indicator, labels) closer together
   * than the scrape interval read back as one. Long ranges are read in
   * chunks of 10 000 steps.
   */
  stepMs?: number
  /** Extra request headers (an Authorization header for a protected Prometheus). */
  headers?: Record<string, string>
  /** Request timeout (ms). Default 15 000. */
  timeoutMs?: number
  /** The reference for the default range. Default `Date.now`. */
  now?: () => number
}

interface RangeSeries {
  metric: Record<string, string>
  values: Array<[number, string]>
}

const dropLabels = new Set(['__name__', 'job', 'instance', 'exported_job', 'exported_instance', 'process', 'indicator'])

/** History in Prometheus; see the module comment. */
export class PrometheusStore implements HealthStore {
  readonly description: string
  private readonly options: PrometheusStoreOptions
  private readonly prefix: string

  /** The URL without user and password, as shown, and their Basic authorization (fetch refuses such a URL). */
  private readonly server: { url: string; shown: string; authorization?: string }

  constructor(options: PrometheusStoreOptions) {
    this.options = options
    this.prefix = options.prefix ?? 'steady_'
    this.server = splitUrlCredentials(options.url)
    this.description =
      `Prometheus at ${this.server.shown}` +
      `${options.pushgateway ? ` (appends pushed to ${maskUrlPassword(options.pushgateway.url)})` : ' (read-only)'}`
  }

  private indicator(process: string, name: string) {
    return this.options.processes.find((p) => p.name === process)?.indicators.find((i) => i.name === name)
  }

  async append(observations: Observation | readonly Observation[]): Promise<void> {
    const gateway = this.options.pushgateway
    if (!gateway) {
      throw new ProcessHealthError(
        'STEADY_HEALTH_STORE_READONLY',
        `the Prometheus store at ${this.server.shown} has no Pushgateway to append to`,
        {
          hint:
            'give it pushgateway: { url } (health.prometheus.pushgateway in steady.config.ts), ' +
            'or record to the file store',
        },
      )
    }
    const list = Array.isArray(observations) ? (observations as readonly Observation[]) : [observations as Observation]
    // Oldest first, so each group ends with its latest observation.
    for (const o of [...list].sort((a, b) => a.at - b.at)) {
      await pushObservation(o, {
        url: gateway.url,
        jobName: gateway.jobName,
        processes: this.options.processes,
        prefix: this.prefix,
      })
    }
  }

  async read(query: HistoryQuery): Promise<Observation[]> {
    const now = (this.options.now ?? Date.now)()
    const to = query.to ?? now
    const from = query.from ?? to - (this.options.defaultRangeMs ?? 35 * 86_400_000)
    if (to <= from) return []
    const key = (m: Record<string, string>) =>
      JSON.stringify(
        Object.entries(m)
          .filter(([k]) => k !== '__name__')
          .sort(([a], [b]) => a.localeCompare(b)),
      )
    const step = this.options.stepMs ?? 60_000
    const selector = `{process=${quote(query.process)}${query.indicator ? `,indicator=${quote(query.indicator)}` : ''}}`
    // Steps are aligned to `from`: one step past `to` so a sample scraped after the last step is seen
    // (observations are still filtered by their own time).
    const end = to + step
    const span = 10_000 * step // Prometheus answers at most 11 000 points per series and query
    const chunks = Math.ceil((end - from) / span)
    if (chunks > 100) {
      throw new ProcessHealthError(
        'STEADY_HEALTH_PROMETHEUS_QUERY',
        `reading ${Math.round((end - from) / 86_400_000)} days at a ${step / 1000}s step needs ${chunks} queries`,
        {
          hint: 'use a larger stepMs for the Prometheus store, or judge a shorter window',
          details: { url: this.server.shown, stepMs: step },
        },
      )
    }
    const series = async (suffix: string) => {
      const merged = new Map<string, RangeSeries>()
      for (let start = from; start < end; start += span) {
        for (const s of await this.queryRange(
          `${this.prefix}process_observation_${suffix}${selector}`,
          start,
          Math.min(end, start + span - step),
          step,
        )) {
          const k = key(s.metric)
          const into = merged.get(k)
          if (into) into.values.push(...s.values)
          else merged.set(k, { metric: s.metric, values: [...s.values] })
        }
      }
      return [...merged.values()]
    }
    // One value family per unit (seconds, ratio, events); a series is in exactly one of them.
    const [seconds, ratios, events, stamps, weights] = await Promise.all(
      ['seconds', 'ratio', 'events', 'timestamp_seconds', 'weight'].map(series),
    )
    const values = [...seconds, ...ratios, ...events]
    const valueBy = new Map(values.map((s) => [key(s.metric), new Map(s.values.map(([t, v]) => [t, Number(v)]))]))
    const weightBy = new Map(weights.map((s) => [key(s.metric), new Map(s.values.map(([t, v]) => [t, Number(v)]))]))
    const out: Observation[] = []
    const seen = new Set<string>()
    for (const series of stamps) {
      const k = key(series.metric)
      const process = series.metric.process
      const name = series.metric.indicator
      if (!process || !name) continue
      const indicator = this.indicator(process, name)
      const labels: Record<string, string> = {}
      for (const [l, v] of Object.entries(series.metric)) if (!dropLabels.has(l)) labels[l] = v
      for (const [t, stamp] of series.values) {
        const atMs = Math.round(Number(stamp) * 1000)
        const id = `${k}@${atMs}`
        if (seen.has(id) || !Number.isFinite(atMs)) continue
        const v = valueBy.get(k)?.get(t)
        if (v === undefined || !Number.isFinite(v)) continue
        if (atMs < from || atMs > to) continue
        seen.add(id)
        const o: Observation = { process, indicator: name, value: fromBaseValue(indicator, v), at: atMs }
        const w = weightBy.get(k)?.get(t)
        if (w !== undefined && w !== 1) o.weight = w
        if (Object.keys(labels).length) o.labels = labels
        out.push(o)
      }
    }
    return out.sort((a, b) => a.at - b.at)
  }

  private async queryRange(promql: string, from: number, to: number, stepMs: number): Promise<RangeSeries[]> {
    const url = new URL('/api/v1/query_range', this.server.url)
    url.searchParams.set('query', promql)
    url.searchParams.set('start', String(from / 1000))
    url.searchParams.set('end', String(to / 1000))
    url.searchParams.set('step', String(stepMs / 1000))
    let response: Response
    try {
      // An authorization header given in the options wins over the URL's user and password.
      const given = Object.keys(this.options.headers ?? {}).some((h) => h.toLowerCase() === 'authorization')
      const auth: Record<string, string> =
        this.server.authorization && !given ? { authorization: this.server.authorization } : {}
      response = await fetch(url, {
        headers: { ...auth, ...this.options.headers },
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
      })
    } catch (error) {
      throw new ProcessHealthError(
        'STEADY_HEALTH_PROMETHEUS_UNREACHABLE',
        `cannot reach Prometheus at ${this.server.shown}: ${(error as Error).message}`,
        {
          hint: 'check health.prometheus.url and that Prometheus is up (curl <url>/-/ready)',
          cause: error,
          details: { url: this.server.shown },
        },
      )
    }
    const text = await response.text()
    let body: { status?: string; error?: string; data?: { resultType?: string; result?: RangeSeries[] } }
    try {
      body = JSON.parse(text) as typeof body
    } catch {
      body = {}
    }
    if (!response.ok || body.status !== 'success' || body.data?.resultType !== 'matrix') {
      throw new ProcessHealthError(
        'STEADY_HEALTH_PROMETHEUS_QUERY',
        `Prometheus query_range ${promql} failed: HTTP ${response.status} ${body.error ?? text.slice(0, 200)}`,
        {
          hint: 'check the Prometheus URL and the metric prefix; the query must return a range vector',
          details: { url: this.server.shown, query: promql, status: response.status },
        },
      )
    }
    return body.data.result ?? []
  }
}

function quote(value: string): string {
  return JSON.stringify(value)
}

/** Options of {@link pushObservation}. */
export interface PushObservationOptions {
  /** The Pushgateway's base URL. */
  url: string
  /** The `job` grouping label. Default `steady_health`. */
  jobName?: string
  /** The processes: an indicator's kind picks its metric family and converts durations to seconds. */
  processes: readonly ProcessDefinition[]
  /** Metric name prefix. Default `steady_`. */
  prefix?: string
  /** Branch names exported as they are; as `boundedBranch` maps them. Default `main`, `master`, `develop`, `trunk`. */
  keepBranches?: readonly string[]
}

/**
 * Pushes one observation to a Pushgateway as the gauges
 * `<prefix>process_observation_seconds`, `_ratio` or `_events` (by the
 * indicator's kind), `_timestamp_seconds` (its own time) and `_weight`, in the
 * group {job, process, indicator, ...labels}, the `branch` label mapped to a
 * bounded set (`main`, `release/*`, `other`): each push replaces that series'
 * previous observation, and Prometheus scraping the Pushgateway keeps the
 * history that {@link PrometheusStore} reads.
 */
export async function pushObservation(o: Observation, options: PushObservationOptions): Promise<void> {
  const prefix = options.prefix ?? 'steady_'
  const indicator = indicatorFor(options.processes, o)
  const registry = new Registry()
  const labels: Record<string, string> = {
    ...boundedLabels(o.labels ?? {}, options.keepBranches),
    process: o.process,
    indicator: o.indicator,
  }
  const names = Object.keys(labels)
  const gauge = (name: string, help: string, labelNames: string[]) =>
    new Gauge({ name: `${prefix}${name}`, help, labelNames, registers: [registry] })
  const value = observationGauges(gauge, names)[unitSuffix(indicator, 'observation') as 'seconds' | 'ratio' | 'events']
  value.set(labels, baseValue(indicator, o.value))
  gauge(
    'process_observation_timestamp_seconds',
    'When the last observation of each indicator happened (its own time, Unix seconds).',
    names,
  ).set(labels, o.at / 1000)
  gauge('process_observation_weight', 'The weight (trials) of the last observation of each indicator.', names).set(
    labels,
    o.weight ?? 1,
  )
  // Only the families that have a sample: the other unit families stay out of this group.
  for (const name of ['seconds', 'ratio', 'events']) {
    if (name !== unitSuffix(indicator, 'observation'))
      registry.removeSingleMetric(`${prefix}process_observation_${name}`)
  }
  await pushMetrics(registry, {
    url: options.url,
    jobName: options.jobName ?? 'steady_health',
    groupings: labels,
    method: 'push',
  })
}
