/**
 * A `curl` command that reproduces a request, for failure output. Callers
 * pass the result through the run's Redactor before it is shown or stored.
 */
import { REDACTED, shellQuote } from '@steady/record/internal'

/** The parts of a request a curl command needs. */
export interface CurlInput {
  method: string
  url: string
  /** Header values; a value that is exactly `[REDACTED]` becomes a shell variable the user sets. */
  headers: Record<string, string | string[]>
  body?: string | Uint8Array
}

/** The shell variable a masked header's value is read from: `authorization` → `STEADY_AUTHORIZATION`. */
function curlVariable(header: string): string {
  return `STEADY_${header
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')}`
}

/**
 * Builds a copy-pasteable `curl` command (bodies over 64 KiB are cut and say
 * so). A masked header is sent as `"$STEADY_<NAME>"`, so the command
 * reproduces the request once the user sets that variable; a comment line
 * above the command names the variables to set.
 */
export function toCurl(request: CurlInput): string {
  const parts = ['curl', '-sS', '-i']
  const variables: string[] = []
  const method = request.method.toUpperCase()
  if (method === 'HEAD') parts.push('-I')
  else if (method !== 'GET' || request.body !== undefined) parts.push('-X', shellQuote(method))
  // -g: brackets in a URL (`ids[]=1`, an IPv6 host) are literal, not curl's URL globbing.
  parts.push(shellQuote(request.url, true), '-g')
  for (const [name, value] of Object.entries(request.headers)) {
    if (name === 'content-length' || name === 'host') continue
    const values = Array.isArray(value) ? value : [value]
    values.forEach((v, i) => {
      if (v !== REDACTED) return void parts.push('-H', shellQuote(`${name}: ${v}`, true))
      // The name in single quotes (a header name may hold `$` or a backtick), the variable in double quotes.
      const variable = curlVariable(name) + (i ? `_${i + 1}` : '')
      variables.push(`# set ${variable} to the ${name} header's value${values.length > 1 ? ` (number ${i + 1})` : ''}`)
      parts.push('-H', `${shellQuote(`${name}: `, true)}"$${variable}"`)
    })
  }
  if (request.body !== undefined) {
    const text = typeof request.body === 'string' ? request.body : Buffer.from(request.body).toString('utf8')
    const limit = 64 * 1024
    parts.push('--data-raw', shellQuote(text.length > limit ? text.slice(0, limit) : text, true))
    if (text.length > limit) parts.push(`# body cut at ${limit} of ${text.length} characters`)
  }
  return [...variables, parts.join(' ')].join('\n')
}
