/**
 * The baseline file (`schema: "steady.baseline/1"`, `baselines/<service>.json`):
 * the desired state, committed and reviewed like code.
 *
 * Layout for merges: runs, acceptances and mutes are objects keyed by id,
 * sorted, one entry per line, every entry followed by a comma and each list
 * closed by a `"~": "end"` line. Adding a run therefore adds exactly one line
 * and changes none, so two branches that each add runs merge with git's
 * `union` driver (`baselines/.gitattributes`: `*.json merge=union`) without a
 * conflict; the reader accepts any order and the next write sorts again.
 *
 * Every change is a read-modify-write under a lock file, written atomically.
 */
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { assertValid, parseJsonText, readRegularFile, type JsonFileKind } from '@steady/record/internal'
import { SteadyError, writeFileAtomic } from '@steady/record'
import type { RunSummary } from './summary.ts'

const BASELINE_SCHEMA = 'steady.baseline/1'

/** Runs kept per baseline by default (the last K accepted runs, plus pinned ones). */
export const DEFAULT_KEEP = 10

/** The key that closes each list in the file (see the module comment). */
const END = '~'

export interface BaselineRun {
  /** When and by whom the run was added. */
  addedAt: string
  addedBy: string
  /** Added although its verdict was negative (`--force --reason`). */
  forced?: { reason: string; verdict: string }
  /** A reference run kept regardless of K, to catch slow creep. */
  pinned?: { by: string; at: string; reason?: string }
  /** Left out of judging, with why (the summary is dropped). */
  excluded?: { by: string; at: string; reason: string }
  /** What judging needs (absent for excluded runs). */
  summary?: Omit<RunSummary, 'id'>
}

/** An intended change: the finding is reported as accepted instead of failing. */
export interface Acceptance {
  by: string
  reason: string
  at: string
  /** The finding's value when it was accepted; larger values fail again (absent: any). */
  upTo?: number
  /** The run the acceptance was made from, if known. */
  run?: string
}

/** A known noisy series: its findings do not fail gates until the date. */
export interface Mute {
  owner: string
  reason: string
  until: string
  by: string
  at: string
}

export interface BaselineFile {
  schema: typeof BASELINE_SCHEMA
  /** The service the runs are of. */
  service?: string
  /** K: accepted runs kept (older ones are dropped when runs are added). */
  keep: number
  runs: Record<string, BaselineRun>
  accepted: Record<string, Acceptance>
  mutes: Record<string, Mute>
}

/** A baseline run with its id, ready for judging. */
export interface BaselineEntry extends BaselineRun {
  id: string
}

const who = {
  type: 'object',
  required: ['by', 'at'],
  properties: { by: { type: 'string' }, at: { type: 'string' } },
} as const

/** The JSON Schema of a baseline file (structure; summaries are checked loosely so old files still read). */
const baselineSchema = {
  $id: 'https://steady.dev/schema/steady.baseline-1.json',
  title: 'steady baseline',
  type: 'object',
  required: ['schema', 'keep', 'runs', 'accepted', 'mutes'],
  properties: {
    schema: { const: BASELINE_SCHEMA },
    service: { type: 'string' },
    keep: { type: 'integer', minimum: 1 },
    runs: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['addedAt', 'addedBy'],
        properties: {
          addedAt: { type: 'string' },
          addedBy: { type: 'string' },
          forced: { type: 'object', required: ['reason'], properties: { reason: { type: 'string' } } },
          pinned: who,
          excluded: { ...who, required: ['by', 'at', 'reason'] },
          summary: {
            type: 'object',
            required: ['startedAt', 'comparability', 'durationMs', 'windowMs', 'phases', 'scenarios', 'series'],
            properties: {
              startedAt: { type: 'string' },
              comparability: { type: 'object' },
              phases: { type: 'array', items: { type: 'object', required: ['name', 'startMs', 'endMs', 'loaded'] } },
              scenarios: { type: 'object' },
              series: { type: 'object', additionalProperties: { type: 'object', required: ['kind', 'phases'] } },
            },
          },
        },
      },
    },
    accepted: { type: 'object', additionalProperties: { type: 'object', required: ['by', 'reason', 'at'] } },
    mutes: {
      type: 'object',
      additionalProperties: { type: 'object', required: ['owner', 'reason', 'until', 'by', 'at'] },
    },
  },
} as const

/** An empty baseline. */
export function emptyBaseline(service?: string, keep = DEFAULT_KEEP): BaselineFile {
  const file: BaselineFile = { schema: BASELINE_SCHEMA, keep, runs: {}, accepted: {}, mutes: {} }
  if (service) file.service = service
  return file
}

function stripEnd<T>(o: Record<string, T | string> | undefined): Record<string, T> {
  const out: Record<string, T> = {}
  for (const [k, v] of Object.entries(o ?? {})) if (k !== END) out[k] = v as T
  return out
}

const hint = 'a baseline is written by `steady baseline add <run.json> --baseline <file>`; fix or remove the file'

const baselineFile: JsonFileKind = {
  what: 'baseline',
  notFoundCode: 'STEADY_BASELINE_NOT_FOUND',
  unreadableCode: 'STEADY_BASELINE_UNREADABLE',
  pathHint: 'create it with `steady baseline add <run.json> --baseline <file>`',
  contentHint: hint,
}

/** Parses and validates a baseline from text; `file` names it in errors. */
export function parseBaseline(text: string, file: string): BaselineFile {
  const conflicted = /<<<<<<<|>>>>>>>/.test(text)
  const value = parseJsonText(text, file, {
    ...baselineFile,
    contentHint: conflicted
      ? 'the file has merge-conflict markers: add `*.json merge=union` to baselines/.gitattributes, or keep both ' +
        "sides' run lines and delete the markers"
      : hint,
  })
  if (
    value &&
    typeof value === 'object' &&
    'schema' in value &&
    (value as { schema: unknown }).schema !== BASELINE_SCHEMA
  ) {
    throw new SteadyError(
      'STEADY_BASELINE_SCHEMA',
      `${file} has schema ${JSON.stringify((value as { schema: unknown }).schema)}, expected "${BASELINE_SCHEMA}"`,
      {
        hint: 'pass a baseline file (baselines/<service>.json), not a run record or a verdict',
        details: { file },
      },
    )
  }
  const v = value as Record<string, unknown>
  const cleaned =
    v && typeof v === 'object'
      ? {
          ...v,
          runs: stripEnd(v.runs as Record<string, unknown>),
          accepted: stripEnd(v.accepted as Record<string, unknown>),
          mutes: stripEnd(v.mutes as Record<string, unknown>),
        }
      : v
  try {
    return assertValid<BaselineFile>(baselineSchema, cleaned, file, `baseline (${BASELINE_SCHEMA})`, hint)
  } catch (error) {
    if (error instanceof SteadyError)
      throw new SteadyError('STEADY_BASELINE_INVALID', error.message, { hint, details: error.facts })
    throw error
  }
}

/** Reads and validates a baseline file; a missing file is an error here (callers decide what it means). */
export async function readBaseline(path: string): Promise<BaselineFile> {
  return parseBaseline(await readRegularFile(path, baselineFile), path)
}

function sortedEntries<T>(o: Record<string, T>): [string, T][] {
  return Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
}

function section<T>(name: string, o: Record<string, T>): string {
  const lines = sortedEntries(o).map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)},`)
  lines.push(`    ${JSON.stringify(END)}: "end"`)
  return `  ${JSON.stringify(name)}: {\n${lines.join('\n')}\n  }`
}

/** The file's text: one line per run, acceptance and mute (see the module comment). */
export function serialiseBaseline(file: BaselineFile): string {
  const head = [`  "schema": ${JSON.stringify(file.schema)}`]
  if (file.service) head.push(`  "service": ${JSON.stringify(file.service)}`)
  head.push(`  "keep": ${file.keep}`)
  const sections = [section('runs', file.runs), section('accepted', file.accepted), section('mutes', file.mutes)]
  return `{\n${[...head, ...sections].join(',\n')}\n}\n`
}

/** Writes a baseline atomically. */
export async function writeBaseline(path: string, file: BaselineFile): Promise<void> {
  await writeFileAtomic(path, serialiseBaseline(file))
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Runs `change` on the baseline under a lock file (`<file>.lock`), then writes
 * the result atomically. A missing file starts from `create()` when given,
 * else it is an error. A lock left by a dead process is taken over.
 */
export async function updateBaseline<T>(
  path: string,
  change: (file: BaselineFile) => T | Promise<T>,
  options: { create?: () => BaselineFile; timeoutMs?: number } = {},
): Promise<T> {
  const lock = `${path}.lock`
  const deadline = Date.now() + (options.timeoutMs ?? 10_000)
  let fd: number | undefined
  while (fd === undefined) {
    try {
      fd = openSync(lock, 'wx')
      writeSync(fd, String(process.pid))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new SteadyError('STEADY_BASELINE_NOT_FOUND', `cannot write baseline ${path}: its folder does not exist`, {
          hint: 'create the folder (e.g. mkdir baselines) or pass another --baseline path',
          details: { file: path },
        })
      }
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      let owner = Number.NaN
      try {
        owner = Number(readFileSync(lock, 'utf8'))
      } catch {}
      if (Number.isInteger(owner) && owner > 0 && !processAlive(owner)) {
        rmSync(lock, { force: true })
        continue
      }
      if (Date.now() > deadline) {
        throw new SteadyError(
          'STEADY_BASELINE_LOCKED',
          `baseline ${path} is locked by process ${Number.isNaN(owner) ? '?' : owner}`,
          {
            hint: `wait for the other steady command to finish; if none is running, delete ${lock}`,
            details: { file: path, lock },
          },
        )
      }
      await sleep(50)
    }
  }
  try {
    let file: BaselineFile
    if (existsSync(path)) file = await readBaseline(path)
    else if (options.create) file = options.create()
    else file = await readBaseline(path)
    const result = await change(file)
    await writeBaseline(path, file)
    return result
  } finally {
    closeSync(fd)
    rmSync(lock, { force: true })
  }
}

/** Included runs (not excluded, with a summary), newest first. */
function included(file: BaselineFile): BaselineEntry[] {
  return Object.entries(file.runs)
    .filter(([, r]) => !r.excluded && r.summary)
    .map(([id, r]) => ({ id, ...r }))
    .sort((a, b) =>
      a.summary!.startedAt < b.summary!.startedAt ? 1 : a.summary!.startedAt > b.summary!.startedAt ? -1 : 0,
    )
}

/**
 * The runs a verdict compares with: the newest `keep` included runs plus
 * every pinned one. (After a union merge a file may hold more than `keep`;
 * the next write trims it.)
 */
export function comparisonRuns(file: BaselineFile): BaselineEntry[] {
  const all = included(file)
  const rolling = all.filter((r) => !r.pinned).slice(0, file.keep)
  const pinned = all.filter((r) => r.pinned)
  return [...rolling, ...pinned]
}

/** Drops runs beyond K (never pinned ones), exclusions older than every kept run, and expired mutes and acceptances. */
export function trimBaseline(file: BaselineFile, now: Date): string[] {
  const dropped: string[] = []
  const all = included(file)
  const rolling = all.filter((r) => !r.pinned)
  for (const r of rolling.slice(file.keep)) {
    delete file.runs[r.id]
    dropped.push(r.id)
  }
  const kept = comparisonRuns(file)
  const oldest = kept.reduce((m, r) => (r.summary!.startedAt < m ? r.summary!.startedAt : m), '9999')
  for (const [id, r] of Object.entries(file.runs)) {
    if (r.excluded && r.excluded.at < oldest && kept.length >= file.keep) {
      delete file.runs[id]
      dropped.push(id)
    }
  }
  for (const [k, m] of Object.entries(file.mutes)) if (Date.parse(m.until) < now.getTime()) delete file.mutes[k]
  for (const [k, a] of Object.entries(file.accepted)) if (acceptanceExpired(file, a)) delete file.accepted[k]
  return dropped
}

/** An acceptance expires once the baseline has turned over: K runs added after it. */
export function acceptanceExpired(file: BaselineFile, a: Acceptance): boolean {
  const after = Object.values(file.runs).filter((r) => !r.excluded && r.addedAt > a.at).length
  return after >= file.keep
}

/** True when a mute is in force at `now`. */
export function muteActive(m: Mute, now: Date): boolean {
  return Date.parse(m.until) >= now.getTime()
}

/** The mute covering a series key, if any: exact key, or a pattern with `*`. */
export function findMute(file: BaselineFile, series: string, now: Date): (Mute & { pattern: string }) | undefined {
  for (const [pattern, m] of Object.entries(file.mutes)) {
    if (!muteActive(m, now)) continue
    if (pattern === series || (pattern.includes('*') && globToRegExp(pattern).test(series))) return { ...m, pattern }
  }
  return undefined
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(
    '^' +
      glob
        .split('*')
        .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*') +
      '$',
  )
}

function runNotFound(file: BaselineFile, id: string, path: string): SteadyError {
  const ids = Object.keys(file.runs)
  return new SteadyError('STEADY_BASELINE_RUN_NOT_FOUND', `run ${id} is not in baseline ${path}`, {
    hint: ids.length
      ? `runs in it: ${ids.slice(-5).join(', ')}${ids.length > 5 ? ', ...' : ''} (see steady baseline show)`
      : 'the baseline has no runs yet',
    details: { file: path, run: id },
  })
}

export interface AddRunOptions {
  by: string
  now: Date
  /** Set when the run is added despite a negative verdict. */
  forced?: { reason: string; verdict: string }
  /** Path of the baseline, for messages. */
  path: string
}

/**
 * Adds a run's summary. Refuses an incomplete run, a run already there (or
 * excluded), and a run of another service. Returns the ids dropped to keep K.
 */
export function addRun(file: BaselineFile, summary: RunSummary, options: AddRunOptions): { dropped: string[] } {
  if (!summary.complete) {
    throw new SteadyError(
      'STEADY_BASELINE_INCOMPLETE_RUN',
      `run ${summary.id} is incomplete; a baseline takes only runs that finished their plan`,
      {
        hint: 'run the soak again to the end; an interrupted run cannot show what normal looks like',
        details: { run: summary.id },
      },
    )
  }
  const existing = file.runs[summary.id]
  if (existing) {
    throw new SteadyError(
      'STEADY_BASELINE_DUPLICATE_RUN',
      existing.excluded
        ? `run ${summary.id} is already in baseline ${options.path}, excluded (${existing.excluded.reason})`
        : `run ${summary.id} is already in baseline ${options.path}`,
      {
        hint: 'each run is added once; see steady baseline show',
        details: { run: summary.id, file: options.path },
      },
    )
  }
  const service = summary.subject.service
  if (file.service && service && service !== file.service) {
    throw new SteadyError(
      'STEADY_BASELINE_OTHER_SERVICE',
      `run ${summary.id} is of service "${service}", baseline ${options.path} is of "${file.service}"`,
      {
        hint: 'use the baseline of that service (baselines/<service>.json)',
        details: { run: summary.id, file: options.path },
      },
    )
  }
  if (!file.service && service) file.service = service
  const { id: _id, ...rest } = summary
  const run: BaselineRun = { addedAt: options.now.toISOString(), addedBy: options.by, summary: rest }
  if (options.forced) run.forced = options.forced
  file.runs[summary.id] = run
  return { dropped: trimBaseline(file, options.now) }
}

/** Excludes a run from judging, keeping a line that says who and why. */
export function excludeRun(
  file: BaselineFile,
  id: string,
  options: { reason: string; by: string; now: Date; path: string },
): void {
  const run = file.runs[id]
  if (!run) throw runNotFound(file, id, options.path)
  if (run.excluded) {
    throw new SteadyError(
      'STEADY_BASELINE_ALREADY_EXCLUDED',
      `run ${id} is already excluded (${run.excluded.reason})`,
      {
        hint: 'nothing to do',
        details: { run: id },
      },
    )
  }
  file.runs[id] = {
    addedAt: run.addedAt,
    addedBy: run.addedBy,
    excluded: { by: options.by, at: options.now.toISOString(), reason: options.reason },
  }
}

/** Pins a run (kept regardless of K), or unpins it. */
export function pinRun(
  file: BaselineFile,
  id: string,
  options: { by: string; now: Date; path: string; reason?: string; remove?: boolean },
): void {
  const run = file.runs[id]
  if (!run) throw runNotFound(file, id, options.path)
  if (run.excluded) {
    throw new SteadyError(
      'STEADY_BASELINE_RUN_EXCLUDED',
      `run ${id} is excluded (${run.excluded.reason}); an excluded run cannot be a reference`,
      {
        hint: 'pin another run (steady baseline show lists them)',
        details: { run: id },
      },
    )
  }
  if (options.remove) {
    if (!run.pinned)
      throw new SteadyError('STEADY_BASELINE_NOT_PINNED', `run ${id} is not pinned`, {
        hint: 'nothing to do',
        details: { run: id },
      })
    delete run.pinned
    trimBaseline(file, options.now)
    return
  }
  if (run.pinned)
    throw new SteadyError('STEADY_BASELINE_ALREADY_PINNED', `run ${id} is already pinned`, {
      hint: 'nothing to do',
      details: { run: id },
    })
  run.pinned = { by: options.by, at: options.now.toISOString() }
  if (options.reason) run.pinned.reason = options.reason
}

/** Finding ids look like `kind:...`; this checks the shape so a typo is caught. */
const FINDING_ID = /^[a-z-]+:\S+$/

/** Records an intended change: the finding is reported as accepted (who, why) instead of failing. */
export function acceptFinding(
  file: BaselineFile,
  finding: string,
  options: { reason: string; by: string; now: Date; upTo?: number; run?: string },
): void {
  if (!FINDING_ID.test(finding)) {
    throw new SteadyError('STEADY_BASELINE_BAD_FINDING', `"${finding}" is not a finding id`, {
      hint:
        'copy the id from the verdict (steady verdict ... --format json: findings[].id), e.g. ' +
        'level:p95:probe/http_req_duration{name=login,scenario=checkout}@peak',
      details: { finding },
    })
  }
  const a: Acceptance = { by: options.by, reason: options.reason, at: options.now.toISOString() }
  if (options.upTo !== undefined) a.upTo = options.upTo
  if (options.run) a.run = options.run
  file.accepted[finding] = a
}

/** Mutes a series (exact key or a `*` pattern) until a date. */
export function muteSeries(
  file: BaselineFile,
  series: string,
  options: { until: Date; owner: string; reason: string; by: string; now: Date },
): void {
  if (!(options.until.getTime() > options.now.getTime())) {
    throw new SteadyError(
      'STEADY_BASELINE_BAD_DATE',
      `--until ${options.until.toISOString().slice(0, 10)} is not in the future`,
      {
        hint: 'a mute expires by itself; give a date after today, e.g. --until 2026-12-31',
        details: { until: options.until.toISOString() },
      },
    )
  }
  file.mutes[series] = {
    owner: options.owner,
    reason: options.reason,
    until: options.until.toISOString(),
    by: options.by,
    at: options.now.toISOString(),
  }
}
