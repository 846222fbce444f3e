/**
 * What a soak that stopped at preflight leaves behind: a run record marked
 * `complete: false` whose scenarios show the single iteration that failed, with
 * its failure, so a gate's `steady verdict` step judges the version as not
 * working (exit 1) instead of failing to find a file (exit 2).
 */
import {
  Redactor,
  RunRecordWriter,
  SeriesAggregator,
  type FailureSample,
  type FailureSignature,
  type RunHeader,
  type RunRecord,
} from '@steady/record'
import type { IterationResult } from '@steady/scenario'

/** The phase name preflight iterations are counted in (not a phase of the plan). */
const PREFLIGHT_PHASE = 'preflight'

/** One scenario's preflight iteration, or the setup hook of its file that failed first. */
export interface PreflightOutcome {
  scenario: { name: string; tags?: readonly string[] }
  file: string
  /** The iteration's result; absent when the file's setup failed, so the scenario could not run. */
  result?: IterationResult
  /** The setup hook's error message, when it failed. */
  setupError?: string
}

/** The parts of a scenario's failure the record keeps (a scenario's FailureSample has them all). */
export interface IterationFailure {
  step: string
  assertion: string
  message: string
  replay: FailureSample['replay']
  errorKind?: string
  diff?: string
  request?: FailureSample['request']
  response?: FailureSample['response']
  curl?: string
}

/** The failure group signature and sample the record keeps for a failed iteration. */
export function failureEntry(
  scenario: string,
  f: IterationFailure,
  at: { atMs: number; phase: string },
): { signature: FailureSignature; sample: FailureSample } {
  return {
    signature: {
      scenario,
      step: f.step,
      assertion: f.assertion,
      ...(f.response?.status ? { status: f.response.status } : {}),
      ...(f.errorKind ? { errorCode: f.errorKind } : {}),
    },
    sample: {
      atMs: at.atMs,
      phase: at.phase,
      message: f.message,
      ...(f.diff ? { diff: f.diff } : {}),
      ...(f.request ? { request: f.request } : {}),
      ...(f.response ? { response: f.response } : {}),
      ...(f.curl ? { curl: f.curl } : {}),
      replay: f.replay,
    },
  }
}

/** Why the soak stopped, in one line for `incompleteReason` (first failure named, the rest counted). */
function preflightReason(outcomes: readonly PreflightOutcome[]): string {
  const failed = outcomes.filter((o) => o.setupError !== undefined || (o.result && !o.result.passed))
  const first = failed[0]
  if (!first) return 'preflight failed'
  const why =
    first.setupError !== undefined
      ? `its setup failed: ${first.setupError}`
      : (first.result?.failure?.message ?? 'failed')
  const more = failed.length > 1 ? ` (and ${failed.length - 1} more scenario${failed.length > 2 ? 's' : ''})` : ''
  return `preflight failed: scenario ${first.scenario.name} (${first.file}): ${why.split('\n')[0]}${more}`
}

/**
 * Writes `run.json` (and its events file) for a soak stopped at preflight and
 * returns the record. Every preflight iteration is counted in the scenario's
 * `probe/iterations` series, failed ones with their failure group; a scenario
 * whose file's setup failed counts as one failed iteration with that error.
 */
export function writePreflightRecord(options: {
  dir: string
  header: RunHeader
  windowMs: number
  seed: string
  outcomes: readonly PreflightOutcome[]
  redactor?: Redactor
}): RunRecord {
  // Nothing ran over time: every count lands at 0 ms, in the first window.
  const agg = new SeriesAggregator({ windowMs: options.windowMs, now: () => 0 })
  agg.setPhase(PREFLIGHT_PHASE)
  const writer = new RunRecordWriter({
    dir: options.dir,
    aggregator: agg,
    now: () => 0,
    redactor: options.redactor ?? new Redactor(),
    header: options.header,
  })
  const at = { atMs: 0, phase: PREFLIGHT_PHASE }
  for (const o of options.outcomes) {
    const passed = o.setupError === undefined && o.result?.passed === true
    const failure: IterationFailure | undefined =
      o.setupError !== undefined
        ? {
            step: 'setup',
            assertion: 'error',
            message: `setup failed: ${o.setupError}`,
            replay: { seed: options.seed, scenario: o.scenario.name, iteration: 0 },
          }
        : o.result?.failure
    const errorKind = passed ? undefined : (failure?.errorKind ?? (failure ? 'assertion' : 'error'))
    const scenario = { name: o.scenario.name, file: o.file, ...(o.scenario.tags ? { tags: o.scenario.tags } : {}) }
    const outcome = { error: errorKind, phase: PREFLIGHT_PHASE }
    agg.outcome('probe', 'iterations', { scenario: scenario.name }, passed, outcome)
    writer.iteration(scenario, passed)
    if (failure && !passed) {
      const { signature, sample } = failureEntry(o.scenario.name, failure, at)
      writer.failure(signature, sample)
    }
  }
  const reason = preflightReason(options.outcomes)
  writer.event({ atMs: 0, kind: 'note', message: reason })
  return writer.finish({ complete: false, incompleteReason: reason })
}
