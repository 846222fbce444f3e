/** How values, windows and times read in reason sentences and tables. */
import { msPerUnit } from './define.ts'
import { formatDurationMs, parseDurationMs } from './time.ts'
import type { IndicatorDefinition } from './types.ts'

/** A value in its indicator's terms: `9m 25s`, `97.5%`, `2.3 deployments/day`. */
export function formatValue(indicator: IndicatorDefinition, value: number): string {
  if (!Number.isFinite(value)) return String(value)
  if (indicator.kind === 'duration') return formatDurationMs(value * msPerUnit[indicator.unit])
  if (indicator.kind === 'rate') return formatPercent(value)
  return `${formatNumber(value)} ${indicator.unit}/${formatPeriod(indicator.per ?? '1d')}`
}

/** `97.5%`, `0.12%`. */
export function formatPercent(fraction: number): string {
  const p = fraction * 100
  const digits = p !== 0 && Math.abs(p) < 1 ? 2 : 1
  return `${Number(p.toFixed(digits))}%`
}

/** A number with at most 2 decimals (3 significant digits below 1). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? '∞' : value < 0 ? '−∞' : 'n/a'
  if (Math.abs(value) >= 100) return String(Math.round(value))
  if (Math.abs(value) >= 1) return String(Number(value.toFixed(2)))
  return String(Number(value.toPrecision(3)))
}

/** A period as a word where one fits: `1d` → `day`, `7d` → `week`, else `6h`. */
function formatPeriod(per: string | number): string {
  const ms = parseDurationMs(per, 'per')
  if (ms === 86_400_000) return 'day'
  if (ms === 604_800_000) return 'week'
  if (ms === 3_600_000) return 'hour'
  return formatDurationMs(ms).replace(/ /g, '')
}

/** A window length: `3d`, `28d`, `6h`. */
export function formatWindow(ms: number): string {
  return formatDurationMs(ms).replace(/ /g, '')
}

/** An instant as ISO 8601 without milliseconds. */
export function formatInstant(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z')
}

/** `1 run` / `12 runs` style counting. */
export function plural(n: number, word: string): string {
  return `${formatNumber(n)} ${word}${n === 1 ? '' : 's'}`
}
