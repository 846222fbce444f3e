/**
 * The lifecycle every provider shares: pick the environment from the config,
 * give it an id, claim its state file, bring it up, and tear it down whatever
 * happens (normal end, exception, SIGINT, SIGTERM); `keep` leaves it running
 * for `steady env down` later.
 */
import { mkdir, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { Redactor, SteadyError } from '@steady/record'
import type { EnvironmentConfig, EnvironmentProvider, RunningEnvironment } from './types.ts'
import { builtinProviders } from './providers/index.ts'
import { configError, isRecord } from './config-check.ts'
import { currentBranch, deriveId, sideId, validateId, validateTags, type EnvironmentSide } from './identity.ts'
import {
  ENV_SCHEMA,
  claimRecord,
  envsDir,
  readRecord,
  readRecords,
  removeRecord,
  writeRecord,
  type EnvironmentRecord,
} from './state.ts'
import { isSameProcess, processStart } from './proc.ts'
import { interrupted } from './interrupted.ts'
import { checkTemplateTags } from './templates.ts'

/** Options of {@link startEnvironment} and {@link withEnvironment}. */
export interface StartOptions {
  /** The `environments:` section of the config. */
  config: Readonly<Record<string, EnvironmentConfig | Record<string, unknown>>> | undefined
  /** Which environment of it to bring up. */
  name: string
  /**
   * The project root (the config's folder): state goes to `<projectDir>/.steady/envs/`,
   * relative paths resolve here. Default: the working directory.
   */
  projectDir?: string
  /**
   * The run's output folder: service logs go to `<outDir>/env/`. Default:
   * `.steady/envs/<id>/`, removed with the environment.
   */
  outDir?: string
  /** The id to use (Helm release name rules). Default: the branch slug plus a random suffix. */
  id?: string
  /** The branch (`STEADY_BRANCH`). Default: the current git branch. */
  branch?: string
  /** Tags (`STEADY_TAG_<KEY>`), carried into the run record. */
  tags?: Record<string, string>
  /** Leave it running at the end (`steady env up`, `--keep`); `steady env down <id>` removes it. */
  keep?: boolean
  /** Abort (SIGINT/SIGTERM): stop starting, tear down. */
  signal?: AbortSignal
  /** Progress lines for a person (stderr in the CLI). */
  log?: (line: string) => void
  /** Providers by name, on top of the built-in `process`, `command` and `url`. */
  providers?: Record<string, EnvironmentProvider>
  /** Environment variables to read the CI branch from (default `process.env`). */
  env?: NodeJS.ProcessEnv
  /**
   * One side of a paired soak: the id gets the suffix `-candidate` / `-control`
   * (on `id` or the derived one), the tags get `side`, the service logs go to
   * `<outDir>/env-<side>/`, and the commands and services see `STEADY_SIDE`.
   */
  side?: EnvironmentSide
  /** The version this side runs (`STEADY_VERSION` for the commands and services), when known. */
  version?: string
  /**
   * Where the environment's relative paths resolve (a process service's `cwd`
   * and command, a command provider's `cwd`): a `--control-ref` worktree's
   * copy of the project. State stays in `projectDir`. Default: `projectDir`.
   */
  workDir?: string
  /**
   * CPUs to pin this environment's services to (`taskset -c` list, e.g. `0-1`):
   * a `process` service is started under `taskset`, a `command` provider sees
   * `STEADY_CPUS` and pins what it starts itself.
   */
  cpus?: string
}

/** A started environment. */
export interface EnvironmentHandle {
  /** What it is and where it answers. */
  readonly env: RunningEnvironment
  /** Tears it down (safe to call twice; later calls wait for the first). */
  down(): Promise<void>
}

function providersOf(extra: Record<string, EnvironmentProvider> | undefined): Record<string, EnvironmentProvider> {
  return { ...builtinProviders, ...extra }
}

function pick(options: StartOptions): { entry: Record<string, unknown>; provider: EnvironmentProvider } {
  const environments = options.config ?? {}
  const entry = (environments as Record<string, unknown>)[options.name]
  if (entry === undefined) {
    const known = Object.keys(environments)
    throw new SteadyError(
      'STEADY_ENV_UNKNOWN',
      `there is no environment "${options.name}" in the config (environments.${options.name})`,
      {
        hint: known.length
          ? `use one of: ${known.join(', ')}`
          : `add environments: { ${options.name}: { services: { ... } } } to steady.config.ts`,
        details: { environment: options.name, field: `environments.${options.name}` },
      },
    )
  }
  if (!isRecord(entry))
    throw configError(
      { environment: options.name },
      '',
      'the environment must be an object',
      'see docs/environments.md for the three providers',
    )
  const providers = providersOf(options.providers)
  const name = entry.provider ?? 'process'
  const provider = typeof name === 'string' ? providers[name] : undefined
  if (!provider) {
    throw configError(
      { environment: options.name },
      'provider',
      `unknown provider ${JSON.stringify(name)}`,
      `use one of: ${Object.keys(providers).join(', ')}`,
    )
  }
  return { entry, provider }
}

/** Masks secrets in what a person or another tool reads (URLs with credentials, secret-named tags). */
function publicView(env: RunningEnvironment): RunningEnvironment {
  const r = new Redactor()
  return { ...env, url: r.text(env.url), urls: r.value(env.urls), tags: r.value(env.tags), branch: r.text(env.branch) }
}

/** Exit handlers of environments this process holds: the last resort when it exits without a teardown. */
const held = new Set<() => void>()
let exitHookInstalled = false
function holdUntilExit(kill: () => void): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true
    process.on('exit', () => {
      for (const k of held) {
        try {
          k()
        } catch {}
      }
    })
  }
  held.add(kill)
  return () => held.delete(kill)
}

/**
 * Brings an environment up and returns a handle whose `down()` tears it down.
 * When the start fails (a readiness check, a bad port, Ctrl-C), what was
 * started is torn down before the error is thrown. Unless `keep` is set, a
 * process exit without `down()` still SIGKILLs the services (a last resort).
 */
export async function startEnvironment(options: StartOptions): Promise<EnvironmentHandle> {
  const start = await checkStart(options)
  const rec = await claimId(options, start)
  await mkdir(rec.logDir, { recursive: true })
  const { provider, log } = start

  // Saves are chained so an older state never overwrites a newer one.
  let saving = Promise.resolve()
  const persist = () => (saving = saving.then(() => writeRecord({ ...rec, ...publicView(rec) })))
  // Held even with `keep` while starting: a forced exit midway must not leave half an environment.
  const release = holdUntilExit(() => provider.killSync?.(rec.providerState))
  const downCtx = { id: rec.id, name: rec.name, projectDir: start.projectDir, log, config: start.entry }

  log(`environment ${rec.name} (${rec.id}): starting with the ${provider.name} provider`)
  try {
    await bringUp(options, start, rec, persist)
  } catch (error) {
    log(`environment ${rec.name} (${rec.id}): start failed; tearing down what was started`)
    try {
      await saving
      if (rec.providerState !== undefined) await provider.down(rec.providerState, downCtx)
      await removeRecord(start.projectDir, rec.id)
      // A failed start keeps the log its error points at.
      if (rec.ownsLogDir && !(error instanceof SteadyError && 'logFile' in error.facts))
        await rm(rec.logDir, { recursive: true, force: true })
    } catch (downError) {
      const why = (downError as Error).message
      log(`environment ${rec.name} (${rec.id}): teardown failed too: ${why}; run \`steady env down ${rec.id}\``)
    } finally {
      release()
    }
    throw error
  }
  if (options.keep) release()
  log(`environment ${rec.name} (${rec.id}): up at ${publicView(rec).url}`)

  let stopping: Promise<void> | undefined
  return {
    env: runningOf(rec),
    down: () =>
      (stopping ??= (async () => {
        log(`environment ${rec.name} (${rec.id}): tearing down`)
        rec.status = 'stopping'
        await persist()
        await provider.down(rec.providerState, downCtx)
        await removeRecord(start.projectDir, rec.id)
        if (rec.ownsLogDir) await rm(rec.logDir, { recursive: true, force: true })
        release()
        log(`environment ${rec.name} (${rec.id}): torn down`)
      })()),
  }
}

/** What a start has checked before anything is claimed or started. */
interface CheckedStart {
  log: (line: string) => void
  signal: AbortSignal
  projectDir: string
  tags: Record<string, string>
  entry: Record<string, unknown>
  provider: EnvironmentProvider
  /** The provider's own view of the entry, validated. */
  checked: unknown
  branch: string
}

/** Checks the tags, the id, the entry and its templates and the branch, before anything starts. */
async function checkStart(options: StartOptions): Promise<CheckedStart> {
  const log = options.log ?? (() => {})
  const signal = options.signal ?? new AbortController().signal
  const projectDir = resolve(options.projectDir ?? process.cwd())
  // The command line first (cheap, and what the user just typed), then the config.
  const tags = validateTags({ ...options.tags, ...(options.side ? { side: options.side } : {}) }, '--tag')
  if (options.id !== undefined) validateId(options.id)
  const { entry, provider } = pick(options)
  const checked = provider.validate(entry, options.name)
  for (const [field, template] of Object.entries(provider.templates?.(checked) ?? {})) {
    checkTemplateTags(template, tags, { environment: options.name }, field)
  }
  const branch = options.branch ?? (await currentBranch(projectDir, options.env)).branch
  if (branch.trim() === '')
    throw new SteadyError('STEADY_ENV_BRANCH_INVALID', '--branch is empty', {
      hint: 'give a branch name, or leave --branch out to use the current git branch',
    })
  if (signal.aborted) throw interrupted(signal, options.name)
  return { log, signal, projectDir, tags, entry, provider, checked, branch }
}

/**
 * Claims the environment's state file under a free id: the given one, or a
 * derived one (a few tries, since two runs may derive the same id at once).
 */
async function claimId(options: StartOptions, start: CheckedStart): Promise<EnvironmentRecord> {
  const { projectDir, branch } = start
  const self = processStart(process.pid)
  const now = new Date().toISOString()
  const logFolder = options.side ? `env-${options.side}` : 'env'
  for (let attempt = 0; attempt < 8; attempt++) {
    const given = options.id !== undefined ? validateId(options.id) : undefined
    const id = options.side ? sideId(given, branch, options.side) : (given ?? deriveId(branch))
    const ownsLogDir = options.outDir === undefined
    const candidate: EnvironmentRecord = {
      schema: ENV_SCHEMA,
      id,
      name: options.name,
      provider: start.provider.name,
      url: '',
      urls: {},
      tags: start.tags,
      branch,
      services: [],
      // Both sides of a paired soak share the run folder: each keeps its own service logs.
      logDir: ownsLogDir ? join(envsDir(projectDir), id) : join(resolve(options.outDir!), logFolder),
      startedAt: now,
      status: 'starting',
      projectDir,
      owner: options.keep || !self ? undefined : { pid: process.pid, startToken: self.token },
      ownsLogDir,
      providerState: undefined,
      updatedAt: now,
    }
    if (await claimRecord({ ...candidate, ...publicView(candidate) })) return candidate
    if (options.id !== undefined) {
      throw new SteadyError(
        'STEADY_ENV_EXISTS',
        `an environment with id "${options.id}" is already up in ${projectDir}`,
        {
          hint: `tear it down with \`steady env down ${options.id}\`, or choose another --id`,
          details: { id: options.id },
        },
      )
    }
  }
  throw new SteadyError('STEADY_ENV_EXISTS', 'could not find a free environment id', { hint: 'pass --id' })
}

/** Runs the provider's `up` and records what it reports: URL, services, state, status `up`. */
async function bringUp(
  options: StartOptions,
  start: CheckedStart,
  rec: EnvironmentRecord,
  persist: () => Promise<void>,
): Promise<void> {
  const result = await start.provider.up(start.checked, {
    id: rec.id,
    name: rec.name,
    branch: start.branch,
    tags: start.tags,
    projectDir: options.workDir !== undefined ? resolve(options.workDir) : start.projectDir,
    ...(options.side ? { side: options.side } : {}),
    ...(options.version !== undefined ? { version: options.version } : {}),
    ...(options.cpus !== undefined ? { cpus: options.cpus } : {}),
    logDir: rec.logDir,
    signal: start.signal,
    log: start.log,
    save: (state) => {
      rec.providerState = state
      return persist()
    },
  })
  rec.url = result.url
  rec.urls = result.urls
  rec.services = result.services
  rec.providerState = result.state
  rec.status = 'up'
  await persist()
}

/** What a started environment shows its caller, from its state. */
function runningOf(rec: EnvironmentRecord): RunningEnvironment {
  return {
    id: rec.id,
    name: rec.name,
    provider: rec.provider,
    url: rec.url,
    urls: rec.urls,
    tags: rec.tags,
    branch: rec.branch,
    services: rec.services,
    logDir: rec.logDir,
    startedAt: rec.startedAt,
  }
}

/** Options of {@link withEnvironment}. */
export interface WithEnvironmentOptions extends StartOptions {
  /**
   * After an abort, how long `fn` may take to finish (write its partial record)
   * before the teardown starts anyway. Default 10s; infinite: wait for `fn`
   * however long it takes (it must end by itself).
   */
  abortGraceMs?: number
}

/**
 * Brings an environment up, runs `fn` with it, and tears it down after `fn`
 * ends, throws, or is interrupted (`signal`), unless `keep` is set. The
 * teardown's own failure is reported after `fn`'s error, never instead of it.
 */
export async function withEnvironment<T>(
  options: WithEnvironmentOptions,
  fn: (env: RunningEnvironment) => Promise<T>,
): Promise<T> {
  const handle = await startEnvironment(options)
  const log = options.log ?? (() => {})
  let failed = false
  try {
    return await untilSettledOrAborted(fn(handle.env), options.signal, options.abortGraceMs ?? 10_000, options.name)
  } catch (error) {
    failed = true
    throw error
  } finally {
    if (!options.keep) {
      try {
        await handle.down()
      } catch (downError) {
        if (!failed) throw downError
        log(`environment ${handle.env.name} (${handle.env.id}): teardown failed: ${(downError as Error).message}`)
      }
    } else {
      const { name, id } = handle.env
      log(`environment ${name} (${id}) is kept: tear it down with \`steady env down ${id}\``)
    }
  }
}

/**
 * The two environments of a paired soak: the candidate, then the control,
 * each with its side (id suffix, `side` tag, `STEADY_SIDE`). `fn` runs with
 * both; both are torn down after it ends, throws or is interrupted. When the
 * control fails to start, the candidate is torn down before the error is
 * thrown: nothing of either side is left running.
 */
export function withPairedEnvironments<T>(
  candidate: WithEnvironmentOptions,
  control: WithEnvironmentOptions,
  fn: (candidate: RunningEnvironment, control: RunningEnvironment) => Promise<T>,
): Promise<T> {
  // The control's teardown is part of the candidate's work: after an interrupt the candidate waits for it
  // (the control's own grace and teardown bound it), so that neither side is still up when this returns.
  return withEnvironment({ ...candidate, side: 'candidate', abortGraceMs: Number.POSITIVE_INFINITY }, (cand) =>
    withEnvironment({ ...control, side: 'control' }, (ctrl) => fn(cand, ctrl)),
  )
}

/** Waits for `work`; once `signal` aborts, waits at most `graceMs` more (unless infinite), then gives up on it. */
function untilSettledOrAborted<T>(
  work: Promise<T>,
  signal: AbortSignal | undefined,
  graceMs: number,
  environment: string,
): Promise<T> {
  if (!signal || graceMs === Number.POSITIVE_INFINITY) return work
  return new Promise<T>((resolvePromise, reject) => {
    let timer: NodeJS.Timeout | undefined
    const onAbort = () => {
      timer = setTimeout(() => reject(interrupted(signal, environment)), graceMs)
    }
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
    work.then(
      (v) => {
        clearTimeout(timer)
        signal.removeEventListener('abort', onAbort)
        resolvePromise(v)
      },
      (e: unknown) => {
        clearTimeout(timer)
        signal.removeEventListener('abort', onAbort)
        reject(e)
      },
    )
  })
}

/** Options of {@link stopEnvironment}. */
export interface StopOptions {
  /** The project root holding `.steady/envs/`. Default: the working directory. */
  projectDir?: string
  /** The `environments:` section of the config as it is now (a command provider's `env` values). */
  config?: Readonly<Record<string, EnvironmentConfig | Record<string, unknown>>>
  providers?: Record<string, EnvironmentProvider>
  log?: (line: string) => void
}

/**
 * Tears down an environment from its state file (`steady env down <id>`),
 * from any process: each recorded process is checked by its start time before
 * it is signalled, so a PID the kernel has reused is never killed.
 */
export async function stopEnvironment(id: string, options: StopOptions = {}): Promise<RunningEnvironment> {
  const projectDir = resolve(options.projectDir ?? process.cwd())
  const log = options.log ?? (() => {})
  const rec = await readRecord(projectDir, id)
  if (!rec) {
    throw new SteadyError('STEADY_ENV_NOT_FOUND', `no environment "${id}" is up in ${projectDir}`, {
      hint: 'list them with `steady env ls`',
      details: { id },
    })
  }
  const provider = providersOf(options.providers)[rec.provider]
  if (!provider) {
    throw new SteadyError(
      'STEADY_ENV_PROVIDER_UNKNOWN',
      `environment "${id}" was made by provider "${rec.provider}", which this steady does not know`,
      {
        hint: 'tear it down with the steady (or program) that brought it up',
        details: { id, provider: rec.provider },
      },
    )
  }
  log(`environment ${rec.name} (${rec.id}): tearing down`)
  await writeRecord({ ...rec, status: 'stopping' })
  await provider.down(rec.providerState, {
    id: rec.id,
    name: rec.name,
    projectDir,
    log,
    config: options.config?.[rec.name],
  })
  await removeRecord(projectDir, rec.id)
  if (rec.ownsLogDir) await rm(rec.logDir, { recursive: true, force: true })
  log(`environment ${rec.name} (${rec.id}): torn down`)
  const {
    schema: _s,
    status: _st,
    projectDir: _p,
    owner: _o,
    ownsLogDir: _l,
    providerState: _ps,
    updatedAt: _u,
    ...env
  } = rec
  return env
}

/** An environment as `steady env ls` shows it. */
export interface ListedEnvironment extends RunningEnvironment {
  /**
   * - `up`: running (or a command/url environment steady cannot look into);
   * - `starting` / `stopping`: a command is bringing it up or down right now;
   * - `orphaned`: the run that held it died without tearing it down;
   * - `exited`: its processes are gone (they crashed or were killed by hand).
   * `orphaned` and `exited` ones still need `steady env down <id>`.
   */
  status: 'up' | 'starting' | 'stopping' | 'orphaned' | 'exited'
  /** Whether its processes run (process provider); undefined when the provider cannot tell. */
  running: boolean | undefined
  /** PID of the run holding it, when one does (it tears it down when it ends). */
  heldBy: number | undefined
}

/**
 * The environments recorded in `.steady/envs/`, with whether they still run;
 * unreadable state files are reported in `errors`.
 */
export async function listEnvironments(
  options: { projectDir?: string; providers?: Record<string, EnvironmentProvider> } = {},
): Promise<{ environments: ListedEnvironment[]; errors: SteadyError[] }> {
  const projectDir = resolve(options.projectDir ?? process.cwd())
  const providers = providersOf(options.providers)
  const { records, errors } = await readRecords(projectDir)
  const environments = records.map((rec): ListedEnvironment => {
    const running = providers[rec.provider]?.alive?.(rec.providerState)
    const ownerAlive = rec.owner ? isSameProcess(rec.owner.pid, rec.owner.startToken) : undefined
    let status: ListedEnvironment['status']
    if (ownerAlive === false) status = 'orphaned'
    else if (rec.status !== 'up' && (ownerAlive || rec.owner === undefined)) status = rec.status
    else if (running === false) status = 'exited'
    else status = 'up'
    const {
      schema: _s,
      status: _st,
      projectDir: _p,
      owner,
      ownsLogDir: _l,
      providerState: _ps,
      updatedAt: _u,
      ...env
    } = rec
    return { ...env, status, running, heldBy: ownerAlive ? owner?.pid : undefined }
  })
  return { environments, errors }
}
