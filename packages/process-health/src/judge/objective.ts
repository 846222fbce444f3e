/**
 * Judging an indicator against its objective: a threshold on a recent statistic (at most, at least), or an
 * SLO, judged by {@link judgeSlo} on its burn rate.
 */
import { isSlo, objectiveValue } from '../define.ts'
import { formatValue, formatWindow } from '../format.ts'
import { mean, quantile } from '../stats.ts'
import type { IndicatorDefinition, Observation, ThresholdObjective } from '../types.ts'
import { unknownCheck } from './check.ts'
import { countPeriodMs, recentPeriods, type ResolvedJudgeOptions } from './options.ts'
import { tally } from './rate.ts'
import { tooLittle } from './sentences.ts'
import { judgeSlo } from './slo.ts'
import type { HealthCheck } from './types.ts'

/** Judges an indicator against its objective over the recent window. */
export function judgeObjective(
  indicator: IndicatorDefinition,
  history: readonly Observation[],
  o: ResolvedJudgeOptions,
  now: number,
): HealthCheck {
  const objective = indicator.objective!
  if (isSlo(objective)) return judgeSlo(indicator, objective, history, o, now)
  const t = objective as ThresholdObjective
  const fmt = (v: number) => formatValue(indicator, v)
  const max = t.max === undefined ? undefined : objectiveValue(indicator, t.max, 'objective.max')
  const min = t.min === undefined ? undefined : objectiveValue(indicator, t.min, 'objective.min')
  const bound = [max !== undefined ? `at most ${fmt(max)}` : '', min !== undefined ? `at least ${fmt(min)}` : '']
    .filter(Boolean)
    .join(' and ')
  let value: number
  let label: string
  let have: number
  let unit: string
  if (indicator.kind === 'count') {
    const per = countPeriodMs(indicator)
    const bins = recentPeriods(o, per)
    const from = now - bins * per
    const total = history.filter((x) => x.at > from).reduce((a, x) => a + x.value, 0)
    value = total / bins
    have = bins
    unit = 'period'
    label = `${indicator.name} over the last ${formatWindow(bins * per)}`
  } else {
    const recent = history.filter((x) => x.at >= now - o.recentMs)
    unit = indicator.kind === 'rate' ? 'trial' : 'observation'
    if (indicator.kind === 'rate') {
      const { hits, trials } = tally(recent)
      have = trials
      value = trials ? hits / trials : Number.NaN
      label = `${indicator.name} over the last ${formatWindow(o.recentMs)}`
    } else {
      const stat = t.stat ?? 'p50'
      const values = recent.map((x) => x.value)
      have = values.length
      value = stat === 'mean' ? mean(values) : quantile(values, Number(stat.slice(1)) / 100)
      label = `${stat} ${indicator.name} over the last ${formatWindow(o.recentMs)}`
    }
    if (have < o.minRecent) {
      return unknownCheck(
        'objective',
        `objective ${bound}: ` +
          `${tooLittle(`in the last ${formatWindow(o.recentMs)}`, have, o.minRecent, 'too few to compare', unit)}`,
        { recentSamples: have },
      )
    }
  }
  const over = max !== undefined && value > max
  const under = min !== undefined && value < min
  const missed = over || under
  return {
    name: 'objective',
    state: missed ? 'degraded' : 'healthy',
    reason: missed
      ? `${label} is ${fmt(value)}, ${over ? 'above' : 'below'} its objective of ${bound}`
      : `${label} is ${fmt(value)}, meeting its objective of ${bound}`,
    numbers: { value, ...(max !== undefined ? { max } : {}), ...(min !== undefined ? { min } : {}) },
  }
}
