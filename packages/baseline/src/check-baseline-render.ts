/**
 * The output of `steady baseline check`: text for a terminal, markdown for a
 * pull request or a CI summary, JSON for programs.
 */
import type { BaselineCheck, DetectableChange } from './check-baseline.ts'
import { pct } from './judge/check.ts'

export const BASELINE_CHECK_FORMATS = ['text', 'json', 'markdown'] as const
export type BaselineCheckFormat = (typeof BASELINE_CHECK_FORMATS)[number]

function sig(v: number): string {
  return Number(v.toPrecision(3)).toString()
}

/** A change on the finding's own scale: +12%, +0.4 pp, +3.1 MiB/h. */
function formatChange(v: number, changeKind: 'relative' | 'absolute', unit?: string): string {
  if (changeKind === 'relative') return pct(v)
  if (unit === 'ratio' || unit === 'rate') return `+${sig(v * 100)} pp`
  if (unit?.startsWith('bytes')) {
    const power = Math.max(0, Math.min(3, Math.floor(Math.log2(Math.max(v, 1)) / 10)))
    return `+${sig(v / 2 ** (10 * power))} ${['B', 'KiB', 'MiB', 'GiB'][power]}${unit.slice('bytes'.length)}`
  }
  return `+${sig(v)}${unit ? ` ${unit}` : ''}`
}

function detectableLine(d: DetectableChange): string {
  const tol = d.tolerance !== undefined ? ` (tolerance ${formatChange(d.tolerance, d.changeKind, d.unit)})` : ''
  return `${d.label}: ${formatChange(d.detectable, d.changeKind, d.unit)}${tol}`
}

/** The sentence that says what the check found and what it means for the gate. */
function baselineCheckSummary(c: BaselineCheck): string {
  const of = `${c.judged} run${c.judged === 1 ? '' : 's'}`
  const gate = `gate ${c.gate}`
  switch (c.status) {
    case 'too-few-runs':
      return (
        `too few runs: leaving one out leaves ${c.baselineRuns - 1}, and ${gate} needs more to judge; ` +
        'add runs with steady baseline add'
      )
    case 'fail': {
      const share = Math.round((100 * c.failed) / Math.max(1, c.judged))
      return (
        `${c.failed} of ${of} would have failed ${gate} against the others: ` +
        'at this gate the baseline fails versions like ' +
        `its own (about ${share}% false positives); exclude the odd runs or add more`
      )
    }
    case 'inconclusive':
      return `no run could be judged against the others at ${gate}: the baseline cannot tell yet`
    default:
      return (
        `all ${of} judged would have passed ${gate} against the others` +
        (c.inconclusive ? ` (${c.inconclusive} inconclusive)` : '')
      )
  }
}

function text(c: BaselineCheck): string {
  const lines: string[] = []
  const name = `${c.baselineFile ?? 'baseline'}${c.service ? ` (${c.service})` : ''}`
  const others = Math.max(0, c.baselineRuns - 1)
  lines.push(`baseline check of ${name}, gate ${c.gate}: each of ${c.judged} runs judged against the other ${others}`)
  lines.push(`  would have failed: ${c.failed} of ${c.judged}; inconclusive: ${c.inconclusive}; passed: ${c.passed}`)
  if (c.failingFindings.length) {
    lines.push('  failing findings:')
    for (const f of c.failingFindings) {
      lines.push(`    ✗ ${f.message} (in ${f.runs} run${f.runs === 1 ? '' : 's'}; ${f.id})`)
    }
  }
  for (const r of c.runs) {
    if (r.result === 'inconclusive') lines.push(`  ? ${r.run} inconclusive: ${r.inconclusive ?? ''}`)
  }
  if (c.withoutRecord.length) lines.push(`  not judged (no run record found): ${c.withoutRecord.join(', ')}`)
  if (c.detectable.length) {
    lines.push('  smallest change this baseline can see, per primary check (median over the leave-one-out verdicts):')
    for (const d of c.detectable) lines.push(`    ${detectableLine(d)}`)
  }
  const word = c.status === 'pass' ? 'TRUSTWORTHY' : c.status === 'fail' ? 'NOT TRUSTWORTHY' : 'CANNOT TELL'
  lines.push(`${word}: ${baselineCheckSummary(c)} (exit ${c.exitCode})`)
  return lines.join('\n') + '\n'
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ')
}

function markdown(c: BaselineCheck): string {
  const lines: string[] = []
  const mark = c.status === 'pass' ? '✅' : c.status === 'fail' ? '❌' : '❔'
  lines.push(`### Baseline check: ${mark} ${cell(baselineCheckSummary(c))}`, '')
  lines.push(`Baseline \`${c.baselineFile ?? '-'}\`, gate \`${c.gate}\`, ${c.judged} runs judged leave-one-out.`, '')
  lines.push('| would have failed | inconclusive | passed |', '|---|---|---|')
  lines.push(`| ${c.failed} | ${c.inconclusive} | ${c.passed} |`, '')
  if (c.failingFindings.length) {
    lines.push('| failing finding | runs |', '|---|---|')
    for (const f of c.failingFindings) lines.push(`| ${cell(f.message)} | ${f.runs} |`)
    lines.push('')
  }
  if (c.detectable.length) {
    lines.push('| primary check | smallest change it can see | tolerance |', '|---|---|---|')
    for (const d of c.detectable) {
      const tol = d.tolerance !== undefined ? formatChange(d.tolerance, d.changeKind, d.unit) : '-'
      lines.push(`| ${cell(d.label)} | ${formatChange(d.detectable, d.changeKind, d.unit)} | ${tol} |`)
    }
    lines.push('')
  }
  return lines.join('\n')
}

/** Renders a baseline check in one of {@link BASELINE_CHECK_FORMATS}. */
export function renderBaselineCheck(c: BaselineCheck, format: BaselineCheckFormat): string {
  if (format === 'json') return JSON.stringify(c, null, 2) + '\n'
  return format === 'markdown' ? markdown(c) : text(c)
}
