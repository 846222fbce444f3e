/**
 * How a CLI prints a steady error. The error class (`SteadyError`, with its
 * stable code, hint and exit code) and the exit codes live in
 * `@steady/kernel`; this package re-exports them, so every package that
 * imports them from `@steady/record` keeps doing so. Also the table of the
 * error codes this package throws.
 */
import { defineErrorCodes, isSteadyError } from '@steady/kernel'
import { terminalText } from './terminal.ts'

/**
 * The two lines a CLI prints for an error: what went wrong, and what to do.
 * Unknown errors keep their message; their stack is only for `verbose`.
 */
export function formatError(error: unknown, verbose = false): string {
  // Messages quote names, paths and answers from outside: made safe for the terminal they are printed on.
  if (isSteadyError(error)) {
    const lines = [`error: ${terminalText(error.message)}`]
    if (error.hint) lines.push(`  → ${terminalText(error.hint)}`)
    if (verbose && error.cause instanceof Error && error.cause.stack) lines.push(error.cause.stack)
    return lines.join('\n')
  }
  if (error instanceof Error) {
    return terminalText(verbose && error.stack ? `error: ${error.stack}` : `error: ${error.message}`)
  }
  return `error: ${terminalText(String(error))}`
}

/**
 * The error codes @steady/record throws, each with what it means and what to do (docs/errors.md is
 * generated from it).
 */
export const recordErrorCodes = defineErrorCodes({
  STEADY_RECORD_NOT_FOUND: {
    meaning:
      'A run record (or another steady JSON file read the same way) does not ' +
      'exist, cannot be opened, or is not a regular file.',
    hint: 'Check the path: steady run, soak and load write <out folder>/run.json.',
  },
  STEADY_RECORD_UNREADABLE: {
    meaning: 'A run record is not valid JSON, for example because the run was killed while writing it.',
    hint:
      'Rebuild a killed run from its events with steady record recover ' +
      '<run folder>, or pass the run.json steady wrote.',
  },
  STEADY_RECORD_SCHEMA: {
    meaning: 'A file read as a run record has another schema than steady.run/1.',
    hint: 'Pass a run record (run.json), not a verdict, a baseline or another file.',
  },
  STEADY_RECORD_INVALID: {
    meaning: 'A run record or verdict does not match its JSON schema.',
    hint: 'Use the file as steady wrote it; the message names the first field that does not match.',
  },
  STEADY_RECORD_NOT_FINITE: {
    meaning: 'A number in a run record or verdict is not finite (NaN, Infinity or out of range).',
    hint: 'Use the file as steady wrote it: it was written by another tool or edited by hand.',
  },
  STEADY_RECORD_NO_EVENTS: {
    meaning: 'A run folder given to recover has no events file to rebuild the record from.',
    hint: 'Point at the --out folder a steady soak, load or run wrote.',
  },
  STEADY_RECORD_CORRUPT: {
    meaning: "A run's events file is damaged: a line is not JSON, or its start line is missing.",
    hint: 'Nothing can be recovered automatically; run the soak again.',
  },
})

declare module '@steady/kernel' {
  interface SteadyErrorCodeTables {
    record: typeof recordErrorCodes
  }
}
