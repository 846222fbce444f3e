/**
 * A file's setup result as the run record keeps it, so that `--replay` can
 * give the replayed iteration the same setup result the recorded run had.
 *
 * The result is stored after redaction, like everything else written: a
 * token a setup fetched is stored as `[REDACTED]`. The paths redaction
 * masked are stored beside it, so a replay knows which parts it cannot reuse.
 */
import { isDeepStrictEqual } from 'node:util'
import type { Redactor, RunRecord } from '@steady/record'
import { hashSeed } from './data.ts'

/** A path into a setup result: object keys and array indexes. */
export type ValuePath = (string | number)[]

/** What a run record keeps about one file's setup. */
export interface RecordedSetup {
  /** The scenario file, relative to where the run started. */
  file: string
  /** {@link setupFingerprint} of the result. */
  fingerprint: string
  /** True when the (redacted) result was stored; `result` is then the value (absent for `undefined`). */
  kept: boolean
  result?: unknown
  /** Where redaction masked something in `result` (only when kept). */
  masked?: ValuePath[]
  /** Why the result was not stored (too large, not JSON data). */
  notKept?: string
}

/** A stored setup result is capped: the record stays small enough to commit next to a baseline. */
const maxStoredBytes = 64 * 1024

/**
 * A short hash of a setup result after redaction: secrets (a fresh token)
 * differ between runs by design and must not count, the data around them does.
 */
function setupFingerprint(value: unknown, redactor: Redactor): string {
  let text: string
  try {
    text = JSON.stringify(redactor.value(value ?? null)) ?? 'undefined'
  } catch {
    text = String(value)
  }
  return hashSeed(text).toString(16).padStart(8, '0')
}

/** True for plain JSON data (what survives a trip through run.json unchanged). */
function isJsonData(value: unknown, depth = 0): boolean {
  if (depth > 64) return false
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true
  if (typeof value === 'number') return Number.isFinite(value)
  if (Array.isArray(value)) return value.every((v) => isJsonData(v, depth + 1))
  if (typeof value !== 'object') return false
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return false
  return Object.values(value as Record<string, unknown>).every((v) => v !== undefined && isJsonData(v, depth + 1))
}

/** Paths where `redacted` differs from `raw`: what redaction masked. */
function maskedPaths(raw: unknown, redacted: unknown, at: ValuePath = [], out: ValuePath[] = []): ValuePath[] {
  if (raw !== null && typeof raw === 'object' && redacted !== null && typeof redacted === 'object') {
    if (Array.isArray(raw))
      (raw as unknown[]).forEach((v, i) => maskedPaths(v, (redacted as unknown[])[i], [...at, i], out))
    else
      for (const [k, v] of Object.entries(raw as Record<string, unknown>))
        maskedPaths(v, (redacted as Record<string, unknown>)[k], [...at, k], out)
  } else if (!isDeepStrictEqual(raw, redacted)) out.push(at)
  return out
}

/**
 * What the record keeps about a setup that returned `value`: its fingerprint
 * and, when it is JSON data of at most 64 KB, the redacted value with the
 * paths redaction masked.
 */
export function recordSetup(file: string, value: unknown, redactor: Redactor): RecordedSetup {
  const fingerprint = setupFingerprint(value, redactor)
  if (value === undefined) return { file, fingerprint, kept: true }
  if (!isJsonData(value))
    return {
      file,
      fingerprint,
      kept: false,
      notKept: 'the setup result is not plain JSON data (a class instance, a function, a Map...)',
    }
  const result = redactor.value(value)
  const size = Buffer.byteLength(JSON.stringify(result))
  if (size > maxStoredBytes)
    return {
      file,
      fingerprint,
      kept: false,
      notKept: `the setup result is ${Math.round(size / 1024)} KB, more than the 64 KB a record keeps`,
    }
  const masked = maskedPaths(value, result)
  return { file, fingerprint, kept: true, result, ...(masked.length ? { masked } : {}) }
}

/** The event data a run record stores for a setup (a `note` event). */
export function setupEventData(s: RecordedSetup): Record<string, unknown> {
  // `setup` is the fingerprint (the key records written before results were kept use too).
  return {
    file: s.file,
    setup: s.fingerprint,
    kept: s.kept,
    ...('result' in s ? { result: s.result } : {}),
    ...(s.masked ? { masked: s.masked } : {}),
    ...(s.notKept ? { notKept: s.notKept } : {}),
  }
}

/** The setups a run record kept, by file (records from before results were kept give fingerprints only). */
export function recordedSetups(record: RunRecord): Map<string, RecordedSetup> {
  const out = new Map<string, RecordedSetup>()
  for (const e of record.events) {
    const d = e.data
    if (e.kind !== 'note' || !d || typeof d.file !== 'string' || typeof d.setup !== 'string') continue
    const masked = Array.isArray(d.masked)
      ? (d.masked as unknown[]).filter(
          (p): p is ValuePath => Array.isArray(p) && p.every((s) => typeof s === 'string' || typeof s === 'number'),
        )
      : undefined
    out.set(d.file, {
      file: d.file,
      fingerprint: d.setup,
      kept: d.kept === true,
      ...('result' in d ? { result: d.result } : {}),
      ...(masked?.length ? { masked } : {}),
      ...(typeof d.notKept === 'string'
        ? { notKept: d.notKept }
        : d.kept === undefined
          ? { notKept: 'the recorded run is from a steady version that kept only a fingerprint of it' }
          : {}),
    })
  }
  return out
}

/** `token`, `user.apiKey`, `items[0].secret`. */
export function formatPath(path: ValuePath): string {
  if (path.length === 0) return '(the whole result)'
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('')
}

/**
 * The recorded result with the masked paths taken from a fresh setup result
 * (the same seed made it; its secrets are live). Paths the fresh result does
 * not have stay masked and are listed in `unfilled`.
 */
export function fillMasked(
  recorded: unknown,
  fresh: unknown,
  masked: readonly ValuePath[],
): { value: unknown; unfilled: ValuePath[] } {
  const unfilled: ValuePath[] = []
  let value: unknown = structuredClone(recorded)
  for (const path of masked) {
    let from: unknown = fresh
    let found = true
    for (const seg of path) {
      if (from !== null && typeof from === 'object' && Object.hasOwn(from, seg))
        from = (from as Record<string | number, unknown>)[seg]
      else {
        found = false
        break
      }
    }
    if (!found) {
      unfilled.push(path)
      continue
    }
    if (path.length === 0) {
      value = from
      continue
    }
    let into = value as Record<string | number, unknown>
    for (const seg of path.slice(0, -1)) into = into[seg] as Record<string | number, unknown>
    into[path.at(-1)!] = from
  }
  return { value, unfilled }
}
