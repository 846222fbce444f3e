/** A health report as text (terminals, CI logs), Markdown (PR comments, job summaries) or JSON. */
import { formatInstant, formatNumber, formatValue } from './format.ts'
import type { HealthReport } from './health.ts'
import type { IndicatorHealth } from './judge/index.ts'
import type { IndicatorDefinition, ProcessDefinition } from './types.ts'

/** The output formats of `steady health`. */
export type HealthFormat = 'text' | 'json' | 'markdown'

/** Renders a report; `processes` supplies units for the value columns. */
export function renderHealth(
  report: HealthReport,
  format: HealthFormat,
  processes: readonly ProcessDefinition[] = [],
): string {
  if (format === 'json') return JSON.stringify(healthToJson(report), null, 2) + '\n'
  if (format === 'markdown') return renderMarkdown(report, processes)
  return renderText(report, processes)
}

/** The JSON form: times as ISO 8601, schema `steady.health/1`. */
function healthToJson(report: HealthReport): Record<string, unknown> {
  return {
    schema: 'steady.health/1',
    at: formatInstant(report.at),
    store: report.store,
    state: report.state,
    exitCode: report.exitCode,
    processes: report.processes.map((p) => ({
      ...p,
      indicators: p.indicators.map((i) => ({
        ...i,
        windows: {
          baselineFrom: formatInstant(i.windows.baselineFrom),
          recentFrom: formatInstant(i.windows.recentFrom),
          to: formatInstant(i.windows.to),
        },
      })),
    })),
  }
}

function definitionOf(processes: readonly ProcessDefinition[], i: IndicatorHealth): IndicatorDefinition | undefined {
  return processes.find((p) => p.name === i.process)?.indicators.find((d) => d.name === i.indicator)
}

function cell(processes: readonly ProcessDefinition[], i: IndicatorHealth, v: number | undefined): string {
  if (v === undefined) return '–'
  const d = definitionOf(processes, i)
  return d ? formatValue(d, v) : formatNumber(v)
}

/** An indicator's state in words: an unknown one is "not yet judged" (too little history) or "none recently". */
function stateText(i: IndicatorHealth): string {
  if (i.unknownCause === 'too-little-data') return 'not yet judged'
  if (i.unknownCause === 'no-data') return 'none recently'
  if (i.unknownCause === 'idle') return 'idle'
  return i.state
}

function samples(i: IndicatorHealth): string {
  return `${formatNumber(i.samples.baseline)}/${formatNumber(i.samples.recent)}`
}

function renderText(report: HealthReport, processes: readonly ProcessDefinition[]): string {
  const lines: string[] = []
  lines.push(`process health at ${formatInstant(report.at)} (${report.store}): ${report.state.toUpperCase()}`)
  if (report.processes.length === 0) {
    lines.push(
      '',
      'no process has any history yet: record observations with `steady health record`, or name one with --process',
    )
  }
  for (const p of report.processes) {
    lines.push('', `${p.process} (owner ${p.owner}): ${p.idle ? 'IDLE' : p.state.toUpperCase()}`, `  ${p.reason}`)
    const tiers = p.indicators.some((i) => i.tier)
    const rows = [['indicator', 'state', 'recent', 'baseline', 'data', ...(tiers ? ['tier'] : [])]]
    for (const i of p.indicators) {
      const row = [i.indicator, stateText(i), cell(processes, i, i.current), cell(processes, i, i.baseline), samples(i)]
      if (tiers) row.push(i.tier ? `${i.tier.tier} (${i.tier.bucket})` : '')
      rows.push(row)
    }
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)))
    rows.forEach((r, n) => {
      lines.push(
        '  ' +
          r
            .map((v, c) => v.padEnd(widths[c]))
            .join('  ')
            .trimEnd(),
      )
      if (n > 0) lines.push(`      ${p.indicators[n - 1].reason}`)
    })
  }
  lines.push('', 'data = baseline/recent observations (trials for rates, periods for counts)')
  return lines.join('\n') + '\n'
}

function md(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ')
}

function renderMarkdown(report: HealthReport, processes: readonly ProcessDefinition[]): string {
  const mark = (s: string) => (s === 'degraded' ? '**degraded**' : s === 'unknown' ? '_unknown_' : 'healthy')
  const lines: string[] = [
    `## Process health: ${mark(report.state)}`,
    '',
    `Judged at ${formatInstant(report.at)} from ${md(report.store)}.`,
  ]
  if (report.processes.length === 0) lines.push('', 'No process has any history yet.')
  for (const p of report.processes) {
    const processState = p.idle ? '_idle_' : mark(p.state)
    lines.push('', `### ${md(p.process)}: ${processState}`, '', `Owner: ${md(p.owner)}. ${md(p.reason)}`, '')
    lines.push('| indicator | state | recent | baseline | data (baseline/recent) | why |', '|---|---|---|---|---|---|')
    for (const i of p.indicators) {
      const why = i.tier ? `${i.reason} — DORA tier: ${i.tier.reason}` : i.reason
      const state = i.state === 'unknown' ? `_${stateText(i)}_` : mark(i.state)
      lines.push(
        `| ${md(i.indicator)} | ${state} | ${md(cell(processes, i, i.current))} | ` +
          `${md(cell(processes, i, i.baseline))} | ${samples(i)} | ${md(why)} |`,
      )
    }
  }
  return lines.join('\n') + '\n'
}
