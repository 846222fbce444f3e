import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SeriesAggregator } from '@steady/record'
import { ABBA_BLOCK, abbaSlot, arrivalLead, sideAggregator } from '../src/paired.ts'
import { formatProgress } from '../src/progress.ts'

test('ABBA slots: every block gives each side both iterations of two pairs, in ABBA or BAAB order', () => {
  const orders = new Set<string>()
  for (let block = 0; block < 64; block++) {
    const slots = Array.from({ length: ABBA_BLOCK }, (_, k) => abbaSlot('seed-1', block * ABBA_BLOCK + k))
    const order = slots.map((s) => (s.side === 'candidate' ? 'A' : 'B')).join('')
    assert.ok(order === 'ABBA' || order === 'BAAB', order)
    orders.add(order)
    // Each pair is run once on each side.
    for (const pair of [2 * block, 2 * block + 1]) {
      assert.equal(
        slots
          .filter((s) => s.pair === pair)
          .map((s) => s.side)
          .sort(),
        ['candidate', 'control'],
      )
    }
  }
  assert.is(orders.size, 2, 'both block orders occur')
})

test('ABBA slots: after any number of slots the sides differ by at most two; the order follows the seed', () => {
  let a = 0
  let b = 0
  for (let slot = 0; slot < 1000; slot++) {
    if (abbaSlot('seed-2', slot).side === 'candidate') a++
    else b++
    assert.ok(Math.abs(a - b) <= 2, `slot ${slot}: ${a} vs ${b}`)
  }
  const orderOf = (seed: string) => Array.from({ length: 200 }, (_, i) => abbaSlot(seed, i).side).join()
  assert.is(orderOf('x'), orderOf('x'))
  assert.is.not(orderOf('x'), orderOf('y'))
})

test('load arrivals: each two in a row have opposite leads, and the seed decides which comes first', () => {
  for (const seed of ['s1', 's2', 'another seed']) {
    for (let b = 0; b < 200; b++) {
      const pair = [arrivalLead(seed, 2 * b), arrivalLead(seed, 2 * b + 1)]
      assert.equal([...pair].sort(), ['candidate', 'control'], `arrivals ${2 * b}, ${2 * b + 1} of ${seed}`)
    }
  }
  const leads = (seed: string) => Array.from({ length: 64 }, (_, k) => arrivalLead(seed, k)).join()
  assert.is(leads('s1'), leads('s1'))
  assert.is.not(leads('s1'), leads('s2'))
})

test('a side view of the aggregator tags every series with its side and shares the windows', () => {
  let t = 0
  const agg = new SeriesAggregator({ windowMs: 1000, now: () => t })
  const cand = sideAggregator(agg, 'candidate')
  const ctrl = sideAggregator(agg, 'control')
  cand.duration('probe', 'http_req_duration', { scenario: 's' }, 12)
  ctrl.duration('probe', 'http_req_duration', { scenario: 's' }, 30)
  ctrl.gauge('service', 'heap', { service: 'store' }, 5)
  cand.count('load', 'http_reqs', {}, 3)
  assert.is(cand.windowOf(2500), 2)
  t = 1500
  agg.closeWindows()
  assert.equal(
    agg
      .series()
      .map((s) => s.key)
      .sort(),
    [
      'load/http_reqs{side=candidate}',
      'probe/http_req_duration{scenario=s,side=candidate}',
      'probe/http_req_duration{scenario=s,side=control}',
      'service/heap{service=store,side=control}',
    ],
  )
})

test('the progress line of a paired soak shows both sides briefly', () => {
  const sides = [
    { side: 'candidate', iterations: 10, passed: 9 },
    { side: 'control', iterations: 11, passed: 11 },
  ]
  const line = formatProgress({ phase: 'peak', elapsedMs: 5000, totalMs: 10_000, iterations: 21, passed: 20, sides })
  assert.match(line, '21 probe iterations')
  assert.match(line, 'candidate 10 (90%) / control 11 (100%)')
})

test.run()
