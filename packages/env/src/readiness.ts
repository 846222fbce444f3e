/**
 * Waiting for a service to be ready: an HTTP path answering 2xx, or a TCP
 * port accepting a connection, polled until a deadline. Each attempt is
 * bounded, so a service that accepts and never answers cannot stall the wait.
 */
import { request } from 'node:http'
import { request as requestTls } from 'node:https'
import { connect } from 'node:net'

/** A check: HTTP GET that must answer 2xx, or a TCP connect. */
export type ReadinessCheck = { kind: 'http'; url: string } | { kind: 'tcp'; host: string; port: number }

/** One attempt's result: ok, or what was seen instead (`503`, `ECONNREFUSED`). */
type AttemptResult = { ok: true } | { ok: false; seen: string }

/** Describes a check the way an error message names it: `GET http://127.0.0.1:8080/health` or `TCP 127.0.0.1:8080`. */
export function describeCheck(check: ReadinessCheck): string {
  return check.kind === 'http' ? `GET ${check.url} answering 2xx` : `TCP connect to ${check.host}:${check.port}`
}

/** One attempt of a check, at most `timeoutMs` long. */
function attempt(check: ReadinessCheck, timeoutMs: number): Promise<AttemptResult> {
  return new Promise((resolve) => {
    let settled = false
    const done = (r: AttemptResult) => {
      if (!settled) {
        settled = true
        resolve(r)
      }
    }
    if (check.kind === 'tcp') {
      const socket = connect({ host: check.host, port: check.port })
      socket.setTimeout(timeoutMs, () => {
        socket.destroy()
        done({ ok: false, seen: 'connect timed out' })
      })
      socket.once('connect', () => {
        socket.destroy()
        done({ ok: true })
      })
      socket.once('error', (e: NodeJS.ErrnoException) => done({ ok: false, seen: e.code ?? e.message }))
      return
    }
    const url = new URL(check.url)
    const req = (url.protocol === 'https:' ? requestTls : request)(
      url,
      { method: 'GET', agent: false, timeout: timeoutMs },
      (res) => {
        res.resume()
        const status = res.statusCode ?? 0
        done(status >= 200 && status < 300 ? { ok: true } : { ok: false, seen: `HTTP ${status}` })
      },
    )
    req.once('timeout', () => {
      req.destroy()
      done({ ok: false, seen: 'no answer within the attempt timeout' })
    })
    req.once('error', (e: NodeJS.ErrnoException) => done({ ok: false, seen: e.code ?? e.message }))
    req.end()
  })
}

/** Why a wait ended without the check passing. */
export type WaitFailure =
  { reason: 'timeout'; lastSeen: string | undefined } | { reason: 'exited'; exit: string } | { reason: 'aborted' }

export interface WaitOptions {
  /** Absolute deadline (ms since epoch, same clock as `now`). */
  deadline: number
  intervalMs: number
  signal: AbortSignal
  /** Set when the service has exited (its code/signal as text): fail at once instead of waiting for the deadline. */
  exited?: () => string | undefined
  /** The clock; injected so tests can drive it. */
  now?: () => number
}

/** Sleeps `ms`, waking early when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}

/** Polls `check` until it passes (undefined) or the wait fails (a {@link WaitFailure}). */
export async function waitUntilReady(check: ReadinessCheck, options: WaitOptions): Promise<WaitFailure | undefined> {
  const now = options.now ?? Date.now
  let lastSeen: string | undefined
  for (;;) {
    if (options.signal.aborted) return { reason: 'aborted' }
    const exit = options.exited?.()
    if (exit !== undefined) return { reason: 'exited', exit }
    const remaining = options.deadline - now()
    if (remaining <= 0) return { reason: 'timeout', lastSeen }
    const result = await attempt(check, Math.max(50, Math.min(2000, remaining)))
    if (result.ok) return undefined
    lastSeen = result.seen
    await sleep(Math.min(options.intervalMs, Math.max(0, options.deadline - now())), options.signal)
  }
}
