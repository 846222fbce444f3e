/**
 * Time for process health: an injected clock, durations in k6's notation
 * (plus `d` and `w`, since baselines span weeks), and instants as a CI system
 * writes them (ISO 8601, epoch seconds or milliseconds, or "2h ago").
 */
import { parseDuration, roundTo, systemClock, type DurationSyntax, type WallClock } from '@steady/kernel'
import { ProcessHealthError } from './errors.ts'

/**
 * Where "now" comes from: milliseconds since the Unix epoch. Inject a fixed clock in tests so judgements are
 * deterministic.
 */
export type Clock = WallClock

/** The wall clock. */
export { systemClock }

/** A clock stuck at `at` (an instant as {@link parseInstant} reads it); `advance` moves it. */
export function fixedClock(
  at: string | number | Date,
): Clock & { advance(ms: number): void; set(at: string | number | Date): void } {
  let t = parseInstant(at, 'clock')
  return {
    now: () => t,
    advance: (ms) => void (t += ms),
    set: (next) => void (t = parseInstant(next, 'clock')),
  }
}

/** A duration as a user writes it (`'30s'`, `'1h30m'`, `'28d'`) or a number of milliseconds. */
export type DurationInput = string | number

/** k6's notation with days and weeks, since baselines span weeks; bad ones are this package's errors. */
const healthDurations: DurationSyntax = {
  units: ['us', 'µs', 'ms', 's', 'm', 'h', 'd', 'w'],
  code: 'STEADY_HEALTH_DURATION_INVALID',
  examples: '250ms, 30s, 5m, 1h30m, 28d',
  bareNumberUnit: 'm',
  error: ProcessHealthError,
}

/**
 * Parses a duration in k6's notation (`250ms`, `30s`, `5m`, `1h30m`) extended
 * with days and weeks (`28d`, `2w`) into milliseconds. A bare number is
 * milliseconds. `field` names where the value came from, for the error.
 */
export function parseDurationMs(input: DurationInput, field = 'duration'): number {
  return parseDuration(input, field, healthDurations)
}

/**
 * Reads an instant: a `Date`, epoch milliseconds (number), an ISO 8601 string
 * (`2024-05-01T10:00:00Z`), epoch seconds or milliseconds as digits
 * (`1714557600`, as `date +%s` prints), `now`, or a time ago (`2h ago`, `-2h`).
 * `now` is the reference for relative forms.
 */
export function parseInstant(input: string | number | Date, field = 'at', now: number = Date.now()): number {
  if (input instanceof Date) {
    const t = input.getTime()
    if (Number.isFinite(t)) return t
    throw badInstant(String(input), field)
  }
  if (typeof input === 'number') {
    if (Number.isFinite(input)) return input
    throw badInstant(String(input), field)
  }
  const text = String(input).trim()
  if (text === 'now') return now
  if (/^\d{9,11}$/.test(text)) return Number(text) * 1000
  if (/^\d{12,14}$/.test(text)) return Number(text)
  const ago = text.match(/^-\s*(\S+)$/) ?? text.match(/^(\S+)\s+ago$/)
  if (ago) {
    try {
      return now - parseDurationMs(ago[1], field)
    } catch {
      throw badInstant(text, field)
    }
  }
  // A date-time needs a time zone to mean one instant; a bare date is UTC midnight (as Date.parse reads it).
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(text)) {
    const t = Date.parse(text.replace(' ', 'T'))
    if (Number.isFinite(t)) return t
  }
  throw badInstant(text, field)
}

function badInstant(value: string, field: string): ProcessHealthError {
  return new ProcessHealthError('STEADY_HEALTH_TIME_INVALID', `${field}: "${value}" is not a time`, {
    hint:
      'write an ISO 8601 time with its zone (2024-05-01T10:00:00Z), epoch seconds ($(date +%s)), ' +
      'or a time ago ("2h ago")',
    details: { field, value },
  })
}

/** Formats milliseconds the way a person writes them: `850ms`, `42s`, `9m 25s`, `3h 20m`, `2d 4h`. */
export function formatDurationMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms)
  if (ms < 0) return `-${formatDurationMs(-ms)}`
  if (ms < 1000) return `${Math.round(ms)}ms`
  if (ms < 60_000) return `${trim(ms / 1000, ms < 10_000 ? 2 : 1)}s`
  if (ms < 3_600_000) {
    const m = Math.floor(ms / 60_000)
    const s = Math.round((ms % 60_000) / 1000)
    return s === 60 ? `${m + 1}m` : s ? `${m}m ${s}s` : `${m}m`
  }
  if (ms < 86_400_000) {
    const h = Math.floor(ms / 3_600_000)
    const m = Math.round((ms % 3_600_000) / 60_000)
    return m === 60 ? `${h + 1}h` : m ? `${h}h ${m}m` : `${h}h`
  }
  const d = Math.floor(ms / 86_400_000)
  const h = Math.round((ms % 86_400_000) / 3_600_000)
  return h === 24 ? `${d + 1}d` : h ? `${d}d ${h}h` : `${d}d`
}

function trim(value: number, digits: number): string {
  return String(roundTo(value, digits))
}
