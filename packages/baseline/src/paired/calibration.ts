/**
 * Calibration of the paired checks by A/A paired runs (both sides the same
 * version) kept in a history baseline: per check, the spread between runs of
 * the run's side difference ln(candidate / control). The within-run standard
 * error sees only window-to-window noise; what stays the same for a whole run
 * but changes between runs (which side got the faster cores, a cache warmed
 * on one side) it cannot see, and the A/A spread can. The larger of the two is
 * the check's noise floor.
 */
import { comparabilityDiff, type ComparabilityKey } from '@steady/record'
import type { ResolvedGate } from '../gate.ts'
import { comparisonRuns, type BaselineEntry, type BaselineFile } from '../store.ts'
import { isAAPair, type LevelStat } from '../summary.ts'
import { sd } from '../stats/robust.ts'
import type { SeriesPair } from './pairs.ts'

/** A/A runs a check needs before their spread is used (a spread of two runs is mostly noise). */
export const MIN_CALIBRATION_RUNS = 3

/**
 * The baseline's A/A paired runs comparable with this one (same key but the gate's relaxed fields). A paired run
 * whose sides were different versions measured a change, not the noise, and never calibrates.
 */
export function calibrationRuns(
  baseline: BaselineFile | null | undefined,
  key: ComparabilityKey,
  gate: ResolvedGate,
): BaselineEntry[] {
  if (!baseline) return []
  return comparisonRuns(baseline).filter((e) => {
    const s = e.summary
    if (!s || !isAAPair(s)) return false
    return comparabilityDiff(key, s.comparability).every((d) => gate.relax.includes(d.field))
  })
}

/** A noise floor: the spread between A/A runs of a check's side difference, and how many runs it rests on. */
export interface NoiseFloor {
  sd: number
  runs: number
}

function runRatio(e: BaselineEntry, pair: SeriesPair, phase: string, stat: LevelStat): number | undefined {
  const c = e.summary?.series[pair.candidate.key]?.phases[phase]?.[stat]
  const k = e.summary?.series[pair.control.key]?.phases[phase]?.[stat]
  return c !== undefined && k !== undefined && c > 0 && k > 0 ? Math.log(c / k) : undefined
}

function floorOf(values: number[]): NoiseFloor | undefined {
  return values.length >= MIN_CALIBRATION_RUNS ? { sd: sd(values), runs: values.length } : undefined
}

/** The floor of one step's check: the A/A runs' spread of ln(candidate / control) of the phase's statistic. */
export function stepFloor(
  runs: readonly BaselineEntry[],
  pair: SeriesPair,
  phase: string,
  stat: LevelStat,
): NoiseFloor | undefined {
  return floorOf(runs.map((e) => runRatio(e, pair, phase, stat)).filter((v): v is number => v !== undefined))
}

/** The floor of the all-steps check: per A/A run, the mean over steps of the p50 side difference. */
export function allStepsFloor(
  runs: readonly BaselineEntry[],
  steps: readonly SeriesPair[],
  phase: string,
): NoiseFloor | undefined {
  const means: number[] = []
  for (const e of runs) {
    const v = steps.map((p) => runRatio(e, p, phase, 'p50')).filter((x): x is number => x !== undefined)
    if (v.length * 2 >= steps.length && v.length) means.push(v.reduce((a, b) => a + b, 0) / v.length)
  }
  return floorOf(means)
}
