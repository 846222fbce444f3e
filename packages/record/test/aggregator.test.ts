import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SeriesAggregator, LatencyHistogram } from '@steady/record'

function clock() {
  let t = 0
  return { now: () => t, set: (v: number) => (t = v) }
}

test('values land in the window in which they completed, and in the current phase', () => {
  const c = clock()
  const agg = new SeriesAggregator({ windowMs: 1000, now: c.now })
  agg.setPhase('quiet')
  c.set(100)
  agg.duration('probe', 'http_req_duration', { scenario: 's', name: 'login' }, 12)
  c.set(999)
  agg.duration('probe', 'http_req_duration', { scenario: 's', name: 'login' }, 14)
  c.set(1000)
  agg.setPhase('peak')
  agg.duration('probe', 'http_req_duration', { scenario: 's', name: 'login' }, 40)
  agg.duration('probe', 'http_req_duration', { scenario: 's', name: 'login' }, 5, { error: 'status_500' })
  const batches = agg.closeWindows(2000)
  assert.equal(
    batches.map((b) => b.i),
    [0, 1],
  )
  const [series] = agg.series()
  assert.is(series.key, 'probe/http_req_duration{name=login,scenario=s}')
  assert.equal(
    series.windows.map((w) => w.count),
    [2, 2],
  )
  assert.equal(series.windows[1].errors, { status_500: 1 })
  // the failed request is counted but kept out of latency
  assert.is(LatencyHistogram.decode(series.windows[1].hist!).count, 1)
  assert.is(series.phases.quiet.count, 2)
  assert.is(series.phases.peak.count, 2)
  assert.ok(Math.abs(series.phases.peak.p50! - 40) < 0.1)
})

test('a late value for a closed window goes to the oldest open one, never lost', () => {
  const c = clock()
  const agg = new SeriesAggregator({ windowMs: 1000, now: c.now })
  c.set(2500)
  agg.closeWindows()
  agg.duration('load', 'http_req_duration', {}, 3, { atMs: 500 })
  const batches = agg.closeAll()
  assert.equal(
    batches.map((b) => b.i),
    [2],
  )
  assert.is(agg.series()[0].windows[0].count, 1)
})

test('gauges keep last and min per window; outcomes count passes and failures', () => {
  const c = clock()
  const agg = new SeriesAggregator({ windowMs: 1000, now: c.now })
  agg.setPhase('p')
  for (const [t, v] of [
    [0, 10],
    [300, 7],
    [600, 9],
    [1200, 12],
  ] as const) {
    c.set(t)
    agg.gauge('service', 'nodejs_heap_size_used_bytes', {}, v, { unit: 'bytes' })
  }
  agg.outcome('probe', 'iterations', { scenario: 'a' }, true)
  agg.outcome('probe', 'iterations', { scenario: 'a' }, false, { error: 'assertion' })
  agg.count('load', 'dropped_iterations', {}, 3)
  agg.closeAll()
  const byKey = Object.fromEntries(agg.series().map((s) => [s.name, s]))
  assert.equal(
    byKey.nodejs_heap_size_used_bytes.windows.map((w) => [w.value, w.min]),
    [
      [9, 7],
      [12, 12],
    ],
  )
  assert.equal(byKey.nodejs_heap_size_used_bytes.phases.p, { count: 4, first: 10, last: 12, min: 7 })
  assert.equal(byKey.iterations.windows[0], { i: 1, count: 2, passed: 1, failed: 1, errors: { assertion: 1 } })
  assert.is(byKey.dropped_iterations.phases.p.delta, 3)
})

test('Prometheus bucket deltas add up per window and phase', () => {
  const c = clock()
  const agg = new SeriesAggregator({ windowMs: 1000, now: c.now })
  agg.setPhase('p')
  agg.bucketDelta(
    'service',
    'http_request_duration_seconds',
    { route: '/a' },
    [
      [0.1, 3],
      [0.5, 5],
      ['+Inf', 6],
    ],
    1.2,
  )
  c.set(500)
  agg.bucketDelta(
    'service',
    'http_request_duration_seconds',
    { route: '/a' },
    [
      [0.1, 1],
      [0.5, 1],
      ['+Inf', 2],
    ],
    0.9,
  )
  agg.closeAll()
  const [s] = agg.series()
  assert.equal(s.windows[0].buckets, [
    [0.1, 4],
    [0.5, 6],
    ['+Inf', 8],
  ])
  assert.is(s.windows[0].count, 8)
  assert.is(s.windows[0].sum, 2.1)
  assert.equal(s.phases.p.buckets, [
    [0.1, 4],
    [0.5, 6],
    ['+Inf', 8],
  ])
})

test.run()
