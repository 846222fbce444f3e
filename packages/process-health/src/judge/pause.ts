/** A pause: how long since the last event of a count where more is better, against its own rate. */
import { formatWindow, plural } from '../format.ts'
import { normalUpperTail } from '../stats.ts'
import { formatDurationMs } from '../time.ts'
import type { CountIndicator, Observation } from '../types.ts'
import type { ResolvedJudgeOptions } from './options.ts'
import { businessMs, weeklyRhythmMethod } from './rhythm.ts'
import { formatP, sinceText } from './sentences.ts'
import type { HealthCheck } from './types.ts'

/**
 * A pause: how long since the last event, against the indicator's own rate
 * over the last `maxBaseline`. A sparse count (a release a week) cannot show
 * a stall in a 3-day window; the gap can. Degraded when a gap this long has a
 * chance below the threshold's tail at that rate (Poisson: e^(−rate·gap))
 * and is longer than any pause in that history (a yearly holiday is its own
 * precedent). With a weekly rhythm in business time, weekends do not count.
 */
export function pauseCheck(
  indicator: CountIndicator,
  history: readonly Observation[],
  o: ResolvedJudgeOptions,
  now: number,
): HealthCheck {
  const from = now - o.maxBaselineMs
  const events = history.filter((x) => x.at > from && x.at <= now && x.value > 0).map((x) => x.at)
  const business = indicator.rhythm === 'weekly' && weeklyRhythmMethod() === 'business-time'
  const span = (a: number, b: number) => (business ? businessMs(a, b) : b - a)
  if (events.length < o.minBaseline) {
    return {
      name: 'pause',
      state: 'healthy',
      reason:
        `pause not checked: ${plural(events.length, 'event')} in the last ${formatWindow(o.maxBaselineMs)}, ` +
        `${o.minBaseline} needed`,
      numbers: { events: events.length },
    }
  }
  const last = events[events.length - 1]
  const gap = span(last, now)
  let longest = 0
  for (let i = 1; i < events.length; i++) longest = Math.max(longest, span(events[i - 1], events[i]))
  const rate = (events.length - 1) / Math.max(1, span(events[0], last))
  const p = Math.exp(-rate * gap)
  const pLimit = normalUpperTail(o.threshold)
  const paused = p < pLimit && gap > longest
  const time = business ? ' of weekday time' : ''
  const usual =
    `one every ${formatDurationMs(1 / rate)}${time} over the last ${formatWindow(o.maxBaselineMs)}, the longest ` +
    `pause ${formatDurationMs(longest)}`
  const method =
    `method: Poisson chance of a gap this long at that rate, p ${formatP(p)}${paused ? ' <' : ', limit'} ` +
    `${formatP(pLimit)}`
  return {
    name: 'pause',
    state: paused ? 'degraded' : 'healthy',
    reason: paused
      ? `no ${indicator.unit} since ${sinceText(last)}: ${formatDurationMs(gap)}${time}, longer than ever in that ` +
        `history (usually ${usual}); a stall; ${method}`
      : `last ${indicator.unit} ${formatDurationMs(gap)}${time} ago (usually ${usual}; ${method})`,
    numbers: { gapMs: gap, longestGapMs: longest, ratePerMs: rate, pValue: p, pLimit },
  }
}
