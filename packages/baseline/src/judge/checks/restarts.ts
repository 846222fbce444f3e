/** Restarts and crashes of the service during the run. */
import type { Finding, RunEvent } from '@steady/record'
import type { Check, JudgeContext } from '../context.ts'
import { at } from '../check.ts'

function phaseAt(ctx: JudgeContext, atMs: number): string | undefined {
  return ctx.current.phases.find((p) => atMs >= p.startMs && atMs < p.endMs)?.name
}

/** Restarts and crashes: each a failing finding with its time and phase. */
export function restartChecks(ctx: JudgeContext): Check[] {
  const checks: Check[] = []
  const events = ctx.record.events.filter(
    (e): e is RunEvent & { kind: 'service-restart' | 'service-crash' } =>
      e.kind === 'service-restart' || e.kind === 'service-crash',
  )
  events.forEach((e, i) => {
    const kind = e.kind === 'service-crash' ? 'crash' : 'restart'
    const phase = phaseAt(ctx, e.atMs)
    const finding: Finding = {
      id: `${kind}:${i + 1}`,
      kind,
      question: 'stable',
      status: 'fail',
      primary: true,
      atMs: e.atMs,
      evidence: { event: e.message },
      message: '',
    }
    if (phase) finding.phase = phase
    checks.push({
      finding,
      decided: 'fail',
      severity: kind === 'crash' ? 'critical' : 'major',
      describe: () => restartSentence(kind, e.atMs, phase, e.message),
    })
  })
  return checks
}

function restartSentence(kind: 'crash' | 'restart', atMs: number, phase: string | undefined, message: string): string {
  const where = phase ? ` (phase ${phase})` : ''
  return `the service ${kind === 'crash' ? 'crashed' : 'restarted'} ${at(atMs)} into the run${where}: ${message}`
}
