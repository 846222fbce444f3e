/**
 * `steady compare <a.json> <b.json>`: the same findings between two runs,
 * without a baseline, for a quick look. B is judged against A by a block
 * bootstrap over windows (within-run noise only), so only changes over twice
 * the tolerance are flagged. Never used by a gate: gates use steady verdict.
 */
import type { Command } from 'commander'
import { resolve } from 'node:path'
import { ExitCode, readRunRecord } from '@steady/record'
import { compareRuns } from '@steady/baseline'
import type { CliContext } from '../context.ts'
import { version } from '../version.ts'
import { emitVerdict, gateFrom, redactorFrom, shown, verdictFormat } from './verdict.ts'

interface CompareFlags {
  gate?: string
  format: string
  output?: string
  config?: string
  all?: boolean
}

export function registerCompare(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  program
    .command('compare')
    .argument('<a>', 'the earlier run (run.json or its folder)')
    .argument('<b>', 'the later run, judged against A')
    .description('compare two runs without a baseline: the same findings, for a quick look (never for a gate)')
    .option('--gate <name>', "tolerances from this gate in steady.config.ts (default: the defaults)")
    .option('--format <format>', 'output: text, json, markdown, junit', 'text')
    .option('-o, --output <file>', 'write the comparison to a file instead of stdout')
    .option('--all', 'list every check with its sentence (passed and not judged too), not only the reasons and counts')
    .option('--config <file>', 'the steady.config.ts to read gates from')
    .addHelpText(
      'after',
      `
With one run on each side there is no run-to-run spread to judge against:
levels are compared by a block bootstrap over windows and only changes over
twice the tolerance are flagged. Exit codes as for steady verdict.

Examples:
  steady compare reports/main/run.json reports/pr-42/run.json
  steady compare reports/a reports/b --format markdown
`,
    )
    .action(async (a: string, b: string, flags: CompareFlags) => {
      const format = verdictFormat(flags.format)
      const loaded = await ctx.config(flags.config)
      const aFile = resolve(ctx.cwd, a)
      const bFile = resolve(ctx.cwd, b)
      const [ra, rb] = await Promise.all([readRunRecord(aFile), readRunRecord(bFile)])
      const verdict = compareRuns({ a: ra, b: rb, aFile: shown(ctx, aFile), bFile: shown(ctx, bFile), gate: gateFrom(loaded, flags.gate), toolVersion: version })
      await emitVerdict(ctx, verdict, format, flags.output, redactorFrom(loaded), Boolean(flags.all))
      setExit(verdict.exitCode === 0 ? ExitCode.ok : verdict.exitCode === 1 ? ExitCode.failed : ExitCode.inconclusive)
    })
}
