/**
 * Reads series from a Prometheus server with PromQL, for services that steady
 * does not scrape directly (and for results that k6-operator runners
 * remote-write). A soak fills each window with `query_range` over the
 * window's span when it closes ({@link fillFromRange}), so every point sits in
 * the window of the time Prometheus evaluated it at, at the plan's scrape
 * interval; {@link sampleInstant} is the one-off instant query.
 */
import { splitUrlCredentials } from '@steady/kernel'
import { SteadyError, type SeriesAggregator } from '@steady/record'

export interface PromQuery {
  /** Series name in the record (`service/<name>`). */
  name: string
  /** The PromQL expression. */
  expr: string
  unit?: string
}

interface PromResponse {
  status: 'success' | 'error'
  error?: string
  errorType?: string
  data?: {
    resultType: 'vector' | 'matrix' | 'scalar'
    result: { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }[]
  }
}

async function call(
  base: string,
  path: string,
  params: Record<string, string>,
  signal?: AbortSignal,
): Promise<NonNullable<PromResponse['data']>> {
  // user:password@ in the URL: fetch refuses it, so it goes as Basic authorization, and messages mask it.
  const server = splitUrlCredentials(base)
  const url = new URL(path, server.url.endsWith('/') ? server.url : server.url + '/')
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v)
  let body: PromResponse
  try {
    const headers = server.authorization ? { authorization: server.authorization } : undefined
    const res = await fetch(url, { headers, signal: signal ?? AbortSignal.timeout(10_000) })
    body = (await res.json()) as PromResponse
  } catch (error) {
    throw new SteadyError(
      'STEADY_PROMETHEUS_UNREACHABLE',
      `Prometheus at ${server.shown} did not answer ${path}: ${(error as Error).message}`,
      {
        hint: 'check the prometheus URL in the soak plan and that the server is up',
        cause: error,
      },
    )
  }
  if (body.status !== 'success' || !body.data) {
    throw new SteadyError(
      'STEADY_PROMQL_INVALID',
      `Prometheus rejected ${params.query}: ${body.errorType ?? ''} ${body.error ?? ''}`.trim(),
      {
        hint: 'check the PromQL expression in the soak plan (try it in the Prometheus UI)',
      },
    )
  }
  return body.data
}

/** Runs an instant query and samples every returned series as a gauge. */
export async function sampleInstant(
  base: string,
  query: PromQuery,
  aggregator: SeriesAggregator,
  atMs: number,
  signal?: AbortSignal,
): Promise<number> {
  const data = await call(base, 'api/v1/query', { query: query.expr }, signal)
  let n = 0
  for (const r of data.result) {
    if (!r.value) continue
    const { __name__: _n, ...labels } = r.metric
    aggregator.gauge('service', query.name, { ...labels, promql: query.name }, Number(r.value[1]), {
      atMs,
      unit: query.unit ?? '',
    })
    n++
  }
  return n
}

export interface RangeSeries {
  labels: Record<string, string>
  /** [unix seconds, value] pairs. */
  values: [number, number][]
}

/** `query_range` over [start, end] with a step in seconds. */
export async function queryRange(
  base: string,
  expr: string,
  start: Date,
  end: Date,
  stepSeconds: number,
  signal?: AbortSignal,
): Promise<RangeSeries[]> {
  const data = await call(
    base,
    'api/v1/query_range',
    {
      query: expr,
      start: (start.getTime() / 1000).toFixed(3),
      end: (end.getTime() / 1000).toFixed(3),
      step: String(stepSeconds),
    },
    signal,
  )
  return data.result.map((r) => ({
    labels: r.metric,
    values: (r.values ?? []).map(([t, v]) => [t, Number(v)] as [number, number]),
  }))
}

/**
 * What {@link fillFromRange} reads: a span of the run's monotonic clock, and where that clock started on the
 * wall clock.
 */
export interface RangeFill {
  /** Start of the span, ms since the run started (inclusive). */
  fromMs: number
  /** End of the span, ms since the run started (exclusive). */
  toMs: number
  /** Wall-clock ms (Unix epoch) at which the run's monotonic clock was 0. */
  wallStartMs: number
  /** Step between evaluations, ms (the plan's scrape interval). */
  stepMs: number
  /** The phase a point at `atMs` belongs to (default: the aggregator's current phase). */
  phaseAt?: (atMs: number) => string
}

/**
 * Runs `query_range` over a span of the run and records every point as a gauge
 * sample at the time Prometheus evaluated it (`service/<query.name>`, one
 * series per returned label set). Resolves to the number of points recorded.
 */
export async function fillFromRange(
  base: string,
  query: PromQuery,
  aggregator: SeriesAggregator,
  span: RangeFill,
  signal?: AbortSignal,
): Promise<number> {
  // The end is exclusive: a point at the span's end belongs to the next span.
  const lastMs = span.toMs - 1
  if (lastMs < span.fromMs) return 0
  const series = await queryRange(
    base,
    query.expr,
    new Date(span.wallStartMs + span.fromMs),
    new Date(span.wallStartMs + lastMs),
    span.stepMs / 1000,
    signal,
  )
  let n = 0
  for (const s of series) {
    const { __name__: _n, ...labels } = s.labels
    for (const [t, v] of s.values) {
      // Whole ms, so a point evaluated at a window's start is not put a hair before it by float rounding.
      const atMs = Math.min(lastMs, Math.max(span.fromMs, Math.round(t * 1000) - span.wallStartMs))
      aggregator.gauge('service', query.name, { ...labels, promql: query.name }, v, {
        atMs,
        unit: query.unit ?? '',
        ...(span.phaseAt ? { phase: span.phaseAt(atMs) } : {}),
      })
      n++
    }
  }
  return n
}
