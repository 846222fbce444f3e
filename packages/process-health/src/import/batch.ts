/**
 * Many observations at once: a batch file (one JSON observation per line,
 * every line checked before anything is written) and corrections (a record
 * that supersedes an earlier one by id). Importers build on the same pieces.
 */
import { createHash } from 'node:crypto'
import { createObservation, findProcess, type ObservationInput } from '../define.ts'
import { ProcessHealthError, isProcessHealthError } from '../errors.ts'
import type { AppendResult, HealthStore, RecordedObservation } from '../store/types.ts'
import { systemClock, type Clock } from '../time.ts'
import type { Labels, ProcessDefinition } from '../types.ts'

/** An observation input with the id and correction a store keeps. */
export interface RecordInput extends ObservationInput {
  /** A stable id (from the source); default: derived from the observation's content. */
  id?: string
  /** The id of the record this one corrects. */
  supersedes?: string
}

const batchKeys = new Set(['process', 'indicator', 'value', 'weight', 'at', 'labels', 'fields', 'id', 'supersedes'])
const idPattern = /^[A-Za-z0-9][A-Za-z0-9._:/@#+-]{0,199}$/

/**
 * A checked observation with its id: `input.id` when given (checked), else
 * `derive` (a content hash for batches, a random id for one record).
 */
export function createRecord(
  process: ProcessDefinition,
  input: RecordInput,
  clock: Clock,
  derive: (o: RecordedObservation) => string,
): RecordedObservation {
  const { id, supersedes, ...rest } = input
  for (const [field, value] of [
    ['id', id],
    ['supersedes', supersedes],
  ] as const) {
    if (value !== undefined && (typeof value !== 'string' || !idPattern.test(value))) {
      throw new ProcessHealthError(
        'STEADY_HEALTH_ID_INVALID',
        `${field}: ${JSON.stringify(value)} is not a record id`,
        {
          hint: 'an id is 1-200 letters, digits and . _ : / @ # + -, starting with a letter or digit',
          details: { field },
        },
      )
    }
  }
  const observation: RecordedObservation = createObservation(process, rest, clock)
  observation.id = id ?? derive(observation)
  if (supersedes !== undefined) observation.supersedes = supersedes
  return observation
}

/** A short hash of an observation's content: the same line gives the same id. */
function contentId(o: RecordedObservation, occurrence = 0): string {
  const key = JSON.stringify([
    o.process,
    o.indicator,
    o.value,
    o.weight ?? 1,
    o.at,
    o.labels ?? {},
    o.fields ?? {},
    o.supersedes ?? '',
    occurrence,
  ])
  return `b-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`
}

/** Defaults of {@link parseBatch}. */
export interface BatchOptions {
  /** The process of lines that name none (`--process`). */
  process?: string
  /** Labels every line gets unless it sets them itself (`--label`). */
  labels?: Labels
  /** Where relative times ("2h ago") are measured from. */
  clock?: Clock
}

/**
 * Reads a batch: one JSON object per line (`process`, `indicator`, `value`,
 * `at` required; `weight`, `labels`, `fields`, `id`, `supersedes` optional;
 * blank lines and lines starting with `#` skipped). Every line is checked
 * before any is returned; an error names the file, the line and the field.
 * A line without an `id` gets one from its content (and how many identical
 * lines came before it), so recording the same file twice adds nothing.
 */
export function parseBatch(
  text: string,
  file: string,
  processes: readonly ProcessDefinition[],
  options: BatchOptions = {},
): RecordedObservation[] {
  const out: RecordedObservation[] = []
  const seen = new Map<string, number>()
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim()
    if (line === '' || line.startsWith('#')) continue
    const where = `${file}:${i + 1}`
    const bad = (field: string, message: string, hint: string) =>
      new ProcessHealthError('STEADY_HEALTH_BATCH_INVALID', `${where}: ${field}: ${message}`, {
        hint,
        details: { file, line: i + 1, field },
      })
    const { input, process } = readBatchLine(line, bad, options)
    try {
      const definition = findProcess(processes, process)
      const record = {
        ...input,
        process,
        labels: { ...(options.labels ?? {}), ...((input.labels as Labels | undefined) ?? {}) },
      } as RecordInput
      out.push(
        createRecord(definition, record, options.clock ?? systemClock, (o) => {
          const base = contentId(o)
          const n = seen.get(base) ?? 0
          seen.set(base, n + 1)
          return n === 0 ? base : contentId(o, n)
        }),
      )
    } catch (error) {
      if (!isProcessHealthError(error)) throw error
      throw new ProcessHealthError(error.code, `${where}: ${error.message}`, {
        hint: error.hint,
        cause: error,
        details: { ...error.facts, file, line: i + 1 },
      })
    }
  }
  return out
}

/** A batch line as an object with its process, checked as far as it can be without the process's definition. */
function readBatchLine(
  line: string,
  bad: (field: string, message: string, hint: string) => ProcessHealthError,
  options: BatchOptions,
): { input: Record<string, unknown>; process: string } {
  let raw: unknown
  try {
    raw = JSON.parse(line)
  } catch (error) {
    throw bad(
      '(line)',
      `not JSON (${(error as Error).message})`,
      'write one JSON object per line: ' +
        '{"process":"ci","indicator":"cycle_time","value":600,"at":"2025-03-01T10:00:00Z"}',
    )
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw bad('(line)', 'not a JSON object', 'write one JSON object per line')
  const input = raw as Record<string, unknown>
  for (const key of Object.keys(input)) {
    if (!batchKeys.has(key)) throw bad(key, 'not a field of an observation', `use only ${[...batchKeys].join(', ')}`)
  }
  const process = input.process ?? options.process
  if (typeof process !== 'string')
    throw bad('process', 'missing', 'give each line a "process", or pass --process for lines without one')
  if (input.at === undefined)
    throw bad(
      'at',
      'missing',
      'a batch line says when it happened: "at": "2025-03-01T10:00:00Z" (ISO 8601 or epoch ms)',
    )
  if (
    input.labels !== undefined &&
    (typeof input.labels !== 'object' || input.labels === null || Array.isArray(input.labels))
  ) {
    throw bad('labels', 'not an object', 'write "labels": {"branch": "main"}')
  }
  if (
    input.fields !== undefined &&
    (typeof input.fields !== 'object' || input.fields === null || Array.isArray(input.fields))
  ) {
    throw bad('fields', 'not an object', 'write "fields": {"commit": "3f2a9c1"}')
  }
  return { input, process }
}

/** A store that can tell which ids it holds (the file store). */
interface IdLookup {
  findIds(process: string, ids: Iterable<string>): Promise<Set<string>>
}

function canLookUp(store: HealthStore): store is HealthStore & IdLookup {
  return typeof (store as Partial<IdLookup>).findIds === 'function'
}

/**
 * Appends records, after checking that each correction supersedes a record
 * the store holds (or one earlier in the same batch) of the same process.
 * Corrections need a store that keeps ids (the file store).
 */
export async function appendRecords(
  store: HealthStore,
  input: RecordedObservation | readonly RecordedObservation[],
): Promise<AppendResult> {
  const records = Array.isArray(input) ? (input as readonly RecordedObservation[]) : [input as RecordedObservation]
  const corrections = records.filter((r) => r.supersedes !== undefined)
  if (corrections.length) {
    if (!canLookUp(store)) {
      throw new ProcessHealthError(
        'STEADY_HEALTH_CORRECTION_UNSUPPORTED',
        `${store.description} cannot keep corrections`,
        {
          hint:
            'record corrections to the file store (--store .steady/health); ' +
            'Prometheus keeps the latest value of a series only',
        },
      )
    }
    const byProcess = new Map<string, Set<string>>()
    for (const c of corrections) byProcess.set(c.process, (byProcess.get(c.process) ?? new Set()).add(c.supersedes!))
    for (const [process, ids] of byProcess) {
      const inBatch = new Set(records.filter((r) => r.process === process && r.id !== undefined).map((r) => r.id!))
      const found = await store.findIds(
        process,
        [...ids].filter((id) => !inBatch.has(id)),
      )
      const missing = [...ids].filter((id) => !inBatch.has(id) && !found.has(id))
      if (missing.length) {
        throw new ProcessHealthError(
          'STEADY_HEALTH_CORRECTION_NOT_FOUND',
          `no ${process} record with id ${missing.join(', ')} to supersede`,
          {
            hint:
              'a correction names the id printed when the record was made (steady health record prints it); ' +
              'it must be of the same process',
            details: { process, ids: missing },
          },
        )
      }
    }
  }
  const result = await store.append(records)
  return result ?? { added: records.length, duplicates: 0 }
}
