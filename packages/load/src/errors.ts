/**
 * The error codes of @steady/load: every `SteadyError` code it throws, declared
 * once with its meaning and a generic hint. Declaring them here makes them
 * valid codes of `SteadyError` (`SteadyErrorCode` in @steady/kernel).
 */
import { defineErrorCodes } from '@steady/kernel'

/**
 * The error codes @steady/load throws, each with what it means and what to do (docs/errors.md is
 * generated from it).
 */
export const loadErrorCodes = defineErrorCodes({
  STEADY_LOAD_CONFIG_INVALID: {
    meaning: 'The load section of steady.config.ts is not an object of profiles, or its workers is not a whole number.',
    hint: "Write load: { profiles: { peak: { executor: 'constant-arrival-rate', ... } } }.",
  },
  STEADY_LOAD_PROFILE_NOT_FOUND: {
    meaning: 'No load profile has the name given.',
    hint: 'Use one of the profiles in the load section of steady.config.ts, or add it.',
  },
  STEADY_LOAD_PROFILE_INVALID: {
    meaning: 'A load profile has a missing or wrong field for its executor.',
    hint: "Fix the field the message names; the profile uses k6's executor option names (docs/load.md).",
  },
  STEADY_LOAD_THRESHOLD_INVALID: {
    meaning: 'A load threshold is not a metric with an optional {tag:value} filter and a k6 threshold expression.',
    hint: "Write thresholds the k6 way, for example http_req_duration: ['p(95) < 400'].",
  },
  STEADY_LOAD_EXEC_NOT_FOUND: {
    meaning: "A profile's exec names no scenario in the scenario files.",
    hint: "Name one of the scenarios in the profile's exec.",
  },
  STEADY_LOAD_NO_WORK: {
    meaning: 'The embedded engine was started with neither a scenario nor an iterate function and VUs.',
    hint: 'Pass scenario: { file, name }.',
  },
  STEADY_LOAD_WORKERS_INVALID: {
    meaning:
      'The number of worker threads is not a whole number of at least 1, or ' +
      'several workers were asked for custom iterations.',
    hint: 'Use --workers 1 or more, and several workers only with a scenario.',
  },
  STEADY_LOAD_WORKER_FAILED: {
    meaning: 'A load worker thread failed or crashed.',
    hint: 'Run with --workers 1 to see the error in the main thread.',
  },
  STEADY_LOAD_SETUP_FAILED: {
    meaning: "A scenario file's setup failed before the load started.",
    hint: 'Run the scenario with steady run to see the failure in full.',
    exitCode: 1,
  },
  STEADY_LOAD_K6_NOT_FOUND: {
    meaning: 'A profile runs on k6, and no k6 executable was found.',
    hint: "Install k6 or set K6_BIN, or run the profile on the embedded engine (engine: 'embedded').",
  },
  STEADY_LOAD_K6_START: {
    meaning: 'The k6 executable could not be started.',
    hint: 'Check K6_BIN or the k6 on PATH.',
  },
  STEADY_EXPORT_USAGE: {
    meaning:
      'An export was asked for with options that do not fit the profile ' +
      '(parallelism, VUs, a profile that already runs a k6 script).',
    hint: 'Fix the option the message names; see steady export --help.',
  },
  STEADY_EXPORT_NOT_PLAIN: {
    meaning:
      'A scenario cannot be exported to k6: it made no request, two ' +
      'iterations made different requests, or it sends a binary body.',
    hint: 'Export scenarios whose requests are the same each iteration and send JSON, forms or text.',
  },
  STEADY_EXPORT_TRACE_FAILED: {
    meaning: 'The scenario failed while steady traced its requests for the export.',
    hint: 'Fix the scenario or the target so the scenario passes, then export again.',
    exitCode: 1,
  },
  STEADY_EXPORT_TOO_LARGE: {
    meaning: 'The exported k6 script is over the 1 MiB ConfigMap limit.',
    hint: 'Put the script on a volume (script.volumeClaim) instead.',
  },
  STEADY_EXPORT_INVALID_MANIFEST: {
    meaning: 'The k6-operator manifest steady generated does not match the TestRun CRD.',
    hint: 'Report it with the command line used: steady wrote a manifest the operator would refuse.',
  },
})

declare module '@steady/kernel' {
  interface SteadyErrorCodeTables {
    load: typeof loadErrorCodes
  }
}
