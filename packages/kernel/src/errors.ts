/**
 * The error class every steady package throws. An error carries a stable
 * `code` (`STEADY_CONFIG_INVALID`), a message that names the file and the
 * field, a `hint` that says what to do, and the exit code the CLI should end
 * with. Every code is declared once, in the table of the package that throws
 * it (`defineErrorCodes` in its `src/errors.ts`); `SteadyError` takes no other.
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

/** One declared error code: what went wrong, and generically what to do (each throw gives its own, sharper hint). */
export interface SteadyErrorCodeInfo {
  /** One sentence: what went wrong. */
  readonly meaning: string
  /** One sentence: what to do about it, whatever the call site. */
  readonly hint: string
  /**
   * The exit code every error with this code ends with, when it is not the default 2; a list when
   * it depends on the case.
   */
  readonly exitCode?: number | readonly number[]
}

/**
 * Declares a package's table of the error codes it throws (`STEADY_<AREA>_<WHAT>`
 * → meaning, hint, exit code) and returns it unchanged. Its type keeps the
 * codes, which is what {@link SteadyErrorCode} needs, and not the sentences, so
 * rewording a hint changes no API report.
 */
export function defineErrorCodes<const Code extends `STEADY_${string}`>(
  table: Record<Code, SteadyErrorCodeInfo>,
): Readonly<Record<Code, SteadyErrorCodeInfo>> {
  return table
}

/**
 * Every package's table of error codes, by package. Kernel declares its own
 * here; every other package adds its table from its `src/errors.ts` by module
 * augmentation (`declare module '@steady/kernel' { interface
 * SteadyErrorCodeTables { record: typeof recordErrorCodes } }`), and its
 * entries import that file, so whoever imports a package sees its codes.
 */
export interface SteadyErrorCodeTables {
  kernel: typeof kernelErrorCodes
}

/** A declared error code: a key of one of the tables in {@link SteadyErrorCodeTables}. */
export type SteadyErrorCode = {
  [K in keyof SteadyErrorCodeTables]: keyof SteadyErrorCodeTables[K] & string
}[keyof SteadyErrorCodeTables]

/** The codes kernel throws, and the generic ones every package uses (docs/errors.md is generated from the tables). */
export const kernelErrorCodes = defineErrorCodes({
  STEADY_USAGE: {
    meaning: 'A command was called with arguments or options that do not fit together or are missing.',
    hint: "Read the message, then the command's --help or docs/cli.md, and call it again.",
  },
  STEADY_CONFIG_INVALID: {
    meaning:
      'A field of steady.config.ts (or an option that stands for one, such as --target) has the wrong type or form.',
    hint: 'Fix the field the message names, in the form its hint shows.',
  },
  STEADY_DURATION_INVALID: {
    meaning: 'A duration is not in k6 notation (a number with a unit, such as 250ms, 30s, 5m or 1h30m).',
    hint: 'Write the duration with a unit, for example 30s or 1h30m.',
  },
})

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
  readonly code: SteadyErrorCode
  readonly hint: string | undefined
  readonly exitCode: number
  /**
   * The structured facts given as `details`. Not named `details` on the error itself: test runners
   * (uvu) read `err.details` as a diff string, and an object there hides the failure message.
   */
  readonly facts: Record<string, unknown>

  constructor(code: SteadyErrorCode, message: string, options: SteadyErrorOptions = {}) {
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
