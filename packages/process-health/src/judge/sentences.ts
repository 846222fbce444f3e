/** The pieces the judge's sentences are made of: directions, percentages, p-values, instants, "too little". */
import { formatNumber, plural } from '../format.ts'
import type { IndicatorDefinition } from '../types.ts'
import { worseSign } from './check.ts'

/** "above"/"below" for a signed difference, with "(better)" when it goes the good way. */
export function direction(indicator: IndicatorDefinition, diff: number): string {
  const word = diff > 0 ? 'above' : 'below'
  return diff * worseSign(indicator) < 0 ? `${word} (better than)` : word
}

/** A relative change as a whole percentage; `far` when infinite. */
export function pct(r: number): string {
  return Number.isFinite(r) ? `${Math.round(r * 100)}%` : 'far'
}

/** The size of a z-score for a sentence; `∞` when infinite. */
export function zText(z: number): string {
  return Number.isFinite(z) ? formatNumber(Math.abs(z)) : '∞'
}

/** A p-value to two decimals, or two significant digits when small. */
export function formatP(p: number): string {
  if (p >= 0.01) return String(Number(p.toFixed(2)))
  return p < 1e-6 ? '< 0.000001' : String(Number(p.toPrecision(2)))
}

/** An instant to the minute, for sentences: `2025-03-07 13:15 UTC`. */
export function sinceText(at: number): string {
  return `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`
}

/** Why a window cannot be judged yet: how much it holds and how much is needed. */
export function tooLittle(what: string, have: number, need: number, window: string, unit: string): string {
  const have_ = have === 0 ? `no ${unit}s` : `only ${plural(have, unit)}`
  return `${have_} ${what} (${window}); need ${formatNumber(need)} to judge`
}
