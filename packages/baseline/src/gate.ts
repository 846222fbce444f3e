/**
 * Gate policies: per environment, stricter closer to production. A gate says
 * which questions must be answered yes, how large a change counts, which
 * series are primary, how many baseline runs it needs, what to do with an
 * inconclusive verdict (fail, or exit 3; never pass), and absolute objectives.
 *
 * Written in `steady.config.ts` under `gates`; validated here so a typo fails
 * with the field named, never as a silently lenient gate.
 */
import { parseDuration } from '@steady/record/internal'
import { SteadyError, type ComparabilityKey, type Severity, type VerdictGate } from '@steady/record'

type Question = 'working' | 'stable'

/** How large a change must be to count, per finding kind. */
export interface GateTolerances {
  /** Relative rise of a step's p50/p95 that counts (default 0.10 = +10%). */
  level?: number
  /** Relative rise of p99, or of p99/p50 with an unchanged median (default 0.25). */
  tail?: number
  /** Smallest latency rise in ms that counts, whatever the percentage (default 1). */
  levelMs?: number
  /**
   * Rise of a failure rate the run must be able to see, as a fraction
   * (default 0.005 = +0.5 percentage points): a run whose smallest detectable
   * rise is larger has its failure rate "not judged".
   */
  failureRate?: number
  /** Rise of a failure rate a finding needs at least (default 0.0025 = +0.25 percentage points). */
  failureRateFloor?: number
  /** Failures above the expected count needed for a failure-rate finding (default 3). */
  failureCount?: number
  /** A kind of error never seen in the baseline fails the gate only above this count (default 5). */
  newErrorCount?: number
  /**
   * Latency drift over a constant-load phase that counts, relative, beyond the baseline runs' drift
   * (default 0.10, as for levels).
   */
  drift?: number
  /**
   * Heap growth after GC a run must be able to see, in bytes per hour (default
   * 20 MiB/h): a shorter or noisier run has its leak check "not judged". A
   * finding needs a significant growth of at least half of it.
   */
  leakBytesPerHour?: number
  /** Rise of a loaded phase's latency relative to the quiet phase, beyond the baseline's (default 0.25). */
  loadLatency?: number
  /** Rise of dropped iterations, as a share of planned iterations (default 0.01). */
  droppedIterations?: number
  /**
   * Share of a phase's windows in which the load generator may be saturated before load findings are
   * inconclusive (default 0.2).
   */
  saturatedWindows?: number
  /** Longer recovery after a restart than the baseline's, relative (default 0.5). */
  recovery?: number
}

/** An SLO-like bound judged without a baseline: `p95 < 400ms`, `failure rate < 0.1%`. */
export type Objective =
  | string
  | {
      /** The bound: `p95 < 400ms`, `p(99) <= 1s`, `failure rate < 0.1%`. */
      expr: string
      /** Only this step (the `name` tag). */
      step?: string
      /** Only this scenario. */
      scenario?: string
      /** Only this phase; default every loaded phase (every phase when the run has no load). */
      phase?: string
      /** Only series whose key contains this text. */
      series?: string
    }

export interface GateConfig {
  /** The questions the gate needs answered yes (default `['working', 'stable']`). */
  require?: Question[]
  /** What an inconclusive verdict does: exit 3 (default) or fail (exit 1). It never passes. */
  onInconclusive?: 'exit-3' | 'fail'
  /** The least severe primary finding that fails the gate (default `minor`: any). */
  failOn?: Severity
  /** Family-wise false-positive rate over the primary findings, Holm-corrected (default 0.01). */
  alpha?: number
  /** Comparable baseline runs needed for level findings (default 3). */
  minBaselineRuns?: number
  /** Share of a scenario's probe iterations that may fail and still count as working (default 0.02). */
  flakeBudget?: number
  tolerance?: GateTolerances
  /** Per-metric noise floor on the log scale (defaults p50 0.01, p95 0.02, p99 0.03). */
  noiseFloor?: { p50?: number; p95?: number; p99?: number }
  /**
   * Further series that count as primary (they fail the gate): finding kinds
   * (`tail`, `drift`) or text that series keys contain (`service/nodejs_heap`).
   */
  primary?: string[]
  objectives?: Objective[]
  /** Comparability keys that may differ (each difference is printed as a warning). */
  relax?: (keyof ComparabilityKey)[]
  /**
   * With 1–2 baseline runs, judge levels by a block bootstrap over windows (flags only changes over twice
   * the tolerance).
   */
  bootstrap?: boolean
  /**
   * A primary check the run could not judge (too few values, too short):
   * `warn` (default: listed in the verdict, which may still pass when other
   * primary checks were judged; with none judged it is inconclusive) or
   * `inconclusive` (any one makes the verdict inconclusive).
   */
  notJudged?: 'inconclusive' | 'warn'
  /** Heap limit for leak projections (`512MB`-style number of bytes). */
  memoryLimitBytes?: number
}

export interface ResolvedTolerances {
  level: number
  tail: number
  levelMs: number
  failureRate: number
  failureRateFloor: number
  failureCount: number
  newErrorCount: number
  drift: number
  leakBytesPerHour: number
  loadLatency: number
  droppedIterations: number
  saturatedWindows: number
  recovery: number
}

export interface ResolvedGate {
  name: string
  require: Question[]
  onInconclusive: 'exit-3' | 'fail'
  failOn: Severity
  alpha: number
  minBaselineRuns: number
  flakeBudget: number
  tolerance: ResolvedTolerances
  noiseFloor: { p50: number; p95: number; p99: number }
  primary: string[]
  objectives: ResolvedObjective[]
  relax: (keyof ComparabilityKey)[]
  bootstrap: boolean
  notJudged: 'inconclusive' | 'warn'
  memoryLimitBytes?: number
}

type ObjectiveStat = 'p50' | 'p90' | 'p95' | 'p99' | 'max' | 'failure rate'

export interface ResolvedObjective {
  expr: string
  stat: ObjectiveStat
  op: '<' | '<='
  /** ms for latency stats, a fraction for rates. */
  value: number
  step?: string
  scenario?: string
  phase?: string
  series?: string
}

export const DEFAULT_TOLERANCES: ResolvedTolerances = {
  level: 0.1,
  tail: 0.25,
  levelMs: 1,
  failureRate: 0.005,
  failureRateFloor: 0.0025,
  failureCount: 3,
  newErrorCount: 5,
  drift: 0.1,
  leakBytesPerHour: 20 * 1024 * 1024,
  loadLatency: 0.25,
  droppedIterations: 0.01,
  saturatedWindows: 0.2,
  recovery: 0.5,
}

/**
 * The default flake budget: 2% of a scenario's probe iterations may fail and still count as working. It is
 * what the published accuracy figures are measured with; a gate that wants none sets `flakeBudget: 0`.
 */
const DEFAULT_FLAKE_BUDGET = 0.02

/** The gate used when none is named: working and stable, defaults everywhere. */
const DEFAULT_GATE_NAME = 'default'

const comparabilityFields: (keyof ComparabilityKey)[] = [
  'cpuModel',
  'cores',
  'node',
  'platform',
  'planHash',
  'durationScale',
  'engine',
]
const severities: Severity[] = ['minor', 'major', 'critical']

function bad(gate: string, field: string, message: string, hint: string): never {
  throw new SteadyError('STEADY_GATE_INVALID', `gates.${gate}.${field}: ${message}`, { hint, details: { gate, field } })
}

function fraction(gate: string, field: string, v: unknown, max = 1): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max) {
    bad(
      gate,
      field,
      `expected a number from 0 to ${max}, got ${JSON.stringify(v)}`,
      `write it as a fraction, e.g. 0.1 for 10%`,
    )
  }
  return v
}

/** The stats an objective may name: `p95`, `p(99)`, `med`, `failure rate`… */
const OBJECTIVE_STAT = /p50|p90|p95|p99|med|max|p\(\s*(50|90|95|99)\s*\)|failure[ _]rate|error[ _]rate|http_req_failed/
/** `<stat> <op> <value>`: groups 1 (the stat, 2 its percentile in `p(99)`), 3 the operator, 4 the value. */
const OBJECTIVE = new RegExp(`^\\s*(${OBJECTIVE_STAT.source})\\s*(<=|<)\\s*(\\S+)\\s*$`, 'i')

/** Parses `p95 < 400ms`, `p(99) <= 1.5s`, `failure rate < 0.1%`. */
export function parseObjective(
  expr: string,
  where = 'objective',
): Omit<ResolvedObjective, 'step' | 'scenario' | 'phase' | 'series'> {
  const m = OBJECTIVE.exec(expr)
  if (!m) {
    throw new SteadyError('STEADY_GATE_INVALID', `${where}: cannot read "${expr}"`, {
      hint:
        "write '<stat> < <value>': 'p95 < 400ms', 'p(99) <= 1s', 'failure rate < 0.1%' (stats: p50, p90, p95, " +
        'p99, max, failure rate)',
      details: { expr },
    })
  }
  const raw = m[1].toLowerCase().replace(/\s+/g, '')
  const stat: ObjectiveStat = m[2]
    ? (`p${m[2]}` as ObjectiveStat)
    : raw === 'med'
      ? 'p50'
      : /rate|failed/.test(raw)
        ? 'failure rate'
        : (raw as ObjectiveStat)
  const op = m[3] as '<' | '<='
  const text = m[4]
  let value: number
  if (stat === 'failure rate') {
    const pm = /^(\d+(?:\.\d+)?)(%?)$/.exec(text)
    if (!pm) {
      throw new SteadyError('STEADY_GATE_INVALID', `${where}: "${text}" is not a rate`, {
        hint: "write a percentage ('0.1%') or a fraction ('0.001')",
        details: { expr },
      })
    }
    value = Number(pm[1]) / (pm[2] ? 100 : 1)
  } else {
    value = parseDuration(text, where)
  }
  return { expr: expr.trim(), stat, op, value }
}

/** Validates a gate from the config and fills in the defaults. */
export function resolveGate(name: string, config: GateConfig | undefined): ResolvedGate {
  const c = config ?? {}
  if (typeof c !== 'object' || Array.isArray(c))
    bad(name, '', 'expected an object', 'e.g. gates: { staging: { require: ["working", "stable"] } }')
  const known = new Set([
    'require',
    'onInconclusive',
    'failOn',
    'alpha',
    'minBaselineRuns',
    'flakeBudget',
    'tolerance',
    'noiseFloor',
    'primary',
    'objectives',
    'relax',
    'bootstrap',
    'notJudged',
    'memoryLimitBytes',
  ])
  for (const k of Object.keys(c))
    if (!known.has(k)) bad(name, k, 'unknown field', `known fields: ${[...known].join(', ')}`)
  const require = c.require ?? ['working', 'stable']
  if (!Array.isArray(require) || require.length === 0 || require.some((q) => q !== 'working' && q !== 'stable')) {
    bad(
      name,
      'require',
      `expected a list of 'working' and 'stable', got ${JSON.stringify(c.require)}`,
      "e.g. require: ['working', 'stable']",
    )
  }
  const onInconclusive = c.onInconclusive ?? 'exit-3'
  if (onInconclusive !== 'exit-3' && onInconclusive !== 'fail') {
    bad(
      name,
      'onInconclusive',
      `expected 'exit-3' or 'fail', got ${JSON.stringify(onInconclusive)}`,
      'an inconclusive verdict never passes: choose exit 3 or a failure',
    )
  }
  const failOn = c.failOn ?? 'minor'
  if (!severities.includes(failOn))
    bad(name, 'failOn', `expected one of ${severities.join(', ')}`, "e.g. failOn: 'minor'")
  const alpha = c.alpha ?? 0.01
  if (typeof alpha !== 'number' || !(alpha > 0 && alpha <= 0.2))
    bad(name, 'alpha', `expected a number in (0, 0.2], got ${JSON.stringify(alpha)}`, 'e.g. alpha: 0.01')
  const minBaselineRuns = c.minBaselineRuns ?? 3
  if (!Number.isInteger(minBaselineRuns) || minBaselineRuns < 1)
    bad(name, 'minBaselineRuns', 'expected a whole number ≥ 1', 'e.g. minBaselineRuns: 3')
  const flakeBudget = fraction(name, 'flakeBudget', c.flakeBudget ?? DEFAULT_FLAKE_BUDGET)
  const tolerance: ResolvedTolerances = { ...DEFAULT_TOLERANCES }
  if (c.tolerance !== undefined) {
    if (typeof c.tolerance !== 'object' || c.tolerance === null)
      bad(name, 'tolerance', 'expected an object', 'e.g. tolerance: { level: 0.1 }')
    for (const [k, v] of Object.entries(c.tolerance)) {
      if (!(k in DEFAULT_TOLERANCES))
        bad(name, `tolerance.${k}`, 'unknown tolerance', `known: ${Object.keys(DEFAULT_TOLERANCES).join(', ')}`)
      const max = ['levelMs', 'failureCount', 'newErrorCount', 'leakBytesPerHour'].includes(k)
        ? Number.MAX_SAFE_INTEGER
        : 10
      tolerance[k as keyof ResolvedTolerances] = fraction(name, `tolerance.${k}`, v, max)
    }
  }
  const noiseFloor = { p50: 0.01, p95: 0.02, p99: 0.03 }
  for (const [k, v] of Object.entries(c.noiseFloor ?? {})) {
    if (!(k in noiseFloor)) bad(name, `noiseFloor.${k}`, 'unknown stat', 'known: p50, p95, p99')
    noiseFloor[k as 'p50'] = fraction(name, `noiseFloor.${k}`, v)
  }
  const primary = c.primary ?? []
  if (!Array.isArray(primary) || primary.some((p) => typeof p !== 'string'))
    bad(name, 'primary', 'expected a list of strings', "e.g. primary: ['tail', 'service/nodejs_heap']")
  const relax = c.relax ?? []
  for (const k of relax)
    if (!comparabilityFields.includes(k))
      bad(name, 'relax', `unknown comparability key ${JSON.stringify(k)}`, `known: ${comparabilityFields.join(', ')}`)
  const objectives = (c.objectives ?? []).map((o, i): ResolvedObjective => {
    const where = `gates.${name}.objectives[${i}]`
    if (typeof o === 'string') return parseObjective(o, where)
    if (!o || typeof o !== 'object' || typeof o.expr !== 'string')
      bad(name, `objectives[${i}]`, 'expected a string or { expr, step?, scenario?, phase? }', "e.g. 'p95 < 400ms'")
    const parsed: ResolvedObjective = parseObjective(o.expr, where)
    if (o.step) parsed.step = o.step
    if (o.scenario) parsed.scenario = o.scenario
    if (o.phase) parsed.phase = o.phase
    if (o.series) parsed.series = o.series
    return parsed
  })
  const notJudged = c.notJudged ?? 'warn'
  if (notJudged !== 'inconclusive' && notJudged !== 'warn')
    bad(name, 'notJudged', "expected 'inconclusive' or 'warn'", "e.g. notJudged: 'inconclusive'")
  const resolved: ResolvedGate = {
    name,
    require: [...new Set(require)],
    onInconclusive,
    failOn,
    alpha,
    minBaselineRuns,
    flakeBudget,
    tolerance,
    noiseFloor,
    primary,
    objectives,
    relax,
    bootstrap: c.bootstrap ?? false,
    notJudged,
  }
  if (c.memoryLimitBytes !== undefined)
    resolved.memoryLimitBytes = fraction(name, 'memoryLimitBytes', c.memoryLimitBytes, Number.MAX_SAFE_INTEGER)
  return resolved
}

/**
 * Picks a gate by name from the config's `gates` section. No name: the gate
 * named `default` if the config has one, else the built-in defaults.
 */
export function selectGate(gates: Record<string, GateConfig> | undefined, name: string | undefined): ResolvedGate {
  if (gates !== undefined && (typeof gates !== 'object' || Array.isArray(gates))) {
    throw new SteadyError('STEADY_GATE_INVALID', 'gates: expected an object of named gates', {
      hint: 'e.g. gates: { staging: { require: ["working", "stable"] } }',
    })
  }
  if (name === undefined) return resolveGate(DEFAULT_GATE_NAME, gates?.[DEFAULT_GATE_NAME])
  const g = gates?.[name]
  if (!g) {
    const known = Object.keys(gates ?? {})
    throw new SteadyError(
      'STEADY_GATE_NOT_FOUND',
      `no gate named "${name}" (${known.length ? `known gates: ${known.join(', ')}` : 'the config has no gates'})`,
      {
        hint: 'add it under `gates` in steady.config.ts, or pass an existing gate with --gate',
        details: { gate: name },
      },
    )
  }
  return resolveGate(name, g)
}

/** The gate as written into a verdict. */
export function gateForVerdict(g: ResolvedGate): VerdictGate {
  return {
    name: g.name,
    require: g.require,
    onInconclusive: g.onInconclusive,
    failOn: g.failOn,
    alpha: g.alpha,
    minBaselineRuns: g.minBaselineRuns,
    notJudged: g.notJudged,
    relax: g.relax,
    bootstrap: g.bootstrap,
    flakeBudget: g.flakeBudget,
    tolerance: { ...g.tolerance },
  }
}

/** Severity from how far past the tolerance a change is: up to 2× minor, up to 4× major, beyond critical. */
export function severityOf(change: number, tolerance: number): Severity {
  const r = tolerance > 0 ? change / tolerance : Infinity
  return r <= 2 ? 'minor' : r <= 4 ? 'major' : 'critical'
}

/** True when a finding of this severity fails a gate that fails on `failOn`. */
export function severityFails(s: Severity, failOn: Severity): boolean {
  return severities.indexOf(s) >= severities.indexOf(failOn)
}
