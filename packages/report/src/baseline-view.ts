/**
 * Reads a baseline file (`steady.baseline/1`) into what the tables and charts
 * compare with: each baseline run's per-phase quantiles of the same series,
 * the p95 range per phase (the charts' band), the runs' latency at their
 * achieved load, and how each run's comparability key differs from this run's.
 */
import { comparabilityDiff, type RunRecord } from '@steady/record'
import { comparisonRuns, type BaselineFile } from '@steady/baseline'
import type { BaselineView } from './judgement.ts'
import type { BaselineLoadPoint, BandsBySeries } from './charts.ts'

/** The runs the verdict compares with (the last K, pinned ones, none excluded), oldest first. */
function usableRuns(file: BaselineFile) {
  return comparisonRuns(file)
    .filter((r) => r.summary)
    .map((r) => ({ id: r.id, summary: r.summary! }))
    .sort((a, b) =>
      a.summary.startedAt < b.summary.startedAt ? -1 : a.summary.startedAt > b.summary.startedAt ? 1 : 0,
    )
}

/**
 * The page's view of a baseline. Runs whose comparability key differs from
 * the record's are listed (with what differs) but left out of the numbers,
 * as the verdict leaves them out.
 */
export function baselineView(file: BaselineFile, record: RunRecord, name: string): BaselineView {
  const all = usableRuns(file)
  const runList = all.map((r) => ({
    id: r.id,
    date: r.summary.startedAt,
    ...(r.summary.subject?.version ? { version: r.summary.subject.version } : {}),
    differs: comparabilityDiff(record.comparability, r.summary.comparability).map(
      (d) => `${d.field}: ${String(d.a)} here, ${String(d.b)} there`,
    ),
  }))
  const comparable = all.filter((_, i) => runList[i].differs.length === 0)
  const phaseStats = (key: string, phase: string) => {
    const out = { p50: [] as number[], p95: [] as number[], p99: [] as number[] }
    for (const r of comparable) {
      const p = r.summary.series[key]?.phases[phase]
      if (!p) continue
      if (p.p50 !== undefined) out.p50.push(p.p50)
      if (p.p95 !== undefined) out.p95.push(p.p95)
      if (p.p99 !== undefined) out.p99.push(p.p99)
    }
    return out.p50.length || out.p95.length || out.p99.length ? out : undefined
  }
  const bands: BandsBySeries = new Map()
  const keys = new Set(comparable.flatMap((r) => Object.keys(r.summary.series)))
  for (const key of keys) {
    if (!key.startsWith('probe/')) continue
    const byPhase: Record<string, { lo: number; hi: number }> = {}
    for (const p of record.phases) {
      const st = phaseStats(key, p.name)
      if (st?.p95.length) byPhase[p.name] = { lo: Math.min(...st.p95), hi: Math.max(...st.p95) }
    }
    if (Object.keys(byPhase).length) bands.set(key, byPhase)
  }
  const loadPoints: BaselineLoadPoint[] = []
  for (const r of comparable) {
    for (const [key, s] of Object.entries(r.summary.series)) {
      if (s.kind !== 'histogram' || !key.startsWith('probe/')) continue
      for (const p of r.summary.phases) {
        const p95 = s.phases[p.name]?.p95
        if (p95 === undefined) continue
        loadPoints.push({ key, run: r.id, phase: p.name, rate: p.loaded ? (p.achievedRate ?? 0) : 0, p95 })
      }
    }
  }
  return { name, runs: comparable.length, phaseStats, bands, loadPoints, runList }
}
