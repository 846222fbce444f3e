/**
 * How a CLI prints a steady error. The error class (`SteadyError`, with its
 * stable code, hint and exit code) and the exit codes live in
 * `@steady/kernel`; this package re-exports them, so every package that
 * imports them from `@steady/record` keeps doing so.
 */
import { isSteadyError } from '@steady/kernel'
import { terminalText } from './terminal.ts'

/**
 * The two lines a CLI prints for an error: what went wrong, and what to do.
 * Unknown errors keep their message; their stack is only for `verbose`.
 */
export function formatError(error: unknown, verbose = false): string {
  // Messages quote names, paths and answers from outside: made safe for the terminal they are printed on.
  if (isSteadyError(error)) {
    const lines = [`error: ${terminalText(error.message)}`]
    if (error.hint) lines.push(`  → ${terminalText(error.hint)}`)
    if (verbose && error.cause instanceof Error && error.cause.stack) lines.push(error.cause.stack)
    return lines.join('\n')
  }
  if (error instanceof Error) {
    return terminalText(verbose && error.stack ? `error: ${error.stack}` : `error: ${error.message}`)
  }
  return `error: ${terminalText(String(error))}`
}
