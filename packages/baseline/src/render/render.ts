/**
 * Verdicts for people and tools: text (the terminal), markdown (a PR
 * comment), JUnit XML (CI test reports) and JSON (`steady.verdict/1`). Every
 * output passes through the one redaction step of @steady/record.
 */
import { Redactor, type Finding, type Verdict } from '@steady/record'

export type VerdictFormat = 'text' | 'json' | 'markdown' | 'junit'
export const VERDICT_FORMATS: VerdictFormat[] = ['text', 'json', 'markdown', 'junit']

export interface RenderOptions {
  /** ANSI colours (text only). */
  color?: boolean
  /** List passing checks too (text and markdown). */
  all?: boolean
  /** The redactor to use (default: a fresh one with the default rules). */
  redactor?: Redactor
}

const failing = (f: Finding) => f.status === 'fail'
const order: Record<Finding['status'], number> = { fail: 0, inconclusive: 1, 'not-judged': 2, accepted: 3, muted: 4, info: 5, pass: 6 }

function sorted(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => order[a.status] - order[b.status] || Number(b.primary) - Number(a.primary) || (severityRank(b) - severityRank(a)))
}

function severityRank(f: Finding): number {
  return f.severity === 'critical' ? 3 : f.severity === 'major' ? 2 : f.severity === 'minor' ? 1 : 0
}

/** Renders a verdict in one of the formats. */
export function renderVerdict(v: Verdict, format: VerdictFormat, options: RenderOptions = {}): string {
  const redactor = options.redactor ?? new Redactor()
  if (format === 'json') return JSON.stringify(redactor.value(v), null, 2) + '\n'
  const text = format === 'markdown' ? markdown(v, options) : format === 'junit' ? junit(v) : plain(v, options)
  return redactor.text(text)
}

function paint(on: boolean | undefined, code: string, s: string): string {
  return on ? `\u001b[${code}m${s}\u001b[0m` : s
}

function runLine(v: Verdict): string {
  const s = v.run.subject
  const what = [s.service, s.version].filter(Boolean).join(' ')
  const base = v.baseline
    ? v.mode === 'compare'
      ? `compared with run ${v.baseline.runs[0]?.id ?? '?'}${v.baseline.file ? ` (${v.baseline.file})` : ''}`
      : `against ${v.baseline.runs.length} baseline run${v.baseline.runs.length === 1 ? '' : 's'} (${v.baseline.comparableRuns} comparable)${v.baseline.file ? ` in ${v.baseline.file}` : ''}`
    : 'without a baseline'
  return `run ${v.run.id}${what ? ` (${what})` : ''}${v.run.file ? ` from ${v.run.file}` : ''}, ${base}`
}

function questionLine(name: string, q: Verdict['working'], color?: boolean): string {
  const mark =
    q.status === 'pass' ? paint(color, '32', 'yes') : q.status === 'fail' ? paint(color, '31', 'NO') : q.status === 'inconclusive' ? paint(color, '33', 'inconclusive') : 'not required'
  return `${name.padEnd(8)} ${mark}${q.status === 'pass' || q.status === 'not-required' ? ` — ${q.reason}` : ''}`
}

function plain(v: Verdict, o: RenderOptions): string {
  const c = o.color
  const head = v.result === 'pass' ? paint(c, '1;32', 'PASS') : v.result === 'fail' ? paint(c, '1;31', 'FAIL') : paint(c, '1;33', 'INCONCLUSIVE')
  const lines: string[] = []
  lines.push(`steady ${v.mode} — ${head} (gate ${v.gate.name})`)
  lines.push(runLine(v))
  lines.push('')
  lines.push(questionLine('working:', v.working, c))
  lines.push(questionLine('stable:', v.stable, c))
  const groups: [string, (f: Finding) => boolean][] = [
    ['failing', (f) => failing(f) && f.primary],
    ['inconclusive', (f) => f.status === 'inconclusive'],
    ['not judged (too little data to see a change of the tolerance)', (f) => f.status === 'not-judged' && f.primary],
    ['accepted and muted', (f) => f.status === 'accepted' || f.status === 'muted'],
    ['secondary findings (reported, not gating)', (f) => (failing(f) && !f.primary) || (f.status === 'info' && f.kind !== 'failing')],
  ]
  for (const [title, pick] of groups) {
    const list = sorted(v.findings.filter(pick))
    if (!list.length) continue
    lines.push('')
    lines.push(`${title} (${list.length}):`)
    const shown = title.startsWith('not judged') && !o.all ? list.slice(0, 8) : list
    for (const f of shown) {
      const mark = failing(f) ? paint(c, '31', '✗') : f.status === 'inconclusive' ? paint(c, '33', '?') : f.status === 'not-judged' ? paint(c, '33', '–') : '·'
      lines.push(`  ${mark} ${f.message}${f.severity && failing(f) ? ` [${f.severity}]` : ''}`)
      if (failing(f) || f.status === 'accepted' || f.status === 'muted') lines.push(`      id ${f.id}`)
    }
    if (shown.length < list.length) lines.push(`    … and ${list.length - shown.length} more (--all lists them)`)
  }
  const passed = v.findings.filter((f) => f.status === 'pass')
  if (passed.length) {
    lines.push('')
    if (o.all) {
      lines.push(`passing checks (${passed.length}):`)
      for (const f of sorted(passed)) lines.push(`  ${paint(c, '32', '✓')} ${f.message}`)
    } else {
      const primary = passed.filter((f) => f.primary).length
      lines.push(`${passed.length} checks passed (${primary} primary); --all lists them`)
    }
  }
  if (v.warnings.length) {
    lines.push('')
    lines.push('warnings:')
    for (const w of v.warnings) lines.push(`  ! ${w}`)
  }
  lines.push('')
  lines.push(`exit ${v.exitCode}${v.result === 'inconclusive' ? (v.exitCode === 3 ? ' (inconclusive)' : ' (inconclusive, and the gate fails on inconclusive)') : ''}`)
  return lines.join('\n') + '\n'
}

function cell(s: string | number | undefined): string {
  return String(s ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ')
}

function num(f: Finding, v: number | undefined): string {
  if (v === undefined) return ''
  if (f.unit === 'ms') return `${v >= 100 ? Math.round(v) : v.toFixed(1)} ms`
  if (f.unit === 'rate') return `${(v * 100).toFixed(2)}%`
  return String(v)
}

function change(f: Finding): string {
  if (f.change === undefined) return ''
  if (f.changeKind === 'absolute' && f.unit === 'rate') return `${f.change >= 0 ? '+' : ''}${(f.change * 100).toFixed(2)} pp`
  if (f.changeKind === 'relative') return `${f.change >= 0 ? '+' : ''}${(f.change * 100).toFixed(1)}%`
  return String(f.change)
}

function markdown(v: Verdict, o: RenderOptions): string {
  const icon = v.result === 'pass' ? '✅' : v.result === 'fail' ? '❌' : '⚠️'
  const lines: string[] = []
  lines.push(`### ${icon} steady ${v.mode}: **${v.result.toUpperCase()}** (gate \`${v.gate.name}\`)`)
  lines.push('')
  lines.push(runLine(v))
  lines.push('')
  lines.push(`| question | answer | why |`)
  lines.push(`|---|---|---|`)
  lines.push(`| working | ${v.working.status} | ${cell(v.working.reason)} |`)
  lines.push(`| stable | ${v.stable.status} | ${cell(v.stable.reason)} |`)
  const shown = sorted(v.findings.filter((f) => o.all || (f.status !== 'pass' && !(f.status === 'info' && f.kind === 'failing'))))
  if (shown.length) {
    lines.push('')
    lines.push(`| | finding | phase | baseline | current | change | p (adjusted) | smallest detectable |`)
    lines.push(`|---|---|---|---|---|---|---|---|`)
    for (const f of shown) {
      const mark = failing(f) ? (f.primary ? '❌' : '🔸') : f.status === 'pass' ? '✅' : f.status === 'inconclusive' || f.status === 'not-judged' ? '⚠️' : 'ℹ️'
      const det = f.detectable === undefined ? '' : f.changeKind === 'relative' ? `${(f.detectable * 100).toFixed(0)}%` : f.unit === 'rate' ? `${(f.detectable * 100).toFixed(2)} pp` : String(f.detectable)
      lines.push(`| ${mark} | ${cell(f.message)} | ${cell(f.phase)} | ${cell(num(f, f.baseline))} | ${cell(num(f, f.current))} | ${cell(change(f))} | ${f.pAdjusted ?? f.pValue ?? ''} | ${det} |`)
    }
  }
  if (v.warnings.length) {
    lines.push('')
    for (const w of v.warnings) lines.push(`> ${cell(w)}`)
  }
  lines.push('')
  lines.push(`<sub>exit ${v.exitCode} · ${v.findings.length} checks · judged ${v.judgedAt}</sub>`)
  return lines.join('\n') + '\n'
}

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

function junit(v: Verdict): string {
  const cases = v.findings.filter((f) => f.primary || failing(f))
  const failures = cases.filter((f) => failing(f) && f.primary).length
  const skipped = cases.filter((f) => f.status === 'not-judged' || f.status === 'inconclusive').length
  const lines: string[] = []
  lines.push('<?xml version="1.0" encoding="UTF-8"?>')
  lines.push(`<testsuites name="steady ${v.mode}" tests="${cases.length}" failures="${failures}" skipped="${skipped}">`)
  for (const q of ['working', 'stable'] as const) {
    const mine = cases.filter((f) => f.question === q)
    lines.push(
      `  <testsuite name="${q} (gate ${xml(v.gate.name)})" tests="${mine.length}" failures="${mine.filter((f) => failing(f) && f.primary).length}" skipped="${mine.filter((f) => f.status === 'not-judged' || f.status === 'inconclusive').length}">`,
    )
    lines.push(`    <properties><property name="result" value="${v[q].status}"/><property name="run" value="${xml(v.run.id)}"/></properties>`)
    for (const f of mine) {
      const name = xml(f.id)
      const cls = xml(`steady.${f.kind}${f.scenario ? `.${f.scenario}` : ''}`)
      if (failing(f) && f.primary) lines.push(`    <testcase classname="${cls}" name="${name}"><failure message="${xml(f.message)}" type="${f.severity ?? 'minor'}">${xml(f.message)}</failure></testcase>`)
      else if (f.status === 'not-judged' || f.status === 'inconclusive') lines.push(`    <testcase classname="${cls}" name="${name}"><skipped message="${xml(f.message)}"/></testcase>`)
      else lines.push(`    <testcase classname="${cls}" name="${name}"><system-out>${xml(f.message)}</system-out></testcase>`)
    }
    lines.push('  </testsuite>')
  }
  lines.push('</testsuites>')
  return lines.join('\n') + '\n'
}
