/**
 * Weekly rhythm. Some indicators follow the week: a change committed on
 * Friday evening waits the weekend for its release, so lead times measured on
 * a Monday are long, and few deployments happen on Sundays. Judged against an
 * all-week baseline, an ordinary Monday reads as a shift. Two ways to take
 * the week into account, behind one switch:
 *
 * - `week-part`: the recent window is compared with the baseline's same days
 *   of the week (UTC) only: a Monday with last weeks' Mondays;
 * - `business-time`: weekends (Saturday and Sunday, UTC) are taken out of the
 *   clock: a duration counts only weekday time, and a count's weekend days
 *   are left out of both windows.
 *
 * scripts/bench/health-replay.ts measures both on two real delivery
 * histories; docs/process-health.md says which one is used and why.
 */

/** How indicators with a weekly rhythm are judged. */
export type WeeklyRhythmMethod = 'week-part' | 'business-time' | 'none'

let method: WeeklyRhythmMethod = 'business-time'

/** The method in use. */
export function weeklyRhythmMethod(): WeeklyRhythmMethod {
  return method
}

/** Switches the method (the replay benchmark measures each); returns the previous one. */
export function setWeeklyRhythmMethod(next: WeeklyRhythmMethod): WeeklyRhythmMethod {
  const previous = method
  method = next
  return previous
}

const day = 86_400_000

/** The UTC day of the week of an instant, 0 Sunday … 6 Saturday. */
export function weekday(at: number): number {
  return new Date(at).getUTCDay()
}

/** True on Saturday and Sunday (UTC). */
function isWeekend(at: number): boolean {
  const d = weekday(at)
  return d === 0 || d === 6
}

/** Milliseconds of weekday time (Monday to Friday, UTC) between two instants. */
export function businessMs(from: number, to: number): number {
  if (to <= from) return 0
  let total = 0
  let t = from
  while (t < to) {
    const next = Math.min(to, (Math.floor(t / day) + 1) * day)
    if (!isWeekend(t)) total += next - t
    t = next
  }
  return total
}

/** The days of the week (UTC) that the window (from, to] touches. */
export function weekdaysOf(from: number, to: number): Set<number> {
  const days = new Set<number>()
  if (to - from >= 7 * day) {
    for (let d = 0; d < 7; d++) days.add(d)
    return days
  }
  for (let t = to; t > from; t -= day) days.add(weekday(t))
  days.add(weekday(from + 1))
  return days
}
