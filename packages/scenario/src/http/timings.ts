/**
 * Request timings without AsyncLocalStorage (which costs more per request than
 * the HTTP parsing itself on Node 20): connect and TLS are measured by a
 * wrapped undici connector and kept per socket; the socket a request goes out
 * on comes from undici's `undici:client:sendHeaders` diagnostics channel, which
 * undici publishes synchronously right after it called the request handler's
 * `onRequestStart`, so the handler that started last is the one it belongs to.
 */
import { subscribe } from 'node:diagnostics_channel'
import type { Socket } from 'node:net'
import { buildConnector } from 'undici'

/** Where the time of one request went, in milliseconds (k6's `http_req_*` split). */
export interface Timings {
  /** Waiting for a connection slot (queueing in the pool), before connecting. */
  blocked: number
  /** TCP connect time; 0 on a reused keep-alive connection. */
  connect: number
  /** TLS handshake time; 0 on plain HTTP or a reused connection. */
  tls: number
  /** From the request headers written to the first response byte (k6's `http_req_waiting`). */
  waiting: number
  /** From the first response byte to the last (k6's `http_req_receiving`). */
  receiving: number
  /** From the start of the call to the first response byte (time to first byte). */
  ttfb: number
  /** From the start of the call to the last byte of the response. */
  total: number
}

interface SocketTiming {
  start: number
  tcp: number
  end: number
  tls: boolean
  used: boolean
}

const socketTimings = new WeakMap<object, SocketTiming>()

/** Receives the socket undici writes a request to. */
export interface SocketWatcher {
  onSocket(socket: object, at: number): void
}

let pending: SocketWatcher | undefined

/** Called by a request handler from `onRequestStart`, just before undici publishes the socket. */
export function expectSocket(watcher: SocketWatcher): void {
  pending = watcher
}

subscribe('undici:client:sendHeaders', (message) => {
  const w = pending
  if (!w) return
  pending = undefined
  w.onSocket((message as { socket: object }).socket, performance.now())
})

/**
 * Connect/TLS time of a socket the first time a request uses it; zeros for a
 * reused one (or one made by a dispatcher steady did not build).
 */
export function takeSocketTiming(socket: object | undefined): { connect: number; tls: number; connectedAt: number } {
  const t = socket ? socketTimings.get(socket) : undefined
  if (!t || t.used) return { connect: 0, tls: 0, connectedAt: 0 }
  t.used = true
  if (t.tls) return { connect: t.tcp - t.start, tls: t.end - t.tcp, connectedAt: t.end }
  return { connect: t.end - t.start, tls: 0, connectedAt: t.end }
}

/** undici connector options (TLS material, timeouts), as `buildConnector` takes them. */
export type ConnectorOptions = buildConnector.BuildOptions

/** A connector that records how long TCP connect and the TLS handshake took, per socket. */
export function timedConnector(options: ConnectorOptions): buildConnector.connector {
  const base = buildConnector(options)
  return (opts, callback) => {
    const t: SocketTiming = { start: performance.now(), tcp: 0, end: 0, tls: opts.protocol === 'https:', used: false }
    const socket = base(opts, (err, sock) => {
      if (!err && sock) {
        t.end = performance.now()
        if (!t.tcp) t.tcp = t.end
        socketTimings.set(sock, t)
      }
      if (err) callback(err, null)
      else callback(null, sock!)
    }) as unknown as Socket | undefined
    socket?.once?.('connect', () => {
      t.tcp = performance.now()
    })
    return socket as never
  }
}
