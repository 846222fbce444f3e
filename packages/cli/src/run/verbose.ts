/** `--replay` prints every request and response of the iteration, redacted. */
import { formatDuration, terminalText } from '@steady/record/internal'
import type { Redactor } from '@steady/record'
import type { Exchange } from '@steady/scenario/internal'

const limit = 4096

function body(b: string | Uint8Array | undefined, type: string | undefined): string | undefined {
  if (b === undefined || b.length === 0) return undefined
  if (typeof b !== 'string' && type && !/json|text|xml|form|javascript/i.test(type))
    return `<${b.length} bytes of ${type}>`
  const s = typeof b === 'string' ? b : Buffer.from(b).toString('utf8')
  return s.length > limit ? s.slice(0, limit) + `… (${s.length} chars)` : s
}

/** One exchange as text, every header and body passed through `redactor`, safe for a terminal. */
export function formatExchange(e: Exchange, redactor: Redactor): string {
  const lines: string[] = []
  lines.push(`→ ${e.method} ${redactor.text(e.url)}${e.step ? `   [step ${e.step}]` : ''}`)
  for (const [k, v] of Object.entries(redactor.headers(e.requestHeaders))) lines.push(`  ${k}: ${v}`)
  const rb = body(e.requestBody, e.requestHeaders['content-type'])
  if (rb) lines.push('  ' + redactor.text(rb).replace(/\n/g, '\n  '))
  const t = e.timings
  if (e.status === 0) {
    const message = e.errorMessage ? ` (${redactor.text(e.errorMessage)})` : ''
    lines.push(`✗ no response: ${e.error}${message} after ${formatDuration(t.total)}`)
  } else {
    const phases = `connect ${formatDuration(t.connect)}, tls ${formatDuration(t.tls)}, ttfb ${formatDuration(t.ttfb)}`
    lines.push(`← ${e.status} in ${formatDuration(t.total)} (${phases})`)
    const headers: Record<string, string> = {}
    for (const [k, v] of Object.entries(e.responseHeaders)) headers[k] = Array.isArray(v) ? v.join(', ') : v
    for (const [k, v] of Object.entries(redactor.headers(headers))) lines.push(`  ${k}: ${v}`)
    const ct = headers['content-type']
    const b = body(e.responseBody, ct)
    if (b) lines.push('  ' + redactor.text(b).replace(/\n/g, '\n  '))
  }
  return terminalText(lines.join('\n')) + '\n\n'
}
