/**
 * Load profiles: one k6 `options.scenarios` entry each, with k6's executor
 * names, field names, defaults and validation, plus the thresholds that judge
 * it. A profile's options move to k6 unchanged; `exec` names a steady scenario.
 */
import type { Scenario, Threshold } from 'k6/options'
import { SteadyError } from '@steady/record'
import { parseDuration } from '@steady/record/internal'
import { compileThresholds } from './thresholds.ts'

/** The six executors of k6 v2 (v2 removed `externally-controlled`). */
const executors = [
  'shared-iterations',
  'per-vu-iterations',
  'constant-vus',
  'ramping-vus',
  'constant-arrival-rate',
  'ramping-arrival-rate',
] as const
export type ExecutorName = (typeof executors)[number]

/** Which engine runs a profile. */
export type EngineName = 'embedded' | 'k6'

/** steady's additions to a k6 scenario entry. */
interface ProfileExtras {
  /**
   * Thresholds in k6 syntax: `{ 'http_req_duration{scenario:peak}': ['p(95)<500'] }`,
   * items are expressions or `{ threshold, abortOnFail, delayAbortEval }`.
   * Evaluated over the whole run, as k6 does.
   */
  thresholds?: Record<string, Threshold[]>
  /** `embedded` (default) runs steady scenarios; `k6` runs `script` with the k6 binary. */
  engine?: EngineName
  /** The k6 script (`.ts` or `.js`) an `engine: 'k6'` profile runs, relative to the config file. */
  script?: string
  /** Window length for the record's time series (k6 duration). Default `10s`. */
  window?: string
}

/**
 * A load profile as written in `steady.config.ts`: a k6 scenario entry (typed by
 * `@types/k6`) plus {@link ProfileExtras}. `exec` names a steady scenario.
 */
export type LoadProfile = Scenario & ProfileExtras

/** The `load:` section of `steady.config.ts`. */
export interface LoadConfig {
  /** Profiles by name (`quiet`, `nominal`, `peak`); the name is k6's `scenario` tag. */
  profiles: Record<string, LoadProfile>
  /** Thresholds applied to every profile, merged under each profile's own. */
  thresholds?: Record<string, Threshold[]>
  /** Worker threads for the embedded engine (default 1: the main thread). */
  workers?: number
}

/** A stage with its duration in milliseconds. */
export interface ResolvedStage {
  durationMs: number
  target: number
}

/** A parsed threshold item. */
export interface ResolvedThresholdItem {
  /** The expression as written: `p(95)<500`. */
  threshold: string
  abortOnFail: boolean
  /** Milliseconds after the start before an abortOnFail threshold may abort. */
  delayAbortEvalMs: number
}

interface ResolvedBase {
  /** The profile's name (k6's `scenario` tag). */
  name: string
  startTimeMs: number
  gracefulStopMs: number
  /** The steady scenario each iteration runs (k6's `exec`; `default` when not set). */
  exec: string
  env: Record<string, string>
  tags: Record<string, string>
  thresholds: Record<string, ResolvedThresholdItem[]>
  engine: EngineName
  script: string | undefined
  windowMs: number
}

interface ResolvedSharedIterations extends ResolvedBase {
  executor: 'shared-iterations'
  vus: number
  iterations: number
  maxDurationMs: number
}
interface ResolvedPerVuIterations extends ResolvedBase {
  executor: 'per-vu-iterations'
  vus: number
  iterations: number
  maxDurationMs: number
}
interface ResolvedConstantVus extends ResolvedBase {
  executor: 'constant-vus'
  vus: number
  durationMs: number
}
interface ResolvedRampingVus extends ResolvedBase {
  executor: 'ramping-vus'
  startVUs: number
  stages: ResolvedStage[]
  gracefulRampDownMs: number
}
interface ResolvedConstantArrivalRate extends ResolvedBase {
  executor: 'constant-arrival-rate'
  rate: number
  timeUnitMs: number
  durationMs: number
  preAllocatedVUs: number
  maxVUs: number
}
interface ResolvedRampingArrivalRate extends ResolvedBase {
  executor: 'ramping-arrival-rate'
  startRate: number
  timeUnitMs: number
  stages: ResolvedStage[]
  preAllocatedVUs: number
  maxVUs: number
}

/** A validated profile with every default applied and every duration in ms. */
export type ResolvedProfile =
  | ResolvedSharedIterations
  | ResolvedPerVuIterations
  | ResolvedConstantVus
  | ResolvedRampingVus
  | ResolvedConstantArrivalRate
  | ResolvedRampingArrivalRate

const common = ['executor', 'startTime', 'gracefulStop', 'exec', 'env', 'tags', 'options']
const extras = ['thresholds', 'engine', 'script', 'window']
const fieldsByExecutor: Record<ExecutorName, string[]> = {
  'shared-iterations': ['vus', 'iterations', 'maxDuration'],
  'per-vu-iterations': ['vus', 'iterations', 'maxDuration'],
  'constant-vus': ['vus', 'duration'],
  'ramping-vus': ['stages', 'startVUs', 'gracefulRampDown'],
  'constant-arrival-rate': ['duration', 'rate', 'timeUnit', 'preAllocatedVUs', 'maxVUs'],
  'ramping-arrival-rate': ['stages', 'startRate', 'timeUnit', 'preAllocatedVUs', 'maxVUs'],
}

/** Thrown for an invalid profile; names the profile and the field, as k6's config errors do. */
function invalid(where: string, field: string, problem: string, hint: string): SteadyError {
  return new SteadyError('STEADY_LOAD_PROFILE_INVALID', `${where}: ${field} ${problem}`, {
    hint,
    details: { profile: where, field },
  })
}

/**
 * Validates one profile and applies k6's defaults. `where` is how errors name
 * it (default `load.profiles.<name>`). Throws `STEADY_LOAD_PROFILE_INVALID`
 * naming the profile and the field, e.g. `load.profiles.peak: rate is required
 * for executor constant-arrival-rate`.
 */
export function resolveProfile(
  name: string,
  raw: unknown,
  options: { where?: string; sharedThresholds?: Record<string, Threshold[]> } = {},
): ResolvedProfile {
  const where = options.where ?? `load.profiles.${name}`
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw invalid(
      where,
      'profile',
      'is not an object',
      "write it as a k6 scenario entry: { executor: 'constant-arrival-rate', rate: 10, ... }",
    )
  }
  const p = raw as Record<string, unknown>
  const ex = executorOf(where, p.executor)
  checkFieldNames(where, ex, p)
  const fields = new ProfileFields(where, ex, p)
  const base = resolveBase(name, fields, options.sharedThresholds)
  switch (ex) {
    case 'shared-iterations':
      return resolveSharedIterations(base, fields)
    case 'per-vu-iterations': {
      const maxDurationMs = fields.positive('maxDuration', fields.duration('maxDuration', '10m'))
      const vus = fields.int('vus', 1, 1)
      return { ...base, executor: ex, vus, iterations: fields.int('iterations', 1, 1), maxDurationMs }
    }
    case 'constant-vus': {
      const durationMs = fields.positive('duration', fields.duration('duration', undefined, true))
      return { ...base, executor: ex, vus: fields.int('vus', 1, 1), durationMs }
    }
    case 'ramping-vus':
      return resolveRampingVus(base, fields)
    case 'constant-arrival-rate': {
      const durationMs = fields.positive('duration', fields.duration('duration', undefined, true))
      const rate = fields.int('rate', undefined, 1)
      const timeUnitMs = fields.positive('timeUnit', fields.duration('timeUnit', '1s'))
      return { ...base, executor: ex, rate, timeUnitMs, durationMs, ...fields.vuPool() }
    }
    case 'ramping-arrival-rate': {
      const stages = fields.stages()
      const startRate = fields.int('startRate', 0, 0)
      const timeUnitMs = fields.positive('timeUnit', fields.duration('timeUnit', '1s'))
      const pool = fields.vuPool()
      fields.lasting(stages)
      return { ...base, executor: ex, startRate, timeUnitMs, stages, ...pool }
    }
  }
}

/** The executor a profile names: required, one of k6 v2's six. */
function executorOf(where: string, executor: unknown): ExecutorName {
  if (executor === undefined) {
    throw invalid(where, 'executor', 'is required', `set executor to one of ${executors.join(', ')}`)
  }
  if (executor === 'externally-controlled') {
    throw invalid(
      where,
      'executor',
      '"externally-controlled" was removed in k6 v2',
      `use one of ${executors.join(', ')}`,
    )
  }
  if (typeof executor !== 'string' || !(executors as readonly string[]).includes(executor)) {
    throw invalid(
      where,
      'executor',
      `${JSON.stringify(executor)} is not a valid executor`,
      `use one of ${executors.join(', ')}`,
    )
  }
  return executor as ExecutorName
}

/** Refuses a field the executor does not have, as k6 does: a typo would otherwise silently use a default. */
function checkFieldNames(where: string, ex: ExecutorName, p: Record<string, unknown>): void {
  const allowed = new Set([...common, ...extras, ...fieldsByExecutor[ex]])
  for (const key of Object.keys(p)) {
    if (!allowed.has(key)) {
      throw invalid(
        where,
        key,
        `is not a field of executor ${ex}`,
        `fields of ${ex}: ${[...common, ...fieldsByExecutor[ex]].join(', ')} (steady adds ${extras.join(', ')})`,
      )
    }
  }
}

/** Reads one profile's fields with k6's defaults; every error names the profile and the field. */
class ProfileFields {
  readonly where: string
  readonly executor: ExecutorName
  readonly #p: Record<string, unknown>

  constructor(where: string, executor: ExecutorName, p: Record<string, unknown>) {
    this.where = where
    this.executor = executor
    this.#p = p
  }

  /** The raw value of a field, as written. */
  raw(field: string): unknown {
    return this.#p[field]
  }

  /** A k6 duration in ms; `fallback` when absent, unless required. */
  duration(field: string, fallback: string | undefined, required = false): number {
    const { where } = this
    const v = this.#p[field]
    if (v === undefined) {
      if (required || fallback === undefined) {
        throw invalid(
          where,
          field,
          `is required for executor ${this.executor}`,
          `set ${field} to a duration such as "30s"`,
        )
      }
      return parseDuration(fallback)
    }
    if (typeof v !== 'string' && typeof v !== 'number') {
      throw invalid(
        where,
        field,
        `must be a duration string, got ${JSON.stringify(v)}`,
        'write it like "30s", "1m30s", "500ms"',
      )
    }
    try {
      return parseDuration(v, `${where}.${field}`)
    } catch (error) {
      throw invalid(where, field, `${JSON.stringify(v)} is not a duration`, 'write it like "30s", "1m30s", "500ms"')
    }
  }

  /** A whole number ≥ `min`; `fallback` when absent, required when there is none. */
  int(field: string, fallback: number | undefined, min: number): number {
    const { where } = this
    const v = this.#p[field]
    if (v === undefined) {
      if (fallback === undefined) {
        throw invalid(
          where,
          field,
          `is required for executor ${this.executor}`,
          `set ${field} to a whole number ≥ ${min}`,
        )
      }
      return fallback
    }
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      throw invalid(
        where,
        field,
        `must be a whole number, got ${JSON.stringify(v)}`,
        `set ${field} to a whole number ≥ ${min}`,
      )
    }
    if (v < min)
      throw invalid(where, field, `must be at least ${min}, got ${v}`, `set ${field} to a whole number ≥ ${min}`)
    return v
  }

  /** A duration that must be above 0, returned as it came. */
  positive(field: string, v: number): number {
    if (v <= 0) throw invalid(this.where, field, 'must be more than 0', `set ${field} to a duration above 0`)
    return v
  }

  /** k6's `stages`: a non-empty array of `{ duration, target }`. */
  stages(): ResolvedStage[] {
    const v = this.#p.stages
    if (v === undefined)
      throw invalid(
        this.where,
        'stages',
        `is required for executor ${this.executor}`,
        'add stages: [{ duration: "30s", target: 10 }, ...]',
      )
    if (!Array.isArray(v) || v.length === 0) {
      throw invalid(
        this.where,
        'stages',
        'must be a non-empty array',
        'add stages: [{ duration: "30s", target: 10 }, ...]',
      )
    }
    return v.map((s: unknown, i: number) => this.#stage(s, `stages[${i}]`))
  }

  #stage(s: unknown, f: string): ResolvedStage {
    const { where } = this
    if (!s || typeof s !== 'object')
      throw invalid(where, f, 'is not an object', 'write { duration: "30s", target: 10 }')
    const st = s as Record<string, unknown>
    if (st.duration === undefined)
      throw invalid(where, `${f}.duration`, 'is required', 'write { duration: "30s", target: 10 }')
    let durationMs: number
    try {
      durationMs = parseDuration(st.duration as string, `${where}.${f}.duration`)
    } catch {
      throw invalid(where, `${f}.duration`, `${JSON.stringify(st.duration)} is not a duration`, 'write it like "30s"')
    }
    const t = st.target
    if (typeof t !== 'number' || !Number.isInteger(t) || t < 0) {
      throw invalid(
        where,
        `${f}.target`,
        `must be a whole number ≥ 0, got ${JSON.stringify(t)}`,
        'set target to a whole number',
      )
    }
    return { durationMs, target: t }
  }

  /** Refuses stages that add up to no time at all. */
  lasting(stages: ResolvedStage[]): void {
    if (stages.reduce((a, s) => a + s.durationMs, 0) <= 0) {
      throw invalid(this.where, 'stages', 'must last more than 0s in total', 'give the stages a duration')
    }
  }

  /** An object of strings (`env`, `tags`), copied; `{}` when absent. */
  strings(field: string): Record<string, string> {
    const v = this.#p[field]
    if (v === undefined) return {}
    if (!v || typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) {
      throw invalid(this.where, field, 'must be an object of strings', `write ${field}: { key: "value" }`)
    }
    return { ...(v as Record<string, string>) }
  }

  /** An arrival-rate executor's VUs: `preAllocatedVUs` up to `maxVUs` (default: as many), at least one. */
  vuPool(): { preAllocatedVUs: number; maxVUs: number } {
    const preAllocatedVUs = this.int('preAllocatedVUs', undefined, 0)
    const maxVUs = this.int('maxVUs', preAllocatedVUs, 0)
    if (maxVUs < preAllocatedVUs) {
      throw invalid(
        this.where,
        'maxVUs',
        `(${maxVUs}) must be at least preAllocatedVUs (${preAllocatedVUs})`,
        'raise maxVUs or lower preAllocatedVUs',
      )
    }
    if (maxVUs === 0)
      throw invalid(this.where, 'maxVUs', 'must be more than 0', 'set preAllocatedVUs (and maxVUs) above 0')
    return { preAllocatedVUs, maxVUs }
  }
}

/** What every executor shares: steady's additions (engine, script, window, thresholds) and k6's common fields. */
function resolveBase(
  name: string,
  fields: ProfileFields,
  sharedThresholds: Record<string, Threshold[]> | undefined,
): ResolvedBase {
  const { where } = fields
  const engine = fields.raw('engine') ?? 'embedded'
  if (engine !== 'embedded' && engine !== 'k6') {
    throw invalid(where, 'engine', `${JSON.stringify(engine)} is not an engine`, "use 'embedded' (default) or 'k6'")
  }
  const script = fields.raw('script')
  if (script !== undefined && typeof script !== 'string') {
    throw invalid(where, 'script', 'must be a path', 'set script to the k6 script file, e.g. "load/peak.k6.ts"')
  }
  if (engine === 'k6' && script === undefined) {
    throw invalid(
      where,
      'script',
      "is required with engine: 'k6'",
      'set script to a k6 script (.ts or .js), or write one with `steady export k6`',
    )
  }
  const exec = fields.raw('exec')
  if (exec !== undefined && (typeof exec !== 'string' || exec === '')) {
    throw invalid(where, 'exec', 'must be a scenario name', 'set exec to the name of a steady scenario')
  }
  const windowMs = fields.duration('window', '10s')
  if (windowMs < 100) throw invalid(where, 'window', 'must be at least 100ms', 'use a window such as "10s"')
  const thresholds = resolveThresholds(where, {
    ...(sharedThresholds ?? {}),
    ...((fields.raw('thresholds') as Record<string, Threshold[]>) ?? {}),
  })
  return {
    name,
    startTimeMs: fields.duration('startTime', '0s'),
    gracefulStopMs: fields.duration('gracefulStop', '30s'),
    exec: (exec as string | undefined) ?? 'default',
    env: fields.strings('env'),
    tags: fields.strings('tags'),
    thresholds,
    engine,
    script,
    windowMs,
  }
}

function resolveSharedIterations(base: ResolvedBase, fields: ProfileFields): ResolvedSharedIterations {
  const vus = fields.int('vus', 1, 1)
  const iterations = fields.int('iterations', 1, 1)
  if (iterations < vus) {
    throw invalid(
      fields.where,
      'iterations',
      `(${iterations}) must be at least vus (${vus})`,
      'raise iterations or lower vus: k6 rejects fewer shared iterations than VUs',
    )
  }
  const maxDurationMs = fields.positive('maxDuration', fields.duration('maxDuration', '10m'))
  return { ...base, executor: 'shared-iterations', vus, iterations, maxDurationMs }
}

function resolveRampingVus(base: ResolvedBase, fields: ProfileFields): ResolvedRampingVus {
  const stages = fields.stages()
  const startVUs = fields.int('startVUs', 1, 0)
  if (startVUs === 0 && stages.every((s) => s.target === 0)) {
    throw invalid(
      fields.where,
      'stages',
      'never have a VU: startVUs and every target are 0',
      'give at least one stage a target above 0',
    )
  }
  fields.lasting(stages)
  const gracefulRampDownMs = fields.duration('gracefulRampDown', '30s')
  return { ...base, executor: 'ramping-vus', startVUs, stages, gracefulRampDownMs }
}

/** Validates the `load:` section and resolves every profile (errors name the profile and field). */
export function resolveLoadConfig(raw: unknown, where = 'load'): Map<string, ResolvedProfile> {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new SteadyError('STEADY_LOAD_CONFIG_INVALID', `${where} must be an object with profiles`, {
      hint: 'write load: { profiles: { peak: { executor: "constant-arrival-rate", ... } } }',
    })
  }
  const cfg = raw as Record<string, unknown>
  const profiles = cfg.profiles
  if (!profiles || typeof profiles !== 'object' || Array.isArray(profiles)) {
    throw new SteadyError('STEADY_LOAD_CONFIG_INVALID', `${where}.profiles must be an object of profiles by name`, {
      hint: 'write load: { profiles: { peak: { executor: "constant-arrival-rate", ... } } }',
    })
  }
  if (
    cfg.workers !== undefined &&
    (typeof cfg.workers !== 'number' || !Number.isInteger(cfg.workers) || cfg.workers < 1)
  ) {
    throw new SteadyError('STEADY_LOAD_CONFIG_INVALID', `${where}.workers must be a whole number ≥ 1`, {
      hint: 'set workers to 1 (default) or more',
    })
  }
  const shared = cfg.thresholds as Record<string, Threshold[]> | undefined
  if (shared !== undefined) resolveThresholds(`${where}`, shared)
  const out = new Map<string, ResolvedProfile>()
  for (const [name, p] of Object.entries(profiles as Record<string, unknown>)) {
    out.set(name, resolveProfile(name, p, { where: `${where}.profiles.${name}`, sharedThresholds: shared }))
  }
  return out
}

/** Picks one profile from the `load:` section by name, with an error listing the names there are. */
export function pickProfile(raw: unknown, name: string, where = 'load'): ResolvedProfile {
  const all = resolveLoadConfig(raw, where)
  const p = all.get(name)
  if (!p) {
    throw new SteadyError('STEADY_LOAD_PROFILE_NOT_FOUND', `no load profile "${name}" in ${where}.profiles`, {
      hint: all.size
        ? `use one of: ${[...all.keys()].join(', ')}`
        : 'add profiles to the load section of steady.config.ts',
      details: { profile: name },
    })
  }
  return p
}

function resolveThresholds(where: string, raw: unknown): Record<string, ResolvedThresholdItem[]> {
  if (raw === undefined) return {}
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw invalid(
      where,
      'thresholds',
      'must be an object of metric → expressions',
      "write thresholds: { http_req_duration: ['p(95)<500'] }",
    )
  }
  const out: Record<string, ResolvedThresholdItem[]> = {}
  for (const [metric, items] of Object.entries(raw as Record<string, unknown>)) {
    const field = `thresholds["${metric}"]`
    if (!Array.isArray(items))
      throw invalid(
        where,
        field,
        'must be an array',
        "write ['p(95)<500'] or [{ threshold: 'rate<0.01', abortOnFail: true }]",
      )
    out[metric] = items.map((item: unknown, i: number) => {
      if (typeof item === 'string') return { threshold: item, abortOnFail: false, delayAbortEvalMs: 0 }
      if (item && typeof item === 'object' && typeof (item as { threshold?: unknown }).threshold === 'string') {
        const o = item as { threshold: string; abortOnFail?: unknown; delayAbortEval?: unknown }
        let delay = 0
        if (o.delayAbortEval !== undefined) {
          try {
            delay = parseDuration(o.delayAbortEval as string, `${where}.${field}[${i}].delayAbortEval`)
          } catch {
            throw invalid(
              where,
              `${field}[${i}].delayAbortEval`,
              `${JSON.stringify(o.delayAbortEval)} is not a duration`,
              'write it like "10s"',
            )
          }
        }
        return { threshold: o.threshold, abortOnFail: o.abortOnFail === true, delayAbortEvalMs: delay }
      }
      throw invalid(
        where,
        `${field}[${i}]`,
        'must be an expression or { threshold, abortOnFail, delayAbortEval }',
        "write 'p(95)<500'",
      )
    })
  }
  // Parse now, so a typo fails before the run rather than at its end.
  compileThresholds(out, where)
  return out
}

/**
 * A profile with every duration multiplied by `scale` (`--duration-scale`),
 * its windows set to the soak's. Rates keep their time unit: a scaled soak is
 * shorter, not lighter.
 */
export function scaleProfile(p: ResolvedProfile, scale: number, windowMs = p.windowMs): ResolvedProfile {
  const s = (ms: number) => Math.max(1, Math.round(ms * scale))
  const out = {
    ...p,
    windowMs,
    startTimeMs: Math.round(p.startTimeMs * scale),
    gracefulStopMs: s(p.gracefulStopMs),
  } as ResolvedProfile & Record<string, unknown>
  for (const key of ['durationMs', 'maxDurationMs', 'gracefulRampDownMs'] as const) {
    const v = (p as unknown as Record<string, unknown>)[key]
    if (typeof v === 'number') out[key] = s(v)
  }
  if ('stages' in p)
    (out as { stages: typeof p.stages }).stages = p.stages.map((st) => ({ ...st, durationMs: s(st.durationMs) }))
  out.thresholds = Object.fromEntries(
    Object.entries(p.thresholds).map(([k, items]) => [
      k,
      items.map((it) => ({ ...it, delayAbortEvalMs: Math.round(it.delayAbortEvalMs * scale) })),
    ]),
  )
  return out
}
