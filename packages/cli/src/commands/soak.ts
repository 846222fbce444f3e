/**
 * `steady soak [plan]`: bring a fresh environment up (or use `--target`), run
 * the plan's phases with the probe loop, load and scraping, tear down, and
 * write the run record. Wiring only: the work is @steady/soak's `soak()`.
 */
import type { Command } from 'commander'
import { isAbsolute, join, relative, resolve } from 'node:path'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { ExitCode, Redactor, SteadyError, type RunRecord, type Subject } from '@steady/record'
import { httpUrlProblem } from '@steady/kernel'
import { newRunId, formatDuration, shellCommand } from '@steady/record/internal'
import { loadScenarioFiles, resolveTarget, type ScenarioConfig, type ScenarioFile } from '@steady/scenario'
import { parseTags, prepareWorktree, withPairedEnvironments } from '@steady/env/internal'
import { withEnvironment } from '@steady/env'
import type { EnvironmentConfig, RunningEnvironment } from '@steady/env'
import { resolveLoadConfig, type ResolvedProfile } from '@steady/load'
import {
  resolvePlan,
  soak,
  type ResolvedPlan,
  type SoakControl,
  type SoakPlan,
  type SoakResult,
  type SoakService,
} from '@steady/soak'
import { writeReport } from '@steady/report'
import type { CliContext } from '../context.ts'
import type { LoadedConfig } from '../config.ts'
import { version } from '../version.ts'

export interface SoakFlags {
  env?: string
  target?: string
  durationScale?: string
  out?: string
  preflight?: boolean
  metricsPort?: string
  metricsHost?: string
  seed?: string
  grep?: string
  id?: string
  branch?: string
  tag?: string[]
  keep?: boolean
  workers?: string
  config?: string
  report?: boolean | string
  controlUrl?: string
  controlEnv?: string
  controlRef?: string
  controlVersion?: string
  pin?: boolean
  /** `--paired` (true): a control is required; `--no-paired` (false): the plan's control is not used. */
  paired?: boolean
}

/** The scenario files a config names (relative to the config file), or the paths given. */
export function scenarioPatterns(loaded: LoadedConfig, paths: readonly string[] = []): string[] {
  if (paths.length) return [...paths]
  const fromConfig = (loaded.config as ScenarioConfig).scenarios ?? 'scenarios/**/*.scenario.ts'
  return (Array.isArray(fromConfig) ? fromConfig : [fromConfig]).map((p) => (isAbsolute(p) ? p : join(loaded.dir, p)))
}

/** What the record says was tested: service, version, commit and branch (from git when not given). */
export function describeSubject(
  loaded: LoadedConfig,
  tags: Record<string, string>,
  extra: Partial<Subject> = {},
): Subject {
  const git = (args: string[]) => {
    try {
      return (
        execFileSync('git', args, { cwd: loaded.dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() ||
        undefined
      )
    } catch {
      return undefined
    }
  }
  const subject: Subject = { ...extra }
  const service = extra.service ?? tags.service
  const ver = extra.version ?? tags.version
  const commit = tags.commit ?? git(['rev-parse', 'HEAD'])
  const branch = extra.branch ?? tags.branch ?? git(['rev-parse', '--abbrev-ref', 'HEAD'])
  if (service) subject.service = service
  if (ver) subject.version = ver
  if (commit) subject.commit = commit
  if (branch && branch !== 'HEAD') subject.branch = branch
  return subject
}

function number(
  value: string | undefined,
  flag: string,
  check: (n: number) => boolean,
  example: string,
): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isFinite(n) || !check(n))
    throw new SteadyError('STEADY_USAGE', `${flag} ${value} is not valid`, { hint: `e.g. ${flag} ${example}` })
  return n
}

/**
 * Whether the live progress line may rewrite itself in place. It goes to
 * stderr, so stderr must be the terminal (`steady soak > log.txt` still gets a
 * live line; `steady soak 2> log.txt` gets plain lines). The context's
 * `isTTY` describes stdout: when it is not what this process's stdout says, a
 * caller set it on purpose (a test, a program embedding the CLI) and it wins.
 */
function progressIsTTY(ctx: CliContext): boolean {
  return ctx.isTTY === Boolean(process.stdout.isTTY) ? Boolean(process.stderr.isTTY) : ctx.isTTY
}

type SoakConfig = ScenarioConfig & {
  plans?: Record<string, SoakPlan>
  load?: unknown
  environments?: Record<string, EnvironmentConfig>
}

/** A soak once its flags, plan and scenarios are checked: what every way of running it shares. */
interface SoakSetup {
  ctx: CliContext
  flags: SoakFlags
  loaded: LoadedConfig
  cfg: SoakConfig
  name: string
  plan: ResolvedPlan
  profiles: Map<string, ResolvedProfile>
  metricsPort: number | undefined
  workers: number | undefined
  /** The environment to bring up, or undefined with --target. */
  envName: string | undefined
  patterns: string[]
  files: ScenarioFile[]
  tags: Record<string, string>
  runId: string
  outDir: string
  redactor: Redactor
  seed: string
  controlUrl: string | undefined
}

/** Runs `steady soak`; resolves to the exit code. */
export async function soakCommand(ctx: CliContext, planName: string | undefined, flags: SoakFlags): Promise<number> {
  const s = await prepareSoak(ctx, planName, flags)
  if (s.envName !== undefined) return soakInEnvironment(s, s.envName)
  const t = resolveTarget(s.cfg, flags.target)
  const { name, version } = s.plan.service ?? {}
  const service = { ...(name ? { service: name } : {}), ...(version ? { version } : {}) }
  return runSoak(
    s,
    t.url,
    [{ name: t.name ?? 'target', url: t.url }],
    describeSubject(s.loaded, s.tags, { ...service, target: t.url }),
  )
}

/** Checks the flags against the config and the plan, and loads the probe loop's scenarios. */
async function prepareSoak(ctx: CliContext, planName: string | undefined, given: SoakFlags): Promise<SoakSetup> {
  const loaded = await ctx.config(given.config)
  const cfg = loaded.config as SoakConfig
  const name = planName ?? 'default'
  const durationScale = number(given.durationScale, '--duration-scale', (n) => n > 0, '0.1') ?? 1
  const profiles: Map<string, ResolvedProfile> = cfg.load ? resolveLoadConfig(cfg.load) : new Map()
  const plan = resolvePlan(name, cfg.plans?.[name], {
    durationScale,
    profiles: Object.fromEntries(profiles),
    available: Object.keys(cfg.plans ?? {}),
  })
  const flags = pairedFlags(given, plan)
  const metricsPort = checkMetricsFlags(flags)
  const workers = number(flags.workers, '--workers', (n) => Number.isInteger(n) && n >= 1, '2')
  const envName = environmentName(flags, plan, name)
  const patterns = scenarioPatterns(loaded)
  const files = await loadScenarioFiles({ patterns, cwd: ctx.cwd, grep: flags.grep ?? plan.probeGrep })
  if (!files.some((f) => f.scenarios.length)) {
    throw new SteadyError(
      'STEADY_SOAK_NO_SCENARIOS',
      `no scenario matches${flags.grep ? ` --grep ${flags.grep}` : ''} in ${patterns.join(', ')}`,
      {
        hint: 'the probe loop needs at least one scenario: check the scenarios patterns and --grep',
      },
    )
  }
  const runId = newRunId()
  const setup: SoakSetup = {
    ctx,
    flags,
    loaded,
    cfg,
    name,
    plan,
    profiles,
    metricsPort,
    workers,
    envName,
    patterns,
    files,
    tags: parseTags(flags.tag ?? []),
    runId,
    outDir: flags.out ? resolve(ctx.cwd, flags.out) : join(loaded.dir, 'reports', runId),
    redactor: new Redactor(cfg.redaction),
    seed: flags.seed ?? Math.random().toString(36).slice(2, 10),
    controlUrl: flags.controlUrl === undefined ? undefined : checkControlUrl(flags.controlUrl),
  }
  checkControlFlags(flags, envName)
  return setup
}

/** `--metrics-port` and `--metrics-host`: the port of the live /metrics, if any. */
function checkMetricsFlags(flags: SoakFlags): number | undefined {
  const metricsPort = number(
    flags.metricsPort,
    '--metrics-port',
    (n) => Number.isInteger(n) && n >= 0 && n < 65536,
    '9465',
  )
  if (flags.metricsHost !== undefined && (flags.metricsHost.trim() === '' || /[\s/]/.test(flags.metricsHost))) {
    throw new SteadyError(
      'STEADY_USAGE',
      `--metrics-host ${JSON.stringify(flags.metricsHost)} is not an address to listen on`,
      {
        hint: 'e.g. --metrics-host 0.0.0.0 (every interface) or --metrics-host 127.0.0.1 (the default)',
      },
    )
  }
  if (flags.metricsHost !== undefined && metricsPort === undefined) {
    throw new SteadyError('STEADY_USAGE', '--metrics-host needs --metrics-port', {
      hint: 'e.g. --metrics-port 9465 --metrics-host 0.0.0.0',
    })
  }
  return metricsPort
}

/** The environment to bring up (--env, else the plan's), or undefined when --target names a running service. */
function environmentName(flags: SoakFlags, plan: ResolvedPlan, planName: string): string | undefined {
  if (flags.env !== undefined && flags.target !== undefined) {
    throw new SteadyError('STEADY_USAGE', '--target and --env cannot be used together', {
      hint: '--env brings a fresh environment up and soaks it; --target soaks one that exists',
    })
  }
  const envName = flags.target === undefined ? (flags.env ?? plan.environment) : undefined
  if (flags.target === undefined && envName === undefined) {
    throw new SteadyError(
      'STEADY_USAGE',
      `plan ${planName} names no environment and neither --env nor --target was given`,
      {
        hint: 'pass --env <name> (from environments in steady.config.ts) or --target <url>',
      },
    )
  }
  return envName
}

/** Soaks the service at `target` (beside its control, if any) and prints where the record is; the exit code. */
async function runSoak(
  s: SoakSetup,
  target: string,
  services: SoakService[],
  subject: Subject,
  started?: SoakControl,
): Promise<number> {
  const { ctx, flags, plan, loaded, metricsPort, workers } = s
  const fromUrl =
    s.controlUrl === undefined ? undefined : urlControl(s.controlUrl, services, subject, flags.controlVersion)
  const control = started ?? fromUrl
  const phases = plan.phases.map((p) => `${p.name} ${formatDuration(p.durationMs)}${p.load ? ` (${p.load})` : ''}`)
  const paired = control ? `, paired with the control at ${control.target}` : ''
  ctx.err(s.redactor.text(`soak ${s.runId}: plan ${s.name}, ${phases.join(' → ')}, against ${target}${paired}\n`))
  const result = await soak({
    plan,
    files: s.files,
    scenarioPatterns: s.patterns,
    cwd: ctx.cwd,
    configDir: loaded.dir,
    profiles: s.profiles,
    target,
    services,
    ...(control ? { control } : {}),
    outDir: s.outDir,
    runId: s.runId,
    seed: s.seed,
    subject,
    configHash: loaded.hash,
    toolVersion: version,
    preflight: flags.preflight !== false,
    ...(metricsPort !== undefined ? { metricsPort } : {}),
    ...(flags.metricsHost !== undefined ? { metricsHost: flags.metricsHost } : {}),
    ...(workers !== undefined ? { workers } : {}),
    headers: s.cfg.headers as Record<string, string> | undefined,
    redactor: s.redactor,
    signal: ctx.signal,
    write: ctx.err,
    isTTY: progressIsTTY(ctx),
  })
  if (result.preflightFailures.length) {
    reportPreflightFailures(s, result)
    return ExitCode.failed
  }
  if (!result.record) return ExitCode.usage
  await printSoakResult(s, result.record)
  return ExitCode.ok
}

function reportPreflightFailures(s: SoakSetup, result: SoakResult): void {
  const { ctx } = s
  ctx.err(`preflight failed: a version that does not work is not worth soaking\n`)
  for (const f of result.preflightFailures)
    ctx.err(`  ✗ ${f.scenario} (${f.file}): ${s.redactor.text(f.message).split('\n')[0]}\n`)
  ctx.err(`  → fix the failure (steady run shows it in full), or pass --no-preflight to soak anyway\n`)
  // The record (complete: false, with the failures) lets the gate's verdict step fail with this reason.
  const record = join(relative(ctx.cwd, s.outDir) || '.', 'run.json')
  if (result.record) ctx.err(`record: ${record} (incomplete: preflight failed)\n`)
}

/** The report when asked for, then one summary line of the soak, where its record is and what to run next. */
async function printSoakResult(s: SoakSetup, r: RunRecord): Promise<void> {
  const { ctx, flags } = s
  const its = r.scenarios.reduce((n, sc) => n + sc.iterations, 0)
  const where = relative(ctx.cwd, s.outDir) || '.'
  const ok = r.scenarios.reduce((n, sc) => n + sc.passed, 0)
  const perSide = (side: string) => r.scenarios.filter((sc) => sc.side === side).reduce((n, sc) => n + sc.iterations, 0)
  const sidesLine = r.paired ? ` (candidate ${perSide('candidate')}, control ${perSide('control')})` : ''
  const next = nextVerdictCommand(join(where, 'run.json'), Boolean(r.paired))
  if (flags.report) {
    const path = typeof flags.report === 'string' ? resolve(ctx.cwd, flags.report) : join(s.outDir, 'report.html')
    await writeReport(path, { record: r, redaction: s.cfg.redaction })
    ctx.out(`report: ${relative(ctx.cwd, path)} (without a verdict: steady verdict --report adds one)\n`)
  }
  const restarts = r.events.filter((e) => e.kind === 'service-restart' || e.kind === 'service-crash').length
  ctx.out(
    `${r.complete ? 'soak complete' : `soak interrupted (${r.incompleteReason})`}: ` +
      `${formatDuration(r.durationMs)}, ` +
      `${its} probe iterations${sidesLine}, ` +
      `${its ? ((100 * ok) / its).toFixed(1) : '0'}% passed, ${r.series.length} series, ` +
      `${restarts} service restarts/crashes\n` +
      `record: ${join(where, 'run.json')}\n` +
      `next: ${next}\n`,
  )
}

/** What bringing up an environment needs, for the candidate and, with a started control, the control. */
type EnvironmentOptions = Parameters<typeof withEnvironment>[0]

/** Brings the environment up, soaks it (beside a control started too, if asked) and tears it down. */
async function soakInEnvironment(s: SoakSetup, envName: string): Promise<number> {
  const { ctx, flags, loaded, tags } = s
  const envOptions = {
    config: s.cfg.environments,
    name: envName,
    projectDir: loaded.dir,
    outDir: s.outDir,
    id: flags.id,
    branch: flags.branch,
    tags,
    keep: flags.keep,
    signal: ctx.signal,
    log: (line: string) => ctx.err(line + '\n'),
    env: ctx.env,
  }
  if (flags.controlEnv !== undefined || flags.controlRef !== undefined) return soakBesideControl(s, envName, envOptions)
  return withEnvironment(envOptions, (env: RunningEnvironment) =>
    runSoak(s, env.url, servicesOf(env), candidateSubject(s, env)),
  )
}

/** The name the candidate's service goes by: the plan's, the service tag's, or the environment's. */
function serviceName(s: SoakSetup, env: RunningEnvironment): string {
  return s.plan.service?.name ?? s.tags.service ?? env.name
}

function candidateSubject(s: SoakSetup, env: RunningEnvironment): Subject {
  return describeSubject(s.loaded, s.tags, {
    service: serviceName(s, env),
    ...(s.plan.service?.version ? { version: s.plan.service.version } : {}),
    ...(env.branch ? { branch: env.branch } : {}),
    target: env.url,
    environment: environmentOf(env),
  })
}

/**
 * `--control-env` and `--control-ref`: the control is started beside the candidate and torn down with it:
 * another environment of the config, or the same one started from a worktree of the ref (built there once per
 * commit).
 */
async function soakBesideControl(s: SoakSetup, envName: string, envOptions: EnvironmentOptions): Promise<number> {
  const { ctx, flags, plan, tags } = s
  const ref = flags.controlRef
  const prepare = { projectDir: s.loaded.dir, build: plan.build, signal: ctx.signal, log: envOptions.log }
  const worktree = ref === undefined ? undefined : await prepareWorktree({ ...prepare, ref })
  const candidateVersion = plan.service?.version ?? tags.version
  const pins = flags.pin ? pinnedCpus() : undefined
  const candidate = {
    ...envOptions,
    ...(candidateVersion !== undefined ? { version: candidateVersion } : {}),
    ...(pins ? { cpus: pins.candidate } : {}),
  }
  const { version: _v, commit: _c, ...controlTags } = tags
  const controlEnv = flags.controlEnv ?? envName
  // The candidate's own environment started again, with no other version named: the same build on both sides
  // (and the same STEADY_VERSION for a template that picks its image by it).
  const sameBuild = worktree === undefined && controlEnv === envName && flags.controlVersion === undefined
  const controlVersion = flags.controlVersion ?? (sameBuild ? candidateVersion : undefined)
  const control = {
    ...envOptions,
    name: controlEnv,
    tags: { ...controlTags, ...(worktree ? { commit: worktree.sha } : {}) },
    ...(controlVersion !== undefined ? { version: controlVersion } : {}),
    ...(worktree ? { workDir: worktree.projectDir } : {}),
    ...(pins ? { cpus: pins.control } : {}),
  }
  if (pins) ctx.err(`pinned: candidate on CPUs ${pins.candidate}, control on CPUs ${pins.control}\n`)
  return withPairedEnvironments(candidate, control, (cand, ctrl) => {
    const subject: Subject = { service: serviceName(s, cand), target: ctrl.url, environment: environmentOf(ctrl) }
    const own = candidateSubject(s, cand)
    if (controlVersion !== undefined) subject.version = controlVersion
    else if (sameBuild && own.version !== undefined) subject.version = own.version
    if (worktree) subject.commit = worktree.sha
    else if (sameBuild && own.commit !== undefined) subject.commit = own.commit
    const sideControl: SoakControl = {
      target: ctrl.url,
      services: servicesOf(ctrl),
      subject,
      ...(pins ? { pinned: pins } : {}),
    }
    return runSoak(s, cand.url, servicesOf(cand), own, sideControl)
  })
}

/** The services of an environment, as the soak scrapes and samples them. */
function servicesOf(env: RunningEnvironment): SoakService[] {
  return env.services.map((s) => ({ name: s.name, ...(s.url ? { url: s.url } : {}), ...(s.pid ? { pid: s.pid } : {}) }))
}

/** The environment a subject ran in, for the record. */
function environmentOf(env: RunningEnvironment): NonNullable<Subject['environment']> {
  return { id: env.id, name: env.name, provider: env.provider, url: env.url, tags: env.tags }
}

const CONTROL_FLAGS = ['controlUrl', 'controlEnv', 'controlRef'] as const

/**
 * The control a soak is paired with: the command line's (`--control-*`), else the plan's `control` unless
 * `--no-paired`; `--paired` insists there is one.
 */
function pairedFlags(flags: SoakFlags, plan: ResolvedPlan): SoakFlags {
  const fromFlags = CONTROL_FLAGS.some((k) => flags[k] !== undefined)
  if (flags.paired === false) {
    if (fromFlags || flags.controlVersion !== undefined || flags.pin)
      throw new SteadyError('STEADY_USAGE', '--no-paired cannot be used with a control (--control-*, --pin)', {
        hint: '--no-paired soaks the candidate alone (to judge against a history baseline); drop one of them',
      })
    return flags
  }
  if (fromFlags || !plan.control) {
    if (flags.paired && !fromFlags)
      throw new SteadyError('STEADY_USAGE', `--paired needs a control, and plan ${plan.name} names none`, {
        hint:
          'add --control-env <environment>, --control-ref <git-ref> or --control-url <url>, ' +
          `or a control to plans.${plan.name} (e.g. control: { ref: 'origin/main' })`,
      })
    return flags
  }
  const c = plan.control
  if (flags.target !== undefined && c.url === undefined) {
    throw new SteadyError(
      'STEADY_USAGE',
      `plans.${plan.name}.control starts a control beside the candidate's environment, not --target`,
      {
        hint: 'soak an environment (--env <name>), give another control (--control-url <url>), or --no-paired',
      },
    )
  }
  return {
    ...flags,
    ...(c.env !== undefined ? { controlEnv: c.env } : {}),
    ...(c.ref !== undefined ? { controlRef: c.ref } : {}),
    ...(c.url !== undefined ? { controlUrl: c.url } : {}),
    ...(flags.controlVersion === undefined && c.version !== undefined ? { controlVersion: c.version } : {}),
    ...(flags.pin === undefined && c.pin ? { pin: true } : {}),
  }
}

/** The control options together: one control, an environment to start it beside, a version only with a control. */
function checkControlFlags(flags: SoakFlags, envName: string | undefined): void {
  const given = CONTROL_FLAGS.filter((k) => flags[k] !== undefined)
  const flag = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
  if (given.length > 1) {
    const both = given.map(flag).join(' and ')
    throw new SteadyError('STEADY_USAGE', `${both} cannot be used together: a soak has one control`, {
      hint:
        '--control-url: one already running; --control-env: another environment; ' +
        '--control-ref: a git ref built here',
    })
  }
  if ((flags.controlEnv !== undefined || flags.controlRef !== undefined) && envName === undefined) {
    throw new SteadyError('STEADY_USAGE', `${flag(given[0])} needs a candidate environment, not --target`, {
      hint: 'e.g. steady soak --env local --control-env local-main (or --target <url> --control-url <url>)',
    })
  }
  if (flags.pin && flags.controlEnv === undefined && flags.controlRef === undefined) {
    throw new SteadyError('STEADY_USAGE', '--pin needs a control that steady starts (--control-env or --control-ref)', {
      hint: 'a control given by --control-url runs where it runs; pin it where it is started',
    })
  }
  if (flags.controlVersion !== undefined && given.length === 0) {
    throw new SteadyError('STEADY_USAGE', '--control-version needs a control', {
      hint: 'e.g. --control-env local-main --control-version 1.4.2 (or --control-url <url> --control-version 1.4.2)',
    })
  }
}

/**
 * `--pin`: the machine's CPUs split in two halves, the candidate's services
 * on the first, the control's on the second, so a candidate that burns CPU
 * cannot slow its control. The load generator and the probe loop (this
 * process) stay unpinned. Needs `taskset` and at least two CPUs.
 */
function pinnedCpus(): { candidate: string; control: string } {
  const cpus = allowedCpus()
  const n = cpus.length
  if (n < 2) {
    const what = `--pin needs at least 2 CPUs to give each side its own; this process may use ${n}`
    throw new SteadyError('STEADY_SOAK_PIN_CPUS', what, {
      hint: 'leave --pin out: both sides then share the CPU (see docs/soak.md, Paired soaks)',
    })
  }
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' })
  } catch {
    throw new SteadyError('STEADY_SOAK_PIN_TASKSET', '--pin needs taskset, which was not found', {
      hint: 'install util-linux (taskset), or leave --pin out',
    })
  }
  const half = Math.floor(n / 2)
  return { candidate: cpus.slice(0, half).join(','), control: cpus.slice(half, 2 * half).join(',') }
}

/** The CPUs this process may run on (a container or a CI runner may allow only some), by id. */
function allowedCpus(): number[] {
  try {
    const list = /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]
    if (list) {
      return list.split(',').flatMap((part) => {
        const [from, to = from] = part.split('-').map(Number)
        return Array.from({ length: to - from + 1 }, (_, i) => from + i)
      })
    }
  } catch {
    // Not Linux: the CPUs by count.
  }
  return Array.from({ length: availableParallelism() }, (_, i) => i)
}

/** `--control-url`: an http(s) URL of a control that is already running. */
function checkControlUrl(value: string): string {
  const problem = httpUrlProblem(value)
  if (problem) {
    throw new SteadyError('STEADY_USAGE', `--control-url ${problem}`, {
      hint: 'give the base URL of the running control version, e.g. --control-url http://127.0.0.1:3001',
    })
  }
  return value
}

/**
 * The control of a paired soak that is already running at `url`. Its one
 * service takes the name of the candidate's service with a URL, so that a
 * series key without its side tag is the same on both sides. steady did not
 * start it: it has no pid, so /proc is not sampled for it.
 */
function urlControl(url: string, candidate: SoakService[], subject: Subject, version: string | undefined): SoakControl {
  const name = candidate.find((s) => s.url)?.name ?? candidate[0]?.name ?? 'target'
  const control: Subject = { target: url }
  if (subject.service) control.service = subject.service
  if (version !== undefined) control.version = version
  return { target: url, services: [{ name, url }], subject: control }
}

export function registerSoak(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  program
    .command('soak')
    .argument('[plan]', 'the soak plan from steady.config.ts (default: the plan named "default")')
    .description(
      'run the E2E scenarios in a loop under phased load on a fresh environment, watch the service, ' +
        'and write the run record',
    )
    .option('--env <name>', 'bring this environment up (ephemeral), soak it, tear it down')
    .option('--target <url>', 'soak an existing service (a URL or a name from targets) instead of a fresh environment')
    .option('--duration-scale <factor>', 'multiply every phase and load duration (0.1 runs the plan ten times faster)')
    .option('--out <dir>', 'where to write run.json and events.ndjson (default reports/<run-id>)')
    .option('--no-preflight', 'soak even if a scenario fails its single preflight run')
    .option('--metrics-port <port>', "serve the soak's own /metrics on this port (0 picks one) for Prometheus/Grafana")
    .option(
      '--metrics-host <address>',
      'the address the live /metrics listens on (default 127.0.0.1; 0.0.0.0 for a Prometheus on another host)',
    )
    .option('--seed <seed>', 'run seed (probe iterations derive their data from it)')
    .option('--grep <pattern>', 'probe only scenarios whose name matches (@tag for tags)')
    .option('--id <id>', 'environment id (default: from the branch, plus a random suffix)')
    .option('--branch <name>', 'branch the environment is for (default: the current git branch)')
    .option(
      '--tag <key=value>',
      'environment/run tag (repeatable): service=, version=, commit=',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--keep', 'leave the environment running afterwards')
    .option('--workers <n>', 'worker threads for the embedded load engine')
    .option('--config <file>', 'config file (default: the nearest steady.config.ts)')
    .option('--report [file]', 'also write the HTML report (default: report.html beside run.json)')
    .option('--paired', "a paired soak: with a --control-* option below, or the plan's control")
    .option('--no-paired', 'soak the candidate alone, even if the plan names a control')
    .option('--control-url <url>', 'a paired soak: run the plan side by side against the control already running here')
    .option('--control-env <name>', 'a paired soak: start this environment too, as the control, beside the candidate')
    .option(
      '--control-ref <git-ref>',
      'a paired soak: the control is this commit, built in <git root>/.steady/worktrees/<sha>',
    )
    .option('--pin', 'pin each side of a paired soak to its own half of the CPUs (taskset; a started control)')
    .option('--control-version <version>', "the control's version, for the record and STEADY_VERSION (with a control)")
    .addHelpText(
      'after',
      `
Examples:
  steady soak --env local --report                       the default plan on a fresh demo store
  steady soak default --env local --duration-scale 0.1 --out reports/ci
  steady soak nightly --target https://staging.example.test --metrics-port 9465 --metrics-host 0.0.0.0
  steady soak --env local --control-url http://127.0.0.1:3001 --control-version 1.4.2   a paired soak
  steady soak --env local --control-env local-main                       paired, both sides started here
  steady soak --env local --control-ref origin/main                      paired with the last accepted commit
  steady soak nightly --paired          paired with the control the plan names (plans.nightly.control)

Exit codes: 0 the soak ran its plan (judge it with steady verdict), 1 preflight failed,
2 bad config or usage, 130/143 interrupted (run.json is still written, complete: false).`,
    )
    .action(async (plan: string | undefined, flags: SoakFlags) => setExit(await soakCommand(ctx, plan, flags)))
}

/**
 * The `next:` line after a soak: the verdict command for its record, the path quoted for a shell (an --out folder
 * may hold spaces or `$(...)`), the gate and baseline left for the user to fill in. A paired run is judged side
 * against side, without a history baseline.
 */
export function nextVerdictCommand(runJson: string, paired: boolean): string {
  const baseline = paired ? '' : ' --baseline baselines/<service>.json'
  return `${shellCommand(['steady', 'verdict', runJson])}${baseline} --gate <gate>`
}
