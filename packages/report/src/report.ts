/**
 * The public entry points: {@link renderReport} returns the HTML,
 * {@link writeReport} writes it atomically.
 */
import { writeFileAtomic, type RedactionOptions, type RunRecord } from '@steady/record'
import { renderPage } from './render.ts'

/** What a report is made from. */
export interface ReportInput {
  /** The run record (`steady.run/1`), as read by `readRunRecord`. */
  record: RunRecord
  /** Extra redaction rules (from the config), on top of the defaults every output uses. */
  redaction?: RedactionOptions
}

/**
 * Renders the stability report for a run as one self-contained HTML document
 * (uPlot and the data inlined; no network, no file beside it).
 */
export function renderReport(input: ReportInput): string {
  return renderPage({ record: input.record, ...(input.redaction ? { redaction: input.redaction } : {}) })
}

/** Renders the report and writes it to `path` atomically; resolves to the path. */
export async function writeReport(path: string, input: ReportInput): Promise<string> {
  await writeFileAtomic(path, renderReport(input))
  return path
}
