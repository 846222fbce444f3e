/**
 * `createStore()`: the demo store as an object a program or a test can start
 * and stop. It wires the services and routes to a `node:http` server and runs
 * every request through the same steps (pipeline.ts): match the route, apply
 * the fault switches, run the handler, answer JSON, record the duration.
 */
import { STATUS_CODES, createServer, type Server } from 'node:http'
import type { Socket } from 'node:net'
import { Auth, DEFAULT_REJECTED_PASSWORD } from './auth.ts'
import { Carts } from './cart.ts'
import { buildCatalogue } from './catalogue.ts'
import { ContentionPool, FaultInjector, validateFaults, type FaultConfig } from './faults.ts'
import { mulberry32 } from '@steady/kernel'
import { DEFAULT_MAX_BODY_BYTES, json } from './http.ts'
import { StoreMetrics } from './metrics.ts'
import { DEFAULT_ORDER_DELAY_MS, Orders } from './orders.ts'
import { Router } from './router.ts'
import { cartRoutes } from './routes/cart.ts'
import { loginRoutes } from './routes/login.ts'
import { orderRoutes } from './routes/orders.ts'
import { productRoutes } from './routes/products.ts'
import { systemRoutes } from './routes/system.ts'
import { handleRequest, RetainedMemory, send, type Pipeline } from './pipeline.ts'
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
  const pipeline = buildPipeline(options, faults)
  const { orders, pool, retained, state } = pipeline
  let url: string | undefined

  const server = createServer({ keepAliveTimeout: 5000 }, (req, res) => {
    handleRequest(pipeline, req, res).catch((err: unknown) => {
      // handleRequest() answers every error itself; this is the last net.
      pipeline.log(`demo-store: unexpected error: ${(err as Error)?.stack ?? String(err)}`)
      if (!res.headersSent && !res.destroyed)
        send(req, res, json(500, { error: 'internal', message: 'unexpected error' }), [], state.closing)
    })
  })
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => answerClientError(err, socket))

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
      state.closing = true
      orders.stop()
      // Requests waiting on the contention pool are let through, so they can be answered.
      pool?.drain()
      return new Promise<void>((resolve) => {
        const release = () => {
          clearTimeout(grace)
          retained.release()
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

/** Checks the options and builds the services, routes and fault machinery a store's requests share. */
function buildPipeline(options: StoreOptions, faults: FaultConfig): Pipeline {
  const log = options.log ?? defaultLog
  const maxRecords = options.maxRecords ?? 10_000
  const orderDelayMs = options.orderDelayMs ?? DEFAULT_ORDER_DELAY_MS
  if (!Number.isFinite(orderDelayMs) || orderDelayMs < 0)
    throw new RangeError(`orderDelayMs must be a number ≥ 0, got ${orderDelayMs}`)
  const serviceTimeMs = options.serviceTimeMs ?? 0
  if (!(serviceTimeMs >= 0 && serviceTimeMs <= 60_000)) {
    throw new RangeError(`serviceTimeMs must be a number from 0 to 60000, got ${serviceTimeMs}`)
  }
  const onCrash =
    options.onCrash ??
    ((info: CrashInfo) => {
      log(
        `demo-store: injected crash: API request ${info.request} arrived after ` +
          `STORE_FAULT_CRASH_AFTER=${info.crashAfter}; exiting with code ${CRASH_EXIT_CODE}`,
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
  return {
    faults,
    injector,
    pool,
    router,
    orders,
    metrics,
    retained: new RetainedMemory(),
    serviceTimeMs,
    serviceJitter: mulberry32(faults.seed ?? 1),
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    onCrash,
    log,
    state: { inflight: 0, closing: false },
  }
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
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
  ]
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`)
}
