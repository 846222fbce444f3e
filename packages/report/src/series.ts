/**
 * Finds the report's parts in a run record's series, by source, kind and
 * k6's metric names, without depending on one producer's exact choices:
 * probe steps (histograms tagged with a scenario and a step), probe iteration
 * outcomes, load traffic, the service's indicators and the load generator's
 * own health.
 */
import {
  LatencyHistogram,
  type PhaseAggregate,
  type RunRecord,
  type SeriesRecord,
  type SeriesWindow,
} from '@steady/record'
import { bucketQuantile } from './stats.ts'
import type { DisplayUnit } from './format.ts'

/** Quantiles of one step or scenario over some stretch of the run (ms). */
export interface Quantiles {
  count: number
  errors: number
  errorKinds: Record<string, number>
  p50?: number
  p95?: number
  p99?: number
}

/** A step of a scenario, as the probe loop measured it. */
export interface StepSeries {
  scenario: string
  step: string
  series: SeriesRecord
  /** The whole run. */
  total: Quantiles
  /** By phase name. */
  byPhase: Record<string, Quantiles>
  /** In a paired run: the same step on the control side (this one is the candidate's). */
  control?: StepSeries
}

/** One service indicator, converted to a display unit. */
export interface Indicator {
  series: SeriesRecord
  label: string
  unit: DisplayUnit
  /** Multiplies raw values into the display unit (seconds → ms). */
  factor: number
  /** A short name for legends (the known name, or the metric's). */
  short: string
  /** What is drawn per window. */
  how: 'gauge' | 'rate' | 'buckets' | 'quantile'
  /** For `quantile`: which of the window's quantiles is drawn. */
  quantile?: 'p95' | 'p99'
  /** For leak-style judging the per-window minimum matters (heap after GC). */
  useMin: boolean
  /** In a paired run: the same indicator's series on the control side (this one is the candidate's). */
  control?: SeriesRecord
}

/** A side's probe series by scenario: iteration outcomes (`passed`/`failed` per window) and durations. */
interface ProbeSeries {
  outcomes: Map<string, SeriesRecord>
  iterationDurations: Map<string, SeriesRecord>
}

export interface ClassifiedSeries extends ProbeSeries {
  /** Steps (on a paired run, the candidate's, each with its control). */
  steps: StepSeries[]
  /** On a paired run: the control's probe series (`outcomes` and `iterationDurations` are the candidate's). */
  control?: ProbeSeries
  load: SeriesRecord[]
  indicators: Indicator[]
  generator: Indicator[]
}

const stepTag = (s: SeriesRecord) => s.tags.step ?? s.tags.name

/** A paired run tags every series with its side; unpaired series have none. */
const isControl = (s: SeriesRecord) => s.tags.side === 'control'

/** What names a series apart from its side: equal for the candidate's and the control's series of one thing. */
function pairKey(s: SeriesRecord): string {
  const tags = Object.entries(s.tags)
    .filter(([k]) => k !== 'side')
    .sort((a, b) => a[0].localeCompare(b[0]))
  return JSON.stringify([s.source, s.name, tags])
}

/** Sorts series into the report's parts. */
export function classify(record: RunRecord): ClassifiedSeries {
  const steps = new Map<string, SeriesRecord>()
  const controlSteps = new Map<string, SeriesRecord>()
  const controlIndicators = new Map<string, SeriesRecord>()
  const paired = record.paired !== undefined
  const probes: ProbeSeries = { outcomes: new Map(), iterationDurations: new Map() }
  const controlProbes: ProbeSeries = { outcomes: new Map(), iterationDurations: new Map() }
  const load: SeriesRecord[] = []
  const indicators: Indicator[] = []
  const generator: Indicator[] = []
  const serviceBuckets = new Map<string, SeriesRecord[]>()
  const scenarioOrder = new Map(record.scenarios.map((s, i) => [s.name, i]))
  const rank = (name: string) => scenarioOrder.get(name) ?? scenarioOrder.size
  for (const s of record.series) {
    if (s.source === 'probe') {
      const step = stepTag(s)
      if (s.kind === 'histogram' && step !== undefined) {
        const key = JSON.stringify([s.tags.scenario ?? '', step])
        // A paired run's control side is drawn beside its candidate, not as a step of its own.
        const into = isControl(s) ? controlSteps : steps
        const have = into.get(key)
        // One line per step: http_req_duration when there are several timings of it.
        if (!have || (have.name !== 'http_req_duration' && s.name === 'http_req_duration')) into.set(key, s)
      } else if (s.kind === 'histogram' && s.name === 'iteration_duration') {
        ;(isControl(s) ? controlProbes : probes).iterationDurations.set(s.tags.scenario ?? '', s)
      } else if (s.kind === 'counter' && s.windows.some((w) => w.passed !== undefined || w.failed !== undefined)) {
        ;(isControl(s) ? controlProbes : probes).outcomes.set(s.tags.scenario ?? '', s)
      }
    } else if (s.source === 'load') {
      load.push(s)
    } else if (s.source === 'service') {
      if (s.windows.some((w) => w.buckets)) {
        // One service-side latency line per histogram and service: routes, methods and statuses together.
        const group = JSON.stringify([s.name, s.tags.service ?? '', s.tags.side ?? ''])
        const list = serviceBuckets.get(group) ?? []
        list.push(s)
        serviceBuckets.set(group, list)
      } else if (isControl(s)) {
        controlIndicators.set(pairKey(s), s)
      } else {
        indicators.push(indicatorOf(s, paired))
      }
    } else if (s.source === 'generator') {
      generator.push(indicatorOf(s))
    }
  }
  for (const list of serviceBuckets.values()) {
    const merged = mergedBuckets(list)
    if (isControl(merged.series)) controlIndicators.set(pairKey(merged.series), merged.series)
    else indicators.push(merged)
  }
  for (const ind of indicators) ind.control = controlIndicators.get(pairKey(ind.series))
  const order = (i: Indicator) =>
    heapUsed.test(i.series.name) ? 0 : /resident|rss/.test(i.series.name) ? 1 : i.how === 'buckets' ? 2 : 3
  indicators.sort((a, b) => order(a) - order(b) || a.label.localeCompare(b.label))
  return {
    // Scenarios in the record's order; steps by name within a scenario (the record does not keep their order).
    steps: [...steps.entries()]
      .map(([key, s]) => {
        const control = controlSteps.get(key)
        return { ...stepSeries(record, s), ...(control ? { control: stepSeries(record, control) } : {}) }
      })
      .sort(
        (a, b) =>
          rank(a.scenario) - rank(b.scenario) || a.scenario.localeCompare(b.scenario) || a.step.localeCompare(b.step),
      ),
    ...probes,
    ...(paired ? { control: controlProbes } : {}),
    load,
    indicators,
    generator,
  }
}

function tagText(tags: Record<string, string>, skip: string[] = []): string {
  const parts = Object.entries(tags)
    .filter(([k]) => !skip.includes(k))
    .map(([k, v]) => `${k}=${v}`)
  return parts.length ? ` {${parts.join(', ')}}` : ''
}

/** Names people know for the usual indicators (prom-client, client_golang, /proc, the load generator). */
const knownNames: Record<string, string> = {
  nodejs_heap_size_used_bytes: 'Heap used',
  nodejs_heap_size_total_bytes: 'Heap size',
  nodejs_external_memory_bytes: 'External memory',
  process_resident_memory_bytes: 'Resident memory (RSS)',
  process_cpu_seconds_total: 'CPU',
  process_open_fds: 'Open file descriptors',
  nodejs_eventloop_lag_seconds: 'Event-loop lag',
  nodejs_eventloop_lag_p99_seconds: 'Event-loop lag p99',
  nodejs_active_handles_total: 'Active handles',
  nodejs_active_requests_total: 'Active requests',
  go_memstats_heap_inuse_bytes: 'Heap in use',
  go_goroutines: 'Goroutines',
  event_loop_utilization: 'Event-loop utilisation',
  event_loop_utilisation: 'Event-loop utilisation',
  event_loop_lag: 'Event-loop lag',
  start_lateness: 'Iteration start lateness',
  event_loop_lag_p99: 'Event-loop lag p99',
  saturated: 'Saturated',
  proc_cpu_seconds: 'CPU (from /proc)',
  proc_open_fds: 'Open file descriptors (from /proc)',
  proc_resident_memory_bytes: 'Resident memory (from /proc)',
  http_requests_in_flight: 'Requests in flight',
  rss_bytes: 'Resident memory (RSS)',
  cpu_seconds: 'CPU',
  open_fds: 'Open file descriptors',
}

function labelOf(s: SeriesRecord, skip: string[]): string {
  const tags = tagText(s.tags, skip)
  const known = knownNames[s.name]
  return known ? `${known}${tags} · ${s.name}` : `${s.name}${tags}`
}

/** Heap used is judged by its per-window minimum (the heap after garbage collection). */
const heapUsed = /heap.*(used|inuse)|heap_?used/i

/** An indicator; `paired`: one chart draws both sides, so the side is not part of its name. */
function indicatorOf(s: SeriesRecord, paired = false): Indicator {
  const unit = s.unit.toLowerCase()
  const skip = paired ? ['service', 'side'] : ['service']
  const label = labelOf(s, skip)
  const short = `${knownNames[s.name] ?? s.name}${tagText(s.tags, skip)}`
  if (s.kind === 'counter') {
    // A counter's increase per second: CPU seconds per second is a share of one core.
    if (unit === 'seconds' || unit === 's')
      return {
        series: s,
        short,
        label: `${label} (share of one core)`,
        unit: 'ratio',
        factor: 1,
        how: 'rate',
        useMin: false,
      }
    return { series: s, short, label: `${label} (per second)`, unit: 'rate', factor: 1, how: 'rate', useMin: false }
  }
  if (s.kind === 'histogram') {
    // The generator's limit is on p99 lateness; a service's own timings are read at p95.
    const quantile = s.source === 'generator' ? 'p99' : 'p95'
    return {
      series: s,
      short: `${short} ${quantile}`,
      label: `${label} ${quantile}`,
      unit: unit === 'seconds' || unit === 's' ? 'ms' : unit === 'ms' ? 'ms' : 'count',
      factor: unit === 'seconds' || unit === 's' ? 1000 : 1,
      how: 'quantile',
      quantile,
      useMin: false,
    }
  }
  // A yes/no gauge reads as 0% or 100%: it shares the axis of utilisation.
  if (unit === 'bool')
    return {
      series: s,
      short: `${short} (100% = yes)`,
      label: `${label} (100% = yes)`,
      unit: 'ratio',
      factor: 1,
      how: 'gauge',
      useMin: false,
    }
  const useMin = heapUsed.test(s.name)
  if (unit === 'bytes' || unit === 'b')
    return { series: s, short, label, unit: 'bytes', factor: 1, how: 'gauge', useMin }
  if (unit === 'seconds' || unit === 's')
    return { series: s, short, label, unit: 'ms', factor: 1000, how: 'gauge', useMin }
  if (unit === 'ms') return { series: s, short, label, unit: 'ms', factor: 1, how: 'gauge', useMin }
  if (unit === 'ratio') return { series: s, short, label, unit: 'ratio', factor: 1, how: 'gauge', useMin }
  return { series: s, short, label, unit: 'count', factor: 1, how: 'gauge', useMin }
}

/** Several routes of one scraped histogram, merged per window: one service-side latency line. */
function mergedBuckets(list: SeriesRecord[]): Indicator {
  const first = list[0]
  // Cumulative counts add up per bound: the series of one histogram family share their bounds.
  const acc = new Map<number, { count: number; sum: number; le: Map<number, number> }>()
  for (const s of list) {
    for (const w of s.windows) {
      if (!w.buckets) continue
      let a = acc.get(w.i)
      if (!a) acc.set(w.i, (a = { count: 0, sum: 0, le: new Map() }))
      a.count += w.count
      a.sum += w.sum ?? 0
      for (const [le, n] of w.buckets) {
        const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : le
        a.le.set(bound, (a.le.get(bound) ?? 0) + n)
      }
    }
  }
  const windows: SeriesWindow[] = [...acc.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([i, a]) => ({
      i,
      count: a.count,
      sum: a.sum,
      buckets: [...a.le.entries()]
        .sort((x, y) => x[0] - y[0])
        .map(([le, n]): [number | '+Inf', number] => [le === Number.POSITIVE_INFINITY ? '+Inf' : le, n]),
    }))
  // The side stays: a paired run's two sides are merged apart and drawn together.
  const kept = ['service', 'side'].filter((k) => first.tags[k] !== undefined).map((k) => [k, first.tags[k]])
  const rest: Record<string, string> = list.length > 1 ? Object.fromEntries(kept) : first.tags
  const merged: SeriesRecord = {
    ...first,
    key: list.length > 1 ? `${first.source}/${first.name}${tagText(rest)} (${list.length} series)` : first.key,
    tags: rest,
    windows,
  }
  const unit = first.unit.toLowerCase()
  const factor = unit === 'seconds' || unit === 's' ? 1000 : 1
  const routes = list.length > 1 ? ` (${list.length} label sets together: routes, methods, statuses)` : ''
  return {
    series: merged,
    short: 'p95 (from buckets)',
    label:
      `Request duration p95, as the service reports it${tagText(rest, ['service', 'side'])} · ` + first.name + routes,
    unit: 'ms',
    factor,
    how: 'buckets',
    useMin: false,
  }
}

function errorsOf(e: Record<string, number> | undefined): number {
  let n = 0
  if (e) for (const v of Object.values(e)) n += v
  return n
}

function quantilesOf(parts: (SeriesWindow | PhaseAggregate)[]): Quantiles {
  const hists = parts.map((p) => p.hist).filter((h): h is string => Boolean(h))
  const errorKinds: Record<string, number> = {}
  let count = 0
  for (const p of parts) {
    count += p.count
    if (p.errors) for (const [k, v] of Object.entries(p.errors)) errorKinds[k] = (errorKinds[k] ?? 0) + v
  }
  const out: Quantiles = { count, errors: errorsOf(errorKinds), errorKinds }
  if (hists.length === 1 && parts.length === 1) {
    const p = parts[0]
    return { ...out, p50: p.p50, p95: p.p95, p99: p.p99 }
  }
  if (hists.length) {
    const h = LatencyHistogram.mergeAll(hists)
    if (h.count > 0) return { ...out, p50: h.quantile(0.5), p95: h.quantile(0.95), p99: h.quantile(0.99) }
  }
  return out
}

function stepSeries(record: RunRecord, s: SeriesRecord): StepSeries {
  const byPhase: Record<string, Quantiles> = {}
  for (const p of record.phases) {
    const agg = s.phases[p.name]
    if (agg) byPhase[p.name] = quantilesOf([agg])
  }
  const phaseAggs = Object.values(s.phases)
  const total = phaseAggs.length ? quantilesOf(phaseAggs) : quantilesOf(s.windows)
  return { scenario: s.tags.scenario ?? '', step: stepTag(s) ?? s.name, series: s, total, byPhase }
}

/** Number of windows the run spans. */
export function windowCount(record: RunRecord): number {
  let last = Math.ceil(record.durationMs / record.window.sizeMs)
  for (const s of record.series) {
    const w = s.windows[s.windows.length - 1]
    if (w) last = Math.max(last, w.i + 1)
  }
  return Math.max(1, last)
}

/** One value per window (null where the window has none). */
export function perWindow(
  s: SeriesRecord,
  n: number,
  pick: (w: SeriesWindow) => number | undefined,
): (number | null)[] {
  const out = new Array<number | null>(n).fill(null)
  for (const w of s.windows) {
    if (w.i >= n) continue
    const v = pick(w)
    if (v !== undefined && Number.isFinite(v)) out[w.i] = v
  }
  return out
}

/** Adds per-window values of several series (windows without data count as 0 when `zero`). */
export function sumPerWindow(
  list: SeriesRecord[],
  n: number,
  pick: (w: SeriesWindow) => number | undefined,
  zero = true,
): (number | null)[] {
  const out = new Array<number | null>(n).fill(zero ? 0 : null)
  for (const s of list) {
    for (const w of s.windows) {
      if (w.i >= n) continue
      const v = pick(w)
      if (v !== undefined && Number.isFinite(v)) out[w.i] = (out[w.i] ?? 0) + v
    }
  }
  return out
}

/** The value drawn for an indicator in one window, in its display unit. */
export function indicatorValue(ind: Indicator, w: SeriesWindow, windowSec: number, q = 0.95): number | undefined {
  if (ind.how === 'rate') return w.delta === undefined ? undefined : (w.delta * ind.factor) / windowSec
  if (ind.how === 'quantile') {
    const v = w[ind.quantile ?? 'p95']
    return v === undefined ? undefined : v * ind.factor
  }
  if (ind.how === 'buckets') {
    const v = w.buckets ? bucketQuantile(w.buckets, q) : undefined
    return v === undefined ? undefined : v * ind.factor
  }
  return w.value === undefined ? undefined : w.value * ind.factor
}

export { errorsOf }

/**
 * A series key (`service/nodejs_heap_size_used_bytes{service=store}`,
 * `probe/http_req_duration{name=login,scenario=checkout}`) as a reader names
 * it: `Heap used (service store)`, `checkout › login (probe requests)`. Keys
 * that do not parse are returned as they are.
 */
export function readableSeries(key: string): string {
  const m = /^([a-z]+)\/([^{]+)(?:\{(.*)\})?$/.exec(key)
  if (!m) return key
  const [, source, name, tagList] = m
  const tags: Record<string, string> = {}
  for (const part of (tagList ?? '').split(',')) {
    const eq = part.indexOf('=')
    if (eq > 0) tags[part.slice(0, eq).trim()] = part.slice(eq + 1).trim()
  }
  if (source === 'probe' || source === 'load') {
    const what =
      name === 'http_req_duration' ? 'requests' : name === 'iteration_duration' ? 'iterations' : name.replace(/_/g, ' ')
    const place = tags.scenario && tags.name ? `${tags.scenario} › ${tags.name}` : (tags.scenario ?? tags.name)
    if (tags.scenario === '*' || tags.name === '*' || tagList === '*') return `all ${source} ${what}`
    return place ? `${place} (${source} ${what})` : `${source} ${what}`
  }
  const known = knownNames[name]
  const rest = Object.entries(tags)
    .filter(([k]) => k !== 'service')
    .map(([k, v]) => `${k}=${v}`)
  const whose = source === 'generator' ? 'load generator' : tags.service ? `service ${tags.service}` : source
  return `${known ?? name.replace(/_/g, ' ')}${rest.length ? ` {${rest.join(', ')}}` : ''} (${whose})`
}
