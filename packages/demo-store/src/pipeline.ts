/**
 * The steps every request of the demo store goes through, in order: match the
 * route, count it against the crash switch, apply the fault switches, run the
 * handler, stretch the answer by the multiplicative switches, answer JSON.
 * `createStore()` in store.ts owns the server and the state these steps share.
 */
import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { formatMs, type ContentionPool, type FaultConfig, type FaultInjector, type PreDecision } from './faults.ts'
import { HttpError, json, readJson, type Reply } from './http.ts'
import type { StoreMetrics } from './metrics.ts'
import type { Orders } from './orders.ts'
import type { Router } from './router.ts'
import { UNMATCHED_ROUTE } from './routes/templates.ts'
import type { Route } from './routes/types.ts'

/** What the request steps share with the store that created them. */
export interface Pipeline {
  readonly faults: FaultConfig
  readonly injector: FaultInjector
  readonly pool: ContentionPool | undefined
  readonly router: Router
  readonly orders: Orders
  readonly metrics: StoreMetrics
  readonly retained: RetainedMemory
  readonly serviceTimeMs: number
  readonly serviceJitter: () => number
  readonly maxBodyBytes: number
  readonly onCrash: (info: { request: number; crashAfter: number }) => void
  readonly log: (line: string) => void
  /** Requests in flight and whether the store is closing, changed as requests come and go. */
  readonly state: { inflight: number; closing: boolean }
}

/** What the leak switches hold on to: never read, only kept, until the store closes. */
export class RetainedMemory {
  // Plain JS arrays of doubles, so the leak shows in the V8 heap (heap used), as a
  // leak of objects does in a real service; a Buffer would live outside the heap.
  #leaked: number[][] = []
  #leakedBytes = 0
  /** What the off-heap leak switch holds on to: Buffers, outside the V8 heap. */
  #offheap: Buffer[] = []
  #offheapBytes = 0

  /** Keeps `bytes` more on the V8 heap; returns the total kept. */
  leak(bytes: number): number {
    this.#leaked.push(new Array<number>(Math.ceil(bytes / 8)).fill(this.#leaked.length + 0.5))
    this.#leakedBytes += bytes
    return this.#leakedBytes
  }

  /** Keeps `bytes` more outside the V8 heap; returns the total kept. */
  leakOffheap(bytes: number): number {
    // allocUnsafeSlow: memory of its own, not a slice of Node's shared pool; filled so
    // that every page is written and counts in resident memory.
    this.#offheap.push(Buffer.allocUnsafeSlow(bytes).fill((this.#offheap.length & 0xff) | 1))
    this.#offheapBytes += bytes
    return this.#offheapBytes
  }

  release(): void {
    this.#leaked = []
    this.#leakedBytes = 0
    this.#offheap = []
    this.#offheapBytes = 0
  }
}

/** Answers one request; every error it meets is answered too. */
export async function handleRequest(p: Pipeline, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const start = process.hrtime.bigint()
  const method = req.method ?? 'GET'
  const { path, query } = splitUrl(req.url ?? '/')
  const label = { route: UNMATCHED_ROUTE as string }
  res.on('finish', () => {
    const seconds = Number(process.hrtime.bigint() - start) / 1e9
    p.metrics.requestDuration.observe({ method, route: label.route, status_code: String(res.statusCode) }, seconds)
  })
  res.on('error', () => {})

  const matched = matchRoute(p, req, res, method, path, label)
  if (!matched) return
  const { route, params } = matched
  const api = route.template.startsWith('/api/')
  if (api && !admitApiRequest(p, req, res)) return

  // How many more API requests the crash switch lets through, reported on each one.
  const crashLeft = api ? p.injector.crashRemaining : undefined
  const report: string[] = []
  if (api && p.pool) {
    // Wait for a slot, then hold it while the request is handled (the pool frees it after the hold).
    const waitedMs = await p.pool.acquire()
    await sleep(p.pool.holdMs)
    p.metrics.injected('contention', waitedMs + p.pool.holdMs)
    report.push(`contention=${formatMs(waitedMs + p.pool.holdMs)};wait=${formatMs(waitedMs)}`)
  }
  const decision = p.injector.decide(route.template, api, p.orders.created, p.state.inflight)
  applyBeforeHandler(p, decision, report)
  if (decision.delayMs > 0) await sleep(decision.delayMs)
  // The service time is the handler's own wait (a database call): an injected error skips the handler, and it.
  if (api && p.serviceTimeMs > 0 && decision.errorStatus === undefined) {
    await sleep(p.serviceTimeMs * (0.5 + p.serviceJitter()))
  }
  const reply =
    decision.errorStatus !== undefined
      ? injectedError(p, decision.errorStatus, route, report)
      : await runHandler(p, route, req, params, query)
  await stretchAfterHandler(p, decision, start, report)
  if (crashLeft !== undefined) report.push(`crash=${crashLeft}`)
  send(req, res, reply, report, p.state.closing)
}

/** The route of a request, or undefined once a 404, 405 or 204 (OPTIONS) has been sent for it. */
function matchRoute(
  p: Pipeline,
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  path: string,
  label: { route: string },
): { route: Route; params: Record<string, string> } | undefined {
  let match
  try {
    match = p.router.match(method, path)
  } catch (err) {
    send(req, res, replyFor(p, err), [], p.state.closing)
    return undefined
  }
  if (match.kind === 'not-found') {
    const reply = json(404, { error: 'not_found', message: `no route for ${method} ${path}` })
    send(req, res, reply, [], p.state.closing)
    return undefined
  }
  if (match.kind === 'method-not-allowed') {
    label.route = match.template
    if (method === 'OPTIONS') {
      send(req, res, { status: 204, headers: { allow: match.allow } }, [], p.state.closing)
      return undefined
    }
    const reply = json(
      405,
      {
        error: 'method_not_allowed',
        message: `${method} is not allowed on ${match.template}; allowed: ${match.allow}`,
      },
      { allow: match.allow },
    )
    send(req, res, reply, [], p.state.closing)
    return undefined
  }
  label.route = match.route.template
  return { route: match.route, params: match.params }
}

/**
 * Counts an API request against the crash switch and in flight. False when the
 * switch fired: the request is dropped without an answer, as a dying process drops it.
 */
function admitApiRequest(p: Pipeline, req: IncomingMessage, res: ServerResponse): boolean {
  if (p.injector.countApiRequest()) {
    p.metrics.injected('crash')
    req.socket.destroy()
    p.onCrash({ request: p.injector.apiRequests, crashAfter: p.faults.crashAfter ?? 0 })
    return false
  }
  p.state.inflight++
  p.metrics.inflight.set(p.state.inflight)
  res.once('close', () => {
    p.state.inflight--
    p.metrics.inflight.set(p.state.inflight)
  })
  return true
}

/** The switches that act before the handler: memory kept, and the delays counted in `delayMs`. */
function applyBeforeHandler(p: Pipeline, decision: PreDecision, report: string[]): void {
  const { metrics } = p
  if (decision.offheapLeakBytes > 0) {
    metrics.offheapRetained.set(p.retained.leakOffheap(decision.offheapLeakBytes))
    metrics.injected('offheap')
    report.push(`offheap=${decision.offheapLeakBytes}`)
  }
  if (decision.inflightMs > 0) {
    metrics.injected('inflight', decision.inflightMs)
    report.push(`inflight=${formatMs(decision.inflightMs)};count=${decision.inflightCount}`)
  }
  if (decision.leakBytes > 0) {
    metrics.leakRetained.set(p.retained.leak(decision.leakBytes))
    metrics.injected('leak')
    report.push(`leak=${decision.leakBytes}`)
  }
  if (decision.driftMs > 0) {
    metrics.injected('drift', decision.driftMs)
    report.push(`drift=${formatMs(decision.driftMs)}`)
  }
  if (decision.latencyMs > 0) {
    metrics.injected('latency', decision.latencyMs)
    report.push(`latency=${formatMs(decision.latencyMs)}`)
  }
}

/** The answer of the error switch, in place of the handler's. */
function injectedError(p: Pipeline, status: number, route: Route, report: string[]): Reply {
  p.metrics.injected('error')
  report.push(`error=${status}`)
  const headers: Record<string, string> = status === 503 ? { 'retry-after': '1' } : {}
  return json(
    status,
    {
      error: status === 503 ? 'unavailable' : 'internal',
      message: `injected error on ${route.template} (STORE_FAULT_ERRORS)`,
    },
    headers,
  )
}

async function runHandler(
  p: Pipeline,
  route: Route,
  req: IncomingMessage,
  params: Record<string, string>,
  query: URLSearchParams,
): Promise<Reply> {
  try {
    return await route.handle({
      req,
      params,
      query,
      body: (required = true) => readJson(req, p.maxBodyBytes, required),
    })
  } catch (err) {
    return replyFor(p, err)
  }
}

/**
 * The multiplicative switches act on what this request has cost so far
 * (its handling, the service time and any delay injected before), each on the same base.
 */
async function stretchAfterHandler(p: Pipeline, decision: PreDecision, start: bigint, report: string[]): Promise<void> {
  const baseMs = Number(process.hrtime.bigint() - start) / 1e6
  let extraMs = 0
  if (decision.latencyPercent !== undefined) {
    const pctMs = (baseMs * decision.latencyPercent) / 100
    p.metrics.injected('latency', pctMs)
    report.push(`latency=${formatMs(pctMs)};percent=${decision.latencyPercent};base=${formatMs(baseMs)}`)
    extraMs += pctMs
  }
  if (decision.tailFactor !== undefined) {
    const tailMs = baseMs * (decision.tailFactor - 1)
    p.metrics.injected('tail', tailMs)
    report.push(`tail=${formatMs(tailMs)};factor=${decision.tailFactor};base=${formatMs(baseMs)}`)
    extraMs += tailMs
  }
  if (extraMs > 0) await sleep(extraMs)
}

function replyFor(p: Pipeline, err: unknown): Reply {
  if (err instanceof HttpError) return err.reply
  p.log(`demo-store: unexpected error: ${(err as Error)?.stack ?? String(err)}`)
  return json(500, { error: 'internal', message: 'unexpected error' })
}

/** Writes a reply with the store's headers: request id, fault report, `connection: close` while closing. */
export function send(
  req: IncomingMessage,
  res: ServerResponse,
  reply: Reply,
  report: string[],
  closing: boolean,
): void {
  if (res.headersSent || res.destroyed) return
  const incoming = req.headers['x-request-id']
  const headers: Record<string, string> = {
    'cache-control': 'no-store',
    'x-request-id': typeof incoming === 'string' && /^[\w.:-]{1,128}$/.test(incoming) ? incoming : randomUUID(),
  }
  let payload: string | undefined
  if (reply.text !== undefined) {
    payload = reply.text
    headers['content-type'] = 'text/plain; charset=utf-8'
  } else if (reply.body !== undefined) {
    payload = JSON.stringify(reply.body)
    headers['content-type'] = 'application/json; charset=utf-8'
  }
  Object.assign(headers, reply.headers)
  if (report.length > 0) headers['x-store-fault'] = report.join(', ')
  if (closing) headers.connection = 'close'
  if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload))
  res.writeHead(reply.status, headers)
  res.end(payload)
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * Splits a request target into its path and query; absolute-form targets
 * (`http://h/p`) are reduced to their path.
 */
function splitUrl(target: string): { path: string; query: URLSearchParams } {
  let t = target
  if (/^https?:\/\//i.test(t)) {
    try {
      const u = new URL(t)
      t = u.pathname + u.search
    } catch {
      t = '/'
    }
  }
  const q = t.indexOf('?')
  return { path: q === -1 ? t : t.slice(0, q), query: new URLSearchParams(q === -1 ? '' : t.slice(q + 1)) }
}
