/**
 * The run record of a `steady run` (`steady.run/1`, kind `run`): one phase,
 * `run`; the scenarios' counts, the series, the setup notes and the failure
 * groups, and why it stopped early when it did.
 */
import {
  comparabilityKey,
  RUN_SCHEMA,
  type FailureGroup,
  type RunRecord,
  type SeriesAggregator,
  type Subject,
} from '@steady/record'
import { HISTOGRAM_PARAMETERS } from '@steady/record/internal'
import type { ScenarioSummary } from '../reporters/types.ts'

export interface RunRecordParts {
  runId: string
  startedAt: Date
  durationMs: number
  toolVersion: string
  subject: Subject
  seed: string
  configHash: string
  /** The run's aggregator, every window closed. */
  agg: SeriesAggregator
  scenarios: readonly ScenarioSummary[]
  /** Notes on each file's setup. */
  notes: RunRecord['events']
  failures: FailureGroup[]
  /** Why the run stopped before its jobs ran out, if it did. */
  stopReason: 'bail' | 'interrupt' | undefined
  /** Failed iterations (for the `--bail` note). */
  failed: number
  /** The interrupt's signal (its reason is recorded). */
  signal?: AbortSignal
}

export function runRecordOf(p: RunRecordParts): RunRecord {
  const { durationMs, signal } = p
  const interrupted = p.stopReason === 'interrupt'
  const interruptEvent = {
    atMs: durationMs,
    kind: 'interrupted' as const,
    message: `interrupted by ${String(signal?.reason ?? 'a signal')}`,
  }
  const record: RunRecord = {
    schema: RUN_SCHEMA,
    kind: 'run',
    id: p.runId,
    complete: !interrupted,
    ...(interrupted ? { incompleteReason: typeof signal?.reason === 'string' ? signal.reason : 'interrupted' } : {}),
    startedAt: p.startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    durationMs,
    tool: { name: 'steady', version: p.toolVersion },
    subject: p.subject,
    seed: p.seed,
    configHash: p.configHash,
    comparability: comparabilityKey({ planHash: null, engine: null }),
    window: { sizeMs: p.agg.windowMs },
    histogram: HISTOGRAM_PARAMETERS,
    phases: [{ name: 'run', startMs: 0, endMs: durationMs }],
    scenarios: p.scenarios.map((s) => ({
      name: s.name,
      file: s.file,
      tags: [...s.tags],
      iterations: s.iterations,
      passed: s.passed,
      failed: s.failed,
    })),
    series: p.agg.series(),
    events: [...p.notes, ...(interrupted ? [interruptEvent] : [])],
    failures: p.failures,
    warnings: [],
  }
  if (p.stopReason === 'bail') {
    const message = `--bail: stopped after ${p.failed} failed iteration(s)`
    record.events.push({ atMs: durationMs, kind: 'note', message })
  }
  return record
}
