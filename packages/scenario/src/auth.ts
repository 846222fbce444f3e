/**
 * Auth helpers: bearer tokens, basic credentials and OAuth2 client
 * credentials (token fetched once, cached until shortly before it expires,
 * shared by every iteration that uses the same helper object).
 */
import { SteadyError } from '@steady/record'
import { parseDuration, type Duration } from '@steady/record/internal'
import type { Auth, HttpClient, OutgoingRequest } from './http/client.ts'
import { kAuth } from './symbols.ts'

type Lazy = string | (() => string | Promise<string>)

async function resolve(v: Lazy): Promise<string> {
  return typeof v === 'function' ? v() : v
}

/** `Authorization: Bearer <token>`; the token may be a function (read lazily, e.g. from setup data). */
export function bearer(token: Lazy): Auth {
  return {
    [kAuth]: true,
    kind: 'bearer',
    async apply(req: OutgoingRequest) {
      req.headers.authorization = `Bearer ${await resolve(token)}`
    },
  }
}

/** `Authorization: Basic base64(user:password)`. */
export function basic(username: string, password: Lazy): Auth {
  return {
    [kAuth]: true,
    kind: 'basic',
    async apply(req: OutgoingRequest) {
      req.headers.authorization = `Basic ${Buffer.from(`${username}:${await resolve(password)}`).toString('base64')}`
    },
  }
}

/** Options of {@link oauth2ClientCredentials}. */
export interface ClientCredentialsOptions {
  /** The token endpoint (absolute, or relative to the client's base URL). */
  tokenUrl: string
  clientId: string
  clientSecret: Lazy
  /** Space-separated scopes. */
  scope?: string
  /** `audience` parameter (Auth0 and others). */
  audience?: string
  /** More form parameters for the token request. */
  params?: Record<string, string>
  /** How the client authenticates: HTTP basic (default, RFC 6749 §2.3.1) or form fields. */
  clientAuth?: 'basic' | 'body'
  /** Fetch a new token this long before the old one expires. Default `'30s'`. */
  refreshBefore?: Duration
}

/** An OAuth2 client-credentials auth; its token is cached across iterations. */
export interface ClientCredentialsAuth extends Auth {
  /** The current token, fetching one when none is cached or it is about to expire. */
  token(client: HttpClient): Promise<string>
  /** Forgets the cached token (the next request fetches a new one). */
  invalidate(): void
}

/**
 * OAuth2 client credentials (RFC 6749 §4.4): posts to `tokenUrl`, caches the
 * `access_token` until `expires_in` minus `refreshBefore`, and sends it as a
 * bearer token. Concurrent iterations share one token request.
 */
export function oauth2ClientCredentials(options: ClientCredentialsOptions): ClientCredentialsAuth {
  const refreshBefore = parseDuration(options.refreshBefore ?? '30s', 'refreshBefore')
  let cached: { token: string; expiresAt: number } | undefined
  let inflight: Promise<string> | undefined

  async function fetchToken(client: HttpClient): Promise<string> {
    const form: Record<string, string> = { grant_type: 'client_credentials', ...options.params }
    if (options.scope) form.scope = options.scope
    if (options.audience) form.audience = options.audience
    const secret = await resolve(options.clientSecret)
    let auth: Auth | null = null
    if (options.clientAuth === 'body') {
      form.client_id = options.clientId
      form.client_secret = secret
    } else {
      auth = basic(encodeURIComponent(options.clientId), encodeURIComponent(secret))
    }
    const res = await client.post(options.tokenUrl, { form, auth, headers: { accept: 'application/json' } })
    let body: { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } = {}
    try {
      body = res.json()
    } catch {
      // reported below
    }
    if (res.status !== 200 || typeof body.access_token !== 'string') {
      // An OAuth2 server says why in `error` and, optionally, `error_description`.
      const description = body.error_description ? `: ${String(body.error_description)}` : ''
      const why = body.error ? ` (${String(body.error)}${description})` : ''
      throw new SteadyError(
        'STEADY_SCENARIO_OAUTH2',
        `OAuth2 token request to ${res.request.url} answered ${res.status}${why}`,
        {
          hint: 'check tokenUrl, clientId and clientSecret of oauth2ClientCredentials()',
          exitCode: 1,
        },
      )
    }
    const expiresIn = typeof body.expires_in === 'number' ? body.expires_in * 1000 : 3_600_000
    cached = { token: body.access_token, expiresAt: Date.now() + expiresIn - refreshBefore }
    return body.access_token
  }

  const self: ClientCredentialsAuth = {
    [kAuth]: true,
    kind: 'oauth2',
    async token(client) {
      if (cached && cached.expiresAt > Date.now()) return cached.token
      inflight ??= fetchToken(client).finally(() => (inflight = undefined))
      return inflight
    },
    invalidate() {
      cached = undefined
    },
    async apply(req, client) {
      req.headers.authorization = `Bearer ${await self.token(client)}`
    },
  }
  return self
}

/**
 * The auth helpers in one object: `auth.bearer(token)`, `auth.basic(user, pw)`,
 * `auth.oauth2ClientCredentials({...})`.
 */
export const auth = { bearer, basic, oauth2ClientCredentials }
