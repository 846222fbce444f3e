/**
 * The package's error class. It has the shape of every steady error (a stable
 * `code`, a message naming the file or field, a `hint` saying what to do, the
 * `exitCode` a CLI ends with) and carries the same brand as `@steady/record`'s
 * `SteadyError`, so the CLI formats and maps it like any other steady error,
 * without this package importing another steady package.
 */

const brand = Symbol.for('steady.error')

/** Exit codes this package's errors and health states map to (see ARCHITECTURE.md). */
export const HealthExitCode = {
  /** Every process judged is healthy. */
  healthy: 0,
  /** A process is degraded. */
  degraded: 1,
  /** Bad input: usage, config, unreadable store. */
  usage: 2,
  /** A process's health is unknown (too little data). */
  unknown: 3,
} as const

/** Options of a {@link ProcessHealthError}. */
export interface ProcessHealthErrorOptions {
  /** One line saying what the user should do about it. */
  hint?: string
  /** The underlying error. */
  cause?: unknown
  /** The exit code a CLI ends with when this error reaches it (default 2). */
  exitCode?: number
  /** Structured facts (file, field, value) for JSON output and tests. */
  details?: Record<string, unknown>
}

/** An error of `@steady/process-health`: code `STEADY_HEALTH_*`, a message, a hint, an exit code. */
export class ProcessHealthError extends Error {
  readonly code: string
  readonly hint: string | undefined
  readonly exitCode: number
  /**
   * The structured facts given as `details`. Not named `details` on the error itself: test runners
   * (uvu) read `err.details` as a diff string, and an object there hides the failure message.
   */
  readonly facts: Record<string, unknown>

  constructor(code: string, message: string, options: ProcessHealthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'ProcessHealthError'
    this.code = code
    this.hint = options.hint
    this.exitCode = options.exitCode ?? HealthExitCode.usage
    this.facts = options.details ?? {}
  }

  /** The brand `@steady/record`'s `isSteadyError` recognises. */
  get [brand](): true {
    return true
  }
}

/** True for an error thrown by this package. */
export function isProcessHealthError(value: unknown): value is ProcessHealthError {
  return value instanceof ProcessHealthError
}
