/**
 * `steady run`: run scenarios against a target and say whether every flow
 * works (exit 0), some failed (exit 1), or it could not run (exit 2).
 * Parsing and wiring only: the work is @steady/scenario's `loadScenarioFiles`
 * and `runScenarios`.
 */
import type { Command } from 'commander'
import { isAbsolute, join, resolve } from 'node:path'
import { ExitCode, Redactor, SteadyError, newRunId, parseDuration, type Subject } from '@steady/record'
import { loadScenarioFiles, planReplay, resolveTarget, runScenarios, type ReplayPlan, type ScenarioConfig } from '@steady/scenario'
import type { CliContext } from '../context.ts'
import type { LoadedConfig } from '../config.ts'
import { buildReporters, parseReporters } from '../run/reporters.ts'
import { parseTags, withEnvironment } from '@steady/env'
import { formatExchange } from '../run/verbose.ts'

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
    throw new SteadyError('STEADY_RUN_USAGE', `${flag} ${value}: expected a whole number of at least 1`, { hint: `e.g. ${flag} 5` })
  }
  return n
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
async function withTarget(flags: RunFlags, config: ScenarioConfig, fn: (target: Target) => Promise<number>, run?: { ctx: CliContext; loaded: LoadedConfig; outDir: string }): Promise<number> {
  if (flags.env !== undefined && run) {
    if (flags.target !== undefined) throw new SteadyError('STEADY_RUN_USAGE', '--target and --env cannot be used together', { hint: '--env brings a fresh environment up and runs against it; --target runs against one that exists' })
    const { ctx, loaded, outDir } = run
    // Up, run against env.url, down: after a normal end, an exception, and on ctx.signal (SIGINT/SIGTERM); --keep leaves it.
    return withEnvironment(
      { config: loaded.config.environments, name: flags.env, projectDir: loaded.dir, outDir, id: flags.id, branch: flags.branch, tags: parseTags(flags.tag ?? []), keep: flags.keep, signal: ctx.signal, log: (line) => ctx.err(line + '\n'), env: ctx.env },
      (env) => fn({ url: env.url, name: env.name, subject: { branch: env.branch, environment: { id: env.id, name: env.name, provider: env.provider, url: env.url, tags: env.tags } } }),
    )
  }
  const t = resolveTarget(config, flags.target)
  return fn({ url: t.url, name: t.name, headers: t.headers, http: t.http })
}

/** Runs `steady run` with parsed flags; resolves to the exit code. */
export async function runCommand(ctx: CliContext, paths: string[], flags: RunFlags): Promise<number> {
  const loaded: LoadedConfig = await ctx.config(flags.config)
  const config = loaded.config as ScenarioConfig
  const defaults = config.run ?? {}
  const iterations = positiveInt(flags.iterations, '--iterations', defaults.iterations ?? 1)
  const concurrency = positiveInt(flags.concurrency, '--concurrency', defaults.concurrency ?? 1)
  const timeout = flags.timeout ?? defaults.timeout
  if (timeout !== undefined) parseDuration(timeout, '--timeout')
  const bail = flags.bail === undefined || flags.bail === false ? undefined : flags.bail === true ? true : positiveInt(flags.bail, '--bail', 1)
  const reportsDir = resolve(loaded.dir, defaults.out ?? 'reports')

  let replay: ReplayPlan | undefined
  if (flags.replay) {
    const iteration = flags.iteration === undefined ? undefined : Number(flags.iteration)
    if (iteration !== undefined && (!Number.isInteger(iteration) || iteration < 0)) {
      throw new SteadyError('STEADY_RUN_USAGE', `--iteration ${flags.iteration}: expected a whole number from 0`, { hint: 'iterations count from 0, as the failure output shows them' })
    }
    replay = await planReplay(flags.replay, flags.scenario, iteration, { cwd: ctx.cwd, reportsDir })
  } else if (flags.scenario !== undefined || flags.iteration !== undefined) {
    throw new SteadyError('STEADY_RUN_USAGE', '--scenario and --iteration go with --replay <run>', { hint: 'to pick scenarios by name, use --grep <pattern>' })
  }

  // Paths on the command line are relative to the working directory; the config's to the config file.
  const fromConfig = config.scenarios ?? 'scenarios/**/*.scenario.ts'
  const patterns = paths.length ? paths : (Array.isArray(fromConfig) ? fromConfig : [fromConfig]).map((p) => (isAbsolute(p) ? p : join(loaded.dir, p)))
  const files = await loadScenarioFiles({ patterns, cwd: ctx.cwd, grep: replay ? undefined : flags.grep })
  if (replay && !files.some((f) => f.scenarios.some((s) => s.name === replay.scenario))) {
    throw new SteadyError('STEADY_RUN_REPLAY_SCENARIO', `--replay: scenario ${JSON.stringify(replay.scenario)} is not in ${paths.length ? paths.join(', ') : 'the configured scenario files'} any more`, {
      hint: 'pass the scenario file as a path, or check out the version the run used',
    })
  }

  const redactor = new Redactor(config.redaction)
  const runId = newRunId()
  const dir = flags.out ? resolve(ctx.cwd, flags.out) : join(reportsDir, runId)
  const reporterList = flags.reporter ?? (replay ? 'pretty' : (defaults.reporters?.join(',') ?? (ctx.env.GITHUB_ACTIONS === 'true' ? 'pretty,json,github' : 'pretty,json')))
  const names = parseReporters(reporterList)

  return withTarget(flags, config, async (target) => {
    if (replay) {
      ctx.out(`replaying ${JSON.stringify(replay.scenario)} iteration ${replay.iteration} of run ${replay.record.id} (seed ${replay.seed}); setup re-runs with the same seed\n\n`)
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
      onExchange: replay ? (e, r) => ctx.out(formatExchange(e, r)) : undefined,
      runId,
      configHash: loaded.hash,
      onReporterError: (e) => ctx.err(`warning: the ${e.reporter} reporter failed (${e.hook}): ${e.message}\n`),
    })
    if (result.status === 'passed') return ExitCode.ok
    return ExitCode.failed
  }, { ctx, loaded, outDir: dir })
}

export function registerRun(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  program
    .command('run')
    .argument('[paths...]', 'scenario files, folders or globs (default: `scenarios` in steady.config.ts)')
    .description('run scenarios against a target: does every user flow work?')
    .option('--target <url|name>', 'base URL, or a target name from steady.config.ts')
    .option('--grep <pattern>', 'only scenarios whose "name @tag…" matches (RegExp, case-insensitive); @smoke selects a tag')
    .option('--iterations <n>', 'iterations per scenario (default 1)')
    .option('--concurrency <n>', 'iterations running at once (default 1)')
    .option('--seed <seed>', 'run seed for seeded test data (default: random, printed)')
    .option('--timeout <duration>', 'iteration timeout, k6 notation (default 60s)')
    .option('--bail [n]', 'stop starting iterations after the first (or n-th) failure')
    .option('--reporter <list>', 'comma-separated: pretty, json, junit, github (default pretty,json; +github on GitHub Actions)')
    .option('--out <dir>', 'run folder for run.json and junit.xml (default reports/<run-id>)')
    .option('--replay <run>', 're-run one recorded iteration (a run.json, run folder or run id) with every request and response printed')
    .option('--scenario <name>', 'with --replay: the scenario (default: the run\'s first failure)')
    .option('--iteration <n>', 'with --replay: the iteration, from 0 (default: the first failed one)')
    .option('--config <file>', 'the config file (default: the nearest steady.config.ts)')
    .option('--env <name>', 'bring environment <name> from steady.config.ts up, run against it, tear it down')
    .option('--keep', 'with --env: leave the environment running (steady env down <id> removes it)')
    .option('--id <id>', 'with --env: the environment id (default: branch slug + random suffix)')
    .option('--branch <branch>', 'with --env: the branch (STEADY_BRANCH; default: the current git branch)')
    .option('--tag <key=value>', 'with --env: an environment tag, carried into the run record; repeatable', (v: string, prev: string[] = []) => [...prev, v])
    .addHelpText(
      'after',
      `
Examples:
  steady run --target http://localhost:3000
  steady run --env local scenarios/store --tag team=checkout
  steady run scenarios/store --target staging --grep @smoke
  steady run --target http://localhost:3000 --iterations 20 --concurrency 4 --seed 42
  steady run --reporter pretty,json,junit --out reports/ci
  steady run --replay reports/<run-id>/run.json --scenario "checkout ships the order" --iteration 3

Exit codes: 0 every scenario passed, 1 a scenario failed, 2 could not run (usage, config, scenario load error), 130/143 interrupted.
`,
    )
    .action(async (paths: string[], flags: RunFlags) => {
      setExit(await runCommand(ctx, paths, flags))
    })
}
