/**
 * The package's error class: `@steady/kernel`'s `SteadyError` (a stable
 * `code`, a message naming the file or field, a `hint` saying what to do, the
 * `exitCode` a CLI ends with), named for this package, so the CLI formats and
 * maps it like any other steady error.
 */
import { SteadyError, type SteadyErrorOptions } from '@steady/kernel'

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
  constructor(code: string, message: string, options: ProcessHealthErrorOptions = {}) {
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
