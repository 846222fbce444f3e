/**
 * Durations are judged on a log scale: they are skewed, some over orders of magnitude (lead times from minutes
 * to weeks). The scale is log(x + c), c a tenth of the baseline median, and values are clipped at ±4 robust
 * deviations so one hung run cannot pass for a drift.
 */
import type { RobustSummary } from '../stats.ts'

/** The c of log(x + c): a tenth of the baseline median (so zero queue times are fine), 1 when the median is 0. */
export function logOffset(baseMedian: number): number {
  return baseMedian > 0 ? baseMedian / 10 : 1
}

/** Where values are clipped on the log scale: ±4 robust deviations around the median, nowhere without a spread. */
export function clipLimits(summary: RobustSummary): { lo: number; hi: number } {
  return {
    lo: summary.scale > 0 ? summary.median - 4 * summary.scale : Number.NEGATIVE_INFINITY,
    hi: summary.scale > 0 ? summary.median + 4 * summary.scale : Number.POSITIVE_INFINITY,
  }
}
