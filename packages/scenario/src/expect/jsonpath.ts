/**
 * The JSONPath subset scenarios need: `$.a.b`, `$.items[0].id`, `$['odd key']`,
 * `$.items[*].id`, `$..id` is not supported. A path with a wildcard yields an
 * array of matches; without one, a single value (undefined when missing).
 */

type Token = { key: string } | { index: number } | { wildcard: true }

const cache = new Map<string, Token[]>()

function parse(path: string): Token[] {
  const cached = cache.get(path)
  if (cached) return cached
  const tokens: Token[] = []
  let s = path.trim()
  if (s.startsWith('$')) s = s.slice(1)
  let i = 0
  const fail = (): never => {
    throw new Error(
      `invalid JSON path "${path}" at character ${i + 1}: use $.a.b, $.items[0].id, $['key'] or $.items[*].id`,
    )
  }
  while (i < s.length) {
    const c = s[i]
    if (c === '.') {
      i++
      if (s[i] === '.') fail()
      if (s[i] === '*') {
        tokens.push({ wildcard: true })
        i++
        continue
      }
      const m = /^[^.[\]]+/.exec(s.slice(i))
      if (!m) fail()
      tokens.push({ key: m![0] })
      i += m![0].length
    } else if (c === '[') {
      const rest = s.slice(i)
      let m: RegExpExecArray | null
      if ((m = /^\[\s*(-?\d+)\s*\]/.exec(rest))) tokens.push({ index: Number(m[1]) })
      else if ((m = /^\[\s*\*\s*\]/.exec(rest))) tokens.push({ wildcard: true })
      else if ((m = /^\[\s*'((?:[^'\\]|\\.)*)'\s*\]/.exec(rest)) || (m = /^\[\s*"((?:[^"\\]|\\.)*)"\s*\]/.exec(rest)))
        tokens.push({ key: m[1].replace(/\\(.)/g, '$1') })
      else fail()
      i += m![0].length
    } else if (i === 0) {
      const m = /^[^.[\]]+/.exec(s)
      if (!m) fail()
      tokens.push({ key: m![0] })
      i += m![0].length
    } else fail()
  }
  cache.set(path, tokens)
  return tokens
}

/** Reads `path` from `value`; `found` is false when a step of the path is missing. */
export function queryPath(value: unknown, path: string): { found: boolean; value: unknown } {
  const tokens = parse(path)
  let current: unknown[] = [value]
  let multi = false
  let found = true
  for (const t of tokens) {
    const next: unknown[] = []
    for (const v of current) {
      if ('wildcard' in t) {
        multi = true
        if (Array.isArray(v)) next.push(...v)
        else if (v && typeof v === 'object') next.push(...Object.values(v))
      } else if ('index' in t) {
        if (Array.isArray(v)) {
          const idx = t.index < 0 ? v.length + t.index : t.index
          if (idx >= 0 && idx < v.length) next.push(v[idx])
          else if (!multi) found = false
        } else if (!multi) found = false
      } else if (v !== null && typeof v === 'object' && Object.prototype.hasOwnProperty.call(v, t.key)) {
        next.push((v as Record<string, unknown>)[t.key])
      } else if (t.key === 'length' && (Array.isArray(v) || typeof v === 'string')) {
        next.push(v.length)
      } else if (!multi) found = false
    }
    current = next
  }
  if (multi) return { found: true, value: current }
  return { found: found && current.length === 1, value: current[0] }
}
