/** Judge options with every default filled in, and how far back a process's history must be read. */
import { isSlo } from '../define.ts'
import { parseDurationMs } from '../time.ts'
import type { CountIndicator, IndicatorDefinition, JudgeOptions, ProcessDefinition } from '../types.ts'

/** Judge options with every default filled in, for one indicator. */
export interface ResolvedJudgeOptions {
  baselineMs: number
  recentMs: number
  minBaseline: number
  minRecent: number
  threshold: number
  tolerance: number
  ewmaLambda: number
  ewmaLimit: number
  cusumSlack: number
  cusumLimit: number
  /** How far back a sparse indicator's baseline may reach to hold `minBaseline` events. */
  maxBaselineMs: number
}

const kindDefaults: Record<
  IndicatorDefinition['kind'],
  Omit<ResolvedJudgeOptions, 'baselineMs' | 'recentMs' | 'maxBaselineMs'>
> = {
  duration: {
    minBaseline: 10,
    minRecent: 3,
    threshold: 3.5,
    tolerance: 0.1,
    ewmaLambda: 0.2,
    ewmaLimit: 3,
    cusumSlack: 0.5,
    cusumLimit: 8,
  },
  rate: {
    minBaseline: 10,
    minRecent: 3,
    threshold: 3,
    tolerance: 0.02,
    ewmaLambda: 0.2,
    ewmaLimit: 3,
    cusumSlack: 0.5,
    cusumLimit: 8,
  },
  count: {
    minBaseline: 7,
    minRecent: 1,
    threshold: 3,
    tolerance: 0.1,
    ewmaLambda: 0.2,
    ewmaLimit: 3,
    cusumSlack: 0.5,
    cusumLimit: 8,
  },
}

/** Default baseline length. */
const defaultBaseline = '28d'
/** Default recent window. */
const defaultRecent = '3d'
/** Default reach of a sparse indicator's baseline (half a year: a handful of incidents or releases). */
const defaultMaxBaseline = '182d'
/** Default SLO period. */
export const defaultSloWindow = '28d'
/** How far back DORA-style tiers look (FourKeys' three months). */
const tierWindowMs = 91 * 86_400_000

/** Fills in an indicator's judge options: kind defaults < `defaults` < process < indicator. */
export function resolveJudgeOptions(
  process: ProcessDefinition,
  indicator: IndicatorDefinition,
  defaults: JudgeOptions = {},
): ResolvedJudgeOptions {
  const merged: JudgeOptions = { ...defaults, ...process.judge, ...indicator.judge }
  const k = kindDefaults[indicator.kind]
  return {
    baselineMs: parseDurationMs(merged.baseline ?? defaultBaseline, `${process.name}.${indicator.name}.judge.baseline`),
    recentMs: parseDurationMs(merged.recent ?? defaultRecent, `${process.name}.${indicator.name}.judge.recent`),
    minBaseline: merged.minBaseline ?? k.minBaseline,
    minRecent: merged.minRecent ?? k.minRecent,
    threshold: merged.threshold ?? k.threshold,
    tolerance: merged.tolerance ?? k.tolerance,
    ewmaLambda: merged.ewmaLambda ?? k.ewmaLambda,
    ewmaLimit: merged.ewmaLimit ?? k.ewmaLimit,
    cusumSlack: merged.cusumSlack ?? k.cusumSlack,
    cusumLimit: merged.cusumLimit ?? k.cusumLimit,
    maxBaselineMs: Math.max(
      parseDurationMs(merged.maxBaseline ?? defaultMaxBaseline, `${process.name}.${indicator.name}.judge.maxBaseline`),
      parseDurationMs(merged.baseline ?? defaultBaseline, 'baseline'),
    ),
  }
}

/** How far back a process's history must be read to judge it at `now` (epoch ms of the earliest observation needed). */
export function historyStart(process: ProcessDefinition, now: number, defaults: JudgeOptions = {}): number {
  let span = 0
  for (const indicator of process.indicators) {
    const o = resolveJudgeOptions(process, indicator, defaults)
    // Durations and rates widen their windows when sparse: the recent one up to the baseline's
    // length, the baseline up to maxBaseline.
    let need =
      indicator.kind === 'count' ? o.recentMs + o.baselineMs : Math.max(o.recentMs, o.baselineMs) + o.maxBaselineMs
    if (indicator.kind === 'count') need += countPeriodMs(indicator) // whole periods
    if (indicator.kind === 'count' && indicator.better === 'higher') need = Math.max(need, o.maxBaselineMs) // pauses
    if (indicator.objective && isSlo(indicator.objective))
      need = Math.max(need, parseDurationMs(indicator.objective.window ?? defaultSloWindow, 'window'))
    if (indicator.tier) need = Math.max(need, tierWindowMs)
    span = Math.max(span, need)
  }
  return now - span
}

/** The period a count indicator is counted over (`per`, default a day), in ms. */
export function countPeriodMs(indicator: CountIndicator): number {
  return parseDurationMs(indicator.per ?? '1d', `${indicator.name}.per`)
}

/** How many whole periods the recent window of a count holds, at least one. */
export function recentPeriods(o: ResolvedJudgeOptions, per: number): number {
  return Math.max(1, Math.round(o.recentMs / per))
}
