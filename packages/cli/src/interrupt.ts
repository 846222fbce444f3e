/**
 * Ctrl-C and SIGTERM become an AbortSignal that long work listens to: a run
 * stops, writes its partial record and tears its environment down, then the
 * CLI exits 130 (SIGINT) or 143 (SIGTERM). A second signal while tearing down
 * is ignored once and then forces the exit, so a stuck teardown cannot trap
 * the user.
 */
import { ExitCode } from '@steady/record'

export interface Interrupt {
  /** Aborted on the first SIGINT/SIGTERM; `signal.reason` is the signal name. */
  readonly signal: AbortSignal
  /** The signal that arrived, if any. */
  readonly received: () => NodeJS.Signals | undefined
  /** The exit code the signal asks for, if any. */
  readonly exitCode: () => number | undefined
  /** Removes the handlers (after the command is done). */
  readonly dispose: () => void
}

export function installInterrupt(log: (line: string) => void): Interrupt {
  const controller = new AbortController()
  let received: NodeJS.Signals | undefined
  let count = 0
  const handler = (sig: NodeJS.Signals) => {
    count++
    if (count === 1) {
      received = sig
      log(`\nreceived ${sig}: stopping, writing what was recorded and tearing down (press Ctrl-C twice more to force)`)
      controller.abort(sig)
    } else if (count >= 3) {
      log(`received ${sig} again: exiting without finishing the teardown`)
      process.exit(sig === 'SIGINT' ? ExitCode.sigint : ExitCode.sigterm)
    }
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
  return {
    signal: controller.signal,
    received: () => received,
    exitCode: () => (received === 'SIGINT' ? ExitCode.sigint : received === 'SIGTERM' ? ExitCode.sigterm : undefined),
    dispose: () => {
      process.off('SIGINT', handler)
      process.off('SIGTERM', handler)
    },
  }
}
