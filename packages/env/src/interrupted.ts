import { ExitCode, SteadyError } from '@steady/record'

/**
 * The error an interrupted start or run ends with: the signal's exit code
 * (130 for SIGINT, 143 for SIGTERM), after the teardown has run.
 */
export function interrupted(signal: AbortSignal, environment: string): SteadyError {
  const reason = typeof signal.reason === 'string' ? signal.reason : 'abort'
  return new SteadyError('STEADY_INTERRUPTED', `interrupted by ${reason}: environment "${environment}" was torn down`, {
    hint: 'run the command again when you are ready',
    exitCode: reason === 'SIGTERM' ? ExitCode.sigterm : ExitCode.sigint,
    details: { environment, signal: reason },
  })
}
