/** What every check is built from: the worse direction, a relative change, numbers safe for JSON. */
import type { IndicatorDefinition } from '../types.ts'
import type { HealthCheck } from './types.ts'

/** +1 when higher is worse, −1 when lower is. */
export function worseSign(indicator: IndicatorDefinition): 1 | -1 {
  return indicator.better === 'lower' ? 1 : -1
}

/** |x − base| / |base|; infinite when the base is 0 and x is not. */
export function relChange(x: number, base: number): number {
  if (base === 0) return x === 0 ? 0 : Number.POSITIVE_INFINITY
  return Math.abs(x - base) / Math.abs(base)
}

/** A number JSON can hold: ±∞ becomes ±Number.MAX_VALUE. */
export function finite(v: number): number {
  return Number.isFinite(v) ? v : v > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE
}

/** A check that could not be judged. */
export function unknownCheck(
  name: HealthCheck['name'],
  reason: string,
  numbers: Record<string, number> = {},
): HealthCheck {
  return { name, state: 'unknown', reason, numbers }
}
