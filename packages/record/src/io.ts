/**
 * Writing and reading run records.
 *
 * A long run writes as it goes: an append-only `events.ndjson`, flushed (and
 * fsynced) every window, then compacted into `run.json` atomically at the end.
 * After SIGINT/SIGTERM the runner still compacts, marking the record
 * `complete: false`; after SIGKILL or an out-of-memory kill,
 * {@link recoverRunRecord} compacts the events file that is left.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { FailureBook, SteadyError, maskUrlPassword } from '@steady/kernel'
import { writeFileAtomicSync } from './atomic.ts'
import { parseJsonText, readRegularFile, type JsonFileKind } from './json-file.ts'
import { HISTOGRAM_PARAMETERS, LatencyHistogram } from './histogram.ts'
import { Redactor } from './redact.ts'
import { assertValid, runRecordSchema } from './schema.ts'
import { addBuckets, type SeriesAggregator, type WindowBatch } from './aggregator.ts'
import {
  RUN_SCHEMA,
  signatureKey,
  type FailureGroup,
  type FailureSample,
  type FailureSignature,
  type PhaseAggregate,
  type PhaseRecord,
  type RunEvent,
  type RunRecord,
  type ScenarioRecord,
  type SeriesRecord,
  type SeriesWindow,
  type Side,
  type Subject,
} from './run-record.ts'

/** The parts of a record known when the run starts. */
export type RunHeader = Pick<
  RunRecord,
  'kind' | 'id' | 'startedAt' | 'tool' | 'subject' | 'seed' | 'configHash' | 'comparability' | 'window' | 'paired'
>

const EVENTS_FILE = 'events.ndjson'
export const RECORD_FILE = 'run.json'

/** How many samples per failure signature are kept at each end. */
const keepSamples = 3

type Line =
  | { t: 'start'; header: RunHeader }
  | {
      t: 'series'
      key: string
      source: SeriesRecord['source']
      name: string
      kind: SeriesRecord['kind']
      unit: string
      tags: Record<string, string>
    }
  | { t: 'window'; i: number; series: { key: string; window: SeriesWindow }[] }
  | { t: 'phase'; phase: PhaseRecord; aggregates: Record<string, PhaseAggregate> }
  | { t: 'event'; event: RunEvent }
  | { t: 'failures'; groups: FailureGroup[] }
  | { t: 'scenarios'; scenarios: ScenarioRecord[] }
  | { t: 'warning'; text: string }
  | { t: 'end'; complete: boolean; incompleteReason?: string; endedAt: string; durationMs: number }

export interface RunRecordWriterOptions {
  /** The run's folder (`reports/<run-id>`); created if missing. */
  dir: string
  header: RunHeader
  aggregator: SeriesAggregator
  /** Masks secrets in failure samples before they are stored. */
  redactor?: Redactor
  /** Monotonic ms since the run started (the aggregator's clock). */
  now: () => number
  /** Wall clock, for `endedAt`. */
  wallClock?: () => Date
}

/**
 * Writes one run: events as they happen, the compact `run.json` at the end.
 * Every method is synchronous on purpose: a signal handler can call
 * {@link finish} and the record is on disk before the process exits.
 */
export class RunRecordWriter {
  readonly dir: string
  readonly eventsPath: string
  readonly recordPath: string
  readonly #header: RunHeader
  readonly #agg: SeriesAggregator
  readonly #redactor: Redactor
  readonly #now: () => number
  readonly #wall: () => Date
  readonly #declared = new Set<string>()
  readonly #failures = new FailureBook<FailureSignature, FailureSample>(signatureKey, keepSamples)
  readonly #phases: PhaseRecord[] = []
  readonly #events: RunEvent[] = []
  readonly #warnings: string[] = []
  #scenarios = new Map<string, ScenarioRecord>()
  #scenariosChanged = false
  #fd: number | undefined
  #finished: RunRecord | undefined

  constructor(options: RunRecordWriterOptions) {
    this.dir = options.dir
    this.eventsPath = join(options.dir, EVENTS_FILE)
    this.recordPath = join(options.dir, RECORD_FILE)
    this.#agg = options.aggregator
    this.#redactor = options.redactor ?? new Redactor()
    // What names the subjects (targets, environment tags) goes through the redactor; the hashes do not.
    this.#header = redactedSubjects(options.header, this.#redactor)
    this.#now = options.now
    this.#wall = options.wallClock ?? (() => new Date())
    mkdirSync(this.dir, { recursive: true })
    this.#fd = openSync(this.eventsPath, 'w')
    this.#append({ t: 'start', header: this.#header })
    this.#sync()
  }

  #append(line: Line): void {
    if (this.#fd === undefined) return
    const buf = Buffer.from(JSON.stringify(line) + '\n')
    let off = 0
    while (off < buf.length) off += writeSync(this.#fd, buf, off, buf.length - off)
  }

  #sync(): void {
    if (this.#fd !== undefined) fsyncSync(this.#fd)
  }

  #writeBatches(batches: WindowBatch[]): void {
    for (const b of batches) {
      for (const { key } of b.series) {
        if (this.#declared.has(key)) continue
        const meta = this.#agg.describe(key)
        if (meta) this.#append({ t: 'series', ...meta })
        this.#declared.add(key)
      }
      this.#append({ t: 'window', i: b.i, series: b.series })
    }
  }

  #writeSnapshots(): void {
    const changed = this.#failures.takeChanged()
    if (changed.length) this.#append({ t: 'failures', groups: changed })
    if (this.#scenariosChanged) {
      this.#append({ t: 'scenarios', scenarios: [...this.#scenarios.values()] })
      this.#scenariosChanged = false
    }
  }

  /** Closes finished windows and appends them (call once per window). */
  flush(): void {
    this.#writeBatches(this.#agg.closeWindows(this.#now()))
    this.#writeSnapshots()
    this.#sync()
  }

  /**
   * Records a run event (a phase start, a service restart, a scrape failure), its text through the redactor (a
   * URL's password, a token in an error); returns it as kept.
   */
  event(event: RunEvent): RunEvent {
    const kept: RunEvent = { ...event, message: this.#redactor.text(event.message) }
    if (event.data) kept.data = this.#redactor.value(event.data)
    this.#events.push(kept)
    this.#append({ t: 'event', event: kept })
    return kept
  }

  /** A warning a reader of the record should see. */
  warn(text: string): void {
    if (this.#warnings.includes(text)) return
    this.#warnings.push(text)
    this.#append({ t: 'warning', text })
  }

  /** Records the end of a phase, with its whole-phase aggregates. */
  phaseEnded(phase: PhaseRecord): void {
    this.#phases.push(phase)
    const aggregates: Record<string, PhaseAggregate> = {}
    for (const [key, phases] of this.#agg.phaseAggregates())
      if (phases[phase.name]) aggregates[key] = phases[phase.name]
    this.#append({ t: 'phase', phase, aggregates })
    this.#sync()
  }

  /** Counts one iteration of a scenario. */
  iteration(
    scenario: { name: string; file?: string; tags?: readonly string[]; side?: Side },
    passed: boolean,
    straddling = false,
  ): void {
    // On a paired run each scenario is counted once per side.
    const key = scenario.side ? `${scenario.side}\u241f${scenario.name}` : scenario.name
    let s = this.#scenarios.get(key)
    if (!s) {
      s = { name: scenario.name, tags: [...(scenario.tags ?? [])], iterations: 0, passed: 0, failed: 0 }
      if (scenario.file) s.file = scenario.file
      if (scenario.side) s.side = scenario.side
      this.#scenarios.set(key, s)
    }
    s.iterations++
    if (passed) s.passed++
    else s.failed++
    if (straddling) s.straddling = (s.straddling ?? 0) + 1
    this.#scenariosChanged = true
  }

  /** Records a failure sample; it is redacted before it is kept or written. */
  failure(signature: FailureSignature, sample: FailureSample): void {
    const kept = this.#redactor.value(sample)
    this.#failures.add(this.#redactor.value(signature), kept, kept.phase ?? '')
  }

  /**
   * Ends the run: closes every window, writes the end line and compacts
   * `run.json` atomically. `complete: false` with a reason after an interrupt.
   * Calling it twice returns the first result.
   */
  finish(end: { complete: boolean; incompleteReason?: string }): RunRecord {
    if (this.#finished) return this.#finished
    const durationMs = this.#now()
    this.#writeBatches(this.#agg.closeAll())
    this.#writeSnapshots()
    const endedAt = this.#wall().toISOString()
    this.#append({ t: 'end', complete: end.complete, incompleteReason: end.incompleteReason, endedAt, durationMs })
    this.#sync()
    closeSync(this.#fd!)
    this.#fd = undefined
    const record: RunRecord = {
      schema: RUN_SCHEMA,
      ...this.#header,
      complete: end.complete,
      ...(end.incompleteReason ? { incompleteReason: end.incompleteReason } : {}),
      endedAt,
      durationMs,
      histogram: HISTOGRAM_PARAMETERS,
      phases: this.#phases,
      scenarios: [...this.#scenarios.values()],
      series: this.#agg.series(),
      events: this.#events,
      failures: this.#failures.groups(),
      warnings: this.#warnings,
    }
    writeRunRecordSync(this.recordPath, record)
    this.#finished = record
    return record
  }
}

/** Writes a record as compact JSON (one line per series keeps diffs and size sane), atomically. */
export function writeRunRecordSync(path: string, record: RunRecord): void {
  writeFileAtomicSync(path, serialiseRecord(record))
}

function serialiseRecord(record: RunRecord): string {
  const { series, ...rest } = record
  const head = JSON.stringify({ ...rest, series: [] }, null, 1)
  // Series are the bulk: one line each instead of pretty-printing every window.
  const body = series.map((s) => '  ' + JSON.stringify(s)).join(',\n')
  return head.replace(/"series": \[\]/, series.length ? `"series": [\n${body}\n ]` : '"series": []') + '\n'
}

const readHint = 'pass a run.json written by steady run, steady load or steady soak'

const recordFile: JsonFileKind = {
  what: 'run record',
  notFoundCode: 'STEADY_RECORD_NOT_FOUND',
  unreadableCode: 'STEADY_RECORD_UNREADABLE',
  pathHint: 'check the path; steady run/soak/load --out <dir> writes <dir>/run.json',
  contentHint: readHint,
  truncatedHint: 'if the run was killed, rebuild it from its events with: steady record recover <run folder>',
}

/** Parses and validates a run record from text; `file` names it in errors. */
export function parseRunRecord(text: string, file: string): RunRecord {
  const value = parseJsonText(text, file, recordFile)
  if (value && typeof value === 'object' && 'schema' in value && (value as { schema: unknown }).schema !== RUN_SCHEMA) {
    const schema = (value as { schema: unknown }).schema
    throw new SteadyError(
      'STEADY_RECORD_SCHEMA',
      `${file} has schema ${JSON.stringify(schema)}, expected "${RUN_SCHEMA}"`,
      {
        hint:
          typeof schema === 'string' && schema.startsWith('steady.')
            ? 'this file is another kind of steady file; ' + readHint
            : readHint,
        details: { file, schema },
      },
    )
  }
  return assertValid<RunRecord>(runRecordSchema, value, file, `run record (${RUN_SCHEMA})`, readHint)
}

/** Reads and validates `run.json` (or a folder containing one). */
export async function readRunRecord(path: string): Promise<RunRecord> {
  const file = existsSync(join(path, RECORD_FILE)) ? join(path, RECORD_FILE) : path
  const text = await readRegularFile(file, recordFile)
  return parseRunRecord(text, file)
}

/**
 * Compacts an events file left by a runner that died (SIGKILL, out of memory)
 * into a `run.json` marked incomplete, and returns it. A torn last line is
 * dropped. With `write: false` nothing is written.
 */
export function recoverRunRecord(dir: string, options: { write?: boolean } = {}): RunRecord {
  const eventsPath = join(dir, EVENTS_FILE)
  if (!existsSync(eventsPath)) {
    throw new SteadyError('STEADY_RECORD_NO_EVENTS', `${dir} has no ${EVENTS_FILE} to recover from`, {
      hint: 'point at the folder a steady soak/load/run wrote (its --out folder)',
      details: { dir },
    })
  }
  const found = readEventLines(eventsPath)
  const { header, end, phases, events, warnings } = found
  if (!header) {
    throw new SteadyError('STEADY_RECORD_CORRUPT', `${eventsPath} has no start line`, {
      hint: 'the run died before it wrote anything; there is nothing to recover',
      details: { file: eventsPath },
    })
  }
  const durationMs = end?.durationMs ?? (found.lastWindow + 1) * header.window.sizeMs
  const started = Date.parse(header.startedAt)
  const series: SeriesRecord[] = [...found.meta.values()]
    .map((m) => ({
      ...m,
      windows: (found.windows.get(m.key) ?? []).sort((a, b) => a.i - b.i),
      phases: found.phaseAggs.get(m.key) ?? {},
    }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  closeOpenPhase(phases, events, series, header.window.sizeMs, durationMs)
  if (found.torn) warnings.push('the last line of the events file was torn by the kill and was dropped')
  const complete = end?.complete ?? false
  const incompleteReason = end?.incompleteReason ?? 'recovered from events after the runner died'
  const record: RunRecord = {
    schema: RUN_SCHEMA,
    ...header,
    complete,
    ...(complete ? {} : { incompleteReason }),
    endedAt: end?.endedAt ?? new Date(started + durationMs).toISOString(),
    durationMs,
    histogram: HISTOGRAM_PARAMETERS,
    phases,
    scenarios: found.scenarios,
    series,
    events,
    failures: [...found.failures.values()],
    warnings,
  }
  if (options.write !== false) writeRunRecordSync(join(dir, RECORD_FILE), record)
  return record
}

/** What the lines of an events file hold, gathered by kind. */
interface EventLines {
  header: RunHeader | undefined
  meta: Map<string, Omit<SeriesRecord, 'windows' | 'phases'>>
  windows: Map<string, SeriesWindow[]>
  phaseAggs: Map<string, Record<string, PhaseAggregate>>
  phases: PhaseRecord[]
  events: RunEvent[]
  warnings: string[]
  failures: Map<string, FailureGroup>
  scenarios: ScenarioRecord[]
  end: Extract<Line, { t: 'end' }> | undefined
  lastWindow: number
  /** Lines dropped because a kill tore them (only the last can be). */
  torn: number
}

/** Reads an events file line by line; a torn last line is counted and skipped, any other bad line is corruption. */
function readEventLines(eventsPath: string): EventLines {
  const lines = readFileSync(eventsPath, 'utf8').split('\n')
  const found: EventLines = {
    header: undefined,
    meta: new Map(),
    windows: new Map(),
    phaseAggs: new Map(),
    phases: [],
    events: [],
    warnings: [],
    failures: new Map(),
    scenarios: [],
    end: undefined,
    lastWindow: -1,
    torn: 0,
  }
  for (const [n, raw] of lines.entries()) {
    if (!raw.trim()) continue
    let line: Line
    try {
      line = JSON.parse(raw) as Line
    } catch {
      // Only the last line can be torn by a kill; anything else is corruption.
      if (n >= lines.length - 2) {
        found.torn++
        continue
      }
      throw new SteadyError('STEADY_RECORD_CORRUPT', `${eventsPath}: line ${n + 1} is not valid JSON`, {
        hint: 'the events file was changed or damaged; it cannot be recovered automatically',
        details: { file: eventsPath, line: n + 1 },
      })
    }
    addEventLine(found, line)
  }
  return found
}

function addEventLine(found: EventLines, line: Line): void {
  switch (line.t) {
    case 'start':
      found.header = line.header
      break
    case 'series': {
      const { t: _t, ...m } = line
      found.meta.set(m.key, m)
      break
    }
    case 'window':
      found.lastWindow = Math.max(found.lastWindow, line.i)
      for (const { key, window } of line.series) {
        let list = found.windows.get(key)
        if (!list) found.windows.set(key, (list = []))
        list.push(window)
      }
      break
    case 'phase':
      found.phases.push(line.phase)
      for (const [key, agg] of Object.entries(line.aggregates)) {
        let m = found.phaseAggs.get(key)
        if (!m) found.phaseAggs.set(key, (m = {}))
        m[line.phase.name] = agg
      }
      break
    case 'event':
      found.events.push(line.event)
      break
    case 'failures':
      for (const g of line.groups) found.failures.set(signatureKey(g.signature), g)
      break
    case 'scenarios':
      found.scenarios = line.scenarios
      break
    case 'warning':
      found.warnings.push(line.text)
      break
    case 'end':
      found.end = line
      break
  }
}

/** A phase still running when the runner died has no aggregates yet: they are built from its windows. */
function closeOpenPhase(
  phases: PhaseRecord[],
  events: RunEvent[],
  series: SeriesRecord[],
  windowMs: number,
  durationMs: number,
): void {
  const lastPhaseStart = events.filter((e) => e.kind === 'phase-start').at(-1)
  if (!lastPhaseStart || phases.some((p) => p.name === lastPhaseStart.data?.phase)) return
  const name = String(lastPhaseStart.data?.phase ?? 'unknown')
  phases.push({ name, startMs: lastPhaseStart.atMs, endMs: durationMs })
  for (const s of series) {
    const inPhase = s.windows.filter((w) => w.i * windowMs >= lastPhaseStart.atMs)
    if (inPhase.length) s.phases[name] = aggregateWindows(inPhase)
  }
}

/** Folds windows into one phase aggregate (histograms merged, counts summed). */
function aggregateWindows(windows: SeriesWindow[]): PhaseAggregate {
  const out: PhaseAggregate = { count: 0 }
  const hists: string[] = []
  for (const w of windows) {
    out.count += w.count
    if (w.errors) for (const [k, v] of Object.entries(w.errors)) (out.errors ??= {})[k] = (out.errors[k] ?? 0) + v
    if (w.passed !== undefined) out.passed = (out.passed ?? 0) + w.passed
    if (w.failed !== undefined) out.failed = (out.failed ?? 0) + w.failed
    if (w.delta !== undefined) out.delta = (out.delta ?? 0) + w.delta
    if (w.hist) hists.push(w.hist)
    if (w.sum !== undefined) out.sum = (out.sum ?? 0) + w.sum
    if (w.buckets) out.buckets = addBuckets(out.buckets, w.buckets)
    if (w.value !== undefined) {
      out.first ??= w.value
      out.last = w.value
      const low = w.min ?? w.value
      out.min = out.min === undefined ? low : Math.min(out.min, low)
    }
  }
  if (hists.length) {
    const h = LatencyHistogram.mergeAll(hists)
    const r = (v: number) => Math.round(v * 1000) / 1000
    Object.assign(out, {
      hist: h.encode(),
      p50: r(h.quantile(0.5)),
      p95: r(h.quantile(0.95)),
      p99: r(h.quantile(0.99)),
      max: r(h.max),
    })
  }
  return out
}

/**
 * A header whose subjects' URLs (each side's target and environment) and environment tags went through the
 * redactor, a URL keeping its user, never its password; versions, commits, hashes and the comparability key
 * are left as they are (a pattern must not make two commits equal).
 */
function redactedSubjects(header: RunHeader, redactor: Redactor): RunHeader {
  const url = (u: string) => redactor.text(maskUrlPassword(u))
  const subject = (s: Subject): Subject => {
    const out = { ...s }
    if (s.target) out.target = url(s.target)
    if (s.environment) {
      const { url: envUrl, tags } = s.environment
      out.environment = { ...s.environment, tags: redactor.value(tags), ...(envUrl ? { url: url(envUrl) } : {}) }
    }
    return out
  }
  const paired = header.paired
  return {
    ...header,
    subject: subject(header.subject),
    ...(paired
      ? { paired: { ...paired, candidate: subject(paired.candidate), control: subject(paired.control) } }
      : {}),
  }
}
