/**
 * The text verdict, for a person reading a terminal or a CI log: the result
 * first, then the reasons one by one (failing, inconclusive, primary checks
 * not judged, accepted and muted), then what passed and what was not judged
 * as counts. `--all` lists every check with its sentence.
 */
import type { Finding, Verdict } from '@steady/record'
import { pairedSides } from '../paired/pairs.ts'
import {
  compact,
  countBy,
  exemption,
  exitMeaning,
  headlines,
  HEADLINES_LISTED,
  byPhase,
  inconclusiveShown,
  kindStat,
  notJudgedDecides,
  pastTolerance,
  notJudgedShown,
  notJudgedReason,
  questionReason,
  sections,
  wrap,
  type NotJudgedReason,
} from './describe.ts'

export interface TextOptions {
  color?: boolean
  all?: boolean
}

function paint(on: boolean | undefined, code: string, s: string): string {
  return on ? `\u001b[${code}m${s}\u001b[0m` : s
}

/** `run X (service version) from file` */
export function runLine(v: Verdict): string {
  const s = v.run.subject
  const what = [s.service, s.version].filter(Boolean).join(' ')
  return `run ${v.run.id}${what ? ` (${what})` : ''}${v.run.file ? ` from ${v.run.file}` : ''}`
}

/**
 * What a paired verdict judged against: `candidate 1.4.0 against control 1.3.2 in the same run (paired)`.
 * The verdict has no field for the control's subject; the paired judge names both sides in its first
 * warning, which is read here, else the candidate is named from the run's subject.
 */
export function pairedLine(v: Verdict): string {
  const sides = v.run.paired
    ? pairedSides(v.run.paired)
    : `candidate ${v.run.subject.version ?? v.run.id} against its control`
  return `${sides} in the same run (paired)`
}

/** `baseline: 5 runs (5 comparable) in baselines/x.json`, or the compared run, or the paired sides, or none. */
export function baselineLine(v: Verdict): string {
  if (v.mode === 'paired') {
    const b = v.baseline
    if (!b) return pairedLine(v)
    const n = b.comparableRuns
    const runs = `${n} comparable paired run${n === 1 ? '' : 's'}`
    return `${pairedLine(v)}; baseline${b.file ? ` ${b.file}` : ''}: acceptances and mutes, ${runs}`
  }
  if (!v.baseline) return 'baseline: none'
  if (v.mode === 'compare')
    return `compared with run ${v.baseline.runs[0]?.id ?? '?'}${v.baseline.file ? ` (${v.baseline.file})` : ''}`
  const n = v.baseline.runs.length
  const where = v.baseline.file ? ` in ${v.baseline.file}` : ''
  return `baseline: ${n} run${n === 1 ? '' : 's'} (${v.baseline.comparableRuns} comparable)${where}`
}

function answer(status: Verdict['working']['status'], color?: boolean): string {
  return status === 'pass'
    ? paint(color, '32', 'yes')
    : status === 'fail'
      ? paint(color, '31', 'NO')
      : status === 'inconclusive'
        ? paint(color, '33', 'inconclusive')
        : 'not required'
}

function mark(f: Finding, color?: boolean): string {
  switch (f.status) {
    case 'fail':
      return paint(color, '31', '✗')
    case 'inconclusive':
      return paint(color, '33', '?')
    case 'not-judged':
      return paint(color, '33', '–')
    case 'pass':
      return paint(color, '32', '✓')
    case 'accepted':
    case 'muted':
      return '~'
    default:
      return '·'
  }
}

/** One finding as wrapped lines: `  ✗ [critical] text`, continuation lines under the text. */
function item(f: Finding, text: string, color: boolean | undefined, withId: boolean): string[] {
  const sev = f.status === 'fail' && f.severity ? `[${f.severity}] ` : ''
  const body = wrap(`${sev}${text}`, 4, undefined, 4)
  const lines = [`  ${mark(f, color)} ${body[0]}`, ...body.slice(1)]
  if (withId) lines.push(`      id ${f.id}`)
  return lines
}

function section(lines: string[], title: string, body: string[]): void {
  if (!body.length) return
  lines.push('')
  lines.push(title)
  lines.push(...body)
}

/** The text verdict. */
export function plain(v: Verdict, o: TextOptions): string {
  const c = o.color
  const head =
    v.result === 'pass'
      ? paint(c, '1;32', 'PASS')
      : v.result === 'fail'
        ? paint(c, '1;31', 'FAIL')
        : paint(c, '1;33', 'INCONCLUSIVE')
  const s = sections(v)
  const lines: string[] = []
  lines.push(`steady ${v.mode} — ${head} (gate ${v.gate.name}), exit ${v.exitCode} (${exitMeaning(v)})`)
  lines.push(...opening(v, c))
  lines.push(runLine(v))
  lines.push(baselineLine(v))
  lines.push('')
  for (const q of ['working', 'stable'] as const) {
    const first = `${`${q}:`.padEnd(8)} ${answer(v[q].status, c)}`
    const reason = questionReason(v, q)
    lines.push(...wrap(`${first}${reason ? ` — ${reason}` : ''}`, 9))
  }

  if (o.all) return everything(v, lines, c)

  const full = (f: Finding) => item(f, f.message, c, true)
  section(lines, `working — failing (${s.failing.working.length}):`, s.failing.working.flatMap(full))
  section(lines, `stable — failing (${s.failing.stable.length}):`, s.failing.stable.flatMap(full))
  section(lines, `inconclusive (${s.inconclusive.length}):`, inconclusive(v, s.inconclusive, c))
  const strict = notJudgedDecides(v)
  section(
    lines,
    `primary checks not judged (${s.notJudgedPrimary.length}): ` +
      `${v.gate.notJudged === 'inconclusive' ? 'the gate counts them as inconclusive' : 'the gate allows it'} ` +
      `(notJudged: '${v.gate.notJudged}')`,
    notJudgedPrimary(s.notJudgedPrimary, strict, c, v.mode),
  )
  section(
    lines,
    `accepted and muted (${s.exempt.length}):`,
    s.exempt.flatMap((f) => item(f, `${compact(f, v.mode)} — ${exemption(f)}`, c, false)),
  )
  section(
    lines,
    `secondary, reported, not gating (${s.secondaryFailing.length}):`,
    s.secondaryFailing.flatMap((f) => item(f, compact(f, v.mode), c, false)),
  )
  const infoShown = s.info.slice(0, 10)
  section(lines, `for information (${s.info.length}):`, [
    ...infoShown.flatMap((f) => item(f, f.message, c, false)),
    ...(s.info.length > infoShown.length
      ? [`    … and ${s.info.length - infoShown.length} more (--all lists them)`]
      : []),
  ])

  lines.push('')
  if (s.passed.length) {
    const primary = s.passed.filter((f) => f.primary).length
    lines.push(
      ...wrap(
        `passed: ${s.passed.length} check${s.passed.length === 1 ? '' : 's'} (${primary} primary): ` +
          `${countBy(s.passed, kindStat)}`,
        4,
      ),
    )
  } else lines.push('passed: none')
  if (s.notJudgedSecondary.length) lines.push(...notJudgedSummary(s.notJudgedSecondary, v.mode))
  if (s.passed.length || s.notJudgedSecondary.length) lines.push('--all lists every check')

  warnings(v, lines)
  lines.push('')
  lines.push(`exit ${v.exitCode} (${exitMeaning(v)})`)
  return lines.join('\n') + '\n'
}

/**
 * The first screen: what failed, one sentence each, and the critical secondary changes as such (they do not
 * gate, and a PASS above them must not hide them); details, ids and the rest follow below.
 */
function opening(v: Verdict, c: boolean | undefined): string[] {
  const { failed, critical } = headlines(v)
  const lines: string[] = []
  const shown = failed.slice(0, HEADLINES_LISTED)
  for (const f of shown) lines.push(...item(f, f.message, c, false))
  if (failed.length > shown.length) lines.push(`    … and ${failed.length - shown.length} more failed (listed below)`)
  if (critical.length) {
    const few = critical.slice(0, HEADLINES_LISTED)
    lines.push(
      `critical change${critical.length === 1 ? '' : 's'} the gate does not count (secondary findings, listed below):`,
    )
    for (const f of few) lines.push(...item(f, f.message, c, false))
    if (critical.length > few.length) lines.push(`    … and ${critical.length - few.length} more (listed below)`)
  }
  return lines
}

/** The causes with their sentences; the checks they made inconclusive a line each when few, else counted by phase. */
function inconclusive(v: Verdict, list: Finding[], c: boolean | undefined): string[] {
  const { causes, affected, listed, rest } = inconclusiveShown(list, v.gate.alpha)
  const lines = causes.flatMap((f) => item(f, f.message, c, false))
  if (!rest.length) return [...lines, ...affected.flatMap((f) => item(f, compact(f, v.mode), c, false))]
  lines.push(
    causes.length
      ? `  and ${affected.length} checks these made inconclusive (--all lists them):`
      : `  ${affected.length} checks (--all lists them):`,
  )
  for (const l of byPhase(affected)) lines.push(...wrap(`    ${l}`, 6))
  // what the causes may hide: primary checks whose change is past the tolerance and significant
  const past = listed.filter((f) => !causes.includes(f))
  const total = affected.filter((f) => f.primary && pastTolerance(f, v.gate.alpha)).length
  if (past.length) {
    lines.push(`  ${total} of them primary and past the tolerance, not confirmed while the cause holds:`)
    lines.push(...past.flatMap((f) => item(f, compact(f, v.mode), c, false)))
    if (total > past.length) lines.push(`    … and ${total - past.length} more (--all lists them)`)
  }
  return lines
}

/**
 * Primary checks not judged, a line each. When the gate allows them and there
 * are many, the largest rises (a regression the run could not confirm) come
 * first and the rest are counted by reason.
 */
function notJudgedPrimary(list: Finding[], all: boolean, c: boolean | undefined, mode: Verdict['mode']): string[] {
  const { shown, rest } = notJudgedShown(list, all)
  if (!rest.length) return shown.flatMap((f) => item(f, compact(f, mode), c, false))
  const byReason = new Map<NotJudgedReason, Finding[]>()
  for (const f of rest) byReason.set(notJudgedReason(f), [...(byReason.get(notJudgedReason(f)) ?? []), f])
  const counts = [...byReason]
    .map(([reason, mine]) => `${mine.length} ${reason} (${countBy(mine, kindStat)})`)
    .join('; ')
  return [
    ...shown.flatMap((f) => item(f, compact(f, mode), c, false)),
    ...wrap(`    … and ${rest.length} more (largest rises listed first): ${counts}; --all lists them`, 6),
  ]
}

/** Secondary checks not judged, as counts by reason with one example each. */
function notJudgedSummary(list: Finding[], mode: Verdict['mode']): string[] {
  const lines = [
    `not judged: ${list.length} secondary check${list.length === 1 ? '' : 's'} (not gating), a longer run judges ` +
      `more of them:`,
  ]
  const byReason = new Map<NotJudgedReason, Finding[]>()
  for (const f of list) byReason.set(notJudgedReason(f), [...(byReason.get(notJudgedReason(f)) ?? []), f])
  for (const [reason, mine] of [...byReason].sort((a, b) => b[1].length - a[1].length)) {
    const example = exampleOf(reason, mine)
    const detail = reason === 'too little data' ? example.message : compact(example, mode)
    const why = mode === 'paired' && reason === 'too few values' ? 'too few paired windows' : reason
    lines.push(...wrap(`  ${mine.length} ${why} (${countBy(mine, kindStat)}), e.g. ${detail}`, 6))
  }
  return lines
}

/**
 * A typical example: the median by values (too few values) or by how large a change the run could see,
 * against the tolerance.
 */
function exampleOf(reason: NotJudgedReason, list: Finding[]): Finding {
  const key =
    reason === 'too few values'
      ? (f: Finding) =>
          typeof f.evidence?.values === 'number'
            ? f.evidence.values
            : typeof f.evidence?.windows === 'number'
              ? f.evidence.windows
              : 0
      : reason === 'could not see a change of the tolerance'
        ? (f: Finding) => (f.detectable ?? 0) / (f.tolerance || 1)
        : () => 0
  const ordered = [...list].sort((a, b) => key(a) - key(b) || a.id.localeCompare(b.id))
  return ordered[Math.floor((ordered.length - 1) / 2)]
}

function warnings(v: Verdict, lines: string[]): void {
  if (!v.warnings.length) return
  lines.push('')
  lines.push('warnings:')
  for (const w of v.warnings) lines.push(...wrap(`  ! ${w}`, 4))
}

/** `--all`: every check with its sentence, grouped as in the condensed output. */
function everything(v: Verdict, lines: string[], c: boolean | undefined): string {
  const s = sections(v)
  const groups: [string, Finding[], boolean][] = [
    ['working — failing', s.failing.working, true],
    ['stable — failing', s.failing.stable, true],
    ['inconclusive', s.inconclusive, false],
    ['primary checks not judged', s.notJudgedPrimary, false],
    ['accepted and muted', s.exempt, true],
    ['secondary, reported, not gating', s.secondaryFailing, true],
    ['for information', s.info, false],
    ['secondary checks not judged', s.notJudgedSecondary, false],
    ['passing checks', s.passed, false],
  ]
  for (const [title, list, withId] of groups) {
    section(
      lines,
      `${title} (${list.length}):`,
      list.flatMap((f) =>
        item(
          f,
          f.status === 'accepted' || f.status === 'muted' ? `${f.message} — ${exemption(f)}` : f.message,
          c,
          withId,
        ),
      ),
    )
  }
  warnings(v, lines)
  lines.push('')
  lines.push(`exit ${v.exitCode} (${exitMeaning(v)})`)
  return lines.join('\n') + '\n'
}
