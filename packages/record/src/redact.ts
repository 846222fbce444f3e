/**
 * The one redaction step every output passes through: console, JSON, JUnit,
 * HTML, curl. Data is redacted before it is stored, so a record on disk holds
 * no secret either.
 *
 * What is masked:
 * - header values whose name says they carry credentials (Authorization,
 *   Cookie, Set-Cookie, X-Api-Key, anything with token/secret/session in it);
 * - JSON fields and form/query parameters with such names (password, token,
 *   secret, api_key, client_secret, ...), also inside text bodies;
 * - `Bearer`/`Basic` credentials and URL user-info passwords anywhere in text;
 * - every value the redactor has masked once, wherever it shows up again
 *   (a token copied from a login response into a URL);
 * - patterns a config adds (a RegExp: its first capture group, or the whole match).
 */

/** What a masked value is replaced with. */
export const REDACTED = '[REDACTED]'

export interface RedactionOptions {
  /** Extra header names to mask (case-insensitive), on top of the defaults. */
  headers?: readonly string[]
  /** Extra JSON field / parameter names to mask (case-insensitive, `-`/`_` ignored). */
  fields?: readonly string[]
  /** Extra patterns from the config; a string is compiled as a global RegExp. */
  patterns?: readonly (RegExp | string)[]
  /** Known secret values to mask wherever they appear (e.g. a password from the config). */
  secrets?: readonly string[]
}

const defaultHeaders = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-auth-token',
  'x-csrf-token',
  'x-xsrf-token',
]
/** Header names containing any of these words are secret too. */
const headerWords = ['token', 'secret', 'apikey', 'api-key', 'password', 'session', 'credential', 'signature']

/** Field names (normalised: lower case, no `-`, `_`, `.`) containing any of these are secret. */
const fieldWords = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'authorization',
  'cookie',
  'privatekey',
  'credential',
  'sessionid',
]
/** Exact normalised names that are secret but too short to match as a word. */
const fieldExact = ['pwd', 'pin', 'auth', 'sid', 'otp', 'cvv', 'cvc']

/** A value shorter than this is not remembered as a secret: masking "ab" everywhere would wreck text. */
const minRememberedSecret = 6

function normaliseField(name: string): string {
  return name.toLowerCase().replace(/[-_.\s]/g, '')
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

export class Redactor {
  readonly #headers: Set<string>
  readonly #fields: string[]
  readonly #patterns: RegExp[]
  readonly #secrets = new Set<string>()
  #secretPattern: RegExp | undefined
  readonly #fieldTextPatterns: RegExp[]

  constructor(options: RedactionOptions = {}) {
    this.#headers = new Set([...defaultHeaders, ...(options.headers ?? []).map((h) => h.toLowerCase())])
    this.#fields = (options.fields ?? []).map(normaliseField)
    this.#patterns = (options.patterns ?? []).map((p) =>
      typeof p === 'string' ? new RegExp(p, 'g') : p.global ? p : new RegExp(p.source, p.flags + 'g'),
    )
    for (const s of options.secrets ?? []) this.addSecret(s)
    this.#fieldTextPatterns = [
      // "password": "value" in JSON text (the name is checked in text())
      /("([A-Za-z0-9_.-]{1,64})"\s*:\s*)"((?:[^"\\]|\\.)*)"/g,
      // password=value in form bodies, query strings and logs
      /((?:^|[?&;\s,])([A-Za-z0-9_.-]{1,64})=)([^&;\s,"']+)/g,
      // Authorization: value header lines inside text
      new RegExp(`(^|\\n)((${[...this.#headers].map(escapeRegExp).join('|')})\\s*:\\s*)([^\\r\\n]+)`, 'gi'),
    ]
  }

  /** True when a header with this name carries credentials. */
  isSecretHeader(name: string): boolean {
    const n = name.toLowerCase()
    return this.#headers.has(n) || headerWords.some((w) => n.includes(w))
  }

  /** True when a JSON field or parameter with this name carries a secret. */
  isSecretField(name: string): boolean {
    const n = normaliseField(name)
    if (fieldExact.includes(n)) return true
    return [...fieldWords, ...this.#fields].some((w) => n.includes(w))
  }

  /** Remembers a value so that it is masked wherever it appears later. */
  addSecret(value: string): void {
    const v = value.trim()
    if (v.length < minRememberedSecret || v === REDACTED || this.#secrets.has(v)) return
    this.#secrets.add(v)
    // Longest first, so a token containing a shorter secret is masked whole.
    const sorted = [...this.#secrets].sort((a, b) => b.length - a.length)
    this.#secretPattern = new RegExp(sorted.map(escapeRegExp).join('|'), 'g')
  }

  /** Masks secrets in free text: bodies, log lines, curl commands, error messages. */
  text(input: string): string {
    let out = input
    if (this.#secretPattern) out = out.replace(this.#secretPattern, REDACTED)
    out = out.replace(/\b(Bearer|Basic|Token|Digest)\s+(?!\[REDACTED\])[A-Za-z0-9._~+/=-]{4,}/g, (_m, scheme: string) => `${scheme} ${REDACTED}`)
    out = out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)(@)/gi, (_m, a: string, _p: string, c: string) => `${a}${REDACTED}${c}`)
    const [jsonField, param, headerLine] = this.#fieldTextPatterns
    out = out.replace(jsonField, (match: string, prefix: string, name: string, value: string) => {
      if (!this.isSecretField(name)) return match
      this.addSecret(value)
      return `${prefix}"${REDACTED}"`
    })
    out = out.replace(param, (match: string, prefix: string, name: string, value: string) => {
      if (!this.isSecretField(name)) return match
      this.addSecret(safeDecode(value))
      return `${prefix}${REDACTED}`
    })
    out = out.replace(headerLine, (_m, start: string, key: string) => `${start}${key}${REDACTED}`)
    for (const p of this.#patterns) {
      p.lastIndex = 0
      out = out.replace(p, (match: string, ...groups: unknown[]) => {
        const g = groups[0]
        if (typeof g === 'string' && groups.length > 2) {
          this.addSecret(g)
          return match.replace(g, REDACTED)
        }
        return REDACTED
      })
    }
    return out
  }

  /** Masks header values, keeping names; accepts a record or a list of pairs. */
  headers<H extends Record<string, string | string[] | number | undefined> | ReadonlyArray<readonly [string, string]>>(headers: H): H {
    if (Array.isArray(headers)) {
      return headers.map(([k, v]) => [k, this.#headerValue(k, v)] as const) as unknown as H
    }
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(headers as Record<string, unknown>)) {
      if (v === undefined) continue
      out[k] = Array.isArray(v) ? v.map((x) => this.#headerValue(k, String(x))) : this.#headerValue(k, String(v))
    }
    return out as H
  }

  #headerValue(name: string, value: string): string {
    if (!this.isSecretHeader(name)) return this.text(value)
    // Remember the credential itself (without its scheme) so it is masked elsewhere too.
    const credential = value.replace(/^(Bearer|Basic|Token|Digest)\s+/i, '')
    this.addSecret(credential)
    for (const cookie of value.split(/;\s*/)) {
      const eq = cookie.indexOf('=')
      if (eq > 0) this.addSecret(cookie.slice(eq + 1))
    }
    return REDACTED
  }

  /**
   * Deep-redacts any JSON-like value: secret fields are masked, strings pass
   * through {@link text}. Returns a copy; the input is left alone.
   */
  value<T>(input: T): T {
    return this.#value(input, new WeakSet()) as T
  }

  #value(input: unknown, seen: WeakSet<object>): unknown {
    if (typeof input === 'string') return this.text(input)
    if (input === null || typeof input !== 'object') return input
    if (seen.has(input)) return '[Circular]'
    seen.add(input)
    if (Array.isArray(input)) return input.map((v) => this.#value(v, seen))
    if (input instanceof Date) return input.toISOString()
    const out: Record<string, unknown> = {}
    // Secret fields first, so their values are known before sibling strings are scanned.
    const entries = Object.entries(input as Record<string, unknown>)
    for (const [k, v] of entries) {
      if (this.isSecretField(k) && v !== null && v !== undefined && typeof v !== 'object') this.addSecret(String(v))
    }
    for (const [k, v] of entries) {
      if (this.isSecretField(k) && v !== null && v !== undefined) out[k] = REDACTED
      else if ((k === 'headers' || k === 'header') && v && typeof v === 'object') out[k] = this.headers(v as Record<string, string>)
      else out[k] = this.#value(v, seen)
    }
    return out
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/**
 * Redacts a value with the default rules (or a given redactor's, which also
 * remembers what it masked). Strings are treated as text, objects deeply.
 */
export function redact<T>(value: T, with_: Redactor | RedactionOptions = {}): T {
  const r = with_ instanceof Redactor ? with_ : new Redactor(with_)
  return r.value(value)
}
