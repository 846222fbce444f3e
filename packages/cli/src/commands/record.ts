/**
 * `steady record`: look after run records — rebuild one a killed runner left
 * as events (`recover`), or check one (`validate`).
 */
import type { Command } from 'commander'
import { ExitCode, readRunRecord } from '@steady/record'
import { recoverRunRecord, formatDuration } from '@steady/record/internal'
import type { CliContext } from '../context.ts'

export function registerRecord(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  const record = program.command('record').description('recover and validate run records')

  record
    .command('recover')
    .argument('<dir>', 'the run folder (the --out of steady soak/load/run) holding events.ndjson')
    .description(
      'compact the events file of a run whose runner was killed (SIGKILL, out of memory) ' +
        'into run.json, marked incomplete',
    )
    .addHelpText('after', '\nExamples:\n  steady record recover reports/2026-11-26T06-40-12Z-7f3a\n')
    .action((dir: string) => {
      const r = recoverRunRecord(dir)
      ctx.out(
        `recovered ${r.id}: ${r.kind}, ${formatDuration(r.durationMs)}, ${r.series.length} series, ` +
          `${r.scenarios.reduce((n, s) => n + s.iterations, 0)} iterations, complete: ${r.complete}\n` +
          `wrote ${dir.replace(/\/$/, '')}/run.json\n`,
      )
      setExit(ExitCode.ok)
    })

  record
    .command('validate')
    .argument('<file>', 'a run.json, or the folder holding one')
    .description('check a run record against the steady.run/1 schema')
    .action(async (file: string) => {
      const r = await readRunRecord(file)
      const incomplete = r.complete ? '' : ` (incomplete: ${r.incompleteReason ?? 'unknown reason'})`
      ctx.out(`${file}: valid steady.run/1 ${r.kind} record ${r.id}${incomplete}\n`)
      setExit(ExitCode.ok)
    })
}
