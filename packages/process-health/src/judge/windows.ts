/** The windows an indicator is judged on: widened when sparse, following a weekly rhythm, named for sentences. */
import { formatWindow } from '../format.ts'
import type { IndicatorDefinition } from '../types.ts'
import type { ResolvedJudgeOptions } from './options.ts'
import { weekday, weekdaysOf, weeklyRhythmMethod } from './rhythm.ts'

/**
 * Fewest baseline events for the drift checks: a spread estimated from fewer is too uncertain (±13 % at 30) for
 * 3σ limits. Sparse durations and rates widen their baseline (up to maxBaseline) to hold this many.
 */
export const minDriftBaseline = 30

/**
 * The windows an indicator is judged on. Normally the last `recentMs` and the
 * `baselineMs` before it; a sparse indicator (a few incidents or releases a
 * month) widens them to hold its `minRecent` and `minBaseline` latest events:
 * the recent window up to the baseline's length, the baseline up to
 * `maxBaselineMs`. `eligible` picks the baseline events that count (the same
 * days of the week). Widened edges fall on whole hours so the windows read well.
 */
export function sparseWindows(
  ats: readonly number[],
  now: number,
  o: ResolvedJudgeOptions,
  eligible: (recentFrom: number) => (at: number) => boolean = () => () => true,
): { recentFrom: number; baselineFrom: number; widened: boolean } {
  const hour = 3_600_000
  const back = (t: number) => now - Math.ceil((now - t) / hour) * hour
  let recentFrom = now - o.recentMs
  let widened = false
  const upToNow = ats.filter((a) => a <= now)
  if (upToNow.filter((a) => a >= recentFrom).length < o.minRecent && upToNow.length >= o.minRecent) {
    const edge = Math.max(now - Math.max(o.baselineMs, o.recentMs), back(upToNow[upToNow.length - o.minRecent]))
    if (edge < recentFrom) [recentFrom, widened] = [edge, true]
  }
  const keep = eligible(recentFrom)
  const before = upToNow.filter((a) => a < recentFrom && keep(a))
  let baselineFrom = recentFrom - o.baselineMs
  if (before.filter((a) => a >= baselineFrom).length < o.minBaseline) {
    const target =
      before.length >= o.minBaseline ? back(before[before.length - o.minBaseline]) : Number.NEGATIVE_INFINITY
    const edge = Math.max(recentFrom - o.maxBaselineMs, target)
    if (edge < baselineFrom) [baselineFrom, widened] = [edge, true]
  }
  return { recentFrom, baselineFrom, widened }
}

/** For the week-part method: baseline events on the days of the week the recent window covers. */
export function weekPart(indicator: IndicatorDefinition, now: number): (recentFrom: number) => (at: number) => boolean {
  if (indicator.rhythm !== 'weekly' || weeklyRhythmMethod() !== 'week-part') return () => () => true
  return (recentFrom) => {
    const days = weekdaysOf(recentFrom, now)
    return (at) => days.has(weekday(at))
  }
}

/** How the recent window and the baseline are named in sentences. */
export interface WindowLabels {
  recentLabel: string
  baseLabel: string
}

/** The labels of a duration's windows, and what one of its values is (`observation`, or `event` when grouped). */
export interface EventLabels extends WindowLabels {
  unitWord: string
}

/** How the windows are named in sentences, with what the rhythm and the widening did. */
export function windowLabels(
  indicator: IndicatorDefinition,
  now: number,
  w: { recentFrom: number; baselineFrom: number; widened: boolean },
  o: ResolvedJudgeOptions,
): WindowLabels {
  const recentMs = now - w.recentFrom
  const recentLabel = `the last ${formatWindow(recentMs)}`
  const rhythm = indicator.rhythm === 'weekly' ? weeklyRhythmMethod() : 'none'
  const note =
    rhythm === 'business-time'
      ? ', weekends left out'
      : rhythm === 'week-part' && recentMs < 7 * 86_400_000
        ? ', the same days of the week'
        : ''
  const wide = w.widened
    ? `, widened from ${formatWindow(o.recentMs)} and ${formatWindow(o.baselineMs)} for too few events`
    : ''
  return { recentLabel, baseLabel: `the ${formatWindow(w.recentFrom - w.baselineFrom)} before${note}${wide}` }
}
