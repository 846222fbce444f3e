/**
 * The error class every steady package throws. An error carries a stable
 * `code` (`STEADY_CONFIG_INVALID`), a message that names the file and the
 * field, a `hint` that says what to do, and the exit code the CLI should end
 * with.
 */

const brand = Symbol.for('steady.error')

/** Exit codes shared by every command (see docs/architecture.md). */
export const ExitCode = {
  /** Done, and the gate or run passed. */
  ok: 0,
  /** Done, and the gate or run failed. */
  failed: 1,
  /** Could not do it: usage, config, scenario load error, unreadable input. */
  usage: 2,
  /** Inconclusive: no or too little baseline, incomparable runs, too little data. */
  inconclusive: 3,
  /** Interrupted by SIGINT. */
  sigint: 130,
  /** Interrupted by SIGTERM. */
  sigterm: 143,
} as const
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

/** Options of a {@link SteadyError}. */
export interface SteadyErrorOptions {
  /** One line saying what the user should do about it. */
  hint?: string
  /** The underlying error, kept for `--verbose` output. */
  cause?: unknown
  /** The exit code a CLI ends with when this error reaches it (default 2). */
  exitCode?: number
  /** Structured facts (file, field, line) for JSON output and tests. */
  details?: Record<string, unknown>
}

/** A steady error: a stable `code`, a message, a `hint`, an exit code. */
export class SteadyError extends Error {
  readonly code: string
  readonly hint: string | undefined
  readonly exitCode: number
  /**
   * The structured facts given as `details`. Not named `details` on the error itself: test runners
   * (uvu) read `err.details` as a diff string, and an object there hides the failure message.
   */
  readonly facts: Record<string, unknown>

  constructor(code: string, message: string, options: SteadyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'SteadyError'
    this.code = code
    this.hint = options.hint
    this.exitCode = options.exitCode ?? ExitCode.usage
    this.facts = options.details ?? {}
  }

  get [brand](): true {
    return true
  }

  /** `instanceof` that also holds across two installed copies of this package. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true
  }
}

/** True for any steady error, whichever copy of the package made it. */
export function isSteadyError(value: unknown): value is SteadyError {
  return value instanceof SteadyError
}
