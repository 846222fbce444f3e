/**
 * The markdown verdict, for a pull-request comment or a CI step summary: the
 * result, a table of what decided it (failing, inconclusive, primary checks
 * not judged, accepted and muted, secondary failures), counts of the rest, and
 * the rest itself folded in a `<details>` block.
 */
import type { Finding, Verdict } from '@steady/record'
import {
  changeOf,
  compact,
  countBy,
  exemption,
  exitMeaning,
  headlines,
  HEADLINES_LISTED,
  inconclusiveShown,
  kindStat,
  notJudgedDecides,
  notJudgedReason,
  notJudgedShown,
  questionReason,
  sections,
  value,
} from './describe.ts'
import { baselineLine, runLine } from './text.ts'

/** GitHub refuses comments over 65,536 characters; the folded rows stop short of that. */
const MARKDOWN_BUDGET = 60_000

export interface MarkdownOptions {
  /** Fold the passing checks into the details too. */
  all?: boolean
  /** Characters the whole comment may take (default MARKDOWN_BUDGET). */
  budget?: number
}

function cell(s: string | number | undefined): string {
  return String(s ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ')
}

function icon(f: Finding): string {
  if (f.status === 'fail') return f.primary ? '❌' : '🔸'
  if (f.status === 'pass') return '✅'
  if (f.status === 'inconclusive' || f.status === 'not-judged') return '⚠️'
  if (f.status === 'accepted' || f.status === 'muted') return '☑️'
  return 'ℹ️'
}

function p(f: Finding): string {
  // a check not judged has a p-value, but no decision was made on it
  if (f.status === 'not-judged') return ''
  const v = f.pAdjusted ?? f.pValue
  return v === undefined ? '' : v < 1e-6 ? '< 1e-6' : v < 0.001 ? v.toExponential(1) : String(Number(v.toPrecision(2)))
}

function row(f: Finding): string {
  const text = f.status === 'accepted' || f.status === 'muted' ? `${f.message} (${exemption(f)})` : f.message
  const det = f.detectable === undefined ? '' : changeOf(f, f.detectable)
  const change = f.change === undefined ? '' : changeOf(f, f.change)
  const base = f.baseline === undefined ? '' : value(f, f.baseline)
  const cur = f.current === undefined ? '' : value(f, f.current)
  return (
    `| ${icon(f)} | ${cell(text)} | ${cell(f.phase)} | ${cell(base)} | ${cell(cur)} | ${cell(change)} | ` +
    `${p(f)} | ${cell(det)} |`
  )
}

/** The markdown verdict. */
export function markdown(v: Verdict, o: MarkdownOptions = {}): string {
  const budget = o.budget ?? MARKDOWN_BUDGET
  const s = sections(v)
  const mark = v.result === 'pass' ? '✅' : v.result === 'fail' ? '❌' : '⚠️'
  const lines: string[] = []
  lines.push(
    `### ${mark} steady ${v.mode}: **${v.result.toUpperCase()}** (gate \`${v.gate.name}\`), exit ${v.exitCode} ` +
      `(${exitMeaning(v)})`,
  )
  lines.push('')
  // A critical secondary change is said at the top as such: it does not gate, and a PASS must not hide it.
  const { critical } = headlines(v)
  for (const f of critical.slice(0, HEADLINES_LISTED))
    lines.push(`> 🔸 **critical change the gate does not count** (secondary): ${cell(f.message)}`)
  if (critical.length) lines.push('')
  lines.push(`${cell(runLine(v))}; ${cell(baselineLine(v))}`)
  lines.push('')
  lines.push(`| question | answer | why |`)
  lines.push(`|---|---|---|`)
  lines.push(`| working | ${v.working.status} | ${cell(questionReason(v, 'working'))} |`)
  lines.push(`| stable | ${v.stable.status} | ${cell(questionReason(v, 'stable'))} |`)
  const strict = notJudgedDecides(v)
  const inconclusive = inconclusiveShown(s.inconclusive, v.gate.alpha)
  const notJudged = notJudgedShown(s.notJudgedPrimary, strict)
  const decisive = [
    ...s.failing.working,
    ...s.failing.stable,
    ...inconclusive.listed,
    ...notJudged.shown,
    ...s.exempt,
    ...s.secondaryFailing,
  ]
  if (decisive.length) {
    lines.push('')
    // A paired verdict's two numbers are the control's and the candidate's in the same run.
    const [before, after] = v.mode === 'paired' ? ['control', 'candidate'] : ['baseline', 'current']
    lines.push(`| | finding | phase | ${before} | ${after} | change | p (adjusted) | smallest detectable |`)
    lines.push(`|---|---|---|---|---|---|---|---|`)
    for (const f of decisive) lines.push(row(f))
  }
  lines.push('')
  const counts: string[] = []
  if (s.passed.length)
    counts.push(
      `${s.passed.length} checks passed (${s.passed.filter((f) => f.primary).length} primary; ` +
        `${countBy(s.passed, kindStat)})`,
    )
  if (inconclusive.rest.length)
    counts.push(`${inconclusive.rest.length} more checks inconclusive (${countBy(inconclusive.rest, kindStat)})`)
  if (notJudged.rest.length)
    counts.push(`${notJudged.rest.length} more primary checks not judged (${countBy(notJudged.rest, notJudgedReason)})`)
  if (s.notJudgedSecondary.length)
    counts.push(
      `${s.notJudgedSecondary.length} secondary checks not judged (${countBy(s.notJudgedSecondary, notJudgedReason)})`,
    )
  if (s.info.length) counts.push(`${s.info.length} for information`)
  if (counts.length) lines.push(`${counts.join('; ')}.`)
  if (v.warnings.length) {
    lines.push('')
    for (const w of v.warnings) lines.push(`> ${cell(w)}`)
  }
  const footer = [
    '',
    `<sub>${v.findings.length} checks · judged ${v.judgedAt} · \`steady verdict --format json\` has every number</sub>`,
  ]

  const folded = [
    ...inconclusive.rest,
    ...notJudged.rest,
    ...s.info,
    ...s.notJudgedSecondary,
    ...(o.all ? s.passed : []),
  ]
  if (folded.length) {
    const what = [
      inconclusive.rest.length ? 'inconclusive' : '',
      s.info.length ? 'for information' : '',
      notJudged.rest.length || s.notJudgedSecondary.length ? 'not judged' : '',
      o.all && s.passed.length ? 'passed' : '',
    ]
      .filter(Boolean)
      .join(', ')
    const head = [
      '',
      `<details><summary>${folded.length} more checks (${what})</summary>`,
      '',
      `| | check | status |`,
      `|---|---|---|`,
    ]
    const tail = ['', '</details>']
    let size = [...lines, ...head, ...tail, ...footer].join('\n').length
    const rows: string[] = []
    for (const f of folded) {
      const r = `| ${icon(f)} | ${cell(compact(f, v.mode))} | ${f.status}${f.primary ? ', primary' : ''} |`
      if (size + r.length + 1 > budget - 80) break
      rows.push(r)
      size += r.length + 1
    }
    if (rows.length < folded.length)
      rows.push(
        `| | … ${folded.length - rows.length} more: the comment would be too long; \`--format json\` lists them | |`,
      )
    lines.push(...head, ...rows, ...tail)
  }
  lines.push(...footer)
  return lines.join('\n') + '\n'
}
