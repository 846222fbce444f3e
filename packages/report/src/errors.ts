/**
 * The error codes of @steady/report: every `SteadyError` code it throws, declared
 * once with its meaning and a generic hint. Declaring them here makes them
 * valid codes of `SteadyError` (`SteadyErrorCode` in @steady/kernel).
 */
import { defineErrorCodes } from '@steady/kernel'

/**
 * The error codes @steady/report throws, each with what it means and what to do (docs/errors.md is
 * generated from it).
 */
export const reportErrorCodes = defineErrorCodes({
  STEADY_REPORT_MISMATCH: {
    meaning: 'The verdict given is about another run than the run record.',
    hint: 'Pass the verdict steady verdict wrote for this run.json, or leave --verdict out.',
  },
  STEADY_REPORT_ASSETS: {
    meaning: 'The charting library the report inlines (uPlot) cannot be read.',
    hint: 'Reinstall @steady/report: its dependency uplot is missing.',
  },
  STEADY_VERDICT_NOT_FOUND: {
    meaning: 'The verdict file does not exist or is not a regular file.',
    hint: 'Check the --verdict path; steady verdict --format json writes one.',
  },
  STEADY_VERDICT_UNREADABLE: {
    meaning: 'The verdict file is not valid JSON.',
    hint: 'Pass the file steady verdict --format json wrote.',
  },
  STEADY_VERDICT_SCHEMA: {
    meaning: 'A file read as a verdict has another schema than steady.verdict/1.',
    hint: 'Pass a verdict (steady verdict --format json), not a run record or a baseline.',
  },
})

declare module '@steady/kernel' {
  interface SteadyErrorCodeTables {
    report: typeof reportErrorCodes
  }
}
