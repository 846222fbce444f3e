/**
 * The one redaction step every output passes through: console, JSON, JUnit,
 * HTML, curl. Data is redacted before it is stored, so a record on disk holds
 * no secret either.
 *
 * What is masked:
 * - header values whose name says they carry credentials (Authorization,
 *   Cookie, Set-Cookie, X-Api-Key, X-Amz-Security-Token, names ending in
 *   token/secret/signature/session), matched by whole names and last words,
 *   so `access-control-allow-credentials: true` stays;
 * - JSON fields and form/query parameters with such names (password, token,
 *   access_token, secret, client_secret, api_key, access_key, X-Amz-Signature,
 *   X-Amz-Credential, ...), also inside text bodies; the bare names `key`
 *   and `sid` only as query or form parameters; `code`
 *   only next to OAuth parameters (state, redirect_uri, grant_type);
 * - `Bearer`/`Basic` credentials and URL user-info passwords anywhere in text;
 * - every value the redactor has masked once, wherever it shows up again
 *   (a token copied from a login response into a URL);
 * - patterns a config adds (a RegExp: its first capture group, or the whole match).
 */
import { safeDecode } from '@steady/kernel'

/** What a masked value is replaced with. */
export const REDACTED = '[REDACTED]'

export interface RedactionOptions {
  /** Extra header names to mask (case-insensitive), on top of the defaults. */
  headers?: readonly string[]
  /** Extra JSON field / parameter names to mask (case-insensitive, `-`/`_` ignored), as whole names or last words. */
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

/*
 * Names are matched as whole names or by their last words, never as
 * substrings: `access_token` and `X-Amz-Signature` are secret, while
 * `access-control-allow-credentials`, `token_type` and `max_tokens` are not.
 * A name is split into lower-case words at `-`, `_`, `.`, spaces and camelCase
 * humps (`secretAccessKey` → secret access key); a trailing number is dropped
 * (`X-Hub-Signature-256`). The lists follow what credentials are called in
 * the wild: OAuth 2.0 (RFC 6749, OpenID Connect), AWS SigV4 presigned URLs,
 * Azure SAS and API Management, Google API keys, GitLab, GitHub webhooks, and
 * the default denylists of Sentry and Rails' filter_parameters. Hurl and
 * Karate mask only values the user names; steady's config adds those
 * (`redaction.secrets`, `fields`, `headers`, `patterns`).
 */

/** Whole names (words joined) that are secret. */
const secretNames = new Set([
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'auth',
  'pwd',
  'pin',
  'otp',
  'cvv',
  'cvc',
  'credentials',
  'jsessionid',
  'phpsessid',
  'connectsid',
  'aspnetsessionid',
])
/**
 * Bare names that are credentials only as query or form parameters (Google's
 * `?key=`, a `sid=` session cookie): as JSON fields they are ordinary data,
 * and steady's own files use `key` for series keys.
 */
const secretParamNames = new Set(['key', 'sid'])
/** A name whose last word is one of these is secret (`access_token`, `X-Amz-Credential`, `client_secret`). */
const secretLastWords = new Set([
  'token',
  'secret',
  'password',
  'passwd',
  'passphrase',
  'pwd',
  'signature',
  'sig',
  'credential',
  'cookie',
  'apikey',
  'sessionid',
  'otp',
])
/** A name whose last two words, joined, are one of these is secret (`x-api-key`, `secret_access_key`). */
const secretLastPairs = new Set([
  'apikey',
  'accesskey',
  'secretkey',
  'privatekey',
  'subscriptionkey',
  'functionskey',
  'masterkey',
  'signingkey',
  'encryptionkey',
  'accountkey',
  'sharedkey',
  'authkey',
  'sessionid',
  'clientsecret',
])
/** A name with one of these words anywhere is secret (`password_confirmation`, `newPassword`). */
const secretAnyWords = ['password', 'passwd', 'passphrase']
/** Header names whose last word is `session` carry a session id. */
const headerLastWords = new Set(['session'])
/** Fields holding a signature are masked only when they hold a value, not an object (a failure group's `signature`). */
const valueOnlyWords = new Set(['signature', 'sig'])
/** Parameters that make a `code` an OAuth authorization code (a callback, a token request). */
const oauthContext = /(?:^|[?&;\s])(?:state|redirect_uri|grant_type|code_verifier|session_state)=/

/** Splits a header, field or parameter name into lower-case words; a trailing number is dropped. */
function nameWords(name: string): string[] {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
  while (words.length > 1 && /^\d+$/.test(words[words.length - 1])) words.pop()
  return words
}

/** True when the name's words say it carries a credential (see the lists above). */
function secretByName(words: readonly string[], extraLast?: ReadonlySet<string>): boolean {
  if (!words.length) return false
  const last = words[words.length - 1]
  if (secretNames.has(words.join('')) || secretLastWords.has(last) || extraLast?.has(last)) return true
  if (words.length > 1 && secretLastPairs.has(words[words.length - 2] + last)) return true
  return words.some((w) => secretAnyWords.includes(w))
}

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

  /** True when a header with this name carries credentials (whole names and last words, not substrings). */
  isSecretHeader(name: string): boolean {
    return this.#headers.has(name.toLowerCase()) || secretByName(nameWords(name), headerLastWords)
  }

  /**
   * True when a JSON field or parameter with this name carries a secret:
   * the default names, or a name from the config (`fields`) as the whole name
   * or its last words (`ssn` matches `customer_ssn`). `where: 'param'` adds
   * the bare names that are secret only in query strings and form bodies.
   */
  isSecretField(name: string, where: 'field' | 'param' = 'field'): boolean {
    const words = nameWords(name)
    if (secretByName(words)) return true
    if (where === 'param' && secretParamNames.has(words.join(''))) return true
    if (!this.#fields.length) return false
    for (let i = 0; i < words.length; i++) if (this.#fields.includes(words.slice(i).join(''))) return true
    return this.#fields.includes(normaliseField(name))
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
    out = out.replace(
      /\b(Bearer|Basic|Token|Digest)\s+(?!\[REDACTED\])[A-Za-z0-9._~+/=-]{4,}/g,
      (_m, scheme: string) => `${scheme} ${REDACTED}`,
    )
    out = out.replace(
      // user:password@ of a URL: the user may be empty, the password may hold an @ (the last one before the
      // host ends it, within one JSON string); one already masked (*** or [REDACTED]) stays as it is.
      /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/?#@"\\]*:)(?!\*\*\*@|\[REDACTED\]@)([^\s/?#"\\]+)(@)/gi,
      (_m, a: string, _p: string, c: string) => `${a}${REDACTED}${c}`,
    )
    const [jsonField, param, headerLine] = this.#fieldTextPatterns
    out = out.replace(jsonField, (match: string, prefix: string, name: string, value: string) => {
      if (!this.isSecretField(name)) return match
      this.addSecret(value)
      return `${prefix}"${REDACTED}"`
    })
    out = out.replace(param, (match: string, prefix: string, name: string, value: string, at: number, all: string) => {
      const oauthCode = name.toLowerCase() === 'code' && oauthContext.test(paramRun(all, at))
      if (!this.isSecretField(name, 'param') && !oauthCode) return match
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
  headers<H extends Record<string, string | string[] | number | undefined> | ReadonlyArray<readonly [string, string]>>(
    headers: H,
  ): H {
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
    return this.#value(input, new WeakSet(), new WeakMap()) as T
  }

  /**
   * `within`: the objects being copied, from the root down to here (one of them met again is a cycle);
   * `copies`: the objects already copied, so one reached twice is copied once and shared as it was.
   */
  #value(input: unknown, within: WeakSet<object>, copies: WeakMap<object, unknown>): unknown {
    if (typeof input === 'string') return this.text(input)
    if (input === null || typeof input !== 'object') return input
    if (within.has(input)) return '[Circular]'
    if (copies.has(input)) return copies.get(input)
    within.add(input)
    try {
      const copy = this.#copy(input, within, copies)
      copies.set(input, copy)
      return copy
    } finally {
      within.delete(input)
    }
  }

  #copy(input: object, within: WeakSet<object>, copies: WeakMap<object, unknown>, json = true): unknown {
    if (Array.isArray(input)) return input.map((v) => this.#value(v, within, copies))
    if (input instanceof Date) return input.toISOString()
    // What JSON would write of it (a URL its href, a Buffer its bytes), redacted; toJSON is called once.
    const toJSON = (input as { toJSON?: () => unknown }).toJSON
    if (json && typeof toJSON === 'function') {
      const written = toJSON.call(input)
      if (written !== input) {
        const isObject = written !== null && typeof written === 'object'
        return isObject ? this.#copy(written, within, copies, false) : this.#value(written, within, copies)
      }
    }
    const out: Record<string, unknown> = {}
    // Secret fields first, so their values are known before sibling strings are scanned.
    const entries = Object.entries(input as Record<string, unknown>)
    // An OAuth token request or callback as JSON: its `code` is an authorization code, elsewhere an error code.
    const oauth = entries.some(([k]) => k === 'grant_type' || k === 'redirect_uri')
    const secret = (k: string, v: unknown) =>
      v !== null &&
      v !== undefined &&
      (this.isSecretField(k) || (oauth && k === 'code')) &&
      !(typeof v === 'object' && valueOnlyWords.has(nameWords(k).at(-1) ?? ''))
    for (const [k, v] of entries) {
      if (secret(k, v) && typeof v !== 'object') this.addSecret(String(v))
    }
    for (const [k, v] of entries) {
      if (secret(k, v)) out[k] = REDACTED
      else if ((k === 'headers' || k === 'header') && v && typeof v === 'object')
        out[k] = this.headers(v as Record<string, string>)
      else out[k] = this.#value(v, within, copies)
    }
    return out
  }
}

/** The query string or form body around `at`: up to the nearest blank or quote on each side. */
function paramRun(text: string, at: number): string {
  const before = text.slice(0, at + 1).search(/[^\s"'<>]*$/)
  const after = text.slice(at + 1).search(/[\s"'<>]/)
  return text.slice(before, after < 0 ? text.length : at + 1 + after)
}

/**
 * Redacts a value with the default rules (or a given redactor's, which also
 * remembers what it masked). Strings are treated as text, objects deeply.
 */
export function redact<T>(value: T, with_: Redactor | RedactionOptions = {}): T {
  const r = with_ instanceof Redactor ? with_ : new Redactor(with_)
  return r.value(value)
}
