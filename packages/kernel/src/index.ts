/**
 * @steady/kernel: what every steady package needs, with no dependencies: the
 * error class and exit codes, durations, clocks (the real one, a virtual one
 * for tests, the wall clock), seeded random generators, descriptive and
 * robust statistics, the distributions the judges compute p-values with,
 * number rounding, the book that groups failures by signature, and URLs with
 * credentials split and masked. It imports
 * nothing; every steady package may import it.
 */
export { SteadyError, isSteadyError, ExitCode, defineErrorCodes } from './errors.ts'
/** @public */
export type { SteadyErrorOptions, ExitCodeValue } from './errors.ts'
export type { SteadyErrorCode, SteadyErrorCodeTables, SteadyErrorCodeInfo } from './errors.ts'
export { parseDuration, formatDuration } from './duration.ts'
export type { Duration, DurationSyntax } from './duration.ts'
export { realClock, VirtualClock, systemClock } from './clock.ts'
export type { Clock, WallClock } from './clock.ts'
export { Random, mulberry32, fnv1a } from './random.ts'
export { mean, sd, quantile, median } from './stats.ts'
export { theilSen, theilSenLine, mannKendallS } from './trend.ts'
export type { Point } from './trend.ts'
export {
  logGamma,
  incompleteBeta,
  tCdf,
  tSf,
  tQuantile,
  normalCdf,
  normalSf,
  normalQuantile,
  betaBinomialSf,
  wilsonInterval,
  wilsonBounds,
  clopperPearson,
  binomialSf,
} from './distributions.ts'
export { roundTo, roundSignificant } from './format.ts'
export { FailureBook } from './failure-book.ts'
export { splitUrlCredentials, maskUrlPassword, safeDecode, httpUrlProblem } from './url-credentials.ts'
