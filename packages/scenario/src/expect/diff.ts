/**
 * Readable diffs for failed expectations: both values pretty-printed as JSON,
 * compared line by line (longest common subsequence), unchanged lines kept
 * around the changes for context.
 */

/** Pretty-prints a value for diffs and messages: JSON with RegExp, undefined, bigint and functions shown. */
export function show(value: unknown): string {
  return (
    JSON.stringify(
      value,
      (_k, v: unknown) => {
        if (v === undefined) return '<undefined>'
        if (v instanceof RegExp) return `<${String(v)}>`
        if (typeof v === 'bigint') return `${v}n`
        if (typeof v === 'function') return `<function ${v.name || 'anonymous'}>`
        if (v && typeof v === 'object' && typeof (v as { asymmetricMatch?: unknown }).asymmetricMatch === 'function')
          return `<${String(v)}>`
        return v
      },
      2,
    ) ?? String(value)
  )
}

/** Short one-line form of a value for messages. */
export function brief(value: unknown, max = 80): string {
  const s = typeof value === 'string' ? JSON.stringify(value) : (show(value) ?? String(value)).replace(/\s*\n\s*/g, ' ')
  return s.length > max ? s.slice(0, max - 1) + '…' : s
}

const maxLines = 400
const context = 3

/**
 * A unified diff of two values (`- Expected` / `+ Received`), or undefined
 * when they print the same.
 */
export function diffValues(expected: unknown, received: unknown): string | undefined {
  const a = show(expected).split('\n')
  const b = show(received).split('\n')
  if (a.length === b.length && a.every((l, i) => l === b[i])) return undefined
  if (a.length > maxLines || b.length > maxLines) {
    return [
      '- Expected',
      '+ Received',
      '',
      ...a.slice(0, 40).map((l) => `- ${l}`),
      '  …',
      ...b.slice(0, 40).map((l) => `+ ${l}`),
      '  …',
    ].join('\n')
  }
  // LCS table over lines.
  const n = a.length
  const m = b.length
  const dp: Uint16Array[] = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1))
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--)
      dp[i][j] = a[i] === b[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1])
  }
  const ops: { op: ' ' | '-' | '+'; line: string }[] = []
  let i = 0
  let j = 0
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({ op: ' ', line: a[i] })
      i++
      j++
    } else if (dp[i + 1][j] >= dp[i][j + 1]) ops.push({ op: '-', line: a[i++] })
    else ops.push({ op: '+', line: b[j++] })
  }
  while (i < n) ops.push({ op: '-', line: a[i++] })
  while (j < m) ops.push({ op: '+', line: b[j++] })
  // Keep `context` unchanged lines around each change.
  const keep = ops.map((o) => o.op !== ' ')
  const near = ops.map((_, k) => ops.slice(Math.max(0, k - context), k + context + 1).some((o) => o.op !== ' '))
  const out = ['- Expected', '+ Received', '']
  let skipped = false
  ops.forEach((o, k) => {
    if (keep[k] || near[k]) {
      out.push(`${o.op} ${o.line}`)
      skipped = false
    } else if (!skipped) {
      out.push('  …')
      skipped = true
    }
  })
  return out.join('\n')
}
