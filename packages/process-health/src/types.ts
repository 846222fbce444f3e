/**
 * The vocabulary of process health: a process (CI, an E2E gate, delivery)
 * has an owner and indicators; each indicator is a duration, a rate or a
 * count, with a unit, the direction that is better, and optionally an
 * objective. Observations carry their own time, a few low-cardinality labels
 * and any ids (commit, run) as fields.
 */
import type { DurationInput } from './time.ts'

/** Which direction of an indicator is better. */
type Better = 'lower' | 'higher'

/** Units a duration indicator's values are stored and shown in. */
export type DurationUnit = 'ms' | 's' | 'min' | 'h' | 'd'

/** The three health states. `unknown` means too little data to judge; it is never a guess. */
export type HealthState = 'healthy' | 'degraded' | 'unknown'

/**
 * How an indicator is judged against its own history. Every field has a
 * default; a process's `judge` applies to all its indicators, an indicator's
 * own `judge` wins.
 */
export interface JudgeOptions {
  /** How far back the baseline reaches, before the recent window. Default `28d`. */
  baseline?: DurationInput
  /** The recent window judged against the baseline. Default `3d`. */
  recent?: DurationInput
  /**
   * Least data for a baseline: observations for durations, trials for rates,
   * periods for counts. Defaults 10, 10, 7. Less makes the indicator `unknown`.
   */
  minBaseline?: number
  /** Least data in the recent window (observations, trials, periods). Defaults 3, 3, 1. */
  minRecent?: number
  /**
   * The score beyond which the recent level counts as changed: the modified
   * z-score (Iglewicz & Hoaglin) for durations, default 3.5; a z-score for
   * rates (two proportions) and counts (robust/Poisson), default 3.
   */
  threshold?: number
  /**
   * The smallest change that matters even when it is statistically clear:
   * relative to the baseline for durations and counts (default 0.1, i.e. 10 %),
   * absolute for rates (default 0.02, i.e. 2 percentage points).
   */
  tolerance?: number
  /** EWMA smoothing λ for the slow-drift check (default 0.2, as R's qcc). */
  ewmaLambda?: number
  /** EWMA control limit in standard deviations of the EWMA (default 3). */
  ewmaLimit?: number
  /**
   * The slack k of the one-sided CUSUM that catches gradual drifts against the
   * oldest third of the baseline, in standard deviations (default 0.5: tuned
   * to a shift of one standard deviation).
   */
  cusumSlack?: number
  /** The CUSUM's decision limit h in standard deviations (default 8). */
  cusumLimit?: number
  /**
   * Sparse indicators (a few incidents or releases a month): how far back the
   * baseline may reach to hold `minBaseline` events when `baseline` holds too
   * few. Default `182d`. The recent window likewise widens to hold
   * `minRecent` events, up to the length of `baseline`.
   */
  maxBaseline?: DurationInput
}

/**
 * A fixed target on the recent window. For durations `stat` picks the
 * statistic (default `p50`), `max`/`min` may be durations (`'10m'`) or
 * numbers in the indicator's unit. For rates the statistic is the rate (0..1);
 * for counts it is the mean per period.
 */
export interface ThresholdObjective {
  /** The statistic of a duration indicator the target applies to. Default `p50`. */
  stat?: 'p50' | 'p75' | 'p90' | 'p95' | 'p99' | 'mean'
  /** The statistic must stay at or below this. */
  max?: number | string
  /** The statistic must stay at or above this. */
  min?: number | string
}

/**
 * A service-level objective judged by its error-budget burn rate (Google SRE
 * workbook ch. 5). For a rate, a good event is a success (better=`higher`) or
 * the absence of the counted thing (better=`lower`, e.g. a non-flaky run);
 * for a duration, a good event is one at or under `threshold` (or at or over
 * it when higher is better).
 */
export interface SloObjective {
  /** Target fraction of good events, e.g. `0.95`. */
  slo: number
  /** For duration indicators: the value that separates good from bad events (`'15m'` or a number in the unit). */
  threshold?: number | string
  /** The SLO period over which the budget is spent. Default `28d`. */
  window?: DurationInput
  /**
   * The burn rate over the recent window (confirmed over a window 1/12 as
   * long, when it holds enough data) above which the indicator is degraded.
   * Default 1: the budget would run out before the period ends.
   */
  maxBurnRate?: number
}

/** An indicator's objective: a threshold or an SLO. */
export type Objective = ThresholdObjective | SloObjective

/** A classification of an indicator's history into named tiers (DORA's), shown next to its health. */
export interface TierResult {
  /** The tier, e.g. `elite`, `high`, `medium`, `low`. */
  tier: string
  /** The reference's own bucket, e.g. `daily`, `one day`, `0-15%`. */
  bucket: string
  /** A sentence with the numbers behind the tier. */
  reason: string
}

interface IndicatorBase {
  /** Name, unique in its process: lower case, digits and `_` (`cycle_time`). */
  name: string
  /** One line saying what is measured and from which timestamps. */
  description?: string
  /** Which direction is better. */
  better: Better
  /** An optional fixed target or SLO. */
  objective?: Objective
  /** Overrides of how this indicator is judged. */
  judge?: JudgeOptions
  /**
   * The label names observations may carry (`['branch', 'runner']`). When
   * given, any other label is rejected. These also become Prometheus labels.
   */
  labels?: readonly string[]
  /**
   * `weekly` when the indicator follows the week (lead times stretched by
   * weekends, few deployments on Sundays): it is then judged in business time
   * (weekends taken out). Default: no rhythm.
   */
  rhythm?: 'weekly'
  /**
   * `rare` when events come a few a half-year (incidents): once recorded for `maxBaseline`, it is judged from
   * 3 baseline events with a small-sample prediction (Student's t on a log scale) instead of waiting for
   * `minBaseline`. Durations only. Default: frequent.
   */
  events?: 'rare'
  /** Classifies the history into tiers (the DORA definitions use this). */
  tier?: (history: readonly Observation[], now: number) => TierResult | undefined
}

/** A duration per event (a pipeline's cycle time). */
export interface DurationIndicator extends IndicatorBase {
  kind: 'duration'
  /** The unit values are stored and shown in. */
  unit: DurationUnit
}

/** An outcome per event, 0..1 (success 1 or 0, or a fraction with its weight: 3 flaky of 200 tests). */
export interface RateIndicator extends IndicatorBase {
  kind: 'rate'
  /** Always a ratio; shown as a percentage. */
  unit?: 'ratio'
}

/** Events counted per period (deployments per day). */
export interface CountIndicator extends IndicatorBase {
  kind: 'count'
  /** What is counted, plural (`deployments`). */
  unit: string
  /** The period counts are judged per. Default `1d`. */
  per?: DurationInput
}

/** One indicator of a process. */
export type IndicatorDefinition = DurationIndicator | RateIndicator | CountIndicator

/** A process: a name, an owner, and indicators. */
export interface ProcessDefinition {
  /** Name: lower case, digits, `-` and `_` (`ci`, `e2e-gate`). Also the store's folder name. */
  name: string
  /** Who answers for it (a team, a channel). */
  owner: string
  /** One line saying what the process is. */
  description?: string
  /** What is measured. */
  indicators: readonly IndicatorDefinition[]
  /** Defaults of how every indicator of this process is judged. */
  judge?: JudgeOptions
}

/** A label value set on an observation: small sets only (branch, runner, environment). */
export type Labels = Record<string, string>

/** Anything else about an observation, including high-cardinality ids (commit, run id). */
export type Fields = Record<string, string | number | boolean>

/** One recorded observation of one indicator, at its own time. */
export interface Observation {
  /** The process name. */
  process: string
  /** The indicator name. */
  indicator: string
  /**
   * The value in the indicator's unit: a duration, an outcome in 0..1, or a
   * number of events.
   */
  value: number
  /** For rates: how many trials the value summarises (3 flaky of 200 tests: value 0.015, weight 200). Default 1. */
  weight?: number
  /** When it happened (epoch ms), not when it was recorded. */
  at: number
  /** Low-cardinality labels. */
  labels?: Labels
  /** Ids and details (commit, run id, URL); never exported as labels. */
  fields?: Fields
}
