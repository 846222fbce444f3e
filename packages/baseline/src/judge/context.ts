import type { RunRecord, SeriesRecord } from '@steady/record'
import type { ResolvedGate } from '../gate.ts'
import type { BaselineEntry } from '../store.ts'
import type { RunSummary } from '../summary.ts'
import type { Check } from './check.ts'

/** Everything a family of checks needs to know about the run, the baseline and the gate. */
export interface JudgeContext {
  record: RunRecord
  current: RunSummary
  /** Comparable baseline runs the spread is estimated from (newest first). */
  rolling: BaselineEntry[]
  /** Comparable pinned reference runs (for creep). */
  pinned: BaselineEntry[]
  /** Every baseline run in the file that is not excluded (for error kinds, which do not depend on hardware). */
  allRuns: BaselineEntry[]
  gate: ResolvedGate
  /** Phases whose latency is primary: the loaded ones (every phase when none is loaded). */
  primaryPhases: Set<string>
  /** Phases with load. */
  loadedPhases: Set<string>
  /** Enough comparable runs for baseline-relative findings (or the bootstrap path). */
  baselineUsable: boolean
  /** The bootstrap path (1–2 runs, opted in; or `steady compare`). */
  bootstrap: boolean
  /** `steady compare`: two runs, no gate-relevant statistics across runs. */
  compare: boolean
  seriesByKey: Map<string, SeriesRecord>
}

/** True when a step series (k6's `name` tag on http_req_duration). */
export function isStepSeries(s: SeriesRecord): boolean {
  return (
    s.kind === 'histogram' && s.name === 'http_req_duration' && typeof s.tags.name === 'string' && !isFailedResponses(s)
  )
}

/**
 * Requests that got no expected response (k6's `expected_response:false`: an
 * error status, a timeout, a request cut off at the end of a phase). They are
 * judged as failures, never as latency: a version that fails fast must not
 * look faster, and one whose requests are cut off must not look slower.
 */
export function isFailedResponses(s: SeriesRecord): boolean {
  return s.tags.expected_response === 'false'
}

/** Whether the gate names this check as primary on top of the default family. */
export function namedPrimary(
  gate: ResolvedGate,
  kind: string,
  stat: string | undefined,
  series: string | undefined,
): boolean {
  return gate.primary.some(
    (p) => p === kind || (stat !== undefined && p === stat) || (series !== undefined && series.includes(p)),
  )
}

/** The baseline runs' finite values of one number (runs without it left out). */
export function baselineValues(rolling: BaselineEntry[], get: (r: BaselineEntry) => number | undefined): number[] {
  return rolling.map(get).filter((v): v is number => v !== undefined && Number.isFinite(v))
}

export type { Check }
