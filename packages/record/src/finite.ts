/**
 * Numbers in the files steady reads must be finite. `JSON.parse('1e999')` is
 * `Infinity`, which JSON cannot write back (it becomes `null`), so one such
 * number in a run record would turn a baseline's entry into `null` and make a
 * report fail far from the cause. Every document is checked on read, and the
 * error names the field.
 */

/** Where a non-finite number is in a document, and what it is. */
export interface NonFinite {
  /** The field's path: `series[2].windows[3].p95`. */
  path: string
  value: number
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`
  const name = /^[A-Za-z_$][\w$-]*$/.test(key) ? key : JSON.stringify(key)
  return path ? (name === key ? `${path}.${key}` : `${path}[${name}]`) : name
}

/** The first non-finite number (Infinity, NaN) in a JSON-like value, depth first; undefined when all are finite. */
export function findNonFinite(value: unknown, path = ''): NonFinite | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : { path: path || '(top level)', value }
  if (value === null || typeof value !== 'object') return undefined
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNonFinite(value[i], join(path, i))
      if (found) return found
    }
    return undefined
  }
  for (const [k, v] of Object.entries(value)) {
    const found = findNonFinite(v, join(path, k))
    if (found) return found
  }
  return undefined
}

/** How a non-finite number is described: a literal like `1e999` parses to Infinity. */
export function describeNonFinite(value: number): string {
  return Number.isNaN(value) ? 'NaN' : `${value} (a literal too large for a number, like 1e999)`
}
