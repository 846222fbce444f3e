/**
 * The judge: a run record, a baseline and a gate in; a verdict out. Pure (no
 * I/O), so a program can call it just as the CLI does.
 *
 * Order of business: comparability first (which baseline runs may be compared
 * at all), then the checks (working, levels and tails, failures, new error
 * kinds, objectives), then the multiple-testing correction over the primary
 * family and, separately, the secondary one, then power (what each check
 * could have seen), then acceptances and mutes, and last the two answers and
 * the gate's result. Verdicts fail closed: no baseline is inconclusive.
 */
import {
  comparabilityDiff,
  VERDICT_SCHEMA,
  type ComparabilityKey,
  type Finding,
  type FindingStatus,
  type QuestionVerdict,
  type RunRecord,
  type Verdict,
  type VerdictBaselineRun,
} from '@steady/record'
import { gateForVerdict, severityFails, severityOf, type ResolvedGate } from '../gate.ts'
import {
  acceptanceExpired,
  comparisonRuns,
  findMute,
  muteActive,
  type BaselineEntry,
  type BaselineFile,
} from '../store.ts'
import { summariseRun, type RunSummary } from '../summary.ts'
import { holmAdjustWeighted } from '../stats/holm.ts'
import type { Check } from './check.ts'
import { alphaWeights, r4 } from './check.ts'
import type { JudgeContext } from './context.ts'
import { levelChecks } from './checks/levels.ts'
import { exceedanceChecks } from './checks/exceedance.ts'
import { failureChecks } from './checks/failures.ts'
import { newErrorChecks } from './checks/new-errors.ts'
import { workingChecks } from './checks/working.ts'
import { objectiveChecks } from './checks/objectives.ts'
import { markSaturated, saturatedPhases } from './checks/saturation.ts'
import { stabilityChecks } from './stability.ts'

export interface JudgeOptions {
  /** The run to judge. */
  record: RunRecord
  /** Its path, for the verdict. */
  runFile?: string
  /** The baseline; null or absent when there is none (the verdict is then inconclusive where it needs one). */
  baseline?: BaselineFile | null
  baselineFile?: string
  /** Why there is no baseline (missing, unreadable), for the finding that says so. */
  baselineProblem?: string
  gate: ResolvedGate
  /** When the verdict is made (mutes and acceptances expire by it). */
  now?: Date
  toolVersion?: string
}

/** Why the baseline cannot judge this run (missing, empty, too few comparable runs), or which runs it left out. */
function baselineFinding(
  options: JudgeOptions,
  entries: number,
  cmp: Comparability,
  rolling: number,
  pinned: number,
  baselineUsable: boolean,
): Finding | undefined {
  const gate = options.gate
  if (!options.baseline) {
    return {
      id: 'baseline:missing',
      kind: 'baseline',
      question: 'stable',
      status: 'inconclusive',
      primary: true,
      message:
        `no baseline${options.baselineFile ? ` at ${options.baselineFile}` : ''}` +
        `${options.baselineProblem ? ` (${options.baselineProblem})` : ''}: stability cannot be judged ` +
        'without earlier accepted runs; add some with steady baseline add <run.json>',
    }
  }
  if (!entries) {
    return {
      id: 'baseline:empty',
      kind: 'baseline',
      question: 'stable',
      status: 'inconclusive',
      primary: true,
      message:
        `the baseline${options.baselineFile ? ` ${options.baselineFile}` : ''} has no usable runs; ` +
        'add some with steady baseline add <run.json>',
    }
  }
  if (!baselineUsable) {
    const differ = [...cmp.differing].map(([what, n]) => `${n} differ in ${what}`).join('; ')
    const kind = cmp.differing.size ? 'comparability' : 'baseline'
    return {
      id: `${kind}:too-few-runs`,
      kind,
      question: 'stable',
      status: 'inconclusive',
      primary: true,
      evidence: { comparableRuns: rolling, needed: gate.minBaselineRuns, baselineRuns: entries },
      message:
        `only ${rolling} of ${entries} baseline runs are comparable with this run` +
        `${differ ? ` (${differ})` : ''}; level, tail and failure findings need ${gate.minBaselineRuns}` +
        (gate.bootstrap ? '' : ' (or a gate with bootstrap: true for 1–2 runs)'),
    }
  }
  if (cmp.differing.size) {
    return {
      id: 'comparability:some-runs',
      kind: 'comparability',
      question: 'stable',
      status: 'info',
      primary: false,
      message: leftOutSentence(entries - rolling - pinned, cmp.differing),
    }
  }
  return undefined
}

function leftOutSentence(n: number, differing: Map<string, number>): string {
  const why = [...differing].map(([what, k]) => `${what} (${k})`).join('; ')
  return `${n} baseline run${n === 1 ? '' : 's'} left out as not comparable: ${why}`
}

function describeKey(field: keyof ComparabilityKey, a: unknown, b: unknown): string {
  const shown = (v: unknown) => (v === undefined ? 'absent' : JSON.stringify(v))
  return `${field}: ${shown(b)} in the baseline vs ${shown(a)} now`
}

interface Comparability {
  rolling: BaselineEntry[]
  pinned: BaselineEntry[]
  runs: VerdictBaselineRun[]
  /** Differing fields (not relaxed) over the baseline runs, with how many runs differ. */
  differing: Map<string, number>
  warnings: string[]
}

function comparability(current: ComparabilityKey, entries: BaselineEntry[], gate: ResolvedGate): Comparability {
  const out: Comparability = { rolling: [], pinned: [], runs: [], differing: new Map(), warnings: [] }
  const relaxedSeen = new Map<string, number>()
  for (const e of entries) {
    const s = e.summary!
    const diffs = comparabilityDiff(current, s.comparability)
    const hard = diffs.filter((d) => !gate.relax.includes(d.field))
    for (const d of diffs)
      if (gate.relax.includes(d.field))
        relaxedSeen.set(describeKey(d.field, d.a, d.b), (relaxedSeen.get(describeKey(d.field, d.a, d.b)) ?? 0) + 1)
    for (const d of hard)
      out.differing.set(describeKey(d.field, d.a, d.b), (out.differing.get(describeKey(d.field, d.a, d.b)) ?? 0) + 1)
    const run: VerdictBaselineRun = { id: e.id, startedAt: s.startedAt, comparable: hard.length === 0 }
    if (s.subject.version) run.version = s.subject.version
    if (s.subject.commit) run.commit = s.subject.commit
    if (e.pinned) run.pinned = true
    if (hard.length) run.differs = hard.map((d) => describeKey(d.field, d.a, d.b))
    out.runs.push(run)
    if (hard.length) continue
    if (e.pinned) out.pinned.push(e)
    else out.rolling.push(e)
  }
  for (const [what, n] of relaxedSeen)
    out.warnings.push(
      `compared across a relaxed comparability key (gate ${gate.name}): ${what} (${n} run${n > 1 ? 's' : ''})`,
    )
  return out
}

/** Judges a run against a baseline under a gate. */
export function judge(options: JudgeOptions): Verdict {
  const now = options.now ?? new Date()
  const gate = options.gate
  const current = summariseRun(options.record)
  const entries = options.baseline ? comparisonRuns(options.baseline) : []
  const cmp = comparability(current.comparability, entries, gate)
  let rolling = cmp.rolling
  let pinned = cmp.pinned
  if (rolling.length < gate.minBaselineRuns && pinned.length) {
    // Too few rolling runs: the pinned ones join the spread instead of being a separate reference.
    rolling = [...rolling, ...pinned]
    pinned = []
  }
  const bootstrap = gate.bootstrap && rolling.length >= 1 && rolling.length < gate.minBaselineRuns
  const checks: Check[] = []
  const extra: Finding[] = []
  const warnings = [...cmp.warnings, ...options.record.warnings.map((w) => `run: ${w}`)]
  const baselineUsable = rolling.length >= gate.minBaselineRuns || bootstrap
  const baselineNote = baselineFinding(options, entries.length, cmp, rolling.length, pinned.length, baselineUsable)
  if (baselineNote) extra.push(baselineNote)
  if (bootstrap)
    warnings.push(
      `only ${rolling.length} comparable baseline run${rolling.length > 1 ? 's' : ''}: ` +
        'levels judged by a block bootstrap over windows, which sees within-run noise only, ' +
        'so only changes over twice the tolerance are flagged',
    )
  if (!options.record.complete) {
    extra.push({
      id: 'incomplete-run:run',
      kind: 'incomplete-run',
      question: 'stable',
      status: 'inconclusive',
      primary: true,
      message:
        `the run is incomplete (${options.record.incompleteReason ?? 'stopped early'}): ` +
        'a partial run cannot show that the service is stable',
    })
  }
  const ctx = context(options.record, current, rolling, pinned, entries, gate, baselineUsable, bootstrap, false)
  checks.push(...workingChecks(ctx))
  if (baselineUsable) {
    checks.push(...levelChecks(ctx))
    checks.push(...exceedanceChecks(ctx))
    checks.push(...failureChecks(ctx))
  }
  checks.push(...newErrorChecks(ctx))
  checks.push(...stabilityChecks(ctx))
  checks.push(...objectiveChecks(ctx))
  const findings = decide(checks, gate, options.baseline ?? null, now)
  markSaturated(findings, saturatedPhases(ctx))
  findings.push(...extra)
  if (baselineUsable) warnings.push(...missingSeries(ctx))
  warnings.push(...powerWarnings(findings))
  if (options.baseline) {
    for (const [series, m] of Object.entries(options.baseline.mutes)) {
      if (!muteActive(m, now))
        warnings.push(
          `mute of ${series} (owner ${m.owner}) expired on ${m.until.slice(0, 10)}; remove it or mute again`,
        )
    }
  }
  const baselineRef = options.baseline
    ? {
        ...(options.baselineFile ? { file: options.baselineFile } : {}),
        ...(options.baseline.service ? { service: options.baseline.service } : {}),
        runs: cmp.runs,
        comparableRuns: rolling.length + pinned.length,
        excluded: Object.entries(options.baseline.runs)
          .filter(([, r]) => r.excluded)
          .map(([id, r]) => ({ id, reason: r.excluded!.reason })),
      }
    : null
  return assemble('verdict', options, gate, findings, warnings, baselineRef, now)
}

export interface CompareOptions {
  /** The earlier run (A), taken as a one-run baseline. */
  a: RunRecord
  /** The later run (B), judged. */
  b: RunRecord
  aFile?: string
  bFile?: string
  gate: ResolvedGate
  now?: Date
  toolVersion?: string
}

/**
 * The same findings between two runs, for a quick look (never for a gate):
 * B is judged against A with a block bootstrap over windows, so only
 * changes over twice the tolerance are flagged, and the result says so.
 */
export function compareRuns(options: CompareOptions): Verdict {
  const now = options.now ?? new Date()
  const gate: ResolvedGate = { ...options.gate, minBaselineRuns: 2, bootstrap: true }
  const a = summariseRun(options.a)
  const current = summariseRun(options.b)
  const { id, ...rest } = a
  const entry: BaselineEntry = { id, addedAt: now.toISOString(), addedBy: 'steady compare', summary: rest }
  const cmp = comparability(current.comparability, [entry], {
    ...gate,
    relax: ['cpuModel', 'cores', 'node', 'platform', 'planHash', 'durationScale', 'engine'],
  })
  const warnings = [
    `steady compare: ${options.b.id} against one run (${options.a.id}), by a block bootstrap over windows; ` +
      'it sees within-run noise only, so only changes over twice the tolerance are flagged. ' +
      'Gates use steady verdict with a baseline.',
    ...cmp.warnings,
  ]
  const ctx = context(options.b, current, [entry], [], [entry], gate, true, true, true)
  const checks = [
    ...workingChecks(ctx),
    ...levelChecks(ctx),
    ...failureChecks(ctx),
    ...newErrorChecks(ctx),
    ...stabilityChecks(ctx),
    ...objectiveChecks(ctx),
  ]
  const findings = decide(checks, gate, null, now)
  markSaturated(findings, saturatedPhases(ctx))
  if (!options.b.complete) {
    findings.push({
      id: 'incomplete-run:run',
      kind: 'incomplete-run',
      question: 'stable',
      status: 'inconclusive',
      primary: true,
      message: `run B is incomplete (${options.b.incompleteReason ?? 'stopped early'})`,
    })
  }
  const baselineRef = {
    ...(options.aFile ? { file: options.aFile } : {}),
    runs: cmp.runs,
    comparableRuns: 1,
    excluded: [],
  }
  return assemble(
    'compare',
    { record: options.b, runFile: options.bFile, gate, toolVersion: options.toolVersion },
    gate,
    findings,
    warnings,
    baselineRef,
    now,
  )
}

function context(
  record: RunRecord,
  current: RunSummary,
  rolling: BaselineEntry[],
  pinned: BaselineEntry[],
  all: BaselineEntry[],
  gate: ResolvedGate,
  baselineUsable: boolean,
  bootstrap: boolean,
  compare: boolean,
): JudgeContext {
  const loadedPhases = new Set(current.phases.filter((p) => p.loaded).map((p) => p.name))
  const primaryPhases = loadedPhases.size ? loadedPhases : new Set(current.phases.map((p) => p.name))
  return {
    record,
    current,
    rolling,
    pinned,
    allRuns: all,
    gate,
    primaryPhases,
    loadedPhases,
    baselineUsable,
    bootstrap,
    compare,
    seriesByKey: new Map(record.series.map((s) => [s.key, s])),
  }
}

/**
 * Holm per family, power, statuses, severities, acceptances and mutes; then
 * the sentences.
 *
 * Checks with too few values (a p95 of 50 requests) are set aside before any
 * p-value is read, so a short run's thin checks do not dilute the family of
 * those it can judge (independent filtering). Every other check is in the
 * family: one whose run could not see a change of the tolerance is "not
 * judged" only when it is not significant; a significant change past the
 * tolerance fails whatever its power figure says.
 */
export function decide(checks: Check[], gate: ResolvedGate, baseline: BaselineFile | null, now: Date): Finding[] {
  for (const c of checks) if (c.thin && c.decided === undefined) c.decided = 'not-judged'
  for (const primary of [true, false]) {
    // Checks with too few values were set aside above (independent filtering); every other check is in its
    // family, including those the run could not see a change of the tolerance with: "not judged" is what
    // such a check says when it is not significant, never a reason to ignore a change it did see.
    const family = checks.filter((c) => c.finding.primary === primary && c.p !== undefined && c.decided === undefined)
    // Weighted Holm: each check's share of α (equal, except the reserved service-wide shifts).
    const weights = alphaWeights(family)
    family.forEach((c, i) => c.power?.(gate.alpha * weights[i], gate.alpha))
    const adjusted = holmAdjustWeighted(
      family.map((c) => c.p!),
      weights,
    )
    family.forEach((c, i) => {
      c.finding.pAdjusted = r4(adjusted[i])
    })
  }
  for (const c of checks) if (c.thin && c.p !== undefined) c.finding.pValue = r4(c.p)
  const out: Finding[] = []
  for (const c of checks) {
    const f = c.finding
    let status: FindingStatus
    if (c.decided) status = c.decided
    else if (f.pAdjusted !== undefined && f.pAdjusted <= gate.alpha && c.beyondTolerance) status = 'fail'
    else if (c.notJudged) status = 'not-judged'
    else status = 'pass'
    if (status === 'fail') {
      f.severity =
        typeof c.severity === 'string'
          ? c.severity
          : c.severity
            ? severityOf(c.severity.change, c.severity.tolerance)
            : 'minor'
      if (baseline) {
        const a = baseline.accepted[f.id]
        const withinAccepted =
          a &&
          !acceptanceExpired(baseline, a) &&
          (a.upTo === undefined || f.current === undefined || f.current <= a.upTo * (1 + (f.tolerance ?? 0)))
        const mute = f.series ? findMute(baseline, f.series, now) : undefined
        if (withinAccepted) {
          status = 'accepted'
          f.accepted = { by: a.by, reason: a.reason, at: a.at }
        } else if (mute) {
          status = 'muted'
          f.muted = { owner: mute.owner, until: mute.until, reason: mute.reason }
        }
      }
    }
    f.status = status
    f.message = c.describe ? c.describe(status) : f.message
    if (status === 'accepted')
      f.message += ` — accepted by ${f.accepted!.by} on ${f.accepted!.at.slice(0, 10)}: ${f.accepted!.reason}`
    if (status === 'muted')
      f.message += ` — muted until ${f.muted!.until.slice(0, 10)} (owner ${f.muted!.owner}: ${f.muted!.reason})`
    if (status === 'fail' && f.severity && !severityFails(f.severity, gate.failOn))
      f.message += ` (${f.severity}: below the gate's failOn ${gate.failOn})`
    out.push(withoutNonFinite(f))
  }
  return out
}

function missingSeries(ctx: JudgeContext): string[] {
  const out: string[] = []
  const present = new Set(Object.keys(ctx.current.series))
  const counts = new Map<string, number>()
  // Steps only: a series of failed requests (`expected_response=false`) is there when some requests failed,
  // and a clean run simply has none; its absence is not a renamed step.
  const isStep = (key: string) => key.includes('http_req_duration') && !key.includes('expected_response=false')
  for (const r of ctx.rolling)
    for (const key of Object.keys(r.summary?.series ?? {})) if (isStep(key)) counts.set(key, (counts.get(key) ?? 0) + 1)
  for (const [key, n] of counts)
    if (!present.has(key) && n * 2 >= ctx.rolling.length)
      out.push(
        `series ${key} is in ${n} of ${ctx.rolling.length} baseline runs but not in this run ` +
          '(a step renamed or removed?)',
      )
  return out
}

function powerWarnings(findings: Finding[]): string[] {
  const out: string[] = []
  const weak = findings.filter(
    (f) =>
      f.primary &&
      (f.kind === 'level' || f.kind === 'tail') &&
      f.status === 'pass' &&
      f.detectable !== undefined &&
      f.tolerance !== undefined &&
      f.detectable > f.tolerance * 1.001,
  )
  if (weak.length) {
    const worst = weak.reduce((a, b) => (b.detectable! > a.detectable! ? b : a))
    out.push(
      `${weak.length} primary latency check${weak.length > 1 ? 's' : ''} can only see changes larger than ` +
        'the tolerance, because the baseline runs vary that much ' +
        `(worst: ${worst.stat} of ${worst.series} in ${worst.phase} needs ${Math.round(worst.detectable! * 100)}%); ` +
        'more baseline runs or quieter machines narrow it',
    )
  }
  return out
}

function question(findings: Finding[], q: 'working' | 'stable', gate: ResolvedGate): QuestionVerdict {
  const mine = findings.filter((f) => f.question === q && f.primary)
  const failing = mine.filter((f) => f.status === 'fail' && severityFails(f.severity ?? 'minor', gate.failOn))
  const judgedCount = mine.filter(
    (f) => f.status === 'pass' || f.status === 'fail' || f.status === 'accepted' || f.status === 'muted',
  ).length
  // With `warn`, not-judged checks are listed; but a verdict with nothing judged at all cannot pass.
  const strict = gate.notJudged === 'inconclusive' || judgedCount === 0
  const open = mine.filter((f) => f.status === 'inconclusive' || (f.status === 'not-judged' && strict))
  let v: QuestionVerdict
  if (failing.length) {
    v = {
      status: 'fail',
      reason:
        failing
          .slice(0, 3)
          .map((f) => f.message)
          .join('; ') + (failing.length > 3 ? `; and ${failing.length - 3} more` : ''),
      findings: failing.map((f) => f.id),
    }
  } else if (open.length) {
    const first = open.filter((f) => f.status === 'inconclusive')
    const shown = (first.length ? first : open).slice(0, 2).map((f) => f.message)
    v = {
      status: 'inconclusive',
      reason:
        shown.join('; ') + (open.length > shown.length ? `; and ${open.length - shown.length} more not judged` : ''),
      findings: open.map((f) => f.id),
    }
  } else {
    const judged = mine.filter((f) => f.status === 'pass' || f.status === 'accepted' || f.status === 'muted').length
    const nj = mine.filter((f) => f.status === 'not-judged').length
    v = {
      status: 'pass',
      reason:
        q === 'working'
          ? `every scenario passed${gate.flakeBudget > 0 ? ' (within the flake budget)' : ''}`
          : `no primary finding in ${judged} checks${nj ? `; ${nj} not judged (listed, the gate allows it)` : ''}`,
      findings: [],
    }
  }
  if (!gate.require.includes(q)) {
    return {
      status: 'not-required',
      reason:
        `not required by gate ${gate.name} ` +
        `(it would be: ${v.status}${v.status === 'pass' ? '' : ` — ${v.reason}`})`,
      findings: v.findings,
    }
  }
  return v
}

export function assemble(
  mode: 'verdict' | 'compare',
  options: { record: RunRecord; runFile?: string; gate: ResolvedGate; toolVersion?: string },
  gate: ResolvedGate,
  findings: Finding[],
  warnings: string[],
  baseline: Verdict['baseline'],
  now: Date,
): Verdict {
  const working = question(findings, 'working', gate)
  const stable = question(findings, 'stable', gate)
  const required = [working, stable].filter((q) => q.status !== 'not-required')
  const result = required.some((q) => q.status === 'fail')
    ? 'fail'
    : required.some((q) => q.status === 'inconclusive')
      ? 'inconclusive'
      : 'pass'
  const exitCode = result === 'pass' ? 0 : result === 'fail' ? 1 : gate.onInconclusive === 'fail' ? 1 : 3
  const headline = result === 'pass' ? 'PASS' : result === 'fail' ? 'FAIL' : 'INCONCLUSIVE'
  const parts: string[] = []
  for (const [name, q] of [
    ['working', working],
    ['stable', stable],
  ] as const) {
    if (q.status === 'not-required') continue
    parts.push(
      q.status === 'pass'
        ? `${name}: yes`
        : q.status === 'fail'
          ? `not ${name}: ${q.reason}`
          : `${name}: inconclusive — ${q.reason}`,
    )
  }
  const summary = `${headline} (gate ${gate.name}${mode === 'compare' ? ', compare only' : ''}): ${parts.join('. ')}`
  const record = options.record
  const run: Verdict['run'] = {
    id: record.id,
    startedAt: record.startedAt,
    durationMs: record.durationMs,
    complete: record.complete,
    subject: record.subject,
    comparability: record.comparability,
  }
  if (options.runFile) run.file = options.runFile
  if (record.paired) run.paired = record.paired
  return {
    schema: VERDICT_SCHEMA,
    mode,
    result,
    exitCode,
    summary,
    judgedAt: now.toISOString(),
    tool: { name: 'steady', version: options.toolVersion ?? '0.1.0' },
    gate: gateForVerdict(gate),
    run,
    baseline,
    working,
    stable,
    findings,
    warnings,
  }
}

const numericFields = ['baseline', 'current', 'change', 'pValue', 'pAdjusted', 'detectable', 'tolerance'] as const

/**
 * A number the judge could not compute (a spread on 0 degrees of freedom, a
 * ratio of nothing) is left out rather than written: JSON has no NaN (it
 * would become `null`, which the verdict schema and its readers refuse).
 */
export function withoutNonFinite(f: Finding): Finding {
  for (const k of numericFields) if (typeof f[k] === 'number' && !Number.isFinite(f[k])) delete f[k]
  if (f.interval && !f.interval.every(Number.isFinite)) delete f.interval
  if (f.evidence)
    for (const [k, v] of Object.entries(f.evidence))
      if (typeof v === 'number' && !Number.isFinite(v)) delete f.evidence[k]
  return f
}
