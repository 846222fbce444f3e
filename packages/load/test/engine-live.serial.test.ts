/**
 * The embedded engine against a real local HTTP server, with the real
 * scenario executor: every executor runs, a stalled server shows dropped
 * iterations (the schedule is kept), a busy generator shows late starts and
 * is flagged as saturated, failed expects count in checks, worker threads
 * split the work and their windows merge.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import { runEmbedded, resolveProfile } from '../src/index.ts'
import { toRunRecord, formatSummary } from '../src/internal.ts'
import { validatorFor } from '@steady/record/internal'
import { runRecordSchema, LatencyHistogram } from '@steady/record'

const decodeHistogram = (encoded: string) => LatencyHistogram.decode(encoded)

const file = fileURLToPath(new URL('./fixtures/live.scenario.ts', import.meta.url))

let server: Server
let target = ''
let stalled = false
const held: (() => void)[] = []
let hits = 0
/** Every socket the server accepted: which VUs (`x-vu`) sent requests over it, and whether it is still open. */
const sockets = new Map<Socket, { vus: Set<string>; open: boolean }>()

test.before(async () => {
  server = createServer((req, res) => {
    hits++
    const vu = req.headers['x-vu']
    if (typeof vu === 'string') sockets.get(req.socket)?.vus.add(vu)
    const answer = () => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end('pong')
    }
    if (stalled) held.push(answer)
    else answer()
  })
  server.keepAliveTimeout = 5000
  server.on('connection', (socket: Socket) => {
    const entry = { vus: new Set<string>(), open: true }
    sockets.set(socket, entry)
    socket.on('close', () => (entry.open = false))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

test.after(async () => {
  for (const h of held.splice(0)) h()
  server.closeAllConnections()
  await new Promise((r) => server.close(r))
})

const run = (raw: Record<string, unknown>, name = 'ping', extra: { workers?: number; signal?: AbortSignal } = {}) =>
  runEmbedded({
    profile: resolveProfile('live', { window: '500ms', exec: name, ...raw }),
    target,
    scenario: { file, name },
    seed: 'live-seed',
    ...extra,
  })

test('constant-arrival-rate against a real server: planned iterations started, one request and one check each', async () => {
  const r = await run({
    executor: 'constant-arrival-rate',
    rate: 50,
    timeUnit: '1s',
    duration: '1s',
    preAllocatedVUs: 5,
  })
  assert.is(r.counts.planned, 50)
  assert.is(r.counts.started + r.counts.dropped, 50)
  assert.is(
    r.totals.counter('http_reqs', { name: 'get ping', status: '200', expected_response: 'true', scenario: 'live' }),
    r.counts.completed,
  )
  assert.equal(r.totals.rate('checks'), { passes: r.counts.completed, fails: 0 })
  assert.is(r.totals.trend('http_req_duration').count, r.counts.completed)
  assert.is(r.totals.trend('iteration_duration', { scenario: 'live' }).count, r.counts.completed)
  assert.ok(r.windows.length >= 2)
  assert.is(r.exitCode === 0 || r.exitCode === 3, true)
  assert.is(r.scenario?.passed, r.counts.completed)
})

test('ramping-arrival-rate against a real server', async () => {
  const r = await run({
    executor: 'ramping-arrival-rate',
    startRate: 10,
    timeUnit: '1s',
    preAllocatedVUs: 5,
    stages: [{ duration: '1s', target: 40 }],
  })
  assert.is(r.counts.planned, 25)
  assert.is(r.counts.started + r.counts.dropped, 25)
  assert.ok(r.totals.counter('http_reqs') > 0)
})

test('constant-vus, ramping-vus, shared-iterations, per-vu-iterations against a real server', async () => {
  const cv = await run({ executor: 'constant-vus', vus: 2, duration: '500ms' })
  assert.ok(cv.counts.completed > 2)
  assert.is(cv.totals.gauge('vus_max')?.max, 2)
  const rv = await run({
    executor: 'ramping-vus',
    startVUs: 1,
    stages: [
      { duration: '500ms', target: 3 },
      { duration: '300ms', target: 0 },
    ],
    gracefulRampDown: '1s',
  })
  assert.ok(rv.counts.completed > 3)
  assert.is(rv.counts.vusAllocated, 3)
  const si = await run({ executor: 'shared-iterations', vus: 3, iterations: 20 })
  assert.is(si.counts.completed, 20)
  assert.is(si.totals.counter('iterations'), 20)
  const pv = await run({ executor: 'per-vu-iterations', vus: 2, iterations: 7 })
  assert.is(pv.counts.completed, 14)
  assert.is(pv.totals.counter('http_reqs'), 14)
})

test('a failed expect counts as a failed check and thresholds on checks fail; exit code 1', async () => {
  const r = await run(
    {
      executor: 'shared-iterations',
      vus: 1,
      iterations: 5,
      thresholds: { checks: ['rate>0.99'], 'http_req_duration{scenario:live}': ['p(95)<10000'] },
    },
    'wrong status',
  )
  assert.equal(r.totals.rate('checks'), { passes: 0, fails: 5 })
  assert.is(r.thresholds.find((t) => t.key === 'checks')?.ok, false)
  assert.is(r.thresholds.find((t) => t.key.startsWith('http_req_duration'))?.ok, true)
  assert.is(r.scenario?.failed, 5)
  if (!r.saturated) assert.is(r.exitCode, 1)
  const summary = formatSummary({
    profile: r.profile,
    totals: r.totals,
    thresholds: r.thresholds,
    completed: r.counts.completed,
    interrupted: r.counts.interrupted,
    durationMs: r.durationMs,
  })
  assert.match(summary, "✗ 'rate>0.99' rate=0.00%")
  assert.match(summary, 'checks_failed')
})

test('a stalled server: the schedule is kept, iterations that find no free VU are dropped, stuck ones interrupted', async () => {
  stalled = true
  try {
    const r = await run({
      executor: 'constant-arrival-rate',
      rate: 40,
      timeUnit: '1s',
      duration: '1s',
      preAllocatedVUs: 2,
      maxVUs: 4,
      gracefulStop: '200ms',
    })
    assert.is(r.counts.planned, 40)
    assert.is(r.counts.started, 4)
    assert.is(r.counts.dropped, 36)
    assert.is(r.counts.started + r.counts.dropped, 40)
    assert.is(r.counts.interrupted, 4)
    assert.is(r.totals.counter('dropped_iterations'), 36)
    // Every planned start was attempted on time: the starts were recorded, and the scheduler did not slow down.
    const starts = r.windows.reduce((a, w) => a + w.generator.scheduledStarts, 0)
    assert.is(starts, 40)
    assert.is(r.totals.counter('interrupted_iterations'), 4)
  } finally {
    stalled = false
    for (const h of held.splice(0)) h()
  }
})

test('a busy generator: late starts are recorded and the run is flagged saturated (exit 3)', async () => {
  const r = await run(
    { executor: 'constant-arrival-rate', rate: 100, timeUnit: '1s', duration: '1s', preAllocatedVUs: 20 },
    'busy generator',
  )
  assert.ok(r.counts.lateStarts > 0, 'late starts')
  assert.ok(r.saturated, 'saturated')
  assert.ok(r.saturationReasons.length > 0)
  assert.is(r.exitCode, 3)
  const record = toRunRecord(r, { configHash: 'test' })
  assert.ok(record.warnings.some((w) => w.includes('saturated')))
  assert.ok(record.events.some((e) => e.kind === 'generator-saturated'))
  assert.ok(record.series.some((s) => s.key === 'generator/start_lateness'))
})

test('worker threads split the work as execution segments; windows merge into one timeline', async () => {
  const r = await run(
    { executor: 'constant-arrival-rate', rate: 60, timeUnit: '1s', duration: '1s', preAllocatedVUs: 4 },
    'ping',
    { workers: 2 },
  )
  assert.is(r.workers, 2)
  assert.is(r.counts.planned, 60)
  assert.is(r.counts.started + r.counts.dropped, 60)
  assert.is(r.counts.vusAllocated, 4)
  assert.is(r.totals.counter('iterations'), r.counts.completed)
  assert.is(r.totals.counter('http_reqs'), r.counts.completed)
  // The latency histograms of both workers merged: one sample per completed request and iteration.
  assert.ok(r.counts.completed > 0)
  assert.is(r.totals.trend('http_req_duration').count, r.counts.completed)
  assert.is(r.totals.trend('http_req_duration', { name: 'get ping', status: '200' }).count, r.counts.completed)
  assert.is(r.totals.trend('iteration_duration', { scenario: 'live' }).count, r.counts.completed)
  // Per window too: each window's merged histogram counts that window's requests.
  for (const w of r.windows) {
    const reqs = Object.values(w.counters)
      .filter((c) => c.metric === 'http_reqs')
      .reduce((a, c) => a + c.value, 0)
    const durations = Object.values(w.trends)
      .filter((t) => t.metric === 'http_req_duration')
      .reduce((a, t) => a + decodeHistogram(t.histogram).count, 0)
    assert.is(durations, reqs, `window ${w.index}`)
  }
  const indices = r.windows.map((w) => w.index)
  assert.equal(
    indices,
    [...new Set(indices)].sort((a, b) => a - b),
  )
  assert.is(r.scenario?.iterations, r.counts.completed)
})

test('each VU has its own connections: no socket is shared between VUs, each VU reuses its own, all are closed at the end', async () => {
  sockets.clear()
  const vus = 3
  const r = await run({ executor: 'shared-iterations', vus, iterations: 30 }, 'per vu')
  assert.is(r.counts.completed, 30)
  // The unrecorded warm-up iteration runs as VU 0 on a dispatcher of its own; leave its socket out.
  const used = [...sockets.values()].filter((s) => s.vus.size > 0 && !s.vus.has('0'))
  for (const s of used) assert.is(s.vus.size, 1, `a socket carried requests of VUs ${[...s.vus].join(', ')}`)
  const owners = used.map((s) => [...s.vus][0]).sort()
  // Every VU has keep-alive sockets of its own, reused across its iterations: one or two each, because undici
  // opens a second one when a VU's next request goes out in the same turn its previous response ended
  // (docs/load.md), never one per request (10 requests per VU here).
  assert.equal([...new Set(owners)], ['1', '2', '3'], `sockets per VU: ${JSON.stringify(owners)}`)
  for (const vu of ['1', '2', '3']) {
    const n = owners.filter((o) => o === vu).length
    assert.ok(n >= 1 && n <= 2, `VU ${vu} used ${n} sockets: ${JSON.stringify(owners)}`)
  }
  // The run closed its VUs' connections (the server sees each socket close; bounded wait for the FINs to arrive).
  for (let i = 0; i < 100 && [...sockets.values()].some((s) => s.open); i++)
    await new Promise((res) => setTimeout(res, 20))
  assert.equal([...sockets.values()].filter((s) => s.open).length, 0, 'sockets left open after the run')
})

test('a stop signal ends the run early and the record says why', async () => {
  const stop = new AbortController()
  setTimeout(() => stop.abort('SIGINT'), 300)
  const r = await run({ executor: 'constant-vus', vus: 2, duration: '30s' }, 'ping', { signal: stop.signal })
  assert.is(r.stopReason, 'signal')
  assert.is(r.exitCode, 130)
  const record = toRunRecord(r)
  assert.is(record.complete, false)
  assert.is(record.kind, 'load')
  const validate = validatorFor(runRecordSchema)
  assert.ok(validate(record), JSON.stringify(validate.errors?.slice(0, 3)))
})

test('abortOnFail stops the run when the threshold fails', async () => {
  const r = await run(
    {
      executor: 'constant-arrival-rate',
      rate: 20,
      timeUnit: '1s',
      duration: '20s',
      preAllocatedVUs: 2,
      thresholds: { checks: [{ threshold: 'rate>0.5', abortOnFail: true }] },
    },
    'wrong status',
  )
  assert.is(r.stopReason, 'thresholds')
  assert.is(r.thresholds[0].ok, false)
})

test.run()
