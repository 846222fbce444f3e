/**
 * A load run as a run record (`steady.run/1`, `kind: load`): one phase named
 * after the profile, k6-named `load/...` series per window, the generator's
 * self-measurement as `generator/...` series, saturation as events and a
 * warning.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import {
  HISTOGRAM_PARAMETERS,
  RUN_SCHEMA,
  aggregateWindows,
  comparabilityKey,
  newRunId,
  seriesKey as recordSeriesKey,
  type FailureGroup,
  type RunEvent,
  type RunRecord,
  type SeriesRecord,
  type SeriesWindow,
} from '@steady/record'
import type { LoadResult } from './embedded.ts'
import { builtinMetrics } from './metrics/metrics.ts'
import { decodeHistogram } from './metrics/histogram.ts'
import type { WindowSnapshot } from './metrics/windows.ts'
import { activeDurationOf, arrivalSchedule } from './schedule.ts'

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version

interface Builder {
  record: SeriesRecord
  windows: SeriesWindow[]
}

/**
 * Turns windows into record series (`load/<metric>{tags}`), each window's
 * figures plus an aggregate for `phase`. Trends keep their encoded histogram;
 * rates count samples in `count` and non-zero samples (k6's `passes`) in
 * `delta`, with `passed`/`failed` as k6's passes/fails.
 */
export function windowsToSeries(windows: readonly WindowSnapshot[], phase: string): SeriesRecord[] {
  const series = new Map<string, Builder>()
  const get = (metric: string, tags: Record<string, string>, kind: SeriesRecord['kind'], unit: string, source: SeriesRecord['source'] = 'load'): Builder => {
    const key = recordSeriesKey(source, metric, tags)
    let b = series.get(key)
    if (!b) series.set(key, (b = { record: { key, source, name: metric, kind, unit, tags: { ...tags }, windows: [], phases: {} }, windows: [] }))
    return b
  }
  for (const w of windows) {
    const i = w.index
    for (const c of Object.values(w.counters)) {
      const unit = builtinMetrics[c.metric]?.contains === 'data' ? 'bytes' : 'count'
      get(c.metric, c.tags, 'counter', unit).windows.push({ i, count: c.value, delta: c.value })
    }
    for (const r of Object.values(w.rates)) {
      get(r.metric, r.tags, 'counter', 'rate').windows.push({ i, count: r.passes + r.fails, delta: r.passes, passed: r.passes, failed: r.fails })
    }
    for (const g of Object.values(w.gauges)) {
      get(g.metric, g.tags, 'gauge', 'count').windows.push({ i, count: 1, value: g.last, min: g.min, max: g.max })
    }
    for (const t of Object.values(w.trends)) {
      const h = decodeHistogram(t.histogram)
      get(t.metric, t.tags, 'histogram', 'ms').windows.push({ i, count: h.count, p50: h.quantile(0.5), p95: h.quantile(0.95), p99: h.quantile(0.99), max: h.max, hist: t.histogram })
    }
    const g = w.generator
    get('event_loop_utilization', {}, 'gauge', 'ratio', 'generator').windows.push({ i, count: 1, value: g.eventLoopUtilization, min: g.eventLoopUtilization })
    get('event_loop_lag_p99', {}, 'gauge', 'ms', 'generator').windows.push({ i, count: 1, value: g.eventLoopLagP99Ms, max: g.eventLoopLagMaxMs })
    if (g.scheduledStarts > 0) {
      const h = decodeHistogram(g.startLateness)
      get('start_lateness', {}, 'histogram', 'ms', 'generator').windows.push({ i, count: h.count, p50: h.quantile(0.5), p95: h.quantile(0.95), p99: h.quantile(0.99), max: h.max, hist: g.startLateness })
    }
  }
  return [...series.values()].map((b) => {
    b.record.windows = b.windows
    b.record.phases = { [phase]: aggregateWindows(b.windows) }
    return b.record
  })
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
  const phase = p.name
  const events: RunEvent[] = [
    { atMs: p.startTimeMs, kind: 'phase-start', message: `load profile ${p.name} (${p.executor}) started` },
  ]
  for (const w of result.windows) {
    if (w.generator.saturated) {
      events.push({ atMs: w.startMs, kind: 'generator-saturated', message: `load generator saturated in window ${w.index}: ${w.generator.reasons.join('; ')}`, data: { window: w.index, reasons: w.generator.reasons } })
    }
  }
  if (result.stopReason) {
    events.push({ atMs: result.durationMs, kind: 'interrupted', message: `stopped early: ${result.stopReason}`, data: { reason: result.stopReason } })
  }
  events.push({ atMs: result.durationMs, kind: 'phase-end', message: `load profile ${p.name} ended` })
  for (const t of result.thresholds) {
    events.push({ atMs: result.durationMs, kind: 'note', message: `threshold ${t.key} '${t.source}' ${t.ok ? 'passed' : 'failed'} (${t.aggregation}=${round(t.actual)})`, data: { ...t } })
  }
  const warnings: string[] = []
  if (result.saturated) {
    warnings.push(`the load generator was saturated (${result.saturationReasons.join('; ')}): latencies in this record may be the generator's, not the service's`)
  }
  if (p.executor !== 'constant-arrival-rate' && p.executor !== 'ramping-arrival-rate') {
    warnings.push(`profile ${p.name} uses ${p.executor}, a closed-model (VU-based) executor: it slows down with the service, so it understates latency under stall (coordinated omission)`)
  }
  const activeS = activeDurationOf(p) / 1000
  let targetRate: number | undefined
  if (p.executor === 'constant-arrival-rate' || p.executor === 'ramping-arrival-rate') targetRate = round(arrivalSchedule(p).planned / activeS)
  const failures: FailureGroup[] = []
  const s = result.scenario
  if (s && s.samples.length) {
    failures.push({
      signature: { scenario: s.name, step: '', assertion: 'iteration failed' },
      count: s.failed,
      firstAtMs: 0,
      lastAtMs: result.durationMs,
      byPhase: { [phase]: s.failed },
      samples: s.samples.map((f) => ({ atMs: 0, phase, message: describeFailure(f), replay: { seed: result.seed, scenario: s.name, iteration: 0 } })),
    })
  }
  const planHash = createHash('sha256').update(JSON.stringify({ ...p, thresholds: undefined })).digest('hex').slice(0, 12)
  return {
    schema: RUN_SCHEMA,
    kind: 'load',
    id: options.id ?? newRunId(result.startedAt),
    complete: !result.stopReason || result.stopReason === 'thresholds',
    ...(result.stopReason && result.stopReason !== 'thresholds' ? { incompleteReason: result.signal ?? result.stopReason } : {}),
    startedAt: result.startedAt.toISOString(),
    endedAt: result.endedAt.toISOString(),
    durationMs: Math.round(result.durationMs),
    tool: { name: 'steady', version },
    subject: { ...(options.subject ?? {}), target: result.target },
    seed: result.seed,
    configHash: options.configHash ?? 'none',
    comparability: comparabilityKey({ planHash, engine: result.engine === 'embedded' ? `embedded/${result.workers}` : 'k6' }),
    window: { sizeMs: p.windowMs },
    histogram: HISTOGRAM_PARAMETERS,
    phases: [
      {
        name: phase,
        startMs: p.startTimeMs,
        endMs: Math.round(result.durationMs),
        load: {
          profile: p.name,
          engine: result.engine,
          executor: p.executor,
          ...(targetRate !== undefined ? { targetRate } : {}),
          achievedRate: round(result.counts.started / Math.max(0.001, activeS)),
          iterations: result.counts.completed,
          droppedIterations: result.counts.dropped,
          maxVUs: result.counts.vusAllocated,
        },
      },
    ],
    scenarios: s ? [{ name: s.name, ...(s.file ? { file: s.file } : {}), tags: [], iterations: s.iterations, passed: s.passed, failed: s.failed }] : [],
    series: windowsToSeries(result.windows, phase),
    events,
    failures,
    warnings,
  }
}

function describeFailure(f: unknown): string {
  if (f && typeof f === 'object' && 'message' in f && typeof (f as { message: unknown }).message === 'string') return (f as { message: string }).message
  return String(f)
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000
}
