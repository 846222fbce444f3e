/**
 * A check: one judged question about one series (or scenario) that becomes a
 * finding. Checks with a p-value join a Holm family (primary or secondary);
 * the verdict decides each one's status once the whole family is known.
 */
import type { Finding, FindingStatus, Severity } from '@steady/record'

export interface Check {
  finding: Finding
  /** One-sided p-value of "no change" (already combined over views); absent for rule-based checks. */
  p?: number
  /** The change passes the gate's tolerance (and every other floor): a significant p makes it a failure. */
  beyondTolerance?: boolean
  /** The run could not have detected a change of the tolerance. */
  notJudged?: string
  /**
   * Too few values to judge at all (a p95 of 50 requests): decided not judged
   * before any p-value is read, and kept out of every family, so a short run's
   * thin checks do not dilute the ones it can judge.
   */
  thin?: boolean
  /**
   * A check that gets its own share of the family's α rather than one among dozens: the service-wide
   * shift of every step at once, which a slower machine can only be told from by the baseline runs'
   * spread. The reserved checks share {@link RESERVED_ALPHA_SHARE} of α (weighted Holm), the others the rest.
   */
  reserved?: boolean
  /** Rule-based checks decide their own status. */
  decided?: FindingStatus
  /** For the severity: how far past the tolerance the change is. */
  severity?: { change: number; tolerance: number } | Severity
  /**
   * Fills in the smallest detectable change once the family size is known
   * (`alphaEach`: the gate's α shared over the family, as Bonferroni would),
   * and marks the check not judged when the run alone could not see a change
   * of the tolerance even at the per-test level `alphaTest` (too few values,
   * too short): that is about the data, not about how many tests the gate runs.
   */
  power?: (alphaEach: number, alphaTest: number) => void
  /** The sentence for the finding, once its status is known. */
  describe?: (status: FindingStatus) => string
}

/** Whether a finding of this status reads as a failure (failed, or failed but accepted or muted). */
export function failedOrExempt(status: FindingStatus): boolean {
  return status === 'fail' || status === 'accepted' || status === 'muted'
}

/** The share of a family's α the reserved checks get together (weighted Holm); the rest is shared by the others. */
const RESERVED_ALPHA_SHARE = 0.5

/**
 * Each check's weight in its family's weighted Holm correction (summing to 1). The whole-service checks
 * (every step at once, which only the baseline runs' spread tells from a slower machine) share
 * {@link RESERVED_ALPHA_SHARE}; the rest goes to the other questions, a kind of check each (step levels,
 * tails, failure rates, drifts, memory, ...), equally, and within a question equally to its checks. A run
 * with many steps then spends more tests on step levels without taking α from its failure rates or its
 * memory. The family-wise error stays at α whatever the weights.
 */
export function alphaWeights(checks: readonly Check[]): number[] {
  const counts = new Map<string, number>()
  for (const c of checks) if (!c.reserved) counts.set(c.finding.kind, (counts.get(c.finding.kind) ?? 0) + 1)
  const reserved = checks.length - [...counts.values()].reduce((a, b) => a + b, 0)
  const share = reserved && counts.size ? RESERVED_ALPHA_SHARE : counts.size ? 0 : 1
  return checks.map((c) => (c.reserved ? share / reserved : (1 - share) / (counts.size * counts.get(c.finding.kind)!)))
}

/** Milliseconds as people read them: `0.85 ms`, `12.3 ms`, `230 ms`, `1.24 s`. */
export function ms(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '–'
  if (v >= 1000) return `${(v / 1000).toFixed(v >= 10_000 ? 1 : 2)} s`
  if (v >= 100) return `${Math.round(v)} ms`
  if (v >= 10) return `${v.toFixed(1)} ms`
  return `${v.toFixed(2)} ms`
}

/** A relative change with its sign: `+15%`, `−3.2%`. */
export function pct(change: number | undefined): string {
  if (change === undefined || !Number.isFinite(change)) return '–'
  const v = change * 100
  const abs = Math.abs(v)
  const digits = abs >= 10 ? 0 : 1
  return `${v >= 0 ? '+' : '−'}${abs.toFixed(digits)}%`
}

/** Bytes as people read them, with the sign of a change: `512 KiB`, `−3.2 MiB`, `1.25 GiB`. */
export function bytes(v: number): string {
  const a = Math.abs(v)
  const MiB = 1024 * 1024
  const sign = v < 0 ? '−' : ''
  return (
    sign +
    (a >= 1024 * MiB
      ? `${(a / 1024 / MiB).toFixed(2)} GiB`
      : a >= MiB
        ? `${(a / MiB).toFixed(1)} MiB`
        : `${(a / 1024).toFixed(0)} KiB`)
  )
}

/** A rate as a percentage: `0.25%`. */
export function rate(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '–'
  const p = v * 100
  return `${p >= 10 ? p.toFixed(1) : p >= 1 ? p.toFixed(2) : p.toFixed(3).replace(/0+$/, '').replace(/\.$/, '.0')}%`
}

/** A difference of rates in percentage points: `+0.50 pp`. */
export function pp(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '–'
  return `${v >= 0 ? '+' : '−'}${Math.abs(v * 100).toFixed(2)} pp`
}

/** A p-value: `p = 0.0004`, `p < 1e-6`. */
export function pval(p: number | undefined): string {
  if (p === undefined || !Number.isFinite(p)) return 'p = –'
  if (p < 1e-6) return 'p < 1e-6'
  if (p < 0.001) return `p = ${p.toExponential(1)}`
  return `p = ${p.toFixed(p < 0.01 ? 4 : 3)}`
}

/** A time since the run started: `2m05s`. */
export function at(msSinceStart: number): string {
  const s = Math.max(0, Math.floor(msSinceStart / 1000))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const sec = s % 60
  return h
    ? `${h}h${String(m).padStart(2, '0')}m${String(sec).padStart(2, '0')}s`
    : `${m}m${String(sec).padStart(2, '0')}s`
}

/** Rounds for JSON: 4 significant digits. */
export function r4(v: number): number {
  if (!Number.isFinite(v) || v === 0) return v
  const p = 10 ** (3 - Math.floor(Math.log10(Math.abs(v))))
  return Math.round(v * p) / p
}

/** How a series is named for people: `checkout › login (probe)`. */
export function seriesLabel(tags: Record<string, string>, source: string, name: string): string {
  const step = tags.name
  const scenario = tags.scenario
  // The load tags its series with its load profile (nominal, peak), not a probe scenario: say so when it is
  // all there is.
  if (!step && scenario && source === 'load')
    return `load profile ${scenario}${name === 'http_req_duration' ? '' : ` ${name}`}`
  const where = [scenario, step].filter(Boolean).join(' › ')
  if (where) return `${where} (${source}${name === 'http_req_duration' ? '' : ` ${name}`})`
  return `${source}/${name}`
}
