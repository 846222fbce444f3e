/** The verdicts: an indicator's state from its checks, a process's from its indicators, many processes' at once. */
import { formatWindow } from '../format.ts'
import type { HealthState } from '../types.ts'
import type { HealthCheck, IndicatorHealth } from './types.ts'

/**
 * An indicator's state from its checks: unknown with no data in its windows, degraded when a check is, unknown
 * when a check could not be judged (too little data), else healthy. The reason joins the checks that decided.
 */
export function indicatorVerdict(
  checks: readonly HealthCheck[],
  anyData: boolean,
  windows: IndicatorHealth['windows'],
): { state: HealthState; reason: string; unknownCause?: IndicatorHealth['unknownCause'] } {
  const degraded = checks.filter((c) => c.state === 'degraded')
  const unknown = checks.filter((c) => c.state === 'unknown')
  if (!anyData && degraded.length === 0) {
    return {
      state: 'unknown',
      unknownCause: 'no-data',
      reason: `none in the last ${formatWindow(windows.to - windows.baselineFrom)}`,
    }
  }
  if (degraded.length) return { state: 'degraded', reason: degraded.map((c) => c.reason).join('; ') }
  if (unknown.length) {
    return {
      state: 'unknown',
      unknownCause: 'too-little-data',
      reason: [...unknown, ...checks.filter((c) => c.state === 'healthy' && c.name !== 'drift')]
        .map((c) => c.reason)
        .join('; '),
    }
  }
  // The outlier finding first: it is what a reader should see.
  const reason = [
    ...checks.filter((c) => c.name === 'outlier'),
    ...checks.filter((c) => c.name !== 'drift' && c.name !== 'outlier'),
  ]
    .map((c) => c.reason)
    .join('; ')
  return { state: 'healthy', reason }
}

/**
 * A process's state is what its judged indicators say: degraded if one is,
 * healthy if every judged one is; an indicator with too little history is
 * listed as not yet judged and never turns the process unknown while others
 * are judged. Unknown only when nothing could be judged.
 */
export function processVerdict(indicators: readonly IndicatorHealth[]): {
  state: HealthState
  reason: string
  idle?: true
} {
  const degraded = indicators.filter((i) => i.state === 'degraded')
  const judged = indicators.filter((i) => i.state !== 'unknown')
  const notYet = indicators.filter((i) => i.unknownCause === 'too-little-data')
  const silent = indicators.filter((i) => i.unknownCause === 'no-data')
  const idle = indicators.filter((i) => i.unknownCause === 'idle')
  const notes = [
    idle.length ? `idle: ${idle.map((i) => `${i.indicator} (${i.reason})`).join('; ')}` : '',
    notYet.length ? `not yet judged: ${notYet.map((i) => `${i.indicator} (${i.reason})`).join('; ')}` : '',
    silent.length
      ? `not judged, nothing recorded recently: ${silent.map((i) => `${i.indicator} (${i.reason})`).join('; ')}`
      : '',
  ].filter(Boolean)
  const tail = notes.length ? `; ${notes.join('; ')}` : ''
  if (degraded.length) {
    return {
      state: 'degraded',
      reason: `degraded on ${degraded.map((i) => i.indicator).join(', ')}: ${degraded.map((i) => i.reason).join('; ')}`,
    }
  }
  if (judged.length === 0 && idle.length > 0 && idle.length === indicators.length) {
    return { state: 'healthy', idle: true, reason: `idle, nothing happened: ${idle[0].reason}` }
  }
  if (judged.length === 0 && notYet.length === 0 && idle.length === 0) {
    const names = indicators.map((i) => i.indicator).join(', ')
    return {
      state: 'unknown',
      reason:
        `no observations of any indicator (${names}) in the window judged; record some with \`steady health ` +
        `record\``,
    }
  }
  if (judged.length === 0) return { state: 'unknown', reason: `no indicator could be judged yet${tail}` }
  const names = judged.map((i) => i.indicator).join(', ')
  return { state: 'healthy', reason: `${judged.length} of ${indicators.length} indicators healthy (${names})${tail}` }
}

/** The state of many processes together: degraded beats unknown beats healthy. */
export function worstState(states: readonly HealthState[]): HealthState {
  if (states.includes('degraded')) return 'degraded'
  if (states.includes('unknown') || states.length === 0) return 'unknown'
  return 'healthy'
}

/** The exit code for a health state: 0 healthy, 1 degraded, 3 unknown. */
export function exitCodeFor(state: HealthState): 0 | 1 | 3 {
  return state === 'healthy' ? 0 : state === 'degraded' ? 1 : 3
}
