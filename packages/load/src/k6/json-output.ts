/**
 * k6's `--out json=<file>` lines (NDJSON): a `Metric` line once per metric,
 * before its first `Point`, and a `Point` per sample. Times are RFC 3339 with
 * nanoseconds and an offset; values of time trends are ms. The older shape
 * with a `tainted` field (still in k6's docs) is read too.
 */

type K6MetricType = 'counter' | 'gauge' | 'rate' | 'trend'

interface K6MetricLine {
  type: 'Metric'
  metric: string
  data: {
    name: string
    type: K6MetricType
    contains: 'default' | 'time' | 'data'
    thresholds: string[]
    submetrics: { name: string; suffix: string; tags: Record<string, string> }[] | null
    tainted?: boolean | null
  }
}

interface K6PointLine {
  type: 'Point'
  metric: string
  data: {
    time: string
    value: number
    tags: Record<string, string> | null
    metadata?: Record<string, string>
  }
}

export type K6OutputLine = K6MetricLine | K6PointLine

/** A parse problem on one line (kept, counted, never thrown: k6 output must not stop a run). */
export interface K6ParseProblem {
  type: 'Problem'
  line: number
  message: string
  text: string
}

const metricTypes = new Set(['counter', 'gauge', 'rate', 'trend'])

/** Parses one line; returns a problem description instead of throwing. */
export function parseK6Line(text: string, lineNo = 0): K6OutputLine | K6ParseProblem {
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch (error) {
    return { type: 'Problem', line: lineNo, message: `not JSON: ${(error as Error).message}`, text: text.slice(0, 200) }
  }
  const o = v as Record<string, unknown>
  if (!o || typeof o !== 'object')
    return { type: 'Problem', line: lineNo, message: 'not an object', text: text.slice(0, 200) }
  const data = o.data as Record<string, unknown> | undefined
  if (o.type === 'Metric') {
    if (!data || typeof data.name !== 'string' || !metricTypes.has(data.type as string)) {
      return {
        type: 'Problem',
        line: lineNo,
        message: 'Metric line without data.name and a valid data.type',
        text: text.slice(0, 200),
      }
    }
    return {
      type: 'Metric',
      metric: typeof o.metric === 'string' ? o.metric : data.name,
      data: {
        name: data.name,
        type: data.type as K6MetricType,
        contains: (data.contains as 'default' | 'time' | 'data') ?? 'default',
        thresholds: Array.isArray(data.thresholds) ? (data.thresholds as string[]) : [],
        submetrics: Array.isArray(data.submetrics) ? (data.submetrics as K6MetricLine['data']['submetrics']) : null,
        ...(data.tainted !== undefined ? { tainted: data.tainted as boolean | null } : {}),
      },
    }
  }
  if (o.type === 'Point') {
    if (!data || typeof data.time !== 'string' || typeof data.value !== 'number' || typeof o.metric !== 'string') {
      return {
        type: 'Problem',
        line: lineNo,
        message: 'Point line without metric, data.time and a numeric data.value',
        text: text.slice(0, 200),
      }
    }
    return {
      type: 'Point',
      metric: o.metric,
      data: {
        time: data.time,
        value: data.value,
        tags: (data.tags as Record<string, string> | null) ?? null,
        ...(data.metadata ? { metadata: data.metadata as Record<string, string> } : {}),
      },
    }
  }
  return {
    type: 'Problem',
    line: lineNo,
    message: `unknown line type ${JSON.stringify(o.type)}`,
    text: text.slice(0, 200),
  }
}

export function isProblem(x: K6OutputLine | K6ParseProblem): x is K6ParseProblem {
  return x.type === 'Problem'
}

/**
 * Epoch milliseconds (fractional) of a k6 timestamp such as
 * `2017-05-09T14:34:45.239531499+02:00`: `Date.parse` keeps only ms, so the
 * sub-millisecond digits are added back.
 */
export function parseK6Time(time: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)$/.exec(time)
  if (!m) return Date.parse(time)
  const base = Date.parse(m[1] + m[3])
  const frac = m[2] ? Number(`0.${m[2]}`) * 1000 : 0
  return base + frac
}

/**
 * Splits a growing text stream into lines: feed chunks, get whole lines back;
 * a partial last line waits for the next chunk (k6 flushes every 200 ms, not
 * on line boundaries).
 */
export class LineSplitter {
  #rest = ''
  #count = 0

  /** Whole lines completed by this chunk, with their 1-based numbers. */
  push(chunk: string): { text: string; line: number }[] {
    const parts = (this.#rest + chunk).split('\n')
    this.#rest = parts.pop() ?? ''
    const out: { text: string; line: number }[] = []
    for (const p of parts) {
      this.#count++
      const t = p.trim()
      if (t) out.push({ text: t, line: this.#count })
    }
    return out
  }

  /** The last line if it has no newline (at the end of the stream). */
  end(): { text: string; line: number }[] {
    const t = this.#rest.trim()
    this.#rest = ''
    if (!t) return []
    this.#count++
    return [{ text: t, line: this.#count }]
  }
}
