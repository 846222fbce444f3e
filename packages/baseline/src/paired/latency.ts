/**
 * Latency, candidate against control, window by window: for each step,
 * statistic and phase the paired log-ratios d_i = ln(candidate_i / control_i)
 * over the windows where both sides timed enough requests (consecutive
 * windows merged into blocks for a step too sparse for one), their mean, a
 * standard error that respects autocorrelation (Newey–West), and a one-sided
 * t-test of H0: ratio ≤ 1 + tolerance. A machine effect (a neighbour, a CPU
 * hog) moves both sides of a window together and cancels in d_i; what is left
 * is the side difference plus each side's own window noise.
 *
 * The same for every step together (the mean over steps of each window's
 * typical-latency log-ratio, on blocks of a few windows where the steps are
 * sparse, as probes in a quiet phase are): one reserved primary check per
 * phase, which sees a uniform slowdown that no single step's noisier check
 * is sure of. And the drift of that all-steps ratio within a phase (the
 * candidate slowing down relative to the control as the soak goes on).
 */
import type { Finding, FindingStatus, RunRecord, SeriesRecord } from '@steady/record'
import { normalQuantile, tQuantile, tSf } from '@steady/kernel'
import { slopeStandardError, theilSen, type Point } from '../stats/trend.ts'
import { isStepSeries, namedPrimary, type JudgeContext } from '../judge/context.ts'
import { primaryStepSeries } from '../judge/checks/levels.ts'
import { pval, r4, seriesLabel, type Check } from '../judge/check.ts'
import type { LevelStat } from '../summary.ts'
import type { TrendPhase } from '../trends.ts'
import type { BaselineEntry } from '../store.ts'
import { mean as meanOf } from '@steady/kernel'
import { neweyWestMeanSe } from './stats.ts'
import { allStepsFloor, stepFloor, type NoiseFloor } from './calibration.ts'
import type { SeriesPair } from './pairs.ts'
import { allStepsBlocks, stepRatios, type ValueCache, type WindowFrame } from './blocks.ts'

/**
 * Timed values a window (or block of windows) needs on each side before its quantile is compared: two values
 * above the quantile, so that a p95 is not simply the largest value. Equal counts on both sides bias both
 * quantiles alike, so the ratio stays fair even where the estimate is rough.
 */
const MIN_WINDOW_VALUES: Record<LevelStat, number> = { p50: 10, p95: 40, p99: 200 }

/** Paired windows a check needs to be judged at all (a standard error from fewer is mostly noise). */
export const MIN_PAIRED_WINDOWS = 8

/** What the paired checks share: the candidate side as a judge context, the phases and the saturated windows. */
export interface PairedContext {
  /** The candidate side as an ordinary record and summary (objectives, working, primary steps). */
  candidate: JudgeContext
  /** The whole paired run (both sides). */
  record: RunRecord
  pairs: SeriesPair[]
  phases: TrendPhase[]
  windowMs: number
  saturated: ReadonlySet<number>
  /** Values of sparse windows, decoded once for this judgement. */
  values: ValueCache
  /** A/A paired runs of a history baseline, comparable with this run: their spread is each check's noise floor. */
  calibration: readonly BaselineEntry[]
}

/** A paired difference: its windows, mean, standard error and the one-sided test against a tolerance. */
interface PairedTest {
  n: number
  higher: number
  mean: number
  se: number
  bandwidth: number
  p: number
  /** Degrees of freedom of the test (n − 1; the A/A runs' count − 1 when their spread is the floor). */
  df: number
  /** The A/A runs' spread, when it was larger than the within-run error and replaced it. */
  floor?: NoiseFloor
  /** Windows per compared block, when sparse steps had windows merged. */
  block?: number
}

/** The one-sided test of H0: mean ≤ threshold on per-window differences (t with n − 1 degrees of freedom). */
function pairedTest(d: readonly number[], threshold: number): PairedTest {
  const n = d.length
  const mean = meanOf(d)
  const { se, bandwidth } = neweyWestMeanSe(d)
  const higher = d.filter((x) => x > 0).length
  let p: number
  if (n < 2) p = 1
  else if (!(se > 0)) p = mean > threshold ? 0 : 1
  else p = tSf((mean - threshold) / se, n - 1)
  return { n, higher, mean, se, bandwidth, p, df: Math.max(1, n - 1) }
}

/**
 * The same test with the A/A runs' spread as the noise floor: when the side difference varies between runs
 * more than the window noise says, that spread is the error. Its excess over the run's own error, τ² =
 * sd² − se², is the between-run part; the degrees of freedom follow Welch–Satterthwaite, so a spread
 * barely above the run's own error (a few A/A runs estimating the same window noise) keeps the run's
 * degrees of freedom, and one far above it gets the A/A runs' count − 1.
 */
function withFloor(t: PairedTest, threshold: number, floor: NoiseFloor | undefined): PairedTest {
  if (!floor || !(floor.sd > t.se) || t.n < 2) return t
  const within = t.se ** 2
  const between = floor.sd ** 2 - within
  const df = Math.max(1, floor.sd ** 4 / (within ** 2 / t.df + between ** 2 / Math.max(1, floor.runs - 1)))
  return { ...t, se: floor.sd, df, floor, p: tSf((t.mean - threshold) / floor.sd, df) }
}

function stepLabel(pair: SeriesPair): string {
  return seriesLabel(pair.tags, pair.candidate.source, pair.candidate.name)
}

/**
 * Power of a paired check: the smallest ratio it sees 19 times in 20 at level α is (1 + tolerance)·
 * e^{se·(q_{1−α} + q_{0.95})}; the run could not see a change of the tolerance when the noise alone is as
 * large as the tolerance (e^{se·(q_{1−α} + q_{0.95})} − 1 > tolerance).
 */
function powerOf(check: Check, t: PairedTest, tol: number): void {
  check.power = (alphaEach, alphaTest) => {
    const df = t.df
    const reach = (a: number) => Math.exp(t.se * (tQuantile(1 - a, df) + normalQuantile(0.95)))
    check.finding.detectable = r4((1 + tol) * reach(alphaEach) - 1)
    if (reach(alphaTest) - 1 > tol) {
      check.notJudged = `the paired windows vary too much to see a change of ${Math.round(tol * 100)}%`
    }
  }
}

/** `25 windows`, `1 window` or `8 blocks of 3 windows` (`paired` before the first noun with `adjective`). */
function unitsOf(t: PairedTest, n: number, adjective = ''): string {
  const noun = (k: number, one: string, many: string) => `${k} ${adjective}${k === 1 ? one : many}`
  if (!(t.block && t.block > 1)) return noun(n, 'window', 'windows')
  return `${noun(n, 'block', 'blocks')} of ${t.block} windows`
}

function ratioSentence(what: string, phase: string, t: PairedTest, f: Finding): string {
  const ratio = Math.exp(t.mean)
  const windows = `${t.higher} of ${unitsOf(t, t.n)} higher`
  const p = pval(f.pAdjusted ?? t.p)
  const floor = t.floor ? `; noise floor from ${t.floor.runs} A/A paired runs` : ''
  return `the candidate's ${what} was ${ratio.toFixed(2)}× the control's in ${phase} (${windows}); ${p}${floor}`
}

function describer(
  what: string,
  phase: string,
  t: PairedTest,
  f: Finding,
  tol: number,
  min?: number,
): (s: FindingStatus) => string {
  return (status) => {
    if (status === 'not-judged') {
      const enough = min ? `at least ${min} timed requests on each side` : 'enough requests on both sides'
      return t.n < MIN_PAIRED_WINDOWS
        ? `${what} in ${phase}: only ${unitsOf(t, t.n, 'paired ')} with ${enough} (${MIN_PAIRED_WINDOWS} needed); ` +
            'not judged'
        : `${what} in ${phase}: the paired windows vary too much to see a change of ${Math.round(tol * 100)}% ` +
            `(${unitsOf(t, t.n)}); not judged`
    }
    const s = ratioSentence(what, phase, t, f)
    return status === 'pass' ? `${s}; within the tolerance of ${Math.round(tol * 100)}%` : s
  }
}

/** One step × statistic × phase check. */
function stepCheck(ctx: PairedContext, pair: SeriesPair, phase: TrendPhase, stat: LevelStat): Check {
  const gate = ctx.candidate.gate
  const kind = stat === 'p99' ? 'tail' : 'level'
  const tol = kind === 'tail' ? gate.tolerance.tail : gate.tolerance.level
  const { ratios: d, length } = stepRatios(pair, frameOf(ctx, phase), stat, MIN_WINDOW_VALUES[stat])
  const threshold = Math.log(1 + tol)
  const floor = stepFloor(ctx.calibration, pair, phase.name, stat)
  const t = withFloor(
    pairedTest(
      d.map((p) => p.d),
      threshold,
    ),
    threshold,
    floor,
  )
  t.block = length
  const candidateValue = pair.candidate.phases[phase.name]?.[stat]
  const controlValue = pair.control.phases[phase.name]?.[stat]
  const step = primaryStepSeries(ctx.candidate, pair.candidate, phase.name)
  const counting = ctx.candidate.primaryPhases.has(phase.name)
  // As in the history judge, a step's median gates beside its p95: a slower route moves its median with far
  // less noise, and in a short phase a sparse step's p95 may have too few blocks to be judged at all.
  const primary = (step && counting) || namedPrimary(gate, kind, stat, pair.key)
  const finding: Finding = {
    id: `${kind}:${stat}:${pair.key}@${phase.name}`,
    kind,
    question: 'stable',
    status: 'pass',
    primary,
    series: pair.key,
    phase: phase.name,
    stat,
    unit: 'ms',
    changeKind: 'relative',
    tolerance: tol,
    method: 'paired log-ratio, Newey–West',
    evidence: { windows: t.n, higher: t.higher, se: r4(t.se), bandwidth: t.bandwidth },
    message: '',
  }
  if (t.block && t.block > 1) finding.evidence!.windowsPerBlock = t.block
  if (t.floor) finding.evidence!.calibrationRuns = t.floor.runs
  if (pair.tags.scenario) finding.scenario = pair.tags.scenario
  if (pair.tags.name) finding.step = pair.tags.name
  if (controlValue !== undefined) finding.baseline = controlValue
  if (candidateValue !== undefined) finding.current = candidateValue
  if (t.n) finding.change = r4(Math.exp(t.mean) - 1)
  if (t.n >= 2 && t.se > 0) {
    finding.interval = [r4(Math.exp(t.mean - 1.96 * t.se) - 1), r4(Math.exp(t.mean + 1.96 * t.se) - 1)]
  }
  const bothKnown = candidateValue !== undefined && controlValue !== undefined
  const absolute = bothKnown ? candidateValue - controlValue : Number.POSITIVE_INFINITY
  const check: Check = {
    finding,
    p: t.p,
    beyondTolerance: Math.exp(t.mean) - 1 > tol && absolute > gate.tolerance.levelMs,
    severity: { change: Math.exp(t.mean) - 1, tolerance: tol },
    thin: t.n < MIN_PAIRED_WINDOWS,
  }
  if (!check.thin) powerOf(check, t, tol)
  check.describe = describer(`${stat} of ${stepLabel(pair)}`, phase.name, t, finding, tol, MIN_WINDOW_VALUES[stat])
  return check
}

/** Each step's paired checks (p50, p95, p99 in every phase); the all-steps ratio and its drift per counting phase. */
export function pairedLatencyChecks(ctx: PairedContext): Check[] {
  const steps = ctx.pairs.filter((p) => isStepSeries(p.candidate))
  const checks: Check[] = []
  for (const phase of ctx.phases) {
    for (const pair of steps) {
      // A step that never ran in the phase (a load step in the quiet phase) has nothing to compare.
      const ran = (s: SeriesRecord) => (s.phases[phase.name]?.count ?? 0) > 0
      if (!ran(pair.candidate) && !ran(pair.control)) continue
      for (const stat of ['p50', 'p95', 'p99'] as LevelStat[]) checks.push(stepCheck(ctx, pair, phase, stat))
    }
    if (ctx.candidate.primaryPhases.has(phase.name)) checks.push(...allStepsChecks(ctx, steps, phase))
  }
  checks.push(...degradationChecks(ctx, steps))
  return checks
}

/**
 * Degradation under load: how much more the candidate slows under load than the control does. Per loaded
 * phase, the all-steps log-ratio there minus the one in the quiet phases (the candidate's loaded/quiet ratio
 * over the control's), tested one-sided against the gate's `loadLatency` tolerance; the two means come from
 * different windows, so their Newey–West variances add.
 */
function degradationChecks(ctx: PairedContext, steps: SeriesPair[]): Check[] {
  const loaded = ctx.phases.filter((p) => ctx.candidate.loadedPhases.has(p.name))
  const quiet = ctx.phases.filter((p) => !ctx.candidate.loadedPhases.has(p.name))
  if (!loaded.length || !quiet.length) return []
  const q = quiet.flatMap((p) => allStepsRatios(ctx, steps, p).points.map((x) => x.y))
  const tol = ctx.candidate.gate.tolerance.loadLatency
  const quietName = quiet.map((p) => p.name).join(', ')
  return loaded.map((phase): Check => {
    const l = allStepsRatios(ctx, steps, phase).points.map((x) => x.y)
    const tl = pairedTest(l, 0)
    const tq = pairedTest(q, 0)
    const diff = tl.mean - tq.mean
    const se = Math.sqrt(tl.se ** 2 + tq.se ** 2)
    const n = Math.min(tl.n, tq.n)
    let p = 1
    if (n >= 2 && se > 0) p = tSf((diff - Math.log(1 + tol)) / se, n - 1)
    const change = Math.exp(diff) - 1
    const finding: Finding = {
      id: `load-latency:all-steps@${phase.name}`,
      kind: 'load-latency',
      question: 'stable',
      status: 'pass',
      primary: true,
      series: 'all steps',
      phase: phase.name,
      stat: 'p50',
      changeKind: 'relative',
      tolerance: tol,
      method: 'paired all-steps log-ratio, loaded minus quiet, Newey–West',
      evidence: { loadedWindows: tl.n, quietWindows: tq.n, quiet: quietName },
      message: '',
    }
    if (Number.isFinite(change)) finding.change = r4(change)
    const ratio = Number.isFinite(change) ? (1 + change).toFixed(2) : '–'
    return {
      finding,
      p,
      beyondTolerance: change > tol,
      severity: { change, tolerance: tol },
      thin: n < MIN_PAIRED_WINDOWS,
      describe: (status) =>
        status === 'not-judged'
          ? `degradation under load in ${phase.name}: too few paired windows (${tl.n} loaded, ${tq.n} quiet); ` +
            'not judged'
          : `under load the candidate slowed ${ratio}× as much as the control (${phase.name} against ${quietName}); ` +
            pval(finding.pAdjusted ?? p),
    }
  })
}

/** Per block of windows, the mean over steps of the typical-latency log-ratio (see allStepsBlocks). */
function allStepsRatios(
  ctx: PairedContext,
  steps: SeriesPair[],
  phase: TrendPhase,
): { points: Point[]; used: number; length: number } {
  return allStepsBlocks(steps, frameOf(ctx, phase), MIN_PAIRED_WINDOWS)
}

function frameOf(ctx: PairedContext, phase: TrendPhase): WindowFrame {
  return { phase, windowMs: ctx.windowMs, saturated: ctx.saturated, values: ctx.values }
}

function allStepsChecks(ctx: PairedContext, all: SeriesPair[], phase: TrendPhase): Check[] {
  const gate = ctx.candidate.gate
  // Each step once: its main series in the phase (the load's when loaded, else the probe's).
  const steps = all.filter((p) => primaryStepSeries(ctx.candidate, p.candidate, phase.name))
  const { points, used, length } = allStepsRatios(ctx, steps, phase)
  if (used < 2) return []
  const tol = gate.tolerance.level
  const threshold = Math.log(1 + tol)
  const floor = allStepsFloor(ctx.calibration, steps, phase.name)
  const t = withFloor(
    pairedTest(
      points.map((p) => p.y),
      threshold,
    ),
    threshold,
    floor,
  )
  t.block = length
  const what = `typical latency (p50) over all ${used} steps`
  const finding: Finding = {
    id: `level:all-steps@${phase.name}`,
    kind: 'level',
    question: 'stable',
    status: 'pass',
    primary: true,
    series: 'all steps',
    phase: phase.name,
    stat: 'p50',
    changeKind: 'relative',
    tolerance: tol,
    method: 'paired log-ratio over all steps, Newey–West',
    evidence: { windows: t.n, higher: t.higher, steps: used, se: r4(t.se), bandwidth: t.bandwidth },
    message: '',
  }
  if (t.n) finding.change = r4(Math.exp(t.mean) - 1)
  if (t.floor) finding.evidence!.calibrationRuns = t.floor.runs
  if (length > 1) finding.evidence!.windowsPerBlock = length
  const check: Check = {
    finding,
    p: t.p,
    reserved: true,
    beyondTolerance: Math.exp(t.mean) - 1 > tol,
    severity: { change: Math.exp(t.mean) - 1, tolerance: tol },
    thin: t.n < MIN_PAIRED_WINDOWS,
  }
  if (!check.thin) powerOf(check, t, tol)
  check.describe = describer(what, phase.name, t, finding, tol)
  return [check, driftCheck(ctx, points, phase)]
}

/**
 * Drift of the side difference within a phase: the Theil–Sen slope of the all-steps log-ratio and its
 * Newey–West standard error; H0: the ratio grows by at most the drift tolerance over the judged span.
 */
function driftCheck(ctx: PairedContext, points: Point[], phase: TrendPhase): Check {
  const gate = ctx.candidate.gate
  const tol = gate.tolerance.drift
  const n = points.length
  const span = n ? points[n - 1].x - points[0].x : 0
  const slope = n >= 4 ? theilSen([points]) : Number.NaN
  const se = n >= 4 ? slopeStandardError([points]) : Number.NaN
  const change = Math.exp(slope * span) - 1
  let p = 1
  if (Number.isFinite(slope) && se > 0 && span > 0) {
    p = tSf((slope * span - Math.log(1 + tol)) / (se * span), Math.max(1, n - 2))
  }
  const finding: Finding = {
    id: `drift:all-steps@${phase.name}`,
    kind: 'drift',
    question: 'stable',
    status: 'pass',
    primary: ctx.candidate.loadedPhases.has(phase.name),
    series: 'all steps',
    phase: phase.name,
    stat: 'p50',
    changeKind: 'relative',
    tolerance: tol,
    method: 'trend of the paired all-steps log-ratio, Newey–West',
    evidence: { windows: n },
    message: '',
  }
  if (Number.isFinite(change)) finding.change = r4(change)
  const shown = Number.isFinite(change) ? `${(change * 100).toFixed(1)}%` : '–'
  return {
    finding,
    p,
    beyondTolerance: change > tol,
    severity: { change, tolerance: tol },
    thin: n < MIN_PAIRED_WINDOWS * 2,
    describe: (status) =>
      status === 'not-judged'
        ? `drift of the side difference in ${phase.name}: only ${n} paired windows; not judged`
        : `the candidate's latency relative to the control's changed by ${shown} over ${phase.name}; ` +
          pval(finding.pAdjusted ?? p),
  }
}
