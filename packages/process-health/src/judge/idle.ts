/**
 * Idle, not unknown: a quiet indicator whose history has been as quiet before, or a process quiet while every
 * other process is quiet too. Nothing happened; no record has gone missing.
 */
import { formatWindow, plural } from '../format.ts'
import type { IndicatorDefinition, Observation } from '../types.ts'
import type { ResolvedJudgeOptions } from './options.ts'
import { sinceText } from './sentences.ts'
import type { IndicatorHealth, JudgeContext, ProcessActivity, ProcessHealth } from './types.ts'
import { processVerdict } from './verdict.ts'

/**
 * Idle or unknown, for an indicator that could not be judged. Quiet: recorded before `now − L` (L the widest
 * the recent window goes, the baseline's length), and fewer than `minRecent` events (at least one) in the last
 * L. Idle: quiet, and its own history has been as quiet before, for as long, and came back (a stretch of L or
 * more with fewer events, ended before this one began): for such a process a quiet month is its normal life
 * (a dormant project makes no commits, so no CI runs), not a record gone missing. A first quiet stretch stays
 * unknown here; {@link markIdle} makes it idle when every other process is quiet too.
 */
export function quietness(
  indicator: IndicatorDefinition,
  history: readonly Observation[],
  o: ResolvedJudgeOptions,
  context: JudgeContext,
  reason: string,
): Partial<IndicatorHealth> {
  const span = Math.max(o.baselineMs, o.recentMs)
  const from = context.now - span
  const ats = history.filter((x) => indicator.kind !== 'count' || x.value > 0).map((x) => x.at)
  const recorded = ats.some((a) => a <= from) || (context.since ?? Infinity) <= from
  const k = Math.max(1, o.minRecent)
  const recent = ats.filter((a) => a > from).length
  if (!recorded || recent >= k) return {}
  for (let i = 0; i + k < ats.length && ats[i + k] <= from; i++) {
    if (ats[i + k] - ats[i] > span) {
      const before =
        `as quiet before: ${plural(k, 'event')} took ${formatWindow(ats[i + k] - ats[i])} from ` +
        `${sinceText(ats[i])}, then it came back`
      const now = `${recent === 0 ? 'none' : `only ${recent}`} in the last ${formatWindow(span)}`
      return { quiet: true, unknownCause: 'idle', reason: `idle: ${now}, ${before} (${reason})` }
    }
  }
  return { quiet: true }
}

/**
 * Idle across processes: the related activity is absent too. When every other process was recorded before
 * but recorded nothing in the last baseline length (no commits, so no CI runs; no releases), nothing happened
 * in the project, so this process's quiet indicators are idle, and so is a pause of a count where more is
 * better (no deployments for months because nothing was committed is not a stall). One other process still
 * recording keeps the silence unknown and the pause degraded: work was happening there. At least one other
 * process is needed: one process alone cannot tell a quiet project from a recorder that stopped. The cost: a
 * recorder that stops, or a delivery stall, while every other process is quiet too, reads as idle.
 */
export function markIdle(processes: ProcessHealth[], activity: ReadonlyMap<string, ProcessActivity>): void {
  const quietNow = (name: string) => {
    const a = activity.get(name)
    return a !== undefined && a.recorded && a.recent === 0
  }
  const verdicts: Array<[ProcessHealth, ReturnType<typeof processVerdict>]> = []
  for (const p of processes) {
    const others = processes.filter((q) => q !== p)
    if (others.length === 0 || !others.every((q) => quietNow(q.process))) continue
    const also = `and nothing recorded by ${others.map((q) => q.process).join(', ')} either lately: nothing happened`
    let changed = false
    for (const i of p.indicators) {
      const silent = i.state === 'unknown' && i.unknownCause !== 'idle' && (i.quiet || i.unknownCause === 'no-data')
      const fired = i.checks.filter((c) => c.state === 'degraded')
      const paused = i.state === 'degraded' && fired.length > 0 && fired.every((c) => c.name === 'pause')
      if (!(silent && activity.get(p.process)?.recorded) && !paused) continue
      i.state = 'unknown'
      i.quiet = true
      i.unknownCause = 'idle'
      i.reason = `idle: ${i.reason}, ${also}`
      changed = true
    }
    if (changed) verdicts.push([p, processVerdict(p.indicators)])
  }
  // Applied after every process is looked at, so one process's new idleness does not decide another's.
  for (const [p, v] of verdicts) {
    p.state = v.state
    p.reason = v.reason
    if (v.idle) p.idle = true
  }
}
