/**
 * The embedded store: append-only JSON Lines files, one folder per process and
 * one file per month of the observations' own time
 * (`.steady/health/ci/2024-05.jsonl`). A writer takes a lock (an atomic
 * `mkdir`), appends its lines in one write, syncs and lets go; nothing is ever
 * read, modified and written back, so concurrent CI jobs never lose an
 * observation. Readers take no lock and ignore an unterminated last line.
 *
 * An observation with an `id` is written only when its file does not hold that
 * id yet (read under the same lock), so an import can run twice. A correction
 * (an observation that `supersedes` an id) goes to the process's
 * `corrections.jsonl`, which every read takes in whole: the corrected record
 * stays where it is, and reads return the correction in its place.
 */
import { mkdir, open, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join, resolve } from 'node:path'
import { randomBytes } from 'node:crypto'
import { ProcessHealthError } from '../errors.ts'
import type { Observation } from '../types.ts'
import type { AppendResult, HealthStore, HistoryQuery, RecordedObservation } from './types.ts'

/** The default store folder, relative to the project root. */
export const defaultStoreDir = '.steady/health'

/** Options of {@link FileStore}. */
export interface FileStoreOptions {
  /** How long an append waits for another writer's lock before failing (ms). Default 15 000. */
  lockTimeoutMs?: number
  /**
   * A lock older than this (ms) whose owner is gone (its process is dead, or
   * it is on another host) is taken over. Default 30 000; an append holds its
   * lock for milliseconds.
   */
  staleLockMs?: number
}

interface StoredLine {
  v: 1
  process: string
  indicator: string
  value: number
  weight?: number
  at: string
  labels?: Record<string, string>
  fields?: Record<string, string | number | boolean>
  id?: string
  supersedes?: string
}

const monthFile = /^(\d{4})-(\d{2})\.jsonl$/

/** The file of a process's corrections, read in whole by every read of the process. */
const correctionsFile = 'corrections.jsonl'

/** Append-only files under a folder; see the module comment. */
export class FileStore implements HealthStore {
  /** The folder, absolute. */
  readonly dir: string
  readonly description: string
  private readonly lockTimeoutMs: number
  private readonly staleLockMs: number

  /** `dir` is the store folder (`.steady/health` by default, or `--store`). */
  constructor(dir: string = defaultStoreDir, options: FileStoreOptions = {}) {
    this.dir = resolve(dir)
    this.description = `files under ${dir}`
    this.lockTimeoutMs = options.lockTimeoutMs ?? 15_000
    this.staleLockMs = options.staleLockMs ?? 30_000
  }

  /** The file an observation goes to: its month's, or the process's corrections file for a correction. */
  fileFor(observation: Pick<RecordedObservation, 'process' | 'at' | 'supersedes'>): string {
    if (observation.supersedes !== undefined) return join(this.dir, observation.process, correctionsFile)
    const d = new Date(observation.at)
    const month = `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`
    return join(this.dir, observation.process, `${month}.jsonl`)
  }

  async append(observations: Observation | readonly Observation[]): Promise<AppendResult> {
    const list = Array.isArray(observations)
      ? (observations as readonly RecordedObservation[])
      : [observations as RecordedObservation]
    const byFile = new Map<string, RecordedObservation[]>()
    for (const o of list) {
      if (!/^[a-z][a-z0-9_-]{0,62}$/.test(o.process)) {
        throw new ProcessHealthError(
          'STEADY_HEALTH_STORE_WRITE',
          `cannot store process name ${JSON.stringify(o.process)}`,
          {
            hint: 'process names are lower case letters, digits, - and _',
            details: { process: o.process },
          },
        )
      }
      if (!Number.isFinite(o.at) || !Number.isFinite(o.value)) {
        throw new ProcessHealthError(
          'STEADY_HEALTH_STORE_WRITE',
          `observation of ${o.process}.${o.indicator} has a non-finite value or time`,
          {
            hint: 'build observations with createObservation() or recordObservation()',
            details: { process: o.process, indicator: o.indicator },
          },
        )
      }
      const file = this.fileFor(o)
      const lines = byFile.get(file) ?? []
      lines.push(o)
      byFile.set(file, lines)
    }
    const result: AppendResult = { added: 0, duplicates: 0 }
    for (const [file, batch] of byFile) {
      const r = await this.appendLines(file, batch)
      result.added += r.added
      result.duplicates += r.duplicates
    }
    return result
  }

  private async appendLines(file: string, batch: readonly RecordedObservation[]): Promise<AppendResult> {
    const folder = join(file, '..')
    try {
      await mkdir(folder, { recursive: true })
    } catch (error) {
      throw new ProcessHealthError(
        'STEADY_HEALTH_STORE_WRITE',
        `cannot create store folder ${folder}: ${(error as Error).message}`,
        {
          hint: 'check the --store path and its permissions',
          cause: error,
          details: { file: folder },
        },
      )
    }
    const lock = `${file}.lock`
    await this.acquire(lock)
    let added = 0
    try {
      // Under the lock, so two imports of the same source at once still store each id once.
      const stored = batch.some((o) => o.id !== undefined) ? await idsIn(file) : new Set<string>()
      const lines: string[] = []
      for (const o of batch) {
        if (o.id !== undefined && stored.has(o.id)) continue
        if (o.id !== undefined) stored.add(o.id)
        lines.push(JSON.stringify(toLine(o)))
      }
      added = lines.length
      if (added === 0) return { added: 0, duplicates: batch.length }
      const text = lines.join('\n') + '\n'
      const handle = await open(file, 'a')
      try {
        // One write of the whole batch, in append mode, while holding the lock.
        await handle.write(text)
        await handle.datasync()
      } finally {
        await handle.close()
      }
    } catch (error) {
      throw new ProcessHealthError(
        'STEADY_HEALTH_STORE_WRITE',
        `cannot append to ${file}: ${(error as Error).message}`,
        {
          hint: 'check the --store path, its permissions and free disk space',
          cause: error,
          details: { file },
        },
      )
    } finally {
      await rm(lock, { recursive: true, force: true })
    }
    return { added, duplicates: batch.length - added }
  }

  /** Which of `ids` a process's records (corrections included) hold. Reads every file of the process. */
  async findIds(process: string, ids: Iterable<string>): Promise<Set<string>> {
    const wanted = new Set(ids)
    const found = new Set<string>()
    if (wanted.size === 0) return found
    for (const file of await this.files(process)) {
      for (const id of await idsIn(file)) if (wanted.has(id)) found.add(id)
    }
    return found
  }

  private async files(process: string): Promise<string[]> {
    const folder = join(this.dir, process)
    let names: string[]
    try {
      names = await readdir(folder)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw new ProcessHealthError(
        'STEADY_HEALTH_STORE_READ',
        `cannot read store folder ${folder}: ${(error as Error).message}`,
        {
          hint: 'check the --store path and its permissions',
          cause: error,
          details: { file: folder },
        },
      )
    }
    return names
      .filter((n) => monthFile.test(n) || n === correctionsFile)
      .sort()
      .map((n) => join(folder, n))
  }

  private async acquire(lock: string): Promise<void> {
    const started = Date.now()
    let wait = 2
    for (;;) {
      try {
        await mkdir(lock)
        // Who holds it, so a later writer can tell a crashed owner from a slow one.
        await writeFile(
          join(lock, 'owner.json'),
          JSON.stringify({ pid: process.pid, host: hostname(), at: Date.now() }),
        ).catch(() => {})
        return
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new ProcessHealthError(
            'STEADY_HEALTH_STORE_WRITE',
            `cannot lock ${lock}: ${(error as Error).message}`,
            {
              hint: 'check the --store path and its permissions',
              cause: error,
              details: { file: lock },
            },
          )
        }
      }
      if (await this.takeOverIfStale(lock)) continue
      if (Date.now() - started > this.lockTimeoutMs) {
        throw new ProcessHealthError(
          'STEADY_HEALTH_STORE_LOCKED',
          `${lock} has been held by another writer for over ${Math.round(this.lockTimeoutMs / 1000)}s`,
          {
            hint: `if no steady process is writing to this store, remove ${lock}`,
            exitCode: 2,
            details: { file: lock },
          },
        )
      }
      await new Promise((r) => setTimeout(r, wait + Math.random() * wait))
      wait = Math.min(wait * 2, 50)
    }
  }

  private async takeOverIfStale(lock: string): Promise<boolean> {
    let age: number
    try {
      age = Date.now() - (await stat(lock)).mtimeMs
    } catch {
      return true // released meanwhile: try again at once
    }
    if (age < this.staleLockMs) return false
    let owner: { pid?: number; host?: string } = {}
    try {
      owner = JSON.parse(await readFile(join(lock, 'owner.json'), 'utf8')) as typeof owner
    } catch {}
    if (owner.host === hostname() && typeof owner.pid === 'number' && alive(owner.pid)) return false
    // Renaming is atomic: of several writers finding the same stale lock, one takes it away.
    const aside = `${lock}.stale-${randomBytes(4).toString('hex')}`
    try {
      await rename(lock, aside)
      await rm(aside, { recursive: true, force: true })
    } catch {}
    return true
  }

  /** Reads observations in time order, with their ids; a superseded record is replaced by its correction. */
  async read(query: HistoryQuery): Promise<RecordedObservation[]> {
    const out: RecordedObservation[] = []
    const superseded = new Set<string>()
    const keep = (o: RecordedObservation) =>
      o.process === query.process &&
      (query.indicator === undefined || o.indicator === query.indicator) &&
      (query.from === undefined || o.at >= query.from) &&
      (query.to === undefined || o.at <= query.to)
    for (const file of await this.files(query.process)) {
      const name = file.slice(file.lastIndexOf('/') + 1)
      const m = monthFile.exec(name)
      if (m) {
        const monthStart = Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)
        const monthEnd = Date.UTC(Number(m[1]), Number(m[2]), 1)
        if (query.from !== undefined && monthEnd <= query.from) continue
        if (query.to !== undefined && monthStart > query.to) continue
      }
      for (const o of await readLines(file)) {
        // Every correction counts, whatever its own time: it may move a record out of the range.
        if (o.supersedes !== undefined) superseded.add(o.supersedes)
        if (keep(o)) out.push(o)
      }
    }
    return out.filter((o) => o.id === undefined || !superseded.has(o.id)).sort((a, b) => a.at - b.at)
  }
}

/** A file's observations; a missing file has none. */
async function readLines(file: string): Promise<RecordedObservation[]> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw new ProcessHealthError('STEADY_HEALTH_STORE_READ', `cannot read ${file}: ${(error as Error).message}`, {
      hint: 'check the file permissions',
      cause: error,
      details: { file },
    })
  }
  const lines = text.split('\n')
  // The part after the last newline is a write in progress (or nothing): not an observation yet.
  lines.pop()
  const out: RecordedObservation[] = []
  lines.forEach((line, i) => {
    if (line.trim() !== '') out.push(parseLine(line, file, i + 1))
  })
  return out
}

/** The ids a file holds. */
async function idsIn(file: string): Promise<Set<string>> {
  const ids = new Set<string>()
  for (const o of await readLines(file)) if (o.id !== undefined) ids.add(o.id)
  return ids
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function toLine(o: RecordedObservation): StoredLine {
  const line: StoredLine = {
    v: 1,
    process: o.process,
    indicator: o.indicator,
    value: o.value,
    at: new Date(o.at).toISOString(),
  }
  if (o.weight !== undefined && o.weight !== 1) line.weight = o.weight
  if (o.labels && Object.keys(o.labels).length) line.labels = o.labels
  if (o.fields && Object.keys(o.fields).length) line.fields = o.fields
  if (o.id !== undefined) line.id = o.id
  if (o.supersedes !== undefined) line.supersedes = o.supersedes
  return line
}

function parseLine(line: string, file: string, lineNo: number): RecordedObservation {
  const corrupt = (why: string) =>
    new ProcessHealthError('STEADY_HEALTH_STORE_CORRUPT', `${file}:${lineNo}: ${why}`, {
      hint:
        'the store is append-only JSON Lines; fix or delete that line ' +
        '(git history or a CI cache may hold a good copy)',
      details: { file, line: lineNo },
    })
  let raw: Partial<StoredLine>
  try {
    raw = JSON.parse(line) as Partial<StoredLine>
  } catch {
    throw corrupt('not a JSON line')
  }
  const at = typeof raw.at === 'string' ? Date.parse(raw.at) : Number.NaN
  if (
    typeof raw.process !== 'string' ||
    typeof raw.indicator !== 'string' ||
    typeof raw.value !== 'number' ||
    !Number.isFinite(raw.value) ||
    !Number.isFinite(at)
  ) {
    throw corrupt('not an observation (needs process, indicator, value and at)')
  }
  const o: RecordedObservation = { process: raw.process, indicator: raw.indicator, value: raw.value, at }
  if (typeof raw.weight === 'number') o.weight = raw.weight
  if (raw.labels && typeof raw.labels === 'object') o.labels = raw.labels
  if (raw.fields && typeof raw.fields === 'object') o.fields = raw.fields
  if (typeof raw.id === 'string') o.id = raw.id
  if (typeof raw.supersedes === 'string') o.supersedes = raw.supersedes
  return o
}
