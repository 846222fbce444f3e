/**
 * Durations as people write them: k6's notation (`250ms`, `30s`, `5m`,
 * `1h30m`), with days and weeks for spans of history (`28d`, `2w`). Each
 * caller says which units it accepts and which error a bad duration is, so a
 * run config keeps k6's units and process health its weeks.
 */
import { SteadyError, type SteadyErrorCode, type SteadyErrorOptions } from './errors.ts'
import { roundTo } from './format.ts'

/** Milliseconds in one of each unit a duration may be written in. */
export const durationUnitMs = {
  us: 0.001,
  µs: 0.001,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
} as const

/** A unit a duration may be written in. */
type DurationUnit = keyof typeof durationUnitMs

/** A duration as a user writes it: `'250ms'`, `'30s'`, `'1h30m'`, or a number of milliseconds. */
export type Duration = string | number

/** How one caller reads durations: the units it accepts and the error a bad duration throws. */
export interface DurationSyntax {
  /** The units accepted. */
  readonly units: readonly DurationUnit[]
  /** The code of the error a bad duration throws (`STEADY_DURATION_INVALID`). */
  readonly code: SteadyErrorCode
  /** Examples the hint shows (`250ms, 30s, 5m, 1h30m`). */
  readonly examples: string
  /** The unit offered besides `s` when a bare number has none: `ms` for timeouts, `m` for spans of days. */
  readonly bareNumberUnit: DurationUnit
  /** The class of the error thrown (a {@link SteadyError} subclass); default {@link SteadyError}. */
  readonly error?: new (code: SteadyErrorCode, message: string, options?: SteadyErrorOptions) => SteadyError
}

/** k6's units plus days, as run configs write them (phase durations, timeouts): no weeks. */
export const k6Durations: DurationSyntax = {
  units: ['us', 'µs', 'ms', 's', 'm', 'h', 'd'],
  code: 'STEADY_DURATION_INVALID',
  examples: '250ms, 30s, 5m, 1h30m',
  bareNumberUnit: 'ms',
}

const patterns = new WeakMap<DurationSyntax, RegExp>()

function patternOf(syntax: DurationSyntax): RegExp {
  let re = patterns.get(syntax)
  if (!re) {
    // Longest unit first, so `ms` is not read as `m` followed by a stray `s`.
    const units = [...syntax.units].sort((a, b) => b.length - a.length)
    re = new RegExp(`(\\d+(?:\\.\\d+)?)(${units.join('|')})`, 'y')
    patterns.set(syntax, re)
  }
  return re
}

/**
 * Parses a duration (`'250ms'`, `'30s'`, `'5m'`, `'1h30m'`, `'1.5s'`) into
 * milliseconds. A bare number is milliseconds. `field` names where the value
 * came from (`plans.default.phases[2].duration`) so the error can point at it;
 * `syntax` says which units are accepted and what a bad value throws (default:
 * {@link k6Durations}).
 */
export function parseDuration(input: Duration, field = 'duration', syntax: DurationSyntax = k6Durations): number {
  if (typeof input === 'number') {
    if (Number.isFinite(input) && input >= 0) return input
    throw invalid(String(input), field, syntax)
  }
  if (typeof input !== 'string') throw invalid(JSON.stringify(input), field, syntax)
  const text = input.trim()
  if (text === '') throw invalid('""', field, syntax)
  if (/^\d+(\.\d+)?$/.test(text)) {
    const ErrorClass = syntax.error ?? SteadyError
    throw new ErrorClass(syntax.code, `${field}: "${text}" has no unit`, {
      hint: `write it with a unit, e.g. "${text}s" or "${text}${syntax.bareNumberUnit}"`,
      details: { field, value: input },
    })
  }
  const part = patternOf(syntax)
  let total = 0
  let pos = 0
  while (pos < text.length) {
    part.lastIndex = pos
    const m = part.exec(text)
    if (!m) throw invalid(`"${text}"`, field, syntax)
    total += Number(m[1]) * durationUnitMs[m[2] as DurationUnit]
    pos = part.lastIndex
  }
  return total
}

function invalid(value: string, field: string, syntax: DurationSyntax): SteadyError {
  const ErrorClass = syntax.error ?? SteadyError
  // `µs` is `us` spelt another way: the hint names it once.
  const units = syntax.units.filter((u) => u !== 'µs').join(', ')
  return new ErrorClass(syntax.code, `${field}: ${value} is not a duration`, {
    hint: `use a number with a unit: ${syntax.examples} (units: ${units})`,
    details: { field, value },
  })
}

/** Formats milliseconds the way a person writes them: `250ms`, `1.5s`, `2m30s`, `1h30m`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms)
  if (ms < 0) return `-${formatDuration(-ms)}`
  if (ms < 1) return `${roundTo(ms * 1000, 0)}µs`
  if (ms < 1000) return `${roundTo(ms, ms < 10 ? 2 : 0)}ms`
  if (ms < 60_000) return `${roundTo(ms / 1000, ms < 10_000 ? 2 : 1)}s`
  const h = Math.floor(ms / 3_600_000)
  const m = Math.floor((ms % 3_600_000) / 60_000)
  const s = Math.round((ms % 60_000) / 1000)
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}` || '0s'
}
