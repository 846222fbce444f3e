import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { LatencyHistogram } from '@steady/record'
import { HISTOGRAM_PARAMETERS } from '@steady/record/internal'

test('records milliseconds and answers quantiles within the pinned precision', () => {
  const h = new LatencyHistogram()
  for (let i = 1; i <= 1000; i++) h.record(i)
  assert.is(h.count, 1000)
  const near = (a: number, b: number) => Math.abs(a - b) / b < 0.002
  assert.ok(near(h.quantile(0.5), 500), String(h.quantile(0.5)))
  assert.ok(near(h.quantile(0.95), 950))
  assert.ok(near(h.quantile(0.99), 990))
  assert.ok(near(h.max, 1000))
  assert.ok(near(h.min, 1))
})

test('encodes, decodes and merges losslessly across copies', () => {
  const a = new LatencyHistogram()
  const b = new LatencyHistogram()
  for (let i = 0; i < 500; i++) a.record(10 + (i % 7))
  for (let i = 0; i < 500; i++) b.record(200 + (i % 11))
  const merged = LatencyHistogram.mergeAll([a.encode(), b.encode()])
  assert.is(merged.count, 1000)
  const direct = new LatencyHistogram().merge(a).merge(b)
  assert.is(merged.quantile(0.5), direct.quantile(0.5))
  assert.is(merged.quantile(0.99), direct.quantile(0.99))
  assert.is(LatencyHistogram.decode(merged.encode()).quantile(0.75), merged.quantile(0.75))
})

test('empty histograms answer NaN; huge values are clamped, not thrown', () => {
  const h = new LatencyHistogram()
  assert.ok(Number.isNaN(h.quantile(0.5)))
  h.record(10 * 3_600_000)
  assert.is(h.count, 1)
  assert.ok(h.max <= (HISTOGRAM_PARAMETERS.highest / 1000) * 1.001)
  h.record(-5)
  assert.is(h.count, 2)
})

test('decodeValues gives back every value as the quantile of its rank reports it', () => {
  // Seeded draws over six decades: sub-millisecond, typical, slow, minutes, clamped, repeated values.
  let seed = 7
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
  for (const n of [0, 1, 2, 9, 40, 333]) {
    const h = new LatencyHistogram()
    for (let i = 0; i < n; i++) h.record(i % 5 === 4 ? 12.5 : 10 ** (6 * next() - 2))
    if (n === 333) h.record(10 * 3_600_000)
    const values = LatencyHistogram.decodeValues(h.encode())
    assert.is(values.length, h.count)
    values.forEach((v, i) => assert.is(v, h.quantile((i + 0.5) / h.count), `value ${i} of ${h.count}`))
  }
})

test.run()
