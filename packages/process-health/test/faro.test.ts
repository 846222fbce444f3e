/**
 * The Faro transport against a local receiver that behaves like Alloy's
 * `faro.receiver`: `POST /collect` with the documented payload, 202 `ok` on
 * success, 413 above its payload limit, 429 with `Retry-After` when rate
 * limited, 401 on a wrong `x-api-key`.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { initializeFaro, InternalLoggerLevel } from '@grafana/faro-core'
import { FaroNodeTransport, parseRetryAfter } from '../src/export/faro.ts'
import { createFaroExporter, ciProcess, type ProcessHealthError } from '@steady/process-health'

interface Received {
  headers: IncomingMessage['headers']
  body: Record<string, unknown>
  size: number
  status: number
}

/** A receiver answering from a script (one status per request, then 202), checking the payload shape. */
async function receiver(
  options: { script?: Array<{ status: number; retryAfter?: string }>; maxBytes?: number; apiKey?: string } = {},
) {
  const script = [...(options.script ?? [])]
  const received: Received[] = []
  const problems: string[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks)
      if (req.method !== 'POST' || req.url !== '/collect') {
        res.writeHead(404).end()
        return
      }
      let status = 202
      let retryAfter: string | undefined
      let body: Record<string, unknown> = {}
      if (options.apiKey && req.headers['x-api-key'] !== options.apiKey) status = 401
      else if (options.maxBytes !== undefined && raw.length > options.maxBytes) status = 413
      else {
        const next = script.shift()
        if (next) {
          status = next.status
          retryAfter = next.retryAfter
        }
      }
      try {
        body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>
        problems.push(...checkPayload(body, req.headers['content-type']))
      } catch {
        problems.push('body is not JSON')
      }
      received.push({ headers: req.headers, body, size: raw.length, status })
      res.writeHead(status, retryAfter ? { 'retry-after': retryAfter } : {}).end(status === 202 ? 'ok' : '')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}/collect`,
    received,
    problems,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}

/** The `/collect` payload as Alloy's receiver parses it (internal/payload/payload.go). */
function checkPayload(body: Record<string, unknown>, contentType: string | undefined): string[] {
  const problems: string[] = []
  if (contentType !== 'application/json') problems.push(`content-type ${contentType}`)
  const meta = body.meta as { sdk?: { name?: string }; app?: { name?: string } } | undefined
  if (!meta?.sdk?.name || !meta.app?.name) problems.push('meta.sdk and meta.app.name are required')
  const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/
  for (const m of (body.measurements ?? []) as Array<Record<string, unknown>>) {
    if (typeof m.type !== 'string') problems.push('measurement.type')
    if (!m.values || Object.values(m.values as object).some((v) => typeof v !== 'number'))
      problems.push('measurement.values must be numbers')
    if (typeof m.timestamp !== 'string' || !rfc3339.test(m.timestamp))
      problems.push(`measurement.timestamp ${String(m.timestamp)}`)
    if (m.context && Object.values(m.context as object).some((v) => typeof v !== 'string'))
      problems.push('measurement.context must be strings')
  }
  for (const e of (body.events ?? []) as Array<Record<string, unknown>>) {
    if (typeof e.name !== 'string' || typeof e.timestamp !== 'string' || !rfc3339.test(e.timestamp))
      problems.push('event name/timestamp')
    if (e.attributes && Object.values(e.attributes as object).some((v) => typeof v !== 'string'))
      problems.push('event.attributes must be strings')
  }
  for (const key of Object.keys(body))
    if (!['meta', 'measurements', 'events', 'logs', 'exceptions', 'traces'].includes(key))
      problems.push(`unknown key ${key}`)
  return problems
}

const ci = ciProcess({ owner: 'platform' })
const at = Date.parse('2025-03-10T11:00:00Z')

test('observations go out as measurements at their own time, equal values both sent (dedupe off), accepted with 202', async () => {
  const rx = await receiver({ apiKey: 'k3y' })
  const exporter = createFaroExporter({
    url: rx.url,
    apiKey: 'k3y',
    sessionId: 's-1',
    app: { name: 'shop-ci', version: '1.2.0', environment: 'ci' },
    processes: [ci],
  })
  exporter.exportObservations([
    {
      process: 'ci',
      indicator: 'cycle_time',
      value: 600,
      at,
      labels: { branch: 'main' },
      fields: { commit: '3f2a9c1e' },
    },
    { process: 'ci', indicator: 'cycle_time', value: 600, at: at + 60_000, labels: { branch: 'main' } },
  ])
  exporter.exportHealth([
    { process: 'ci', owner: 'platform', state: 'healthy', reason: '4 of 4 indicators healthy', indicators: [] },
  ])
  await exporter.close()
  await rx.close()
  assert.equal(rx.problems, [])
  assert.is(rx.received.length, 1)
  const { body, headers, status } = rx.received[0]
  assert.is(status, 202)
  assert.is(headers['x-api-key'], 'k3y')
  assert.is(headers['x-faro-session-id'], 's-1')
  const meta = body.meta as { app: Record<string, string>; sdk: Record<string, string> }
  assert.equal(meta.app, { name: 'shop-ci', version: '1.2.0', environment: 'ci' })
  assert.is(meta.sdk.name, 'faro')
  const measurements = body.measurements as Array<{
    type: string
    values: Record<string, number>
    timestamp: string
    context: Record<string, string>
  }>
  assert.is(measurements.length, 2)
  assert.equal(measurements[0].values, { cycle_time: 600 })
  assert.is(measurements[0].timestamp, '2025-03-10T11:00:00.000Z')
  assert.is(measurements[1].timestamp, '2025-03-10T11:01:00.000Z')
  assert.equal(measurements[0].context, {
    process: 'ci',
    indicator: 'cycle_time',
    at: '2025-03-10T11:00:00Z',
    unit: 'seconds',
    label_branch: 'main',
    field_commit: '3f2a9c1e',
  })
  const events = body.events as Array<{ name: string; attributes: Record<string, string> }>
  assert.is(events[0].name, 'steady_process_health')
  assert.is(events[0].attributes.state, 'healthy')
  assert.equal(exporter.transport.stats, { requests: 1, sent: 3, dropped: 0, retries: 0, waitsMs: [] })
})

test('health events carry the instant judged, not the time they are sent', async () => {
  const rx = await receiver()
  const exporter = createFaroExporter({ url: rx.url, app: { name: 'shop-ci' }, processes: [ci] })
  // Judged in the past (a backfill): the events must say when the judgement applies.
  const judged = Date.parse('2024-11-02T23:59:59.999Z')
  const windows = { baselineFrom: judged - 31 * 86_400_000, recentFrom: judged - 3 * 86_400_000, to: judged }
  const indicator = {
    process: 'ci',
    indicator: 'cycle_time',
    kind: 'duration' as const,
    unit: 's',
    better: 'lower' as const,
    state: 'healthy' as const,
    reason: 'median as usual',
    windows,
    samples: { baseline: 40, recent: 6 },
    checks: [],
  }
  const health = {
    process: 'ci',
    owner: 'platform',
    state: 'healthy' as const,
    reason: '1 of 1 healthy',
    indicators: [indicator],
  }
  exporter.exportHealth([health])
  exporter.exportHealth([{ ...health, indicators: [] }], judged + 86_400_000)
  await exporter.close()
  await rx.close()
  assert.equal(rx.problems, [])
  const events = rx.received.flatMap(
    (r) => r.body.events as Array<{ name: string; timestamp: string; attributes: Record<string, string> }>,
  )
  assert.equal(
    events.map((e) => [e.name, e.timestamp, e.attributes.judgedAt]),
    [
      ['steady_process_health', '2024-11-02T23:59:59.999Z', '2024-11-02T23:59:59.999Z'],
      ['steady_indicator_health', '2024-11-02T23:59:59.999Z', '2024-11-02T23:59:59.999Z'],
      ['steady_process_health', '2024-11-03T23:59:59.999Z', '2024-11-03T23:59:59.999Z'],
    ],
  )
})

test('dedupe is off: two observations with the same time, labels, fields and value both arrive (a Faro with dedupe on keeps one)', async () => {
  const rx = await receiver()
  const same = {
    process: 'ci',
    indicator: 'cycle_time',
    value: 600,
    at,
    labels: { branch: 'main' },
    fields: { commit: '3f2a9c1e' },
  }
  const exporter = createFaroExporter({ url: rx.url, app: { name: 'shop-ci' }, processes: [ci] })
  exporter.exportObservations([same, { ...same, labels: { ...same.labels }, fields: { ...same.fields } }])
  exporter.exportHealth([
    { process: 'ci', owner: 'platform', state: 'healthy', reason: 'same', indicators: [] },
    { process: 'ci', owner: 'platform', state: 'healthy', reason: 'same', indicators: [] },
  ])
  await exporter.close()
  // The control: the same items through Faro's own dedupe are dropped after the first.
  const transport = new FaroNodeTransport({ url: rx.url })
  const deduping = initializeFaro({
    app: { name: 'shop-ci' },
    dedupe: true,
    globalObjectKey: 'steadyDedupeControl',
    instrumentations: [],
    internalLoggerLevel: InternalLoggerLevel.ERROR,
    isolate: true,
    metas: [],
    parseStacktrace: () => ({ frames: [] }),
    paused: false,
    preventGlobalExposure: true,
    transports: [transport],
    unpatchedConsole: console,
    batching: { enabled: false },
    sessionTracking: { enabled: false },
  })
  const measurement = { type: 'steady_process_indicator', values: { cycle_time: 600 } }
  const context = {
    process: 'ci',
    indicator: 'cycle_time',
    at: '2025-03-10T11:00:00Z',
    label_branch: 'main',
    field_commit: '3f2a9c1e',
  }
  for (let k = 0; k < 2; k++) deduping.api.pushMeasurement(measurement, { context, timestampOverwriteMs: at })
  await transport.flush()
  deduping.pause()
  await rx.close()
  assert.equal(rx.problems, [])
  const [sent, control] = rx.received.map((r) => r.body)
  const measurements = sent.measurements as Array<{
    values: Record<string, number>
    timestamp: string
    context: Record<string, string>
  }>
  assert.is(measurements.length, 2, 'both identical observations were sent')
  assert.equal(measurements[0], measurements[1])
  assert.equal(measurements[0].context, { ...context, unit: 'seconds' })
  assert.is((sent.events as unknown[]).length, 2, 'both identical health events were sent')
  assert.is((control.measurements as unknown[]).length, 1, 'Faro with dedupe on drops the second')
})

test('429 with Retry-After: the transport waits the time asked and sends the same payload again', async () => {
  const rx = await receiver({ script: [{ status: 429, retryAfter: '1' }] })
  const exporter = createFaroExporter({ url: rx.url, app: { name: 'ci' } })
  exporter.exportObservations({ process: 'ci', indicator: 'success_rate', value: 1, at })
  await exporter.close()
  await rx.close()
  assert.equal(
    rx.received.map((r) => r.status),
    [429, 202],
  )
  assert.equal(rx.received[0].body, rx.received[1].body)
  assert.equal(exporter.transport.stats, { requests: 2, sent: 1, dropped: 0, retries: 1, waitsMs: [1000] })
})

test('a 429 asking for longer than the transport will wait drops the batch and says so', async () => {
  const rx = await receiver({ script: [{ status: 429, retryAfter: '3600' }] })
  const errors: ProcessHealthError[] = []
  const transport = new FaroNodeTransport({ url: rx.url, onError: (e) => errors.push(e) })
  transport.send({
    type: 'event' as never,
    payload: { name: 'x', timestamp: '2025-03-10T11:00:00.000Z' } as never,
    meta: { app: { name: 'ci' }, sdk: { name: 'faro' } } as never,
  })
  await transport.flush()
  await rx.close()
  assert.is(rx.received.length, 1)
  assert.is(errors[0].code, 'STEADY_HEALTH_FARO_RATE_LIMITED')
  assert.is(transport.stats.dropped, 1)
})

test('413: a batch too large is split in halves until it fits; one item still too large is dropped', async () => {
  const rx = await receiver({ maxBytes: 900 })
  const errors: ProcessHealthError[] = []
  const exporter = createFaroExporter({
    url: rx.url,
    app: { name: 'ci' },
    onError: (e) => errors.push(e),
    processes: [ci],
  })
  exporter.exportObservations(
    Array.from({ length: 6 }, (_, k) => ({
      process: 'ci',
      indicator: 'cycle_time',
      value: 600 + k,
      at: at + k * 1000,
      fields: { note: k === 5 ? 'x'.repeat(1000) : 'ok' },
    })),
  )
  await exporter.close()
  await rx.close()
  assert.equal(rx.problems, [])
  const accepted = rx.received
    .filter((r) => r.status === 202)
    .flatMap((r) => (r.body.measurements as Array<{ values: Record<string, number> }>).map((m) => m.values.cycle_time))
  assert.equal(accepted.sort(), [600, 601, 602, 603, 604])
  assert.ok(rx.received.some((r) => r.status === 413 && (r.body.measurements as unknown[]).length === 6))
  assert.is(errors.length, 1)
  assert.is(errors[0].code, 'STEADY_HEALTH_FARO_TOO_LARGE')
  assert.is(exporter.transport.stats.sent, 5)
  assert.is(exporter.transport.stats.dropped, 1)
})

test('5xx is retried with backoff; a 401 is not retried', async () => {
  const rx = await receiver({ script: [{ status: 503 }, { status: 502 }] })
  const transport = new FaroNodeTransport({ url: rx.url, backoffMs: 20 })
  transport.send({
    type: 'event' as never,
    payload: { name: 'x', timestamp: '2025-03-10T11:00:00.000Z' } as never,
    meta: { app: { name: 'ci' }, sdk: { name: 'faro' } } as never,
  })
  await transport.flush()
  assert.equal(
    rx.received.map((r) => r.status),
    [503, 502, 202],
  )
  assert.equal(transport.stats.waitsMs, [20, 40])
  await rx.close()

  const locked = await receiver({ apiKey: 'right' })
  const errors: ProcessHealthError[] = []
  const wrong = new FaroNodeTransport({ url: locked.url, apiKey: 'wrong', onError: (e) => errors.push(e) })
  wrong.send({
    type: 'event' as never,
    payload: { name: 'x', timestamp: '2025-03-10T11:00:00.000Z' } as never,
    meta: { app: { name: 'ci' }, sdk: { name: 'faro' } } as never,
  })
  await wrong.flush()
  await locked.close()
  assert.equal(
    locked.received.map((r) => r.status),
    [401],
  )
  assert.is(errors[0].code, 'STEADY_HEALTH_FARO_REJECTED')
  assert.match(errors[0].hint!, /api key/)
})

test('Retry-After in seconds or as an HTTP date', () => {
  const now = Date.parse('2025-03-10T11:00:00Z')
  assert.is(parseRetryAfter('5', now), 5000)
  assert.is(parseRetryAfter('Mon, 10 Mar 2025 11:00:30 GMT', now), 30_000)
  assert.is(parseRetryAfter('soon', now), undefined)
  assert.is(parseRetryAfter(null, now), undefined)
})

test.run()
