/**
 * The error codes of @steady/baseline: every `SteadyError` code it throws, declared
 * once with its meaning and a generic hint. Declaring them here makes them
 * valid codes of `SteadyError` (`SteadyErrorCode` in @steady/kernel).
 */
import { defineErrorCodes } from '@steady/kernel'

/**
 * The error codes @steady/baseline throws, each with what it means and what to do (docs/errors.md
 * is generated from it).
 */
export const baselineErrorCodes = defineErrorCodes({
  STEADY_BASELINE_NOT_FOUND: {
    meaning: 'The baseline file does not exist, cannot be opened, or its folder is missing.',
    hint: 'Create it with steady baseline add <run.json> --baseline <file>, or pass the right --baseline path.',
  },
  STEADY_BASELINE_UNREADABLE: {
    meaning: 'The baseline file is not valid JSON (a merge conflict, a cut-short file).',
    hint: 'Resolve the conflict or restore the file from git.',
  },
  STEADY_BASELINE_SCHEMA: {
    meaning: 'A file read as a baseline has another schema than the baseline one.',
    hint: 'Pass a baseline file (baselines/<service>.json), not a run record or a verdict.',
  },
  STEADY_BASELINE_INVALID: {
    meaning: 'The baseline file does not match the baseline schema.',
    hint: 'Restore the file from git, or fix the field the message names.',
  },
  STEADY_BASELINE_LOCKED: {
    meaning: "Another steady command holds the baseline's lock.",
    hint: 'Wait for the other command to finish; if none is running, delete the lock file the message names.',
  },
  STEADY_BASELINE_INCOMPLETE_RUN: {
    meaning: 'The run did not finish its plan, so it cannot join a baseline.',
    hint: 'Run the soak again to the end.',
  },
  STEADY_BASELINE_DUPLICATE_RUN: {
    meaning: 'The run is already in the baseline.',
    hint: 'Nothing to add: each run is added once (see steady baseline show).',
  },
  STEADY_BASELINE_OTHER_SERVICE: {
    meaning: 'The run is of another service than the baseline.',
    hint: 'Use the baseline of that service (baselines/<service>.json).',
  },
  STEADY_BASELINE_RUN_NOT_FOUND: {
    meaning: 'The run id is not in the baseline.',
    hint: 'Use an id steady baseline show lists.',
  },
  STEADY_BASELINE_ALREADY_EXCLUDED: {
    meaning: 'The run is already excluded from the baseline.',
    hint: 'Nothing to do.',
  },
  STEADY_BASELINE_RUN_EXCLUDED: {
    meaning: 'An excluded run cannot be pinned as a reference.',
    hint: 'Pin another run (steady baseline show lists them).',
  },
  STEADY_BASELINE_ALREADY_PINNED: {
    meaning: 'The run is already pinned.',
    hint: 'Nothing to do.',
  },
  STEADY_BASELINE_NOT_PINNED: {
    meaning: 'The run to unpin is not pinned.',
    hint: 'Nothing to do.',
  },
  STEADY_BASELINE_BAD_FINDING: {
    meaning: 'The finding id is not a finding id, or not a finding of the verdict given.',
    hint: 'Copy the id from the verdict (steady verdict ... --format json: findings[].id).',
  },
  STEADY_BASELINE_BAD_DATE: {
    meaning: "A mute's --until date is not in the future.",
    hint: 'Give a date after today, for example --until 2026-12-31.',
  },
  STEADY_GATE_NOT_FOUND: {
    meaning: 'No gate has the name given.',
    hint: 'Add the gate under gates in steady.config.ts, or pass an existing one with --gate.',
  },
  STEADY_GATE_INVALID: {
    meaning: 'A gate in steady.config.ts has a field or objective steady cannot read.',
    hint: 'Fix the field the message names; docs/verdict.md describes gates.',
  },
  STEADY_VERDICT_NOT_PAIRED: {
    meaning: 'A run judged as a paired run has no control side.',
    hint:
      'Judge it against a history baseline with steady verdict <run.json> ' +
      '--baseline <file>, or make a paired run with steady soak --paired.',
  },
})

declare module '@steady/kernel' {
  interface SteadyErrorCodeTables {
    baseline: typeof baselineErrorCodes
  }
}
