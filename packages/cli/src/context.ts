import { terminalText } from '@steady/record/internal'
import type { LoadedConfig } from './config.ts'

/**
 * What every command gets from the CLI shell: where to print, whether the
 * output is a terminal, the interrupt signal, and the config (loaded once, on
 * first use, so commands that need none never pay for it).
 */
export interface CliContext {
  /** The working directory the command was started in. */
  readonly cwd: string
  /** Writes to stdout (results: tables, JSON, verdicts). */
  readonly out: (text: string) => void
  /** Writes to stderr (progress, warnings, errors). */
  readonly err: (text: string) => void
  /** True when stdout is a terminal (live progress lines, colour). */
  readonly isTTY: boolean
  /** True when colour may be used (a terminal and no `NO_COLOR`). */
  readonly color: boolean
  /** Aborted by SIGINT/SIGTERM; long work stops, writes what it has and tears down. */
  readonly signal: AbortSignal
  /** The config, from `--config <file>` or the nearest `steady.config.ts`. */
  readonly config: (explicit?: string) => Promise<LoadedConfig>
  /** Environment variables (injectable for tests of the wiring). */
  readonly env: NodeJS.ProcessEnv
}

/**
 * The same context with every line it prints made safe for a terminal and a CI log (control characters escaped,
 * a line starting with `::` neutralised), for commands whose output carries names and labels from outside and
 * no colour of its own (health, load, baseline show). Escaping is idempotent, so text already made safe passes.
 */
export function escapedOutput(ctx: CliContext): CliContext {
  return { ...ctx, out: (text) => ctx.out(terminalText(text)), err: (text) => ctx.err(terminalText(text)) }
}
