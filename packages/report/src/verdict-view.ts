/**
 * Reads a verdict (`steady.verdict/1`) into what the page shows: the two
 * answers, the findings that matter (each in its sentence, with its numbers),
 * what was not judged and why, comparability, how each scenario behaved, and
 * the fitted lines the charts draw.
 */
import type { Finding, Verdict } from '@steady/record'
import { isInconclusiveCause, notJudgedReason, pairedLine, pairedMachine } from '@steady/baseline/internal'
import { change, inUnit, num, offset, pct, plural, span } from './format.ts'
import type { FindingView, ScenarioJudgement, VerdictView } from './judgement.ts'
import { readableSeries } from './series.ts'
import type { FittedLine } from './stats.ts'

const answerOf = (s: Verdict['working']['status']) =>
  (s === 'pass'
    ? 'yes'
    : s === 'fail'
      ? 'no'
      : s === 'inconclusive'
        ? 'inconclusive'
        : 'not judged') as VerdictView['answers'][number]['answer']

const severityRank: Record<string, number> = { critical: 0, major: 1, minor: 2 }
const statusRank: Record<Finding['status'], number> = {
  fail: 0,
  inconclusive: 1,
  'not-judged': 2,
  muted: 3,
  accepted: 4,
  info: 5,
  pass: 6,
}

/** The order kinds are shown in: whether it works first, then what weighs most for stability. */
const kindOrder = [
  'failing',
  'onset',
  'flaky',
  'crash',
  'restart',
  'recovery',
  'leak',
  'failure-rate',
  'load-failures',
  'new-error',
  'objective',
  'level',
  'tail',
  'drift',
  'indicator-trend',
  'load-latency',
  'load-slope',
  'dropped-iterations',
  'start-lateness',
  'generator-saturated',
  'open-model',
  'incomplete-run',
  'comparability',
  'baseline',
  'missing-series',
]

/** Words for finding kinds, as a reader says them. */
const kindWords: Record<string, string> = {
  failing: 'failing scenario',
  flaky: 'flaky scenario',
  onset: 'failures from a point on',
  level: 'latency level',
  tail: 'latency tail',
  'failure-rate': 'failure rate',
  'new-error': 'new kind of error',
  'load-failures': 'failures under load',
  objective: 'objective',
  drift: 'drift within a phase',
  leak: 'memory growth',
  'indicator-trend': 'indicator trend',
  'load-latency': 'latency under load',
  'load-slope': 'latency against load',
  'dropped-iterations': 'dropped iterations',
  'start-lateness': 'start lateness',
  restart: 'service restart',
  crash: 'service crash',
  recovery: 'recovery time',
  comparability: 'comparability',
  baseline: 'baseline',
  'missing-series': 'missing series',
  'incomplete-run': 'incomplete run',
  'generator-saturated': 'saturated load generator',
  'open-model': 'closed-model load',
}

/** A value in a finding's unit. */
function valueIn(v: number | undefined, unit: string | undefined): string {
  if (v === undefined) return '–'
  switch (unit) {
    case 'ms':
    case 'bytes':
    case 'rate':
      return inUnit(v, unit)
    case 'ratio':
      return pct(v)
    case 'bytes/h':
      return `${inUnit(v, 'bytes')}/h`
    case 'ms/h':
      return `${inUnit(v, 'ms')}/h`
    case undefined:
    case '':
    case 'count':
      return num(v)
    default:
      return `${num(v)} ${unit}`
  }
}

/**
 * The finding's unit as the report shows it. A failure rate is a share even
 * when the verdict calls its unit `rate`: per second is only for throughput.
 */
function unitOf(f: Finding): string | undefined {
  if (f.unit === 'rate' && /fail|error|pass|flak|share|proportion/i.test(f.stat ?? f.kind)) return 'ratio'
  return f.unit
}

function changeText(f: Finding): string | undefined {
  if (f.change === undefined) return undefined
  if (f.changeKind === 'absolute') {
    if (unitOf(f) === 'ratio')
      return `${f.change >= 0 ? '+' : '−'}${num(Math.abs(f.change * 100), 3)} percentage points`
    return `${f.change >= 0 ? '+' : '−'}${valueIn(Math.abs(f.change), unitOf(f))}`
  }
  return change(f.change)
}

function scaleText(f: Finding, v: number): string {
  // Without a stated kind, a tolerance far above 1 cannot be a share: it is in the finding's unit (bytes/h).
  const unit = unitOf(f)
  const kind = f.changeKind ?? (unit && unit !== 'ratio' && Math.abs(v) > 10 ? 'absolute' : 'relative')
  return kind === 'absolute' ? (unit === 'ratio' ? `${num(v * 100, 3)} pp` : valueIn(v, unit)) : `${num(v * 100, 3)}%`
}

/** Evidence keys that describe a fitted line: drawn in the chart, not listed. */
const lineKeys = new Set(['fromMs', 'toMs', 'slopePerHour', 'slopePerMs', 'atFrom', 'intercept'])

/** `saturatedWindows` → `saturated windows`. */
function words(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase()
}

/** The source of a series key: `load` in `load/http_req_duration{...}`. */
function sourceOf(series: string | undefined): string | undefined {
  const i = series?.indexOf('/') ?? -1
  return i > 0 ? series!.slice(0, i) : undefined
}

/**
 * What was measured, as @steady/baseline's messages begin it
 * (`checkout › pay (load) p95 in nominal`); with `readable`, a bare series
 * key is named as a reader says it (`Heap used (service store)`).
 */
function labelOf(f: Finding, readable: boolean): string {
  const source = sourceOf(f.series)
  let what: string
  if (f.step === '*') what = `all ${source ? `${source} ` : ''}steps`
  else if (f.scenario && f.step) what = `${f.scenario} › ${f.step}${source ? ` (${source})` : ''}`
  else if (f.scenario) what = `scenario ${f.scenario}`
  else if (f.series) what = readable ? readableSeries(f.series) : f.series
  else what = ''
  return [what, f.stat, f.phase ? `in ${f.phase}` : ''].filter(Boolean).join(' ')
}

/** Where a finding is, in words: `checkout › pay (load) p95 in peak`, `Heap used (service store) growth per hour`. */
function findingPlace(f: Finding): string {
  return labelOf(f, true)
}

/**
 * The finding's sentence without what the page already says beside it: the
 * place in front (messages start with it) and the words "not judged" (the
 * tag says it). `continues` is true when the sentence goes on from the place
 * (`… p95 in peak` `is 34 ms, meets p95 < 500ms`).
 */
export function findingSentence(f: Finding): { sentence: string; continues: boolean } {
  let s = f.message
  if (!s) return { sentence: kindWords[f.kind] ?? f.kind, continues: false }
  const raw = labelOf(f, false)
  // "… — inconclusive: the load generator was saturated in peak": the tag says inconclusive, the cause stays.
  if (f.status === 'inconclusive') s = s.replace(/\s+—\s+inconclusive:\s+/, ' — because ')
  const nj = /^(.*?)\s*\bnot judged( against [^:]+)?:\s*([\s\S]*)$/.exec(s)
  if (nj) {
    const [, pre, against, rest] = nj
    const before = pre.replace(/:$/, '').trim()
    const isPlace =
      !before ||
      before === raw ||
      before.includes('›') ||
      (f.scenario !== undefined && before.includes(f.scenario)) ||
      (f.series !== undefined && before.includes(f.series))
    return {
      sentence: `${isPlace ? '' : `${before}: `}${against ? `${against.trim()}: ` : ''}${rest}`,
      continues: false,
    }
  }
  if (raw && s.startsWith(`${raw} `)) return { sentence: s.slice(raw.length + 1), continues: true }
  return { sentence: s, continues: false }
}

/** `80 too few values, 25 could not see …`, largest first. */
function reasonCounts(list: Finding[]): [string, number][] {
  const counts = new Map<string, number>()
  for (const f of list) counts.set(notJudgedReason(f), (counts.get(notJudgedReason(f)) ?? 0) + 1)
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
}

/** The numbers behind a finding, as label → text: first the core ones, then how it was judged. */
function findingNumbers(f: Finding): { core: [string, string][]; detail: [string, string][] } {
  const out: [string, string][] = []
  const e = f.evidence ?? {}
  // A growth per hour fitted on seconds of data is an extrapolation: shown only where the check was judged,
  // and always with the span it was fitted on.
  const perHour = /\/h$/.test(f.unit ?? '')
  const fittedMs =
    typeof e.judgedMs === 'number'
      ? e.judgedMs
      : typeof e.fromMs === 'number' && typeof e.toMs === 'number'
        ? e.toMs - e.fromMs
        : undefined
  const hideRates = perHour && f.status === 'not-judged'
  if (!hideRates) {
    // An objective's "baseline" is the limit it is held to, not a past run's value.
    if (f.baseline !== undefined)
      out.push([f.kind === 'objective' ? 'objective' : 'baseline', valueIn(f.baseline, unitOf(f))])
    if (f.current !== undefined) out.push(['now', valueIn(f.current, unitOf(f))])
    const c = changeText(f)
    if (c) out.push(['change', c])
    if (f.interval)
      out.push(['expected', `${valueIn(f.interval[0], unitOf(f))} – ${valueIn(f.interval[1], unitOf(f))}`])
  }
  if (perHour && fittedMs !== undefined && fittedMs > 0) out.push(['fitted on', span(fittedMs)])
  const p = (v: number) => (v < 1e-6 ? '< 0.000001' : num(v, 2))
  if (f.pValue !== undefined)
    out.push(['p', f.pAdjusted !== undefined ? `${p(f.pValue)} (Holm ${p(f.pAdjusted)})` : p(f.pValue)])
  if (f.tolerance !== undefined) out.push(['tolerance', scaleText(f, f.tolerance)])
  if (f.detectable !== undefined) out.push(['smallest detectable', scaleText(f, f.detectable)])
  if (f.atMs !== undefined) out.push(['at', offset(f.atMs)])
  const detail: [string, string][] = []
  if (f.series) detail.push(['series', f.series])
  if (f.method) detail.push(['method', f.method])
  const drawn = fittedLine(f) !== undefined
  for (const [k, v] of Object.entries(f.evidence ?? {})) {
    if (
      v === null ||
      v === '' ||
      (drawn && lineKeys.has(k)) ||
      (hideRates && /PerHour$|^(standardError|level|last)$/.test(k)) ||
      (perHour && k === 'judgedMs')
    )
      continue
    detail.push([words(k), typeof v === 'number' ? (/Ms$/.test(k) ? offset(v) : num(v, 4)) : String(v)])
  }
  return { core: out, detail }
}

function findingView(f: Finding): FindingView {
  const tone: FindingView['severity'] = f.status === 'fail' ? 'fail' : f.status === 'inconclusive' ? 'warn' : 'info'
  const tag =
    f.status === 'fail'
      ? f.primary
        ? `fails the gate${f.severity ? ` (${f.severity})` : ''}`
        : `changed (secondary${f.severity === 'critical' ? ', critical' : ''})`
      : f.status === 'inconclusive'
        ? 'inconclusive'
        : f.status === 'accepted'
          ? 'accepted'
          : f.status === 'muted'
            ? 'muted'
            : f.status === 'not-judged'
              ? 'not judged'
              : f.status === 'pass'
                ? 'passed'
                : 'for information'
  const said = findingSentence(f)
  let sentence = said.sentence
  if (f.accepted) sentence += ` Accepted by ${f.accepted.by} on ${f.accepted.at.slice(0, 10)}: ${f.accepted.reason}.`
  if (f.muted) sentence += ` Muted by ${f.muted.owner} until ${f.muted.until.slice(0, 10)}: ${f.muted.reason}.`
  const order = kindOrder.indexOf(f.kind)
  return {
    severity: tone,
    tag,
    kind: kindWords[f.kind] ?? f.kind,
    // What made a verdict inconclusive (a saturated generator, no baseline) comes before the checks it affected.
    kindOrder: f.status === 'inconclusive' && isInconclusiveCause(f) ? -1 : order < 0 ? kindOrder.length : order,
    rank: f.severity ? severityRank[f.severity] : 3,
    magnitude: Math.abs(f.change ?? 0),
    place: findingPlace(f),
    sentence,
    continues: said.continues,
    ...(() => {
      const n = findingNumbers(f)
      return { numbers: n.core, detail: n.detail }
    })(),
    primary: f.primary,
    ...(f.series ? { series: f.series } : {}),
  }
}

/**
 * The line a finding fitted, from its evidence: `fromMs`, `toMs` (ms since the
 * run started), a slope (`slopePerHour` or `slopePerMs`, in the series' unit)
 * and the value at `fromMs` (`atFrom`, or `intercept` at time 0).
 */
function fittedLine(f: Finding): FittedLine | undefined {
  const e = f.evidence
  if (!f.series || !e) return undefined
  const fromMs = typeof e.fromMs === 'number' ? e.fromMs : undefined
  const toMs = typeof e.toMs === 'number' ? e.toMs : undefined
  const slopePerMs =
    typeof e.slopePerMs === 'number'
      ? e.slopePerMs
      : typeof e.slopePerHour === 'number'
        ? e.slopePerHour / 3_600_000
        : undefined
  const atFrom =
    typeof e.atFrom === 'number'
      ? e.atFrom
      : typeof e.intercept === 'number' && fromMs !== undefined && slopePerMs !== undefined
        ? e.intercept + slopePerMs * fromMs
        : undefined
  if (fromMs === undefined || toMs === undefined || slopePerMs === undefined || atFrom === undefined || toMs <= fromMs)
    return undefined
  return { fromMs, toMs, slopePerMs, atFrom }
}

/** Lines fitted by the verdict (drift, leak, indicator trends), by series key. */
function fittedLines(v: Verdict): Map<string, FittedLine[]> {
  const out = new Map<string, FittedLine[]>()
  for (const f of v.findings) {
    const line = fittedLine(f)
    if (!line) continue
    const list = out.get(f.series!) ?? []
    list.push(line)
    out.set(f.series!, list)
  }
  return out
}

/** The page's view of a verdict. */
export function verdictView(v: Verdict): VerdictView {
  const sorted = [...v.findings].sort(
    (a, b) =>
      statusRank[a.status] - statusRank[b.status] ||
      Number(b.primary) - Number(a.primary) ||
      (severityRank[a.severity ?? 'minor'] ?? 3) - (severityRank[b.severity ?? 'minor'] ?? 3),
  )
  const views = (pred: (f: Finding) => boolean) => sorted.filter(pred).map(findingView)
  const scenarios = new Map<string, ScenarioJudgement>()
  for (const f of v.findings) {
    if (f.question !== 'working' || !f.scenario) continue
    if (f.kind !== 'failing' && f.kind !== 'flaky' && f.kind !== 'onset') continue
    const word: ScenarioJudgement['word'] = f.status === 'pass' ? 'passed' : f.kind === 'failing' ? 'failing' : f.kind
    const have = scenarios.get(f.scenario)
    // A failing judgement wins over a passing one for the same scenario.
    if (!have || (have.word === 'passed' && word !== 'passed'))
      scenarios.set(f.scenario, {
        word,
        sentence: f.message || (word === 'passed' ? 'passed in every iteration' : word),
      })
  }
  let comparable: VerdictView['comparable']
  if (v.mode === 'paired') {
    // Both sides ran on the same machine at the same time: nothing from another run is compared.
    const machine = v.run.paired ? pairedMachine(v.run.paired) : 'shared'
    const caveat = {
      pinned: ', each side on its own CPUs',
      shared: ", except the candidate's own CPU use, which slows its control too",
      elsewhere: ', as far as the control, already running at its URL, shares this machine',
    }[machine]
    const sentence = `${pairedLine(v)}: judged window by window, so what the machine did to both sides cancels${caveat}`
    comparable = { ok: true, sentence }
  } else if (v.baseline === null) {
    comparable = { ok: false, sentence: 'no baseline: there was nothing to compare this run with' }
  } else {
    const differing = v.baseline.runs.filter((r) => !r.comparable)
    const total = v.baseline.runs.length
    const why = [...new Set(differing.flatMap((r) => r.differs ?? []))].join('; ')
    comparable = differing.length
      ? {
          ok: v.baseline.comparableRuns >= v.gate.minBaselineRuns,
          sentence:
            `${v.baseline.comparableRuns} of ${plural(total, 'baseline run')} compared; ` +
            `${differing.length} left out as not comparable (${why})`,
        }
      : {
          ok: true,
          sentence:
            `all ${plural(total, 'baseline run')} have this run’s comparability key ` +
            '(host CPU and cores, Node.js, plan, duration scale, load engine)',
        }
  }
  const notJudgedPrimary = v.findings.filter((f) => f.status === 'not-judged' && f.primary)
  const notJudgedSecondary = v.findings.filter((f) => f.status === 'not-judged' && !f.primary)
  return {
    answers: [
      { question: 'working', answer: answerOf(v.working.status), why: questionWhy(v, 'working') },
      { question: 'stable', answer: answerOf(v.stable.status), why: questionWhy(v, 'stable') },
    ],
    outcome: v.result,
    summary: v.summary,
    gate: v.gate.name,
    mode: v.mode,
    ...(v.mode === 'paired' ? { sides: pairedLine(v) } : {}),
    decisive: views((f) => f.status === 'fail' && f.primary),
    // A critical secondary change is shown above the fold, never folded under a green box.
    criticalSecondary: views((f) => f.status === 'fail' && !f.primary && f.severity === 'critical'),
    secondary: views((f) => f.status === 'fail' && !f.primary && f.severity !== 'critical'),
    inconclusive: views((f) => f.status === 'inconclusive' && f.primary),
    acceptedOrMuted: views((f) => f.status === 'accepted' || f.status === 'muted'),
    info: views((f) => f.status === 'info' || (f.status === 'inconclusive' && !f.primary)),
    notJudged: views((f) => f.status === 'not-judged' && f.primary),
    notJudgedReasons: reasonCounts(notJudgedPrimary),
    notJudgedByQuestion: {
      working: notJudgedPrimary.filter((f) => f.question === 'working').length,
      stable: notJudgedPrimary.filter((f) => f.question === 'stable').length,
    },
    notJudgedSecondary: { count: notJudgedSecondary.length, reasons: reasonCounts(notJudgedSecondary) },
    passed: views((f) => f.status === 'pass'),
    comparable,
    scenarios,
    lines: fittedLines(v),
    notes: v.warnings,
  }
}

/** Kinds that say why a verdict could not be made (a cause), rather than a check it affected. */

/**
 * Why a question got its answer, in one short line: the verdict's own
 * sentence when it passed; the count of failing checks by kind when it
 * failed (they are listed right below); the causes and the counts when it is
 * inconclusive. The counts are the ones the lists below carry.
 */
function questionWhy(v: Verdict, q: 'working' | 'stable'): string {
  const a = v[q]
  if (a.status === 'pass' || a.status === 'not-required') return a.reason
  const mine = v.findings.filter((f) => f.question === q && f.primary)
  if (a.status === 'fail') {
    const failing = mine.filter((f) => f.status === 'fail')
    if (!failing.length) return a.reason
    const kinds = new Map<string, number>()
    for (const f of failing) kinds.set(kindWords[f.kind] ?? f.kind, (kinds.get(kindWords[f.kind] ?? f.kind) ?? 0) + 1)
    return `${plural(failing.length, 'primary check')} failed: ${[...kinds].map(([k, n]) => `${k} (${n})`).join(', ')}`
  }
  const inconclusive = mine.filter((f) => f.status === 'inconclusive')
  const causes = inconclusive.filter((f) => isInconclusiveCause(f))
  const affected = inconclusive.length - causes.length
  const judged = mine.filter(
    (f) => f.status === 'pass' || f.status === 'fail' || f.status === 'accepted' || f.status === 'muted',
  ).length
  // As the gate counts them: checks not judged keep a question open when the gate says so, or when nothing at
  // all was judged.
  const nj =
    v.gate.notJudged === 'inconclusive' || judged === 0 ? mine.filter((f) => f.status === 'not-judged').length : 0
  const counts = [
    affected ? `${plural(affected, 'primary check')} inconclusive` : '',
    nj ? `${plural(nj, 'primary check')} not judged` : '',
  ]
    .filter(Boolean)
    .join(', ')
  const because = causes.map((f) => f.message.split(/: |; /)[0]).join('; ')
  if (because) return `${because}${counts ? ` (${counts})` : ''}`
  return counts || a.reason
}
