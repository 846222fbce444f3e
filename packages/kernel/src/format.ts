/**
 * Rounding numbers for what people and files read: to a number of decimals
 * (timings in a record, durations in a sentence) or of significant digits
 * (values in a baseline, so it stays small and its diffs readable).
 */

/** Rounds to `decimals` decimal places: `roundTo(1.23456, 3)` is 1.235. */
export function roundTo(value: number, decimals: number): number {
  const f = 10 ** decimals
  return Math.round(value * f) / f
}

/** Rounds to `digits` significant digits (default 4); 0 and non-finite values are returned as they are. */
export function roundSignificant(value: number, digits = 4): number {
  if (!Number.isFinite(value) || value === 0) return value
  const p = 10 ** (digits - 1 - Math.floor(Math.log10(Math.abs(value))))
  return Math.round(value * p) / p
}
