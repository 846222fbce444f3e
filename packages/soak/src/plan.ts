/**
 * Soak plans, as written in `steady.config.ts` under `plans`, and their
 * validation. A plan is an environment, a window size, what to watch on the
 * service, the probe loop, and phases: each a name, a duration and an
 * optional load profile.
 */
import { createHash } from 'node:crypto'
import { parseDuration, type Duration } from '@steady/record/internal'
import { SteadyError } from '@steady/record'
import { httpUrlProblem } from '@steady/kernel'
import type { PromQuery } from './scrape/prometheus-query.ts'

export interface SoakPhase {
  /** A name that says what the phase is for: `warmup`, `quiet`, `nominal`, `peak`, `recovery`. */
  name: string
  /** How long the phase lasts (k6 notation: `30s`, `5m`). */
  duration: Duration
  /** A load profile from the config's `load` section; no load when absent. */
  load?: string
  /**
   * The start of the phase that trend findings ignore (the service settling
   * after a load step). Default: 20% of the phase, at most 1 minute.
   */
  warmup?: Duration
}

export interface ScrapePlan {
  /** Metrics path on each service (default `/metrics`); `false` to scrape none. */
  path?: string | false
  /** Scrape interval (default `5s`). */
  interval?: Duration
  /** Metric families to keep instead of the defaults (names or RegExps). */
  series?: (string | RegExp)[]
  /** Metric families to keep on top of the defaults. */
  extraSeries?: (string | RegExp)[]
  /** Sample each service process from /proc (process environments only; default true). */
  proc?: boolean
  /** Read indicators from a Prometheus server with PromQL instead of (or besides) scraping. */
  prometheus?: { url: string; queries: PromQuery[] }
}

export interface ProbePlan {
  /** Probe iterations running at once (default 1). */
  concurrency?: number
  /** Only scenarios whose name matches (`@tag` for tags). */
  grep?: string
  /**
   * Pause between one probe iteration and the next, per probe worker (default
   * `100ms`). The probe loop measures user flows; it must not become a load of
   * its own (a 5 ms flow back to back is 200 iterations/s per worker).
   */
  pause?: Duration
  /** Timeout of one probe iteration (default 60s). */
  timeout?: Duration
}

export interface SoakPlan {
  /** The environment (from `environments`) a soak of this plan brings up by default. */
  environment?: string
  /** Window size (default `10s`). */
  window?: Duration
  scrape?: ScrapePlan
  probe?: ProbePlan
  phases: SoakPhase[]
  /** The service's name and version for the record's subject (version may come from --tag version=...). */
  service?: { name?: string; version?: string }
  /**
   * Shell command that builds the service from a checkout, run in the config's
   * folder of a `--control-ref` worktree once per commit (e.g. `npm ci && npm run build`).
   */
  build?: string
  /**
   * What a soak of this plan is paired with, unless the command line names another control or says
   * `--no-paired`: one of `env` (another environment of the config), `ref` (a git ref, built in a
   * worktree with `build`) or `url` (a control already running).
   */
  control?: PlanControl
}

/** A plan's control: exactly one of `env`, `ref` and `url`, and the control's version for the record. */
export interface PlanControl {
  env?: string
  ref?: string
  url?: string
  version?: string
  /** Pin each side to its own half of the CPUs (a started control: `env` or `ref`). */
  pin?: boolean
}

export interface ResolvedPhase {
  name: string
  durationMs: number
  warmupMs: number
  load?: string
}

export interface ResolvedPlan {
  name: string
  environment?: string
  windowMs: number
  scrapeIntervalMs: number
  metricsPath: string | false
  series?: (string | RegExp)[]
  extraSeries: (string | RegExp)[]
  proc: boolean
  prometheus?: { url: string; queries: PromQuery[] }
  probeConcurrency: number
  probeGrep?: string
  probePauseMs: number
  probeTimeoutMs: number
  phases: ResolvedPhase[]
  totalMs: number
  durationScale: number
  /** sha256 prefix of the plan as written (before scaling), for the comparability key. */
  hash: string
  service?: { name?: string; version?: string }
  build?: string
  control?: PlanControl
}

const EXAMPLE_CONCURRENCY = 'e.g. probe: { concurrency: 2 }'

function fail(plan: string, field: string, message: string, hint: string): never {
  throw new SteadyError('STEADY_PLAN_INVALID', `plans.${plan}.${field}: ${message}`, { hint, details: { plan, field } })
}

/** A stable hash of a plan (RegExps by source), so the same plan text gives the same key. */
export function planHash(plan: SoakPlan, profiles: Record<string, unknown> = {}): string {
  const used = Object.fromEntries(plan.phases.filter((p) => p.load).map((p) => [p.load!, profiles[p.load!]]))
  // Which control, and how it is built, change nothing the runs measure: they stay out of the comparability key
  // (a paired run is marked paired there).
  const { build: _build, control: _control, ...measured } = plan
  const text = JSON.stringify({ plan: measured, used }, (_k, v: unknown) =>
    v instanceof RegExp ? `/${v.source}/${v.flags}` : v,
  )
  return createHash('sha256').update(text).digest('hex').slice(0, 12)
}

/**
 * Validates a plan and resolves durations, multiplied by `durationScale`
 * (`--duration-scale 0.1` runs the same plan ten times faster, for CI).
 * `profiles` are the names in the config's `load` section.
 */
export function resolvePlan(
  name: string,
  plan: SoakPlan | undefined,
  options: { durationScale?: number; profiles?: Record<string, unknown>; available?: string[] } = {},
): ResolvedPlan {
  if (!plan) {
    const known = options.available?.length ? `known plans: ${options.available.join(', ')}` : 'the config has no plans'
    throw new SteadyError('STEADY_PLAN_NOT_FOUND', `no soak plan named "${name}" (${known})`, {
      hint: 'add it under `plans` in steady.config.ts, or pass an existing plan name',
      details: { plan: name },
    })
  }
  const scale = options.durationScale ?? 1
  if (!(scale > 0) || !Number.isFinite(scale)) {
    throw new SteadyError('STEADY_USAGE', `--duration-scale must be a positive number, got ${scale}`, {
      hint: 'e.g. --duration-scale 0.1',
    })
  }
  if (!Array.isArray(plan.phases) || plan.phases.length === 0) {
    fail(name, 'phases', 'a plan needs at least one phase', "add e.g. phases: [{ name: 'quiet', duration: '2m' }]")
  }
  const profiles = options.profiles ?? {}
  const seen = new Set<string>()
  const phases = plan.phases.map((p, i): ResolvedPhase => {
    const at = `phases[${i}]`
    if (!p || typeof p.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(p.name)) {
      fail(
        name,
        `${at}.name`,
        `expected a name of letters, digits, '-', '_' or '.', got ${JSON.stringify(p?.name)}`,
        "name phases by what they are for: 'quiet', 'nominal', 'peak'",
      )
    }
    if (seen.has(p.name)) fail(name, `${at}.name`, `phase "${p.name}" appears twice`, 'give each phase its own name')
    seen.add(p.name)
    if (p.duration === undefined) fail(name, `${at}.duration`, 'missing', "add a duration, e.g. duration: '2m'")
    const durationMs = parseDuration(p.duration, `plans.${name}.${at}.duration`) * scale
    if (durationMs <= 0) fail(name, `${at}.duration`, 'must be longer than 0', "e.g. duration: '2m'")
    if (p.load !== undefined && !(p.load in profiles)) {
      const known = Object.keys(profiles)
      fail(
        name,
        `${at}.load`,
        `no load profile named "${p.load}"${known.length ? ` (known: ${known.join(', ')})` : ''}`,
        'define it under `load` in steady.config.ts, or fix the name',
      )
    }
    const warmupMs =
      p.warmup !== undefined
        ? parseDuration(p.warmup, `plans.${name}.${at}.warmup`) * scale
        : Math.min(0.2 * durationMs, 60_000 * scale)
    if (warmupMs >= durationMs)
      fail(name, `${at}.warmup`, 'must be shorter than the phase', 'shorten the warm-up or lengthen the phase')
    return { name: p.name, durationMs, warmupMs, ...(p.load ? { load: p.load } : {}) }
  })
  const windowMs = parseDuration(plan.window ?? '10s', `plans.${name}.window`) * scale
  const scrapeIntervalMs = parseDuration(plan.scrape?.interval ?? '5s', `plans.${name}.scrape.interval`) * scale
  if (windowMs <= 0) fail(name, 'window', 'must be longer than 0', "e.g. window: '10s'")
  const concurrency = plan.probe?.concurrency ?? 1
  if (!Number.isInteger(concurrency) || concurrency < 1)
    fail(name, 'probe.concurrency', `expected a whole number ≥ 1, got ${concurrency}`, EXAMPLE_CONCURRENCY)
  const totalMs = phases.reduce((s, p) => s + p.durationMs, 0)
  if (plan.build !== undefined && (typeof plan.build !== 'string' || plan.build.trim() === '')) {
    fail(
      name,
      'build',
      `expected a shell command, got ${JSON.stringify(plan.build)}`,
      "e.g. build: 'npm ci && npm run build'",
    )
  }
  const control = plan.control === undefined ? undefined : checkControl(name, plan.control)
  return {
    name,
    ...(plan.environment ? { environment: plan.environment } : {}),
    windowMs,
    // A scrape every window at least; very short scaled intervals would only measure the scraper.
    scrapeIntervalMs: Math.max(200, Math.min(scrapeIntervalMs, windowMs)),
    metricsPath: plan.scrape?.path === undefined ? '/metrics' : plan.scrape.path,
    ...(plan.scrape?.series ? { series: plan.scrape.series } : {}),
    extraSeries: plan.scrape?.extraSeries ?? [],
    proc: plan.scrape?.proc ?? true,
    ...(plan.scrape?.prometheus ? { prometheus: plan.scrape.prometheus } : {}),
    probeConcurrency: concurrency,
    ...(plan.probe?.grep ? { probeGrep: plan.probe.grep } : {}),
    probePauseMs: parseDuration(plan.probe?.pause ?? '100ms', `plans.${name}.probe.pause`),
    probeTimeoutMs: parseDuration(plan.probe?.timeout ?? '60s', `plans.${name}.probe.timeout`),
    phases,
    totalMs,
    durationScale: scale,
    hash: planHash(plan, profiles),
    ...(plan.service ? { service: plan.service } : {}),
    ...(plan.build !== undefined ? { build: plan.build } : {}),
    ...(control ? { control } : {}),
  }
}

const CONTROL_EXAMPLE =
  "e.g. control: { env: 'local-main' }, control: { ref: 'origin/main' } or control: { url: 'http://...' }"

/** A plan's control: an object with one of env, ref and url (non-empty strings), an optional version and pin. */
function checkControl(plan: string, control: PlanControl): PlanControl {
  if (typeof control !== 'object' || control === null || Array.isArray(control))
    fail(plan, 'control', `expected an object, got ${JSON.stringify(control)}`, CONTROL_EXAMPLE)
  const known = ['env', 'ref', 'url', 'version', 'pin']
  const unknown = Object.keys(control).filter((k) => !known.includes(k))
  if (unknown.length) fail(plan, `control.${unknown[0]}`, `unknown field (known: ${known.join(', ')})`, CONTROL_EXAMPLE)
  for (const field of ['env', 'ref', 'url', 'version'] as const) {
    const v = control[field]
    if (v !== undefined && (typeof v !== 'string' || v.trim() === ''))
      fail(plan, `control.${field}`, `expected a non-empty string, got ${JSON.stringify(v)}`, CONTROL_EXAMPLE)
  }
  if (control.pin !== undefined && typeof control.pin !== 'boolean')
    fail(plan, 'control.pin', `expected true or false, got ${JSON.stringify(control.pin)}`, 'e.g. pin: true')
  const named = (['env', 'ref', 'url'] as const).filter((k) => control[k] !== undefined)
  if (named.length !== 1) {
    const got = named.length ? `${named.join(' and ')} together` : 'none of them'
    fail(plan, 'control', `a control is one of env, ref or url; got ${got}`, CONTROL_EXAMPLE)
  }
  const urlProblem = control.url === undefined ? undefined : httpUrlProblem(control.url)
  if (urlProblem) fail(plan, 'control.url', `${urlProblem}; expected the control's base URL`, CONTROL_EXAMPLE)
  if (control.url !== undefined && control.pin)
    fail(
      plan,
      'control.pin',
      'a control already running at a URL cannot be pinned',
      'pin a control steady starts (env or ref)',
    )
  return control
}
