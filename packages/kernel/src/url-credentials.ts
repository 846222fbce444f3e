/**
 * URLs written with a user and password (`http://ci:secret@host:9091`): fetch
 * refuses them, and a password must never reach a log, an error or a record.
 * {@link splitUrlCredentials} gives the URL without them, the URL as it may be
 * shown (the user kept, the password masked) and the Basic authorization
 * header they stand for; {@link maskUrlPassword} only masks.
 */

/** What a masked password is shown as. */
const MASK = '***'

/** The URL with its password masked (its user kept); the text as it was when it is no URL or has none. */
export function maskUrlPassword(raw: string): string {
  return splitUrlCredentials(raw).shown
}

/** The URL without user and password, as it may be shown, and the Basic authorization they stand for. */
export function splitUrlCredentials(raw: string): { url: string; shown: string; authorization?: string } {
  let parsed: URL
  try {
    parsed = new URL(raw)
  } catch {
    // Not a URL the parser takes (a bad port, a space in the host): still, what looks like a password is masked.
    return { url: raw, shown: raw.replace(/(:\/\/[^\s:/?#@]*:)[^\s/?#]+@/g, `$1${MASK}@`) }
  }
  if (!parsed.username && !parsed.password) return { url: raw, shown: raw }
  const user = safeDecode(parsed.username)
  const password = safeDecode(parsed.password)
  const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
  parsed.username = ''
  parsed.password = ''
  const url = parsed.toString()
  const shown = url.replace('://', `://${encodeURIComponent(user)}${password ? `:${MASK}` : ''}@`)
  return { url, shown, authorization }
}

/** Percent-decoded, or as written when it is not valid percent-encoding (a literal `%` in a password). */
export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/**
 * What is wrong with `text` as the base URL of an HTTP service, or undefined
 * when it is an absolute http: or https: URL (`"ftp://x" is not an http(s)
 * URL`). Whatever stands before an `@` is masked past the user, since text
 * that is no http(s) URL (a forgotten scheme: `ci:s3cret@host`) may still
 * hold a password. Callers raise it in their own error, with the file, field
 * or flag it came from.
 */
export function httpUrlProblem(text: unknown): string | undefined {
  if (typeof text !== 'string') return `expected a URL, got ${text === undefined ? 'undefined' : typeof text}`
  let protocol: string
  try {
    protocol = new URL(text).protocol
  } catch {
    return `${JSON.stringify(maskUserinfo(text))} is not a URL`
  }
  if (protocol === 'http:' || protocol === 'https:') return undefined
  return `${JSON.stringify(maskUserinfo(text))} is not an http(s) URL`
}

/**
 * `text` with what stands between its `//` (or its start) and its last `@`
 * masked past the first `:` (all of it when there is none).
 */
function maskUserinfo(text: string): string {
  const at = text.lastIndexOf('@')
  if (at < 0) return text
  const slashes = text.indexOf('//')
  const start = slashes >= 0 && slashes < at ? slashes + 2 : 0
  const colon = text.indexOf(':', start)
  const user = colon >= 0 && colon < at ? `${text.slice(start, colon)}:` : ''
  return `${text.slice(0, start)}${user}${MASK}${text.slice(at)}`
}
