/**
 * The `process` provider: the embedded default. Each service is a local
 * process started detached, as the leader of its own process group and
 * session, with stdout/stderr going to a file, so it survives the CLI exiting
 * (`steady env up`) and can be stopped as a whole group later, from another
 * process (`steady env down`), by its recorded PID and start time.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readSync, rmSync, fstatSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Redactor, SteadyError } from '@steady/record'
import { formatDuration } from '@steady/record/internal'
import type {
  EnvironmentProvider,
  ProviderDownContext,
  ProviderUpContext,
  ProviderUpResult,
  ServiceInfo,
} from '../types.ts'
import {
  configError,
  durationMs,
  folderProblem,
  isRecord,
  onlyKeys,
  readinessOf,
  stringRecord,
  type Readiness,
  type Where,
} from '../config-check.ts'
import { tagEnvName } from '../identity.ts'
import { freePort, portIsFree } from '../ports.ts'
import { describeCheck, sleep, waitUntilReady, type ReadinessCheck, type WaitFailure } from '../readiness.ts'
import { tailFile } from '../log-tail.ts'
import { groupRunning, killGroupSync, stopGroup } from '../kill.ts'
import { processStart } from '../proc.ts'
import { interrupted } from '../interrupted.ts'

/** How a service gets its port. */
type PortMode =
  { mode: 'none' } | { mode: 'auto' } | { mode: 'fixed'; port: number } | { mode: 'output'; pattern: RegExp }

/** A service after its config was checked. */
interface CheckedService {
  name: string
  command: string
  args: string[]
  env: Record<string, string>
  cwd: string | undefined
  port: PortMode
  readiness: Readiness | undefined
  dependsOn: string[]
  stopGraceMs: number
}

/** A `process` environment after its config was checked: services in start order. */
export interface CheckedProcessConfig {
  environment: string
  services: CheckedService[]
  main: string
}

/** What `down` needs, saved in `.steady/envs/<id>.json`. */
interface ProcessState {
  services: (ServiceInfo & { stopGraceMs: number })[]
}

/** The first `http://host:port` (or https) in a line of output, e.g. `listening on http://127.0.0.1:41234`. */
const defaultUrlPattern = /\bhttps?:\/\/(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}\b/

const serviceKeys = ['command', 'args', 'env', 'cwd', 'port', 'urlPattern', 'readiness', 'dependsOn', 'stopGracePeriod']
const DEFAULT_READINESS_TIMEOUT = '30s'

function checkService(name: string, raw: unknown, environment: string): CheckedService {
  const where: Where = { environment, service: name }
  if (!isRecord(raw))
    throw configError(
      where,
      '',
      `service "${name}" must be an object`,
      "write services: { api: { command: 'node', args: ['server.js'], port: 'auto' } }",
    )
  onlyKeys(raw, serviceKeys, where)
  const command = raw.command
  if (command === undefined || command === null || command === '') {
    throw configError(
      where,
      'command',
      'command is missing',
      "set command to the executable that starts the service, e.g. command: 'node'",
    )
  }
  if (typeof command !== 'string')
    throw configError(
      where,
      'command',
      'command must be a string',
      "put the executable in command and its arguments in args: ['...']",
    )
  const args = raw.args ?? []
  if (!Array.isArray(args) || args.some((a) => typeof a !== 'string')) {
    throw configError(where, 'args', 'args must be a list of strings', "write args: ['server.js', '--port', '{port}']")
  }
  const cwd = raw.cwd
  if (cwd !== undefined && (typeof cwd !== 'string' || cwd === ''))
    throw configError(where, 'cwd', 'cwd must be a folder path', 'write the folder relative to the config file')
  const port = checkPort(raw, where)
  const readiness = readinessOf(raw, where)
  if (readiness && port.mode === 'none') {
    throw configError(
      where,
      'readiness',
      'readiness needs the service to have a port',
      "add port: 'auto' (or 0 and let steady read the URL it prints)",
    )
  }
  const dependsOn = raw.dependsOn ?? []
  if (!Array.isArray(dependsOn) || dependsOn.some((d) => typeof d !== 'string')) {
    throw configError(where, 'dependsOn', 'dependsOn must be a list of service names', "write dependsOn: ['db']")
  }
  return {
    name,
    command,
    args: args as string[],
    env: stringRecord(raw, 'env', where),
    cwd: cwd as string | undefined,
    port,
    readiness:
      readiness ??
      (port.mode === 'none'
        ? undefined
        : {
            path: undefined,
            timeoutMs: durationMs(undefined, DEFAULT_READINESS_TIMEOUT, where, 'readiness.timeout'),
            intervalMs: 100,
          }),
    dependsOn: dependsOn as string[],
    stopGraceMs: durationMs(raw.stopGracePeriod as string | undefined, '10s', where, 'stopGracePeriod'),
  }
}

function checkPort(raw: Record<string, unknown>, where: Where): PortMode {
  const port = raw.port
  const pattern = raw.urlPattern
  if (pattern !== undefined && port !== 0) {
    throw configError(
      where,
      'urlPattern',
      'urlPattern is only used with port: 0',
      'set port: 0 so the service binds a free port and prints its URL, or remove urlPattern',
    )
  }
  if (port === undefined) return { mode: 'none' }
  if (port === 'auto') return { mode: 'auto' }
  if (port === 0) {
    let re = defaultUrlPattern
    if (typeof pattern === 'string') {
      try {
        re = new RegExp(pattern)
      } catch (error) {
        throw configError(
          where,
          'urlPattern',
          `urlPattern is not a valid regular expression: ${(error as Error).message}`,
          'fix the pattern, e.g. "listening on (?<url>http://\\\\S+)"',
        )
      }
    } else if (pattern instanceof RegExp) {
      re = pattern
    } else if (pattern !== undefined) {
      throw configError(
        where,
        'urlPattern',
        'urlPattern must be a string or a RegExp',
        'write urlPattern: /listening on (?<url>http:\\/\\/\\S+)/',
      )
    }
    return { mode: 'output', pattern: new RegExp(re.source, re.flags.replace(/[gy]/g, '')) }
  }
  if (typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536) return { mode: 'fixed', port }
  throw configError(
    where,
    'port',
    `port ${JSON.stringify(port)} is not valid`,
    "use 'auto' (steady picks one), 0 (the service binds a free one and prints its URL) or a number 1-65535",
  )
}

/**
 * Orders services so each starts after what it depends on (declaration order
 * otherwise); an unknown name or a cycle is a config error naming the path.
 */
function startOrder(services: CheckedService[], environment: string): CheckedService[] {
  const byName = new Map(services.map((s) => [s.name, s]))
  for (const s of services) {
    for (const d of s.dependsOn) {
      if (!byName.has(d)) {
        throw configError(
          { environment, service: s.name },
          'dependsOn',
          `dependsOn names "${d}", which is not a service of this environment`,
          `use one of: ${[...byName.keys()].join(', ')}`,
        )
      }
    }
  }
  const ordered: CheckedService[] = []
  const state = new Map<string, 'visiting' | 'done'>()
  const visit = (s: CheckedService, path: string[]) => {
    const st = state.get(s.name)
    if (st === 'done') return
    if (st === 'visiting') {
      const cycle = [...path.slice(path.indexOf(s.name)), s.name]
      throw configError(
        { environment, service: s.name },
        'dependsOn',
        `dependsOn has a cycle: ${cycle.join(' → ')}`,
        'remove one of these dependencies so the services can start one after another',
      )
    }
    state.set(s.name, 'visiting')
    for (const d of s.dependsOn) visit(byName.get(d)!, [...path, s.name])
    state.set(s.name, 'done')
    ordered.push(s)
  }
  for (const s of services) visit(s, [])
  return ordered
}

/** Checks a `provider: 'process'` entry. */
function checkProcessConfig(input: unknown, environment: string): CheckedProcessConfig {
  const where: Where = { environment }
  if (!isRecord(input))
    throw configError(
      where,
      '',
      'the environment must be an object',
      'write environments: { local: { services: { ... } } }',
    )
  onlyKeys(input, ['provider', 'services', 'main'], where)
  const raw = input.services
  if (!isRecord(raw) || Object.keys(raw).length === 0) {
    throw configError(
      where,
      'services',
      'services is missing or empty',
      "list the processes to start: services: { api: { command: 'node', args: ['server.js'], port: 'auto' } }",
    )
  }
  const services = startOrder(
    Object.entries(raw).map(([name, s]) => {
      if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(name)) {
        throw configError(
          { environment, service: name },
          '',
          `service name "${name}" is not valid`,
          "start with a letter and use letters, digits, '_' or '-'",
        )
      }
      return checkService(name, s, environment)
    }),
    environment,
  )
  let main = input.main
  if (main !== undefined) {
    const s = services.find((x) => x.name === main)
    if (typeof main !== 'string' || !s)
      throw configError(
        where,
        'main',
        `main names "${String(main)}", which is not a service`,
        `use one of: ${services.map((x) => x.name).join(', ')}`,
      )
    if (s.port.mode === 'none')
      throw configError(
        { environment, service: main },
        'port',
        'the main service has no port, so the environment has no URL',
        "give it port: 'auto' or port: 0",
      )
  } else {
    main = [...services].reverse().find((s) => s.port.mode !== 'none')?.name
    if (main === undefined) {
      throw configError(
        where,
        'services',
        'no service has a port, so the environment has no URL',
        "give the service that answers HTTP port: 'auto' (or 0 if it prints its URL)",
      )
    }
  }
  return { environment, services, main: main as string }
}

function placeholders(text: string, values: { port: string; dataDir: string }): string {
  return text.replaceAll('{port}', values.port).replaceAll('{dataDir}', values.dataDir)
}

/** Turns a URL a service printed into one a client can reach (`0.0.0.0` → `127.0.0.1`), without a trailing slash. */
function reachableUrl(printed: string): string {
  const url = new URL(printed)
  if (url.hostname === '0.0.0.0') url.hostname = '127.0.0.1'
  if (url.hostname === '[::]') url.hostname = '[::1]'
  return url.toString().replace(/\/+$/, '')
}

/**
 * Reads the service's log as it grows until `pattern` matches. The log is a
 * file (not a pipe) so the service never blocks on, or dies with, the CLI.
 */
async function readUrlFromLog(
  file: string,
  pattern: RegExp,
  deadline: number,
  signal: AbortSignal,
  exited: () => string | undefined,
): Promise<{ url: string } | WaitFailure> {
  let offset = 0
  let text = ''
  for (;;) {
    let fd: number | undefined
    try {
      fd = openSync(file, 'r')
      const size = fstatSync(fd).size
      if (size > offset) {
        const buf = Buffer.alloc(size - offset)
        readSync(fd, buf, 0, buf.length, offset)
        offset = size
        // Keep the tail only: a chatty service must not grow this without bound.
        text = (text + buf.toString('utf8')).slice(-65536)
      }
    } catch {
      // Not created yet.
    } finally {
      if (fd !== undefined) closeSync(fd)
    }
    const m = pattern.exec(text)
    if (m) {
      const found = m.groups?.url ?? m[0]
      try {
        return { url: reachableUrl(found) }
      } catch {
        // Matched something that is not a URL: keep looking.
      }
    }
    if (signal.aborted) return { reason: 'aborted' }
    const exit = exited()
    if (exit !== undefined) return { reason: 'exited', exit }
    if (Date.now() >= deadline) return { reason: 'timeout', lastSeen: undefined }
    await sleep(50, signal)
  }
}

function notReady(
  environment: string,
  service: string,
  what: string,
  logFile: string,
  failure: Exclude<WaitFailure, { reason: 'aborted' }>,
  timeoutMs: number,
): SteadyError {
  const why =
    failure.reason === 'exited'
      ? `exited (${failure.exit}) before ${what} passed (timeout ${formatDuration(timeoutMs)})`
      : `was not ready: ${what} did not pass within ${formatDuration(timeoutMs)}` +
        (failure.lastSeen ? ` (last: ${failure.lastSeen})` : '')
  const tail = new Redactor().text(tailFile(logFile, 50))
  const log = tail === '' ? `(its log ${logFile} is empty)` : `last 50 lines of ${logFile}:\n${tail}`
  return new SteadyError('STEADY_ENV_NOT_READY', `environment "${environment}": service "${service}" ${why}\n${log}`, {
    hint:
      failure.reason === 'exited'
        ? 'the log above says why it stopped; fix the service or its command'
        : `fix what the log shows, or raise environments.${environment}.services.${service}.readiness.timeout ` +
          'if it is only slow',
    details: { environment, service, check: what, timeoutMs, logFile },
  })
}

function spawnService(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  logFile: string,
): Promise<ChildProcess> {
  const fd = openSync(logFile, 'w')
  try {
    // detached: the service leads its own session and process group, so one
    // signal to -pgid reaches all its children, and a Ctrl-C sent to the
    // CLI's foreground group does not hit it before steady can stop it in order.
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', fd, fd] })
    return new Promise((resolvePromise, reject) => {
      child.once('spawn', () => resolvePromise(child))
      child.once('error', reject)
    })
  } finally {
    closeSync(fd)
  }
}

async function up(config: CheckedProcessConfig, ctx: ProviderUpContext): Promise<ProviderUpResult> {
  await checkBeforeStart(config, ctx)
  const state: ProcessState = { services: [] }
  const urls: Record<string, string> = {}
  for (const s of config.services) {
    if (ctx.signal.aborted) throw interrupted(ctx.signal, config.environment)
    const started = await startService(s, config.environment, ctx, urls)
    state.services.push(started.info)
    await ctx.save(state)
    ctx.log(`  ${s.name}: started (pid ${started.info.pid}), log ${started.info.logFile}`)
    if (!s.readiness) continue
    // One deadline for both: printing the URL and passing the readiness check.
    const deadline = Date.now() + s.readiness.timeoutMs
    const url = await serviceUrl(s, s.readiness, config.environment, ctx, started, deadline)
    started.info.url = url
    urls[s.name] = url
    await ctx.save(state)
    await untilReady(s, s.readiness, config.environment, ctx, started, url, deadline)
    ctx.log(`  ${s.name}: ready at ${url}`)
  }
  const services = state.services.map(({ stopGraceMs: _, ...info }) => info)
  return { url: urls[config.main], urls, services, state }
}

/** Fixed ports and working folders, before anything starts: a taken port is a config error, not a failed start. */
async function checkBeforeStart(config: CheckedProcessConfig, ctx: ProviderUpContext): Promise<void> {
  const { environment } = config
  for (const s of config.services) {
    if (s.port.mode === 'fixed' && !(await portIsFree(s.port.port))) {
      throw configError(
        { environment, service: s.name },
        'port',
        `port ${s.port.port} is already in use`,
        `stop what listens on ${s.port.port} (e.g. \`ss -ltnp | grep :${s.port.port}\`), or use port: 'auto'`,
        'STEADY_ENV_PORT_TAKEN',
      )
    }
  }
  for (const s of config.services) {
    const problem = folderProblem(ctx.projectDir, s.cwd)
    if (problem)
      throw configError(
        { environment, service: s.name },
        'cwd',
        problem,
        `create that folder, or fix cwd: it is relative to the project root ${ctx.projectDir}`,
      )
  }
}

/** A service just spawned: what `down` needs of it, its port when steady chose it, and how it exited, once it has. */
interface StartedService {
  info: ServiceInfo & { stopGraceMs: number }
  port: number | undefined
  exited: () => string | undefined
}

/** Spawns one service with its port, data folder, environment variables and log file. */
async function startService(
  s: CheckedService,
  environment: string,
  ctx: ProviderUpContext,
  urls: Record<string, string>,
): Promise<StartedService> {
  const port =
    s.port.mode === 'auto'
      ? await freePort()
      : s.port.mode === 'fixed'
        ? s.port.port
        : s.port.mode === 'output'
          ? 0
          : undefined
  const dataDir = mkdtempSync(join(tmpdir(), `steady-${ctx.id}-${s.name}-`))
  const values = { port: port === undefined ? '' : String(port), dataDir }
  const env = serviceEnv(s, ctx, values, urls)
  if (port !== undefined) env.PORT = String(port)
  for (const [k, v] of Object.entries(s.env)) env[k] = placeholders(v, values)
  const logFile = join(ctx.logDir, `${s.name}.log`)
  const cwd = resolve(ctx.projectDir, s.cwd ?? '.')
  let child: ChildProcess
  try {
    const args = s.args.map((a) => placeholders(a, values))
    // taskset execs the command in its own process: the PID steady records and samples is the service's.
    const command = ctx.cpus !== undefined ? 'taskset' : s.command
    const argv = ctx.cpus !== undefined ? ['-c', ctx.cpus, s.command, ...args] : args
    child = await spawnService(command, argv, cwd, env, logFile)
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true })
    throw notStarted({ environment, service: s.name }, s.command, error)
  }
  let exit: string | undefined
  child.once('exit', (code, signal) => (exit = signal ? `signal ${signal}` : `exit code ${code}`))
  // The CLI may exit while the service runs on (`steady env up`).
  child.unref()
  const pid = child.pid!
  const start = processStart(pid)
  const info = {
    name: s.name,
    pid,
    pgid: pid,
    startTime: start?.time ?? new Date().toISOString(),
    startToken: start?.token ?? 'exited-at-start',
    url: undefined,
    logFile,
    dataDir,
    stopGraceMs: s.stopGraceMs,
  }
  return { info, port, exited: () => exit }
}

/** steady's variables for a service (ids, side, version, tags, the URLs of the services started before it). */
function serviceEnv(
  s: CheckedService,
  ctx: ProviderUpContext,
  values: { dataDir: string },
  urls: Record<string, string>,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    STEADY_ENV_ID: ctx.id,
    STEADY_ENV_NAME: ctx.name,
    STEADY_BRANCH: ctx.branch,
    STEADY_SERVICE: s.name,
    STEADY_DATA_DIR: values.dataDir,
    ...(ctx.side ? { STEADY_SIDE: ctx.side } : {}),
    ...(ctx.version !== undefined ? { STEADY_VERSION: ctx.version } : {}),
    ...(ctx.cpus !== undefined ? { STEADY_CPUS: ctx.cpus } : {}),
  }
  for (const [k, v] of Object.entries(ctx.tags)) env[tagEnvName(k)] = v
  for (const [name, url] of Object.entries(urls))
    env[`STEADY_URL_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`] = url
  return env
}

function notStarted(where: Where, command: string, error: unknown): SteadyError {
  const code = (error as NodeJS.ErrnoException).code
  return configError(
    where,
    'command',
    code === 'ENOENT'
      ? `command "${command}" was not found`
      : `command "${command}" could not start: ${(error as Error).message}`,
    code === 'ENOENT'
      ? 'install it or give its full path; the command is run directly, not through a shell'
      : 'check the command and its permissions',
  )
}

/** Where a started service answers: the URL it prints (port: 'output'), else its port on 127.0.0.1. */
async function serviceUrl(
  s: CheckedService,
  readiness: Readiness,
  environment: string,
  ctx: ProviderUpContext,
  started: StartedService,
  deadline: number,
): Promise<string> {
  if (s.port.mode !== 'output') return `http://127.0.0.1:${started.port}`
  const { logFile } = started.info
  const found = await readUrlFromLog(logFile, s.port.pattern, deadline, ctx.signal, started.exited)
  if ('reason' in found) {
    if (found.reason === 'aborted') throw interrupted(ctx.signal, environment)
    throw notReady(environment, s.name, `printing its URL (${s.port.pattern})`, logFile, found, readiness.timeoutMs)
  }
  return found.url
}

/** Waits for a service's readiness check (its HTTP path, else a TCP connect to its URL). */
async function untilReady(
  s: CheckedService,
  readiness: Readiness,
  environment: string,
  ctx: ProviderUpContext,
  started: StartedService,
  url: string,
  deadline: number,
): Promise<void> {
  const parsed = new URL(url)
  const check: ReadinessCheck = readiness.path
    ? { kind: 'http', url: url + readiness.path }
    : {
        kind: 'tcp',
        host: parsed.hostname.replace(/^\[|\]$/g, ''),
        port: Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80)),
      }
  const failure = await waitUntilReady(check, {
    deadline,
    intervalMs: readiness.intervalMs,
    signal: ctx.signal,
    exited: started.exited,
  })
  if (failure) {
    if (failure.reason === 'aborted') throw interrupted(ctx.signal, environment)
    throw notReady(environment, s.name, describeCheck(check), started.info.logFile, failure, readiness.timeoutMs)
  }
}

function isProcessState(state: unknown): state is ProcessState {
  return isRecord(state) && Array.isArray(state.services)
}

async function down(state: unknown, ctx: ProviderDownContext): Promise<void> {
  if (!isProcessState(state)) return
  const stuck: string[] = []
  // Reverse start order: what depends on a service stops before it.
  for (const s of [...state.services].reverse()) {
    const outcome = await stopGroup(s, s.stopGraceMs ?? 10_000)
    if (outcome === 'killed')
      ctx.log(`  ${s.name}: did not stop within ${formatDuration(s.stopGraceMs)} of SIGTERM; killed`)
    else if (outcome === 'pid-reused') ctx.log(`  ${s.name}: pid ${s.pid} now belongs to another process; left alone`)
    else if (outcome === 'stuck') stuck.push(`${s.name} (pid ${s.pid})`)
    else if (outcome === 'terminated') ctx.log(`  ${s.name}: stopped`)
    await rm(s.dataDir, { recursive: true, force: true })
  }
  if (stuck.length) {
    throw new SteadyError(
      'STEADY_ENV_TEARDOWN',
      `environment "${ctx.name}" (${ctx.id}): ${stuck.join(', ')} survived SIGKILL`,
      {
        hint: 'a process stuck in the kernel (state D) cannot be killed; check `ps -o pid,stat,cmd -g <pgid>`',
        exitCode: 1,
        details: { id: ctx.id, stuck },
      },
    )
  }
}

/** The `process` provider. */
export const processProvider: EnvironmentProvider<CheckedProcessConfig> = {
  name: 'process',
  validate: checkProcessConfig,
  up,
  down,
  killSync(state) {
    if (!isProcessState(state)) return
    for (const s of [...state.services].reverse()) {
      killGroupSync(s)
      rmSync(s.dataDir, { recursive: true, force: true })
    }
  },
  alive(state) {
    return isProcessState(state) ? state.services.some((s) => groupRunning(s)) : undefined
  },
}
