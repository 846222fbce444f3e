/**
 * The end-of-test summary, laid out like k6's (thresholds first, then totals
 * grouped as HTTP / EXECUTION / NETWORK), plus what k6 does not print: how
 * the load generator itself did, so a saturated generator is not read as a
 * slow service.
 */
import { roundTo } from '@steady/kernel'
import { formatDuration } from '@steady/record/internal'
import type { ResolvedProfile, ResolvedStage } from './profile.ts'
import { maxDurationOf, maxVusOf } from './schedule.ts'
import { trendStats, type LatencyHistogram } from './metrics/histogram.ts'
import type { RunTotals } from './metrics/totals.ts'
import type { ThresholdResult } from './thresholds.ts'

/** How k6 prints a time value: µs, ms or s with up to two decimals. */
export function formatK6Time(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms)
  if (ms === 0) return '0s'
  if (ms < 1) return `${trim(ms * 1000)}µs`
  if (ms < 1000) return `${trim(ms)}ms`
  if (ms < 60_000) return `${trim(ms / 1000)}s`
  const m = Math.floor(ms / 60_000)
  const s = (ms % 60_000) / 1000
  return `${m}m${trim(s)}s`
}

function trim(n: number): string {
  return String(roundTo(n, 2))
}

function bytes(n: number): string {
  if (n < 1000) return `${n} B`
  if (n < 1e6) return `${trim(n / 1e3)} kB`
  if (n < 1e9) return `${trim(n / 1e6)} MB`
  return `${trim(n / 1e9)} GB`
}

function pct(part: number, all: number): string {
  return all === 0 ? '0.00%' : `${((part / all) * 100).toFixed(2)}%`
}

/** One line describing the profile the way k6 describes a scenario before it starts. */
function describeProfile(p: ResolvedProfile): string {
  const [work, option] = workOf(p)
  const options = [...(option ? [option] : []), `exec: ${p.exec}`].join(', ')
  const start = p.startTimeMs > 0 ? `, startTime: ${formatDuration(p.startTimeMs)}` : ''
  return `${work} (${options}${start}, gracefulStop: ${formatDuration(p.gracefulStopMs)})`
}

/** What the executor will do, in k6's words, and the option k6 names first for it. */
function workOf(p: ResolvedProfile): [work: string, option: string | undefined] {
  const perSecond = (rate: number, timeUnitMs: number) => `${((rate * 1000) / timeUnitMs).toFixed(2)} iterations/s`
  const over = (stages: readonly ResolvedStage[]) =>
    `${formatDuration(stages.reduce((a, s) => a + s.durationMs, 0))} over ${stages.length} stages`
  switch (p.executor) {
    case 'shared-iterations':
      return [`${p.iterations} iterations shared among ${p.vus} VUs`, `maxDuration: ${formatDuration(p.maxDurationMs)}`]
    case 'per-vu-iterations':
      return [`${p.iterations} iterations for each of ${p.vus} VUs`, `maxDuration: ${formatDuration(p.maxDurationMs)}`]
    case 'constant-vus':
      return [`${p.vus} looping VUs for ${formatDuration(p.durationMs)}`, undefined]
    case 'ramping-vus':
      return [
        `Up to ${maxVusOf(p)} looping VUs for ${over(p.stages)}`,
        `gracefulRampDown: ${formatDuration(p.gracefulRampDownMs)}`,
      ]
    case 'constant-arrival-rate':
      return [
        `${perSecond(p.rate, p.timeUnitMs)} for ${formatDuration(p.durationMs)}`,
        `maxVUs: ${p.preAllocatedVUs}-${p.maxVUs}`,
      ]
    case 'ramping-arrival-rate': {
      const peak = Math.max(p.startRate, ...p.stages.map((s) => s.target))
      return [
        `Up to ${perSecond(peak, p.timeUnitMs)} for ${over(p.stages)}`,
        `maxVUs: ${p.preAllocatedVUs}-${p.maxVUs}`,
      ]
    }
  }
}

/**
 * The header k6 prints before a run:
 * `scenarios: (100.00%) 1 scenario, 10 max VUs, 1m30s max duration (incl. graceful stop)`.
 */
export function formatHeader(p: ResolvedProfile, engine: string, target: string, workers: number): string {
  return [
    `  engine: ${engine}${engine === 'embedded' ? ` (${workers} worker${workers === 1 ? '' : 's'})` : ''}`,
    `  target: ${target}`,
    '',
    `  scenarios: (100.00%) 1 scenario, ${maxVusOf(p)} max VUs, ` +
      `${formatDuration(maxDurationOf(p))} max duration (incl. graceful stop):`,
    `           * ${p.name}: ${describeProfile(p)}`,
    '',
  ].join('\n')
}

/** What the summary shows besides the totals. */
export interface SummaryInput {
  profile: ResolvedProfile
  totals: RunTotals
  thresholds: ThresholdResult[]
  /** Complete and interrupted iterations. */
  completed: number
  interrupted: number
  /** Wall time of the run in ms. */
  durationMs: number
  /** Why the run ended early, if it did. */
  stopReason?: string
  /** Generator figures over the run. */
  generator?: {
    saturatedWindows: number
    windows: number
    startLatenessP99Ms: number
    maxEventLoopUtilization: number
    maxEventLoopLagMs: number
    reasons: string[]
  }
}

const dots = (label: string, width: number) => label + '.'.repeat(Math.max(3, width - label.length)) + ':'

/** The k6-like end-of-test summary. */
export function formatSummary(s: SummaryInput): string {
  const t = s.totals
  const secs = Math.max(0.001, s.durationMs / 1000)
  const lines: string[] = []
  const width = 40
  const trendLine = (h: LatencyHistogram, time = true) => {
    const st = trendStats(h)
    const f = time ? formatK6Time : (n: number) => trim(n)
    const quantiles = `med=${f(st.med)} max=${f(st.max)} p(90)=${f(st['p(90)'])} p(95)=${f(st['p(95)'])}`
    return `avg=${f(st.avg)} min=${f(st.min)} ${quantiles}`
  }
  if (s.thresholds.length) {
    lines.push('', '  █ THRESHOLDS ', '')
    const byKey = new Map<string, ThresholdResult[]>()
    for (const r of s.thresholds) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r])
    for (const [key, rs] of byKey) {
      lines.push(`    ${key}`)
      for (const r of rs) {
        const actual =
          r.type === 'rate'
            ? `${(r.actual * 100).toFixed(2)}%`
            : r.type === 'counter'
              ? r.aggregation === 'rate'
                ? `${trim(r.actual)}/s`
                : trim(r.actual)
              : r.type === 'trend' && !['count'].includes(r.aggregation)
                ? formatK6Time(r.actual)
                : trim(r.actual)
        lines.push(`    ${r.ok ? '✓' : '✗'} '${r.source}' ${r.aggregation}=${actual}`)
      }
      lines.push('')
    }
  }
  lines.push('', '  █ TOTAL RESULTS ', '')
  const checks = t.rate('checks')
  const checksAll = checks.passes + checks.fails
  if (checksAll > 0) {
    lines.push(`    ${dots('checks_total', width)} ${checksAll} ${trim(checksAll / secs)}/s`)
    lines.push(
      `    ${dots('checks_succeeded', width)} ${pct(checks.passes, checksAll)} ${checks.passes} out of ${checksAll}`,
    )
    lines.push(
      `    ${dots('checks_failed', width)} ${pct(checks.fails, checksAll)} ${checks.fails} out of ${checksAll}`,
    )
    lines.push('')
  }
  const reqs = t.counter('http_reqs')
  if (reqs > 0) {
    lines.push('    HTTP')
    lines.push(`    ${dots('http_req_duration', width)} ${trendLine(t.trend('http_req_duration'))}`)
    const expected = t.trend('http_req_duration', { expected_response: 'true' })
    if (expected.count > 0) lines.push(`    ${dots('  { expected_response:true }', width)} ${trendLine(expected)}`)
    const failed = t.rate('http_req_failed')
    const all = failed.passes + failed.fails
    lines.push(`    ${dots('http_req_failed', width)} ${pct(failed.passes, all)} ${failed.passes} out of ${all}`)
    lines.push(`    ${dots('http_reqs', width)} ${reqs} ${trim(reqs / secs)}/s`)
    const errors = [...t.counters.values()].filter((c) => c.metric === 'http_req_errors')
    if (errors.length) {
      const byKind = new Map<string, number>()
      for (const e of errors) byKind.set(e.tags.error, (byKind.get(e.tags.error) ?? 0) + e.value)
      lines.push(`    ${dots('http_req_errors', width)} ${[...byKind].map(([k, n]) => `${k}=${n}`).join(' ')}`)
    }
    lines.push('')
  }
  lines.push('    EXECUTION')
  const dropped = t.counter('dropped_iterations')
  if (dropped > 0) lines.push(`    ${dots('dropped_iterations', width)} ${dropped} ${trim(dropped / secs)}/s`)
  const iterDur = t.trend('iteration_duration')
  if (iterDur.count > 0) lines.push(`    ${dots('iteration_duration', width)} ${trendLine(iterDur)}`)
  const iterations = t.counter('iterations')
  lines.push(`    ${dots('iterations', width)} ${iterations} ${trim(iterations / secs)}/s`)
  const vus = t.gauge('vus')
  if (vus) lines.push(`    ${dots('vus', width)} ${vus.last} min=${vus.min} max=${vus.max}`)
  const vusMax = t.gauge('vus_max')
  if (vusMax) lines.push(`    ${dots('vus_max', width)} ${vusMax.last} min=${vusMax.min} max=${vusMax.max}`)
  lines.push('')
  const received = t.counter('data_received')
  const sent = t.counter('data_sent')
  if (received || sent) {
    lines.push('    NETWORK')
    lines.push(`    ${dots('data_received', width)} ${bytes(received)} ${bytes(Math.round(received / secs))}/s`)
    lines.push(`    ${dots('data_sent', width)} ${bytes(sent)} ${bytes(Math.round(sent / secs))}/s`)
    lines.push('')
  }
  if (s.generator) {
    const g = s.generator
    lines.push('    GENERATOR (steady)')
    const reasons = g.reasons.length ? `  (${g.reasons.slice(0, 3).join('; ')})` : ''
    lines.push(`    ${dots('saturated_windows', width)} ${g.saturatedWindows} of ${g.windows}${reasons}`)
    lines.push(`    ${dots('start_lateness p(99)', width)} ${formatK6Time(g.startLatenessP99Ms)}`)
    lines.push(`    ${dots('event_loop_utilization max', width)} ${g.maxEventLoopUtilization.toFixed(2)}`)
    lines.push(`    ${dots('event_loop_lag max', width)} ${formatK6Time(g.maxEventLoopLagMs)}`)
    lines.push('')
  }
  lines.push('')
  const vusLast = vusMax?.max ?? 0
  lines.push(
    `running (${formatDuration(s.durationMs)}), 00/${String(vusLast).padStart(2, '0')} VUs, ` +
      `${s.completed} complete and ${s.interrupted} interrupted iterations`,
  )
  const failed = s.thresholds.filter((r) => !r.ok)
  const mark = failed.length || s.stopReason ? '✗' : '✓'
  lines.push(`${s.profile.name} ${mark} ${s.stopReason ? `[ ${s.stopReason} ]` : '[ done ]'}`)
  if (failed.length) {
    lines.push(`ERRO thresholds on metrics '${[...new Set(failed.map((f) => f.key))].join("', '")}' have been crossed`)
  }
  return lines.join('\n') + '\n'
}
