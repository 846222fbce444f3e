/**
 * The JSON reporter: writes the run record (`steady.run/1`) to
 * `<dir>/run.json` through @steady/record (atomic, redacted once more before
 * it touches the disk). Readers validate it against the schema
 * (`readRunRecord`); the writer does not, so a run does not pay ~100 ms of
 * ajv compilation at the end (the tests check every record it writes).
 */
import { join } from 'node:path'
import { RECORD_FILE, writeRunRecordSync } from '@steady/record/internal'
import { Redactor, type RunRecord } from '@steady/record'
import type { Reporter, RunResult } from './types.ts'

/** Options of {@link jsonReporter}. */
export interface JsonReporterOptions {
  /** The run folder; the record goes to `<dir>/run.json`. */
  dir: string
  /** The run's redactor (secrets it learnt stay masked). */
  redactor?: Redactor
}

/** Writes `run.json`. */
export function jsonReporter(options: JsonReporterOptions): Reporter {
  return {
    name: 'json',
    onRunEnd(result: RunResult) {
      const redactor = options.redactor ?? new Redactor()
      const path = join(options.dir, RECORD_FILE)
      const record: RunRecord = {
        ...result.record,
        subject: redactor.value(result.record.subject),
        // Samples only: a field-name pass over the groups would mask `signature` itself.
        failures: result.record.failures.map((g) => ({ ...g, samples: redactor.value(g.samples) })),
        events: redactor.value(result.record.events),
      }
      writeRunRecordSync(path, record)
      return [path]
    },
  }
}
