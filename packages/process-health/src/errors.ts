/**
 * The package's error class: `@steady/kernel`'s `SteadyError` (a stable
 * `code`, a message naming the file or field, a `hint` saying what to do, the
 * `exitCode` a CLI ends with), named for this package, so the CLI formats and
 * maps it like any other steady error; and the table of the codes it throws.
 */
import { SteadyError, defineErrorCodes, type SteadyErrorCode, type SteadyErrorOptions } from '@steady/kernel'

/** Exit codes this package's errors and health states map to (see docs/architecture.md). */
const HealthExitCode = {
  /** Every process judged is healthy. */
  healthy: 0,
  /** A process is degraded. */
  degraded: 1,
  /** Bad input: usage, config, unreadable store. */
  usage: 2,
  /** A process's health is unknown (too little data). */
  unknown: 3,
} as const

/** Options of a {@link ProcessHealthError}: those of every steady error. */
export type ProcessHealthErrorOptions = SteadyErrorOptions

/** An error of `@steady/process-health`: code `STEADY_HEALTH_*`, a message, a hint, an exit code. */
export class ProcessHealthError extends SteadyError {
  constructor(code: SteadyErrorCode, message: string, options: ProcessHealthErrorOptions = {}) {
    super(code, message, { ...options, exitCode: options.exitCode ?? HealthExitCode.usage })
    this.name = 'ProcessHealthError'
  }

  /**
   * Plain `instanceof`: true for this package's errors only. (`SteadyError`'s own check, which this
   * class would otherwise inherit, is true for every steady error.)
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return Function.prototype[Symbol.hasInstance].call(this, value)
  }
}

/** True for an error thrown by this package. */
export function isProcessHealthError(value: unknown): value is ProcessHealthError {
  return value instanceof ProcessHealthError
}

/**
 * The error codes @steady/process-health throws, each with what it means and what to do
 * (docs/errors.md is generated from it).
 */
export const processHealthErrorCodes = defineErrorCodes({
  STEADY_HEALTH_CONFIG_INVALID: {
    meaning:
      'The health section of steady.config.ts is malformed: not a list of ' +
      'processes, an unknown ready-made process, or a name given twice.',
    hint: "Write health: { processes: ['ci', defineProcess({ ... })] } with each process once.",
  },
  STEADY_HEALTH_DEFINITION_INVALID: {
    meaning: 'A process definition (its name, owner, indicators or their options) is not valid.',
    hint: 'Fix the field the message names; docs/process-health.md shows a complete definition.',
  },
  STEADY_HEALTH_UNKNOWN_PROCESS: {
    meaning: 'An observation or command names a process that is not declared.',
    hint: 'Declare the process in health.processes of steady.config.ts, or use one that is.',
  },
  STEADY_HEALTH_UNKNOWN_INDICATOR: {
    meaning: 'An observation names an indicator its process does not declare.',
    hint: "Use one of the process's indicators, or add the indicator to its definition.",
  },
  STEADY_HEALTH_VALUE_INVALID: {
    meaning: "An observation's value or weight does not fit its indicator's kind.",
    hint: "Give a value of the indicator's kind (a duration, a number, a ratio, pass or fail) and a weight above 0.",
  },
  STEADY_HEALTH_FIELDS_INVALID: {
    meaning: 'An observation field is not a string, number or boolean.',
    hint: 'Flatten the field to a string.',
  },
  STEADY_HEALTH_LABELS_INVALID: {
    meaning:
      "An observation's labels are too many, have a reserved or malformed name, or a value that is not a string.",
    hint: 'Keep labels to a few small sets (branch, runner, environment) with string values; put the rest in fields.',
  },
  STEADY_HEALTH_LABEL_CARDINALITY: {
    meaning: 'A label value looks unique per run (an id, a hash, a time) and would create a new series each time.',
    hint: "Put the value in the observation's fields instead of its labels.",
  },
  STEADY_HEALTH_TIME_INVALID: {
    meaning: 'A time given for an observation cannot be read.',
    hint: 'Write an ISO 8601 time with its zone, epoch seconds, or a time ago such as "2h ago".',
  },
  STEADY_HEALTH_AT_IN_FUTURE: {
    meaning: "An observation's time lies further in the future than the allowed clock skew.",
    hint: 'Record the time the thing happened, not a time to come.',
  },
  STEADY_HEALTH_DURATION_INVALID: {
    meaning:
      'A duration in process-health (a window, a timeout, a value) is not in k6 notation extended with days and weeks.',
    hint: 'Write the duration with a unit, for example 30s, 5m or 28d.',
  },
  STEADY_HEALTH_ID_INVALID: {
    meaning: 'A record id (or the id a correction supersedes) is not a valid id.',
    hint: 'Use 1 to 200 letters, digits and . _ : / @ # + -, starting with a letter or digit.',
  },
  STEADY_HEALTH_BATCH_INVALID: {
    meaning: 'A line of a batch of observations (JSON Lines) is malformed.',
    hint: 'Fix the line and field the message names; each line is one observation as JSON.',
  },
  STEADY_HEALTH_CORRECTION_NOT_FOUND: {
    meaning: 'A correction supersedes a record id that the store does not hold for that process.',
    hint: 'Name the id printed when the record was made, of the same process.',
  },
  STEADY_HEALTH_CORRECTION_UNSUPPORTED: {
    meaning: 'The store in use cannot keep corrections (Prometheus keeps only the latest value of a series).',
    hint: 'Record corrections to the file store (--store .steady/health).',
  },
  STEADY_HEALTH_IMPORT_INVALID: {
    meaning: "A file given to import history is not the CI provider's response it should be.",
    hint: 'Save the API response as it is (see docs/process-health.md, "Importing history") and import that file.',
  },
  STEADY_HEALTH_IMPORT_GIT: {
    meaning: 'A git command run to import release history failed.',
    hint:
      'Run the import in a git clone that has its tags (git fetch ' +
      '--tags; in a shallow clone, git fetch --unshallow).',
  },
  STEADY_HEALTH_STORE_READ: {
    meaning: "The file store's folder or one of its files cannot be read.",
    hint: 'Check the --store path and its permissions.',
  },
  STEADY_HEALTH_STORE_WRITE: {
    meaning:
      'An observation cannot be written to the file store (a bad process name, a non-finite value, or a failed write).',
    hint: 'Build observations with createObservation() or recordObservation(), and check the store folder is writable.',
  },
  STEADY_HEALTH_STORE_CORRUPT: {
    meaning: 'A line of the file store is not a valid stored observation.',
    hint:
      'Fix or delete that line; the store is append-only JSON Lines, and ' +
      'git history or a CI cache may hold a good copy.',
  },
  STEADY_HEALTH_STORE_LOCKED: {
    meaning: "Another writer has held the file store's lock for longer than the lock timeout.",
    hint: 'Wait for the other steady process; if none is writing, remove the lock file the message names.',
  },
  STEADY_HEALTH_STORE_READONLY: {
    meaning: 'The Prometheus store has no Pushgateway, so observations cannot be appended to it.',
    hint: 'Give the Prometheus store a pushgateway URL, or record to the file store.',
  },
  STEADY_HEALTH_PROMETHEUS_UNREACHABLE: {
    meaning: 'The Prometheus server of the Prometheus store does not answer.',
    hint: 'Check health.prometheus.url and that Prometheus is up (curl <url>/-/ready).',
  },
  STEADY_HEALTH_PROMETHEUS_QUERY: {
    meaning: 'A range query to the Prometheus store failed, or would need too many queries.',
    hint: 'Check the Prometheus URL and metric prefix, or use a larger step or a shorter window.',
  },
  STEADY_HEALTH_PUSH_FAILED: {
    meaning: 'Pushing the health metrics to the Pushgateway failed.',
    hint: 'Check the Pushgateway URL, its credentials and that it is up.',
  },
  STEADY_HEALTH_FARO_INIT: {
    meaning: 'The Faro SDK did not initialise.',
    hint: 'Report it with the installed @grafana/faro-core version.',
  },
  STEADY_HEALTH_FARO_UNREACHABLE: {
    meaning: 'The Faro receiver could not be reached after every attempt.',
    hint: 'Check the collector URL and that the collector is up.',
  },
  STEADY_HEALTH_FARO_REJECTED: {
    meaning: 'The Faro receiver refused the items with a client error (such as 400 or 401).',
    hint: 'Check the collector URL, the api key and the payload.',
  },
  STEADY_HEALTH_FARO_TOO_LARGE: {
    meaning: 'The Faro receiver refused an item as too large (HTTP 413).',
    hint: "Raise the receiver's maximum payload size, or send fewer fields.",
  },
  STEADY_HEALTH_FARO_RATE_LIMITED: {
    meaning: 'The Faro receiver rate-limited the items (HTTP 429) for longer than steady waits.',
    hint: "Raise the receiver's rate limit, or send less often.",
  },
  STEADY_HEALTH_FARO_FAILED: {
    meaning: 'The Faro receiver kept answering with server errors until steady gave up.',
    hint: "Check the collector's logs.",
  },
})

declare module '@steady/kernel' {
  interface SteadyErrorCodeTables {
    'process-health': typeof processHealthErrorCodes
  }
}
