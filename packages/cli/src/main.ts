/**
 * The `steady` program: parses arguments with commander and hands each command
 * to a module in `commands/`. Errors become one line of what went wrong and one
 * line of what to do, with the exit codes of ARCHITECTURE.md.
 */
import { Command, CommanderError } from 'commander'
import { ExitCode, isSteadyError } from '@steady/record'
import { formatError } from '@steady/record/internal'
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
export function createProgram(
  ctx: CliContext,
  setExit: (code: number) => void,
  commands: readonly RegisterCommand[],
): Command {
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
      refuseUnknownSubcommand(sub)
      inherit(sub)
    }
  }
  inherit(program)
  return program
}

/**
 * Commander's own usage error `unknown command 'x'` with its closest match
 * (`(Did you mean show?)`), exit 2. `unknownCommand` is commander's method
 * behind that message (not in its typings); the fallback keeps the exit code
 * if a commander release renames it.
 */
function unknownCommand(cmd: Command, name: string): never {
  cmd.args = [name]
  const internal = cmd as unknown as { unknownCommand?: () => never }
  if (typeof internal.unknownCommand === 'function') internal.unknownCommand()
  return cmd.error(`error: unknown command '${name}'`, { code: 'commander.unknownCommand', exitCode: ExitCode.usage })
}

/**
 * A command with subcommands and an action of its own (`steady health`)
 * would read a misspelt subcommand (`steady health recrod`) as an excess
 * argument, or run its action: a typo in a CI step must be a usage error
 * naming the closest subcommand instead.
 */
function refuseUnknownSubcommand(cmd: Command): void {
  if (!cmd.commands.length || cmd.registeredArguments.length) return
  cmd.allowExcessArguments(true)
  cmd.hook('preAction', (_hooked, actionCommand) => {
    if (actionCommand === cmd && cmd.args.length) unknownCommand(cmd, cmd.args[0]!)
  })
}

/**
 * `steady help frob` (or `steady baseline help shwo`) prints commander's
 * parent help and exits 0; the named command must exist. Walks the leading
 * command names of `argv` (options end the walk: they may take values).
 */
function checkHelpTarget(program: Command, argv: readonly string[]): void {
  let cmd = program
  for (let i = 0; i < argv.length && !argv[i]!.startsWith('-'); i++) {
    const word = argv[i]!
    const next = argv[i + 1]
    if (word === 'help' && cmd.commands.length && next !== undefined && !next.startsWith('-')) {
      if (!cmd.commands.some((c) => c.name() === next || c.aliases().includes(next))) unknownCommand(cmd, next)
      return
    }
    const sub = cmd.commands.find((c) => c.name() === word || c.aliases().includes(word))
    if (!sub) return
    cmd = sub
  }
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
    checkHelpTarget(program, argv)
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
