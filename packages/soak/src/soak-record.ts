/**
 * The soak's run record: its header, the writer that appends windows as
 * they close, the warnings about the plan it carries, and the soak's event
 * handler (record, live /metrics, progress).
 */
import {
  RunRecordWriter,
  comparabilityKey,
  type PairedRun,
  type Redactor,
  type RunEvent,
  type RunHeader,
  type SeriesAggregator,
  type Subject,
} from '@steady/record'
import type { ResolvedProfile } from '@steady/load'
import type { LiveMetrics } from './live-metrics.ts'
import type { ResolvedPlan } from './plan.ts'
import type { Progress } from './progress.ts'
import type { SoakControl, SoakOptions } from './soak.ts'

/** The seed of a paired soak's ABBA block order (recorded as `paired.seed`). */
export const pairSeedOf = (seed: string) => `${seed}-abba`

/** The run record's header of this soak (also for a soak stopped at preflight). */
export function soakHeader(o: SoakOptions, startedAt: Date): RunHeader {
  const plan = o.plan
  return {
    kind: 'soak',
    id: o.runId,
    startedAt: startedAt.toISOString(),
    tool: { name: 'steady', version: o.toolVersion },
    subject: o.subject,
    seed: o.seed,
    configHash: o.configHash,
    comparability: {
      ...comparabilityKey({
        planHash: plan.hash,
        durationScale: plan.durationScale,
        engine: engineOf(plan, o.profiles),
      }),
      ...(o.control ? { paired: true as const } : {}),
    },
    window: { sizeMs: plan.windowMs },
    ...(o.control ? { paired: pairedOf(o.subject, o.control, o.seed) } : {}),
  }
}

function pairedOf(candidate: Subject, control: SoakControl, seed: string): PairedRun {
  const pinned = control.pinned ? { pinned: control.pinned } : {}
  return { candidate, control: control.subject, design: 'abba', seed: pairSeedOf(seed), ...pinned }
}

function engineOf(plan: ResolvedPlan, profiles: Map<string, ResolvedProfile>): string | null {
  const engines = new Set(plan.phases.filter((p) => p.load).map((p) => profiles.get(p.load!)?.engine ?? 'embedded'))
  return engines.size ? [...engines].sort().join('+') : null
}

/** The record of a running soak, and how the window ticker closes its windows. */
export interface SoakRecord {
  writer: RunRecordWriter
  /** Writes every window that ends at or before `atMs`, whatever the time is now. */
  flushAt(atMs: number): void
}

/** Opens the run's record in `o.outDir`; windows close on the soak's clock `now`. */
export function openSoakRecord(
  o: SoakOptions,
  r: { agg: SeriesAggregator; now: () => number; startedAt: Date; redactor: Redactor },
): SoakRecord {
  // The writer closes windows up to its clock; a flush holds it at the boundary it was told.
  let closeAt: number | undefined
  const writer = new RunRecordWriter({
    dir: o.outDir,
    aggregator: r.agg,
    now: () => closeAt ?? r.now(),
    redactor: r.redactor,
    header: soakHeader(o, r.startedAt),
  })
  const flushAt = (atMs: number) => {
    closeAt = atMs
    writer.flush()
    closeAt = undefined
  }
  return { writer, flushAt }
}

/** What the record should say about the plan before it runs: closed-model load, PromQL series on a paired soak. */
export function warnAboutPlan(o: SoakOptions, writer: RunRecordWriter): void {
  const plan = o.plan
  for (const p of plan.phases) {
    if (p.load && !p.load.startsWith('__')) {
      const prof = o.profiles.get(p.load)
      if (prof && !prof.executor.includes('arrival-rate')) {
        writer.warn(
          `phase ${p.name} loads with the ${prof.executor} executor (profile ${p.load}): a closed model sends ` +
            'less load to a slower version; use constant-arrival-rate or ramping-arrival-rate for phases that ' +
            'count for the verdict',
        )
      }
    }
  }
  if (o.control && plan.prometheus) {
    // A PromQL query is one expression for the whole run: steady cannot tell which side its values belong to.
    writer.warn(
      'the PromQL series of this paired soak carry no side tag: the paired judge cannot compare them side by side',
    )
  }
}

/** The soak's event handler: into the record, counted on the live /metrics, and a progress line. */
export function soakEvents(writer: RunRecordWriter, live: LiveMetrics | undefined, progress: Progress) {
  return (e: RunEvent) => {
    // The event as the record keeps it (redacted) is what the log shows.
    const kept = writer.event(e)
    live?.events.labels(e.kind).inc()
    // Saturated windows are counted and reported once per phase (progress.endPhase), not a line per window.
    const quiet = e.kind === 'phase-start' || e.kind === 'phase-end' || e.kind === 'generator-saturated'
    if (!quiet) progress.log(`${kept.kind}: ${kept.message}`)
  }
}
