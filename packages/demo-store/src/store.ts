/**
 * `createStore()`: the demo store as an object a program or a test can start
 * and stop. It wires the services and routes to a `node:http` server and runs
 * every request through the same steps: match the route, apply the fault
 * switches, run the handler, answer JSON, record the duration.
 */
import { randomUUID } from 'node:crypto'
import { STATUS_CODES, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { Auth, DEFAULT_REJECTED_PASSWORD } from './auth.ts'
import { Carts } from './cart.ts'
import { buildCatalogue } from './catalogue.ts'
import { ContentionPool, FaultInjector, formatMs, validateFaults, type FaultConfig } from './faults.ts'
import { mulberry32 } from '@steady/kernel'
import { DEFAULT_MAX_BODY_BYTES, HttpError, json, readJson, type Reply } from './http.ts'
import { StoreMetrics } from './metrics.ts'
import { DEFAULT_ORDER_DELAY_MS, Orders } from './orders.ts'
import { Router } from './router.ts'
import { cartRoutes } from './routes/cart.ts'
import { loginRoutes } from './routes/login.ts'
import { orderRoutes } from './routes/orders.ts'
import { productRoutes } from './routes/products.ts'
import { systemRoutes } from './routes/system.ts'
import { UNMATCHED_ROUTE } from './routes/templates.ts'
import type { Services } from './routes/types.ts'

/** What the crash switch reports before the store dies. */
export interface CrashInfo {
  /** The `/api/*` request number that fired the switch (`crashAfter + 1`). */
  readonly request: number
  readonly crashAfter: number
}

/** The exit code of a crash the switch caused (what an uncaught exception exits with). */
const CRASH_EXIT_CODE = 1

export interface StoreOptions {
  /** Fault switches (default: none). Validated; see `parseFaults` for the env-var form. */
  readonly faults?: FaultConfig
  /**
   * Time each `/api/*` request spends waiting, as on a database call, in ms
   * (default 0: the store answers in well under a millisecond). Each request
   * waits between half and one and a half times this, picked by a seeded
   * generator. It gives the multiplicative switches (`+P%` latency, the tail)
   * a realistic time to multiply.
   */
  readonly serviceTimeMs?: number
  /** Time per fulfilment step, pending → paid → shipped, in ms (default 300). */
  readonly orderDelayMs?: number
  /** The password that answers 401 at login (default `'wrong'`). */
  readonly rejectedPassword?: string
  /** Largest request body accepted, in bytes (default 16 KiB); larger answers 413. */
  readonly maxBodyBytes?: number
  /**
   * How many users, tokens, carts and orders the store keeps (default
   * 10,000 each; the oldest go first), so a healthy store's memory stays flat
   * over a long soak.
   */
  readonly maxRecords?: number
  /** How long `close()` waits for in-flight requests before cutting connections, in ms (default 5000). */
  readonly shutdownGraceMs?: number
  /**
   * What the crash switch does (default: write a line to stderr and exit the
   * process with code 1, abruptly, as a real crash would). Tests that run a
   * store in-process pass their own. The request that fired it is dropped
   * without an answer either way.
   */
  readonly onCrash?: (info: CrashInfo) => void
  /** Where the store writes the few lines it logs (unexpected errors, the crash); default stderr. */
  readonly log?: (line: string) => void
}

export interface Store {
  /** Starts listening (default port 0 = any free port, host 127.0.0.1) and resolves with the URL. */
  listen(port?: number, host?: string): Promise<{ url: string; port: number; host: string }>
  /** Stops accepting, lets in-flight requests finish (up to `shutdownGraceMs`), stops the order worker. */
  close(): Promise<void>
  /** The base URL once listening (`http://127.0.0.1:43125`). */
  readonly url: string | undefined
  /** The underlying server, for what this interface does not cover. */
  readonly server: Server
  /** The fault switches in force, validated. */
  readonly faults: FaultConfig
}

const defaultLog = (line: string): void => {
  process.stderr.write(`${line}\n`)
}

/** Creates a demo store. Nothing listens until `listen()`. */
export function createStore(options: StoreOptions = {}): Store {
  const faults = validateFaults(options.faults ?? {})
  const log = options.log ?? defaultLog
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const maxRecords = options.maxRecords ?? 10_000
  const orderDelayMs = options.orderDelayMs ?? DEFAULT_ORDER_DELAY_MS
  if (!Number.isFinite(orderDelayMs) || orderDelayMs < 0)
    throw new RangeError(`orderDelayMs must be a number ≥ 0, got ${orderDelayMs}`)
  const serviceTimeMs = options.serviceTimeMs ?? 0
  if (!(serviceTimeMs >= 0 && serviceTimeMs <= 60_000)) {
    throw new RangeError(`serviceTimeMs must be a number from 0 to 60000, got ${serviceTimeMs}`)
  }
  const serviceJitter = mulberry32(faults.seed ?? 1)
  const onCrash =
    options.onCrash ??
    ((info: CrashInfo) => {
      log(
        `demo-store: injected crash: API request ${info.request} arrived after STORE_FAULT_CRASH_AFTER=${info.crashAfter}; exiting with code ${CRASH_EXIT_CODE}`,
      )
      process.exit(CRASH_EXIT_CODE)
    })

  const injector = new FaultInjector(faults)
  const pool = faults.contention ? new ContentionPool(faults.contention) : undefined
  const products = buildCatalogue()
  const productsById = new Map(products.map((p) => [p.id, p]))
  const orders = new Orders(orderDelayMs, maxRecords)
  const metrics = new StoreMetrics({
    ordersByState: () => orders.countByState(),
    crashRemaining: () => injector.crashRemaining,
    contention: () => (pool ? { waiting: pool.waiting, busy: pool.busy } : undefined),
  })
  const services: Services = {
    products,
    productsById,
    auth: new Auth(options.rejectedPassword ?? DEFAULT_REJECTED_PASSWORD, maxRecords),
    carts: new Carts(productsById, maxRecords),
    orders,
    metrics,
    faults,
    startedAt: new Date(),
  }
  const router = new Router([
    ...systemRoutes(services),
    ...loginRoutes(services),
    ...productRoutes(services),
    ...cartRoutes(services),
    ...orderRoutes(services),
  ])

  /** What the leak switch holds on to: never read, only kept. */
  // Plain JS arrays of doubles, so the leak shows in the V8 heap (heap used), as a
  // leak of objects does in a real service; a Buffer would live outside the heap.
  let leaked: number[][] = []
  let leakedBytes = 0
  /** What the off-heap leak switch holds on to: Buffers, outside the V8 heap. */
  let offheap: Buffer[] = []
  let offheapBytes = 0
  let inflight = 0
  let closing = false
  let url: string | undefined

  const server = createServer({ keepAliveTimeout: 5000 }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      // handle() answers every error itself; this is the last net.
      log(`demo-store: unexpected error: ${(err as Error)?.stack ?? String(err)}`)
      if (!res.headersSent && !res.destroyed)
        send(req, res, json(500, { error: 'internal', message: 'unexpected error' }), [])
    })
  })
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => answerClientError(err, socket))

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const start = process.hrtime.bigint()
    const method = req.method ?? 'GET'
    const { path, query } = splitUrl(req.url ?? '/')
    let routeLabel: string = UNMATCHED_ROUTE
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9
      metrics.requestDuration.observe({ method, route: routeLabel, status_code: String(res.statusCode) }, seconds)
    })
    res.on('error', () => {})

    let match
    try {
      match = router.match(method, path)
    } catch (err) {
      return send(req, res, replyFor(err), [])
    }
    if (match.kind === 'not-found')
      return send(req, res, json(404, { error: 'not_found', message: `no route for ${method} ${path}` }), [])
    if (match.kind === 'method-not-allowed') {
      routeLabel = match.template
      if (method === 'OPTIONS') return send(req, res, { status: 204, headers: { allow: match.allow } }, [])
      const reply = json(
        405,
        {
          error: 'method_not_allowed',
          message: `${method} is not allowed on ${match.template}; allowed: ${match.allow}`,
        },
        { allow: match.allow },
      )
      return send(req, res, reply, [])
    }
    const { route, params } = match
    routeLabel = route.template
    const api = route.template.startsWith('/api/')

    if (api) {
      if (injector.countApiRequest()) {
        metrics.injected('crash')
        // Dropped without an answer, as a dying process drops it.
        req.socket.destroy()
        onCrash({ request: injector.apiRequests, crashAfter: faults.crashAfter ?? 0 })
        return
      }
      inflight++
      metrics.inflight.set(inflight)
      res.once('close', () => {
        inflight--
        metrics.inflight.set(inflight)
      })
    }

    // How many more API requests the crash switch lets through, reported on each one.
    const crashLeft = api ? injector.crashRemaining : undefined
    const report: string[] = []
    if (api && pool) {
      // Wait for a slot, then hold it while the request is handled (the pool frees it after the hold).
      const waitedMs = await pool.acquire()
      await sleep(pool.holdMs)
      metrics.injected('contention', waitedMs + pool.holdMs)
      report.push(`contention=${formatMs(waitedMs + pool.holdMs)};wait=${formatMs(waitedMs)}`)
    }
    const decision = injector.decide(route.template, api, orders.created, inflight)
    if (decision.offheapLeakBytes > 0) {
      // allocUnsafeSlow: memory of its own, not a slice of Node's shared pool; filled so
      // that every page is written and counts in resident memory.
      offheap.push(Buffer.allocUnsafeSlow(decision.offheapLeakBytes).fill((offheap.length & 0xff) | 1))
      offheapBytes += decision.offheapLeakBytes
      metrics.offheapRetained.set(offheapBytes)
      metrics.injected('offheap')
      report.push(`offheap=${decision.offheapLeakBytes}`)
    }
    if (decision.inflightMs > 0) {
      metrics.injected('inflight', decision.inflightMs)
      report.push(`inflight=${formatMs(decision.inflightMs)};count=${decision.inflightCount}`)
    }
    if (decision.leakBytes > 0) {
      leaked.push(new Array<number>(Math.ceil(decision.leakBytes / 8)).fill(leaked.length + 0.5))
      leakedBytes += decision.leakBytes
      metrics.leakRetained.set(leakedBytes)
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
    if (decision.delayMs > 0) await sleep(decision.delayMs)
    // The service time is the handler's own wait (a database call): an injected error skips the handler, and it.
    if (api && serviceTimeMs > 0 && decision.errorStatus === undefined) {
      await sleep(serviceTimeMs * (0.5 + serviceJitter()))
    }

    let reply: Reply
    if (decision.errorStatus !== undefined) {
      metrics.injected('error')
      report.push(`error=${decision.errorStatus}`)
      const headers: Record<string, string> = decision.errorStatus === 503 ? { 'retry-after': '1' } : {}
      reply = json(
        decision.errorStatus,
        {
          error: decision.errorStatus === 503 ? 'unavailable' : 'internal',
          message: `injected error on ${route.template} (STORE_FAULT_ERRORS)`,
        },
        headers,
      )
    } else {
      try {
        reply = await route.handle({
          req,
          params,
          query,
          body: (required = true) => readJson(req, maxBodyBytes, required),
        })
      } catch (err) {
        reply = replyFor(err)
      }
    }

    // The multiplicative switches act on what this request has cost so far
    // (its handling, the service time and any delay injected above), each on the same base.
    const baseMs = Number(process.hrtime.bigint() - start) / 1e6
    let extraMs = 0
    if (decision.latencyPercent !== undefined) {
      const pctMs = (baseMs * decision.latencyPercent) / 100
      metrics.injected('latency', pctMs)
      report.push(`latency=${formatMs(pctMs)};percent=${decision.latencyPercent};base=${formatMs(baseMs)}`)
      extraMs += pctMs
    }
    if (decision.tailFactor !== undefined) {
      const tailMs = baseMs * (decision.tailFactor - 1)
      metrics.injected('tail', tailMs)
      report.push(`tail=${formatMs(tailMs)};factor=${decision.tailFactor};base=${formatMs(baseMs)}`)
      extraMs += tailMs
    }
    if (extraMs > 0) await sleep(extraMs)
    if (crashLeft !== undefined) report.push(`crash=${crashLeft}`)
    send(req, res, reply, report)
  }

  function replyFor(err: unknown): Reply {
    if (err instanceof HttpError) return err.reply
    log(`demo-store: unexpected error: ${(err as Error)?.stack ?? String(err)}`)
    return json(500, { error: 'internal', message: 'unexpected error' })
  }

  function send(req: IncomingMessage, res: ServerResponse, reply: Reply, report: string[]): void {
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

  return {
    get url() {
      return url
    },
    server,
    faults,
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        const onError = (err: Error) => reject(err)
        server.once('error', onError)
        server.listen(port, host, () => {
          server.off('error', onError)
          const address = server.address()
          const actual = typeof address === 'object' && address ? address.port : port
          url = `http://${host.includes(':') ? `[${host}]` : host}:${actual}`
          resolve({ url, port: actual, host })
        })
      })
    },
    close() {
      closing = true
      orders.stop()
      // Requests waiting on the contention pool are let through, so they can be answered.
      pool?.drain()
      return new Promise<void>((resolve) => {
        const release = () => {
          clearTimeout(grace)
          leaked = []
          leakedBytes = 0
          offheap = []
          offheapBytes = 0
          resolve()
        }
        const grace = setTimeout(() => server.closeAllConnections(), options.shutdownGraceMs ?? 5000)
        grace.unref()
        if (!server.listening) return release()
        // Stops accepting; resolves once in-flight requests are answered and their connections closed.
        server.close(() => release())
        server.closeIdleConnections()
      })
    },
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Splits a request target into its path and query; absolute-form targets (`http://h/p`) are reduced to their path. */
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

/** A request Node's parser rejected (bad request line, headers too large) still gets a JSON answer. */
function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy()
    return
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400
  const body = JSON.stringify({
    error: 'bad_request',
    message: `the request could not be parsed (${err.code ?? 'unknown'})`,
  })
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  )
}
