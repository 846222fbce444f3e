import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  betaBinomialSf,
  clopperPearson,
  incompleteBeta,
  logGamma,
  mean,
  median,
  normalCdf,
  normalQuantile,
  normalSf,
  quantile,
  sd,
  tCdf,
  theilSen,
  theilSenLine,
  tQuantile,
  tSf,
  wilsonBounds,
  wilsonInterval,
  type Point,
} from '@steady/kernel'
import { betaBinomialLogPmf, logBeta, logChoose } from '../src/distributions.ts'

const close = (a: number, b: number, tol: number, what = '') =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`)

test('mean, standard deviation, quantiles and the median', () => {
  assert.is(mean([1, 2, 3, 4]), 2.5)
  assert.ok(Number.isNaN(mean([])))
  close(sd([2, 4, 4, 4, 5, 5, 7, 9]), 2.138089935, 1e-8)
  assert.is(sd([5]), 0)
  assert.is(median([3, 1, 2]), 2)
  assert.is(median([4, 1, 3, 2]), 2.5)
  assert.ok(Number.isNaN(median([])))
  // Type 7 (R's and numpy's default): linear between order statistics.
  const xs = [10, 20, 30, 40, 50]
  assert.is(quantile(xs, 0), 10)
  assert.is(quantile(xs, 1), 50)
  assert.is(quantile(xs, 0.25), 20)
  assert.is(quantile(xs, 0.875), 45)
  const input = [3, 1, 2]
  median(input)
  assert.equal(input, [3, 1, 2], 'the input is not sorted in place')
})

test('Theil–Sen: the slope of a line, unmoved by a spike, never taken across segments', () => {
  const line = Array.from({ length: 20 }, (_, i) => ({ x: i, y: 3 + 2 * i }))
  assert.is(theilSen([line]), 2)
  const spiked = line.map((p, i) => (i === 7 ? { ...p, y: 1000 } : p))
  assert.is(theilSen([spiked]), 2)
  // Two flat phases at different levels: no trend, although one segment sits higher than the other.
  const quiet: Point[] = Array.from({ length: 10 }, (_, i) => ({ x: i, y: 5 }))
  const peak: Point[] = Array.from({ length: 10 }, (_, i) => ({ x: 10 + i, y: 50 }))
  assert.is(theilSen([quiet, peak]), 0)
  assert.is(theilSen([[...quiet, ...peak]]) > 0, true)
  assert.ok(Number.isNaN(theilSen([[{ x: 1, y: 1 }]])))
  assert.ok(
    Number.isNaN(
      theilSen([
        [
          { x: 1, y: 1 },
          { x: 1, y: 2 },
        ],
      ]),
    ),
    'equal x gives no slope',
  )
})

test('log-gamma, log-beta and log-binomial coefficients against exact values', () => {
  close(logGamma(10), Math.log(362880), 1e-10, 'ln Γ(10)')
  close(logGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-10, 'ln Γ(½)')
  close(logGamma(0.1), Math.log(9.513507698668732), 1e-10, 'ln Γ(0.1)')
  close(logBeta(2, 3), Math.log(1 / 12), 1e-12, 'ln B(2, 3)')
  close(logChoose(10, 3), Math.log(120), 1e-10, 'ln C(10, 3)')
})

test('the incomplete beta function: exact values, symmetry, the ends', () => {
  close(incompleteBeta(0.5, 2, 3), 0.6875, 1e-12, 'I_0.5(2, 3)')
  close(incompleteBeta(0.3, 1, 1), 0.3, 1e-12, 'uniform')
  close(incompleteBeta(0.2, 1, 4), 1 - 0.8 ** 4, 1e-12, 'I_x(1, b) = 1 − (1 − x)^b')
  for (const [x, a, b] of [
    [0.1, 2.5, 7],
    [0.7, 30, 12],
    [0.45, 0.5, 0.5],
  ]) {
    close(incompleteBeta(x, a, b), 1 - incompleteBeta(1 - x, b, a), 1e-13, `symmetry at ${x}, ${a}, ${b}`)
  }
  assert.is(incompleteBeta(0, 2, 3), 0)
  assert.is(incompleteBeta(1, 2, 3), 1)
})

test("Student's t and the normal against tabulated values", () => {
  close(tCdf(2.262157163, 9), 0.975, 1e-9, 't 9 df')
  close(tSf(2.262157163, 9), 0.025, 1e-9, 't 9 df, upper')
  close(tSf(-1.5, 4) + tSf(1.5, 4), 1, 1e-12, 'symmetric')
  assert.is(tSf(0, 7), 0.5)
  assert.is(tSf(Number.POSITIVE_INFINITY, 3), 0)
  assert.is(tSf(Number.NEGATIVE_INFINITY, 3), 1)
  close(tQuantile(0.975, 9), 2.262157163, 1e-8, 't quantile')
  close(tQuantile(0.99, 45), 2.412116, 1e-6, 't quantile 45 df')
  close(normalCdf(1.959963985), 0.975, 1e-7, 'Φ(1.96)')
  close(normalSf(1.959963985), 0.025, 1e-7, '1 − Φ(1.96)')
  close(normalSf(3), 0.0013498980316301, 1e-9, 'upper tail at 3σ, without cancellation')
  assert.is(normalSf(-2), normalCdf(2))
  close(normalQuantile(0.975), 1.959963985, 1e-7, 'Φ⁻¹(0.975)')
  close(normalQuantile(1e-6), -4.753424309, 1e-6, 'Φ⁻¹(1e-6)')
})

test('the beta-binomial: a binomial in the limit, heavier with over-dispersion, its pmf sums to 1', () => {
  // Binomial(100, 0.05): P(X ≥ 10) = 0.02818829. A beta with a huge a + b is all but a point.
  const s = 1e7
  close(betaBinomialSf(10, 100, 0.05 * s, 0.95 * s), 0.02818829, 2e-5, 'binomial limit')
  assert.ok(betaBinomialSf(10, 100, 0.05 * 19, 0.95 * 19) > 0.1, 'over-dispersed')
  assert.is(betaBinomialSf(0, 100, 1, 1), 1)
  assert.is(betaBinomialSf(101, 100, 1, 1), 0)
  // Beta(1, 1): every count out of n is equally likely.
  close(betaBinomialSf(3, 9, 1, 1), 0.7, 1e-12, 'uniform counts')
  let total = 0
  for (let k = 0; k <= 30; k++) total += Math.exp(betaBinomialLogPmf(k, 30, 2.5, 4))
  close(total, 1, 1e-12, 'pmf')
  // Summed from the shorter side either way: below the mean as 1 − the lower terms, above it term by term.
  const upper = (k: number) => {
    let sum = 0
    for (let j = k; j <= 30; j++) sum += Math.exp(betaBinomialLogPmf(j, 30, 2.5, 4))
    return sum
  }
  close(betaBinomialSf(5, 30, 2.5, 4), upper(5), 1e-12, 'below the mean')
  close(betaBinomialSf(20, 30, 2.5, 4), upper(20), 1e-15, 'above the mean')
})

test('the Wilson interval of a proportion', () => {
  const [lo, hi] = wilsonInterval(5, 100)
  close(lo, 0.02154, 1e-4, 'lower')
  close(hi, 0.11175, 1e-4, 'upper')
  assert.equal(wilsonInterval(0, 0), [0, 1])
  close(wilsonInterval(0, 50)[0], 0, 1e-12, 'none of 50')
  close(wilsonInterval(50, 50)[1], 1, 1e-12, 'all of 50')
  assert.ok(wilsonInterval(50, 50)[1] <= 1)
  // The interval is the bounds at the two-sided z; one bound alone is one-sided at its z.
  assert.equal(wilsonBounds(5, 100, normalQuantile(0.975)), wilsonInterval(5, 100))
  const [oneSided] = wilsonBounds(1, 19, 1.645)
  close(oneSided, 0.011829293381605, 1e-12, '1 of 19 at z 1.645')
  assert.ok(oneSided < 1 / 19)
})

test('a Theil–Sen line ignores a spike: its slope, and the intercept that halves the residuals', () => {
  const points = Array.from({ length: 50 }, (_, x) => ({ x, y: x === 10 ? 1000 : 2 * x + 1 }))
  const line = theilSenLine(points)!
  assert.ok(Math.abs(line.slope - 2) < 1e-9, String(line.slope))
  assert.ok(Math.abs(line.intercept - 1) < 1e-9, String(line.intercept))
  assert.is(
    theilSenLine([
      { x: 1, y: 1 },
      { x: 1, y: 2 },
    ]),
    undefined,
  )
})

test('binomial intervals: Wilson and Clopper–Pearson', () => {
  const [wl, wh] = wilsonInterval(5, 100)
  close(wl, 0.02154, 1e-4)
  close(wh, 0.11175, 1e-4)
  const [cl, ch] = clopperPearson(5, 100)
  close(cl, 0.016431, 1e-5)
  close(ch, 0.112835, 1e-5)
  assert.equal(clopperPearson(0, 1000)[0], 0)
  close(clopperPearson(0, 1000)[1], 0.003682, 1e-5)
})

test.run()
