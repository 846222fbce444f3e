/**
 * Declaring processes and building observations: names, units, objectives and
 * labels are checked here, so a bad definition or a high-cardinality label
 * fails where it is written, with the field named.
 */
import { ProcessHealthError } from './errors.ts'
import { formatDurationMs, parseDurationMs, parseInstant, type Clock, systemClock } from './time.ts'
import type {
  DurationUnit,
  Fields,
  IndicatorDefinition,
  JudgeOptions,
  Labels,
  Observation,
  ProcessDefinition,
  SloObjective,
  ThresholdObjective,
} from './types.ts'

const processName = /^[a-z][a-z0-9_-]{0,62}$/
const indicatorName = /^[a-z][a-z0-9_]{0,62}$/
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]{0,62}$/
const reservedLabels = new Set(['process', 'indicator', 'state', 'le', 'quantile', 'job', 'instance', 'unit', 'kind'])
const durationUnits: readonly DurationUnit[] = ['ms', 's', 'min', 'h', 'd']

/** Milliseconds per duration unit. */
export const msPerUnit: Record<DurationUnit, number> = { ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 }

/** At most this many labels on one observation. */
const maxLabels = 8

/**
 * Declares a process, checking its names, units and objectives. Returns the
 * same object, typed, so it can be written inline in `steady.config.ts`.
 */
export function defineProcess<const P extends ProcessDefinition>(process: P): P {
  validateProcess(process)
  return process
}

/** The error of a definition's field, under `where`. */
function definitionFailure(where: string): (field: string, message: string, hint: string) => never {
  return (field, message, hint) => {
    throw new ProcessHealthError('STEADY_HEALTH_DEFINITION_INVALID', `${where}.${field}: ${message}`, {
      hint,
      details: { field: `${where}.${field}` },
    })
  }
}

/** Checks a process definition; `where` names it in errors (`health.processes[2]`). */
export function validateProcess(process: ProcessDefinition, where = 'process'): void {
  const fail = definitionFailure(where)
  if (!process || typeof process !== 'object') {
    throw new ProcessHealthError('STEADY_HEALTH_DEFINITION_INVALID', `${where} is not a process definition`, {
      hint: "write { name: 'ci', owner: 'platform-team', indicators: [...] }",
      details: { field: where },
    })
  }
  if (typeof process.name !== 'string' || !processName.test(process.name)) {
    fail(
      'name',
      `${JSON.stringify(process.name)} is not a process name`,
      'use lower case letters, digits, - and _, starting with a letter (ci, e2e-gate)',
    )
  }
  if (typeof process.owner !== 'string' || process.owner.trim() === '') {
    fail('owner', 'every process needs an owner', "say who answers for it: owner: 'platform-team'")
  }
  if (!Array.isArray(process.indicators) || process.indicators.length === 0) {
    fail(
      'indicators',
      'a process needs at least one indicator',
      "add one: { name: 'cycle_time', kind: 'duration', unit: 's', better: 'lower' }",
    )
  }
  if (process.judge) validateJudge(process.judge, `${where}.judge`)
  const seen = new Set<string>()
  process.indicators.forEach((indicator, i) => validateIndicator(indicator, `indicators[${i}]`, where, seen))
}

/** Checks one indicator of a process; `at` names it (`indicators[1]`), `seen` holds the names declared before it. */
function validateIndicator(indicator: IndicatorDefinition, at: string, where: string, seen: Set<string>): void {
  const fail = definitionFailure(where)
  if (!indicator || typeof indicator !== 'object') {
    fail(at, 'is not an indicator', "write { name, kind: 'duration'|'rate'|'count', unit, better }")
  }
  if (typeof indicator.name !== 'string' || !indicatorName.test(indicator.name)) {
    fail(
      `${at}.name`,
      `${JSON.stringify(indicator.name)} is not an indicator name`,
      'use lower case letters, digits and _, starting with a letter (cycle_time)',
    )
  }
  if (seen.has(indicator.name)) {
    fail(
      `${at}.name`,
      `indicator "${indicator.name}" is declared twice`,
      'give each indicator of a process its own name',
    )
  }
  seen.add(indicator.name)
  if (indicator.better !== 'lower' && indicator.better !== 'higher') {
    fail(
      `${at}.better`,
      `must be 'lower' or 'higher', got ${JSON.stringify(indicator.better)}`,
      'say which direction is better',
    )
  }
  const kind = (indicator as { kind?: unknown }).kind
  if (indicator.kind === 'duration') {
    if (!durationUnits.includes(indicator.unit as DurationUnit)) {
      fail(
        `${at}.unit`,
        `${JSON.stringify(indicator.unit)} is not a duration unit`,
        `use one of ${durationUnits.join(', ')}`,
      )
    }
  } else if (indicator.kind === 'rate') {
    if (indicator.unit !== undefined && indicator.unit !== 'ratio') {
      fail(`${at}.unit`, "a rate's unit is 'ratio'", 'leave unit out for rates')
    }
  } else if (indicator.kind === 'count') {
    if (typeof indicator.unit !== 'string' || indicator.unit.trim() === '') {
      fail(`${at}.unit`, 'a count needs a unit', "name what is counted: unit: 'deployments'")
    }
    if (indicator.per !== undefined && parseDurationMs(indicator.per, `${where}.${at}.per`) <= 0) {
      fail(`${at}.per`, 'must be longer than 0', "use a period such as '1d'")
    }
  } else {
    fail(
      `${at}.kind`,
      `must be 'duration', 'rate' or 'count', got ${JSON.stringify(kind)}`,
      'pick the kind of value recorded',
    )
  }
  if (indicator.labels !== undefined) {
    if (!Array.isArray(indicator.labels)) {
      fail(`${at}.labels`, 'must be a list of label names', "write labels: ['branch', 'runner']")
    }
    for (const l of indicator.labels) {
      if (typeof l !== 'string' || !labelName.test(l) || reservedLabels.has(l)) {
        fail(
          `${at}.labels`,
          `${JSON.stringify(l)} cannot be a label name`,
          `use letters, digits and _, and none of ${[...reservedLabels].join(', ')}`,
        )
      }
    }
  }
  if (indicator.judge) validateJudge(indicator.judge, `${where}.${at}.judge`)
  if (indicator.objective !== undefined) validateObjective(indicator, `${where}.${at}.objective`)
}

function validateJudge(judge: JudgeOptions, where: string): void {
  const fail = (field: string, message: string): never => {
    throw new ProcessHealthError('STEADY_HEALTH_DEFINITION_INVALID', `${where}.${field}: ${message}`, {
      hint: 'see docs/process-health.md, "How health is judged", for each option and its default',
      details: { field: `${where}.${field}` },
    })
  }
  if (judge.baseline !== undefined && parseDurationMs(judge.baseline, `${where}.baseline`) <= 0) {
    fail('baseline', 'must be longer than 0')
  }
  if (judge.recent !== undefined && parseDurationMs(judge.recent, `${where}.recent`) <= 0) {
    fail('recent', 'must be longer than 0')
  }
  if (judge.maxBaseline !== undefined && parseDurationMs(judge.maxBaseline, `${where}.maxBaseline`) <= 0) {
    fail('maxBaseline', 'must be longer than 0')
  }
  for (const key of [
    'minBaseline',
    'minRecent',
    'threshold',
    'tolerance',
    'ewmaLimit',
    'cusumSlack',
    'cusumLimit',
  ] as const) {
    const v = judge[key]
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
      fail(key, `must be a number ≥ 0, got ${JSON.stringify(v)}`)
    }
  }
  if (judge.ewmaLambda !== undefined && !(judge.ewmaLambda > 0 && judge.ewmaLambda <= 1)) {
    fail('ewmaLambda', 'must be in (0, 1]')
  }
}

/** True when an objective is an SLO. */
export function isSlo(objective: ThresholdObjective | SloObjective): objective is SloObjective {
  return typeof (objective as SloObjective).slo === 'number'
}

function validateObjective(indicator: IndicatorDefinition, where: string): void {
  const o = indicator.objective!
  const fail = (message: string, hint: string): never => {
    throw new ProcessHealthError('STEADY_HEALTH_DEFINITION_INVALID', `${where}: ${message}`, {
      hint,
      details: { field: where },
    })
  }
  if (typeof o !== 'object' || o === null) {
    fail('must be an object', "write { stat: 'p50', max: '10m' } or { slo: 0.95 }")
  }
  if ('slo' in o) {
    if (!(typeof o.slo === 'number' && o.slo > 0 && o.slo < 1)) {
      fail(`slo must be a fraction between 0 and 1, got ${JSON.stringify(o.slo)}`, 'write slo: 0.95 for 95 %')
    }
    if (indicator.kind === 'count') {
      fail('a count has no SLO', 'use a threshold objective instead: { min: 1 } (per period)')
    }
    if (indicator.kind === 'duration') {
      if (o.threshold === undefined) {
        return fail(
          'an SLO on a duration needs a threshold',
          "say which durations are good: { slo: 0.95, threshold: '15m' }",
        )
      }
      objectiveValue(indicator, o.threshold, `${where}.threshold`)
    } else if (o.threshold !== undefined) {
      fail('a rate SLO has no threshold', 'each observation is already good (1) or bad (0); leave threshold out')
    }
    if (o.window !== undefined && parseDurationMs(o.window, `${where}.window`) <= 0) {
      fail('window must be longer than 0', "use the SLO period, e.g. '28d'")
    }
    if (o.maxBurnRate !== undefined && !(o.maxBurnRate > 0)) {
      fail('maxBurnRate must be > 0', 'the default, 1, means the budget would run out within the period')
    }
    return
  }
  const t = o as ThresholdObjective
  if (t.max === undefined && t.min === undefined) {
    fail('a threshold objective needs max or min', "write { stat: 'p50', max: '10m' }")
  }
  if (t.stat !== undefined) {
    if (indicator.kind !== 'duration') {
      fail(
        `stat applies to durations only`,
        'leave stat out: rates are judged on the rate, counts on the mean per period',
      )
    }
    if (!['p50', 'p75', 'p90', 'p95', 'p99', 'mean'].includes(t.stat)) {
      fail(`stat ${JSON.stringify(t.stat)} is not known`, 'use p50, p75, p90, p95, p99 or mean')
    }
  }
  if (t.max !== undefined) objectiveValue(indicator, t.max, `${where}.max`)
  if (t.min !== undefined) objectiveValue(indicator, t.min, `${where}.min`)
}

/** An objective's bound in the indicator's unit: durations may be written `'10m'`. */
export function objectiveValue(indicator: IndicatorDefinition, value: number | string, field: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) {
    if (indicator.kind === 'rate' && (value < 0 || value > 1)) {
      throw new ProcessHealthError(
        'STEADY_HEALTH_DEFINITION_INVALID',
        `${field}: a rate bound is a fraction 0..1, got ${value}`,
        {
          hint: 'write 0.02 for 2 %',
          details: { field },
        },
      )
    }
    return value
  }
  if (typeof value === 'string' && indicator.kind === 'duration') {
    return parseDurationMs(value, field) / msPerUnit[indicator.unit]
  }
  throw new ProcessHealthError(
    'STEADY_HEALTH_DEFINITION_INVALID',
    `${field}: ${JSON.stringify(value)} is not a number${indicator.kind === 'duration' ? ' or a duration' : ''}`,
    {
      hint:
        indicator.kind === 'duration'
          ? "write a duration ('10m') or a number in the indicator's unit"
          : 'write a number',
      details: { field },
    },
  )
}

/** Finds a process's indicator or throws an error listing the ones that exist. */
function findIndicator(process: ProcessDefinition, name: string): IndicatorDefinition {
  const found = process.indicators.find((i) => i.name === name)
  if (!found) {
    throw new ProcessHealthError(
      'STEADY_HEALTH_UNKNOWN_INDICATOR',
      `process "${process.name}" has no indicator "${name}"`,
      {
        hint: `use one of: ${process.indicators.map((i) => i.name).join(', ')}`,
        details: { process: process.name, indicator: name },
      },
    )
  }
  return found
}

/** Finds a process by name or throws an error listing the ones that exist. */
export function findProcess(processes: readonly ProcessDefinition[], name: string): ProcessDefinition {
  const found = processes.find((p) => p.name === name)
  if (!found) {
    throw new ProcessHealthError('STEADY_HEALTH_UNKNOWN_PROCESS', `no process named "${name}"`, {
      hint:
        `declare it in steady.config.ts (health.processes) or use one of: ` +
        `${processes.map((p) => p.name).join(', ') || '(none)'}`,
      details: { process: name },
    })
  }
  return found
}

/** Why a label looks like it has many values, or undefined when it looks fine. */
export function highCardinalityReason(key: string, value: string): string | undefined {
  if (
    /(^|_)(id|uuid|sha|commit|revision|number|num|timestamp)$/i.test(key) ||
    /^(pr|mr|run|build|pipeline_run)$/i.test(key)
  ) {
    return `the label name "${key}" names an id, which has a new value per run`
  }
  if (value.length > 64) return 'it is longer than 64 characters'
  if (/^[0-9a-f]{7,64}$/i.test(value) && /[0-9]/.test(value) && /[a-f]/i.test(value)) {
    return 'it looks like a commit SHA or a hash'
  }
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) return 'it looks like a UUID'
  if (/^\d{3,}$/.test(value)) return 'it looks like a run, build or PR number'
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) return 'it looks like a date or timestamp'
  if (/:\/\//.test(value)) return 'it looks like a URL'
  if (/(^|\/)(pull|merge_requests|pulls|runs|jobs|builds|pipelines)\/\d+/.test(value)) {
    return 'it contains a PR, run or job number'
  }
  return undefined
}

/**
 * Checks an observation's labels: names, count, the indicator's declared
 * labels, and values that would make a new series per run (commit SHAs, run
 * ids, PR numbers, timestamps, URLs), which belong in `fields`.
 */
function validateLabels(indicator: IndicatorDefinition, labels: Labels, where = 'labels'): void {
  const keys = Object.keys(labels)
  if (keys.length > maxLabels) {
    throw new ProcessHealthError(
      'STEADY_HEALTH_LABELS_INVALID',
      `${where}: ${keys.length} labels; at most ${maxLabels}`,
      {
        hint: 'keep labels to a few small sets (branch, runner, environment); put the rest in fields',
        details: { field: where },
      },
    )
  }
  for (const key of keys) {
    const value = labels[key]
    if (!labelName.test(key) || reservedLabels.has(key)) {
      throw new ProcessHealthError('STEADY_HEALTH_LABELS_INVALID', `${where}: "${key}" cannot be a label name`, {
        hint: `use letters, digits and _, and none of ${[...reservedLabels].join(', ')}`,
        details: { field: `${where}.${key}` },
      })
    }
    if (typeof value !== 'string') {
      throw new ProcessHealthError(
        'STEADY_HEALTH_LABELS_INVALID',
        `${where}.${key}: a label value is a string, got ${typeof value}`,
        {
          hint: 'write the value as a string',
          details: { field: `${where}.${key}` },
        },
      )
    }
    const why = highCardinalityReason(key, value)
    if (why) {
      throw new ProcessHealthError(
        'STEADY_HEALTH_LABEL_CARDINALITY',
        `${where}.${key}="${value}" would create a new series per run: ${why}; ` +
          `labels must come from a small set (branch, runner, environment)`,
        {
          hint:
            `put it in the observation's fields instead: --field ${key}=${value} ` +
            `(API: fields: { ${key}: '${value}' })`,
          details: { field: `${where}.${key}`, value },
        },
      )
    }
    if (indicator.labels && !indicator.labels.includes(key)) {
      throw new ProcessHealthError(
        'STEADY_HEALTH_LABELS_INVALID',
        `${where}.${key}: indicator "${indicator.name}" declares labels ` +
          `${indicator.labels.join(', ') || '(none)'}, not "${key}"`,
        {
          hint: `put "${key}" in the observation's fields (--field ${key}=...), or add it to the indicator's labels`,
          details: { field: `${where}.${key}` },
        },
      )
    }
  }
}

/** An observation as a caller writes it: the time may be a string, and the value a duration string. */
export interface ObservationInput {
  /** The process name. */
  process: string
  /** The indicator name. */
  indicator: string
  /**
   * The value: a number in the indicator's unit; for durations also `'12m30s'`;
   * for rates also `true`/`false`, `'pass'`/`'fail'`, or `'3/200'` (3 of 200).
   */
  value: number | string | boolean
  /** For rates: trials the value summarises (default 1, or the denominator of `'3/200'`). */
  weight?: number
  /** When it happened: epoch ms, a Date, ISO 8601, epoch seconds as digits, or `'2h ago'`. Default: the clock's now. */
  at?: number | string | Date
  /** Low-cardinality labels. */
  labels?: Labels
  /** Ids and details (commit, run id); never labels. */
  fields?: Fields
}

/** How far in the future an observation's time may be (clock skew between machines) before it is refused. */
const maxClockSkewMs = 5 * 60_000

/**
 * Turns an input into a checked observation of `process`: the indicator must
 * exist, the value must fit its kind, the labels must be low-cardinality.
 */
export function createObservation(
  process: ProcessDefinition,
  input: ObservationInput,
  clock: Clock = systemClock,
): Observation {
  const indicator = findIndicator(process, input.indicator)
  const now = clock.now()
  const at = input.at === undefined ? now : parseInstant(input.at, 'at', now)
  if (at > now + maxClockSkewMs) {
    throw new ProcessHealthError(
      'STEADY_HEALTH_AT_IN_FUTURE',
      `at: ${new Date(at).toISOString()} is ${formatDurationMs(at - now)} in the future ` +
        `(now is ${new Date(now).toISOString()}); an observation records when something happened, and at most ` +
        `${formatDurationMs(maxClockSkewMs)} of clock skew is allowed`,
      {
        hint:
          'record the time it happened (ISO 8601 with a zone, epoch seconds, or "2h ago"); ' +
          'check the clock and the time zone of what produced it',
        details: { field: 'at', at, now },
      },
    )
  }
  const { value, weight } = parseValue(indicator, input.value, input.weight)
  const labels = input.labels ?? {}
  validateLabels(indicator, labels)
  const fields = input.fields ?? {}
  for (const [k, v] of Object.entries(fields)) {
    if (!['string', 'number', 'boolean'].includes(typeof v)) {
      throw new ProcessHealthError(
        'STEADY_HEALTH_FIELDS_INVALID',
        `fields.${k}: a field is a string, number or boolean, got ${typeof v}`,
        {
          hint: 'flatten it to a string',
          details: { field: `fields.${k}` },
        },
      )
    }
  }
  const observation: Observation = { process: process.name, indicator: indicator.name, value, at }
  if (weight !== 1) observation.weight = weight
  if (Object.keys(labels).length) observation.labels = { ...labels }
  if (Object.keys(fields).length) observation.fields = { ...fields }
  return observation
}

/** Reads a value for an indicator of its kind; see {@link ObservationInput.value}. */
function parseValue(
  indicator: IndicatorDefinition,
  raw: number | string | boolean,
  weight?: number,
): { value: number; weight: number } {
  const field = `value of ${indicator.name}`
  const bad = (hint: string): never => {
    throw new ProcessHealthError(
      'STEADY_HEALTH_VALUE_INVALID',
      `${field}: ${JSON.stringify(raw)} is not a valid ${indicator.kind} value`,
      {
        hint,
        details: { field: 'value', indicator: indicator.name, value: raw },
      },
    )
  }
  if (weight !== undefined && !(Number.isFinite(weight) && weight > 0)) bad('weight must be a number > 0')
  if (indicator.kind === 'duration') {
    let v: number
    if (typeof raw === 'number') v = raw
    else if (typeof raw === 'string' && /^\d+(\.\d+)?$/.test(raw.trim())) v = Number(raw)
    else if (typeof raw === 'string') {
      try {
        v = parseDurationMs(raw, field) / msPerUnit[indicator.unit]
      } catch {
        return bad(`write a duration (12m30s, 850ms) or a number of ${indicator.unit}`)
      }
    } else return bad(`write a duration (12m30s) or a number of ${indicator.unit}`)
    if (!(Number.isFinite(v) && v >= 0)) bad('a duration is ≥ 0')
    return { value: v, weight: 1 }
  }
  if (indicator.kind === 'rate') {
    if (typeof raw === 'boolean') return { value: raw ? 1 : 0, weight: weight ?? 1 }
    if (typeof raw === 'string') {
      const text = raw.trim().toLowerCase()
      if (['pass', 'passed', 'success', 'true', 'yes', 'ok'].includes(text)) return { value: 1, weight: weight ?? 1 }
      if (['fail', 'failed', 'failure', 'false', 'no'].includes(text)) return { value: 0, weight: weight ?? 1 }
      const frac = text.match(/^(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)$/)
      if (frac) {
        const num = Number(frac[1])
        const den = Number(frac[2])
        if (!(den > 0) || num > den) bad('write hits/total with 0 ≤ hits ≤ total, e.g. 3/200')
        return { value: num / den, weight: weight ?? den }
      }
      if (/^\d+(\.\d+)?%$/.test(text)) raw = Number(text.slice(0, -1)) / 100
      else if (/^\d+(\.\d+)?$/.test(text)) raw = Number(text)
      else bad('write 1 or 0, pass or fail, a fraction 0..1, a percentage (97%), or hits/total (3/200)')
    }
    const v = raw as number
    if (!(Number.isFinite(v) && v >= 0 && v <= 1)) bad('a rate is between 0 and 1 (or hits/total such as 3/200)')
    return { value: v, weight: weight ?? 1 }
  }
  let v: number
  if (typeof raw === 'number') v = raw
  else if (typeof raw === 'string' && /^\d+(\.\d+)?$/.test(raw.trim())) v = Number(raw)
  else return bad(`write a number of ${indicator.unit}`)
  if (!(Number.isFinite(v) && v >= 0)) bad('a count is ≥ 0')
  return { value: v, weight: 1 }
}
