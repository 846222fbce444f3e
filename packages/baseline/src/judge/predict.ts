/**
 * The level test: where should this run's value fall if nothing changed,
 * given the spread between the baseline runs? On the log scale (latency is
 * multiplicative), a prediction interval with Student's t on K − 1 degrees
 * of freedom, whose width has a noise floor: the larger of the runs' standard
 * deviation, their scaled MAD (one wild run must not shrink nor blow up the
 * scale), the current run's own standard error (from its windows, or from
 * its quantile's order statistics where that is larger), and a per-metric
 * floor.
 */
import { fitFDist } from '../stats/distributions.ts'
import { normalCdf, tQuantile, tSf } from '@steady/kernel'
import { mean, scaledMad, sd } from '../stats/robust.ts'
import { Random } from '../stats/random.ts'

export interface Prediction {
  /** Baseline runs used. */
  k: number
  /** Mean of the baseline's logs. */
  centre: number
  /** The scale used (after the floor) and which term set it. */
  sigma: number
  sigmaFrom: 'runs' | 'pooled' | 'mad' | 'current run' | 'floor'
  /** Degrees of freedom of the t used. */
  df: number
  /** sigma · √(1 + 1/K): the predictive standard deviation of one new run. */
  scale: number
  /** Observed log change (current − centre) and as a relative change. */
  logChange: number
  change: number
  /** One-sided p-value of "no increase". */
  p: number
  /** 95% prediction interval, on the original scale. */
  interval: [number, number]
}

/**
 * A prior for the spread: the pooled variance of sibling series (the other
 * steps of the phase) with its degrees of freedom. With K = 10 runs a lone
 * standard deviation has 9 degrees of freedom, and t on 9 df at a
 * family-corrected level is so wide that nothing short of a doubling is
 * seen; moderating it toward the siblings' pooled spread (empirical Bayes, as
 * limma does for many series with few replicates) keeps the test honest and
 * useful.
 */
export interface SpreadPrior {
  variance: number
  /** Pooled squared scaled MAD, moderating the robust spread the same way. */
  mad: number
  df: number
  /**
   * The siblings lend their degrees of freedom but never shrink this series'
   * own spread: for a quantity whose siblings may be quieter than it (the
   * run-to-run shift of every step, which differs by phase), the moderated
   * spread is taken no lower than the series' own.
   */
  keepOwnSpread?: boolean
}

/** Predicts a new run's log value from K baseline logs and tests the current one. */
export function predict(
  logs: readonly number[],
  current: number,
  seCurrent: number,
  floor: number,
  prior?: SpreadPrior,
  seCurrentDf?: number,
): Prediction {
  const k = logs.length
  const centre = mean(logs)
  const own = sd(logs)
  const ownMad = scaledMad(logs)
  const moderate = (pooled: number, mine: number) => {
    if (!prior || prior.df <= 0) return mine
    const m = Math.sqrt((prior.df * pooled + (k - 1) * mine * mine) / (prior.df + k - 1))
    return prior.keepOwnSpread ? Math.max(m, mine) : m
  }
  const terms: [number, Prediction['sigmaFrom']][] = [
    [moderate(prior?.variance ?? 0, own), prior && prior.df > 0 ? 'pooled' : 'runs'],
    [moderate(prior?.mad ?? 0, ownMad), 'mad'],
    [Number.isFinite(seCurrent) ? seCurrent : 0, 'current run'],
    [floor, 'floor'],
  ]
  const [sigma, sigmaFrom] = terms.reduce((a, b) => (b[0] > a[0] ? b : a))
  const scale = sigma * Math.sqrt(1 + 1 / k)
  // The t's degrees of freedom are those of the estimate that set the spread: the runs' (K − 1, plus the
  // pooled siblings'), or the current run's own windows when its standard error is the larger.
  // The current run's standard error carries its own windows' degrees of freedom. When the MAD sets the
  // spread, the t keeps the runs' degrees of freedom: the larger of the two estimates on K − 1 df is
  // calibrated (the null test below: 5% at 5%), while giving the MAD its 37% efficiency's share of them
  // made it reject 3.6%, too conservative twice over.
  const df =
    sigmaFrom === 'current run' && seCurrentDf !== undefined
      ? Math.max(1, seCurrentDf)
      : Math.max(1, k - 1 + (prior?.df ?? 0))
  const logChange = current - centre
  const t975 = tQuantile(0.975, df)
  return {
    k,
    df,
    centre,
    sigma,
    sigmaFrom,
    scale,
    logChange,
    change: Math.exp(logChange) - 1,
    p: tSf(logChange / scale, df),
    interval: [Math.exp(centre - t975 * scale), Math.exp(centre + t975 * scale)],
  }
}

/** The smallest relative rise this prediction would flag at a one-sided level `alphaEach`. */
export function detectableRise(pr: { scale: number; df: number }, alphaEach: number): number {
  return Math.exp(tQuantile(1 - alphaEach, pr.df) * pr.scale) - 1
}

/**
 * Pools variances of sibling series (each with its df), leaving one out. The
 * prior's degrees of freedom are estimated, not summed: by how much the
 * siblings' variances agree beyond their own sampling noise (limma's d0,
 * {@link fitFDist}), never more than the siblings have between them. Steps
 * whose spreads differ lend little; steps that share one spread lend much.
 * With fewer than two siblings to estimate it from, they lend at most `ownDf`
 * (as much as one more series like this one).
 */
export function pooledPrior(
  variances: readonly { key: string; variance: number; mad: number; df: number }[],
  except: string,
  ownDf: number,
): SpreadPrior | undefined {
  let num = 0
  let mad = 0
  let total = 0
  const others = variances.filter((v) => v.key !== except && v.df > 0)
  for (const v of others) {
    num += v.variance * v.df
    mad += v.mad * v.df
    total += v.df
  }
  if (total <= 0) return undefined
  const fit = fitFDist(
    others.map((v) => v.variance),
    others.map((v) => v.df),
  )
  const df = fit ? Math.min(fit.df, total) : Math.min(total, Math.max(1, ownDf))
  return { variance: fit && Number.isFinite(fit.df) ? fit.variance : num / total, mad: mad / total, df }
}

export interface BootstrapResult {
  logChange: number
  change: number
  p: number
  /** Quantiles of the centred bootstrap distribution of the log change, for detectable changes. */
  centred: Float64Array
  interval: [number, number]
  baseline: number
}

/**
 * Block bootstrap over windows (never over requests, which are correlated):
 * each run is given as block means of ln(window quantile); blocks are
 * resampled with replacement, the statistic is the mean of the current run's
 * blocks minus the mean of the baseline runs' means. It sees only within-run
 * noise, which is why a gate flags only changes over twice its tolerance
 * this way.
 */
export function blockBootstrap(
  current: readonly number[],
  baselineRuns: readonly (readonly number[])[],
  seed: string,
  resamples = 2000,
): BootstrapResult {
  const rnd = new Random(seed)
  const baseMean = mean(baselineRuns.map((b) => mean(b)))
  const observed = mean(current) - baseMean
  const draws = new Float64Array(resamples)
  const resample = (blocks: readonly number[]) => {
    let s = 0
    for (let i = 0; i < blocks.length; i++) s += blocks[rnd.int(blocks.length)]
    return s / blocks.length
  }
  for (let b = 0; b < resamples; b++) {
    let base = 0
    for (const run of baselineRuns) base += resample(run)
    draws[b] = resample(current) - base / baselineRuns.length - observed
  }
  draws.sort()
  // The p-value from the bootstrap standard error (a normal tail): counting resamples cannot go below
  // 1/(B + 1), which a family correction over dozens of checks would never let through.
  let s2 = 0
  for (const d of draws) s2 += d * d
  const se = Math.sqrt(s2 / (resamples - 1))
  const q = (p: number) => draws[Math.min(resamples - 1, Math.max(0, Math.floor(p * resamples)))]
  return {
    logChange: observed,
    change: Math.exp(observed) - 1,
    p: se > 0 ? 1 - normalCdf(observed / se) : observed > 0 ? 0 : 1,
    centred: draws,
    interval: [Math.exp(baseMean + q(0.025)), Math.exp(baseMean + q(0.975))],
    baseline: Math.exp(baseMean),
  }
}

/** The smallest relative rise the bootstrap would flag at `alphaEach`. */
export function bootstrapDetectable(b: BootstrapResult, alphaEach: number): number {
  const d = b.centred
  const v = d[Math.min(d.length - 1, Math.max(0, Math.ceil((1 - alphaEach) * d.length) - 1))]
  return Math.exp(v) - 1
}

/**
 * A run's growth per hour (a slope and its Newey–West error) against the
 * baseline runs' growths, on the raw scale: their prediction (K − 1 degrees
 * of freedom, the run's own error a floor) and the upper 95% bound a growth
 * must also pass to count as more than the baseline runs grew.
 */
export function growthAgainstBaseline(
  base: readonly number[],
  t: { perHour: number; sePerHour: number; df: number },
): Prediction & { upper: number } {
  const pr = predict(base, t.perHour, t.sePerHour, 0, undefined, t.df)
  return { ...pr, upper: pr.centre + tQuantile(0.975, pr.df) * pr.scale }
}
