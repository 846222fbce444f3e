import type { Command } from 'commander'
import type { CliContext } from '../context.ts'

/** A command module: adds one top-level command (with its subcommands) to the program. */
export type RegisterCommand = (program: Command, ctx: CliContext, setExit: (code: number) => void) => void

/**
 * Every command, in the order `steady --help` lists them. Each lives in its
 * own file, imported only when it runs (or for help), so `steady run` does not
 * pay for loading the soak, load, report and baseline packages. Add one line
 * here per command.
 */
export const commandLoaders: readonly { name: string; load: () => Promise<RegisterCommand> }[] = [
  { name: 'init', load: async () => (await import('./init.ts')).registerInit },
  { name: 'run', load: async () => (await import('./run.ts')).registerRun },
  { name: 'load', load: async () => (await import('./load.ts')).registerLoad },
  { name: 'export', load: async () => (await import('./export.ts')).registerExport },
  { name: 'soak', load: async () => (await import('./soak.ts')).registerSoak },
  { name: 'verdict', load: async () => (await import('./verdict.ts')).registerVerdict },
  { name: 'compare', load: async () => (await import('./compare.ts')).registerCompare },
  { name: 'baseline', load: async () => (await import('./baseline.ts')).registerBaseline },
  { name: 'report', load: async () => (await import('./report.ts')).registerReport },
  { name: 'record', load: async () => (await import('./record.ts')).registerRecord },
  { name: 'env', load: async () => (await import('./env.ts')).registerEnv },
  { name: 'health', load: async () => (await import('./health.ts')).registerHealth },
]

/** The register functions of one command (by name), or of every command. */
export async function loadCommands(only?: string): Promise<RegisterCommand[]> {
  const picked = only === undefined ? commandLoaders : commandLoaders.filter((c) => c.name === only)
  return Promise.all(picked.map((c) => c.load()))
}
