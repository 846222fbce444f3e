/** What the judge answers: a check, an indicator's health, a process's health, and what it is told. */
import type { HealthState, IndicatorDefinition, JudgeOptions, TierResult } from '../types.ts'

/** One check of an indicator: its level against the baseline, its drift, its objective. */
export interface HealthCheck {
  /**
   * `baseline` (recent level vs history), `drift` (EWMA and CUSUM), `outlier` (one extreme event, named;
   * never degraded on its own), `pause` (time since the last event of a count where more is better),
   * `objective` (threshold), `slo` (burn rate).
   */
  name: 'baseline' | 'drift' | 'outlier' | 'pause' | 'objective' | 'slo'
  /** The check's own verdict. */
  state: HealthState
  /** A sentence with the numbers. */
  reason: string
  /** The numbers, for JSON output. */
  numbers: Record<string, number>
}

/** The health of one indicator. */
export interface IndicatorHealth {
  /** Process name. */
  process: string
  /** Indicator name. */
  indicator: string
  /** Its kind. */
  kind: IndicatorDefinition['kind']
  /** Its unit (`s`, `ratio`, `deployments`). */
  unit: string
  /** Which direction is better. */
  better: IndicatorDefinition['better']
  /** Healthy, degraded, or unknown. */
  state: HealthState
  /**
   * For `unknown`: never recorded in the window read (`no-data`), recorded too little (`too-little-data`), or
   * `idle`: quiet now as it has been quiet before (nothing happened; not a missing record).
   */
  unknownCause?: 'no-data' | 'too-little-data' | 'idle'
  /**
   * Recorded before, but the recent window (widened to the baseline's length) holds too few events: either
   * nothing happened (idle) or the records stopped. {@link IndicatorHealth.unknownCause} says which was decided.
   */
  quiet?: boolean
  /** A sentence with the numbers saying why. */
  reason: string
  /** The recent statistic in the indicator's unit (median duration, rate, mean count per period), if any data. */
  current?: number
  /** The same statistic over the baseline, when there was enough data. */
  baseline?: number
  /** The windows judged, epoch ms. */
  windows: { baselineFrom: number; recentFrom: number; to: number }
  /** How much data each window held (observations; trials for rates; periods for counts). */
  samples: { baseline: number; recent: number }
  /** Every check, in order. */
  checks: HealthCheck[]
  /** A tier (DORA's), when the indicator defines one and the history allows it. */
  tier?: TierResult
}

/** The health of one process. */
export interface ProcessHealth {
  /** Process name. */
  process: string
  /** Who answers for it. */
  owner: string
  /**
   * Degraded if any indicator is; healthy if every judged one is; unknown when none could be judged; healthy
   * and `idle` when nothing could be judged because nothing happened.
   */
  state: HealthState
  /** Set when the process is idle: quiet as before, or with every other process; exit 0, said on its own line. */
  idle?: boolean
  /** A sentence naming the indicators that decided the state. */
  reason: string
  /** Each indicator's health, in declaration order. */
  indicators: IndicatorHealth[]
}

/** Options of {@link judgeProcess} and {@link judgeIndicator}. */
export interface JudgeContext {
  /** The instant judged at (epoch ms); observations after it are ignored. */
  now: number
  /** Defaults under the process's and indicator's own `judge` options. */
  defaults?: JudgeOptions
  /**
   * When the process started being recorded (epoch ms). Count indicators only
   * count periods from then on, so days before the first record are not read
   * as days with zero events. Default: the earliest observation given.
   */
  since?: number
}

/** What {@link markIdle} knows of each process's raw history at `now`. */
export interface ProcessActivity {
  /** Observations (events, for counts) in the last baseline length (default 28 days) before now. */
  recent: number
  /** Recorded at all: in the window read or before it. */
  recorded: boolean
}

/** What judging one indicator by its kind gives: its checks, its levels, the windows and how much data they held. */
export interface KindResult {
  checks: HealthCheck[]
  current?: number
  baseline?: number
  windows: IndicatorHealth['windows']
  samples: IndicatorHealth['samples']
}
