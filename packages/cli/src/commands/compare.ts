/**
 * `steady compare <a.json> <b.json>`: the same findings between two runs,
 * without a baseline, for a quick look. B is judged against A by a block
 * bootstrap over windows (within-run noise only), so only changes over twice
 * the tolerance are flagged. Never used by a gate: gates use steady verdict.
 *
 * `steady compare <paired run.json>`: the two sides of one paired run, the
 * candidate against the control, window by window (the paired judge).
 */
import type { Command } from 'commander'
import { resolve } from 'node:path'
import { ExitCode, readRunRecord, SteadyError } from '@steady/record'
import { compareRuns, judgePaired } from '@steady/baseline'
import { isPairedRecord } from '@steady/baseline/internal'
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
    .argument('<a>', 'the earlier run (run.json or its folder), or one paired run')
    .argument('[b]', 'the later run, judged against A (leave out for a paired run: its candidate against its control)')
    .description(
      'compare two runs without a baseline, or the two sides of a paired run: the same findings, for a quick look',
    )
    .option('--gate <name>', 'tolerances from this gate in steady.config.ts (default: the defaults)')
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

With one paired run (steady soak --paired), its candidate side is compared
with its control side window by window, as steady verdict does.

Examples:
  steady compare reports/main/run.json reports/pr-42/run.json
  steady compare reports/paired/run.json
  steady compare reports/a reports/b --format markdown
`,
    )
    .action(async (a: string, b: string | undefined, flags: CompareFlags) => {
      const format = verdictFormat(flags.format)
      const loaded = await ctx.config(flags.config)
      const aFile = resolve(ctx.cwd, a)
      if (b === undefined) {
        const record = await readRunRecord(aFile)
        if (!isPairedRecord(record)) {
          const what = `${shown(ctx, aFile)} is not a paired run, and steady compare needs two runs for it`
          throw new SteadyError('STEADY_COMPARE_ONE_RUN', what, {
            hint: 'name the run to compare it with (steady compare <a> <b>), or make one with steady soak --paired',
          })
        }
        const gate = gateFrom(loaded, flags.gate)
        const verdict = judgePaired({ record, runFile: shown(ctx, aFile), gate, toolVersion: version })
        await emitVerdict(ctx, verdict, format, flags.output, redactorFrom(loaded), Boolean(flags.all))
        setExit(verdict.exitCode === 0 ? ExitCode.ok : verdict.exitCode === 1 ? ExitCode.failed : ExitCode.inconclusive)
        return
      }
      const bFile = resolve(ctx.cwd, b)
      const [ra, rb] = await Promise.all([readRunRecord(aFile), readRunRecord(bFile)])
      const verdict = compareRuns({
        a: ra,
        b: rb,
        aFile: shown(ctx, aFile),
        bFile: shown(ctx, bFile),
        gate: gateFrom(loaded, flags.gate),
        toolVersion: version,
      })
      await emitVerdict(ctx, verdict, format, flags.output, redactorFrom(loaded), Boolean(flags.all))
      setExit(verdict.exitCode === 0 ? ExitCode.ok : verdict.exitCode === 1 ? ExitCode.failed : ExitCode.inconclusive)
    })
}
