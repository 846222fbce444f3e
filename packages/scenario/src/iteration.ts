/**
 * The one-iteration executor: `steady run`, the load engine and the soak
 * probe loop all run a scenario through `runIteration`.
 *
 * Request events are buffered for the iteration and handed to `onRequest`
 * when it ends, in order: only then is it known whether the scenario asserted
 * a response's status, which makes a 4xx/5xx an expected response (k6's
 * `expected_response`) rather than an error.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { formatDuration, parseDuration, type Duration } from '@steady/record/internal'
import { Redactor } from '@steady/record'
import type { Dispatcher } from 'undici'
import type { ScenarioContext } from './context.ts'
import { iterationSeed, seededFaker, type Faker, type Seed } from './data.ts'
import type { Scenario } from './define.ts'
import { eventually, realClock, type Clock } from './eventually.ts'
import { isExpectationError } from './expect/error.ts'
import { createExpect, type ExpectFunction } from './expect/index.ts'
import { buildFailureSample, type FailureKind, type FailureSample } from './failure.ts'
import {
  HttpClient,
  mergeHeaders,
  type ClientSession,
  type StepSlot,
  type Exchange,
  type HeadersInit,
  type ResponseValidator,
} from './http/client.ts'
import type { CheckSink } from './symbols.ts'
import { CookieJar } from './http/cookies.ts'
import { createDispatcher } from './http/dispatcher.ts'
import type { Timings } from './http/timings.ts'
import { kExchange, kRequestError } from './symbols.ts'

/** One HTTP request, as metrics see it. */
export interface RequestEvent {
  scenario: string
  /** The metric key: the step path (`'checkout > pay'`), `''` outside any step. Never the URL. */
  step: string
  method: string
  /** 0 when no response arrived. */
  status: number
  durationMs: number
  timings: Timings
  /**
   * True when the status was below 400, or the scenario asserted this status
   * (`toHaveStatus(401)`, `expectStatus`). False for network errors.
   */
  expected: boolean
  /** For requests without a response: `ECONNREFUSED`, `ECONNRESET`, `timeout`, `aborted`, `tls`, `network`... */
  error?: string
  /** performance.now() at start and end. */
  startTime: number
  endTime: number
  /** Date.now() at start. */
  wallTime: number
  iteration: number
  vu: number
}

/** A step of an iteration, in start order. */
export interface StepResult {
  name: string
  /** Names from the outermost step, joined with `' > '`. */
  path: string
  depth: number
  durationMs: number
  passed: boolean
  /** Requests made directly in this step. */
  requests: number
}

/** What one iteration did. */
export interface IterationResult {
  scenario: string
  iteration: number
  vu: number
  /** The iteration's data seed (from the run seed). */
  seed: number
  passed: boolean
  /** The run signal aborted it (interrupt), as opposed to a failure of its own. */
  aborted: boolean
  durationMs: number
  /** Date.now() at start. */
  startedAt: number
  steps: StepResult[]
  /** Number of requests made. */
  requests: number
  /** Requests that were not expected responses (errors, unasserted 4xx/5xx). */
  unexpectedRequests: number
  checks: { passed: number; failed: number }
  failure?: FailureSample
  /** The scenario function's return value (used for setup data). */
  value?: unknown
}

/** Options of {@link runIteration}. */
export interface IterationOptions {
  /** The target's base URL. */
  baseUrl: string
  /** The run seed; the iteration's data seed is derived from it, the scenario name and `iteration`. */
  seed: Seed
  /** Iteration number within the scenario, from 0. */
  iteration: number
  /** Virtual user number. Default 0. */
  vu?: number
  /** Aborts the iteration (Ctrl-C, end of a load stage): requests and polls stop at once. */
  signal?: AbortSignal
  /** Iteration timeout (the scenario's `timeout` option wins). Default `'60s'`. */
  timeout?: Duration
  /** Default per-request timeout. Default `'30s'`. */
  requestTimeout?: Duration
  /** The file's setup result, `ctx.setupData`. */
  setupData?: unknown
  /**
   * undici dispatcher, shared or per virtual user.
   * Default: one shared by the process (see {@link closeDefaultDispatcher}).
   */
  dispatcher?: Dispatcher
  /** Headers sent with every request (from the config). */
  headers?: HeadersInit
  /** Receives the iteration's request events when it ends (see module docs). */
  onRequest?: (event: RequestEvent) => void
  /** Redacts failure samples; pass the run's so secrets learnt once stay masked everywhere. */
  redactor?: Redactor
  /** Validates every response (an OpenAPI document from `loadOpenApi`). */
  validator?: ResponseValidator
  /** Sees every exchange as it ends, unredacted (for `--replay` verbose output: redact before printing). */
  onExchange?: (exchange: Exchange) => void
  /** Time for `eventually` and `sleep` (tests). */
  clock?: Clock
  /** Replaces the scenario file path shown in failures (e.g. relative to the project). */
  file?: string
  /** performance.now() when the run started: failure samples' `atMs` count from it. Default: the iteration's start. */
  runStart?: number
}

let defaultDispatcher: Dispatcher | undefined

/** Closes the shared dispatcher `runIteration` uses when given none. */
async function closeDefaultDispatcher(): Promise<void> {
  const d = defaultDispatcher
  defaultDispatcher = undefined
  await d?.close()
}

const durations = new Map<Duration, number>()

/** parseDuration, memoised: iterations parse the same few timeouts millions of times. */
function duration(d: Duration, field: string): number {
  let ms = durations.get(d)
  if (ms === undefined) {
    ms = parseDuration(d, field)
    if (durations.size < 100) durations.set(d, ms)
  }
  return ms
}

/**
 * An iteration's abort state. The AbortSignal a scenario sees is made only
 * when it asks (`ctx.signal`, `eventually`, `sleep`): an AbortController
 * costs more than the rest of a short iteration's bookkeeping, and requests
 * are aborted through the in-flight set without one.
 */
class IterationAbort {
  readonly inflight = new Set<{ abort(reason: Error): void }>()
  readonly promise: Promise<never>
  aborted = false
  reason: unknown
  error: Error | undefined
  #controller: AbortController | undefined
  #reject!: (reason: unknown) => void

  constructor() {
    this.promise = new Promise<never>((_, reject) => (this.#reject = reject))
    this.promise.catch(() => {})
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController()
      if (this.aborted) this.#controller.abort(this.reason)
    }
    return this.#controller.signal
  }

  abort(reason: unknown): void {
    if (this.aborted) return
    this.aborted = true
    this.reason = reason
    this.error =
      reason instanceof Error && reason.name === 'TimeoutError'
        ? reason
        : (new DOMException('the request was aborted', 'AbortError') as Error)
    for (const h of this.inflight) h.abort(this.error)
    this.#controller?.abort(reason)
    this.#reject(reason)
  }
}

class IterationTimeout extends Error {
  constructor(ms: number) {
    super(`the iteration did not finish within ${formatDuration(ms)}`)
    this.name = 'TimeoutError'
  }
}

interface StepNode {
  name: string
  path: string
  depth: number
  parent: StepNode | undefined
  result: StepResult
  /** The iteration it belongs to (an async context outlives nothing, but the check is cheap). */
  state: IterationState
}

/**
 * The step the running code is in. An async context rather than "the step
 * opened last": steps may run in parallel (`Promise.all`), and a request or a
 * nested step made after an `await` belongs to the step whose code made it.
 * On Node 20 an AsyncLocalStorage costs about 0.1 µs per await
 * (docs/benchmarks.md measures the load engine with it).
 */
const stepContext = new AsyncLocalStorage<StepNode>()

const stepOf = new WeakMap<object, string>()

/** Requests made outside any step: attributed to no step, counted in none. */
const outsideSteps: StepSlot = { path: '', requests: 0 }

function locate(error: unknown, file: string | undefined): number | undefined {
  if (!file) return undefined
  const base = file.replace(/\.[cm]?[jt]s$/, '')
  const errors: unknown[] = [error, (error as { cause?: unknown })?.cause]
  for (const e of errors) {
    const stack = (e as { stack?: string })?.stack
    if (!stack) continue
    for (const frame of stack.split('\n').slice(1)) {
      const m = frame.match(/\(?(?:file:\/\/)?([^()\s]+?)(?:\?[^:]*)?:(\d+):(\d+)\)?$/)
      if (m && (m[1] === file || m[1].startsWith(base))) return Number(m[2])
    }
  }
  return undefined
}

/**
 * Runs one iteration of `scenario` and resolves with what happened; never
 * rejects for a scenario failure (that is `passed: false` with a failure sample).
 */
/**
 * An iteration's state; it is also the client's session. A class rather than
 * closures: an iteration is a few microseconds of bookkeeping around its
 * requests, and the load engine runs millions of them.
 */
class IterationState implements ClientSession {
  readonly exchanges: Exchange[] = []
  readonly checks = { passed: 0, failed: 0 }
  readonly steps: StepResult[] = []
  readonly logs: string[] = []
  readonly jar = new CookieJar()
  readonly inflight: Set<{ abort(reason: Error): void }>
  readonly dispatcher: Dispatcher
  readonly timeoutMs: number
  readonly validator: ResponseValidator | undefined
  readonly check: CheckSink
  /** The step opened last and still open: where an abort or a failure outside steps is reported. */
  current: StepNode | undefined
  open = true
  readonly #abort: IterationAbort
  readonly #onExchange: ((e: Exchange) => void) | undefined

  constructor(abort: IterationAbort, options: IterationOptions) {
    this.#abort = abort
    this.inflight = abort.inflight
    this.dispatcher = options.dispatcher ?? (defaultDispatcher ??= createDispatcher())
    this.timeoutMs = duration(options.requestTimeout ?? '30s', 'requestTimeout')
    this.validator = options.validator
    this.#onExchange = options.onExchange
    const checks = this.checks
    this.check = (passed) => {
      if (passed) checks.passed++
      else checks.failed++
    }
  }

  abortedWith(): Error | undefined {
    return this.#abort.error
  }

  /** The step the running code is in: the async context's, exact also for steps running in parallel. */
  #contextStep(): StepNode | undefined {
    const node = stepContext.getStore()
    return node?.state === this ? node : undefined
  }

  currentStep(): StepSlot {
    return this.#contextStep()?.result ?? outsideSteps
  }

  record(e: Exchange, step: StepSlot): void {
    if (!this.open) return
    this.exchanges.push(e)
    if (step !== outsideSteps) step.requests++
    this.#onExchange?.(e)
  }

  async step<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
    const parent = this.#contextStep()
    const path = parent ? `${parent.path} > ${name}` : name
    const depth = parent ? parent.depth + 1 : 0
    const result: StepResult = { name, path, depth, durationMs: 0, passed: false, requests: 0 }
    const node: StepNode = { name, path, depth, parent, result, state: this }
    this.steps.push(result)
    this.current = node
    const start = performance.now()
    try {
      const value = await stepContext.run(node, fn)
      result.passed = true
      return value
    } catch (error) {
      if (error !== null && typeof error === 'object' && !stepOf.has(error)) stepOf.set(error, path)
      throw error
    } finally {
      result.durationMs = performance.now() - start
      if (this.current === node) this.current = parent
    }
  }
}

/** The context a scenario receives: prototype getters over the state; methods bound once, when first read. */
class IterationContext implements ScenarioContext {
  readonly http: HttpClient
  readonly seed: number
  readonly scenario: { readonly name: string; readonly tags: readonly string[]; readonly file?: string }
  readonly iteration: number
  readonly vu: number
  readonly setupData: unknown
  readonly baseUrl: string
  readonly #state: IterationState
  readonly #abort: IterationAbort
  readonly #clock: Clock
  #faker: Faker | undefined
  #expect: ExpectFunction | undefined
  #step: ScenarioContext['step'] | undefined
  #eventually: ScenarioContext['eventually'] | undefined
  #log: ScenarioContext['log'] | undefined
  #sleep: ScenarioContext['sleep'] | undefined

  constructor(
    state: IterationState,
    abort: IterationAbort,
    scenario: Scenario,
    options: IterationOptions,
    seed: number,
    vu: number,
  ) {
    this.#state = state
    this.#abort = abort
    this.#clock = options.clock ?? realClock
    this.seed = seed
    this.scenario = { name: scenario.name, tags: scenario.tags, file: options.file ?? scenario.file }
    this.iteration = options.iteration
    this.vu = vu
    this.setupData = options.setupData
    this.baseUrl = options.baseUrl
    const headers: Record<string, string> = { 'user-agent': 'steady' }
    mergeHeaders(headers, options.headers)
    this.http = new HttpClient(state, options.baseUrl, { headers })
  }

  get step(): ScenarioContext['step'] {
    const state = this.#state
    return (this.#step ??= (name, fn) => state.step(name, fn))
  }

  get expect(): ExpectFunction {
    return (this.#expect ??= createExpect(this.#state.check))
  }

  get eventually(): ScenarioContext['eventually'] {
    const abort = this.#abort
    const clock = this.#clock
    return (this.#eventually ??= (fn, o = {}) =>
      eventually(fn, { clock, ...o, signal: o.signal ? AbortSignal.any([o.signal, abort.signal]) : abort.signal }))
  }

  get data(): Faker {
    return (this.#faker ??= seededFaker(this.seed))
  }

  get signal(): AbortSignal {
    return this.#abort.signal
  }

  get log(): ScenarioContext['log'] {
    const logs = this.#state.logs
    return (this.#log ??= (message) => {
      if (logs.length < 50) logs.push(String(message))
    })
  }

  get sleep(): ScenarioContext['sleep'] {
    const abort = this.#abort
    const clock = this.#clock
    return (this.#sleep ??= (d) => clock.sleep(duration(d, 'sleep'), abort.signal))
  }
}

/**
 * Runs one iteration of `scenario` and resolves with what happened; never
 * rejects for a scenario failure (that is `passed: false` with a failure sample).
 */
export async function runIteration(scenario: Scenario, options: IterationOptions): Promise<IterationResult> {
  const vu = options.vu ?? 0
  const startedAt = Date.now()
  const t0 = performance.now()
  const seed = iterationSeed(options.seed, scenario.name, options.iteration)
  const abort = new IterationAbort()
  const state = new IterationState(abort, options)
  // The step that was running when the iteration was cut short (its finally runs before we look).
  let stepAtAbort: string | undefined
  const stop = (reason: unknown) => {
    if (!abort.aborted) stepAtAbort = state.current?.path
    abort.abort(reason)
  }
  const outer = options.signal
  const onOuterAbort = outer ? () => stop(outer.reason ?? 'aborted') : undefined
  if (outer && onOuterAbort) {
    if (outer.aborted) onOuterAbort()
    else outer.addEventListener('abort', onOuterAbort, { once: true })
  }
  const timeoutMs = duration(scenario.options.timeout ?? options.timeout ?? '60s', 'timeout')
  // The error is made when the timer fires: capturing a stack on every iteration costs more than the rest of
  // its bookkeeping.
  const timer = setTimeout(() => stop(new IterationTimeout(timeoutMs)), timeoutMs)
  const ctx = new IterationContext(state, abort, scenario, options, seed, vu)
  const { exchanges, checks, steps, logs } = state

  let error: unknown
  let failed = false
  let value: unknown
  const run = (async () => scenario.fn(ctx as unknown as ScenarioContext<never>))()
  try {
    value = await Promise.race([run, abort.promise])
  } catch (e) {
    failed = true
    // Prefer the abort reason over the AbortError a cancelled request threw.
    error = abort.aborted ? abort.reason : e
  } finally {
    clearTimeout(timer)
    if (outer && onOuterAbort) outer.removeEventListener('abort', onOuterAbort)
  }
  // An abandoned body (timed out while awaiting something unabortable) must not raise later.
  run.catch(() => {})
  state.open = false
  if (failed && !abort.aborted) abort.abort('iteration ended')
  const durationMs = performance.now() - t0

  const result: IterationResult = {
    scenario: scenario.name,
    iteration: options.iteration,
    vu,
    seed,
    passed: !failed,
    aborted: failed && outer?.aborted === true,
    durationMs,
    startedAt,
    steps,
    requests: exchanges.length,
    unexpectedRequests: reportRequests(exchanges, scenario.name, options, vu),
    checks,
  }
  if (!failed) {
    result.value = value
    return result
  }
  const cause = classifyFailure(error, outer, stepAtAbort)
  const exchange = cause.exchange ?? exchanges.at(-1)
  // Outside any step, an assertion on a response belongs to the step that made the request.
  const step =
    (error !== null && typeof error === 'object' ? stepOf.get(error) : undefined) ??
    stepAtAbort ??
    state.current?.path ??
    cause.subjectStep ??
    ''
  result.failure = buildFailureSample(
    {
      scenario: scenario.name,
      file: options.file ?? scenario.file,
      line: locate(error, scenario.file) ?? scenario.line,
      step,
      kind: cause.kind,
      assertion: cause.assertion ?? (cause.kind === 'request' ? `request(${cause.errorKind})` : cause.kind),
      errorKind: cause.errorKind,
      message: cause.message,
      atMs: performance.now() - (options.runStart ?? t0),
      diff: cause.diff,
      exchange,
      logs,
      replay: { seed: String(options.seed), scenario: scenario.name, iteration: options.iteration },
    },
    exchanges,
    options.redactor ?? new Redactor(),
  )
  return result
}

/** Passes every request of the iteration to `onRequest`; returns how many were unexpected (failed, not asserted). */
function reportRequests(exchanges: Exchange[], scenario: string, options: IterationOptions, vu: number): number {
  let unexpected = 0
  for (const e of exchanges) {
    const expected = e.status > 0 && (e.status < 400 || e.asserted)
    if (!expected) unexpected++
    if (options.onRequest) {
      options.onRequest({
        scenario,
        step: e.step,
        method: e.method,
        status: e.status,
        durationMs: e.timings.total,
        timings: e.timings,
        expected,
        error: e.error,
        startTime: e.start,
        endTime: e.end,
        wallTime: e.wallStart,
        iteration: options.iteration,
        vu,
      })
    }
  }
  return unexpected
}

/** What kind of failure ended an iteration, its message, and the exchange it is about when it names one. */
interface FailureCause {
  kind: FailureKind
  message: string
  assertion?: string
  errorKind?: string
  diff?: string
  exchange?: Exchange
  /** The step of the response a failed expectation was about. */
  subjectStep?: string
}

/** Classifies what an iteration threw: an interruption, its timeout, a failed expectation, a failed request. */
function classifyFailure(
  error: unknown,
  outer: AbortSignal | undefined,
  stepAtAbort: string | undefined,
): FailureCause {
  const message = error instanceof Error ? error.message : String(error)
  const e = error as Record<PropertyKey, unknown> & {
    diff?: string
    subject?: unknown
    cause?: unknown
    kind?: string
    matcher?: unknown
  }
  if (outer?.aborted && error === outer.reason) {
    const reason = typeof outer.reason === 'string' ? outer.reason : 'aborted'
    return { kind: 'aborted', message: `interrupted (${reason})${stepAtAbort ? ` in step "${stepAtAbort}"` : ''}` }
  }
  if (error instanceof IterationTimeout) {
    return { kind: 'timeout', message: `${error.message}${stepAtAbort ? ` (still in step "${stepAtAbort}")` : ''}` }
  }
  if (isExpectationError(error) || (e && e[kExpectation] === true)) {
    const exchange = (e.subject as Record<PropertyKey, unknown> | undefined)?.[kExchange] as Exchange | undefined
    return {
      kind: 'assertion',
      message,
      assertion: typeof e.matcher === 'string' ? e.matcher : undefined,
      diff: e.diff,
      exchange,
      subjectStep: exchange?.step,
    }
  }
  const requestError = e?.[kRequestError]
    ? e
    : (e?.cause as typeof e | undefined)?.[kRequestError]
      ? (e.cause as typeof e)
      : undefined
  if (requestError) {
    return { kind: 'request', message, errorKind: requestError.kind, exchange: requestError[kExchange] as Exchange }
  }
  return { kind: 'error', message }
}

const kExpectation = Symbol.for('steady.expectation')
