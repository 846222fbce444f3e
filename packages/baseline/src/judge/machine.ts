/**
 * Was the machine busier during this run than during every baseline run?
 *
 * The checks that compare a whole run with whole runs (the service-wide
 * shift and tail) cannot tell a slower version from a busier machine: both
 * move every step at once. The load generator measures the machine without
 * depending on the service: how late it started iterations that an
 * arrival-rate schedule asked for (`generator/start_lateness`) rises when the
 * CPU is shared with other work, not when the service answers slowly. A run
 * whose lateness is far beyond the baseline runs' — by the rule that refuses
 * a far noisier run as a baseline run (four robust standard deviations and at
 * least twice the usual) — is compared with runs made on a quieter machine:
 * a whole-run change past the tolerance is then inconclusive, not a failure.
 * A regression that burns CPU also makes the generator late; it is then
 * inconclusive too, which never passes a gate.
 */
import { median, scaledMad } from '../stats/robust.ts'
import { SPREAD_RULE } from '../screen-run.ts'
import type { RunSummary } from '../summary.ts'
import type { JudgeContext } from './context.ts'
import { ms, r4, type Check } from './check.ts'

const LATENESS = 'generator/start_lateness'

/** A run's generator start lateness: its largest p95 over the phases that count, as ln(1 + ms). */
function latenessOf(summary: Pick<RunSummary, 'series'>, phases: readonly string[]): number | undefined {
  const values = phases
    .map((ph) => summary.series[LATENESS]?.phases[ph]?.p95)
    .filter((v): v is number => v !== undefined && Number.isFinite(v))
  return values.length ? Math.log1p(Math.max(...values)) : undefined
}

export interface BusierMachine {
  /** The run's start lateness p95 (ms). */
  currentMs: number
  /** The baseline runs' median of it (ms). */
  baselineMs: number
}

const cache = new WeakMap<JudgeContext, BusierMachine | null>()

/** The run's and the baseline's generator lateness when the run's is far beyond the baseline runs'. */
export function busierMachine(ctx: JudgeContext): BusierMachine | undefined {
  if (cache.has(ctx)) return cache.get(ctx) ?? undefined
  const phases = [...ctx.primaryPhases]
  const current = latenessOf(ctx.current, phases)
  const base = ctx.rolling
    .map((r) => (r.summary ? latenessOf(r.summary, phases) : undefined))
    .filter((v): v is number => v !== undefined)
  let out: BusierMachine | undefined
  if (current !== undefined && base.length >= SPREAD_RULE.minRuns) {
    const centre = median(base)
    const excess = current - centre
    if (excess > SPREAD_RULE.mads * scaledMad(base) && excess > Math.log(SPREAD_RULE.minRatio)) {
      out = { currentMs: Math.expm1(current), baselineMs: Math.expm1(centre) }
    }
  }
  cache.set(ctx, out ?? null)
  return out
}

/**
 * A whole-run check past its tolerance on a far busier machine is inconclusive: marks it so, with both
 * lateness figures in its evidence, and returns what its sentence needs (undefined when it stands).
 */
export function inconclusiveWhenBusier(ctx: JudgeContext, check: Check, beyond: boolean): BusierMachine | undefined {
  const busy = beyond ? busierMachine(ctx) : undefined
  if (busy) {
    check.decided = 'inconclusive'
    const f = check.finding
    f.evidence = { ...f.evidence, generatorLatenessMs: r4(busy.currentMs), baselineLatenessMs: r4(busy.baselineMs) }
  }
  return busy
}

/** The sentence a whole-run check adds when it is inconclusive for a busier machine. */
export function busierSentence(b: BusierMachine): string {
  return (
    `but the machine was far busier than in the baseline runs (the load generator started iterations ` +
    `${ms(b.currentMs)} late at p95, the baseline runs ${ms(b.baselineMs)}): a slower version and a busier ` +
    'machine look alike here, so this is inconclusive'
  )
}
