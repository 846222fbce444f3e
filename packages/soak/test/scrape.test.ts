import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createServer, type Server } from 'node:http'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import client from 'prom-client'
import { SeriesAggregator, type RunEvent } from '@steady/record'
import { parsePrometheusText } from '../src/scrape/prometheus-text.ts'
import { ServiceMetricsScraper } from '../src/scrape/service-metrics.ts'
import { ProcSampler, readProcStats } from '../src/scrape/proc.ts'

test('parses the text format: types, labels with escapes, histograms, special values', () => {
  const samples = parsePrometheusText(
    [
      '# HELP http_request_duration_seconds Duration',
      '# TYPE http_request_duration_seconds histogram',
      'http_request_duration_seconds_bucket{le="0.1",route="/api/a",method="GET"} 3',
      'http_request_duration_seconds_bucket{le="+Inf",route="/api/a",method="GET"} 5',
      'http_request_duration_seconds_sum{route="/api/a",method="GET"} 0.75',
      'http_request_duration_seconds_count{route="/api/a",method="GET"} 5',
      '# TYPE errors_total counter',
      'errors_total{msg="say \\"hi\\"\\nthere, a\\\\b"} 2 1700000000000',
      '# TYPE temp gauge',
      'temp NaN',
      'up +Inf',
    ].join('\n'),
  )
  assert.is(samples.length, 7)
  assert.is(samples[0].family, 'http_request_duration_seconds')
  assert.is(samples[0].type, 'histogram')
  assert.equal(samples[0].labels, { le: '0.1', route: '/api/a', method: 'GET' })
  assert.is(samples[4].type, 'counter')
  assert.is(samples[4].labels.msg, 'say "hi"\nthere, a\\b')
  assert.ok(Number.isNaN(samples[5].value))
  assert.is(samples[6].value, Number.POSITIVE_INFINITY)
  assert.is(samples[6].type, 'untyped')
  assert.throws(() => parsePrometheusText('not a metric line at all {'), /line 1/)
})

function metricsServer() {
  const state = { registry: new client.Registry(), fail: false }
  const make = () => {
    const r = new client.Registry()
    const c = new client.Counter({ name: 'orders_total', help: 'orders', registers: [r] })
    const g = new client.Gauge({ name: 'nodejs_heap_size_used_bytes', help: 'heap', registers: [r] })
    const h = new client.Histogram({
      name: 'http_request_duration_seconds',
      help: 'd',
      labelNames: ['route'],
      buckets: [0.1, 0.5],
      registers: [r],
    })
    const start = new client.Gauge({ name: 'process_start_time_seconds', help: 'start', registers: [r] })
    start.set(1_700_000_000 + starts++)
    return { r, c, g, h }
  }
  let starts = 0
  let m = make()
  state.registry = m.r
  const server: Server = createServer(async (_req, res) => {
    if (state.fail) {
      res.statusCode = 503
      return res.end()
    }
    res.setHeader('content-type', m.r.contentType)
    res.end(await m.r.metrics())
  })
  return {
    server,
    metrics: () => m,
    restart: () => (m = make()),
    setFail: (v: boolean) => (state.fail = v),
  }
}

test('counters become per-window deltas that survive a restart; histograms become bucket deltas', async () => {
  const s = metricsServer()
  s.server.listen(0, '127.0.0.1')
  await once(s.server, 'listening')
  const url = `http://127.0.0.1:${(s.server.address() as { port: number }).port}/metrics`
  let t = 0
  const agg = new SeriesAggregator({ windowMs: 1000, now: () => t })
  agg.setPhase('quiet')
  const events: RunEvent[] = []
  const scraper = new ServiceMetricsScraper({
    service: 'store',
    url,
    select: ['orders_total', 'nodejs_heap_size_used_bytes', /request_duration_seconds$/],
    aggregator: agg,
    onEvent: (e) => events.push(e),
    now: () => t,
    failureStreak: 2,
  })
  const m = s.metrics()
  m.c.inc(5)
  m.g.set(1000)
  m.h.observe({ route: '/a' }, 0.05)
  assert.ok(await scraper.scrape())
  t = 500
  m.c.inc(3)
  m.g.set(1500)
  m.h.observe({ route: '/a' }, 0.3)
  m.h.observe({ route: '/a' }, 2)
  await scraper.scrape()
  // The service restarts: its counter starts again from zero.
  t = 1500
  const m2 = s.restart()
  m2.c.inc(2)
  await scraper.scrape()
  // Two failed scrapes make one event; the next success another.
  s.setFail(true)
  t = 2100
  await scraper.scrape()
  t = 2200
  await scraper.scrape()
  s.setFail(false)
  t = 2300
  await scraper.scrape()
  // Another restart, found only by its new start time: the counter (2 → 9) and the histogram (3 → 4) are already past their old values.
  t = 3100
  const m3 = s.restart()
  m3.c.inc(9)
  for (let i = 0; i < 4; i++) m3.h.observe({ route: '/a' }, 0.05)
  await scraper.scrape()
  agg.closeAll()
  s.server.close()
  const series = Object.fromEntries(agg.series().map((x) => [x.name, x]))
  // After the last restart the window gets the new process's 9, not 9 - 2.
  assert.equal(
    series.orders_total.windows.map((w) => [w.i, w.delta]),
    [
      [0, 3],
      [1, 2],
      [2, 0],
      [3, 9],
    ],
  )
  assert.is(series.orders_total.tags.service, 'store')
  assert.equal(series.nodejs_heap_size_used_bytes.windows[0].value, 1500)
  assert.equal(series.nodejs_heap_size_used_bytes.windows[0].min, 1000)
  const h = series.http_request_duration_seconds
  assert.equal(h.windows[0].buckets, [
    [0.1, 0],
    [0.5, 1],
    ['+Inf', 2],
  ])
  assert.is(h.tags.route, '/a')
  assert.equal(h.windows.at(-1)!.buckets, [
    [0.1, 4],
    [0.5, 4],
    ['+Inf', 4],
  ])
  assert.equal(
    events.map((e) => e.kind),
    ['service-restart', 'scrape-failed', 'scrape-recovered', 'service-restart'],
  )
  assert.match(events[0].message, 'process_start_time_seconds went from 1700000000 to 1700000001')
  assert.equal((events[0].data as { evidence: string[] }).evidence.slice(1), ['orders_total went from 8 to 2'])
  assert.is(events[0].atMs, 1500)
  assert.match(events[3].message, 'store restarted (process_start_time_seconds went from 1700000001 to 1700000002)')
  assert.is(events[3].atMs, 3100)
})

test('a summary (prom-client over HTTP): _count and _sum as per-window increases, the mean per interval, quantiles as gauges', async () => {
  let registry = new client.Registry()
  const make = () => {
    registry = new client.Registry()
    return new client.Summary({
      name: 'checkout_duration_seconds',
      help: 'd',
      labelNames: ['route'],
      percentiles: [0.5, 0.99],
      registers: [registry],
    })
  }
  let summary = make()
  const server = createServer(async (_req, res) => {
    res.setHeader('content-type', registry.contentType)
    res.end(await registry.metrics())
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  let t = 0
  const agg = new SeriesAggregator({ windowMs: 1000, now: () => t })
  agg.setPhase('quiet')
  const events: RunEvent[] = []
  const scraper = new ServiceMetricsScraper({
    service: 'shop',
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/metrics`,
    select: ['checkout_duration_seconds'],
    aggregator: agg,
    onEvent: (e) => events.push(e),
    now: () => t,
  })
  try {
    summary.observe({ route: '/pay' }, 1)
    assert.ok(await scraper.scrape())
    // Window 0: 4 requests of 0.25 s; window 1: 2 of 0.5 s.
    t = 500
    for (let i = 0; i < 4; i++) summary.observe({ route: '/pay' }, 0.25)
    assert.ok(await scraper.scrape())
    t = 1500
    for (let i = 0; i < 2; i++) summary.observe({ route: '/pay' }, 0.5)
    assert.ok(await scraper.scrape())
    // The service restarts (its count goes back to 1): the new process's 1 request of 2 s.
    t = 2500
    summary = make()
    summary.observe({ route: '/pay' }, 2)
    assert.ok(await scraper.scrape())
  } finally {
    server.close()
  }
  agg.closeAll()
  const series = new Map(agg.series().map((x) => [x.key, x]))
  const count = series.get('service/checkout_duration_seconds_count{route=/pay,service=shop}')!
  assert.ok(count, [...series.keys()].join(', '))
  assert.is(count.kind, 'counter')
  assert.equal(
    count.windows.map((w) => [w.i, w.delta]),
    [
      [0, 4],
      [1, 2],
      [2, 1],
    ],
  )
  const sum = series.get('service/checkout_duration_seconds_sum{route=/pay,service=shop}')!
  assert.is(sum.unit, 'seconds')
  assert.equal(
    sum.windows.map((w) => w.delta),
    [1, 1, 2],
  )
  const mean = series.get('service/checkout_duration_seconds_mean{route=/pay,service=shop}')!
  assert.is(mean.kind, 'gauge')
  assert.equal(
    mean.windows.map((w) => w.value),
    [0.25, 0.5, 2],
  )
  assert.ok(series.has('service/checkout_duration_seconds{quantile=0.99,route=/pay,service=shop}'))
  assert.equal(
    events.map((e) => e.kind),
    ['service-restart'],
  )
  assert.ok(
    (events[0].data as { evidence: string[] }).evidence.includes('checkout_duration_seconds_count went from 7 to 1'),
    events[0].message,
  )
})

test('a series selected by its sample name (a summary _count) is kept; one asked for but absent is named once', async () => {
  const registry = new client.Registry()
  const summary = new client.Summary({ name: 'rpc_duration_seconds', help: 'd', registers: [registry] })
  const server = createServer(async (_req, res) => {
    res.setHeader('content-type', registry.contentType)
    res.end(await registry.metrics())
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  let t = 0
  const agg = new SeriesAggregator({ windowMs: 1000, now: () => t })
  const events: RunEvent[] = []
  const scraper = new ServiceMetricsScraper({
    service: 'api',
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/metrics`,
    select: ['rpc_duration_seconds_count', 'queue_depth'],
    expected: ['rpc_duration_seconds_count', 'queue_depth'],
    aggregator: agg,
    onEvent: (e) => events.push(e),
    now: () => t,
  })
  try {
    for (t = 0; t < 3000; t += 1000) {
      summary.observe(0.1)
      assert.ok(await scraper.scrape())
    }
  } finally {
    server.close()
  }
  agg.closeAll()
  const keys = agg.series().map((x) => x.key)
  assert.equal(keys, ['service/rpc_duration_seconds_count{service=api}'])
  assert.equal(
    events.map((e) => [e.kind, e.message.replace(/http:\/\/[^ ]+/, 'URL')]),
    [['note', "api: URL has no series queue_depth (asked for in the soak plan's scrape series)"]],
  )
})

test('a URL with user and password: scraped with Basic auth, and its password never in a message', async () => {
  const registry = new client.Registry()
  new client.Gauge({ name: 'queue_depth', help: 'd', registers: [registry] }).set(3)
  const expected = `Basic ${Buffer.from('ci:s3cret').toString('base64')}`
  const server = createServer(async (req, res) => {
    if (req.headers.authorization !== expected) return void res.writeHead(401).end()
    res.setHeader('content-type', registry.contentType)
    res.end(await registry.metrics())
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as { port: number }).port
  let t = 0
  const agg = new SeriesAggregator({ windowMs: 1000, now: () => t })
  const events: RunEvent[] = []
  const scraperOf = (password: string) =>
    new ServiceMetricsScraper({
      service: 'api',
      url: `http://ci:${password}@127.0.0.1:${port}/metrics`,
      select: ['queue_depth', 'rpc_total'],
      expected: ['rpc_total'],
      aggregator: agg,
      onEvent: (e) => events.push(e),
      now: () => t,
    })
  try {
    assert.ok(await scraperOf('s3cret').scrape(), 'the right password scrapes')
    const wrong = scraperOf('wr0ng-pw')
    for (t = 1000; t < 4000; t += 1000) assert.not.ok(await wrong.scrape())
  } finally {
    server.close()
  }
  assert.equal(
    events.map((e) => e.kind),
    ['note', 'scrape-failed'],
  )
  for (const e of events) {
    assert.not.match(e.message, /s3cret|wr0ng-pw/)
    assert.match(e.message, `http://ci:***@127.0.0.1:${port}/metrics`)
  }
})

test('samples a real process from /proc and reports when it is gone', async () => {
  const child = spawn(process.execPath, ['-e', 'const a=[];setInterval(()=>a.push(Buffer.alloc(1e5)),5)'], {
    stdio: 'ignore',
  })
  await new Promise((r) => setTimeout(r, 300))
  const stats = readProcStats(child.pid!)
  assert.ok(stats && stats.rssBytes > 1e6 && stats.openFds > 2 && stats.startTicks > 0, JSON.stringify(stats))
  let t = 0
  const agg = new SeriesAggregator({ windowMs: 1000, now: () => t })
  const events: RunEvent[] = []
  const p = new ProcSampler({
    service: 'worker',
    pid: child.pid!,
    aggregator: agg,
    onEvent: (e) => events.push(e),
    now: () => t,
  })
  p.sample()
  t = 400
  p.sample()
  child.kill('SIGKILL')
  await once(child, 'exit')
  t = 1200
  p.sample()
  p.sample()
  agg.closeAll()
  const names = agg
    .series()
    .map((s) => s.name)
    .sort()
  assert.equal(names, ['proc_cpu_seconds', 'proc_open_fds', 'proc_resident_memory_bytes'])
  assert.equal(
    events.map((e) => e.kind),
    ['service-crash'],
  )
  assert.is(events[0].atMs, 1200)
})

test.run()
