/**
 * The error codes of @steady/cli: every `SteadyError` code it throws, declared
 * once with its meaning and a generic hint. Declaring them here makes them
 * valid codes of `SteadyError` (`SteadyErrorCode` in @steady/kernel).
 */
import { defineErrorCodes } from '@steady/kernel'

/** The error codes @steady/cli throws, each with what it means and what to do (docs/errors.md is generated from it). */
export const cliErrorCodes = defineErrorCodes({
  STEADY_CONFIG_NOT_FOUND: {
    meaning: 'The config file given with --config does not exist.',
    hint: 'Check the --config path, or leave it out to use the nearest steady.config.ts.',
  },
  STEADY_CONFIG_LOAD: {
    meaning:
      'steady.config.ts could not be loaded: a syntax or type error, a ' +
      'failing import, or CommonJS where an ES module is needed.',
    hint: 'Fix the error at the line the message names; the config must export default defineConfig({ ... }).',
  },
  STEADY_INIT_USAGE: {
    meaning: 'steady init was given a --start command or --url it cannot use.',
    hint: 'Give a --start command without shell operators (for example --start "npm start") and an http(s) --url.',
  },
  STEADY_INIT_EXISTS: {
    meaning: 'steady init would overwrite files that exist.',
    hint: 'Move them aside, or pass --force to overwrite them.',
  },
  STEADY_RUN_USAGE: {
    meaning:
      'steady run was given options that do not fit together or a count that is not a whole number of at least 1.',
    hint: 'Fix the option the message names; see steady run --help.',
  },
  STEADY_RUN_REPORTER: {
    meaning: '--reporter names a reporter steady does not have.',
    hint: 'Use a comma-separated list of the reporters steady run --help lists.',
  },
  STEADY_LOAD_CONFIG_MISSING: {
    meaning: 'steady.config.ts has no load section, which the command needs.',
    hint: 'Add load: { profiles: { ... } } to steady.config.ts.',
  },
  STEADY_LOAD_USAGE: {
    meaning: 'steady load was given a --workers that is not a whole number of at least 1.',
    hint: 'Give a whole number, for example --workers 2.',
  },
  STEADY_SOAK_NO_SCENARIOS: {
    meaning: "No scenario matches for the soak's probe loop.",
    hint: 'Check the scenarios patterns and --grep: the probe loop needs at least one scenario.',
  },
  STEADY_SOAK_PIN_CPUS: {
    meaning: '--pin needs at least 2 CPUs to give each side its own.',
    hint: 'Leave --pin out: both sides then share the CPU.',
  },
  STEADY_SOAK_PIN_TASKSET: {
    meaning: '--pin needs taskset, which was not found.',
    hint: 'Install util-linux (taskset), or leave --pin out.',
  },
  STEADY_VERDICT_BASELINE: {
    meaning: 'A baseline given for a paired run cannot be used.',
    hint: 'Leave --baseline out for a paired run, or name a readable baseline file.',
  },
  STEADY_COMPARE_ONE_RUN: {
    meaning: 'steady compare was given one run, and it is not a paired run.',
    hint: 'Name the run to compare it with (steady compare <a> <b>), or make one with steady soak --paired.',
  },
  STEADY_BASELINE_NOT_STABLE: {
    meaning: 'The run to add to a baseline was judged not working or not stable.',
    hint: 'Fix the run, or add it anyway with --force --reason "<why>".',
    exitCode: 1,
  },
  STEADY_BASELINE_RUN_UNFIT: {
    meaning:
      'The run to add to a baseline is unfit to show what normal looks like (a saturated generator, too little data).',
    hint:
      'Run it again on a quieter machine or with more generator room, ' +
      'or add it anyway with --force --reason "<why>".',
  },
  STEADY_BASELINE_NO_RECORDS: {
    meaning: "steady baseline check found none of the baseline's run records.",
    hint: "Pass the folders that hold the baseline runs' run.json.",
  },
  STEADY_REPORT_RENDER: {
    meaning: 'Drawing the HTML report failed.',
    hint: 'Check the run with steady record validate; if it is valid, report the bug with the run record.',
  },
})

declare module '@steady/kernel' {
  interface SteadyErrorCodeTables {
    cli: typeof cliErrorCodes
  }
}
