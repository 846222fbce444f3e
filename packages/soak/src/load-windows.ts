/**
 * The load engine's windows, folded into the soak's series (source `load`,
 * k6's metric names and tags), and load profiles scaled with the plan.
 */
import type { SeriesAggregator } from '@steady/record'
import type { ResolvedProfile, WindowSnapshot } from '@steady/load'

/**
 * Adds one closed load window to the soak's aggregator. `offsetMs` is when
 * the load started on the soak's clock; the window lands where it closed.
 */
export function feedLoadWindow(agg: SeriesAggregator, w: WindowSnapshot, offsetMs: number, phase: string): void {
  const atMs = offsetMs + Math.max(w.startMs, w.endMs - 1)
  const opts = { atMs, phase }
  for (const c of Object.values(w.counters)) agg.count('load', c.metric, c.tags, c.value, { ...opts, samples: c.value, unit: c.metric.startsWith('data_') ? 'bytes' : 'count' })
  for (const r of Object.values(w.rates)) agg.rate('load', r.metric, r.tags, r.passes, r.fails, opts)
  for (const g of Object.values(w.gauges)) agg.gauge('load', g.metric, g.tags, g.last, { ...opts, unit: 'count' })
  for (const t of Object.values(w.trends)) agg.mergeHistogram('load', t.metric, t.tags, t.histogram, opts)
  const g = w.generator
  agg.gauge('generator', 'event_loop_utilization', {}, g.eventLoopUtilization, { ...opts, unit: 'ratio' })
  agg.gauge('generator', 'event_loop_lag_p99', {}, g.eventLoopLagP99Ms, { ...opts, unit: 'ms' })
  agg.gauge('generator', 'saturated', {}, g.saturated ? 1 : 0, { ...opts, unit: 'bool' })
  if (g.scheduledStarts > 0) agg.mergeHistogram('generator', 'start_lateness', {}, g.startLateness, opts)
}

/**
 * A profile with every duration multiplied by `scale` (`--duration-scale`),
 * its windows set to the soak's. Rates keep their time unit: a scaled soak is
 * shorter, not lighter.
 */
export function scaleProfile(p: ResolvedProfile, scale: number, windowMs: number): ResolvedProfile {
  const s = (ms: number) => Math.max(1, Math.round(ms * scale))
  const out = { ...p, windowMs, startTimeMs: Math.round(p.startTimeMs * scale), gracefulStopMs: s(p.gracefulStopMs) } as ResolvedProfile & Record<string, unknown>
  for (const key of ['durationMs', 'maxDurationMs', 'gracefulRampDownMs'] as const) {
    const v = (p as unknown as Record<string, unknown>)[key]
    if (typeof v === 'number') out[key] = s(v)
  }
  if ('stages' in p) (out as { stages: typeof p.stages }).stages = p.stages.map((st) => ({ ...st, durationMs: s(st.durationMs) }))
  out.thresholds = Object.fromEntries(
    Object.entries(p.thresholds).map(([k, items]) => [k, items.map((it) => ({ ...it, delayAbortEvalMs: Math.round(it.delayAbortEvalMs * scale) }))]),
  )
  return out
}
