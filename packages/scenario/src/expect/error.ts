import { kExpectation } from '../symbols.ts'

/** Details of a failed expectation. */
export interface ExpectationDetails {
  /** The matcher that failed (`toHaveStatus`). */
  matcher: string
  /** A readable diff, `- expected` / `+ received` lines. */
  diff?: string
  /** The response the expectation was about, if any (shown in the failure sample). */
  subject?: unknown
}

/** Thrown by a failed `expect(...)`; the runner turns it into a failure sample with its diff. */
export class ExpectationError extends Error {
  readonly matcher: string
  readonly diff: string | undefined
  readonly subject: unknown
  readonly [kExpectation] = true

  constructor(message: string, details: ExpectationDetails) {
    super(message)
    this.name = 'ExpectationError'
    this.matcher = details.matcher
    this.diff = details.diff
    this.subject = details.subject
  }
}

/** True for an expectation failure from any copy of this package. */
export function isExpectationError(value: unknown): value is ExpectationError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kExpectation] === true
}
