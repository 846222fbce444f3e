/**
 * Fault switches: known regressions the store can be told to have, so the rest
 * of steady can be tested against them. This file parses and validates them
 * (from env vars, CLI flags or a typed object) and decides, request by
 * request, what to inject. It never sleeps or answers: the server does that
 * with what `FaultInjector` returns, and reports it in the `x-store-fault`
 * header and in `/metrics`.
 */
import { ROUTE_TEMPLATES } from './routes/templates.ts'
import { fnv1a, mulberry32 } from '@steady/kernel'

/** Extra latency on a route: a fixed amount, or a percent of the request's own handling time. */
type LatencyFault = { readonly ms: number } | { readonly percent: number }

/** Errors on a route: `rate` of its requests (0..1) answer `status` (500 by default) instead of running. */
interface ErrorFault {
  readonly rate: number
  readonly status?: 500 | 503
}

/**
 * The contention switch: a pool of `slots` (a lock when 1) that every `/api/*`
 * request needs, as a connection pool too small for the load. A request waits,
 * first come first served, for a free slot and holds it for `holdMs` while it
 * is handled, so it takes `holdMs` longer plus its wait. Alone it never waits;
 * with arrivals at rate λ the pool is busy ρ = λ·holdMs/slots of the time and
 * the wait grows steeply as ρ nears 1 (queueing): a load phase shows it, a
 * quiet phase shows little more than the hold.
 */
export interface ContentionFault {
  /** Slots in the pool, ≥ 1. */
  readonly slots: number
  /** How long each request holds its slot, in ms (> 0). */
  readonly holdMs: number
}

/**
 * The slow-tail switch: a `share` of `/api/*` requests (0..1, spread evenly
 * and set by the seed, as errors are) take `factor` times as long as they
 * would have, as requests that hit a cold cache or a slow replica do.
 */
interface TailFault {
  readonly share: number
  /** How many times as long a picked request takes (> 1). */
  readonly factor: number
}

/**
 * The in-flight switch: each `/api/*` request is delayed `msPerRequest` for
 * every request in flight (itself included) above `above`, as a service whose
 * threads or connections slow each other down. Unlike the contention pool it
 * has no queue: the cost is paid at once, in proportion to the crowd.
 */
interface InflightFault {
  readonly msPerRequest: number
  /** In-flight requests that cost nothing (≥ 0). */
  readonly above: number
}

/**
 * What the store is told to get wrong. Every field is optional; an empty
 * object is a healthy store. Route keys are route templates as listed in
 * `ROUTE_TEMPLATES` (`/api/products/:id`), or `*` for every `/api/*` route.
 */
export interface FaultConfig {
  /** Extra latency per route template. */
  readonly latency?: Readonly<Record<string, LatencyFault>>
  /** Error rate per route template. */
  readonly errors?: Readonly<Record<string, ErrorFault>>
  /** Bytes retained (never freed) per `/api/*` request: a memory leak. */
  readonly leakBytes?: number
  /**
   * Bytes retained per `/api/*` request outside the V8 heap (Buffers, written
   * so the pages are resident): resident memory grows while heap used stays flat.
   */
  readonly offheapLeakBytes?: number
  /** A share of `/api/*` requests takes `factor` times as long: a slow tail. */
  readonly tail?: TailFault
  /** Latency that grows with the number of requests in flight. */
  readonly inflight?: InflightFault
  /** Extra latency per `/api/*` request, in ms per order created so far: latency that drifts up over a run. */
  readonly driftMsPerOrder?: number
  /**
   * A shared pool too small for the load: each `/api/*` request holds a slot
   * for `holdMs` while it is handled, waiting its turn when all are busy. The
   * wait grows with the arrival rate (queueing), so a quiet service barely shows it.
   */
  readonly contention?: ContentionFault
  /** The process exits abruptly (non-zero) when `/api/*` request number `crashAfter + 1` arrives. */
  readonly crashAfter?: number
  /** Seed for the error-rate and tail decisions (default 1): same seed, same requests picked. */
  readonly seed?: number
}

/** The fault names, as they appear in the `x-store-fault` header and the `fault` label of `/metrics`. */
export const FAULT_NAMES = [
  'latency',
  'error',
  'leak',
  'offheap',
  'drift',
  'contention',
  'tail',
  'inflight',
  'crash',
] as const
export type FaultName = (typeof FAULT_NAMES)[number]

/** The env vars the switches are read from, by the field they fill. */
export const FAULT_ENV = {
  latency: 'STORE_FAULT_LATENCY',
  errors: 'STORE_FAULT_ERRORS',
  leakBytes: 'STORE_FAULT_LEAK_BYTES',
  offheapLeakBytes: 'STORE_FAULT_OFFHEAP_LEAK_BYTES',
  tail: 'STORE_FAULT_TAIL',
  inflight: 'STORE_FAULT_INFLIGHT',
  driftMsPerOrder: 'STORE_FAULT_DRIFT',
  contention: 'STORE_FAULT_CONTENTION',
  crashAfter: 'STORE_FAULT_CRASH_AFTER',
  seed: 'STORE_FAULT_SEED',
} as const

/** A fault switch that cannot be understood. `code` is stable; `hint` says what to write instead. */
export class FaultConfigError extends Error {
  readonly code = 'STORE_FAULT_INVALID'
  readonly hint: string
  /** The env var (or option) that was wrong. */
  readonly source: string
  constructor(source: string, message: string, hint: string) {
    super(`${source}: ${message}`)
    this.name = 'FaultConfigError'
    this.source = source
    this.hint = hint
  }
}

const WILDCARD = '*'
const knownRoutes = new Set<string>(ROUTE_TEMPLATES)

function checkRoute(source: string, route: string): void {
  if (route === WILDCARD || knownRoutes.has(route)) return
  throw new FaultConfigError(
    source,
    `unknown route template ${JSON.stringify(route)}`,
    `use '*' or one of: ${ROUTE_TEMPLATES.join(', ')}`,
  )
}

/** Parses `150ms`, `1.5s`, `0.25ms` into milliseconds (a unit is required, so `150` is not silently seconds or ms). */
function parseMs(source: string, text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(text.trim())
  if (!m)
    throw new FaultConfigError(
      source,
      `${what} ${JSON.stringify(text)} is not an amount of time`,
      `write it with a unit, e.g. 150ms or 1.5s`,
    )
  const value = Number(m[1]) * (m[2] === 's' ? 1000 : 1)
  if (!Number.isFinite(value))
    throw new FaultConfigError(source, `${what} ${JSON.stringify(text)} is too large`, 'use a smaller amount')
  return value
}

/** Splits `a=1, b=2` into [route, value] pairs; route templates contain no `=` or `,`. */
function pairs(source: string, text: string, example: string): Array<[string, string]> {
  const out: Array<[string, string]> = []
  const seen = new Set<string>()
  for (const raw of text.split(',')) {
    const item = raw.trim()
    if (item === '') continue
    const eq = item.lastIndexOf('=')
    if (eq <= 0)
      throw new FaultConfigError(source, `${JSON.stringify(item)} is not route=value`, `write e.g. ${example}`)
    const route = item.slice(0, eq).trim()
    checkRoute(source, route)
    if (seen.has(route)) throw new FaultConfigError(source, `route ${route} is given twice`, 'give each route once')
    seen.add(route)
    out.push([route, item.slice(eq + 1).trim()])
  }
  return out
}

/** Parses `STORE_FAULT_LATENCY`: `/api/products/:id=150ms, /api/cart=+50%, *=20ms`. */
function parseLatencyFaults(text: string, source: string = FAULT_ENV.latency): Record<string, LatencyFault> {
  const out: Record<string, LatencyFault> = {}
  for (const [route, value] of pairs(source, text, '/api/products/:id=150ms or /api/products/:id=+50%')) {
    const pct = /^\+?(\d+(?:\.\d+)?)%$/.exec(value)
    out[route] = pct ? { percent: Number(pct[1]) } : { ms: parseMs(source, value, `latency for ${route}`) }
  }
  return out
}

/** Parses `STORE_FAULT_ERRORS`: `/api/checkout=0.2, /api/cart=5%:503` (rate, then an optional status 500 or 503). */
function parseErrorFaults(text: string, source: string = FAULT_ENV.errors): Record<string, ErrorFault> {
  const out: Record<string, ErrorFault> = {}
  for (const [route, value] of pairs(source, text, '/api/checkout=0.2 or /api/checkout=20%:503')) {
    const m = /^(\d+(?:\.\d+)?)(%?)(?::(\d{3}))?$/.exec(value)
    if (!m) {
      throw new FaultConfigError(
        source,
        `error rate for ${route} ${JSON.stringify(value)} is not a rate`,
        'write a fraction (0.2) or a percent (20%), optionally followed by :500 or :503',
      )
    }
    const rate = Number(m[1]) / (m[2] === '%' ? 100 : 1)
    if (rate > 1)
      throw new FaultConfigError(
        source,
        `error rate for ${route} ${JSON.stringify(value)} is more than all requests`,
        'write a fraction from 0 to 1 or a percent from 0% to 100%',
      )
    const status = m[3] === undefined ? 500 : Number(m[3])
    if (status !== 500 && status !== 503)
      throw new FaultConfigError(
        source,
        `status ${status} for ${route} is not 500 or 503`,
        'use :500 (a bug) or :503 (overloaded)',
      )
    out[route] = { rate, status }
  }
  return out
}

/** Parses a rate with a unit per thing: `0.5ms/order`, `2ms/inflight`. */
function parsePer(source: string, text: string, per: string): number {
  const m = /^(.+)\/\s*([a-z-]+)$/.exec(text.trim())
  if (!m || m[2] !== per)
    throw new FaultConfigError(source, `${JSON.stringify(text)} is not a time per ${per}`, `write e.g. 0.5ms/${per}`)
  return parseMs(source, m[1], `time per ${per}`)
}

/** Parses `STORE_FAULT_DRIFT`: `0.5ms/order`. */
function parseDrift(text: string, source: string = FAULT_ENV.driftMsPerOrder): number {
  return parsePer(source, text, 'order')
}

const MAX_SLOTS = 10_000

/**
 * Parses `STORE_FAULT_CONTENTION`: `4x20ms` (a pool of 4 slots, each request
 * keeps one busy for 20 ms) or `5ms` (one slot: a lock held 5 ms).
 */
function parseContention(text: string, source: string = FAULT_ENV.contention): ContentionFault {
  const t = text.trim()
  if (/\/\s*inflight$/.test(t)) {
    throw new FaultConfigError(
      source,
      `${JSON.stringify(text)} is the old per-request-in-flight form; the contention switch is now a shared pool`,
      'write <slots>x<hold>, e.g. 4x20ms (4 slots, each request keeps one busy for 20 ms), ' +
        'or 5ms for a lock held 5 ms; ' +
        `for latency that grows with requests in flight set ${FAULT_ENV.inflight} instead`,
    )
  }
  const m = /^(?:(\d+)\s*x\s*)?(.+)$/.exec(t)
  const slots = m?.[1] === undefined ? 1 : Number(m[1])
  if (!m || !/^\d/.test(m[2])) {
    throw new FaultConfigError(
      source,
      `${JSON.stringify(text)} is not a pool size and hold time`,
      'write <slots>x<hold>, e.g. 4x20ms, or 5ms for one slot',
    )
  }
  const holdMs = parseMs(source, m[2], 'hold time')
  if (slots < 1 || slots > MAX_SLOTS)
    throw new FaultConfigError(source, `${slots} slots is not from 1 to ${MAX_SLOTS}`, 'write e.g. 4x20ms')
  if (holdMs <= 0)
    throw new FaultConfigError(
      source,
      `a hold time of ${JSON.stringify(m[2])} contends for nothing`,
      'write a hold time above 0, e.g. 4x20ms, or leave the switch unset',
    )
  return { slots, holdMs }
}

/** Parses `STORE_FAULT_TAIL`: `3%x8` or `0.03x8` (3% of API requests take 8 times as long). */
function parseTail(text: string, source: string = FAULT_ENV.tail): TailFault {
  const m = /^(\d+(?:\.\d+)?)(%?)\s*x\s*(\d+(?:\.\d+)?)$/.exec(text.trim())
  if (!m) {
    const hint = 'write <share>x<factor>, e.g. 3%x8 (3% of API requests take 8 times as long)'
    throw new FaultConfigError(source, `${JSON.stringify(text)} is not a share and a factor`, hint)
  }
  return { share: Number(m[1]) / (m[2] === '%' ? 100 : 1), factor: Number(m[3]) }
}

/**
 * Parses `STORE_FAULT_INFLIGHT`: `1.5ms/inflight:2` (each API request 1.5 ms
 * slower per request in flight above 2) or `1.5ms/inflight` (above 0).
 */
function parseInflight(text: string, source: string = FAULT_ENV.inflight): InflightFault {
  const m = /^(.*?)(?::\s*(\d+))?$/.exec(text.trim())
  const above = m?.[2] === undefined ? 0 : Number(m[2])
  return { msPerRequest: parsePer(source, m?.[1] ?? text, 'inflight'), above }
}

function parseCount(source: string, text: string, what: string): number {
  const t = text.trim().replace(/_/g, '')
  const example = source === FAULT_ENV.leakBytes || source === FAULT_ENV.offheapLeakBytes ? '65536' : '500'
  if (!/^\d+$/.test(t)) {
    const hint = `write a whole number, e.g. ${example}`
    throw new FaultConfigError(source, `${JSON.stringify(text)} is not ${what}`, hint)
  }
  return Number(t)
}

/**
 * Reads every fault switch from env-style variables (`STORE_FAULT_*`, see
 * `FAULT_ENV`) into a validated `FaultConfig`. Unset or empty variables leave
 * their switch off. Throws `FaultConfigError` naming the variable and the fix.
 *
 * ```ts
 * parseFaults({ STORE_FAULT_LATENCY: '/api/products/:id=150ms', STORE_FAULT_LEAK_BYTES: '65536' })
 * ```
 */
export function parseFaults(env: Readonly<Record<string, string | undefined>>): FaultConfig {
  const get = (name: string): string | undefined => {
    const v = env[name]
    return v === undefined || v.trim() === '' ? undefined : v
  }
  const config: { -readonly [K in keyof FaultConfig]: FaultConfig[K] } = {}
  const latency = get(FAULT_ENV.latency)
  if (latency !== undefined) config.latency = parseLatencyFaults(latency)
  const errors = get(FAULT_ENV.errors)
  if (errors !== undefined) config.errors = parseErrorFaults(errors)
  const leak = get(FAULT_ENV.leakBytes)
  if (leak !== undefined) config.leakBytes = parseCount(FAULT_ENV.leakBytes, leak, 'a number of bytes')
  const offheap = get(FAULT_ENV.offheapLeakBytes)
  if (offheap !== undefined) {
    config.offheapLeakBytes = parseCount(FAULT_ENV.offheapLeakBytes, offheap, 'a number of bytes')
  }
  const tail = get(FAULT_ENV.tail)
  if (tail !== undefined) config.tail = parseTail(tail)
  const inflight = get(FAULT_ENV.inflight)
  if (inflight !== undefined) config.inflight = parseInflight(inflight)
  const drift = get(FAULT_ENV.driftMsPerOrder)
  if (drift !== undefined) config.driftMsPerOrder = parseDrift(drift)
  const contention = get(FAULT_ENV.contention)
  if (contention !== undefined) config.contention = parseContention(contention)
  const crash = get(FAULT_ENV.crashAfter)
  if (crash !== undefined) config.crashAfter = parseCount(FAULT_ENV.crashAfter, crash, 'a number of requests')
  const seed = get(FAULT_ENV.seed)
  if (seed !== undefined) config.seed = parseCount(FAULT_ENV.seed, seed, 'a seed')
  return validateFaults(config)
}

const MAX_DELAY_MS = 60_000

/**
 * Checks a `FaultConfig` given as an object (the env parser calls it too):
 * known routes, rates within 0..1, non-negative finite amounts. Returns a
 * frozen copy without the switches that are off (0 or empty).
 */
export function validateFaults(config: FaultConfig, source = 'faults'): FaultConfig {
  const finite = (field: string, v: unknown, max: number): number => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max) {
      throw new FaultConfigError(
        `${source}.${field}`,
        `${JSON.stringify(v)} must be a number from 0 to ${max}`,
        'fix the value or leave the switch out',
      )
    }
    return v
  }
  const whole = (field: string, v: unknown): number => {
    if (!Number.isSafeInteger(v) || (v as number) < 0) {
      throw new FaultConfigError(
        `${source}.${field}`,
        `${JSON.stringify(v)} must be a whole number ≥ 0`,
        'fix the value or leave the switch out',
      )
    }
    return v as number
  }
  const out: { -readonly [K in keyof FaultConfig]: FaultConfig[K] } = {}
  if (config.latency && Object.keys(config.latency).length > 0) {
    const latency: Record<string, LatencyFault> = {}
    for (const [route, spec] of Object.entries(config.latency)) {
      checkRoute(`${source}.latency`, route)
      if (spec && 'ms' in spec)
        latency[route] = Object.freeze({ ms: finite(`latency[${route}].ms`, spec.ms, MAX_DELAY_MS) })
      else if (spec && 'percent' in spec)
        latency[route] = Object.freeze({ percent: finite(`latency[${route}].percent`, spec.percent, 10_000) })
      else
        throw new FaultConfigError(
          `${source}.latency[${route}]`,
          'must be { ms } or { percent }',
          'e.g. { ms: 150 } or { percent: 50 }',
        )
    }
    out.latency = Object.freeze(latency)
  }
  if (config.errors && Object.keys(config.errors).length > 0) {
    const errors: Record<string, ErrorFault> = {}
    for (const [route, spec] of Object.entries(config.errors)) {
      checkRoute(`${source}.errors`, route)
      const rate = finite(`errors[${route}].rate`, spec?.rate, 1)
      const status = spec?.status ?? 500
      if (status !== 500 && status !== 503) {
        throw new FaultConfigError(
          `${source}.errors[${route}].status`,
          `${JSON.stringify(status)} is not 500 or 503`,
          'use 500 (a bug) or 503 (overloaded)',
        )
      }
      errors[route] = Object.freeze({ rate, status })
    }
    out.errors = Object.freeze(errors)
  }
  if (config.leakBytes !== undefined && whole('leakBytes', config.leakBytes) > 0) {
    if (config.leakBytes > 64 * 1024 * 1024)
      throw new FaultConfigError(
        `${source}.leakBytes`,
        `${config.leakBytes} bytes per request is more than 64 MiB`,
        'leak less per request and send more requests',
      )
    out.leakBytes = config.leakBytes
  }
  if (config.offheapLeakBytes !== undefined && whole('offheapLeakBytes', config.offheapLeakBytes) > 0) {
    if (config.offheapLeakBytes > 64 * 1024 * 1024) {
      const message = `${config.offheapLeakBytes} bytes per request is more than 64 MiB`
      throw new FaultConfigError(`${source}.offheapLeakBytes`, message, 'leak less per request and send more requests')
    }
    out.offheapLeakBytes = config.offheapLeakBytes
  }
  const tail = config.tail === undefined ? undefined : validateTail(config.tail, `${source}.tail`)
  if (tail !== undefined) out.tail = tail
  if (config.inflight !== undefined) {
    const f = config.inflight as Partial<InflightFault> | null
    if (f === null || typeof f !== 'object') {
      const hint = 'e.g. { msPerRequest: 1.5, above: 2 }'
      throw new FaultConfigError(`${source}.inflight`, 'must be { msPerRequest, above }', hint)
    }
    const msPerRequest = finite('inflight.msPerRequest', f.msPerRequest, MAX_DELAY_MS)
    const above = whole('inflight.above', f.above ?? 0)
    if (msPerRequest > 0) out.inflight = Object.freeze({ msPerRequest, above })
  }
  if (config.driftMsPerOrder !== undefined && finite('driftMsPerOrder', config.driftMsPerOrder, MAX_DELAY_MS) > 0)
    out.driftMsPerOrder = config.driftMsPerOrder
  if (config.contention !== undefined) {
    const c = config.contention as Partial<ContentionFault> | null
    if (c === null || typeof c !== 'object')
      throw new FaultConfigError(`${source}.contention`, 'must be { slots, holdMs }', 'e.g. { slots: 4, holdMs: 20 }')
    const slots = whole('contention.slots', c.slots)
    if (slots < 1 || slots > MAX_SLOTS)
      throw new FaultConfigError(
        `${source}.contention.slots`,
        `${slots} must be from 1 to ${MAX_SLOTS}`,
        'e.g. { slots: 4, holdMs: 20 }',
      )
    const holdMs = finite('contention.holdMs', c.holdMs, MAX_DELAY_MS)
    if (holdMs > 0) out.contention = Object.freeze({ slots, holdMs })
  }
  if (config.crashAfter !== undefined) out.crashAfter = whole('crashAfter', config.crashAfter)
  if (config.seed !== undefined) out.seed = whole('seed', config.seed)
  return Object.freeze(out)
}

const MAX_TAIL_FACTOR = 1000

function validateTail(tail: TailFault | null, source: string): TailFault | undefined {
  if (tail === null || typeof tail !== 'object') {
    throw new FaultConfigError(source, 'must be { share, factor }', 'e.g. { share: 0.03, factor: 8 }')
  }
  const { share, factor } = tail
  if (typeof share !== 'number' || !(share >= 0 && share <= 1)) {
    const message = `${JSON.stringify(share)} must be a share from 0 to 1 (or 0% to 100%)`
    throw new FaultConfigError(`${source}.share`, message, 'e.g. 0.03 or 3%')
  }
  if (typeof factor !== 'number' || !(factor > 1 && factor <= MAX_TAIL_FACTOR)) {
    const message = `${JSON.stringify(factor)} must be above 1 and at most ${MAX_TAIL_FACTOR}`
    throw new FaultConfigError(`${source}.factor`, message, 'a factor of 1 slows nothing; write e.g. 3%x8')
  }
  return share > 0 ? Object.freeze({ share, factor }) : undefined
}

/** Formats milliseconds for headers and logs: at most three decimals, no trailing zeros (`150ms`, `0.042ms`). */
export function formatMs(ms: number): string {
  return `${Number(ms.toFixed(3))}ms`
}

/** One line per active switch, in env-var syntax, for the startup banner and `/health`. */
export function describeFaults(config: FaultConfig): string[] {
  const lines: string[] = []
  if (config.latency) {
    const items = Object.entries(config.latency).map(
      ([r, s]) => `${r}=${'ms' in s ? formatMs(s.ms) : `+${s.percent}%`}`,
    )
    lines.push(`${FAULT_ENV.latency}=${items.join(',')}`)
  }
  if (config.errors) {
    const items = Object.entries(config.errors).map(([r, s]) => `${r}=${s.rate}:${s.status ?? 500}`)
    lines.push(`${FAULT_ENV.errors}=${items.join(',')}`)
  }
  if (config.leakBytes) lines.push(`${FAULT_ENV.leakBytes}=${config.leakBytes}`)
  if (config.offheapLeakBytes) lines.push(`${FAULT_ENV.offheapLeakBytes}=${config.offheapLeakBytes}`)
  if (config.tail) lines.push(`${FAULT_ENV.tail}=${config.tail.share}x${config.tail.factor}`)
  if (config.inflight) {
    lines.push(`${FAULT_ENV.inflight}=${formatMs(config.inflight.msPerRequest)}/inflight:${config.inflight.above}`)
  }
  if (config.driftMsPerOrder) lines.push(`${FAULT_ENV.driftMsPerOrder}=${formatMs(config.driftMsPerOrder)}/order`)
  if (config.contention)
    lines.push(`${FAULT_ENV.contention}=${config.contention.slots}x${formatMs(config.contention.holdMs)}`)
  if (config.crashAfter !== undefined) lines.push(`${FAULT_ENV.crashAfter}=${config.crashAfter}`)
  if (config.seed !== undefined && (config.errors || config.tail)) lines.push(`${FAULT_ENV.seed}=${config.seed}`)
  return lines
}

/** What to do to one request before its handler runs. */
export interface PreDecision {
  /** Delay before the handler (ms), the sum of the parts below (contention waits on its pool, see `ContentionPool`). */
  readonly delayMs: number
  readonly latencyMs: number
  readonly driftMs: number
  /** Answer this status instead of running the handler. */
  readonly errorStatus: number | undefined
  /** Bytes retained for this request. */
  readonly leakBytes: number
  /** Bytes retained outside the V8 heap for this request. */
  readonly offheapLeakBytes: number
  /** Extra latency for the requests in flight (ms), included in `delayMs`. */
  readonly inflightMs: number
  /** The requests in flight the in-flight switch counted (itself included); 0 when it is off. */
  readonly inflightCount: number
  /** The factor this request's time is multiplied by after the handler, when the tail switch picked it. */
  readonly tailFactor: number | undefined
  /** The percent of the handling time to add after the handler, if the route has a percent latency. */
  readonly latencyPercent: number | undefined
}

/**
 * The run-time side of the switches: counters and deterministic decisions.
 * `FaultInjector` is pure bookkeeping so it can be tested without a server.
 */
export class FaultInjector {
  readonly config: FaultConfig
  #apiRequests = 0
  #spreadCounts = new Map<string, number>()
  #spreadPhase = new Map<string, number>()

  constructor(config: FaultConfig) {
    this.config = config
  }

  /** `/api/*` requests counted so far (the crash switch counts these). */
  get apiRequests(): number {
    return this.#apiRequests
  }

  /** Requests left before the crash switch fires, or undefined when it is off. */
  get crashRemaining(): number | undefined {
    return this.config.crashAfter === undefined ? undefined : Math.max(0, this.config.crashAfter - this.#apiRequests)
  }

  /**
   * Counts an `/api/*` request; true when it is the one the crash switch
   * fires on (request number `crashAfter + 1`).
   */
  countApiRequest(): boolean {
    this.#apiRequests++
    return this.config.crashAfter !== undefined && this.#apiRequests > this.config.crashAfter
  }

  /**
   * Whether the next request to `route` fails. The decisions spread errors
   * evenly with a seeded phase: over any N consecutive requests to a route the
   * number of errors is ⌊N·rate⌋ or ⌈N·rate⌉, and which requests fail depends
   * only on the seed, so a test can count them.
   */
  #nextIsPicked(key: string, rate: number): boolean {
    if (rate <= 0) return false
    if (rate >= 1) return true
    let phase = this.#spreadPhase.get(key)
    if (phase === undefined) {
      phase = mulberry32(fnv1a(key) ^ (this.config.seed ?? 1))()
      this.#spreadPhase.set(key, phase)
    }
    const n = (this.#spreadCounts.get(key) ?? 0) + 1
    this.#spreadCounts.set(key, n)
    return Math.floor(n * rate + phase) > Math.floor((n - 1) * rate + phase)
  }

  #forRoute<T>(table: Readonly<Record<string, T>> | undefined, route: string, api: boolean): T | undefined {
    if (!table) return undefined
    return table[route] ?? (api ? table[WILDCARD] : undefined)
  }

  /**
   * Decides the faults for one request to `route`. `api` says whether it is an
   * `/api/*` route (the global switches act only on those); `orders` the
   * number of orders created so far; `inflight` the `/api/*` requests in
   * flight now, this one included.
   */
  decide(route: string, api: boolean, orders: number, inflight = 0): PreDecision {
    const c = this.config
    const lat = this.#forRoute(c.latency, route, api)
    const err = this.#forRoute(c.errors, route, api)
    const latencyMs = lat && 'ms' in lat ? lat.ms : 0
    const driftMs = api && c.driftMsPerOrder ? c.driftMsPerOrder * orders : 0
    const errorStatus = err && this.#nextIsPicked(route, err.rate) ? (err.status ?? 500) : undefined
    const inflightCount = api && c.inflight ? inflight : 0
    const inflightMs = c.inflight ? c.inflight.msPerRequest * Math.max(0, inflightCount - c.inflight.above) : 0
    // The tail's key cannot be a route template, so its picks never share a sequence with a route's errors.
    const tailFactor = api && c.tail && this.#nextIsPicked('tail:*', c.tail.share) ? c.tail.factor : undefined
    return {
      delayMs: latencyMs + driftMs + inflightMs,
      latencyMs,
      driftMs,
      errorStatus,
      leakBytes: api && c.leakBytes ? c.leakBytes : 0,
      offheapLeakBytes: api && c.offheapLeakBytes ? c.offheapLeakBytes : 0,
      inflightMs,
      inflightCount,
      tailFactor,
      latencyPercent: lat && 'percent' in lat ? lat.percent : undefined,
    }
  }
}

/** A timer the pool can be driven by: real timers by default, a test's own otherwise. */
export interface PoolTimers {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

const realTimers: PoolTimers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms)
    // A hold must not keep a closing store alive.
    t.unref()
    return t
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
}

/**
 * The run-time side of the contention switch (see `ContentionFault`): a
 * first-come-first-served pool of slots, each released `holdMs` after it was
 * taken (the request waits that long too). `acquire()` resolves with the time
 * the request waited for its slot, in ms.
 */
export class ContentionPool {
  readonly slots: number
  readonly holdMs: number
  readonly #timers: PoolTimers
  #busy = 0
  readonly #waiting: Array<{ since: number; resolve: (waitedMs: number) => void }> = []
  readonly #holds = new Set<unknown>()

  constructor(fault: ContentionFault, timers: PoolTimers = realTimers) {
    this.slots = fault.slots
    this.holdMs = fault.holdMs
    this.#timers = timers
  }

  /** Slots busy now. */
  get busy(): number {
    return this.#busy
  }

  /** Requests waiting for a slot now. */
  get waiting(): number {
    return this.#waiting.length
  }

  /** Waits for a free slot and takes it; resolves with the wait in ms (0 when one was free). */
  acquire(): Promise<number> {
    if (this.#busy < this.slots && this.#waiting.length === 0) {
      this.#take()
      return Promise.resolve(0)
    }
    return new Promise((resolve) => this.#waiting.push({ since: this.#timers.now(), resolve }))
  }

  /** Frees every slot and lets every waiter through (the store is closing). */
  drain(): void {
    for (const h of this.#holds) this.#timers.clearTimeout(h)
    this.#holds.clear()
    this.#busy = 0
    for (const w of this.#waiting.splice(0)) w.resolve(this.#timers.now() - w.since)
  }

  #take(): void {
    this.#busy++
    const handle = this.#timers.setTimeout(() => {
      this.#holds.delete(handle)
      this.#busy--
      const next = this.#waiting.shift()
      if (next) {
        this.#take()
        next.resolve(this.#timers.now() - next.since)
      }
    }, this.holdMs)
    this.#holds.add(handle)
  }
}
