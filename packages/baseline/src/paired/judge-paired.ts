/**
 * The paired judge: one paired run (candidate and control soaked side by
 * side, same schedule, same machine) and a gate in; an ordinary verdict out,
 * with `mode: 'paired'`. No history baseline is needed: each window of the
 * candidate is compared with the same window of the control, so what the
 * machine did to both cancels.
 *
 * The gate keeps its meaning: tolerances, α, failOn, objectives (on the
 * candidate side), acceptances and mutes (from a baseline file when one is
 * given), not-judged and inconclusive. Statuses, Holm families and the two
 * answers come from the history judge's own assembly.
 */
import { SteadyError, type Finding, type PairedRun, type RunRecord, type Verdict } from '@steady/record'
import type { ResolvedGate } from '../gate.ts'
import type { BaselineFile } from '../store.ts'
import { summariseRun } from '../summary.ts'
import { trendPhases } from '../trends.ts'
import { assemble, decide } from '../judge/judge.ts'
import { at, type Check } from '../judge/check.ts'
import type { JudgeContext } from '../judge/context.ts'
import { saturatedPhases } from '../judge/checks/saturation.ts'
import { workingChecks } from '../judge/checks/working.ts'
import { restartChecks } from '../judge/checks/restarts.ts'
import { objectiveChecks } from '../judge/checks/objectives.ts'
import { pairedLatencyChecks, type PairedContext } from './latency.ts'
import { pairedFailureChecks, pairedMemoryChecks } from './resources.ts'
import { pairedNewErrorChecks } from './new-errors.ts'
import { cpuBySide, eventSide, pairedSaturatedWindows, pairedSides, seriesPairs, sideRecord } from './pairs.ts'
import { calibrationRuns, MIN_CALIBRATION_RUNS } from './calibration.ts'

export interface PairedJudgeOptions {
  /** The paired run (its `paired` field set). */
  record: RunRecord
  runFile?: string
  gate: ResolvedGate
  /** A baseline file: its acceptances and mutes apply. */
  baseline?: BaselineFile | null
  baselineFile?: string
  now?: Date
  toolVersion?: string
}

/** True when the record is a paired run (candidate and control in one record). */
export function isPairedRecord(record: RunRecord): boolean {
  return record.paired !== undefined
}

function candidateContext(record: RunRecord, gate: ResolvedGate): JudgeContext {
  const candidate = sideRecord(record, 'candidate')
  const current = summariseRun(candidate)
  const loadedPhases = new Set(current.phases.filter((p) => p.loaded).map((p) => p.name))
  const primaryPhases = loadedPhases.size ? loadedPhases : new Set(current.phases.map((p) => p.name))
  return {
    record: candidate,
    current,
    rolling: [],
    pinned: [],
    allRuns: [],
    gate,
    primaryPhases,
    loadedPhases,
    baselineUsable: false,
    bootstrap: false,
    compare: false,
    seriesByKey: new Map(candidate.series.map((s) => [s.key, s])),
  }
}

/** Scenarios whose probe iterations failed on the candidate but never on the control: named, for the working answer. */
function candidateOnlyFailures(record: RunRecord): Finding[] {
  const control = new Map(record.scenarios.filter((s) => s.side === 'control').map((s) => [s.name, s]))
  const out: Finding[] = []
  for (const s of record.scenarios) {
    if (s.side !== 'candidate' || !s.failed) continue
    const k = control.get(s.name)
    if (!k || k.failed) continue
    out.push({
      id: `failing:candidate-only:${s.name}`,
      kind: 'failing',
      question: 'working',
      status: 'info',
      primary: false,
      scenario: s.name,
      evidence: { candidateFailed: s.failed, candidateIterations: s.iterations, controlIterations: k.iterations },
      message:
        `${s.name} failed ${s.failed} of ${s.iterations} iterations on the candidate ` +
        `and none of ${k.iterations} on the control`,
    })
  }
  return out
}

/**
 * A control that crashed or restarted: from then on the sides are not two
 * versions under the same conditions, so the comparison cannot clear the
 * candidate (inconclusive), and says when it happened.
 */
function controlRestarts(record: RunRecord): Finding[] {
  const events = record.events.filter(
    (e) => eventSide(e) === 'control' && (e.kind === 'service-crash' || e.kind === 'service-restart'),
  )
  return events.map((e, i) => ({
    id: `paired:control-${e.kind === 'service-crash' ? 'crash' : 'restart'}:${i + 1}`,
    kind: 'comparability',
    question: 'stable',
    status: 'inconclusive',
    primary: true,
    atMs: e.atMs,
    evidence: { event: e.message },
    message:
      `the control ${e.kind === 'service-crash' ? 'crashed' : 'restarted'} ${at(e.atMs)} into the run ` +
      `(${e.message}): after that the sides cannot be compared`,
  }))
}

const isLatency = (f: Finding) => f.kind === 'level' || f.kind === 'tail'

/**
 * Counting phases with no paired windows for any latency check: the run cannot say anything about them.
 * (Checks that had windows but too much noise are not judged, each saying so, and decide as the gate's
 * `notJudged` says.)
 */
function emptyPhases(ctx: PairedContext, checks: Check[]): Finding[] {
  const out: Finding[] = []
  for (const phase of ctx.candidate.primaryPhases) {
    const windows = checks.some((c) => c.finding.phase === phase && isLatency(c.finding) && !c.thin)
    if (windows) continue
    out.push({
      id: `paired:no-windows@${phase}`,
      kind: 'comparability',
      question: 'stable',
      status: 'inconclusive',
      primary: true,
      phase,
      message:
        `no paired windows in ${phase} with enough requests on both sides outside saturated windows: ` +
        'the sides cannot be compared in this phase',
    })
  }
  return out
}

/**
 * Counting phases whose load generator was saturated (on either side) in more windows than the gate
 * allows, so many that the phase's all-steps comparison was left with too few paired windows: the verdict
 * names the generator as the reason it cannot judge the phase (as against a history baseline), rather than
 * leaving only a warning. Saturated windows a phase can spare are left out and the rest judged.
 */
function saturatedPhaseFindings(ctx: PairedContext, gate: ResolvedGate, checks: Check[]): Finding[] {
  const out: Finding[] = []
  for (const [phase, { saturated: n, windows }] of saturatedPhases(ctx.candidate, ctx.saturated)) {
    if (!ctx.candidate.primaryPhases.has(phase)) continue
    // The phase's all-steps comparison still has its windows: the saturated ones were spared.
    const allSteps = (f: Finding) => f.phase === phase && f.kind === 'level' && f.series === 'all steps'
    const all = checks.find((c) => allSteps(c.finding))
    if (all && !all.thin) continue
    out.push({
      id: `generator-saturated:${phase}`,
      kind: 'generator-saturated',
      question: 'stable',
      status: 'inconclusive',
      primary: true,
      phase,
      current: Math.round((n / windows) * 1e4) / 1e4,
      tolerance: gate.tolerance.saturatedWindows,
      evidence: { saturatedWindows: n, windows },
      message:
        `the load generator was saturated on a side in ${n} of ${windows} windows of ${phase} ` +
        `(more than ${Math.round(gate.tolerance.saturatedWindows * 100)}%): those windows are left out, and ` +
        `latency findings of ${phase} are inconclusive rather than blamed on the candidate; give the ` +
        'generator more room (--workers, a bigger machine, k6)',
    })
  }
  return out
}

/**
 * How the two sides of a paired run shared the machine: each on its own CPUs (`pinned`), on the same CPUs
 * (`shared`: a control started beside the candidate, or one at a URL on this machine), or a control at a URL
 * that may run elsewhere (`elsewhere`).
 */
export function pairedMachine(paired: PairedRun): 'pinned' | 'shared' | 'elsewhere' {
  if (paired.pinned) return 'pinned'
  return paired.control.environment || isLoopback(paired.control.target) ? 'shared' : 'elsewhere'
}

/** Whether a control's URL is on this machine (localhost, 127.0.0.0/8, ::1, 0.0.0.0). */
function isLoopback(target: string | undefined): boolean {
  if (!target || !URL.canParse(target)) return false
  const host = new URL(target).hostname
  return host === 'localhost' || host === '[::1]' || host === '0.0.0.0' || /^127\.\d+\.\d+\.\d+$/.test(host)
}

function machineSentence(paired: PairedRun): string {
  const machine = pairedMachine(paired)
  if (machine === 'pinned')
    return (
      `both sides ran on one machine, each pinned to its own CPUs (candidate ${paired.pinned!.candidate}, ` +
      `control ${paired.pinned!.control}): a candidate that burns more CPU slows its control only through the ` +
      'load generator, the probes and the memory they share'
    )
  if (machine === 'elsewhere')
    return (
      'the control was already running at its URL: if it shares this machine, a candidate that burns more CPU ' +
      'also slows it'
    )
  return (
    'both sides ran on one machine: unless each had its own CPUs (--pin), a candidate that burns more CPU ' +
    'also slows its control'
  )
}

/**
 * What each side's CPU was, and what sharing the machine means: a candidate that burns more CPU also slows a
 * control on the same CPUs, so the latency ratios understate its change.
 */
function sharedCpu(paired: PairedRun, record: RunRecord, gate: ResolvedGate): string {
  const sentence = machineSentence(paired)
  const shared = pairedMachine(paired) === 'shared'
  const cpu = cpuBySide(record)
  if (!cpu) return `${sentence} (no CPU series on both sides to compare)`
  const candidate = `the candidate's services used ${cpu.candidate.toFixed(1)} s of CPU`
  if (!(cpu.control > 0)) return `${sentence}; ${candidate}, the control's none that was measured (${cpu.series})`
  const ratio = cpu.candidate / cpu.control
  const then =
    shared && ratio > 1 + gate.tolerance.level ? ", so the latency ratios understate the candidate's change" : ''
  const control = `the control's ${cpu.control.toFixed(1)} s (${ratio.toFixed(2)}×, ${cpu.series})`
  return `${sentence}; ${candidate}, ${control}${then}`
}

/** Judges the candidate side of a paired run against its control side under a gate. */
export function judgePaired(options: PairedJudgeOptions): Verdict {
  const { record, gate } = options
  if (!record.paired) {
    const what = options.runFile ?? 'the run'
    throw new SteadyError('STEADY_VERDICT_NOT_PAIRED', `${what} is not a paired run (no "paired" field)`, {
      hint:
        'judge it against a history baseline with steady verdict <run.json> --baseline <file>, ' +
        'or make a paired run with steady soak --paired',
    })
  }
  const now = options.now ?? new Date()
  const candidate = candidateContext(record, gate)
  const saturated = pairedSaturatedWindows(record)
  const ctx: PairedContext = {
    candidate,
    record,
    pairs: seriesPairs(record),
    phases: trendPhases(record),
    windowMs: record.window.sizeMs,
    saturated,
    values: new Map(),
    calibration: calibrationRuns(options.baseline, record.comparability, gate),
  }
  const checks: Check[] = [
    ...workingChecks(candidate),
    // A crash or restart of the candidate fails as it does against a history baseline.
    ...restartChecks(candidate),
    ...pairedLatencyChecks(ctx),
    ...pairedMemoryChecks(ctx),
    ...pairedFailureChecks(ctx),
    ...pairedNewErrorChecks(ctx),
    ...objectiveChecks(candidate),
  ]
  const findings = decide(checks, gate, options.baseline ?? null, now)
  findings.push(...emptyPhases(ctx, checks), ...saturatedPhaseFindings(ctx, gate, checks), ...controlRestarts(record))
  findings.push(...candidateOnlyFailures(record))
  if (!record.complete) {
    findings.push({
      id: 'incomplete-run:run',
      kind: 'incomplete-run',
      question: 'stable',
      status: 'inconclusive',
      primary: true,
      message:
        `the run is incomplete (${record.incompleteReason ?? 'stopped early'}): ` +
        'a partial run cannot show that the candidate is stable',
    })
  }
  const warnings = [
    `paired run: ${pairedSides(record.paired)}, judged window by window (no history baseline needed)`,
    sharedCpu(record.paired, record, gate),
    ...record.warnings.map((w) => `run: ${w}`),
  ]
  if (saturated.size) {
    const n = saturated.size
    warnings.push(`${n} window${n > 1 ? 's' : ''} saturated on a side left out of latency and failure checks`)
  }
  const aa = ctx.calibration.length
  if (aa >= MIN_CALIBRATION_RUNS) {
    warnings.push(`noise floor calibrated by ${aa} A/A paired runs of the baseline (the larger of the two spreads)`)
  } else if (options.baseline) {
    warnings.push(
      `the baseline has ${aa} A/A paired run${aa === 1 ? '' : 's'} comparable with this one ` +
        `(${MIN_CALIBRATION_RUNS} calibrate the noise floor): ` +
        "its acceptances and mutes apply; the noise floor is this run's own paired windows",
    )
  }
  const file = options.baselineFile ? { file: options.baselineFile } : {}
  const runs = ctx.calibration.map((e) => ({ id: e.id, startedAt: e.summary!.startedAt, comparable: true }))
  const baselineRef = options.baseline ? { ...file, runs, comparableRuns: runs.length, excluded: [] } : null
  const run = { record, runFile: options.runFile, gate, toolVersion: options.toolVersion }
  const v = assemble('verdict', run, gate, findings, warnings, baselineRef, now)
  v.mode = 'paired'
  v.summary = v.summary.replace(`(gate ${gate.name})`, `(gate ${gate.name}, paired: ${pairedSides(record.paired)})`)
  return v
}
