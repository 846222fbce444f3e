/**
 * The scenario's HTTP client: undici's dispatcher API with a handler of our
 * own, so one request costs little more than undici itself. Bodies are read
 * whole (a scenario asserts on them; `json()` is synchronous), cookies go to
 * the iteration's jar, every request is attributed to the step it ran in, and
 * each exchange is recorded for metrics and failure samples.
 */
import type { Dispatcher } from 'undici'
import { parseDuration, type Duration } from '@steady/record/internal'
import { CookieJar } from './cookies.ts'
import { expectSocket, takeSocketTiming, type SocketWatcher, type Timings } from './timings.ts'
import { ExpectationError } from '../expect/error.ts'
import { kAuth, kCheckSink, kExchange, kMarkExpected, kRequestError, type CheckSink } from '../symbols.ts'

/** A header map as requests take it. */
export type HeadersInit = Record<string, string | number | string[] | undefined>

/** Query parameters; arrays repeat the key, `undefined`/`null` drop it. */
export type QueryInit =
  URLSearchParams | Record<string, string | number | boolean | null | undefined | (string | number | boolean)[]>

/** Adds credentials to a request (see `bearer`, `basic`, `oauth2ClientCredentials`). */
export interface Auth {
  readonly [kAuth]: true
  /** A short name for output (`bearer`, `basic`, `oauth2`). */
  readonly kind: string
  /** Sets headers on the outgoing request; may use `client` to fetch a token. */
  apply(request: OutgoingRequest, client: HttpClient): void | Promise<void>
}

/** The request as auth helpers see it before it is sent. */
export interface OutgoingRequest {
  method: string
  url: URL
  /** Lower-case header names. */
  headers: Record<string, string>
}

/** Options of one request. */
export interface RequestOptions {
  /** Query parameters appended to the URL. */
  query?: QueryInit
  /** Extra headers (merged over the client's). */
  headers?: HeadersInit
  /** A JSON body; sets `content-type: application/json` unless given. */
  json?: unknown
  /** A form body (`application/x-www-form-urlencoded`). */
  form?: URLSearchParams | Record<string, string | number | boolean>
  /** A raw body. */
  body?: string | Uint8Array
  /** Timeout for the whole request, headers and body. Default: the client's (30s). */
  timeout?: Duration
  /** Credentials for this request; `null` sends none even if the client has some. */
  auth?: Auth | null
  /**
   * Statuses this request is expected to answer with. Marks the response as
   * expected in metrics (like asserting it with `toHaveStatus`) without failing on others.
   */
  expectStatus?: number | number[]
  /** Send and store cookies through the iteration's jar. Default true. */
  cookies?: boolean
  /** Validate the response against the run's OpenAPI document (when one is set). Default true. */
  validate?: boolean
  /** Aborts this request (the iteration's signal aborts it anyway). */
  signal?: AbortSignal
}

/** Defaults a derived client applies to each of its requests (see {@link HttpClient.with}). */
export interface ClientDefaults {
  /** Base URL for relative paths; replaces the parent's. */
  baseUrl?: string
  /** Headers merged over the parent's. */
  headers?: HeadersInit
  /** Credentials for every request of this client. */
  auth?: Auth | null
  /** Default request timeout. */
  timeout?: Duration
  /** Query parameters added to every request. */
  query?: QueryInit
}

/** One request and its outcome, as recorded for metrics and failure output. */
export interface Exchange {
  /** Step path the request ran in (`'checkout > pay'`), `''` outside any step. */
  step: string
  method: string
  url: string
  requestHeaders: Record<string, string>
  requestBody: string | Uint8Array | undefined
  /** 0 when no response arrived. */
  status: number
  responseHeaders: Record<string, string | string[]>
  responseBody: Buffer | undefined
  timings: Timings
  /** performance.now() at the start and end. */
  start: number
  end: number
  /** Date.now() at the start. */
  wallStart: number
  /** Error kind when the request failed without a response (`ECONNREFUSED`, `timeout`, `aborted`, `tls`...). */
  error?: string
  errorMessage?: string
  /** The scenario asserted this status (or listed it in `expectStatus`). */
  asserted: boolean
}

/** Checks a response against something (an OpenAPI document); returns problems, or undefined when fine. */
export interface ResponseValidator {
  validate(response: HttpResponse): string[] | undefined
}

/** The step a request is attributed to: its path, and the count of requests made directly in it. */
export interface StepSlot {
  readonly path: string
  requests: number
}

/** What a client shares with the iteration it belongs to. */
export interface ClientSession {
  readonly dispatcher: Dispatcher
  readonly jar: CookieJar
  /** The error to abort new requests with once the session is aborted, else undefined. */
  abortedWith(): Error | undefined
  /** Default request timeout in ms. */
  readonly timeoutMs: number
  /** The step a request starting now belongs to; read once, when the request is made. */
  currentStep(): StepSlot
  /** Called once per request, when it ends (with or without a response), with the step it started in. */
  record(exchange: Exchange, step: StepSlot): void
  /** Counts checks made on responses of this session. */
  readonly check: CheckSink
  /** Validates every response (OpenAPI). */
  readonly validator?: ResponseValidator
  /** Requests in flight; {@link abortOnSignal} aborts them all when the session's signal fires. */
  readonly inflight: Set<{ abort(reason: Error): void }>
}

/**
 * One listener per session instead of one per request: when `signal` fires,
 * every request in flight is aborted (and later ones fail at once).
 */
function abortOnSignal(signal: AbortSignal, inflight: Set<{ abort(reason: Error): void }>): () => void {
  const onAbort = () => {
    const err = abortReason(signal)
    for (const h of inflight) h.abort(err)
  }
  signal.addEventListener('abort', onAbort, { once: true })
  return () => signal.removeEventListener('abort', onAbort)
}

function abortReason(signal: AbortSignal): Error {
  const reason = signal.reason
  return (
    reason instanceof Error && reason.name === 'TimeoutError'
      ? reason
      : new DOMException('the request was aborted', 'AbortError')
  ) as Error
}

/** A request that got no response: refused, reset, timed out, aborted, TLS failure. */
export class RequestError extends Error {
  /** `ECONNREFUSED`, `ECONNRESET`, `timeout`, `aborted`, `tls`, `network`... */
  readonly kind: string
  readonly method: string
  readonly url: string
  readonly [kRequestError] = true
  readonly [kExchange]: Exchange

  constructor(exchange: Exchange, cause: unknown) {
    const detail = exchange.errorMessage ? ` (${exchange.errorMessage})` : ''
    super(`${exchange.method} ${exchange.url}: ${exchange.error}${detail}`, { cause })
    this.name = 'RequestError'
    this.kind = exchange.error ?? 'network'
    this.method = exchange.method
    this.url = exchange.url
    this[kExchange] = exchange
  }
}

const textTypes =
  /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|problem\+json|[a-z.+-]*\+(json|xml)))/i

/** An HTTP response with its body read. */
export class HttpResponse {
  /** Status code. */
  readonly status: number
  /**
   * Response headers, lower-case names; repeated headers are joined with `, ` (use {@link headerValues} for
   * `set-cookie`).
   */
  readonly headers: Readonly<Record<string, string>>
  /** The raw body. */
  readonly body: Buffer
  /** Where the time went. */
  readonly timings: Timings
  /** The request that produced this response. */
  readonly request: {
    readonly method: string
    readonly url: string
    readonly headers: Readonly<Record<string, string>>
  }
  /** The step the request ran in. */
  readonly step: string
  readonly [kExchange]: Exchange
  readonly [kCheckSink]: CheckSink
  #text: string | undefined
  #json: unknown
  #jsonRead = false

  constructor(exchange: Exchange, sink: CheckSink) {
    this[kExchange] = exchange
    this[kCheckSink] = sink
    this.status = exchange.status
    const headers: Record<string, string> = {}
    for (const [k, v] of Object.entries(exchange.responseHeaders)) headers[k] = Array.isArray(v) ? v.join(', ') : v
    this.headers = headers
    this.body = exchange.responseBody ?? Buffer.alloc(0)
    this.timings = exchange.timings
    this.request = { method: exchange.method, url: exchange.url, headers: exchange.requestHeaders }
    this.step = exchange.step
  }

  /** True for 2xx. */
  get ok(): boolean {
    return this.status >= 200 && this.status < 300
  }

  /** Total time of the request in ms (same as `timings.total`). */
  get durationMs(): number {
    return this.timings.total
  }

  /** One header (case-insensitive). */
  header(name: string): string | undefined {
    return this.headers[name.toLowerCase()]
  }

  /** Every value of a repeated header (`set-cookie`). */
  headerValues(name: string): string[] {
    const v = this[kExchange].responseHeaders[name.toLowerCase()]
    return v === undefined ? [] : Array.isArray(v) ? v : [v]
  }

  /** The body as UTF-8 text. */
  text(): string {
    return (this.#text ??= this.body.toString('utf8'))
  }

  /**
   * The body parsed as JSON (parsed once, cached). Throws an error quoting the
   * start of the body when it is not JSON.
   */
  json<T = unknown>(): T {
    if (!this.#jsonRead) {
      const text = this.text()
      try {
        this.#json = JSON.parse(text)
      } catch {
        const ex = this[kExchange]
        const type = this.headers['content-type'] ?? 'none'
        throw new Error(
          `${ex.method} ${ex.url} answered ${this.status} with a body that is not JSON ` +
            `(content-type: ${type}): ${JSON.stringify(text.slice(0, 120))}`,
        )
      }
      this.#jsonRead = true
      // Lets `expect(res.json())` count its checks against this iteration.
      if (this.#json !== null && typeof this.#json === 'object') {
        Object.defineProperty(this.#json, kCheckSink, { value: this[kCheckSink], enumerable: false })
      }
    }
    return this.#json as T
  }

  /** Marks the status as one the scenario expects (used by `toHaveStatus`). */
  [kMarkExpected](): void {
    this[kExchange].asserted = true
  }

  /** True when the body looks like text (for excerpts). */
  get isText(): boolean {
    return textTypes.test(this.headers['content-type'] ?? 'text/plain')
  }
}

/** Merges headers into `into` (lower-case names); `undefined` removes a header. */
function mergeHeaders(into: Record<string, string>, from: HeadersInit | undefined): void {
  if (!from) return
  for (const [k, v] of Object.entries(from)) {
    const name = k.toLowerCase()
    if (v === undefined) delete into[name]
    else into[name] = Array.isArray(v) ? v.join(', ') : String(v)
  }
}

function appendQuery(url: URL, query: QueryInit | undefined): void {
  if (!query) return
  if (query instanceof URLSearchParams) {
    for (const [k, v] of query) url.searchParams.append(k, v)
    return
  }
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null) continue
    if (Array.isArray(v)) for (const x of v) url.searchParams.append(k, String(x))
    else url.searchParams.append(k, String(v))
  }
}

/** Maps an undici/Node error to a short kind for metrics (`errors.<kind>`). */
function errorKind(error: unknown): string {
  const e = error as { name?: string; code?: string; cause?: { code?: string } }
  const code = e?.code ?? e?.cause?.code
  if (
    e?.name === 'TimeoutError' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'ETIMEDOUT'
  ) {
    return 'timeout'
  }
  if (e?.name === 'AbortError' || code === 'UND_ERR_ABORTED' || code === 'ABORT_ERR') return 'aborted'
  if (typeof code === 'string' && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code))
    return 'tls'
  if (code === 'UND_ERR_SOCKET') return 'ECONNRESET'
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code
  return 'network'
}

class TimeoutError extends Error {
  constructor(ms: number) {
    super(`no complete response within ${ms}ms`)
    this.name = 'TimeoutError'
  }
}

/** Sends one request through undici and resolves with status, headers and the whole body. */
class ExchangeHandler implements SocketWatcher {
  readonly chunks: Buffer[] = []
  status = 0
  headers: Record<string, string | string[]> = {}
  socket: object | undefined
  sentAt = 0
  headersAt = 0
  controller: { abort(reason: Error): void } | undefined
  abortReason: Error | undefined
  done = false
  resolve!: () => void
  reject!: (e: unknown) => void
  readonly promise = new Promise<void>((res, rej) => {
    this.resolve = res
    this.reject = rej
  })

  onRequestStart(controller: { abort(reason: Error): void }): void {
    this.controller = controller
    if (this.abortReason) controller.abort(this.abortReason)
    else expectSocket(this)
  }

  onSocket(socket: object, at: number): void {
    this.socket = socket
    this.sentAt = at
  }

  onResponseStart(_c: unknown, statusCode: number, headers: Record<string, string | string[]>): void {
    this.status = statusCode
    this.headers = headers
    this.headersAt = performance.now()
  }

  onResponseData(_c: unknown, chunk: Buffer): void {
    this.chunks.push(chunk)
  }

  onResponseEnd(): void {
    this.done = true
    this.resolve()
  }

  onResponseError(_c: unknown, error: Error): void {
    this.done = true
    this.reject(error)
  }

  abort(reason: Error): void {
    if (this.done) return
    this.abortReason = reason
    if (this.controller) this.controller.abort(reason)
  }
}

/**
 * An HTTP client bound to a base URL. In a scenario it is `ctx.http`: its
 * cookies live for one iteration and its requests are attributed to steps.
 */
export class HttpClient {
  /** Relative paths are appended to this (`baseUrl + path`, one slash between). */
  readonly baseUrl: string
  readonly #session: ClientSession
  readonly #headers: Record<string, string>
  readonly #auth: Auth | null | undefined
  readonly #timeoutMs: number
  readonly #query: QueryInit | undefined

  /** @internal Use `ctx.http` in a scenario or {@link createClient} elsewhere. */
  constructor(
    session: ClientSession,
    baseUrl: string,
    defaults: { headers?: Record<string, string>; auth?: Auth | null; timeoutMs?: number; query?: QueryInit } = {},
  ) {
    this.#session = session
    this.baseUrl = baseUrl.replace(/\/+$/, '')
    this.#headers = defaults.headers ?? {}
    this.#auth = defaults.auth
    this.#timeoutMs = defaults.timeoutMs ?? session.timeoutMs
    this.#query = defaults.query
  }

  /** The iteration's cookie jar. */
  get cookies(): CookieJar {
    return this.#session.jar
  }

  /**
   * A client sharing this one's connection pool, cookies and step attribution,
   * with extra defaults: `http.with({ auth: bearer(token) })` after a login.
   */
  with(defaults: ClientDefaults): HttpClient {
    const headers = { ...this.#headers }
    mergeHeaders(headers, defaults.headers)
    return new HttpClient(this.#session, defaults.baseUrl ?? this.baseUrl, {
      headers,
      auth: defaults.auth === undefined ? this.#auth : defaults.auth,
      timeoutMs: defaults.timeout === undefined ? this.#timeoutMs : parseDuration(defaults.timeout, 'timeout'),
      query: defaults.query ?? this.#query,
    })
  }

  /** Resolves a path against the base URL. */
  url(path: string): URL {
    if (/^https?:\/\//i.test(path)) return new URL(path)
    return new URL(this.baseUrl + (path.startsWith('/') || path === '' ? path : '/' + path))
  }

  get(path: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.request('GET', path, options)
  }
  head(path: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.request('HEAD', path, options)
  }
  options(path: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.request('OPTIONS', path, options)
  }
  delete(path: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.request('DELETE', path, options)
  }
  post(path: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.request('POST', path, options)
  }
  put(path: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.request('PUT', path, options)
  }
  patch(path: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.request('PATCH', path, options)
  }

  /**
   * Sends a request and reads the whole response. Resolves for every status
   * (assert with `expect(res).toHaveStatus(...)`); rejects with a
   * {@link RequestError} only when no response arrived.
   */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<HttpResponse> {
    const session = this.#session
    // The step is read now, before the first await: steps running in parallel take turns being current.
    const step = session.currentStep()
    const url = this.url(path)
    appendQuery(url, this.#query)
    appendQuery(url, options.query)
    const headers: Record<string, string> = { ...this.#headers }
    mergeHeaders(headers, options.headers)
    let body: string | Uint8Array | undefined = options.body
    if (options.json !== undefined) {
      body = JSON.stringify(options.json)
      headers['content-type'] ??= 'application/json'
    } else if (options.form !== undefined) {
      const form =
        options.form instanceof URLSearchParams
          ? options.form
          : new URLSearchParams(Object.entries(options.form).map(([k, v]): [string, string] => [k, String(v)]))
      body = form.toString()
      headers['content-type'] ??= 'application/x-www-form-urlencoded'
    }
    const useCookies = options.cookies !== false
    if (useCookies) {
      const cookie = session.jar.header(url)
      if (cookie) headers.cookie = headers.cookie ? `${headers.cookie}; ${cookie}` : cookie
    }
    const auth = options.auth === undefined ? this.#auth : options.auth
    method = method.toUpperCase()
    if (auth) await auth.apply({ method, url, headers }, this.with({ auth: null }))

    const timeoutMs = options.timeout === undefined ? this.#timeoutMs : parseDuration(options.timeout, 'timeout')
    const exchange: Exchange = {
      step: step.path,
      method,
      url: url.href,
      requestHeaders: headers,
      requestBody: body,
      status: 0,
      responseHeaders: {},
      responseBody: undefined,
      timings: { blocked: 0, connect: 0, tls: 0, waiting: 0, receiving: 0, ttfb: 0, total: 0 },
      start: performance.now(),
      end: 0,
      wallStart: Date.now(),
      asserted: false,
    }
    const handler = new ExchangeHandler()
    const already = session.abortedWith()
    if (already) handler.abort(already)
    const own = options.signal
    const onOwnAbort = own ? () => handler.abort(abortReason(own)) : undefined
    if (own && onOwnAbort) {
      if (own.aborted) onOwnAbort()
      else own.addEventListener('abort', onOwnAbort, { once: true })
    }
    session.inflight.add(handler)
    const timer = setTimeout(() => handler.abort(new TimeoutError(timeoutMs)), timeoutMs)
    try {
      if (!handler.abortReason) {
        session.dispatcher.dispatch(
          {
            origin: url.origin,
            path: url.pathname + url.search,
            method: method as Dispatcher.HttpMethod,
            headers,
            body,
            headersTimeout: timeoutMs,
            bodyTimeout: timeoutMs,
          },
          handler as unknown as Dispatcher.DispatchHandler,
        )
      } else {
        handler.reject(handler.abortReason)
      }
      await handler.promise
    } catch (error) {
      finishTimings(exchange, handler)
      exchange.error = errorKind(error)
      exchange.errorMessage = (error as Error)?.message
      session.record(exchange, step)
      throw new RequestError(exchange, error)
    } finally {
      clearTimeout(timer)
      session.inflight.delete(handler)
      if (own && onOwnAbort) own.removeEventListener('abort', onOwnAbort)
    }
    finishTimings(exchange, handler)
    exchange.status = handler.status
    exchange.responseHeaders = handler.headers
    exchange.responseBody = handler.chunks.length === 1 ? handler.chunks[0] : Buffer.concat(handler.chunks)
    if (options.expectStatus !== undefined) {
      const list = Array.isArray(options.expectStatus) ? options.expectStatus : [options.expectStatus]
      if (list.includes(exchange.status)) exchange.asserted = true
    }
    if (useCookies) session.jar.store(url, handler.headers['set-cookie'])
    session.record(exchange, step)
    const response = new HttpResponse(exchange, session.check)
    if (session.validator && options.validate !== false) {
      const problems = session.validator.validate(response)
      if (problems?.length) {
        throw new ExpectationError(
          `${method} ${url.pathname} ${exchange.status}: response does not match the OpenAPI document:\n  ` +
            problems.join('\n  '),
          {
            matcher: 'openapi',
            subject: response,
          },
        )
      }
    }
    return response
  }
}

function finishTimings(exchange: Exchange, handler: ExchangeHandler): void {
  const end = performance.now()
  exchange.end = end
  const t = exchange.timings
  const sock = takeSocketTiming(handler.socket)
  t.connect = sock.connect
  t.tls = sock.tls
  const sentAt = handler.sentAt || end
  t.blocked = Math.max(0, sentAt - exchange.start - sock.connect - sock.tls)
  if (handler.headersAt) {
    t.waiting = handler.headersAt - sentAt
    t.ttfb = handler.headersAt - exchange.start
    t.receiving = end - handler.headersAt
  }
  t.total = end - exchange.start
}

/** Options of a standalone client (outside a scenario run). */
export interface CreateClientOptions {
  /** Base URL for relative paths. */
  baseUrl: string
  /** The undici dispatcher; default: a new one from `createDispatcher()` (close it with `client.close()`). */
  dispatcher?: Dispatcher
  /** Default headers. */
  headers?: HeadersInit
  /** Default request timeout. Default `'30s'`. */
  timeout?: Duration
  /** Aborts every request. */
  signal?: AbortSignal
  /** Called with each finished exchange. */
  onExchange?: (exchange: Exchange) => void
}

const noStep: StepSlot = { path: '', requests: 0 }

/** A standalone client (its own cookie jar, no steps); for scripts and setup code outside a run. */
export function createStandaloneClient(options: CreateClientOptions, dispatcher: Dispatcher): HttpClient {
  const headers: Record<string, string> = {}
  mergeHeaders(headers, options.headers)
  const inflight = new Set<{ abort(reason: Error): void }>()
  if (options.signal) abortOnSignal(options.signal, inflight)
  const session: ClientSession = {
    inflight,
    dispatcher,
    jar: new CookieJar(),
    abortedWith: () => (options.signal?.aborted ? abortReason(options.signal) : undefined),
    timeoutMs: parseDuration(options.timeout ?? '30s', 'timeout'),
    currentStep: () => noStep,
    record: (e) => options.onExchange?.(e),
    check: () => {},
  }
  return new HttpClient(session, options.baseUrl, { headers })
}

export { mergeHeaders }
