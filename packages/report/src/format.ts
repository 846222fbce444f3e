/**
 * Numbers as people read them in the report: latencies in ms, memory in
 * MB, rates per second, shares in percent, times as offsets into the run.
 */

/** Units the report displays; values of a series are converted into one of these. */
export type DisplayUnit = 'ms' | 'bytes' | 'rate' | 'ratio' | 'count' | 'percent'

/** Up to `digits` significant digits, without trailing zeros (1234 → "1,234", 0.01234 → "0.0123"). */
export function num(value: number | undefined | null, digits = 3): string {
  if (value === undefined || value === null || !Number.isFinite(value)) return '–'
  if (value === 0) return '0'
  const abs = Math.abs(value)
  if (abs >= 10 ** digits) return Math.round(value).toLocaleString('en-US')
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(abs)))
  return Number(value.toFixed(Math.min(decimals, 6))).toLocaleString('en-US', { maximumFractionDigits: 6 })
}

/** A latency in ms with a unit that fits (850µs, 12.3ms, 1.42s). */
export function ms(value: number | undefined | null): string {
  if (value === undefined || value === null || !Number.isFinite(value)) return '–'
  if (Math.abs(value) < 1 && value !== 0) return `${num(value * 1000)}µs`
  if (Math.abs(value) >= 10_000) return `${num(value / 1000)}s`
  return `${num(value)}ms`
}

/** Bytes in binary units (38.2 MB). */
function bytes(value: number | undefined | null): string {
  if (value === undefined || value === null || !Number.isFinite(value)) return '–'
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let v = value
  let u = 0
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return `${num(v)} ${units[u]}`
}

/** A share 0..1 as a percentage (99.2%); tiny non-zero shares keep their digits (0.083%). */
export function pct(share: number | undefined | null, digits = 3): string {
  if (share === undefined || share === null || !Number.isFinite(share)) return '–'
  if (share === 1) return '100%'
  if (share === 0) return '0%'
  return `${num(share * 100, digits)}%`
}

/** A relative change (new/old − 1) with its sign: +12.4%, −3.1%. */
export function change(ratio: number | undefined | null): string {
  if (ratio === undefined || ratio === null || !Number.isFinite(ratio)) return '–'
  const p = ratio * 100
  const sign = p > 0 ? '+' : p < 0 ? '−' : '±'
  return `${sign}${num(Math.abs(p), 2)}%`
}

/** A value in a display unit. */
export function inUnit(value: number | undefined | null, unit: DisplayUnit | string): string {
  switch (unit) {
    case 'ms':
      return ms(value)
    case 'bytes':
      return bytes(value)
    case 'rate':
      return `${num(value)}/s`
    case 'ratio':
    case 'percent':
      return pct(value)
    default:
      return num(value)
  }
}

/** An offset into the run: 0:00, 12:30, 1:02:05. */
export function offset(msValue: number): string {
  const total = Math.max(0, Math.round(msValue / 1000))
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  const mm = h ? String(m).padStart(2, '0') : String(m)
  return `${h ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`
}

/** A length of time in words people use: 45s, 12m 30s, 1h 2m. */
export function span(msValue: number): string {
  if (!Number.isFinite(msValue)) return '–'
  if (msValue < 1000) return `${Math.round(msValue)}ms`
  const total = Math.round(msValue / 1000)
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  if (h) return `${h}h${m ? ` ${m}m` : ''}`
  if (m) return `${m}m${s ? ` ${s}s` : ''}`
  return `${s}s`
}

/** A wall-clock ISO time as `2026-11-26 06:00:00 UTC`. */
export function wallClock(iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC')
}

/** `n thing` / `n things`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`
}
