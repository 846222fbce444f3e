/**
 * k6's metric names and types, and the series key steady uses for a metric
 * with tags: k6's own submetric notation, `http_req_duration{name:login,status:200}`.
 */

export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend'
type MetricContains = 'default' | 'time' | 'data'

export interface MetricInfo {
  type: MetricType
  contains: MetricContains
  /** False for metrics steady adds beside k6's built-ins. */
  k6: boolean
}

/** The built-in metrics the engines record (k6's names), plus steady's additions (`k6: false`). */
export const builtinMetrics: Record<string, MetricInfo> = {
  http_reqs: { type: 'counter', contains: 'default', k6: true },
  http_req_duration: { type: 'trend', contains: 'time', k6: true },
  http_req_blocked: { type: 'trend', contains: 'time', k6: true },
  http_req_connecting: { type: 'trend', contains: 'time', k6: true },
  http_req_tls_handshaking: { type: 'trend', contains: 'time', k6: true },
  http_req_sending: { type: 'trend', contains: 'time', k6: true },
  http_req_waiting: { type: 'trend', contains: 'time', k6: true },
  http_req_receiving: { type: 'trend', contains: 'time', k6: true },
  http_req_failed: { type: 'rate', contains: 'default', k6: true },
  iterations: { type: 'counter', contains: 'default', k6: true },
  iteration_duration: { type: 'trend', contains: 'time', k6: true },
  dropped_iterations: { type: 'counter', contains: 'default', k6: true },
  vus: { type: 'gauge', contains: 'default', k6: true },
  vus_max: { type: 'gauge', contains: 'default', k6: true },
  checks: { type: 'rate', contains: 'default', k6: true },
  data_sent: { type: 'counter', contains: 'data', k6: true },
  data_received: { type: 'counter', contains: 'data', k6: true },
  /** Iterations cut short by the end of a stage, gracefulStop, an abort or a signal. */
  interrupted_iterations: { type: 'counter', contains: 'default', k6: false },
  /** Requests that got no response, by `error` kind (ECONNREFUSED, timeout, ...). */
  http_req_errors: { type: 'counter', contains: 'default', k6: false },
}

/** `metric{k:v,...}` with tags sorted by key; just `metric` without tags. */
export function seriesKey(metric: string, tags: Readonly<Record<string, string>>): string {
  const keys = Object.keys(tags)
  if (keys.length === 0) return metric
  keys.sort()
  let s = metric + '{'
  for (let i = 0; i < keys.length; i++) s += (i ? ',' : '') + keys[i] + ':' + tags[keys[i]]
  return s + '}'
}

/** True when `tags` holds every tag of `filter` with the same value (k6's submetric selection). */
export function tagsMatch(tags: Readonly<Record<string, string>>, filter: Readonly<Record<string, string>>): boolean {
  for (const k in filter) if (tags[k] !== filter[k]) return false
  return true
}
