/**
 * `steady report`: the HTML stability report of a run, with its verdict and
 * baseline when given. One self-contained file; the work is
 * `renderReport()` in @steady/report.
 */
import type { Command } from 'commander'
import { resolve } from 'node:path'
import { ExitCode, isSteadyError, SteadyError, type RedactionOptions } from '@steady/record'
import { defaultReportPath } from '@steady/report/internal'
import { readReportInput, writeReport } from '@steady/report'
import type { CliContext } from '../context.ts'

interface ReportFlags {
  baseline?: string
  verdict?: string
  output?: string
  config?: string
}

export function registerReport(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  program
    .command('report')
    .argument('<run>', 'a run.json, or the run folder holding one')
    .description(
      'write the HTML stability report of a run: one self-contained file (verdict, tables, charts, failures)',
    )
    .option('--baseline <file>', 'the baseline to compare with (baselines/<service>.json)')
    .option(
      '--verdict <file>',
      'the verdict on this run (what steady verdict --format json wrote); without it the report says it has none',
    )
    .option('-o, --output <file>', 'where to write the report (default: report.html beside run.json)')
    .option('--config <file>', 'the steady.config.ts whose redaction rules apply (default: the nearest one)')
    .addHelpText(
      'after',
      `
Examples:
  steady report reports/2026-11-26T06-40-12Z-7f3a
` +
        '  steady report reports/ci/run.json --baseline baselines/demo-store.json ' +
        '--verdict reports/ci/verdict.json -o reports/ci/report.html\n',
    )
    .action(async (run: string, flags: ReportFlags) => {
      const loaded = await ctx.config(flags.config)
      const redaction = loaded.config.redaction as RedactionOptions | undefined
      const runPath = resolve(ctx.cwd, run)
      const input = await readReportInput({
        run: runPath,
        ...(flags.verdict ? { verdict: resolve(ctx.cwd, flags.verdict) } : {}),
        ...(flags.baseline ? { baseline: resolve(ctx.cwd, flags.baseline) } : {}),
        ...(redaction ? { redaction } : {}),
      })
      if (flags.baseline) input.baselineName = flags.baseline
      const output = flags.output ? resolve(ctx.cwd, flags.output) : defaultReportPath(runPath)
      try {
        await writeReport(output, input)
      } catch (error) {
        if (isSteadyError(error)) throw error
        // Inputs are validated on read, so this is a record the report cannot draw: name it, never a bare TypeError.
        const inputs = [run, flags.verdict, flags.baseline].filter(Boolean).join(', ')
        const why = (error as Error).message
        throw new SteadyError('STEADY_REPORT_RENDER', `could not draw the report of ${inputs}: ${why}`, {
          hint:
            `check the run with steady record validate ${run}; if it is valid, this is a bug in steady report: ` +
            'report it with the run record',
          cause: error,
          details: { file: runPath },
        })
      }
      const v = input.verdict
      // Say how the run was judged: a gate against a baseline, a paired run's control, or another run.
      const how =
        v &&
        (v.mode === 'verdict'
          ? ` (gate ${v.gate.name})`
          : v.mode === 'paired'
            ? ` (gate ${v.gate.name}, paired: candidate against control in the same run)`
            : ' (compare)')
      ctx.out(
        `wrote ${output}\n` +
          (v
            ? `  verdict: ${v.result}${how}, ${v.findings.filter((f) => f.status === 'fail').length} failing findings\n`
            : '  no verdict: the report says so; pass --verdict <verdict.json> to show one\n'),
      )
      setExit(ExitCode.ok)
    })
}
