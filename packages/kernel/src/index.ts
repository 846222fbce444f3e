/**
 * @steady/kernel: what every steady package needs, with no dependencies: the
 * error class and exit codes, durations, and number rounding. It imports
 * nothing; every steady package may import it.
 */
export { SteadyError, isSteadyError, ExitCode } from './errors.ts'
export type { SteadyErrorOptions, ExitCodeValue } from './errors.ts'
export { parseDuration, formatDuration, durationUnitMs, k6Durations } from './duration.ts'
export type { Duration, DurationUnit, DurationSyntax } from './duration.ts'
export { roundTo, roundSignificant } from './format.ts'
