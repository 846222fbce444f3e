/**
 * The public entry points: {@link renderReport} returns the HTML,
 * {@link writeReport} writes it atomically.
 */
import {
  Redactor,
  SteadyError,
  writeFileAtomic,
  type RedactionOptions,
  type RunRecord,
  type Verdict,
} from '@steady/record'
import type { BaselineFile } from '@steady/baseline'
import { baselineView } from './baseline-view.ts'
import { renderPage } from './render.ts'
import { verdictView } from './verdict-view.ts'

/** What a report is made from. */
export interface ReportInput {
  /** The run record (`steady.run/1`), as `readRunRecord` returns it. */
  record: RunRecord
  /**
   * The verdict on this run (`steady.verdict/1`). Without one the report says
   * plainly that it was built without a verdict.
   */
  verdict?: Verdict
  /**
   * The baseline (`steady.baseline/1`, as @steady/baseline's `readBaseline`
   * returns it): its runs' numbers are shown beside this run's, and their p95
   * range is drawn as a band.
   */
  baseline?: BaselineFile
  /** How to name the baseline on the page (its path). */
  baselineName?: string
  /** Extra redaction rules (from the config), on top of the defaults every output uses. */
  redaction?: RedactionOptions
}

/**
 * Renders the stability report for a run as one self-contained HTML document
 * (uPlot and the data inlined; no network, no file beside it). Throws a
 * `SteadyError` (`STEADY_REPORT_MISMATCH`) when the verdict is about another run.
 */
export function renderReport(input: ReportInput): string {
  const { record, verdict, baseline } = input
  if (verdict && verdict.run.id !== record.id) {
    throw new SteadyError(
      'STEADY_REPORT_MISMATCH',
      `the verdict is about run ${verdict.run.id}, not about ${record.id}`,
      {
        hint: 'pass the verdict that steady verdict wrote for this run.json (or leave --verdict out)',
        details: { verdictRun: verdict.run.id, recordRun: record.id },
      },
    )
  }
  // The verdict quotes names and messages from the run: it passes the same redaction step.
  const safeVerdict = verdict && new Redactor(input.redaction).value(verdict)
  return renderPage({
    record,
    ...(safeVerdict ? { verdict: verdictView(safeVerdict) } : {}),
    ...(baseline
      ? { baseline: baselineView(baseline, record, input.baselineName ?? baseline.service ?? 'baseline') }
      : {}),
    ...(safeVerdict ? { bandOverrides: predictionIntervals(safeVerdict) } : {}),
    ...(input.redaction ? { redaction: input.redaction } : {}),
  })
}

/** The verdict's expected p95 range per step series and phase (where it judged the level). */
function predictionIntervals(verdict: Verdict): Map<string, Record<string, { lo: number; hi: number }>> {
  const out = new Map<string, Record<string, { lo: number; hi: number }>>()
  for (const f of verdict.findings) {
    if (f.kind !== 'level' || f.stat !== 'p95' || !f.series || !f.phase || !f.interval) continue
    const m = out.get(f.series) ?? {}
    m[f.phase] = { lo: f.interval[0], hi: f.interval[1] }
    out.set(f.series, m)
  }
  return out
}

/** Renders the report and writes it to `path` atomically; resolves to the path. */
export async function writeReport(path: string, input: ReportInput): Promise<string> {
  await writeFileAtomic(path, renderReport(input))
  return path
}
