/**
 * A load run as a run record (`steady.run/1`, `kind: load`): one phase named
 * after the profile, k6-named `load/...` series per window, the generator's
 * self-measurement as `generator/...` series, saturation as events and a
 * warning.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { roundTo } from '@steady/kernel'
import { HISTOGRAM_PARAMETERS, newRunId } from '@steady/record/internal'
import {
  RUN_SCHEMA,
  SeriesAggregator,
  comparabilityKey,
  type FailureGroup,
  type RunEvent,
  type RunRecord,
  type SeriesRecord,
} from '@steady/record'
import type { LoadResult } from './embedded.ts'
import { builtinMetrics } from './metrics/metrics.ts'
import type { WindowSnapshot } from './metrics/windows.ts'
import { activeDurationOf, arrivalSchedule } from './schedule.ts'

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version

/**
 * Adds one closed load window to an aggregator: `load/<metric>{tags}` series
 * with k6's names (counters as increases, rates as passes/fails, gauges as
 * min and last, trends as merged histograms) and the generator's own
 * `generator/...` health. `offsetMs` is when the load started on the
 * aggregator's clock; the window lands where it closed. `steady soak` feeds
 * its phases' load through this too.
 */
export function feedLoadWindow(agg: SeriesAggregator, w: WindowSnapshot, offsetMs: number, phase: string): void {
  const opts = { atMs: offsetMs + Math.max(w.startMs, w.endMs - 1), phase }
  for (const c of Object.values(w.counters)) {
    agg.count('load', c.metric, c.tags, c.value, {
      ...opts,
      samples: c.value,
      unit: builtinMetrics[c.metric]?.contains === 'data' ? 'bytes' : 'count',
    })
  }
  for (const r of Object.values(w.rates)) agg.rate('load', r.metric, r.tags, r.passes, r.fails, opts)
  for (const g of Object.values(w.gauges)) {
    agg.gauge('load', g.metric, g.tags, g.min, { ...opts, unit: 'count' })
    agg.gauge('load', g.metric, g.tags, g.last, { ...opts, unit: 'count' })
  }
  for (const t of Object.values(w.trends)) agg.mergeHistogram('load', t.metric, t.tags, t.histogram, opts)
  const g = w.generator
  agg.gauge('generator', 'event_loop_utilization', {}, g.eventLoopUtilization, { ...opts, unit: 'ratio' })
  agg.gauge('generator', 'event_loop_lag_p99', {}, g.eventLoopLagP99Ms, { ...opts, unit: 'ms' })
  agg.gauge('generator', 'saturated', {}, g.saturated ? 1 : 0, { ...opts, unit: 'bool' })
  if (g.scheduledStarts > 0) agg.mergeHistogram('generator', 'start_lateness', {}, g.startLateness, opts)
}

/** Turns a run's windows into record series with one whole-run aggregate for `phase`. */
function windowsToSeries(
  windows: readonly WindowSnapshot[],
  phase: string,
  windowMs = windowSizeOf(windows),
): SeriesRecord[] {
  const agg = new SeriesAggregator({ windowMs, now: () => 0 })
  agg.setPhase(phase)
  for (const w of windows) feedLoadWindow(agg, w, 0, phase)
  agg.closeAll()
  return agg.series()
}

function windowSizeOf(windows: readonly WindowSnapshot[]): number {
  const w = windows.find((x) => x.endMs > x.startMs && x.index > 0) ?? windows[0]
  return w ? Math.max(1, Math.round(w.endMs - w.startMs || 1000)) : 1000
}

/** Header facts a record needs beyond the result. */
export interface LoadRecordOptions {
  /** sha256 prefix of the config file. */
  configHash?: string
  /** What was tested (service, version, environment). */
  subject?: RunRecord['subject']
  id?: string
}

/** The run record of a load result. */
export function toRunRecord(result: LoadResult, options: LoadRecordOptions = {}): RunRecord {
  const p = result.profile
  const s = result.scenario
  const planHash = createHash('sha256')
    .update(JSON.stringify({ ...p, thresholds: undefined }))
    .digest('hex')
    .slice(0, 12)
  return {
    schema: RUN_SCHEMA,
    kind: 'load',
    id: options.id ?? newRunId(result.startedAt),
    complete: !result.stopReason || result.stopReason === 'thresholds',
    ...(result.stopReason && result.stopReason !== 'thresholds'
      ? { incompleteReason: result.signal ?? result.stopReason }
      : {}),
    startedAt: result.startedAt.toISOString(),
    endedAt: result.endedAt.toISOString(),
    durationMs: Math.round(result.durationMs),
    tool: { name: 'steady', version },
    subject: { ...(options.subject ?? {}), target: result.target },
    seed: result.seed,
    configHash: options.configHash ?? 'none',
    comparability: comparabilityKey({
      planHash,
      engine: result.engine === 'embedded' ? `embedded/${result.workers}` : 'k6',
    }),
    window: { sizeMs: p.windowMs },
    histogram: HISTOGRAM_PARAMETERS,
    phases: [loadPhase(result)],
    scenarios: s
      ? [
          {
            name: s.name,
            ...(s.file ? { file: s.file } : {}),
            tags: [],
            iterations: s.iterations,
            passed: s.passed,
            failed: s.failed,
          },
        ]
      : [],
    series: windowsToSeries(result.windows, p.name, p.windowMs),
    events: loadEvents(result),
    failures: scenarioFailures(result),
    warnings: loadWarnings(result),
  }
}

/** The run's one phase, named after the profile, with the load it planned and achieved. */
function loadPhase(result: LoadResult): RunRecord['phases'][number] {
  const p = result.profile
  const activeS = activeDurationOf(p) / 1000
  let targetRate: number | undefined
  if (p.executor === 'constant-arrival-rate' || p.executor === 'ramping-arrival-rate')
    targetRate = roundTo(arrivalSchedule(p).planned / activeS, 3)
  return {
    name: p.name,
    startMs: p.startTimeMs,
    endMs: Math.round(result.durationMs),
    load: {
      profile: p.name,
      engine: result.engine,
      executor: p.executor,
      ...(targetRate !== undefined ? { targetRate } : {}),
      achievedRate: roundTo(result.counts.started / Math.max(0.001, activeS), 3),
      iterations: result.counts.completed,
      droppedIterations: result.counts.dropped,
      maxVUs: result.counts.vusAllocated,
    },
  }
}

/** The profile's start and end, saturated windows, an early stop and each threshold's outcome. */
function loadEvents(result: LoadResult): RunEvent[] {
  const p = result.profile
  const events: RunEvent[] = [
    { atMs: p.startTimeMs, kind: 'phase-start', message: `load profile ${p.name} (${p.executor}) started` },
  ]
  for (const w of result.windows) {
    if (w.generator.saturated) {
      events.push({
        atMs: w.startMs,
        kind: 'generator-saturated',
        message: `load generator saturated in window ${w.index}: ${w.generator.reasons.join('; ')}`,
        data: { window: w.index, reasons: w.generator.reasons },
      })
    }
  }
  if (result.stopReason) {
    events.push({
      atMs: result.durationMs,
      kind: 'interrupted',
      message: `stopped early: ${result.stopReason}`,
      data: { reason: result.stopReason },
    })
  }
  events.push({ atMs: result.durationMs, kind: 'phase-end', message: `load profile ${p.name} ended` })
  for (const t of result.thresholds) {
    const outcome = `${t.ok ? 'passed' : 'failed'} (${t.aggregation}=${roundTo(t.actual, 3)})`
    events.push({
      atMs: result.durationMs,
      kind: 'note',
      message: `threshold ${t.key} '${t.source}' ${outcome}`,
      data: { ...t },
    })
  }
  return events
}

/** What a reader of the record must know before trusting its latencies. */
function loadWarnings(result: LoadResult): string[] {
  const p = result.profile
  const warnings: string[] = []
  if (result.saturated) {
    warnings.push(
      `the load generator was saturated (${result.saturationReasons.join('; ')}): ` +
        "latencies in this record may be the generator's, not the service's",
    )
  }
  if (p.executor !== 'constant-arrival-rate' && p.executor !== 'ramping-arrival-rate') {
    warnings.push(
      `profile ${p.name} uses ${p.executor}, a closed-model (VU-based) executor: it slows down with the service, ` +
        'so it understates latency under stall (coordinated omission)',
    )
  }
  return warnings
}

/** The scenario's failed iterations as one failure group, each sample replayable from the run's seed. */
function scenarioFailures(result: LoadResult): FailureGroup[] {
  const s = result.scenario
  const phase = result.profile.name
  if (!s || !s.samples.length) return []
  return [
    {
      signature: { scenario: s.name, step: '', assertion: 'iteration failed' },
      count: s.failed,
      firstAtMs: 0,
      lastAtMs: result.durationMs,
      byPhase: { [phase]: s.failed },
      samples: s.samples.map((f) => ({
        atMs: 0,
        phase,
        message: describeFailure(f),
        replay: { seed: result.seed, scenario: s.name, iteration: 0 },
      })),
    },
  ]
}

function describeFailure(f: unknown): string {
  if (f && typeof f === 'object' && 'message' in f && typeof (f as { message: unknown }).message === 'string')
    return (f as { message: string }).message
  return String(f)
}
