/**
 * Thresholds in k6's syntax: a key `metric` or `metric{tag:value,...}`, and
 * expressions `<aggregation> <operator> <value>`; evaluated over the whole
 * run, as k6 does (k6 has no windowed thresholds).
 */
import { SteadyError } from '@steady/record'
import { builtinMetrics, type MetricType } from './metrics/metrics.ts'
import { trendStat } from './metrics/histogram.ts'
import type { RunTotals } from './metrics/totals.ts'
import type { ResolvedThresholdItem } from './profile.ts'

type ThresholdOperator = '<' | '<=' | '>' | '>=' | '==' | '===' | '!='

/** A parsed expression such as `p(95)<500`. */
export interface ThresholdExpression {
  /** `count`, `rate`, `value`, `avg`, `min`, `max`, `med` or `p(N)`. */
  aggregation: string
  /** N of `p(N)`. */
  percentile?: number
  operator: ThresholdOperator
  value: number
}

/** A parsed threshold key. */
export interface ThresholdKey {
  metric: string
  tags: Record<string, string>
}

const aggregationsByType: Record<MetricType, string[]> = {
  counter: ['count', 'rate'],
  gauge: ['value'],
  rate: ['rate'],
  trend: ['avg', 'min', 'max', 'med', 'p(N)'],
}

const keyPattern = /^([A-Za-z_][A-Za-z0-9_]*)(?:\{(.*)\})?$/

/** Parses `http_req_duration{scenario:peak,status:200}` (k6 also writes `group:::name` for groups). */
export function parseThresholdKey(key: string, where = 'thresholds'): ThresholdKey {
  const m = keyPattern.exec(key.trim())
  if (!m) {
    throw new SteadyError(
      'STEADY_LOAD_THRESHOLD_INVALID',
      `${where}: "${key}" is not a metric name with optional {tag:value} filter`,
      {
        hint: "write 'http_req_duration' or 'http_req_duration{scenario:peak}'",
      },
    )
  }
  const tags: Record<string, string> = {}
  if (m[2] !== undefined) {
    for (const part of m[2].split(',')) {
      const colon = part.indexOf(':')
      if (colon <= 0) {
        throw new SteadyError(
          'STEADY_LOAD_THRESHOLD_INVALID',
          `${where}: "${key}" has a tag filter "${part}" without tag:value`,
          {
            hint: "write the filter as {tag:value}, e.g. 'http_req_duration{status:200}'",
          },
        )
      }
      tags[part.slice(0, colon).trim()] = part.slice(colon + 1).trim()
    }
  }
  return { metric: m[1], tags }
}

/** An aggregation (`p(95)`, `rate`...), an operator and a number, each captured. */
const exprPattern = new RegExp(
  [
    String.raw`^\s*(count|rate|value|avg|min|max|med|p\(\s*([0-9]+(?:\.[0-9]+)?)\s*\))`,
    String.raw`\s*(<=|>=|===|==|!=|<|>)`,
    String.raw`\s*(-?[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?)\s*$`,
  ].join(''),
)

/** Parses `p(95)<500`, `rate<0.01`, `count>=10`. A percentile outside 0–100 is an error, as in k6. */
export function parseThresholdExpression(text: string, where = 'thresholds'): ThresholdExpression {
  const m = exprPattern.exec(text)
  if (!m) {
    throw new SteadyError('STEADY_LOAD_THRESHOLD_INVALID', `${where}: "${text}" is not a threshold expression`, {
      hint: "write <aggregation> <operator> <value>, e.g. 'p(95)<500', 'rate<0.01', 'count>100'",
    })
  }
  const expr: ThresholdExpression = {
    aggregation: m[2] !== undefined ? 'p(N)' : m[1],
    operator: m[3] as ThresholdOperator,
    value: Number(m[4]),
  }
  if (m[2] !== undefined) {
    const p = Number(m[2])
    if (p < 0 || p > 100) {
      throw new SteadyError('STEADY_LOAD_THRESHOLD_INVALID', `${where}: "${text}" has a percentile outside 0–100`, {
        hint: 'use p(N) with 0 ≤ N ≤ 100',
      })
    }
    expr.percentile = p
  }
  return expr
}

/** The aggregation as written: `p(95)` rather than `p(N)`. */
const aggregationText = (expr: ThresholdExpression) =>
  expr.aggregation === 'p(N)' ? `p(${expr.percentile})` : expr.aggregation

/** Checks that `aggregation` suits the metric's type; unknown metric types pass (k6 custom metrics). */
function checkAggregation(
  metric: string,
  expr: ThresholdExpression,
  type: MetricType | undefined,
  where: string,
): void {
  if (!type) return
  if (!aggregationsByType[type].includes(expr.aggregation)) {
    throw new SteadyError(
      'STEADY_LOAD_THRESHOLD_INVALID',
      `${where}: ${metric} is a ${type}; "${aggregationText(expr)}" does not apply to it`,
      { hint: `a ${type} takes ${aggregationsByType[type].join(', ')}` },
    )
  }
}

/** A threshold ready to evaluate. */
export interface Threshold {
  /** The key as written: `http_req_duration{scenario:peak}`. */
  key: string
  metric: string
  tags: Record<string, string>
  /** The expression as written. */
  source: string
  expression: ThresholdExpression
  abortOnFail: boolean
  delayAbortEvalMs: number
}

/** Parses and checks every threshold of a profile; `types` adds metric types known beyond k6's built-ins. */
export function compileThresholds(
  raw: Record<string, readonly ResolvedThresholdItem[]>,
  where: string,
  types?: ReadonlyMap<string, MetricType>,
): Threshold[] {
  const out: Threshold[] = []
  for (const [key, items] of Object.entries(raw)) {
    const k = parseThresholdKey(key, `${where}.thresholds`)
    for (const item of items) {
      const w = `${where}.thresholds["${key}"]`
      const expression = parseThresholdExpression(item.threshold, w)
      checkAggregation(k.metric, expression, types?.get(k.metric) ?? builtinMetrics[k.metric]?.type, w)
      out.push({
        key,
        metric: k.metric,
        tags: k.tags,
        source: item.threshold,
        expression,
        abortOnFail: item.abortOnFail,
        delayAbortEvalMs: item.delayAbortEvalMs,
      })
    }
  }
  return out
}

/** One threshold's result. */
export interface ThresholdResult {
  key: string
  source: string
  ok: boolean
  /** The aggregated value the expression was evaluated on (ms for time trends). */
  actual: number
  /** The aggregation as printed: `p(95)`, `rate`, `count`. */
  aggregation: string
  abortOnFail: boolean
  /** The metric's type, when known. */
  type: MetricType | undefined
}

function aggregate(t: Threshold, totals: RunTotals, type: MetricType | undefined): number | undefined {
  const e = t.expression
  switch (type) {
    case 'counter': {
      const n = totals.counter(t.metric, t.tags)
      return e.aggregation === 'count' ? n : n / totals.durationSeconds
    }
    case 'rate': {
      const r = totals.rate(t.metric, t.tags)
      const all = r.passes + r.fails
      return all === 0 ? 0 : r.passes / all
    }
    case 'gauge':
      return totals.gauge(t.metric, t.tags)?.last ?? 0
    case 'trend': {
      const h = totals.trend(t.metric, t.tags)
      return trendStat(h, e.aggregation === 'p(N)' ? `p(${e.percentile})` : e.aggregation)
    }
    default:
      return undefined
  }
}

function compare(actual: number, op: ThresholdOperator, value: number): boolean {
  switch (op) {
    case '<':
      return actual < value
    case '<=':
      return actual <= value
    case '>':
      return actual > value
    case '>=':
      return actual >= value
    case '==':
    case '===':
      return actual === value
    case '!=':
      return actual !== value
  }
}

/**
 * Evaluates thresholds on whole-run totals. A threshold on a metric with no
 * data evaluates its aggregation on zero, as k6 does for an empty metric.
 */
export function evaluateThresholds(thresholds: readonly Threshold[], totals: RunTotals): ThresholdResult[] {
  const types = totals.metricNames()
  return thresholds.map((t) => {
    const type = types.get(t.metric) ?? totals.types.get(t.metric) ?? builtinMetrics[t.metric]?.type
    const actual = aggregate(t, totals, type) ?? 0
    const aggregation = t.expression.aggregation === 'p(N)' ? `p(${t.expression.percentile})` : t.expression.aggregation
    return {
      key: t.key,
      source: t.source,
      ok: compare(actual, t.expression.operator, t.expression.value),
      actual,
      aggregation,
      abortOnFail: t.abortOnFail,
      type,
    }
  })
}
