/**
 * `checkBaseline()`: how far a gate owner can trust a baseline at a gate.
 * Each baseline run is judged against the others (leave-one-out) with the
 * gate's settings, as if it were a new version identical to what the baseline
 * holds. How many of them would have failed is the gate's false-positive rate
 * on this baseline, measured on the team's own machines; the judge's
 * `detectable` change of each primary check is the power: the smallest change
 * this baseline lets the gate see.
 *
 * The baseline keeps run summaries, not run records, and the judge reads a
 * record; so the records of the baseline's runs are passed in (the CLI finds
 * them under reports/). Runs without a record still count among the others.
 */
import type { Finding, GateResult, RunRecord, Verdict } from '@steady/record'
import { median } from '@steady/kernel'
import { judge } from './judge/judge.ts'
import type { ResolvedGate } from './gate.ts'
import { comparisonRuns, type BaselineFile } from './store.ts'

export interface CheckBaselineOptions {
  baseline: BaselineFile
  /** Where the baseline is, for the output. */
  baselineFile?: string
  /** Run records of (some of) the baseline's runs; records of other runs are ignored. */
  records: RunRecord[]
  gate: ResolvedGate
  now?: Date
  toolVersion?: string
}

/** One baseline run judged against the others. */
interface LeaveOneOut {
  run: string
  result: GateResult
  /** The failing findings that decided it (id and sentence). */
  failed: { id: string; message: string }[]
  /** Why it was inconclusive, when it was. */
  inconclusive?: string
}

/** A primary check and the smallest change this baseline lets it see. */
export interface DetectableChange {
  /** The finding id (what `steady baseline accept` names). */
  id: string
  /** A short name: phase › scenario › step stat, or the kind. */
  label: string
  kind: Finding['kind']
  /** Median of `detectable` over the leave-one-out verdicts that judged it (same scale as the finding's change). */
  detectable: number
  changeKind: 'relative' | 'absolute'
  unit?: string
  tolerance?: number
  /** Leave-one-out verdicts in which the check reported a detectable change. */
  runs: number
}

export interface BaselineCheck {
  baselineFile?: string
  service?: string
  gate: string
  /** Runs the verdicts compare with (comparisonRuns of the baseline). */
  baselineRuns: number
  /** Baseline runs judged (those with a record). */
  judged: number
  passed: number
  failed: number
  inconclusive: number
  /** `too-few-runs`: leaving one out leaves fewer than the gate's minBaselineRuns. */
  status: 'pass' | 'fail' | 'inconclusive' | 'too-few-runs'
  /** 0 when the baseline passes its own runs, 1 when one would fail, 3 when it cannot tell. */
  exitCode: 0 | 1 | 3
  runs: LeaveOneOut[]
  /** Baseline runs that had no record, so were not judged. */
  withoutRecord: string[]
  /** Failing findings over the leave-one-out verdicts, most frequent first. */
  failingFindings: { id: string; runs: number; message: string }[]
  detectable: DetectableChange[]
}

function labelOf(f: Finding): string {
  const where = [f.phase, f.scenario, f.step].filter(Boolean).join(' › ')
  const source = f.series?.split('/')[0]
  const what = [f.stat ?? f.kind, source && f.step ? `(${source})` : ''].filter(Boolean).join(' ')
  return where ? `${where} ${what}` : `${f.kind}${f.series ? ` ${f.series}` : ''} ${f.stat ?? ''}`.trim()
}

function leaveOneOut(verdict: Verdict): LeaveOneOut {
  const said = (f: Finding) => ({ id: f.id, message: f.message })
  const out: LeaveOneOut = {
    run: verdict.run.id,
    result: verdict.result,
    failed: verdict.findings.filter((f) => f.status === 'fail' && f.primary).map(said),
  }
  // Secondary findings can fail a gate that names them; keep whatever decided it.
  if (verdict.result === 'fail' && !out.failed.length) {
    const ids = new Set([...verdict.working.findings, ...verdict.stable.findings])
    out.failed = verdict.findings.filter((f) => ids.has(f.id) && f.status === 'fail').map(said)
  }
  if (verdict.result === 'inconclusive') {
    const open = [verdict.working, verdict.stable].find((q) => q.status === 'inconclusive')
    out.inconclusive = open?.reason ?? verdict.summary
  }
  return out
}

function detectableChanges(verdicts: Verdict[]): DetectableChange[] {
  const byId = new Map<string, { first: Finding; values: number[] }>()
  for (const v of verdicts) {
    for (const f of v.findings) {
      if (!f.primary || f.detectable === undefined || !Number.isFinite(f.detectable)) continue
      const entry = byId.get(f.id) ?? { first: f, values: [] }
      entry.values.push(f.detectable)
      byId.set(f.id, entry)
    }
  }
  return [...byId.entries()]
    .map(([id, { first, values }]) => {
      const row: DetectableChange = {
        id,
        label: labelOf(first),
        kind: first.kind,
        detectable: median(values),
        changeKind: first.changeKind ?? 'relative',
        runs: values.length,
      }
      if (first.unit) row.unit = first.unit
      if (first.tolerance !== undefined) row.tolerance = first.tolerance
      return row
    })
    .sort((a, b) => a.id.localeCompare(b.id))
}

/**
 * Judges every baseline run that has a record against the baseline without
 * it, with the gate's settings; counts failures and inconclusive verdicts and
 * collects the smallest change each primary check can see.
 */
export function checkBaseline(options: CheckBaselineOptions): BaselineCheck {
  const now = options.now ?? new Date()
  const members = comparisonRuns(options.baseline)
  const ids = new Set(members.map((r) => r.id))
  const records = new Map(options.records.filter((r) => ids.has(r.id)).map((r) => [r.id, r]))
  const verdicts: Verdict[] = []
  for (const record of records.values()) {
    const others = structuredClone(options.baseline)
    delete others.runs[record.id]
    verdicts.push(
      judge({
        record,
        baseline: others,
        ...(options.baselineFile ? { baselineFile: options.baselineFile } : {}),
        gate: options.gate,
        now,
        ...(options.toolVersion ? { toolVersion: options.toolVersion } : {}),
      }),
    )
  }
  const runs = verdicts.map(leaveOneOut)
  const tally = new Map<string, { runs: number; message: string }>()
  for (const r of runs) {
    for (const f of r.failed) {
      const seen = tally.get(f.id)
      tally.set(f.id, { runs: (seen?.runs ?? 0) + 1, message: seen?.message ?? f.message })
    }
  }
  const count = (result: GateResult) => runs.filter((r) => r.result === result).length
  const failed = count('fail')
  const passed = count('pass')
  const inconclusive = count('inconclusive')
  const tooFew = members.length - 1 < options.gate.minBaselineRuns && !options.gate.bootstrap
  const status: BaselineCheck['status'] = tooFew ? 'too-few-runs' : failed ? 'fail' : passed ? 'pass' : 'inconclusive'
  const out: BaselineCheck = {
    gate: options.gate.name,
    baselineRuns: members.length,
    judged: runs.length,
    passed,
    failed,
    inconclusive,
    status,
    exitCode: status === 'pass' ? 0 : status === 'fail' ? 1 : 3,
    runs,
    withoutRecord: members.filter((m) => !records.has(m.id)).map((m) => m.id),
    failingFindings: [...tally.entries()]
      .map(([id, t]) => ({ id, ...t }))
      .sort((a, b) => b.runs - a.runs || a.id.localeCompare(b.id)),
    detectable: detectableChanges(verdicts),
  }
  if (options.baselineFile) out.baselineFile = options.baselineFile
  if (options.baseline.service) out.service = options.baseline.service
  return out
}
