/**
 * What `steady verdict` does besides printing the verdict: the HTML report
 * (`--report`), and recording the gate decision into the E2E-gate process of
 * @steady/process-health (on by default; `--no-record-health` or
 * `health: { recordGateDecisions: false }` turns it off), so a team sees its
 * gate's own health: pass rate, inconclusive rate, how long it takes.
 */
import { join, resolve } from 'node:path'
import type { RunRecord, Verdict } from '@steady/record'
import type { LoadedConfig } from './config.ts'
import type { CliContext } from './context.ts'

export interface VerdictOutputFlags {
  report?: boolean | string
  recordHealth?: boolean
  baseline?: string
}

export async function afterVerdict(
  ctx: CliContext,
  loaded: LoadedConfig,
  o: { record: RunRecord; verdict: Verdict; runFile: string; flags: VerdictOutputFlags; baselinePath?: string },
): Promise<void> {
  if (o.flags.report) {
    const { writeReport } = await import('@steady/report')
    const { readBaseline } = await import('@steady/baseline')
    const path =
      typeof o.flags.report === 'string'
        ? resolve(ctx.cwd, o.flags.report)
        : join(o.runFile.endsWith('.json') ? resolve(o.runFile, '..') : o.runFile, 'report.html')
    const baseline = o.baselinePath ? await readBaseline(o.baselinePath).catch(() => undefined) : undefined
    await writeReport(path, {
      record: o.record,
      verdict: o.verdict,
      ...(baseline ? { baseline } : {}),
      redaction: (loaded.config as { redaction?: object }).redaction,
    })
    ctx.err(`report: ${path}\n`)
  }
  if (o.flags.recordHealth === false || loaded.config.health?.recordGateDecisions === false) return
  try {
    const ph = await import('@steady/process-health')
    const processes = ph.resolveProcesses(loaded.config.health)
    const store = ph.openStore(loaded.config.health, processes, { dir: loaded.dir })
    const env = o.record.subject.environment
    await ph.recordGateDecision(
      store,
      {
        gate: o.verdict.gate.name,
        verdict: o.verdict.result === 'pass' ? 'pass' : o.verdict.result === 'fail' ? 'fail' : 'inconclusive',
        durationMs: o.record.durationMs,
        ...(env ? { environment: env.name } : {}),
        ...(o.record.subject.version ? { version: o.record.subject.version } : {}),
        runId: o.record.id,
      },
      { process: processes.find((p) => p.name === 'e2e-gate') ?? ph.e2eGateProcess() },
    )
  } catch (error) {
    // The gate's own health is a side record: it never changes the verdict or its exit code.
    ctx.err(`warning: could not record the gate decision for steady health: ${(error as Error).message}\n`)
  }
}
