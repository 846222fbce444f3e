/**
 * Judging health: each indicator against its own history (a rolling
 * median/MAD baseline for the level, an EWMA chart for sustained shifts, a
 * CUSUM for slow drifts, one extreme run named as an outlier, a
 * beta-binomial tail for rates, a pause check for counts) and its objective
 * (a threshold, or an SLO's burn rate); each process from its judged
 * indicators. Sparse indicators widen their windows; too little data is
 * "not yet judged", never a guess. Pure functions of the observations and
 * `now`, so tests are deterministic.
 */
import type { IndicatorDefinition, Observation, ProcessDefinition } from '../types.ts'
import { judgeCount } from './count.ts'
import { judgeDuration } from './duration.ts'
import { quietness } from './idle.ts'
import { judgeObjective } from './objective.ts'
import { resolveJudgeOptions, type ResolvedJudgeOptions } from './options.ts'
import { judgeRate } from './rate.ts'
import type { IndicatorHealth, JudgeContext, KindResult, ProcessHealth } from './types.ts'
import { indicatorVerdict, processVerdict } from './verdict.ts'

export type { IndicatorHealth, JudgeContext, ProcessActivity, ProcessHealth } from './types.ts'
export { historyStart, resolveJudgeOptions } from './options.ts'
export { markIdle } from './idle.ts'
export { exitCodeFor, worstState } from './verdict.ts'

/**
 * Judges every indicator of a process and the process as a whole.
 * `observations` may hold other processes' and indicators' observations;
 * only this process's count.
 */
export function judgeProcess(
  process: ProcessDefinition,
  observations: readonly Observation[],
  context: JudgeContext,
): ProcessHealth {
  const own = observations.filter((o) => o.process === process.name && o.at <= context.now).sort((a, b) => a.at - b.at)
  const since = context.since ?? (own.length ? own[0].at : undefined)
  const indicators = process.indicators.map((indicator) =>
    judgeIndicator(
      process,
      indicator,
      own.filter((o) => o.indicator === indicator.name),
      { ...context, since },
    ),
  )
  const { state, reason, idle } = processVerdict(indicators)
  return { process: process.name, owner: process.owner, state, reason, ...(idle ? { idle } : {}), indicators }
}

/**
 * Judges one indicator from its own observations (any order; those after
 * `now` are ignored).
 */
export function judgeIndicator(
  process: ProcessDefinition,
  indicator: IndicatorDefinition,
  observations: readonly Observation[],
  context: JudgeContext,
): IndicatorHealth {
  const options = resolveJudgeOptions(process, indicator, context.defaults)
  const history = observations.filter((o) => o.at <= context.now).sort((a, b) => a.at - b.at)
  const result = judgeKind(indicator, history, options, context)
  const checks = [...result.checks]
  if (indicator.objective) checks.push(judgeObjective(indicator, history, options, context.now))
  const tier = indicator.tier?.(history, context.now)
  // A count's periods after recording began are real zeros (no deployment is news), so a count
  // with history before its window has data; other kinds need an observation in the window.
  const anyData =
    history.some((o) => o.at >= result.windows.baselineFrom) ||
    (indicator.kind === 'count' &&
      result.samples.baseline + result.samples.recent > 0 &&
      (context.since ?? Infinity) < result.windows.baselineFrom)
  const { state, reason, unknownCause } = indicatorVerdict(checks, anyData, result.windows)
  const health: IndicatorHealth = {
    process: process.name,
    indicator: indicator.name,
    kind: indicator.kind,
    unit: indicator.kind === 'rate' ? 'ratio' : indicator.unit,
    better: indicator.better,
    state,
    reason,
    windows: result.windows,
    samples: result.samples,
    checks,
  }
  if (state === 'unknown') Object.assign(health, quietness(indicator, history, options, context, reason))
  if (unknownCause && !health.unknownCause) health.unknownCause = unknownCause
  if (result.current !== undefined) health.current = result.current
  if (result.baseline !== undefined) health.baseline = result.baseline
  if (tier) health.tier = tier
  return health
}

/** The checks of an indicator's kind. */
function judgeKind(
  indicator: IndicatorDefinition,
  history: readonly Observation[],
  o: ResolvedJudgeOptions,
  context: JudgeContext,
): KindResult {
  const since = context.since ?? history[0]?.at ?? context.now
  if (indicator.kind === 'duration') return judgeDuration(indicator, history, o, context.now, since)
  if (indicator.kind === 'rate') return judgeRate(indicator, history, o, context.now)
  return judgeCount(indicator, history, o, context.now, since)
}
