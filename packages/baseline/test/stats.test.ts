/** The distributions and tests the judge is built on, against known values. */
import { test } from 'uvu'
import { LatencyHistogram } from '@steady/record'
import { rankSes } from '../src/summary.ts'
import * as assert from 'uvu/assert'
import { betaShape, digamma, fitFDist, trigamma, trigammaInverse } from '../src/stats/distributions.ts'
import { betaBinomialSf, incompleteBeta, logGamma, normalCdf, normalQuantile, tCdf, tQuantile } from '@steady/kernel'
import { holmAdjust, holmAdjustWeighted } from '../src/stats/holm.ts'
import { autocorrelatedSe, lag1, median, scaledMad, sd } from '../src/stats/robust.ts'
import { Random } from '../src/stats/random.ts'
import { blockBootstrap, predict } from '../src/judge/predict.ts'
import { failureRateTest } from '../src/judge/rate-test.ts'
import { slopeStandardError, theilSen, trendTest } from '../src/stats/trend.ts'
import { isHeapSeries, phasePoints, trendPhases } from '../src/trends.ts'
import { syntheticRun } from '../src/testing/synthetic.ts'

const close = (a: number, b: number, tol: number, what = '') =>
  assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b}`)

test('log-gamma, incomplete beta, normal and t against tabulated values', () => {
  close(logGamma(10), Math.log(362880), 1e-10, 'lgamma')
  close(logGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-10, 'lgamma 0.5')
  close(incompleteBeta(0.5, 2, 3), 0.6875, 1e-10, 'I_0.5(2,3)')
  close(normalCdf(1.959963985), 0.975, 1e-7)
  close(normalQuantile(0.975), 1.959963985, 1e-7)
  close(normalQuantile(1e-6), -4.753424309, 1e-6)
  close(tQuantile(0.975, 9), 2.262157163, 1e-8)
  close(tQuantile(0.99, 45), 2.412116, 1e-6)
  close(tCdf(2.262157163, 9), 0.975, 1e-9)
  close(tQuantile(0.9999, 45), 4.0, 0.06)
})

test('beta-binomial tails: binomial in the limit, heavier with over-dispersion', () => {
  // Binomial(100, 0.05): P(X ≥ 10) = 0.02818829
  const { a, b } = betaShape(0.05, 1e-7)
  close(betaBinomialSf(10, 100, a, b), 0.02818829, 2e-5)
  const wide = betaShape(0.05, 0.05)
  assert.ok(betaBinomialSf(10, 100, wide.a, wide.b) > 0.1)
  assert.is(betaBinomialSf(0, 100, a, b), 1)
})

test('Holm: step-down adjusted p-values, monotone, capped at 1', () => {
  assert.equal(
    holmAdjust([0.01, 0.04, 0.03, 0.5]).map((p) => Math.round(p * 1e6) / 1e6),
    [0.04, 0.09, 0.09, 0.5],
  )
  assert.equal(holmAdjust([0.9, 0.8]), [1, 1])
  assert.equal(holmAdjust([0.001, 0.2]), [0.002, 0.2])
})

test('robust statistics and the AR(1)-corrected standard error', () => {
  assert.is(median([3, 1, 2]), 2)
  close(scaledMad([1, 2, 3, 4, 100]), 1.4826, 1e-9)
  close(sd([2, 4, 4, 4, 5, 5, 7, 9]), 2.138089935, 1e-8)
  const rnd = new Random('ar')
  const xs: number[] = []
  let e = 0
  for (let i = 0; i < 5000; i++) xs.push((e = 0.6 * e + rnd.normal()))
  close(lag1(xs), 0.6, 0.05)
  assert.ok(autocorrelatedSe(xs) > (sd(xs) / Math.sqrt(xs.length)) * 1.8)
})

test('slope standard error: matches the spread of heap slopes between runs (a GC sawtooth), and OLS for white noise', () => {
  // The synthetic heap's per-window minimum over three 40-minute phases: old space ramping between major GCs
  // at random times plus the young generation's fill.
  const phases = [
    { name: 'quiet', durationMs: 2_400_000, rate: 0 },
    { name: 'nominal', durationMs: 2_400_000, rate: 5 },
    { name: 'peak', durationMs: 2_400_000, rate: 10 },
  ]
  const slopes: number[] = []
  const ses: number[] = []
  for (let run = 0; run < 80; run++) {
    const rec = syntheticRun({ seed: `hac${run}`, phases, indicatorsOnly: true })
    const heap = rec.series.find(isHeapSeries)!
    const segs = trendPhases(rec).map((p) => phasePoints(heap, p, rec.window.sizeMs, new Set(), (w) => w.min))
    const b = theilSen(segs)
    slopes.push(b)
    ses.push(slopeStandardError(segs))
  }
  const rms = (v: number[]) => Math.sqrt(v.reduce((a, x) => a + x * x, 0) / v.length)
  const ratio = rms(ses) / sd(slopes)
  // 80 runs estimate the spread within about ±16% (two standard errors)
  assert.ok(ratio > 0.8 && ratio < 1.25, `heap: standard error ${rms(ses)} against the slopes' spread ${sd(slopes)}`)
  const rnd = new Random('hac-white')
  const white: number[] = []
  for (let run = 0; run < 200; run++) {
    const segs = [0, 1, 2].map(() => Array.from({ length: 240 }, (_, i) => ({ x: i, y: rnd.normal() })))
    white.push(slopeStandardError(segs))
  }
  // OLS for 3 × 240 white-noise points: 1 / √(3 · Σ(x − x̄)²)
  const ols = 1 / Math.sqrt(3 * ((240 * (240 * 240 - 1)) / 12))
  close(rms(white) / ols, 1, 0.15, 'white noise')
  // Segments growing at different rates (a leak per request under three loads): the difference is not noise.
  const steps: number[] = []
  for (let run = 0; run < 200; run++) {
    const segs = [1, 2, 4].map((rate) => Array.from({ length: 240 }, (_, i) => ({ x: i, y: rate * i + rnd.normal() })))
    steps.push(slopeStandardError(segs))
  }
  close(rms(steps) / ols, 1, 0.15, 'segments with their own slopes')
})

test('the seeded generator repeats itself and draws the right moments', () => {
  const a = new Random(7)
  const b = new Random(7)
  assert.equal([a.next(), a.next()], [b.next(), b.next()])
  const r = new Random('moments')
  let s = 0
  let g = 0
  let p = 0
  for (let i = 0; i < 20000; i++) {
    s += r.normal() ** 2
    g += r.gamma(2)
    p += r.binomial(1000, 0.01)
  }
  close(s / 20000, 1, 0.03)
  close(g / 20000, 2, 0.05)
  close(p / 20000, 10, 0.1)
})

test('prediction interval: calibrated under the null (about α of runs exceed it)', () => {
  const rnd = new Random('calibration')
  let rejections = 0
  const trials = 4000
  for (let t = 0; t < trials; t++) {
    const logs = Array.from({ length: 10 }, () => 0.08 * rnd.normal())
    const pr = predict(logs, 0.08 * rnd.normal(), Number.NaN, 0)
    if (pr.p < 0.05) rejections++
  }
  close(rejections / trials, 0.05, 0.012)
})

test("the noise floor widens a too-tight spread; the current run's own noise too", () => {
  const flat = [0, 0, 0, 0, 0]
  const pr = predict(flat, Math.log(1.05), Number.NaN, 0.02)
  assert.is(pr.sigmaFrom, 'floor')
  assert.ok(pr.p > 0.01, 'a 5% change is not significant against a 2% floor with 4 df')
  assert.is(predict(flat, 0, 0.1, 0.02).sigmaFrom, 'current run')
})

test('block bootstrap: no change is not significant; a large one is', () => {
  const rnd = new Random('boot')
  const blocks = (shift: number) => Array.from({ length: 8 }, () => shift + 0.03 * rnd.normal())
  assert.ok(blockBootstrap(blocks(0), [blocks(0)], 's').p > 0.01)
  const big = blockBootstrap(blocks(Math.log(1.5)), [blocks(0)], 's')
  assert.ok(big.p < 1e-6 && big.change > 0.3)
})

test('failure rates: over-dispersion across runs widens the test; zero failures is not certainty', () => {
  const steady = Array.from({ length: 10 }, () => ({ n: 10000, f: 20 }))
  const bursty = [0, 5, 60, 10, 2, 40, 8, 30, 15, 30].map((f) => ({ n: 10000, f }))
  const cur = { n: 10000, f: 45 }
  const a = failureRateTest(steady, cur)
  const b = failureRateTest(bursty, cur)
  assert.ok(a.p < 1e-4, `steady baseline: ${a.p}`)
  assert.ok(b.p > 0.05, `bursty baseline: ${b.p}`)
  assert.ok(b.rho > a.rho)
  const none = failureRateTest(
    Array.from({ length: 5 }, () => ({ n: 100, f: 0 })),
    { n: 100, f: 1 },
  )
  assert.ok(none.p > 0.05 && none.p0 > 0)
})

test("trends under minute-long contention (AR(1), φ = 0.95): against the baseline runs' trends the drift test holds its level", () => {
  // The run's own Mann–Kendall test (lag-1 pre-whitening) calls such noise a trend far too often; the judge
  // also asks whether the run's slope is outside the baseline runs' slopes (intersection–union), and that
  // is calibrated by how much trends vary between runs, whatever the memory within a run.
  const rnd = new Random('ar95')
  const series = (n: number) => {
    let e = rnd.normal() / Math.sqrt(1 - 0.95 ** 2)
    const pts: { x: number; y: number }[] = []
    for (let i = 0; i < n; i++) {
      e = 0.95 * e + rnd.normal()
      pts.push({ x: i, y: e })
    }
    return pts
  }
  const fit = () => {
    const pts = series(60)
    const t = trendTest([pts])
    const nw = slopeStandardError([pts])
    return { slope: t.slope, se: Math.max(t.se, Number.isFinite(nw) ? nw : 0), p: t.p }
  }
  const trials = 300
  let own = 0
  let against = 0
  for (let k = 0; k < trials; k++) {
    const base = Array.from({ length: 5 }, () => fit().slope)
    const cur = fit()
    if (cur.p < 0.01) own++
    if (Math.max(cur.p, predict(base, cur.slope, cur.se, 0, undefined, 58).p) < 0.01) against++
  }
  assert.ok(own / trials > 0.2, `the run's own test alone over-rejects (${own}/${trials})`)
  // nominal 1%; 300 trials: a rate of 1% lands above 3% about 1 time in 400
  assert.ok(against / trials <= 0.03, `against the baseline: ${against}/${trials}`)
})

test('weighted Holm: equal weights are Holm; a check with half of α is tested at α/2 first', () => {
  const p = [0.001, 0.02, 0.004, 0.3]
  const a = holmAdjust(p)
  holmAdjustWeighted(p, [1, 1, 1, 1]).forEach((x, i) => close(x, a[i], 1e-12, `p${i}`))
  // weights: half for the first, the other half shared by three. By p/w: the second (0.006) is rejected first
  // with the whole α; then the first, whose share grows to 0.5 / (5/6): 0.008 × 5/6.
  const w = holmAdjustWeighted([0.004, 0.001, 0.02, 0.3], [3, 1, 1, 1])
  close(w[1], 0.006, 1e-12, 'smallest p/w')
  close(w[0], 0.008 * (5 / 6), 1e-12, 'reserved')
  assert.ok(w[2] >= w[1] && w[3] <= 1)
})

test('digamma, trigamma and the F-distribution prior of many variances (limma): agreeing spreads lend many df, differing ones few', () => {
  close(digamma(1), -0.5772156649015329, 1e-10, 'ψ(1)')
  close(trigamma(1), Math.PI ** 2 / 6, 1e-8, 'ψ′(1)')
  close(trigamma(trigammaInverse(0.3)), 0.3, 1e-9, 'inverse')
  const rnd = new Random('fdist')
  const draw = (sigma2: number, d: number) => {
    let s = 0
    for (let i = 0; i < d; i++) s += rnd.normal() ** 2
    return (sigma2 * s) / d
  }
  const same = Array.from({ length: 40 }, () => draw(1, 4))
  const differ = Array.from({ length: 40 }, () => draw(Math.exp(2 * rnd.normal()), 4))
  const a = fitFDist(
    same,
    same.map(() => 4),
  )!
  const b = fitFDist(
    differ,
    differ.map(() => 4),
  )!
  assert.ok(a.df > 20, `one shared spread: d0 = ${a.df}`)
  assert.ok(b.df < 5, `spreads that differ: d0 = ${b.df}`)
})

test('rank standard errors: wide where a median sits between two modes, narrow on one mode', () => {
  // 50 requests, 24 at about 1.25 ms and 26 at about 2.25 ms (a timer tick apart): the median can land on
  // either mode from one run to the next with nothing changed.
  const twoModes = new LatencyHistogram()
  for (let i = 0; i < 24; i++) twoModes.record(1.25 + i * 0.002)
  for (let i = 0; i < 26; i++) twoModes.record(2.25 + i * 0.002)
  const oneMode = new LatencyHistogram()
  for (let i = 0; i < 50; i++) oneMode.record(1.25 + i * 0.004)
  const [wide] = rankSes(twoModes)
  const [narrow] = rankSes(oneMode)
  assert.ok(wide > 0.1, `two modes: ${wide}`)
  assert.ok(narrow < 0.03, `one mode: ${narrow}`)
  // Many values pin the quantile: 5,000 draws of one mode leave a tiny error.
  const many = new LatencyHistogram()
  for (let i = 0; i < 5000; i++) many.record(1 + (i % 100) * 0.01)
  assert.ok(rankSes(many)[0] < 0.01)
})

test.run()
