/**
 * Local state: one JSON file per environment in `.steady/envs/` at the project
 * root. Each file is written atomically (temp file + rename) and created
 * exclusively (temp file + link, which fails if the id is taken), so two
 * commands running at once never read-modify-write a shared file and never
 * both claim the same id.
 */
import { link, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { SteadyError, writeJsonAtomic } from '@steady/record'
import type { RunningEnvironment } from './types.ts'

/** The schema id of an environment's state file. */
export const ENV_SCHEMA = 'steady.env/1'

/** `.steady/envs/<id>.json`: a running environment plus what its teardown needs. */
export interface EnvironmentRecord extends RunningEnvironment {
  schema: typeof ENV_SCHEMA
  /** `starting` until every service is ready, `stopping` during teardown. */
  status: 'starting' | 'up' | 'stopping'
  /** The project root the environment belongs to. */
  projectDir: string
  /**
   * The process holding the environment (a `steady run --env`), which tears it
   * down when it ends; undefined when it was left running on purpose
   * (`steady env up`, `--keep`).
   */
  owner: { pid: number; startToken: string } | undefined
  /** True when the log folder is steady's own (under `.steady/envs/`) and goes with the environment. */
  ownsLogDir: boolean
  /** The provider's teardown state (JSON). */
  providerState: unknown
  updatedAt: string
}

/** The folder holding the state files. */
export function envsDir(projectDir: string): string {
  return join(projectDir, '.steady', 'envs')
}

function recordPath(projectDir: string, id: string): string {
  return join(envsDir(projectDir), `${id}.json`)
}

/**
 * Creates the record, failing with `false` when one with this id exists.
 * `link` is atomic and refuses to replace a file, unlike `rename`.
 */
export async function claimRecord(record: EnvironmentRecord): Promise<boolean> {
  const dir = envsDir(record.projectDir)
  await mkdir(dir, { recursive: true })
  const temp = join(dir, `.${record.id}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  await writeFile(temp, JSON.stringify(record, null, 2) + '\n')
  try {
    await link(temp, recordPath(record.projectDir, record.id))
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw error
  } finally {
    await rm(temp, { force: true })
  }
}

/** Replaces the record atomically. */
export function writeRecord(record: EnvironmentRecord): Promise<void> {
  return writeJsonAtomic(recordPath(record.projectDir, record.id), { ...record, updatedAt: new Date().toISOString() })
}

/** Removes the record (no error when it is already gone). */
export function removeRecord(projectDir: string, id: string): Promise<void> {
  return rm(recordPath(projectDir, id), { force: true })
}

function parse(text: string, file: string): EnvironmentRecord {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new SteadyError('STEADY_ENV_STATE_INVALID', `${file} is not valid JSON: ${(error as Error).message}`, {
      hint: 'remove the file once you have checked nothing of that environment still runs',
      details: { file },
    })
  }
  const r = value as Partial<EnvironmentRecord>
  if (!r || r.schema !== ENV_SCHEMA || typeof r.id !== 'string' || typeof r.provider !== 'string') {
    throw new SteadyError(
      'STEADY_ENV_STATE_INVALID',
      `${file} is not a steady environment record (schema ${ENV_SCHEMA})`,
      {
        hint: 'it may come from another steady version; remove it once nothing of that environment runs',
        details: { file },
      },
    )
  }
  return value as EnvironmentRecord
}

/** The record of `id`, or undefined when there is none. */
export async function readRecord(projectDir: string, id: string): Promise<EnvironmentRecord | undefined> {
  const file = recordPath(projectDir, id)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  return parse(text, file)
}

/** Every record in the project, oldest first; unreadable files come back as errors instead of failing the list. */
export async function readRecords(
  projectDir: string,
): Promise<{ records: EnvironmentRecord[]; errors: SteadyError[] }> {
  let names: string[]
  try {
    names = await readdir(envsDir(projectDir))
  } catch {
    return { records: [], errors: [] }
  }
  const records: EnvironmentRecord[] = []
  const errors: SteadyError[] = []
  for (const name of names.filter((n) => n.endsWith('.json') && !n.startsWith('.'))) {
    const file = join(envsDir(projectDir), name)
    try {
      records.push(parse(await readFile(file, 'utf8'), file))
    } catch (error) {
      // Removed between readdir and read: another command tore it down.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue
      errors.push(error as SteadyError)
    }
  }
  records.sort((a, b) => a.startedAt.localeCompare(b.startedAt))
  return { records, errors }
}
