/**
 * What `steady run` does once its flags are parsed: wiring only, the work is
 * @steady/scenario's `loadScenarioFiles` and `runScenarios`. Loaded when the
 * command runs, so other commands do not pay for @steady/scenario.
 */
import { isAbsolute, join, resolve } from 'node:path'
import { ExitCode, Redactor, SteadyError, type Subject } from '@steady/record'
import { newRunId, parseDuration, terminalLine } from '@steady/record/internal'
import {
  loadScenarioFiles,
  resolveTarget,
  runScenarios,
  type ScenarioConfig,
  type SetupOutcome,
} from '@steady/scenario'
import { planReplay, type ReplayPlan } from '@steady/scenario/internal'
import type { CliContext } from '../context.ts'
import type { LoadedConfig } from '../config.ts'
import { buildReporters, parseReporters } from './reporters.ts'
import { parseTags } from '@steady/env/internal'
import { withEnvironment } from '@steady/env'
import { formatExchange } from './verbose.ts'

/** The options `steady run` takes. */
export interface RunFlags {
  target?: string
  grep?: string
  iterations?: string
  concurrency?: string
  seed?: string
  timeout?: string
  bail?: boolean | string
  reporter?: string
  out?: string
  replay?: string
  scenario?: string
  iteration?: string
  config?: string
  env?: string
  keep?: boolean
  id?: string
  branch?: string
  tag?: string[]
}

function positiveInt(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) {
    throw new SteadyError('STEADY_RUN_USAGE', `${flag} ${value}: expected a whole number of at least 1`, {
      hint: `e.g. ${flag} 5`,
    })
  }
  return n
}

/** A whole number of at least 1 from the config's `run` section (a TypeScript config can say `1e999` or `1 / 0`). */
function configCount(value: unknown, field: string, loaded: LoadedConfig): number | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return value
  const got = typeof value === 'number' ? value : JSON.stringify(value)
  const file = loaded.path ?? 'steady.config.ts'
  throw new SteadyError('STEADY_CONFIG_INVALID', `${file}: ${field} must be a whole number of at least 1, got ${got}`, {
    hint: `e.g. ${field.split('.').pop()}: 5, or remove it for the default (1)`,
    details: { file: loaded.path, field },
  })
}

/** A target to run against: its URL and what the record should say about it. */
interface Target {
  url: string
  name?: string
  subject?: Subject
  headers?: ScenarioConfig['headers']
  http?: ScenarioConfig['http']
}

/**
 * Where the scenarios run. `--target` (a URL or a name from `targets`) now;
 * `--env <name>` plugs in here: bring the environment up with @steady/env's
 * `withEnvironment`, call `fn` with its URL and `subject.environment`, and it
 * is torn down when `fn` returns.
 */
async function withTarget(
  flags: RunFlags,
  config: ScenarioConfig,
  fn: (target: Target) => Promise<number>,
  run?: { ctx: CliContext; loaded: LoadedConfig; outDir: string },
): Promise<number> {
  if (flags.env !== undefined && run) {
    if (flags.target !== undefined)
      throw new SteadyError('STEADY_RUN_USAGE', '--target and --env cannot be used together', {
        hint: '--env brings a fresh environment up and runs against it; --target runs against one that exists',
      })
    const { ctx, loaded, outDir } = run
    // Up, run against env.url, down: after a normal end, an exception, and on ctx.signal (SIGINT/SIGTERM);
    // --keep leaves it.
    return withEnvironment(
      {
        config: loaded.config.environments,
        name: flags.env,
        projectDir: loaded.dir,
        outDir,
        id: flags.id,
        branch: flags.branch,
        tags: parseTags(flags.tag ?? []),
        keep: flags.keep,
        signal: ctx.signal,
        log: (line) => ctx.err(line + '\n'),
        env: ctx.env,
      },
      (env) =>
        fn({
          url: env.url,
          name: env.name,
          subject: {
            branch: env.branch,
            environment: { id: env.id, name: env.name, provider: env.provider, url: env.url, tags: env.tags },
          },
        }),
    )
  }
  const t = resolveTarget(config, flags.target)
  return fn({ url: t.url, name: t.name, headers: t.headers, http: t.http })
}

/**
 * `--replay` without `--target`/`--env` goes where the recorded run went, not
 * to the config's default: the environment it brought up (a fresh one of that
 * name), else its target URL (as the configured target of that URL, for its
 * headers). Returns the flags to run with and a line saying which.
 */
function replayTarget(replay: ReplayPlan, flags: RunFlags, loaded: LoadedConfig): { flags: RunFlags; note?: string } {
  const other = '(--target or --env picks another)'
  if (flags.target !== undefined || flags.env !== undefined) return { flags }
  const subject = replay.record.subject
  const environments = (loaded.config.environments ?? {}) as Record<string, unknown>
  const env = subject.environment?.name
  if (env !== undefined && Object.hasOwn(environments, env)) {
    const note = `replaying against a fresh ${env} environment, as the recorded run did ${other}`
    return { flags: { ...flags, env }, note }
  }
  if (subject.target) {
    const targets = ((loaded.config as ScenarioConfig).targets ?? {}) as Record<string, string | { url: string }>
    const named = Object.keys(targets).find((n) => {
      const t = targets[n]
      return (typeof t === 'string' ? t : t.url) === subject.target
    })
    const note = `replaying against the recorded run's target ${subject.target}${named ? ` (${named})` : ''} ${other}`
    return { flags: { ...flags, target: named ?? subject.target }, note }
  }
  return { flags, note: `the recorded run names no target: replaying against the config's default ${other}` }
}

/** Runs `steady run` with parsed flags; resolves to the exit code. */
export async function runCommand(ctx: CliContext, paths: string[], flags: RunFlags): Promise<number> {
  const loaded: LoadedConfig = await ctx.config(flags.config)
  const config = loaded.config as ScenarioConfig
  const defaults = config.run ?? {}
  const configIterations = configCount(defaults.iterations, 'run.iterations', loaded)
  const configConcurrency = configCount(defaults.concurrency, 'run.concurrency', loaded)
  const iterations = positiveInt(flags.iterations, '--iterations', configIterations ?? 1)
  const concurrency = positiveInt(flags.concurrency, '--concurrency', configConcurrency ?? 1)
  const timeout = flags.timeout ?? defaults.timeout
  if (timeout !== undefined) parseDuration(timeout, '--timeout')
  const bail =
    flags.bail === undefined || flags.bail === false
      ? undefined
      : flags.bail === true
        ? true
        : positiveInt(flags.bail, '--bail', 1)
  const reportsDir = resolve(loaded.dir, defaults.out ?? 'reports')

  let replay: ReplayPlan | undefined
  if (flags.replay) {
    const iteration = flags.iteration === undefined ? undefined : Number(flags.iteration)
    if (iteration !== undefined && (!Number.isInteger(iteration) || iteration < 0)) {
      throw new SteadyError('STEADY_RUN_USAGE', `--iteration ${flags.iteration}: expected a whole number from 0`, {
        hint: 'iterations count from 0, as the failure output shows them',
      })
    }
    replay = await planReplay(flags.replay, flags.scenario, iteration, { cwd: ctx.cwd, reportsDir })
  } else if (flags.scenario !== undefined || flags.iteration !== undefined) {
    throw new SteadyError('STEADY_RUN_USAGE', '--scenario and --iteration go with --replay <run>', {
      hint: 'to pick scenarios by name, use --grep <pattern>',
    })
  }

  // Paths on the command line are relative to the working directory; the config's to the config file.
  const fromConfig = config.scenarios ?? 'scenarios/**/*.scenario.ts'
  const patterns = paths.length
    ? paths
    : (Array.isArray(fromConfig) ? fromConfig : [fromConfig]).map((p) => (isAbsolute(p) ? p : join(loaded.dir, p)))
  const files = await loadScenarioFiles({ patterns, cwd: ctx.cwd, grep: replay ? undefined : flags.grep })
  if (replay && !files.some((f) => f.scenarios.some((s) => s.name === replay.scenario))) {
    throw new SteadyError(
      'STEADY_RUN_REPLAY_SCENARIO',
      `--replay: scenario ${JSON.stringify(replay.scenario)} is not in ` +
        `${paths.length ? paths.join(', ') : 'the configured scenario files'} any more`,
      {
        hint: 'pass the scenario file as a path, or check out the version the run used',
      },
    )
  }

  const redactor = new Redactor(config.redaction)
  const runId = newRunId()
  const dir = flags.out ? resolve(ctx.cwd, flags.out) : join(reportsDir, runId)
  const reporterList =
    flags.reporter ??
    (replay
      ? 'pretty'
      : (defaults.reporters?.join(',') ?? (ctx.env.GITHUB_ACTIONS === 'true' ? 'pretty,json,github' : 'pretty,json')))
  // The run record is always written (the replay lines and the gate need it); reporters only add outputs.
  // A replay writes none: it re-runs one iteration of a run that has its record already.
  const names = parseReporters(reporterList)
  if (!replay && !names.includes('json')) names.unshift('json')
  if (replay) {
    const picked = replayTarget(replay, flags, loaded)
    flags = picked.flags
    if (picked.note) ctx.out(terminalLine(picked.note) + '\n')
  }

  return withTarget(
    flags,
    config,
    async (target) => {
      if (replay) {
        const { scenario, iteration, record, seed } = replay
        const what = `${JSON.stringify(scenario)} iteration ${iteration} of run ${record.id} (seed ${seed})`
        ctx.out(terminalLine(`replaying ${what} with the recorded setup results`) + '\n\n')
      }
      const result = await runScenarios({
        files,
        baseUrl: target.url,
        targetName: target.name,
        subject: target.subject,
        iterations,
        concurrency,
        seed: replay?.seed ?? flags.seed,
        timeout,
        requestTimeout: config.http?.timeout,
        bail,
        reporters: buildReporters(names, ctx, dir, redactor),
        signal: ctx.signal,
        headers: { ...config.headers, ...target.headers },
        redaction: redactor,
        http: { baseDir: loaded.dir, ...config.http, ...target.http },
        openapi: config.openapi ? resolve(loaded.dir, config.openapi) : undefined,
        only: replay ? { scenario: replay.scenario, iteration: replay.iteration } : undefined,
        recordedSetups: replay?.setups,
        onExchange: replay ? (e, r) => ctx.out(formatExchange(e, r)) : undefined,
        runId,
        configHash: loaded.hash,
        onReporterError: (e) => ctx.err(`warning: the ${e.reporter} reporter failed (${e.hook}): ${e.message}\n`),
      })
      if (replay) for (const line of setupLines(result.setups, replay.record.id)) ctx.out(terminalLine(line) + '\n')
      if (result.status === 'passed') return ExitCode.ok
      return ExitCode.failed
    },
    { ctx, loaded, outDir: dir },
  )
}

/**
 * What `--replay` says about each file's setup: reused, partly re-run, or
 * re-run, and whether the service gave the same data.
 */
function setupLines(setups: readonly SetupOutcome[], runId: string): string[] {
  const lines: string[] = []
  for (const s of setups) {
    const r = s.replay
    if (!r) continue
    const head = `setup of ${s.file}`
    if (r.source === 'recorded') {
      lines.push(`${head}: not run; the iteration gets the result recorded in run ${runId}`)
      continue
    }
    if (r.source === 'recorded+fresh') {
      const them = r.masked!.length === 1 ? 'it' : 'them'
      lines.push(
        `${head}: redaction masked ${r.masked!.join(', ')} in the recorded result, ` +
          `so setup re-ran with the same seed for ${them}; the rest is the recorded result`,
      )
      if (r.unfilled?.length) {
        const stay = r.unfilled.length === 1 ? 'it stays' : 'they stay'
        const missing = r.unfilled.join(', ')
        lines.push(`${head}: the re-run's result has no ${missing}: ${stay} [REDACTED] in the iteration's setup data`)
      }
    } else lines.push(`${head}: re-ran with the same seed (${r.reason})`)
    if (r.recordedFingerprint === undefined) lines.push(`${head}: the recorded run has no setup result to compare with`)
    else if (r.recordedFingerprint === r.freshFingerprint) lines.push(`${head}: the same result as in the recorded run`)
    else {
      const still =
        r.source === 'recorded+fresh' ? '; the iteration still gets the recorded values outside the masked parts' : ''
      lines.push(
        `${head}: a different result from the recorded run ` +
          `(fingerprint ${r.freshFingerprint}, was ${r.recordedFingerprint}): the service returned other data${still}`,
      )
    }
  }
  return lines
}
