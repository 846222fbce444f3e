/**
 * A parser for the Prometheus text exposition format (version 0.0.4, which
 * prom-client and most exporters serve): `# TYPE` lines give each family its
 * type; samples are `name{label="value",...} value [timestamp]`.
 */

type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped'

export interface Sample {
  /** The sample's own name (`http_request_duration_seconds_bucket`). */
  name: string
  /** The family it belongs to (`http_request_duration_seconds`). */
  family: string
  type: MetricType
  labels: Record<string, string>
  value: number
}

const sampleRe = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)(?:\s+(-?\d+))?\s*$/

function parseValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY
  if (text === '-Inf') return Number.NEGATIVE_INFINITY
  if (text === 'NaN') return Number.NaN
  return Number(text)
}

function parseLabels(text: string, line: number): Record<string, string> {
  // Collected as entries: a label named `__proto__` must stay a label, not replace the object's prototype.
  const labels: Array<[string, string]> = []
  let i = 1 // after '{'
  const end = text.length - 1 // the closing '}'
  while (i < end) {
    while (text[i] === ' ' || text[i] === ',') i++
    if (i >= end) break
    const eq = text.indexOf('=', i)
    if (eq < 0 || text[eq + 1] !== '"') throw new Error(`line ${line}: malformed labels ${text}`)
    const name = text.slice(i, eq).trim()
    let j = eq + 2
    let value = ''
    for (; j < end; j++) {
      const c = text[j]
      if (c === '\\') {
        const n = text[++j]
        value += n === 'n' ? '\n' : n
      } else if (c === '"') break
      else value += c
    }
    labels.push([name, value])
    i = j + 1
  }
  return Object.fromEntries(labels)
}

const suffixes: Record<string, string[]> = {
  histogram: ['_bucket', '_sum', '_count', '_created'],
  summary: ['_sum', '_count', '_created'],
  counter: ['_total', '_created'],
}

/** Parses an exposition; malformed lines throw with their line number. */
export function parsePrometheusText(text: string): Sample[] {
  const types = new Map<string, MetricType>()
  const samples: Sample[] = []
  const lines = text.split('\n')
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].trim()
    if (!line) continue
    if (line.startsWith('#')) {
      const m = line.match(/^#\s*TYPE\s+(\S+)\s+(\S+)/)
      if (m)
        types.set(m[1], (['counter', 'gauge', 'histogram', 'summary'].includes(m[2]) ? m[2] : 'untyped') as MetricType)
      continue
    }
    const m = line.match(sampleRe)
    if (!m) throw new Error(`line ${n + 1}: not a sample: ${line.slice(0, 120)}`)
    const name = m[1]
    let family = name
    let type = types.get(name)
    if (!type) {
      for (const [t, sufs] of Object.entries(suffixes)) {
        const suf = sufs.find((s) => name.endsWith(s) && types.get(name.slice(0, -s.length)) === t)
        if (suf) {
          family = name.slice(0, -suf.length)
          type = t as MetricType
          break
        }
      }
    }
    samples.push({
      name,
      family,
      type: type ?? 'untyped',
      labels: m[2] ? parseLabels(m[2], n + 1) : {},
      value: parseValue(m[3]),
    })
  }
  return samples
}
