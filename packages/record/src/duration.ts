import { SteadyError } from './errors.ts'

const unitMs: Record<string, number> = {
  us: 0.001,
  'µs': 0.001,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
}

const part = /(\d+(?:\.\d+)?)(us|µs|ms|s|m|h|d)/y

/** A duration as a user writes it: `'250ms'`, `'30s'`, `'1h30m'`, or a number of milliseconds. */
export type Duration = string | number

/**
 * Parses a duration in k6's notation (`'250ms'`, `'30s'`, `'5m'`, `'1h30m'`,
 * `'1.5s'`) into milliseconds. A bare number is milliseconds. `field` names
 * where the value came from (`plans.default.phases[2].duration`) so the error can
 * point at it.
 */
export function parseDuration(input: Duration, field = 'duration'): number {
  if (typeof input === 'number') {
    if (Number.isFinite(input) && input >= 0) return input
    throw invalid(String(input), field)
  }
  if (typeof input !== 'string') throw invalid(JSON.stringify(input), field)
  const text = input.trim()
  if (text === '') throw invalid('""', field)
  if (/^\d+(\.\d+)?$/.test(text)) {
    throw new SteadyError('STEADY_DURATION_INVALID', `${field}: "${text}" has no unit`, {
      hint: `write it with a unit, e.g. "${text}s" or "${text}ms"`,
      details: { field, value: input },
    })
  }
  let total = 0
  part.lastIndex = 0
  let pos = 0
  while (pos < text.length) {
    part.lastIndex = pos
    const m = part.exec(text)
    if (!m) throw invalid(`"${text}"`, field)
    total += Number(m[1]) * unitMs[m[2]]
    pos = part.lastIndex
  }
  return total
}

function invalid(value: string, field: string): SteadyError {
  return new SteadyError('STEADY_DURATION_INVALID', `${field}: ${value} is not a duration`, {
    hint: 'use a number with a unit: 250ms, 30s, 5m, 1h30m (units: us, ms, s, m, h, d)',
    details: { field, value },
  })
}

/** Formats milliseconds the way a person writes them: `250ms`, `1.5s`, `2m30s`, `1h30m`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms)
  if (ms < 0) return `-${formatDuration(-ms)}`
  if (ms < 1) return `${round(ms * 1000, 0)}µs`
  if (ms < 1000) return `${round(ms, ms < 10 ? 2 : 0)}ms`
  if (ms < 60_000) return `${round(ms / 1000, ms < 10_000 ? 2 : 1)}s`
  const h = Math.floor(ms / 3_600_000)
  const m = Math.floor((ms % 3_600_000) / 60_000)
  const s = Math.round((ms % 60_000) / 1000)
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}` || '0s'
}

function round(value: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}
