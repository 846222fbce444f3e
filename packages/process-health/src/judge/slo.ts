/**
 * Judging an SLO: how fast the error budget burns over the recent window (and a twelfth of it, to see a burn
 * stop), how sure the sample makes that burn, and whether the SLO's own period has spent its budget.
 */
import { objectiveValue } from '../define.ts'
import { formatNumber, formatPercent, formatValue, formatWindow } from '../format.ts'
import { wilsonLower } from '../stats.ts'
import { parseDurationMs } from '../time.ts'
import type { IndicatorDefinition, Observation, SloObjective } from '../types.ts'
import { finite, unknownCheck } from './check.ts'
import { defaultSloWindow, type ResolvedJudgeOptions } from './options.ts'
import { pct, tooLittle } from './sentences.ts'
import type { HealthCheck } from './types.ts'

/** One-sided 95 %: how sure the error rate behind an SLO's burn must be before it counts. */
const sloConfidenceZ = 1.645

/** Good and total events over a window, its error rate, the budget's burn rate and the burn it surely has. */
interface Burn {
  good: number
  total: number
  errorRate: number
  burn: number
  /** The burn the sample supports at 95 %. */
  sure: number
}

/** The burns an SLO is judged on: the recent window, a twelfth of it, the SLO's period. */
interface Burns {
  long: Burn
  short: Burn
  period: Burn
  maxBurn: number
  sloWindowMs: number
}

/** How much of an observation is good: a duration within the threshold, a rate's good share of its weight. */
function goodOf(
  indicator: IndicatorDefinition,
  threshold: number | undefined,
): (x: Observation) => { good: number; total: number } {
  return (x) => {
    const w = x.weight ?? 1
    if (indicator.kind === 'duration') {
      const ok = indicator.better === 'lower' ? x.value <= (threshold as number) : x.value >= (threshold as number)
      return { good: ok ? 1 : 0, total: 1 }
    }
    return { good: (indicator.better === 'higher' ? x.value : 1 - x.value) * w, total: w }
  }
}

/** The burn of the observations from `from` on. */
function burnSince(
  history: readonly Observation[],
  from: number,
  good: (x: Observation) => { good: number; total: number },
  slo: number,
): Burn {
  let goodSum = 0
  let total = 0
  for (const x of history) {
    if (x.at < from) continue
    const g = good(x)
    goodSum += g.good
    total += g.total
  }
  const errorRate = total ? (total - goodSum) / total : Number.NaN
  // The burn the sample supports: the Wilson lower bound of its error rate (one-sided 95 %),
  // so 1 failure in 19 runs (5.3 %, a point burn of 1.05× at 95 %) is not read as a spent budget.
  const sure = total ? wilsonLower(total - goodSum, total, sloConfidenceZ) / (1 - slo) : Number.NaN
  return { good: goodSum, total, errorRate, burn: errorRate / (1 - slo), sure }
}

/** Judges an SLO objective: degraded when the budget surely burns too fast, or the SLO's period missed it. */
export function judgeSlo(
  indicator: IndicatorDefinition,
  slo: SloObjective,
  history: readonly Observation[],
  o: ResolvedJudgeOptions,
  now: number,
): HealthCheck {
  const threshold =
    slo.threshold === undefined ? undefined : objectiveValue(indicator, slo.threshold, 'objective.threshold')
  const good = goodOf(indicator, threshold)
  const over = (from: number) => burnSince(history, from, good, slo.slo)
  const sloWindowMs = parseDurationMs(slo.window ?? defaultSloWindow, 'objective.window')
  const maxBurn = slo.maxBurnRate ?? 1
  const long = over(now - o.recentMs)
  const short = over(now - o.recentMs / 12)
  const period = over(now - sloWindowMs)
  const numbers: Record<string, number> = {
    slo: slo.slo,
    burnRate: finite(long.burn),
    shortBurnRate: finite(short.burn),
    periodBurnRate: finite(period.burn),
    maxBurnRate: maxBurn,
    burnRateLowerBound: finite(long.sure),
  }
  const burnFew = 'too few to measure a burn rate'
  if (long.total < o.minRecent) {
    return unknownCheck(
      'slo',
      `SLO ${formatPercent(slo.slo)}: ` +
        `${tooLittle(`in the last ${formatWindow(o.recentMs)}`, long.total, o.minRecent, burnFew, 'event')}`,
      numbers,
    )
  }
  // The short window only tells that a burn has stopped; its few events are read as they are.
  const shortConfirms = short.total < o.minRecent || short.burn > maxBurn
  const burning = long.sure > maxBurn && shortConfirms
  const periodMissed = period.total >= o.minBaseline && period.sure > 1
  const burns = { long, short, period, maxBurn, sloWindowMs }
  const reason = sloReason(indicator, slo, threshold, o, burns, burning, periodMissed)
  return { name: 'slo', state: burning || periodMissed ? 'degraded' : 'healthy', reason, numbers }
}

/** The SLO check's sentence: burning, the period missed, or within budget (perhaps recovering, or unsure). */
function sloReason(
  indicator: IndicatorDefinition,
  slo: SloObjective,
  threshold: number | undefined,
  o: ResolvedJudgeOptions,
  { long, short, period, maxBurn, sloWindowMs }: Burns,
  burning: boolean,
  periodMissed: boolean,
): string {
  const goodWord = indicator.kind === 'duration' ? `within ${formatValue(indicator, threshold as number)}` : 'good'
  const budget = formatPercent(1 - slo.slo)
  const head =
    `${formatPercent(long.good / long.total)} ${goodWord} over the last ${formatWindow(o.recentMs)} ` +
    `(${formatNumber(long.good)} of ${formatNumber(long.total)}); the SLO of ${formatPercent(slo.slo)} leaves a ` +
    `${budget} error budget`
  const periodText =
    `over ${formatWindow(sloWindowMs)}: ${formatPercent(period.good / period.total)} ${goodWord}, ` +
    `${pct(period.burn)} of the budget spent`
  const shortText = `, ${formatNumber(short.burn)}× over the last ${formatWindow(o.recentMs / 12)}`
  if (burning) {
    return (
      `${indicator.name}: ${head}, burning at ${formatNumber(long.burn)}×, at least ${formatNumber(long.sure)}× ` +
      `with 95 % confidence (limit ` +
      `${formatNumber(maxBurn)}×${short.total >= o.minRecent ? shortText : ''}); ${periodText}`
    )
  }
  if (periodMissed) {
    return (
      `${indicator.name}: SLO of ${formatPercent(slo.slo)} missed ${periodText}; recent burn ` +
      `${formatNumber(long.burn)}×`
    )
  }
  const unsure =
    long.burn > maxBurn && long.sure <= maxBurn
      ? ` (${formatNumber(long.total - long.good)} bad of ${formatNumber(long.total)} is too few to tell from ` +
        `the budget: with 95 % confidence the burn is only known to be at least ${formatNumber(long.sure)}×; ` +
        `method: Wilson lower bound)`
      : ''
  const recovering = unsure
    ? unsure
    : long.burn > maxBurn
      ? ` (${formatNumber(long.burn)}× over ${formatWindow(o.recentMs)} but ${formatNumber(short.burn)}× over ` +
        `the last ${formatWindow(o.recentMs / 12)}: recovering)`
      : ''
  return (
    `${indicator.name}: ${head}, burning at ${formatNumber(long.burn)}× (limit ` +
    `${formatNumber(maxBurn)}×)${recovering}; ${periodText}`
  )
}
