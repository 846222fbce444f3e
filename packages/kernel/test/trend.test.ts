import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mannKendallS, mulberry32, theilSen, theilSenLine, type Point } from '@steady/kernel'
import { medianSlope } from '../src/trend.ts'

const LISTED = Number.POSITIVE_INFINITY
/** Selection narrows until 300 slopes are left, so every input below takes several rounds of it. */
const SELECTED = 300

function series(n: number, y: (i: number, random: () => number) => number, seed = 1, x = (i: number) => i): Point[] {
  const random = mulberry32(seed)
  return Array.from({ length: n }, (_, i) => ({ x: x(i), y: y(i, random) }))
}

const sameBothWays = (what: string, segments: Point[][]) =>
  assert.is(medianSlope(segments, SELECTED), medianSlope(segments, LISTED), what)

test('selecting the median slope gives what listing every slope gives', () => {
  sameBothWays('noise around a trend (odd count of pairs)', [series(1001, (i, r) => 0.3 * i + 50 * (r() - 0.5))])
  sameBothWays('noise around a trend (even count of pairs)', [series(1000, (i, r) => -2 * i + 500 * (r() - 0.5), 2)])
  sameBothWays('integer latencies: slopes tie in blocks', [series(1200, (_, r) => Math.round(5 + 3 * r()), 3)])
  sameBothWays('a flat series: every slope is 0', [series(900, () => 7)])
  sameBothWays('a heap sawtooth', [series(1500, (i, r) => 100 + (i % 37) * 2 - Math.floor(i / 37) * 0.5 + r(), 4)])
  sameBothWays('one spike in a hundred', [series(1100, (i, r) => i * 0.01 + (r() < 0.01 ? 1e6 : r()), 5)])
  sameBothWays('windows sharing a timestamp', [
    series(
      1000,
      (_, r) => r(),
      6,
      (i) => Math.floor(i / 3),
    ),
  ])
  sameBothWays('irregular times', [
    series(
      1000,
      (i, r) => Math.sqrt(i) + r(),
      7,
      (i) => i * i * 0.001,
    ),
  ])
  sameBothWays('phases of different lengths, one point and none', [
    series(700, (i, r) => i + 100 * r(), 8),
    series(400, (i, r) => 1000 - i + 10 * r(), 9),
    series(1, () => 3),
    [],
  ])
  // The middle two slopes on either side of a block of equal ones: one is the block's, the other the next one up.
  sameBothWays('a flat phase and a rising one, as many pairs each', [series(30, () => 5), series(30, (i) => i)])
  sameBothWays('epoch milliseconds', [
    series(
      400,
      (i, r) => 1e8 + 370 * i + 0.001 * r(),
      10,
      (i) => 1.7e12 + 1000 * i,
    ),
  ])
  sameBothWays('nanoseconds', [
    series(
      600,
      (i, r) => 1e-9 * i + 1e-12 * r(),
      11,
      (i) => 1 + 7e-9 * i,
    ),
  ])
})

test('points that are not finite numbers are left out, whichever way the slope is found', () => {
  const noisy = series(700, (i, r) => 0.5 * i + r(), 12)
  const holed = noisy.map((p, i) =>
    i % 50 === 10 ? { ...p, y: Number.NaN } : i % 50 === 23 ? { ...p, y: Number.POSITIVE_INFINITY } : p,
  )
  const kept = holed.filter((p) => Number.isFinite(p.y))
  assert.is(medianSlope([holed], SELECTED), medianSlope([kept], LISTED))
  assert.is(medianSlope([holed], LISTED), medianSlope([kept], LISTED))
  assert.ok(Number.isNaN(mannKendallS([1, Number.NaN, 3])))
  const line = theilSenLine([...series(20, (i) => 2 * i + 1), { x: 5, y: Number.NaN }])!
  assert.equal([line.slope, line.intercept], [2, 1])
})

test('a day-long phase of one-second windows gets its slope without listing its 3.7 billion pairs', () => {
  const day = series(86_400, (i, r) => 50 + i * 1e-4 + (r() - 0.5) * 4 + (r() < 0.001 ? 500 : 0))
  const slope = theilSen([day])
  assert.ok(Math.abs(slope - 1e-4) < 2e-6, String(slope))
})

test('the Mann–Kendall statistic counts what comparing every pair counts, ties as 0', () => {
  const random = mulberry32(11)
  for (const n of [0, 1, 2, 7, 100, 1001]) {
    const values = Array.from({ length: n }, (_, i) => Math.round(i * 0.01 + 4 * random()))
    let pairwise = 0
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) pairwise += Math.sign(values[j] - values[i])
    assert.is(mannKendallS(values), pairwise, `n = ${n}`)
  }
  assert.is(mannKendallS([1, 2, 3]), 3)
  assert.is(mannKendallS([3, 2, 1]), -3)
  assert.is(mannKendallS([5, 5, 5]), 0)
})

test('no slope: NaN, whichever way it is found', () => {
  const sameX = series(
    1000,
    (_, r) => r(),
    1,
    () => 5,
  )
  assert.ok(Number.isNaN(medianSlope([sameX], SELECTED)))
  assert.ok(Number.isNaN(medianSlope([[], []], SELECTED)))
})

test.run()
