/**
 * The JSON reporter: writes the run record (`steady.run/1`) to
 * `<dir>/run.json` through @steady/record (validated against its schema,
 * atomic, redacted once more before it touches the disk).
 */
import { join } from 'node:path'
import { assertValid, RECORD_FILE, Redactor, runRecordSchema, writeRunRecordSync, type RunRecord } from '@steady/record'
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
      assertValid<RunRecord>(runRecordSchema, record, path, 'run record', 'this is a bug in steady: please report it')
      writeRunRecordSync(path, record)
      return [path]
    },
  }
}
