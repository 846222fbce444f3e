/**
 * A gauge's growth in this run against the same series' growth in the
 * baseline runs: shared by the memory family (memory.ts) and the other
 * indicators (indicators.ts), which judge a trend the same way and differ in
 * what counts as too much.
 */
import type { JudgeContext } from '../context.ts'
import { baselineValues } from '../context.ts'
import { growthAgainstBaseline } from '../predict.ts'

/** The baseline side of a gauge's growth; all zero when the baseline cannot be used. */
export interface GaugeBaseline {
  /** The baseline runs' typical growth per hour (0 without a baseline). */
  centre: number
  /** Their spread, with the run's own error as a floor. */
  scale: number
  /** Degrees of freedom of the prediction; 0 means there was no usable baseline. */
  df: number
  /** The upper 95% bound of the baseline runs' growth. */
  upper: number
  /** One-sided p-value of the run's growth against theirs (1 without a baseline). */
  p: number
}

/**
 * The run's growth per hour (`t`) against the baseline runs' growths of series `key`, when there are
 * enough comparable runs (not while bootstrapping): the baseline runs' slopes on K − 1 degrees of
 * freedom, the run's own Newey–West error a floor, with the degrees of freedom of whichever set the
 * spread. Moderating their spread toward the runs' own errors made the test 4–6 times too eager on
 * clean synthetic soaks, so it is not done.
 */
export function gaugeAgainstBaseline(
  ctx: JudgeContext,
  key: string,
  t: { perHour: number; sePerHour: number; df: number },
): GaugeBaseline {
  const none = { centre: 0, scale: 0, df: 0, upper: 0, p: 1 }
  if (ctx.bootstrap || ctx.rolling.length < ctx.gate.minBaselineRuns) return none
  const base = baselineValues(ctx.rolling, (r) => r.summary?.series[key]?.trend?.perHour)
  if (base.length < ctx.gate.minBaselineRuns) return none
  const pr = growthAgainstBaseline(base, t)
  return { centre: pr.centre, scale: pr.scale, df: pr.df, upper: pr.upper, p: pr.p }
}
