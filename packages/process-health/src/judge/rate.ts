/**
 * Judging a rate (a success rate, a change failure rate): the recent bad outcomes against the baseline's rate,
 * as a beta-binomial tail.
 */
import { formatNumber, formatPercent } from '../format.ts'
import { betaBinomialUpperTail, normalUpperTail } from '../stats.ts'
import type { Observation, RateIndicator } from '../types.ts'
import { unknownCheck, worseSign } from './check.ts'
import type { ResolvedJudgeOptions } from './options.ts'
import { direction, formatP, tooLittle } from './sentences.ts'
import type { HealthCheck, KindResult } from './types.ts'
import { minDriftBaseline, sparseWindows, weekPart, windowLabels } from './windows.ts'

/** Judges a rate on its trials in the recent window against those of the baseline. */
export function judgeRate(
  indicator: RateIndicator,
  history: readonly Observation[],
  o: ResolvedJudgeOptions,
  now: number,
): KindResult {
  // A sparse rate (a release a week, a failure a quarter) widens its windows to hold its trials.
  // Its baseline reaches back for 30 trials: against 10 trials with one bad, even 3 bad of 3 could be chance.
  const w = sparseWindows(
    expandTrials(history),
    now,
    { ...o, minBaseline: Math.max(o.minBaseline, minDriftBaseline) },
    weekPart(indicator, now),
  )
  const { recentFrom, baselineFrom } = w
  const keep = weekPart(indicator, now)(recentFrom)
  const base = history.filter((x) => x.at >= baselineFrom && x.at < recentFrom && keep(x.at))
  const recent = history.filter((x) => x.at >= recentFrom)
  const b = tally(base)
  const r = tally(recent)
  const windows = { baselineFrom, recentFrom, to: now }
  const samples = { baseline: b.trials, recent: r.trials }
  const { recentLabel, baseLabel } = windowLabels(indicator, now, w, o)
  const fmt = (v: number) => formatPercent(v)
  const current = r.trials > 0 ? r.hits / r.trials : undefined
  if (b.trials < o.minBaseline || r.trials < o.minRecent) {
    const why =
      b.trials < o.minBaseline
        ? tooLittle('for a baseline', b.trials, o.minBaseline, baseLabel, 'trial')
        : tooLittle(
            `in ${recentLabel}`,
            r.trials,
            o.minRecent,
            `rate so far ${current === undefined ? 'n/a' : fmt(current)}`,
            'trial',
          )
    return {
      checks: [unknownCheck('baseline', why, { baselineSamples: b.trials, recentSamples: r.trials })],
      current,
      windows,
      samples,
    }
  }
  const p0 = b.hits / b.trials
  const p1 = current as number
  // Rates are binomial, and bad outcomes are often rare (a flaky run, a failed deployment): the
  // chance of at least the recent number of bad outcomes when the bad fraction is only known from
  // the baseline, as Beta(bad + ½, good + ½) (Jeffreys' prior): a beta-binomial tail. A short
  // baseline is not read as certainty, and a perfect one still allows an occasional bad outcome.
  const badOf = (t: { hits: number; trials: number }) => (indicator.better === 'higher' ? t.trials - t.hits : t.hits)
  const pValue = betaBinomialUpperTail(badOf(r), r.trials, badOf(b) + 0.5, b.trials - badOf(b) + 0.5)
  const pLimit = normalUpperTail(o.threshold)
  const diff = p1 - p0
  const worse = diff * worseSign(indicator) > 0
  const shifted = worse && pValue < pLimit && Math.abs(diff) >= o.tolerance
  const count = (t: { hits: number; trials: number }) => `${formatNumber(t.hits)} of ${formatNumber(t.trials)}`
  const badWord = indicator.better === 'higher' ? 'failures' : 'events'
  const events = formatNumber(badOf(b) + badOf(r))
  const restsOn = `it rests on ${events} ${badWord} in ${formatNumber(b.trials + r.trials)} trials`
  const method =
    `method: beta-binomial p ${formatP(pValue)}${shifted ? ' <' : ', limit'} ${formatP(pLimit)}, the chance of ` +
    `this many ${badWord} at the baseline's rate (prior Beta(½, ½))`
  const level: HealthCheck = {
    name: 'baseline',
    state: shifted ? 'degraded' : 'healthy',
    reason:
      `${indicator.name} over ${recentLabel} is ${fmt(p1)} (${count(r)}), ` +
      `${diff === 0 ? 'equal to' : direction(indicator, diff)} its usual ${fmt(p0)} (${count(b)} over ` +
      `${baseLabel}); ${restsOn}; ${method}`,
    numbers: { current: p1, baseline: p0, pValue, pLimit, recentTrials: r.trials, baselineTrials: b.trials },
  }
  return { checks: [level], current: p1, baseline: p0, windows, samples }
}

/** Hits and trials of rate observations (a weighted observation counts its weight). */
export function tally(list: readonly Observation[]): { hits: number; trials: number } {
  let hits = 0
  let trials = 0
  for (const x of list) {
    const w = x.weight ?? 1
    hits += x.value * w
    trials += w
  }
  return { hits, trials }
}

/** One instant per trial (a weighted observation repeats its time), for widening windows by trials. */
function expandTrials(history: readonly Observation[]): number[] {
  const out: number[] = []
  for (const x of history)
    for (let k = 0; k < Math.min(1_000, Math.max(1, Math.round(x.weight ?? 1))); k++) out.push(x.at)
  return out
}
