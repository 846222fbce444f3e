/**
 * Findings as short phrases, built from their fields (never by reading their
 * message): what was measured, the numbers, why a check was not judged, and
 * the groups and counts the condensed text and markdown outputs print.
 */
import type { Finding, Verdict } from '@steady/record'
import { bytes, ms, pct, pp, pval, rate } from '../judge/check.ts'

/** Where the condensed outputs wrap (a CI log is read in a browser, not a terminal of known width). */
const WIDTH = 120

/** Statuses in the order a reader needs them. */
const statusOrder: Record<Finding['status'], number> = {
  fail: 0,
  inconclusive: 1,
  'not-judged': 2,
  accepted: 3,
  muted: 4,
  info: 5,
  pass: 6,
}

/** 3 critical, 2 major, 1 minor, 0 none. */
function severityRank(f: Finding): number {
  return f.severity === 'critical' ? 3 : f.severity === 'major' ? 2 : f.severity === 'minor' ? 1 : 0
}

/**
 * By status, primary first, most severe first, then working before stable, then by kind, scenario and id (stable
 * output).
 */
function sorted(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      statusOrder[a.status] - statusOrder[b.status] ||
      Number(b.primary) - Number(a.primary) ||
      severityRank(b) - severityRank(a) ||
      (a.question === b.question ? 0 : a.question === 'working' ? -1 : 1) ||
      a.kind.localeCompare(b.kind) ||
      (a.scenario ?? '').localeCompare(b.scenario ?? '') ||
      a.id.localeCompare(b.id),
  )
}

/** The source of a series key: `load` in `load/http_req_duration{...}`. */
function sourceOf(series: string | undefined): string | undefined {
  const i = series?.indexOf('/') ?? -1
  return i > 0 ? series!.slice(0, i) : undefined
}

/**
 * What was measured: `checkout › pay (load) p95 in nominal`, `all load steps p99 in peak`, `scenario browse
 * failure rate`.
 */
export function label(f: Finding): string {
  const source = sourceOf(f.series)
  let what: string
  if (f.step === '*') what = `all ${source ? `${source} ` : ''}steps`
  else if (f.scenario && f.step) what = `${f.scenario} › ${f.step}${source ? ` (${source})` : ''}`
  // The load tags its series with its load profile (nominal, peak), which is not a probe scenario.
  else if (f.scenario) what = source === 'load' ? `load profile ${f.scenario}` : `scenario ${f.scenario}`
  else if (f.series) what = f.series
  else what = f.kind
  return [what, f.stat, f.phase ? `in ${f.phase}` : ''].filter(Boolean).join(' ')
}

function significant(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(3)))
}

/** A value in the finding's unit. */
export function value(f: Finding, v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '–'
  switch (f.unit) {
    case 'ms':
      return ms(v)
    case 'rate':
      return rate(v)
    case 'ratio':
      return `${v.toFixed(2)}×`
    case 'bytes':
      return bytes(v)
    case 'bytes/h':
      return `${bytes(v)}/h`
    case undefined:
    case 'count':
      return significant(v)
    default:
      return `${significant(v)} ${f.unit}`
  }
}

/**
 * A change (or a tolerance, or the smallest detectable change) on the finding's scale: `+15%`, `+0.50 pp`,
 * `+20.0 MiB/h`.
 */
export function changeOf(f: Finding, c: number | undefined): string {
  if (c === undefined || !Number.isFinite(c)) return '–'
  if (f.changeKind === 'relative') return pct(c)
  if (f.unit === 'rate') return pp(c)
  return `${c >= 0 ? '+' : '−'}${value(f, Math.abs(c))}`
}

/** The numbers of a finding: `186 ms → 439 ms (+135%; tolerance +10%), p = 1.2e-6`; empty when it has none. */
function numbers(f: Finding, o: { p?: boolean; tolerance?: boolean } = {}): string {
  const withP = o.p ?? true
  const withTolerance = o.tolerance ?? true
  const tolerance = withTolerance && f.tolerance !== undefined ? `tolerance ${changeOf(f, f.tolerance)}` : ''
  const parts: string[] = []
  if (f.baseline !== undefined && f.current !== undefined) {
    const extra = [f.change !== undefined ? changeOf(f, f.change) : '', tolerance].filter(Boolean).join('; ')
    parts.push(`${value(f, f.baseline)} → ${value(f, f.current)}${extra ? ` (${extra})` : ''}`)
  } else if (f.current !== undefined) {
    parts.push(`now ${value(f, f.current)}${tolerance ? ` (${tolerance})` : ''}`)
  }
  const p = f.pAdjusted ?? f.pValue
  if (withP && p !== undefined && parts.length) parts.push(pval(p))
  return parts.join(', ')
}

/**
 * Why a check was not judged, from its fields: too few values, or a run that could not see a change of the
 * tolerance.
 */
export type NotJudgedReason = 'too few values' | 'could not see a change of the tolerance' | 'too little data'

export function notJudgedReason(f: Finding): NotJudgedReason {
  if (f.detectable !== undefined && f.tolerance !== undefined) return 'could not see a change of the tolerance'
  if (typeof f.evidence?.values === 'number' || typeof f.evidence?.windows === 'number') return 'too few values'
  return 'too little data'
}

/** The reason with this finding's numbers: `91 values`, `could see changes from +17% (tolerance +10%)`. */
function notJudgedDetail(f: Finding): string {
  const reason = notJudgedReason(f)
  if (reason === 'could not see a change of the tolerance')
    return `could see only ${changeOf(f, f.detectable)} or more (tolerance ${changeOf(f, f.tolerance)})`
  if (reason === 'too few values') {
    const [count, unit] =
      typeof f.evidence?.values === 'number' ? [f.evidence.values, 'value'] : [Number(f.evidence?.windows), 'window']
    const n = `${count} ${unit}${count === 1 ? '' : 's'}`
    return `${n}, too few${f.stat ? ` for a ${f.stat}` : ''}`
  }
  return 'too little data'
}

/**
 * One line for a finding in the condensed outputs: what, the numbers (or the message when it has none), and for
 * not-judged checks why. A paired verdict's findings are shown by their own sentences: they compare the candidate
 * with the control window by window, which `before → after` and "values of a step" would misdescribe.
 */
export function compact(f: Finding, mode?: Verdict['mode']): string {
  if (mode === 'paired') return f.message
  if (f.status === 'not-judged') {
    const nums = numbers(f, { p: false, tolerance: false })
    if (notJudgedReason(f) === 'too little data' && !nums) return f.message
    return `${label(f)}${nums ? `: ${nums}` : ''}; ${notJudgedDetail(f)}`
  }
  const nums = numbers(f)
  if (!nums) return f.message
  return `${label(f)}: ${nums}`
}

/** Who accepted or muted a finding, and why: `accepted by ana on 2026-11-20: new pricing call`. */
export function exemption(f: Finding): string {
  if (f.accepted) {
    const on = f.accepted.at ? ` on ${f.accepted.at.slice(0, 10)}` : ''
    return `accepted by ${f.accepted.by}${on}${f.accepted.reason ? `: ${f.accepted.reason}` : ''}`
  }
  if (f.muted)
    return `muted by ${f.muted.owner} until ${f.muted.until.slice(0, 10)}${f.muted.reason ? `: ${f.muted.reason}` : ''}`
  return f.status === 'accepted' ? 'accepted' : f.status === 'muted' ? 'muted' : ''
}

/** `3 level, 2 tail` — counts by a key, largest first. */
export function countBy(findings: Finding[], key: (f: Finding) => string): string {
  const counts = new Map<string, number>()
  for (const f of findings) counts.set(key(f), (counts.get(key(f)) ?? 0) + 1)
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, n]) => `${n} ${k}`)
    .join(', ')
}

/** A kind with its stat where that tells checks apart: `level p95`, `tail p99`, `leak`. */
export function kindStat(f: Finding): string {
  return f.kind === 'level' || f.kind === 'tail' ? `${f.kind} ${f.stat ?? ''}`.trim() : f.kind
}

/** Kinds that say why a verdict could not be made (a cause), rather than a check it affected. */
const CAUSE_KINDS = new Set<Finding['kind']>([
  'comparability',
  'baseline',
  'missing-series',
  'incomplete-run',
  'generator-saturated',
  'open-model',
])

/** Up to this many checks a cause made inconclusive are listed one by one; more are counted by phase. */
const AFFECTED_LISTED = 12

/**
 * Inconclusive findings: the causes (no baseline, a saturated generator, ...) and the checks they made
 * inconclusive.
 */
function splitInconclusive(list: Finding[]): { causes: Finding[]; affected: Finding[] } {
  return { causes: list.filter(isInconclusiveCause), affected: list.filter((f) => !isInconclusiveCause(f)) }
}

/** A finding that makes others inconclusive (no baseline, a saturated generator, ...) rather than one made so. */
export function isInconclusiveCause(f: Finding): boolean {
  return CAUSE_KINDS.has(f.kind)
}

/**
 * A rise past the tolerance with a p-value (after correction when there is one) at most alpha: what a failure
 * looks like.
 */
export function pastTolerance(f: Finding, alpha: number): boolean {
  const p = f.pAdjusted ?? f.pValue
  return p !== undefined && p <= alpha && f.change !== undefined && f.tolerance !== undefined && f.change > f.tolerance
}

/** `in nominal: 40 primary (20 level p95, 20 tail p99), 130 secondary (…)`: checks counted by phase. */
export function byPhase(list: Finding[]): string[] {
  const phases = new Map<string, Finding[]>()
  for (const f of list) phases.set(f.phase ?? '', [...(phases.get(f.phase ?? '') ?? []), f])
  return [...phases].map(([phase, mine]) => {
    const primary = mine.filter((f) => f.primary)
    const secondary = mine.filter((f) => !f.primary)
    const parts = [
      primary.length ? `${primary.length} primary (${countBy(primary, kindStat)})` : '',
      secondary.length ? `${secondary.length} secondary (${countBy(secondary, kindStat)})` : '',
    ]
    return `${phase ? `in ${phase}` : 'over the run'}: ${parts.filter(Boolean).join(', ')}`
  })
}

/**
 * Whether checks not judged decide the verdict: the gate counts them as
 * inconclusive, or a question is inconclusive with no other cause (nothing
 * at all could be judged).
 */
export function notJudgedDecides(v: Verdict): boolean {
  if (v.gate.notJudged === 'inconclusive') return true
  return (['working', 'stable'] as const).some(
    (q) => v[q].status === 'inconclusive' && !v.findings.some((f) => f.question === q && f.status === 'inconclusive'),
  )
}

/**
 * Up to this many primary checks not judged are listed when the gate allows them (all are, when they decide the
 * verdict).
 */
const NOT_JUDGED_LISTED = 12

/**
 * Which primary checks not judged to list: all when they decide the verdict
 * or are few, else the largest rises (a regression the run could not
 * confirm) first.
 */
export function notJudgedShown(list: Finding[], all: boolean): { shown: Finding[]; rest: Finding[] } {
  if (all || list.length <= NOT_JUDGED_LISTED) return { shown: list, rest: [] }
  const rise = (f: Finding) => (f.change ?? 0) / (f.tolerance || 1)
  const shown = [...list].sort((a, b) => rise(b) - rise(a) || a.id.localeCompare(b.id)).slice(0, NOT_JUDGED_LISTED)
  return { shown, rest: list.filter((f) => !shown.includes(f)) }
}

/**
 * Inconclusive findings a condensed output lists: the causes, and the affected checks when few, else the primary
 * ones past the tolerance.
 */
export function inconclusiveShown(
  list: Finding[],
  alpha: number,
): { causes: Finding[]; affected: Finding[]; listed: Finding[]; rest: Finding[] } {
  const { causes, affected } = splitInconclusive(list)
  if (affected.length <= AFFECTED_LISTED) return { causes, affected, listed: [...causes, ...affected], rest: [] }
  const past = affected.filter((f) => f.primary && pastTolerance(f, alpha)).slice(0, AFFECTED_LISTED)
  return { causes, affected, listed: [...causes, ...past], rest: affected.filter((f) => !past.includes(f)) }
}

/** The findings a condensed output lists one by one, and the rest it counts. */
export interface Sections {
  /** Failing primary findings, by question. */
  failing: { working: Finding[]; stable: Finding[] }
  inconclusive: Finding[]
  /** Primary checks not judged: they can make a gate inconclusive. */
  notJudgedPrimary: Finding[]
  exempt: Finding[]
  /** Secondary failures: reported, not gating. */
  secondaryFailing: Finding[]
  /** Reported, never gating (`info`), other than the working findings' per-scenario notes. */
  info: Finding[]
  notJudgedSecondary: Finding[]
  passed: Finding[]
}

export function sections(v: Verdict): Sections {
  const all = sorted(v.findings)
  const failingPrimary = all.filter((f) => f.status === 'fail' && f.primary)
  return {
    failing: {
      working: failingPrimary.filter((f) => f.question === 'working'),
      stable: failingPrimary.filter((f) => f.question === 'stable'),
    },
    inconclusive: all.filter((f) => f.status === 'inconclusive'),
    notJudgedPrimary: all.filter((f) => f.status === 'not-judged' && f.primary),
    exempt: all.filter((f) => f.status === 'accepted' || f.status === 'muted'),
    secondaryFailing: all.filter((f) => f.status === 'fail' && !f.primary),
    info: all.filter((f) => f.status === 'info' && f.kind !== 'failing'),
    notJudgedSecondary: all.filter((f) => f.status === 'not-judged' && !f.primary),
    passed: all.filter((f) => f.status === 'pass' || (f.status === 'info' && f.kind === 'failing')),
  }
}

/** Up to this many failing findings open a condensed output, one sentence each (the rest are counted). */
export const HEADLINES_LISTED = 5

/**
 * What a reader must see first: the failing primary findings (what decided a
 * FAIL), and the critical secondary changes, reported but not gating, which
 * are shown near the top as such and never folded under a PASS.
 */
export function headlines(v: Verdict): { failed: Finding[]; critical: Finding[] } {
  const s = sections(v)
  return {
    failed: [...s.failing.working, ...s.failing.stable],
    critical: s.secondaryFailing.filter((f) => f.severity === 'critical'),
  }
}

/** What the exit code means for this verdict. */
export function exitMeaning(v: Verdict): string {
  if (v.result === 'pass') return 'pass'
  if (v.result === 'fail') return 'fail'
  return v.exitCode === 3 ? 'inconclusive' : 'inconclusive, and the gate fails on inconclusive'
}

/** The answer to one question in a few words: the question's own reason when it passed, counts when it did not. */
export function questionReason(v: Verdict, q: 'working' | 'stable'): string {
  const a = v[q]
  if (a.status === 'pass' || a.status === 'not-required') return a.reason
  const mine = v.findings.filter((f) => f.question === q)
  if (a.status === 'fail') {
    const n = mine.filter((f) => f.status === 'fail' && f.primary).length
    return n ? `${n} primary check${n === 1 ? '' : 's'} failed` : a.reason
  }
  const open = mine.filter((f) => f.status === 'inconclusive').length
  const nj = mine.filter((f) => f.status === 'not-judged' && f.primary).length
  const parts = [
    open ? `${open} check${open === 1 ? '' : 's'} could not be judged` : '',
    nj && (v.gate.notJudged === 'inconclusive' || !open) ? `${nj} primary check${nj === 1 ? '' : 's'} not judged` : '',
  ]
  const text = parts.filter(Boolean).join(', ')
  return text || a.reason
}

/**
 * Wraps a line to `width` at spaces; continuation lines start with `indent`
 * spaces. A word longer than the width (a series key) stays whole.
 */
export function wrap(text: string, indent: number, width = WIDTH, first = 0): string[] {
  const lead = /^ */.exec(text)![0]
  const out: string[] = []
  let line = lead
  let room = width - first
  for (const word of text.slice(lead.length).split(' ')) {
    if (line.trim() && line.length + 1 + word.length > room) {
      out.push(line)
      line = ' '.repeat(indent) + word
      room = width
    } else line = line.trim() ? `${line} ${word}` : line + word
  }
  out.push(line)
  return out
}
