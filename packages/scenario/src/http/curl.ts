/**
 * A `curl` command that reproduces a request, for failure output. Callers
 * pass the result through the run's Redactor before it is shown or stored.
 */

function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`
}

/** The parts of a request a curl command needs. */
export interface CurlInput {
  method: string
  url: string
  headers: Record<string, string | string[]>
  body?: string | Uint8Array
}

/** Builds a one-line, copy-pasteable `curl` command (bodies over 64 KiB are cut and say so). */
export function toCurl(request: CurlInput): string {
  const parts = ['curl', '-sS', '-i']
  const method = request.method.toUpperCase()
  if (method === 'HEAD') parts.push('-I')
  else if (method !== 'GET' || request.body !== undefined) parts.push('-X', method)
  parts.push(quote(request.url))
  for (const [name, value] of Object.entries(request.headers)) {
    if (name === 'content-length' || name === 'host') continue
    for (const v of Array.isArray(value) ? value : [value]) parts.push('-H', quote(`${name}: ${v}`))
  }
  if (request.body !== undefined) {
    const text = typeof request.body === 'string' ? request.body : Buffer.from(request.body).toString('utf8')
    const limit = 64 * 1024
    parts.push('--data-raw', quote(text.length > limit ? text.slice(0, limit) : text))
    if (text.length > limit) parts.push(`# body cut at ${limit} of ${text.length} characters`)
  }
  return parts.join(' ')
}
