/**
 * Reading a paired run: which series of the candidate goes with which of the
 * control (same key once the `side` tag is removed), which windows the load
 * generator saturated on either side, and each side as a record of its own.
 */
import { seriesKey } from '@steady/record/internal'
import type { RunEvent, RunRecord, SeriesRecord, SeriesWindow, Side, PairedRun, Subject } from '@steady/record'
import type { TrendPhase } from '../trends.ts'

/** A series of the candidate and the same series of the control. */
export interface SeriesPair {
  /** The series key without the `side` tag (what findings name). */
  key: string
  tags: Record<string, string>
  candidate: SeriesRecord
  control: SeriesRecord
}

/** The series' side, from its `side` tag. */
export function sideOf(s: SeriesRecord): Side | undefined {
  const v = s.tags.side
  return v === 'candidate' || v === 'control' ? v : undefined
}

/** The tags without `side`. */
function unsidedTags(tags: Record<string, string>): Record<string, string> {
  const { side: _side, ...rest } = tags
  return rest
}

/** Pairs each candidate series with the control's series of the same key (side removed); unmatched ones are dropped. */
export function seriesPairs(record: RunRecord): SeriesPair[] {
  const control = new Map<string, SeriesRecord>()
  for (const s of record.series) {
    if (sideOf(s) === 'control') control.set(seriesKey(s.source, s.name, unsidedTags(s.tags)), s)
  }
  const out: SeriesPair[] = []
  for (const s of record.series) {
    if (sideOf(s) !== 'candidate') continue
    const tags = unsidedTags(s.tags)
    const key = seriesKey(s.source, s.name, tags)
    const other = control.get(key)
    if (other) out.push({ key, tags, candidate: s, control: other })
  }
  return out
}

/**
 * Windows in which the load generator was saturated for either side: from
 * `generator-saturated` events and from any generator event-loop utilisation
 * series (one per side on a paired run) at 90% or more. Such a window did not
 * send the planned schedule to that side, so its pair says nothing.
 */
export function pairedSaturatedWindows(record: RunRecord): Set<number> {
  const out = new Set<number>()
  const size = record.window.sizeMs
  for (const e of record.events) if (e.kind === 'generator-saturated') out.add(Math.floor(e.atMs / size))
  for (const s of record.series) {
    if (s.source !== 'generator' || s.name !== 'event_loop_utilization') continue
    for (const w of s.windows) if ((w.value ?? 0) >= 0.9) out.add(w.i)
  }
  return out
}

/** The side an event of a paired run belongs to (`data.side`), or undefined for the run's own events. */
export function eventSide(e: RunEvent): Side | undefined {
  const side = e.data?.side
  return side === 'candidate' || side === 'control' ? side : undefined
}

/** One side of a paired run as an ordinary record (its series, scenarios and failures), for the unpaired checks. */
export function sideRecord(record: RunRecord, side: Side): RunRecord {
  const mine = (s: Side | undefined) => s === undefined || s === side
  return {
    ...record,
    series: record.series.filter((s) => mine(sideOf(s))),
    scenarios: record.scenarios.filter((s) => mine(s.side)),
    failures: record.failures.filter((f) => mine(f.signature.side)),
    events: record.events.filter((e) => mine(eventSide(e))),
    phases: record.phases.map((p) => (side === 'control' && p.controlLoad ? { ...p, load: p.controlLoad } : p)),
  }
}

/** Window pairs of a phase after its warm-up, outside saturated windows: `[candidate, control]` by index. */
export function windowPairs(
  pair: SeriesPair,
  phase: TrendPhase,
  windowMs: number,
  saturated: ReadonlySet<number>,
  fromWarmup = true,
): [SeriesWindow, SeriesWindow][] {
  const control = new Map(pair.control.windows.map((w) => [w.i, w]))
  const from = fromWarmup ? phase.fromMs : phase.startMs
  const out: [SeriesWindow, SeriesWindow][] = []
  for (const w of pair.candidate.windows) {
    const start = w.i * windowMs
    if (start < from || start + windowMs > phase.endMs + 1e-9 || saturated.has(w.i)) continue
    const k = control.get(w.i)
    if (k) out.push([w, k])
  }
  return out
}

/** Values in a histogram window that made it into the histogram (failed requests are counted but not timed). */
export function timedValues(w: SeriesWindow): number {
  let failed = 0
  for (const n of Object.values(w.errors ?? {})) failed += n
  return w.count - failed
}

/** `candidate 1.4.0 against control 1.3.2`: a side without a version is named by its commit, else its environment. */
export function pairedSides(paired: PairedRun): string {
  const versionOf = (s: Subject) => s.version ?? s.commit?.slice(0, 12) ?? s.environment?.name ?? '?'
  return `candidate ${versionOf(paired.candidate)} against control ${versionOf(paired.control)}`
}

/** CPU series, in the order preferred: sampled by steady from /proc, else the service's own counter. */
const CPU_SERIES = ['proc_cpu_seconds', 'process_cpu_seconds_total']

/**
 * The CPU both sides' services used over the run (seconds, summed over services), from the first CPU series
 * measured on both sides; undefined when neither side has one.
 */
export function cpuBySide(record: RunRecord): { series: string; candidate: number; control: number } | undefined {
  for (const name of CPU_SERIES) {
    const used = { candidate: 0, control: 0 }
    const seen = new Set<Side>()
    for (const s of record.series) {
      const side = sideOf(s)
      if (s.source !== 'service' || s.name !== name || !side) continue
      seen.add(side)
      for (const w of s.windows) used[side] += w.delta ?? 0
    }
    if (seen.size === 2) return { series: name, ...used }
  }
  return undefined
}
