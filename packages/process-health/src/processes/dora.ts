/**
 * DORA's four keys as a process, with the definitions of Google's Four Keys
 * project and Apache DevLake (see docs/process-health.md for where they
 * differ), and Four Keys' three-month buckets as tiers next to the health.
 */
import { defineProcess } from '../define.ts'
import { formatPercent, formatNumber } from '../format.ts'
import { median } from '../stats.ts'
import { formatDurationMs } from '../time.ts'
import type { IndicatorDefinition, Observation, ProcessDefinition, TierResult } from '../types.ts'
import { withObjectives, type ReadyMadeOptions } from './options.ts'

/** Label names DORA observations may carry by default. */
const doraLabels: readonly string[] = ['service', 'team']

const day = 86_400_000
const week = 7 * day
/** Four Keys judges tiers over the last three months. */
const tierSpan = 13 * week

/**
 * Deployment frequency bucket, as Four Keys computes it over three months:
 * `daily` when the median week has ≥ 3 days with a deployment, `weekly` when
 * most weeks have one, `monthly` when the median month has a week with one,
 * otherwise `yearly`.
 */
export function deploymentFrequencyTier(history: readonly Observation[], now: number): TierResult | undefined {
  const recent = history.filter((o) => o.at > now - tierSpan && o.at <= now && o.value > 0)
  if (recent.length === 0) return undefined
  // Weeks before the first deployment recorded are not known to be empty: they are left out.
  const first = recent[0] ? Math.min(...recent.map((o) => o.at)) : now
  const weeks: number[] = []
  for (let k = 0; k < 13; k++) {
    const from = now - (k + 1) * week
    if (from + week <= first) break
    const days = new Set(recent.filter((o) => o.at > from && o.at <= from + week).map((o) => Math.floor(o.at / day)))
    weeks.push(days.size)
  }
  const daysPerWeek = median(weeks)
  const weekFlag = median(weeks.map((d) => (d > 0 ? 1 : 0)))
  // Months of four weeks: the number of weeks with a deployment in each.
  const months: number[] = []
  for (let m = 0; m * 4 < weeks.length; m++) months.push(weeks.slice(m * 4, m * 4 + 4).filter((d) => d > 0).length)
  const deployWeeksPerMonth = median(months)
  const total = recent.reduce((a, o) => a + o.value, 0)
  const numbers =
    `${formatNumber(total)} deployments in ${weeks.length} weeks; ` +
    `median ${formatNumber(daysPerWeek)} deployment days per week`
  if (daysPerWeek >= 3) return { tier: 'elite', bucket: 'daily', reason: `daily: ${numbers} (≥ 3)` }
  if (weekFlag >= 1)
    return { tier: 'high', bucket: 'weekly', reason: `weekly: ${numbers}; most weeks have a deployment` }
  if (deployWeeksPerMonth >= 1)
    return {
      tier: 'medium',
      bucket: 'monthly',
      reason: `monthly: ${numbers}; the median month has a week with a deployment`,
    }
  return { tier: 'low', bucket: 'yearly', reason: `yearly: ${numbers}; most months have no deployment week` }
}

/**
 * Lead time and time-to-restore bucket, as Four Keys computes it: the median
 * over three months (values ≤ 0 excluded, as automated pushes produce them)
 * under one day, one week, one month (730 h), six months, else one year.
 */
function durationTier(
  unitMs: number,
  what: string,
): (history: readonly Observation[], now: number) => TierResult | undefined {
  return (history, now) => {
    const values = history
      .filter((o) => o.at > now - tierSpan && o.at <= now && o.value > 0)
      .map((o) => o.value * unitMs)
    if (values.length === 0) return undefined
    const m = median(values)
    const numbers = `median ${what} ${formatDurationMs(m)} over ${values.length} in 13 weeks`
    if (m < day) return { tier: 'elite', bucket: 'one day', reason: `one day: ${numbers} (< 24h)` }
    if (m < week) return { tier: 'high', bucket: 'one week', reason: `one week: ${numbers} (< 1 week)` }
    if (m < 730 * 3_600_000) return { tier: 'medium', bucket: 'one month', reason: `one month: ${numbers} (< 730h)` }
    if (m < 6 * 730 * 3_600_000)
      return { tier: 'low', bucket: 'six months', reason: `six months: ${numbers} (< 6 months)` }
    return { tier: 'low', bucket: 'one year', reason: `one year: ${numbers} (≥ 6 months)` }
  }
}

/**
 * Change failure rate bucket, as Four Keys computes it: failed deployments
 * over distinct deployments in three months, ≤ 15 %, < 46 %, else 46–60 %.
 */
function changeFailureTier(history: readonly Observation[], now: number): TierResult | undefined {
  const recent = history.filter((o) => o.at > now - tierSpan && o.at <= now)
  let failed = 0
  let total = 0
  for (const o of recent) {
    failed += o.value * (o.weight ?? 1)
    total += o.weight ?? 1
  }
  if (total === 0) return undefined
  const rate = failed / total
  const numbers =
    `${formatNumber(failed)} of ${formatNumber(total)} ` + `deployments failed in 13 weeks (${formatPercent(rate)})`
  if (rate <= 0.15) return { tier: 'elite', bucket: '0-15%', reason: `0-15%: ${numbers}` }
  if (rate < 0.46) return { tier: 'medium', bucket: '16-45%', reason: `16-45%: ${numbers}` }
  return { tier: 'low', bucket: '46-60%', reason: `46-60%: ${numbers}` }
}

/**
 * The ready-made DORA process (`dora`):
 * - `deployments` (count per day, higher is better): one observation (value 1) per successful production deployment
 * - `lead_time` (duration, h, lower): deployment finished − commit created, one per change deployed (Four Keys;
 *   DevLake uses the PR's first commit)
 * - `change_failure_rate` (rate, lower): per deployment, 1 when it caused a failure in production (an incident, a
 *   rollback), else 0
 * - `time_to_restore` (duration, h, lower): incident resolved − incident created (Four Keys; DevLake: resolved −
 *   deployment finished)
 */
export function doraProcess(options: ReadyMadeOptions = {}): ProcessDefinition {
  const name = options.name ?? 'dora'
  const labels = options.labels ?? doraLabels
  const indicators: IndicatorDefinition[] = [
    {
      name: 'deployments',
      kind: 'count',
      unit: 'deployments',
      per: '1d',
      better: 'higher',
      labels,
      description: 'successful deployments to production, one observation (1) each, at the deployment finish',
      // Fewer deployments at weekends: judged in business time (see docs/process-health.md).
      rhythm: 'weekly',
      tier: deploymentFrequencyTier,
    },
    {
      name: 'lead_time',
      kind: 'duration',
      unit: 'h',
      better: 'lower',
      labels,
      description: 'deployment finished − commit created, one per change deployed, at the deployment finish',
      // A change committed on Friday evening waits the weekend for its release.
      rhythm: 'weekly',
      tier: durationTier(3_600_000, 'lead time'),
    },
    {
      name: 'change_failure_rate',
      kind: 'rate',
      better: 'lower',
      labels,
      description: 'per deployment: 1 when it caused a failure in production (incident, rollback, hotfix), 0 otherwise',
      tier: changeFailureTier,
    },
    {
      name: 'time_to_restore',
      kind: 'duration',
      unit: 'h',
      better: 'lower',
      labels,
      description: 'incident resolved − incident created, one per incident, at its resolution',
      // A few incidents a half-year: judged from 3 with a small-sample method (docs/process-health.md).
      events: 'rare',
      tier: durationTier(3_600_000, 'time to restore'),
    },
  ]
  return defineProcess({
    name,
    owner: options.owner ?? 'unassigned',
    description: "DORA's four keys: deployment frequency, lead time for changes, change failure rate, time to restore",
    indicators: withObjectives(indicators, options.objectives, name),
    ...(options.judge ? { judge: options.judge } : {}),
  })
}
