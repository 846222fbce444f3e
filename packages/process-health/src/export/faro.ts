/**
 * Grafana Faro export from Node. Faro's core (>= 2.8, whose batching no
 * longer touches `document`/`window`) builds the items; a Node transport
 * batches them, POSTs the receiver's `/collect` payload
 * (`{meta, measurements, events, ...}`, as `getTransportBody` builds it) with
 * the global `fetch`, and handles the receiver's answers: 202 is done; 429
 * waits for `Retry-After` (default 5 s, as Faro's FetchTransport) and retries;
 * 413 splits the batch in halves and drops a single item still too large;
 * 5xx and network errors retry with backoff; other 4xx drop the batch.
 * Dedupe is off, so two equal CI durations in a row are both sent.
 */
import {
  BaseTransport,
  InternalLoggerLevel,
  getTransportBody,
  initializeFaro,
  VERSION as faroVersion,
} from '@grafana/faro-core'
import type { Config, Faro, Patterns, TransportItem } from '@grafana/faro-core'
import type { SteadyErrorCode } from '@steady/kernel'
import { ProcessHealthError } from '../errors.ts'
import { formatInstant } from '../format.ts'
import type { ProcessHealth } from '../judge/index.ts'
import type { IndicatorDefinition, Observation, ProcessDefinition } from '../types.ts'
import { baseValue } from './prometheus.ts'
import { systemClock, type Clock } from '../time.ts'

/** Options of {@link FaroNodeTransport}. */
export interface FaroTransportOptions {
  /** The receiver's collect URL, e.g. `http://alloy:12347/collect`. */
  url: string
  /** Sent as `x-api-key` when the receiver checks one. */
  apiKey?: string
  /** Sent as `x-faro-session-id`. */
  sessionId?: string
  /** Items per POST before a batch is sent at once. Default 50 (Faro's `itemLimit`). */
  itemLimit?: number
  /** How long items wait for more to join their batch (ms). Default 250 (Faro's `sendTimeout`). */
  sendTimeoutMs?: number
  /** Attempts per batch, the first included. Default 4. */
  maxAttempts?: number
  /** Wait after a 429 without a usable `Retry-After` (ms). Default 5 000. */
  defaultRetryAfterMs?: number
  /** A `Retry-After` longer than this (ms) drops the batch instead of waiting. Default 60 000. */
  maxRetryAfterMs?: number
  /** First backoff after a 5xx or network error (ms), doubled per attempt. Default 500. */
  backoffMs?: number
  /** Per-request timeout (ms). Default 10 000. */
  timeoutMs?: number
  /** Told about every batch given up on (the process keeps running). */
  onError?: (error: ProcessHealthError) => void
  /** The clock `Retry-After` dates are read against. */
  clock?: Clock
}

/** What a transport has done, for tests and logs. */
export interface FaroTransportStats {
  /** POST requests made, retries included. */
  requests: number
  /** Items the receiver accepted. */
  sent: number
  /** Items given up on. */
  dropped: number
  /** Retries after 429, 5xx or network errors. */
  retries: number
  /** The waits taken before retries (ms), in order. */
  waitsMs: number[]
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** Reads `Retry-After`: seconds, or an HTTP date. */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (header === null) return undefined
  const text = header.trim()
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000
  const date = Date.parse(text)
  if (Number.isFinite(date)) return Math.max(0, date - now)
  return undefined
}

/** A Faro transport for Node; see the module comment. Call {@link flush} before the process ends. */
export class FaroNodeTransport extends BaseTransport {
  readonly name = '@steady/process-health:faro-node-transport'
  readonly version = '0.1.0'
  /** What has been sent, dropped and retried. */
  readonly stats: FaroTransportStats = { requests: 0, sent: 0, dropped: 0, retries: 0, waitsMs: [] }
  private readonly opts: Required<Omit<FaroTransportOptions, 'apiKey' | 'sessionId' | 'onError'>> &
    Pick<FaroTransportOptions, 'apiKey' | 'sessionId' | 'onError'>
  private queue: TransportItem[] = []
  private timer: ReturnType<typeof setTimeout> | undefined
  private readonly inFlight = new Set<Promise<void>>()
  private blockedUntil = 0

  constructor(options: FaroTransportOptions) {
    super()
    this.opts = {
      itemLimit: 50,
      sendTimeoutMs: 250,
      maxAttempts: 4,
      defaultRetryAfterMs: 5000,
      maxRetryAfterMs: 60_000,
      backoffMs: 500,
      timeoutMs: 10_000,
      clock: systemClock,
      ...options,
    }
  }

  /** Queues items; a full batch is sent at once, a partial one after `sendTimeoutMs` or on {@link flush}. */
  send(items: TransportItem | TransportItem[]): void {
    this.queue.push(...(Array.isArray(items) ? items : [items]))
    if (this.queue.length >= this.opts.itemLimit) {
      void this.flush()
    } else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.opts.sendTimeoutMs)
      // A pending batch alone does not keep the process alive; flush() before exit sends it.
      this.timer.unref()
    }
  }

  override isBatched(): boolean {
    return true
  }

  override getIgnoreUrls(): Patterns {
    return [this.opts.url]
  }

  /** Sends everything queued and waits for every request in flight, retries included. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
    const items = this.queue
    this.queue = []
    for (let i = 0; i < items.length; i += this.opts.itemLimit) {
      // Items with different meta go in different bodies (a body has one meta).
      const groups = new Map<string, TransportItem[]>()
      for (const item of items.slice(i, i + this.opts.itemLimit)) {
        const key = JSON.stringify(item.meta)
        groups.set(key, [...(groups.get(key) ?? []), item])
      }
      for (const group of groups.values()) {
        const p = this.post(group).finally(() => this.inFlight.delete(p))
        this.inFlight.add(p)
      }
    }
    while (this.inFlight.size) await Promise.all([...this.inFlight])
  }

  private giveUp(
    items: readonly TransportItem[],
    code: SteadyErrorCode,
    message: string,
    hint: string,
    status?: number,
  ): void {
    this.stats.dropped += items.length
    this.opts.onError?.(
      new ProcessHealthError(code, message, { hint, details: { url: this.opts.url, status, items: items.length } }),
    )
  }

  /** One POST of a body: the status and Retry-After it got back. Throws when the receiver cannot be reached. */
  private async request(body: string): Promise<{ status: number; retryAfter: string | null }> {
    this.stats.requests++
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (this.opts.apiKey) headers['x-api-key'] = this.opts.apiKey
    if (this.opts.sessionId) headers['x-faro-session-id'] = this.opts.sessionId
    const signal = AbortSignal.timeout(this.opts.timeoutMs)
    const response = await fetch(this.opts.url, { method: 'POST', headers, body, signal })
    const retryAfter = response.headers.get('retry-after')
    await response.arrayBuffer().catch(() => undefined)
    return { status: response.status, retryAfter }
  }

  private async post(items: TransportItem[]): Promise<void> {
    const body = JSON.stringify(getTransportBody(items))
    for (let attempt = 1; ; attempt++) {
      const wait = this.blockedUntil - Date.now()
      if (wait > 0) await sleep(wait)
      let answer: { status: number; retryAfter: string | null }
      try {
        answer = await this.request(body)
      } catch (error) {
        answer = { status: 0, retryAfter: null }
        if (attempt >= this.opts.maxAttempts) {
          return this.giveUp(
            items,
            'STEADY_HEALTH_FARO_UNREACHABLE',
            `Faro receiver ${this.opts.url} unreachable after ${attempt} attempts: ${(error as Error).message}`,
            'check the collector URL and that it is up',
          )
        }
      }
      const { status, retryAfter } = answer
      if (status >= 200 && status < 300) {
        this.stats.sent += items.length
        return
      }
      if (status === 413) {
        if (items.length > 1) {
          const half = Math.ceil(items.length / 2)
          await this.post(items.slice(0, half))
          await this.post(items.slice(half))
          return
        }
        return this.giveUp(
          items,
          'STEADY_HEALTH_FARO_TOO_LARGE',
          `Faro receiver ${this.opts.url} refused one item as too large (413, ${body.length} bytes)`,
          "raise the receiver's max_allowed_payload_size or send fewer fields",
        )
      }
      if (status === 429) {
        const ms = parseRetryAfter(retryAfter, this.opts.clock.now()) ?? this.opts.defaultRetryAfterMs
        if (ms > this.opts.maxRetryAfterMs || attempt >= this.opts.maxAttempts) {
          return this.giveUp(
            items,
            'STEADY_HEALTH_FARO_RATE_LIMITED',
            `Faro receiver ${this.opts.url} rate-limited ${items.length} items ` +
              `(429, Retry-After ${retryAfter ?? 'none'})`,
            "raise the receiver's rate limit or send less often",
            429,
          )
        }
        // Like Faro's FetchTransport: every send waits out the receiver's back-off, not just this one.
        this.blockedUntil = Math.max(this.blockedUntil, Date.now() + ms)
        this.stats.retries++
        this.stats.waitsMs.push(ms)
        continue
      }
      if (status >= 400 && status < 500) {
        return this.giveUp(
          items,
          'STEADY_HEALTH_FARO_REJECTED',
          `Faro receiver ${this.opts.url} rejected ${items.length} items with HTTP ${status}`,
          status === 401 ? 'check the api key (x-api-key)' : 'check the collector URL and the payload',
          status,
        )
      }
      if (attempt >= this.opts.maxAttempts) {
        return this.giveUp(
          items,
          'STEADY_HEALTH_FARO_FAILED',
          `Faro receiver ${this.opts.url} answered HTTP ${status} ${attempt} times`,
          'check the collector logs',
          status,
        )
      }
      const ms = this.opts.backoffMs * 2 ** (attempt - 1)
      this.stats.retries++
      this.stats.waitsMs.push(ms)
      await sleep(ms)
    }
  }
}

/** Options of {@link createFaroExporter}. */
export interface FaroExporterOptions extends FaroTransportOptions {
  /** The app meta every payload carries (`meta.app`): the team's repo or service. */
  app: { name: string; version?: string; environment?: string; namespace?: string; release?: string }
  /** The processes, for units in measurement context. */
  processes?: readonly ProcessDefinition[]
}

/** Sends process observations and health to a Faro collector. */
export interface FaroExporter {
  /** The Faro instance (isolated, never on `globalThis`). */
  readonly faro: Faro
  /** The transport, with its {@link FaroTransportStats}. */
  readonly transport: FaroNodeTransport
  /** One measurement per observation, at the observation's own time; labels and fields go in `context`. */
  exportObservations(observations: Observation | readonly Observation[]): void
  /**
   * One `steady_process_health` event per process and one `steady_indicator_health` per indicator, stamped
   * with the instant judged (`judgedAt`, epoch ms; default: the end of the windows the indicators were judged
   * on), not the time of sending: a backfill or a late push still lands where the judgement applies.
   */
  exportHealth(processes: readonly ProcessHealth[], judgedAt?: number): void
  /** Sends what is queued, waits for it, and stops the Faro instance. */
  close(): Promise<void>
}

/** The unit of a measurement as sent: durations in seconds (see {@link baseValue}), rates as a ratio. */
function measurementUnit(indicator: IndicatorDefinition): string {
  return indicator.kind === 'duration' ? 'seconds' : indicator.kind === 'rate' ? 'ratio' : indicator.unit
}

/**
 * A Faro instance for Node with {@link FaroNodeTransport}: dedupe off,
 * isolated, no session tracking, no instrumentations.
 */
export function createFaroExporter(options: FaroExporterOptions): FaroExporter {
  const transport = new FaroNodeTransport(options)
  const config: Config = {
    app: options.app,
    dedupe: false,
    globalObjectKey: 'steadyProcessHealthFaro',
    instrumentations: [],
    internalLoggerLevel: InternalLoggerLevel.ERROR,
    isolate: true,
    metas: [],
    parseStacktrace: () => ({ frames: [] }),
    paused: false,
    preventGlobalExposure: true,
    transports: [transport],
    unpatchedConsole: console,
    // The transport batches (and can be flushed); Faro hands it each item at once.
    batching: { enabled: false },
    sessionTracking: { enabled: false },
  }
  const faro = initializeFaro(config)
  if (!faro) {
    throw new ProcessHealthError('STEADY_HEALTH_FARO_INIT', `Faro ${faroVersion} did not initialise`, {
      hint: 'report this with the @grafana/faro-core version installed',
    })
  }
  const processes = options.processes ?? []
  return {
    faro,
    transport,
    exportObservations(observations) {
      const list = Array.isArray(observations)
        ? (observations as readonly Observation[])
        : [observations as Observation]
      for (const o of list) {
        const indicator = processes.find((p) => p.name === o.process)?.indicators.find((i) => i.name === o.indicator)
        const context: Record<string, string> = { process: o.process, indicator: o.indicator, at: formatInstant(o.at) }
        if (indicator) context.unit = measurementUnit(indicator)
        if (o.weight !== undefined) context.weight = String(o.weight)
        for (const [k, v] of Object.entries(o.labels ?? {})) context[`label_${k}`] = v
        for (const [k, v] of Object.entries(o.fields ?? {})) context[`field_${k}`] = String(v)
        faro.api.pushMeasurement(
          { type: 'steady_process_indicator', values: { [o.indicator]: baseValue(indicator, o.value) } },
          { context, timestampOverwriteMs: o.at, skipDedupe: true },
        )
      }
    },
    exportHealth(list, judgedAt) {
      for (const p of list) {
        // Every indicator of a report is judged at the same instant: its windows end there.
        const at = judgedAt ?? p.indicators[0]?.windows.to ?? options.clock?.now() ?? systemClock.now()
        const stamp = { skipDedupe: true, timestampOverwriteMs: at }
        const judged = formatInstant(at)
        faro.api.pushEvent(
          'steady_process_health',
          { process: p.process, owner: p.owner, state: p.state, reason: p.reason, judgedAt: judged },
          'steady',
          stamp,
        )
        for (const i of p.indicators) {
          const attributes: Record<string, string> = {
            process: p.process,
            indicator: i.indicator,
            state: i.state,
            reason: i.reason,
            judgedAt: judged,
          }
          if (i.current !== undefined) attributes.current = String(i.current)
          if (i.baseline !== undefined) attributes.baseline = String(i.baseline)
          faro.api.pushEvent('steady_indicator_health', attributes, 'steady', stamp)
        }
      }
    },
    async close() {
      await transport.flush()
      faro.pause()
    },
  }
}
