/**
 * Reading what a report is made from, with errors that name the file and say
 * what to do: the run record, the verdict, the baseline.
 */
import { existsSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { assertValid, parseJsonText, readRegularFile, RECORD_FILE, type JsonFileKind } from '@steady/record/internal'
import {
  readRunRecord,
  SteadyError,
  VERDICT_SCHEMA,
  verdictSchema,
  type RedactionOptions,
  type Verdict,
} from '@steady/record'
import { readBaseline } from '@steady/baseline'
import type { ReportInput } from './report.ts'

const verdictHint = 'pass the verdict.json that `steady verdict --format json` wrote for this run'

const verdictFile: JsonFileKind = {
  what: 'verdict',
  notFoundCode: 'STEADY_VERDICT_NOT_FOUND',
  unreadableCode: 'STEADY_VERDICT_UNREADABLE',
  pathHint: 'check the --verdict path; steady verdict --format json writes one',
  contentHint: verdictHint,
}

/** Reads and validates a verdict file (`steady.verdict/1`). */
export async function readVerdict(path: string): Promise<Verdict> {
  const value = parseJsonText(await readRegularFile(path, verdictFile), path, verdictFile)
  if (
    value &&
    typeof value === 'object' &&
    'schema' in value &&
    (value as { schema: unknown }).schema !== VERDICT_SCHEMA
  ) {
    const schema = (value as { schema: unknown }).schema
    throw new SteadyError(
      'STEADY_VERDICT_SCHEMA',
      `${path} has schema ${JSON.stringify(schema)}, expected "${VERDICT_SCHEMA}"`,
      { hint: verdictHint, details: { file: path, schema } },
    )
  }
  return assertValid<Verdict>(verdictSchema, value, path, `verdict (${VERDICT_SCHEMA})`, verdictHint)
}

/** Where a report goes by default: `report.html` beside the run record. */
export function defaultReportPath(run: string): string {
  const isDir = existsSync(run) && statSync(run).isDirectory()
  return join(isDir ? run : dirname(run), 'report.html')
}

export interface ReportFiles {
  /** A run.json, or the run folder holding one. */
  run: string
  /** A verdict.json of this run. */
  verdict?: string
  /** A baseline file (`baselines/<service>.json`). */
  baseline?: string
  /** Redaction rules from the config. */
  redaction?: RedactionOptions
}

/** Reads the run record, and the verdict and baseline when given, into a {@link ReportInput}. */
export async function readReportInput(files: ReportFiles): Promise<ReportInput> {
  const runFile = existsSync(join(files.run, RECORD_FILE)) ? join(files.run, RECORD_FILE) : files.run
  const [record, verdict, baseline] = await Promise.all([
    readRunRecord(runFile),
    files.verdict ? readVerdict(files.verdict) : undefined,
    files.baseline ? readBaseline(files.baseline) : undefined,
  ])
  return {
    record,
    ...(verdict ? { verdict } : {}),
    ...(baseline ? { baseline, baselineName: files.baseline } : {}),
    ...(files.redaction ? { redaction: files.redaction } : {}),
  }
}
