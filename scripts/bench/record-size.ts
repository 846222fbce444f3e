/**
 * How big is the run record of a one-hour soak? 100 series at 10 s windows
 * (the issue's sizing case), written by the same RunRecordWriter and
 * SeriesAggregator the soak uses, with realistic value counts per window:
 * latency histograms, iteration outcomes, the service's scraped
 * request-duration histogram (one bucket series per route, scraped every 5 s)
 * and sampled gauges.
 *
 *   npx tsx --conditions=steady-source scripts/bench/record-size.ts [--hours 1] [--series 100] [--routes 20] [--buckets 12]
 *
 * Prints the size of run.json and events.ndjson and what dominates them.
 */
import { mkdtempSync, statSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { RunRecordWriter, SeriesAggregator, comparabilityKey } from '@steady/record'

const { values } = parseArgs({
  options: {
    hours: { type: 'string', default: '1' },
    series: { type: 'string', default: '100' },
    routes: { type: 'string', default: '20' },
    buckets: { type: 'string', default: '12' },
  },
})
const hours = Number(values.hours)
const seriesCount = Number(values.series)
const routes = Number(values.routes)
const bucketCount = Number(values.buckets)
for (const [flag, n, min] of [
  ['--hours', hours, 0],
  ['--series', seriesCount, 1],
  ['--routes', routes, 0],
  ['--buckets', bucketCount, 1],
] as const) {
  if (!Number.isFinite(n) || n < min || (flag !== '--hours' && !Number.isInteger(n)))
    throw new Error(`${flag} ${n} is not valid`)
}
const windowMs = 10_000
const windows = Math.round((hours * 3_600_000) / windowMs)
// The mix of a real soak: per-step latency histograms (probe and load), iteration outcomes,
// the service's scraped request-duration histogram (a series per route), service gauges.
const histograms = Math.round(seriesCount * 0.4)
const outcomes = Math.round(seriesCount * 0.1)
const gauges = seriesCount - histograms - outcomes - routes
if (gauges < 0) throw new Error(`--routes ${routes} leaves no room in --series ${seriesCount}`)
// prom-client's default buckets, cut or extended to --buckets (seconds), then +Inf.
const les = Array.from({ length: bucketCount - 1 }, (_, i) => Math.round(0.005 * 2 ** i * 1000) / 1000)
const scrapesPerWindow = 2

const dir = mkdtempSync(join(tmpdir(), 'steady-size-'))
let t = 0
const agg = new SeriesAggregator({ windowMs, now: () => t })
const writer = new RunRecordWriter({
  dir,
  now: () => t,
  aggregator: agg,
  header: {
    kind: 'soak',
    id: 'size',
    startedAt: new Date().toISOString(),
    tool: { name: 'steady', version: '0.1.0' },
    subject: { service: 'bench' },
    seed: '1',
    configHash: 'x',
    comparability: comparabilityKey({ planHash: 'p', engine: 'embedded' }),
    window: { sizeMs: windowMs },
  },
})
const phases = ['warmup', 'quiet', 'nominal', 'peak', 'recovery']
let seed = 1
const rand = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646
const started = performance.now()
for (let w = 0; w < windows; w++) {
  const phase = phases[Math.min(phases.length - 1, Math.floor((w / windows) * phases.length))]
  agg.setPhase(phase)
  for (let k = 0; k < 200; k++) {
    t = w * windowMs + (k * windowMs) / 200
    // Each histogram series gets a share of ~200 requests a window (probe and load steps).
    const s = k % histograms
    const base = 5 + s
    agg.duration(
      s % 2 ? 'load' : 'probe',
      'http_req_duration',
      { scenario: `scenario-${s % 5}`, name: `step-${s}` },
      base * Math.exp(rand() * 0.6),
      k % 97 === 0 ? { error: 'status_500' } : {},
    )
  }
  for (let s = 0; s < outcomes; s++) agg.outcome('probe', 'iterations', { scenario: `scenario-${s}` }, rand() > 0.002)
  for (let r = 0; r < routes; r++) {
    for (let k = 0; k < scrapesPerWindow; k++) {
      // A route's bucket increase since the last scrape: ~50 requests around its own latency.
      const n = 40 + Math.floor(rand() * 20)
      const typical = 0.01 * (1 + (r % 7))
      let cumulative = 0
      const buckets: [number | '+Inf', number][] = les.map((le) => {
        cumulative = Math.max(cumulative, Math.round(n * Math.min(1, le / (typical * 2))))
        return [le, cumulative]
      })
      buckets.push(['+Inf', n])
      agg.bucketDelta(
        'service',
        'http_request_duration_seconds',
        { service: 'bench', route: `/api/route-${r}`, method: 'GET' },
        buckets,
        n * typical,
        {
          atMs: w * windowMs + (k * windowMs) / scrapesPerWindow,
        },
      )
    }
  }
  for (let s = 0; s < gauges; s++)
    agg.gauge('service', `indicator_${s}`, { service: 'bench' }, 1e6 + w * 100 + rand() * 1000, { unit: 'bytes' })
  t = (w + 1) * windowMs
  writer.flush()
}
writer.finish({ complete: true })
const elapsed = performance.now() - started
const size = (f: string) => statSync(join(dir, f)).size
const record = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as {
  series: { kind: string; windows: { hist?: string; buckets?: unknown }[] }[]
}
const histBytes = record.series.flatMap((s) => s.windows).reduce((n, w) => n + (w.hist?.length ?? 0), 0)
const mb = (b: number) => (b / 1e6).toFixed(2) + ' MB'
console.log(
  `${hours}-hour soak record: ${seriesCount} series (${histograms} latency histograms, ${outcomes} outcome, ${routes} scraped histograms of ${bucketCount} buckets, ${gauges} gauges), ${windows} windows of ${windowMs / 1000}s`,
)
console.log(`run.json       ${mb(size('run.json'))}  (target < 5 MB)`)
console.log(`events.ndjson  ${mb(size('events.ndjson'))}`)
console.log(
  `encoded HDR histograms: ${mb(histBytes)} = ${((100 * histBytes) / size('run.json')).toFixed(0)}% of run.json`,
)
const byKind = new Map<string, number>()
for (const s of record.series) {
  const kind = s.windows.some((w) => w.buckets) ? 'scraped histogram' : s.kind
  byKind.set(kind, (byKind.get(kind) ?? 0) + JSON.stringify(s).length)
}
console.log(`by series kind: ${[...byKind].map(([k, n]) => `${k} ${mb(n)}`).join(', ')}`)
console.log(`written in ${(elapsed / 1000).toFixed(1)} s`)
rmSync(dir, { recursive: true, force: true })
