/**
 * The `steady` program: parses arguments with commander and hands each command
 * to a module in `commands/`. Errors become one line of what went wrong and one
 * line of what to do, with the exit codes of ARCHITECTURE.md.
 */
import { Command, CommanderError } from 'commander'
import { ExitCode, formatError, isSteadyError } from '@steady/record'
import { loadConfig, type LoadedConfig } from './config.ts'
import type { CliContext } from './context.ts'
import { installInterrupt } from './interrupt.ts'
import { commandLoaders, loadCommands, type RegisterCommand } from './commands/index.ts'
import { version } from './version.ts'

export interface MainOptions {
  cwd?: string
  env?: NodeJS.ProcessEnv
  out?: (text: string) => void
  err?: (text: string) => void
  isTTY?: boolean
}

/**
 * Builds the commander program with the given commands registered (all of
 * them, from `await loadCommands()`, to generate the CLI reference).
 */
export function createProgram(ctx: CliContext, setExit: (code: number) => void, commands: readonly RegisterCommand[]): Command {
  const program = new Command('steady')
  program
    .description('Tells a release gate whether a new version of an HTTP service is working and stable.')
    .version(version, '-v, --version')
    .option('--verbose', 'print stack traces of unexpected errors')
    .showHelpAfterError('(run with --help for usage and examples)')
    .configureOutput({ writeOut: (s) => ctx.out(s), writeErr: (s) => ctx.err(s) })
    .exitOverride()
  for (const register of commands) register(program, ctx, setExit)
  // Subcommands inherit output and error handling.
  const inherit = (cmd: Command) => {
    for (const sub of cmd.commands) {
      sub.configureOutput({ writeOut: (s) => ctx.out(s), writeErr: (s) => ctx.err(s) }).exitOverride()
      if (!sub.commands.length) sub.showHelpAfterError('(run with --help for usage and examples)')
      inherit(sub)
    }
  }
  inherit(program)
  return program
}

/** Runs the CLI with `argv` (without `node` and the script) and resolves to the exit code. */
export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  const out = options.out ?? ((s: string) => void process.stdout.write(s))
  const err = options.err ?? ((s: string) => void process.stderr.write(s))
  const env = options.env ?? process.env
  const isTTY = options.isTTY ?? Boolean(process.stdout.isTTY)
  const interrupt = installInterrupt((line) => err(line + '\n'))
  const configs = new Map<string, Promise<LoadedConfig>>()
  const cwd = options.cwd ?? process.cwd()
  const ctx: CliContext = {
    cwd,
    out,
    err,
    isTTY,
    color: isTTY && !env.NO_COLOR && env.TERM !== 'dumb',
    signal: interrupt.signal,
    env,
    config: (explicit) => {
      const key = explicit ?? ''
      let p = configs.get(key)
      if (!p) configs.set(key, (p = loadConfig(cwd, explicit)))
      return p
    },
  }
  let exitCode: number = ExitCode.ok
  // Only the command being run is loaded; help and unknown commands load them all.
  const first = argv.find((a) => !a.startsWith('-'))
  const commands = await loadCommands(commandLoaders.some((c) => c.name === first) ? first : undefined)
  const program = createProgram(ctx, (code) => (exitCode = code), commands)
  try {
    if (argv.length === 0) {
      program.outputHelp()
      return ExitCode.usage
    }
    await program.parseAsync(argv, { from: 'user' })
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with a zero code; usage errors were already printed.
      exitCode = error.exitCode === 0 ? ExitCode.ok : ExitCode.usage
    } else {
      err(formatError(error, Boolean(program.opts().verbose)) + '\n')
      exitCode = isSteadyError(error) ? error.exitCode : ExitCode.usage
    }
  } finally {
    interrupt.dispose()
  }
  return interrupt.exitCode() ?? exitCode
}
