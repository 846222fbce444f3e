/**
 * Level (p50, p95) and tail (p99, p99/p50) findings for every latency series
 * and phase, against the baseline runs.
 *
 * Each check looks through up to three views and takes the most telling one
 * (Bonferroni within the check, Holm across the family):
 * - absolute: this run's value against the baseline runs' spread;
 * - relative to the run's other steps: run-to-run effects (a slower machine,
 *   a noisy neighbour) move every step of a run together, so a step's value
 *   minus the run's common shift (the median over the phase's steps) has a
 *   much smaller spread. It finds one step getting slower; a change of every
 *   step at once is left to the absolute view, which then states how large a
 *   change it could have seen;
 * - for tails, the p99/p50 ratio (a spread increase with an unchanged median).
 */
import type { Finding, SeriesRecord } from '@steady/record'
import { median, scaledMad } from '../../stats/robust.ts'
import { normalQuantile, tQuantile, tSf } from '@steady/kernel'
import {
  blockBootstrap,
  bootstrapDetectable,
  detectableRise,
  pooledPrior,
  predict,
  type Prediction,
  type SpreadPrior,
} from '../predict.ts'
import {
  blockLength,
  blockMeans,
  windowLogs,
  windowsIn,
  type LevelStat,
  type SeriesPhaseSummary,
} from '../../summary.ts'
import type { BaselineEntry } from '../../store.ts'
import { isFailedResponses, isStepSeries, namedPrimary, type Check, type JudgeContext } from '../context.ts'
import { failedOrExempt, ms, pct, pval, r4, seriesLabel } from '../check.ts'
import { busierSentence, inconclusiveWhenBusier } from '../machine.ts'

const statIndex: Record<LevelStat, 0 | 1 | 2> = { p50: 0, p95: 1, p99: 2 }
/**
 * A quantile needs at least this many values above it to be judged: with
 * fewer, its run-to-run distribution is too skewed (one GC pause moves it) for
 * a log-scale prediction interval. A p95 needs 200 values, a p99 1,000.
 */
const valuesAboveQuantile = 10
const tailQ: Record<LevelStat, number> = { p50: 0.5, p95: 0.05, p99: 0.01 }

function logOf(ps: SeriesPhaseSummary | undefined, stat: LevelStat): number | undefined {
  const v = ps?.[stat]
  return v === undefined || !(v > 0) ? undefined : Math.log(v)
}

function phaseOf(run: BaselineEntry, key: string, phase: string): SeriesPhaseSummary | undefined {
  return run.summary?.series[key]?.phases[phase]
}

interface Group {
  /** Each member's baseline median log value (to align series before taking the median shift). */
  centres: Map<string, number>
  /** Step (scenario/step) of each member, so a step's own series are left out of its shift. */
  stepOf: Map<string, string>
  /** The run's common shift, leaving out one step's series; cached per step. */
  shifts: Map<string, { baseline: (number | undefined)[]; current: number | undefined }>
}

/**
 * The run's common shift in one phase and stat: the median over the other
 * steps' series of (log value − that series' baseline median). The tested
 * step is left out, so its own change cannot pull the reference along.
 */
function buildGroup(ctx: JudgeContext, phase: string, stat: LevelStat, members: SeriesRecord[]): Group | undefined {
  if (members.length < 5) return undefined
  const centres = new Map<string, number>()
  const stepOf = new Map<string, string>()
  for (const s of members) {
    const logs = ctx.rolling
      .map((r) => logOf(phaseOf(r, s.key, phase), stat))
      .filter((v): v is number => v !== undefined)
    if (logs.length >= Math.min(ctx.gate.minBaselineRuns, ctx.rolling.length) && logs.length > 0) {
      centres.set(s.key, median(logs))
      stepOf.set(s.key, `${s.tags.scenario ?? ''}/${s.tags.name}`)
    }
  }
  if (centres.size < 5) return undefined
  return { centres, stepOf, shifts: new Map() }
}

function shiftsWithout(ctx: JudgeContext, group: Group, phase: string, stat: LevelStat, step: string) {
  let cached = group.shifts.get(step)
  if (cached) return cached
  const shiftOf = (get: (key: string) => number | undefined) => {
    const d: number[] = []
    for (const [key, c] of group.centres) {
      if (group.stepOf.get(key) === step) continue
      const v = get(key)
      if (v !== undefined) d.push(v - c)
    }
    return d.length >= 4 ? median(d) : undefined
  }
  cached = {
    baseline: ctx.rolling.map((r) => shiftOf((key) => logOf(phaseOf(r, key, phase), stat))),
    current: shiftOf((key) => logOf(ctx.current.series[key]?.phases[phase], stat)),
  }
  group.shifts.set(step, cached)
  return cached
}

const groupCache = new WeakMap<JudgeContext, Map<string, Group | undefined>>()

/**
 * The run's common shift of a statistic in a phase, leaving one step out: per baseline run (in
 * `ctx.rolling`'s order) and for the current run; undefined with fewer than five steps of the source.
 * For checks outside this module that cancel run-to-run effects the same way the level checks do.
 */
export function runShifts(
  ctx: JudgeContext,
  phase: string,
  stat: LevelStat,
  source: string,
  step: string,
): { baseline: (number | undefined)[]; current: number | undefined } | undefined {
  let cache = groupCache.get(ctx)
  if (!cache) groupCache.set(ctx, (cache = new Map()))
  const key = `${phase}|${stat}|${source}`
  if (!cache.has(key)) {
    const members = ctx.record.series.filter(
      (s) => isStepSeries(s) && s.source === source && ctx.current.series[s.key]?.phases[phase]?.p95 !== undefined,
    )
    cache.set(key, buildGroup(ctx, phase, stat, members))
  }
  const group = cache.get(key)
  return group ? shiftsWithout(ctx, group, phase, stat, step) : undefined
}

interface View {
  name: 'absolute' | 'relative to the other steps' | 'p99/p50 ratio' | 'block bootstrap' | 'pinned reference'
  pr?: Prediction
  change: number
  p: number
  baselineMs?: number
  beyond: boolean
  detectable: (alphaEach: number) => number
  /** Detectable change from the current run's own noise only (the power rule). */
  runOnly?: (alphaEach: number) => number
}

type ViewName = 'absolute' | 'relative' | 'ratio'

interface Raw {
  s: SeriesRecord
  phase: string
  stat: LevelStat
  cur: SeriesPhaseSummary
  logs: Partial<Record<ViewName, number[]>>
  curLog: Partial<Record<ViewName, number>>
  se: Partial<Record<ViewName, number>>
  shift?: { current: number; baseline: number }
}

function variance(xs: readonly number[]): number {
  if (xs.length < 2) return 0
  const m = xs.reduce((a, b) => a + b, 0) / xs.length
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1)
}

/** Baseline spreads of sibling steps, by view, phase, stat and source, to moderate each step's own. */
type Pools = Map<string, { key: string; variance: number; mad: number; df: number }[]>

/** Level and tail checks for every latency series and phase. */
export function levelChecks(ctx: JudgeContext): Check[] {
  const checks: Check[] = []
  const latency = latencySeries(ctx)
  const phases = ctx.current.phases.map((p) => p.name)
  const groups = levelGroups(ctx, latency, phases)
  // First pass: every series' baseline logs per view, so sibling steps can lend each other their spread.
  const raws: Raw[] = []
  const pools: Pools = new Map()
  for (const s of latency) {
    for (const phase of phases) {
      const cur = ctx.current.series[s.key]?.phases[phase]
      if (!cur || cur.p95 === undefined) continue
      for (const stat of ['p50', 'p95', 'p99'] as LevelStat[]) {
        const raw: Raw = { s, phase, stat, cur, logs: {}, curLog: {}, se: {} }
        raws.push(raw)
        if (ctx.bootstrap) continue
        fillViews(ctx, raw, groups)
        if (isStepSeries(s)) addToPools(pools, raw)
      }
    }
  }
  // Each source's all-steps shifts by phase, so a loaded phase's finding can say how the others moved.
  const shiftsByPhase = new Map<string, { phase: string; change: number }[]>()
  // Per phase, secondary: the phases of one run share its machine, so they are not pooled into each other's
  // spread; the primary finding is the service-wide shift over the phases that count, below.
  for (const [gk, group] of groups) {
    if (!group) continue
    const [phase, stat, source] = gk.split('|') as [string, LevelStat, string]
    if (stat === 'p50') continue
    const c = shiftCheck(ctx, group, phase, stat, source, shiftsByPhase)
    if (c) checks.push(c)
  }
  for (const source of new Set([...groups.keys()].map((k) => k.split('|')[2]))) {
    const c = serviceShiftCheck(ctx, groups, source)
    if (c) checks.push(c)
  }
  for (const raw of raws) {
    const c = levelCheck(ctx, raw, pools)
    if (c) checks.push(c)
    if (raw.stat === 'p95' && ctx.pinned.length && !ctx.bootstrap) {
      const cc = creepCheck(ctx, raw, pools)
      if (cc) checks.push(cc)
    }
  }
  return checks
}

/**
 * Request latency of steps, and other histograms of the service or the probe; not k6's sub-timings
 * (blocked, connecting, TLS, sending, waiting, receiving: mostly zeros on a local network) nor the load
 * generator's own (judged as start lateness), unless the gate names them.
 */
function latencySeries(ctx: JudgeContext): SeriesRecord[] {
  const subTiming = /^http_req_(blocked|connecting|tls_handshaking|sending|waiting|receiving)$/
  return ctx.record.series.filter(
    (s) =>
      s.kind === 'histogram' &&
      s.source !== 'generator' &&
      !isFailedResponses(s) &&
      (!subTiming.test(s.name) || ctx.gate.primary.some((p) => s.key.includes(p))),
  )
}

/** The steps of each phase, stat and source, as groups whose shared shift the relative view takes out. */
function levelGroups(ctx: JudgeContext, latency: SeriesRecord[], phases: string[]): Map<string, Group | undefined> {
  const groups = new Map<string, Group | undefined>()
  for (const phase of phases) {
    const steps = latency.filter((s) => isStepSeries(s) && ctx.current.series[s.key]?.phases[phase]?.p95 !== undefined)
    for (const stat of ['p50', 'p95', 'p99'] as LevelStat[]) {
      if (ctx.bootstrap || ctx.compare) continue
      // Same-source siblings share their noise (probe and load differ in sample counts); fall back to all steps.
      for (const source of new Set(steps.map((s) => s.source))) {
        const same = steps.filter((s) => s.source === source)
        groups.set(
          `${phase}|${stat}|${source}`,
          buildGroup(ctx, phase, stat, same) ?? buildGroup(ctx, phase, stat, steps),
        )
      }
    }
  }
  return groups
}

/** A level's baseline logs and current log in each view: absolute, relative to its siblings, p99 over p50. */
function fillViews(ctx: JudgeContext, raw: Raw, groups: Map<string, Group | undefined>): void {
  const { s, phase, stat, cur } = raw
  const i = statIndex[stat]
  const seCur = cur.se?.[i] ?? Number.NaN
  raw.logs.absolute = ctx.rolling
    .map((r) => logOf(phaseOf(r, s.key, phase), stat))
    .filter((v): v is number => v !== undefined)
  raw.curLog.absolute = Math.log(cur[stat]!)
  raw.se.absolute = seCur
  const group = isStepSeries(s) ? groups.get(`${phase}|${stat}|${s.source}`) : undefined
  const shifts =
    group && group.centres.has(s.key)
      ? shiftsWithout(ctx, group, phase, stat, `${s.tags.scenario ?? ''}/${s.tags.name}`)
      : undefined
  if (shifts && shifts.current !== undefined) {
    const rel: number[] = []
    ctx.rolling.forEach((r, ri) => {
      const v = logOf(phaseOf(r, s.key, phase), stat)
      const shift = shifts.baseline[ri]
      if (v !== undefined && shift !== undefined) rel.push(v - shift)
    })
    raw.logs.relative = rel
    raw.curLog.relative = raw.curLog.absolute - shifts.current
    raw.se.relative = seCur
    raw.shift = { current: shifts.current, baseline: medianOf(shifts.baseline) }
  }
  if (stat === 'p99' && cur.p50 && cur.p50 > 0) {
    const ratio: number[] = []
    for (const r of ctx.rolling) {
      const ps = phaseOf(r, s.key, phase)
      const a = logOf(ps, 'p99')
      const b = logOf(ps, 'p50')
      if (a !== undefined && b !== undefined) ratio.push(a - b)
    }
    raw.logs.ratio = ratio
    raw.curLog.ratio = raw.curLog.absolute - Math.log(cur.p50)
    raw.se.ratio = Math.hypot(Number.isFinite(seCur) ? seCur : 0, cur.se?.[0] ?? 0)
  }
}

/** A step's baseline spread in each view joins its siblings' pool (same view, phase, stat and source). */
function addToPools(pools: Pools, raw: Raw): void {
  for (const [view, logs] of Object.entries(raw.logs) as [ViewName, number[]][]) {
    const pk = `${view}|${raw.phase}|${raw.stat}|${raw.s.source}`
    let list = pools.get(pk)
    if (!list) pools.set(pk, (list = []))
    list.push({
      key: raw.s.key,
      variance: variance(logs),
      mad: scaledMad(logs) ** 2,
      df: Math.max(0, logs.length - 1),
    })
  }
}

function priorFor(pools: Pools, view: ViewName, raw: Raw): SpreadPrior | undefined {
  if (!isStepSeries(raw.s)) return undefined
  const list = pools.get(`${view}|${raw.phase}|${raw.stat}|${raw.s.source}`)
  if (!list) return undefined
  const own = raw.logs[view]?.length ?? 0
  return pooledPrior(list, raw.s.key, Math.max(1, own - 1))
}

/**
 * The series a step's primary checks use in a phase: the load's when the step
 * was loaded in it (far more values), else the probe's. The other is judged
 * and reported as secondary: one step, one primary check per statistic.
 */
export function primaryStepSeries(ctx: JudgeContext, s: SeriesRecord, phase: string): boolean {
  if (!isStepSeries(s)) return false
  if (s.source === 'load') return true
  // The load tags its series with its own scenario (the profile), so a step is matched by its name.
  return !ctx.record.series.some(
    (x) =>
      x.source === 'load' &&
      isStepSeries(x) &&
      x.tags.name === s.tags.name &&
      ctx.current.series[x.key]?.phases[phase]?.p95 !== undefined,
  )
}

function baseFinding(
  ctx: JudgeContext,
  s: SeriesRecord,
  phase: string,
  stat: string,
  kind: 'level' | 'tail',
  idPrefix: string = kind,
): Finding {
  const step = primaryStepSeries(ctx, s, phase)
  const primaryPhase = ctx.primaryPhases.has(phase)
  // A step's typical latency (p50) gates beside its p95: a slower step moves its median with far less
  // noise than its p95, and step levels share one question's α however many there are (alphaWeights).
  const defaultPrimary = step && primaryPhase && (stat === 'p50' || stat === 'p95' || stat === 'p99')
  const f: Finding = {
    id: `${idPrefix}:${stat}:${s.key}@${phase}`,
    kind,
    question: 'stable',
    status: 'pass',
    primary: defaultPrimary || namedPrimary(ctx.gate, kind, stat, s.key),
    series: s.key,
    phase,
    stat,
    unit: 'ms',
    changeKind: 'relative',
    message: '',
  }
  if (s.tags.scenario) f.scenario = s.tags.scenario
  if (s.tags.name) f.step = s.tags.name
  return f
}

function levelCheck(ctx: JudgeContext, raw: Raw, pools: Pools): Check | undefined {
  const { s, phase, stat, cur } = raw
  const kind = stat === 'p99' ? 'tail' : 'level'
  const tol = kind === 'tail' ? ctx.gate.tolerance.tail : ctx.gate.tolerance.level
  const finding = baseFinding(ctx, s, phase, stat, kind)
  const label = seriesLabel(s.tags, s.source, s.name)
  const i = statIndex[stat]
  const current = cur[stat]!
  finding.current = current
  finding.tolerance = tol
  const seCur = cur.se?.[i] ?? Number.NaN
  const values = cur.n - (cur.failed ?? 0)
  const tooFew = values < valuesAboveQuantile / tailQ[stat]
  const { views, k } = ctx.bootstrap
    ? bootstrapViews(ctx, raw, finding, tol)
    : baselineViews(ctx, raw, finding, pools, tol)
  // One decision view per check: relative to the other steps when the run has enough of them (run-to-run
  // effects cancel), else absolute. The absolute numbers stay in the finding for people; a shift of every
  // step at once is the phase's own "all steps" check. The p99/p50 ratio is evidence, not a second test.
  const absolute = views.find((v) => v.name === 'absolute')
  const relative = views.find((v) => v.name === 'relative to the other steps')
  const decisionViews = relative ? [relative] : views.filter((v) => v.name !== 'p99/p50 ratio')
  if (!views.length) {
    if (!ctx.baselineUsable) return undefined
    finding.status = 'inconclusive'
    finding.message =
      `${label} ${stat} in ${phase}: only ${k} comparable baseline run${k === 1 ? '' : 's'} have this series ` +
      `(needs ${ctx.gate.minBaselineRuns})`
    return { finding, decided: finding.primary ? 'inconclusive' : 'info' }
  }
  finding.evidence = { ...finding.evidence, baselineRuns: k, values }
  const abs = absolute ?? views[0]
  finding.baseline = r4(abs.baselineMs!)
  finding.change = r4(abs.change)
  const m = decisionViews.length
  const past = decisionViews.filter((v) => v.beyond)
  const decisive = (past.length ? past : decisionViews).reduce((a, b) => (b.p < a.p ? b : a))
  const p = Math.min(1, m * decisive.p)
  finding.pValue = r4(p)
  finding.evidence = { ...finding.evidence, decidedBy: decisive.name, decisiveChange: r4(decisive.change) }
  if (decisive.pr)
    finding.method = (decisive.name === 'absolute' ? '' : 'relative to the other steps, ') + intervalMethod(decisive.pr)
  if (decisive.name === 'relative to the other steps' && decisive.pr && raw.shift) {
    // The range the step was expected in given how the other steps moved in this run: the decision's own
    // range, so a value outside it is never reported with a p-value that says nothing changed.
    const k = Math.exp(raw.shift.current)
    finding.interval = [r4(decisive.pr.interval[0] * k), r4(decisive.pr.interval[1] * k)]
  }
  const check: Check = {
    finding,
    p,
    beyondTolerance: past.length > 0,
    severity: { change: decisive.change, tolerance: finding.tolerance! },
  }
  if (tooFew) {
    check.notJudged = `only ${values} values; a ${stat} needs at least ${Math.ceil(valuesAboveQuantile / tailQ[stat])}`
    check.thin = true
  }
  check.power = (alphaEach: number, alphaTest: number) => {
    const a = alphaEach / m
    const detectable = Math.max(finding.tolerance!, Math.min(...decisionViews.map((v) => v.detectable(a))))
    finding.detectable = r4(detectable)
    const runOnly = abs.runOnly ? abs.runOnly(alphaTest) : 0
    if (!check.notJudged && runOnly > finding.tolerance!) {
      check.notJudged = tooNoisySentence(Math.exp(Number.isFinite(seCur) ? seCur : 0) - 1, runOnly)
    }
  }
  check.describe = (status) => describeLevel(finding, label, stat, decisive, status, check.notJudged)
  return check
}

/** 1–2 runs (or two-run compare): a block bootstrap over windows, flagging only changes over twice the tolerance. */
function bootstrapViews(ctx: JudgeContext, raw: Raw, finding: Finding, tol: number): { views: View[]; k: number } {
  const { s, phase } = raw
  const i = statIndex[raw.stat]
  const views: View[] = []
  const runs = ctx.rolling
    .map((r) => phaseOf(r, s.key, phase)?.blocks?.[i])
    .filter((b): b is number[] => Array.isArray(b) && b.length >= 2)
  const logs = windowLogs(
    windowsIn(
      s,
      ctx.current.phases.find((p) => p.name === phase)!,
      ctx.current.windowMs,
    ),
  )[i]
  const curBlocks = blockMeans(logs, blockLength(logs.length))
  if (runs.length && curBlocks.length >= 2) {
    const b = blockBootstrap(curBlocks, runs, finding.id)
    const tol2 = 2 * tol
    finding.tolerance = tol2
    views.push({
      name: 'block bootstrap',
      change: b.change,
      p: b.p,
      baselineMs: b.baseline,
      beyond: b.change > tol2 && b.baseline * b.change > ctx.gate.tolerance.levelMs,
      detectable: (a) => bootstrapDetectable(b, a),
      runOnly: (a) => bootstrapDetectable(b, a),
    })
    finding.interval = [r4(b.interval[0]), r4(b.interval[1])]
    finding.method =
      `block bootstrap over windows (${curBlocks.length} blocks of ${blockLength(logs.length)} windows), ` +
      `${runs.length} baseline run${runs.length > 1 ? 's' : ''}; flags only changes over twice the tolerance`
  }
  return { views, k: runs.length }
}

/** Against the baseline runs: the absolute level, relative to the other steps, and the p99/p50 ratio. */
function baselineViews(ctx: JudgeContext, raw: Raw, finding: Finding, pools: Pools, tol: number) {
  const { s, phase, stat, cur } = raw
  const current = cur[stat]!
  const floor = ctx.gate.noiseFloor[stat]
  const seCur = cur.se?.[statIndex[stat]] ?? Number.NaN
  const views: View[] = []
  const logs = raw.logs.absolute ?? []
  const k = logs.length
  if (k >= ctx.gate.minBaselineRuns) {
    const pr = predict(
      logs,
      raw.curLog.absolute!,
      seCur,
      floor,
      priorFor(pools, 'absolute', raw),
      (cur.windows ?? 2) - 1,
    )
    const baselineMs = Math.exp(pr.centre)
    views.push({
      name: 'absolute',
      pr,
      change: pr.change,
      p: pr.p,
      baselineMs,
      beyond: pr.change > tol && current - baselineMs > ctx.gate.tolerance.levelMs,
      detectable: (a) => detectableRise(pr, a),
      runOnly: (a) => Math.exp(normalQuantile(1 - a) * Math.max(Number.isFinite(seCur) ? seCur : 0, floor)) - 1,
    })
    finding.interval = [r4(pr.interval[0]), r4(pr.interval[1])]
    finding.method = intervalMethod(pr)
    const rel = raw.logs.relative
    if (rel && rel.length >= ctx.gate.minBaselineRuns && raw.shift) {
      const prr = predict(
        rel,
        raw.curLog.relative!,
        seCur,
        floor,
        priorFor(pools, 'relative', raw),
        (cur.windows ?? 2) - 1,
      )
      views.push({
        name: 'relative to the other steps',
        pr: prr,
        change: prr.change,
        p: prr.p,
        baselineMs,
        beyond: prr.change > tol && baselineMs * prr.change > ctx.gate.tolerance.levelMs,
        detectable: (a) => detectableRise(prr, a),
      })
      finding.evidence = {
        ...finding.evidence,
        relativeChange: r4(prr.change),
        runShift: r4(Math.exp(raw.shift.current - raw.shift.baseline) - 1),
        relativeSigma: r4(prr.sigma),
        relativeSigmaFrom: prr.sigmaFrom,
      }
    }
    const ratio = raw.logs.ratio
    if (ratio && ratio.length >= ctx.gate.minBaselineRuns) {
      const prq = predict(ratio, raw.curLog.ratio!, raw.se.ratio ?? Number.NaN, floor, priorFor(pools, 'ratio', raw))
      views.push({
        name: 'p99/p50 ratio',
        pr: prq,
        change: prq.change,
        p: prq.p,
        beyond: prq.change > tol && baselineMs * prq.change > ctx.gate.tolerance.levelMs,
        detectable: (a) => detectableRise(prq, a),
      })
      finding.evidence = {
        ...finding.evidence,
        ratioBaseline: r4(Math.exp(prq.centre)),
        ratioCurrent: r4(current / cur.p50!),
      }
    }
    if (stat === 'p99' && cur.p50) {
      const p50 = ctx.rolling
        .map((r) => logOf(phaseOf(r, s.key, phase), 'p50'))
        .filter((v): v is number => v !== undefined)
      if (p50.length)
        finding.evidence = {
          ...finding.evidence,
          medianChange: r4(Math.exp(Math.log(cur.p50) - p50.reduce((a, b) => a + b, 0) / p50.length) - 1),
        }
    }
  }
  return { views, k }
}

function intervalMethod(pr: Prediction): string {
  return `log-scale prediction interval, t on ${pr.df} df, spread from ${pr.sigmaFrom} (σ = ${r4(pr.sigma)})`
}

function tooNoisySentence(standardError: number, runOnly: number): string {
  return (
    `this run's own windows vary so much (standard error ${pct(standardError)}) ` +
    `that changes below ${pct(runOnly)} are hidden`
  )
}

function medianOf(xs: (number | undefined)[]): number {
  const v = xs.filter((x): x is number => x !== undefined)
  return v.length ? median(v) : 0
}

/**
 * The p-value before and after the family's correction: a value outside its expected range has a small p
 * before it, and "p = 1.000" alone would read as "nothing changed".
 */
function pBoth(f: Finding): string {
  if (f.pAdjusted === undefined || f.pValue === undefined || f.pAdjusted === f.pValue)
    return pval(f.pAdjusted ?? f.pValue)
  return `${pval(f.pValue)}; ${pval(f.pAdjusted)} after the correction for the family`
}

function describeLevel(
  f: Finding,
  label: string,
  stat: string,
  decisive: View,
  status: Finding['status'],
  notJudged: string | undefined,
): string {
  const where = `${label} ${stat} in ${f.phase}`
  const nums = `${ms(f.baseline)} → ${ms(f.current)} (${pct(f.change)})`
  const range = f.interval ? `, expected ${ms(f.interval[0])}–${ms(f.interval[1])}` : ''
  const ev = f.evidence ?? {}
  const relative = decisive.name === 'relative to the other steps'
  const together = `the run's other steps moved ${pct(Number(ev.runShift))} together (judged as one finding)`
  switch (status) {
    case 'fail':
    case 'accepted':
    case 'muted': {
      const what = f.kind === 'tail' ? 'tail latency rose' : 'is slower than the baseline'
      const family = f.primary ? 'the gate' : 'the secondary'
      const p = `${pval(f.pAdjusted ?? f.pValue)} after correction for ${family} family`
      return `${where} ${what}: ${nums}${range}${whySlower(decisive, ev)}; ${p}`
    }
    case 'not-judged': {
      const others = relative ? `; ${together}, relative to them this step changed ${pct(decisive.change)}` : ''
      const why = notJudged ?? 'too little data'
      return `${where} not judged: ${why} (tolerance ${pct(f.tolerance)}); now ${nums}${others}`
    }
    default: {
      const within = `within the tolerance of ${pct(f.tolerance)} or not significant (${pBoth(f)})`
      if (relative) {
        return (
          `${where}: ${nums}; ${together}, so relative to them this step changed ${pct(decisive.change)}${range}, ` +
          `${within}; relative changes from ${pct(f.detectable)} would have been seen`
        )
      }
      return `${where}: ${nums}${range}, ${within}; changes from ${pct(f.detectable)} would have been seen`
    }
  }
}

/** What the decisive view adds to a failing level's sentence. */
function whySlower(decisive: View, ev: NonNullable<Finding['evidence']>): string {
  if (decisive.name === 'relative to the other steps')
    return (
      `; the run's other steps moved ${pct(Number(ev.runShift))}, ` +
      `so this step alone is ${pct(decisive.change)} slower`
    )
  if (decisive.name === 'p99/p50 ratio') {
    const ratios = `${Number(ev.ratioBaseline).toFixed(2)} to ${Number(ev.ratioCurrent).toFixed(2)}`
    return `; the median moved ${pct(Number(ev.medianChange))} while p99/p50 rose from ${ratios}`
  }
  if (decisive.name === 'block bootstrap') return ' (block bootstrap over windows)'
  return ''
}

/** The current run against pinned reference runs: slow creep that a rolling baseline follows. */
function creepCheck(ctx: JudgeContext, raw: Raw, pools: Pools): Check | undefined {
  const { s, phase, cur } = raw
  if (!isStepSeries(s) || !cur.p95) return undefined
  const stat: LevelStat = 'p95'
  const refs = ctx.pinned.map((r) => logOf(phaseOf(r, s.key, phase), stat)).filter((v): v is number => v !== undefined)
  const logs = raw.logs.absolute ?? []
  if (!refs.length || logs.length < ctx.gate.minBaselineRuns) return undefined
  const tol = ctx.gate.tolerance.level
  const spread = predict(
    logs,
    Math.log(cur.p95),
    cur.se?.[1] ?? Number.NaN,
    ctx.gate.noiseFloor.p95,
    priorFor(pools, 'absolute', raw),
  )
  const refCentre = refs.reduce((a, b) => a + b, 0) / refs.length
  const scale = spread.sigma * Math.sqrt(1 + 1 / refs.length)
  const logChange = Math.log(cur.p95) - refCentre
  const change = Math.exp(logChange) - 1
  const p = tSf(logChange / scale, spread.df)
  const t975 = tQuantile(0.975, spread.df)
  const finding = baseFinding(ctx, s, phase, stat, 'level', 'creep')
  finding.primary =
    (ctx.primaryPhases.has(phase) && primaryStepSeries(ctx, s, phase)) || namedPrimary(ctx.gate, 'level', stat, s.key)
  const label = seriesLabel(s.tags, s.source, s.name)
  Object.assign(finding, {
    baseline: r4(Math.exp(refCentre)),
    current: cur.p95,
    change: r4(change),
    interval: [r4(Math.exp(refCentre - t975 * scale)), r4(Math.exp(refCentre + t975 * scale))],
    tolerance: tol,
    pValue: r4(p),
    method:
      `against ${refs.length} pinned reference run${refs.length > 1 ? 's' : ''}, ` +
      `spread from the rolling baseline (σ = ${r4(spread.sigma)}), t on ${spread.df} df`,
    evidence: { pinned: ctx.pinned.map((r) => r.id).join(', '), rollingChange: r4(spread.change) },
  })
  const check: Check = {
    finding,
    p,
    beyondTolerance: change > tol && cur.p95 - Math.exp(refCentre) > ctx.gate.tolerance.levelMs,
    severity: { change, tolerance: tol },
  }
  check.power = (alphaEach) => {
    finding.detectable = r4(Math.max(tol, detectableRise({ scale, df: spread.df }, alphaEach)))
  }
  check.describe = (status) => {
    const nums = `${ms(finding.baseline)} → ${ms(finding.current)}`
    return failedOrExempt(status)
      ? `${label} p95 in ${phase} crept up since the pinned reference: ${nums} ` +
          `(${pct(finding.change)}; against the rolling baseline ${pct(spread.change)}); ` +
          pval(finding.pAdjusted ?? finding.pValue)
      : `${label} p95 in ${phase} against the pinned reference: ${nums} (${pct(finding.change)}), ` +
          'within tolerance or not significant'
  }
  return check
}

/**
 * Every step of a phase at once: the run's common shift against the baseline
 * runs' shifts in that phase, on their own K − 1 degrees of freedom (the
 * phases of one run share its machine, so they lend each other none).
 * Secondary: it says what the steps did together in each phase; the primary
 * finding is {@link serviceShiftCheck}.
 */
function shiftCheck(
  ctx: JudgeContext,
  group: Group,
  phase: string,
  stat: LevelStat,
  source: string,
  shiftsByPhase: Map<string, { phase: string; change: number }[]>,
): Check | undefined {
  const shifts = shiftsWithout(ctx, group, phase, stat, '')
  const base = shifts.baseline.filter((v): v is number => v !== undefined)
  if (shifts.current === undefined || base.length < ctx.gate.minBaselineRuns) return undefined
  const kind = stat === 'p99' ? 'tail' : 'level'
  const tol = kind === 'tail' ? ctx.gate.tolerance.tail : ctx.gate.tolerance.level
  const pr = predict(base, shifts.current, Number.NaN, ctx.gate.noiseFloor[stat])
  const series = `${source}/http_req_duration{*}`
  const finding: Finding = {
    id: `${kind}:${stat}:${series}@${phase}`,
    kind,
    question: 'stable',
    status: 'pass',
    primary: namedPrimary(ctx.gate, kind, stat, series),
    series,
    step: '*',
    phase,
    stat,
    unit: 'ratio',
    baseline: 1,
    current: r4(Math.exp(pr.logChange)),
    change: r4(pr.change),
    changeKind: 'relative',
    interval: [r4(pr.interval[0] / Math.exp(pr.centre)), r4(pr.interval[1] / Math.exp(pr.centre))],
    pValue: r4(pr.p),
    tolerance: tol,
    method:
      `median shift of the ${group.centres.size} ${source} step series, log-scale prediction interval, ` +
      `t on ${pr.df} df (σ = ${r4(pr.sigma)}, from ${pr.sigmaFrom})`,
    evidence: { steps: group.centres.size, baselineRuns: base.length },
    message: '',
  }
  const label = `all ${source} steps`
  const mine = `${source}|${stat}`
  if (!shiftsByPhase.has(mine)) shiftsByPhase.set(mine, [])
  shiftsByPhase.get(mine)!.push({ phase, change: pr.change })
  // In a loaded phase, how the same steps moved in the other loaded phases: a rise that grows with the
  // load (a lock, a pool too small) reads differently from a service slower at every load.
  const underLoad = () => {
    if (!ctx.loadedPhases.has(phase)) return ''
    const others = (shiftsByPhase.get(mine) ?? []).filter((o) => o.phase !== phase && ctx.loadedPhases.has(o.phase))
    if (!others.length) return ''
    return `; in ${others.map((o) => `${o.phase} ${pct(o.change)}`).join(', in ')}`
  }
  const check: Check = {
    finding,
    p: pr.p,
    beyondTolerance: pr.change > tol,
    severity: { change: pr.change, tolerance: tol },
  }
  check.power = (alphaEach) => {
    finding.detectable = r4(Math.max(tol, detectableRise(pr, alphaEach)))
  }
  check.describe = (status) => {
    const moved = `${label} ${stat} in ${phase} moved together by ${pct(pr.change)}`
    if (!failedOrExempt(status))
      return `${moved}, within the run-to-run spread (changes from ${pct(finding.detectable)} would have been seen)`
    const span = `${pct(finding.interval![0] - 1)} to ${pct(finding.interval![1] - 1)}`
    const p = pval(finding.pAdjusted ?? finding.pValue)
    return `${moved} (the baseline runs' own shifts span ${span}${underLoad()}); ${p}`
  }
  return check
}

/**
 * The service-wide shift (primary): every step of a source at once, over the
 * phases that count, on the typical request (p50). Per run, the mean over
 * those phases of the run's common shift (the median over the steps of their
 * change against their baseline medians), against the baseline runs' values:
 * a t on K − 1 degrees of freedom, nothing borrowed from phases of the same
 * runs. A version slower in every step and a slower machine look alike in one
 * run; only the baseline runs' own run-to-run spread tells them apart, so
 * these findings (one per source) share their own part of the family's α
 * ({@link Check.reserved}) instead of competing with dozens of per-step checks.
 *
 * The median, not the p95: a uniform slowdown moves both, but a short phase's
 * p95 is an order statistic of a few hundred values that a few seconds of a
 * busy scheduler move, while the median of every step barely moves from run
 * to run. Each source has its own finding: the probe's steps, one or two
 * iterations at a time, measure the service with little queueing; the load's
 * measure it under load.
 */
function serviceShiftCheck(
  ctx: JudgeContext,
  groups: Map<string, Group | undefined>,
  source: string,
): Check | undefined {
  const stat: LevelStat = 'p50'
  const phases = [...ctx.primaryPhases].filter((ph) => groups.get(`${ph}|${stat}|${source}`))
  if (!phases.length) return undefined
  const per = phases.map((ph) => shiftsWithout(ctx, groups.get(`${ph}|${stat}|${source}`)!, ph, stat, ''))
  if (per.some((x) => x.current === undefined)) return undefined
  const current = per.reduce((a, x) => a + x.current!, 0) / per.length
  const base: number[] = []
  ctx.rolling.forEach((_, ri) => {
    const vs = per.map((x) => x.baseline[ri])
    if (vs.every((v) => v !== undefined)) base.push(vs.reduce((a, v) => a + v!, 0) / vs.length)
  })
  if (base.length < ctx.gate.minBaselineRuns) return undefined
  // Each phase's own shift against its baseline runs' mean, for the sentence.
  const byPhase = () =>
    phases
      .map((ph, i) => {
        const b = per[i].baseline.filter((v): v is number => v !== undefined)
        const centre = b.reduce((a, v) => a + v, 0) / Math.max(1, b.length)
        return `${ph} ${pct(Math.exp(per[i].current! - centre) - 1)}`
      })
      .join(', ')
  const tol = ctx.gate.tolerance.level
  const pr = predict(base, current, Number.NaN, ctx.gate.noiseFloor[stat])
  // Tested against the tolerance, not against no change: a whole run is compared with whole runs, and on a
  // shared machine a few baseline runs understate how far a run can move; the tolerance is the margin
  // between a slower machine and a slower version.
  const margin = Math.log1p(tol)
  const p = tSf((pr.logChange - margin) / pr.scale, pr.df)
  const series = `${source}/http_req_duration{*}`
  const where = phases.join('+')
  const steps = Math.max(...phases.map((ph) => groups.get(`${ph}|${stat}|${source}`)!.centres.size))
  const finding: Finding = {
    id: `level:${stat}:${series}@${where}`,
    kind: 'level',
    question: 'stable',
    status: 'pass',
    primary: true,
    series,
    step: '*',
    phase: where,
    stat,
    unit: 'ratio',
    baseline: 1,
    current: r4(Math.exp(pr.logChange)),
    change: r4(pr.change),
    changeKind: 'relative',
    interval: [r4(pr.interval[0] / Math.exp(pr.centre)), r4(pr.interval[1] / Math.exp(pr.centre))],
    pValue: r4(p),
    tolerance: tol,
    method:
      `mean over ${phases.join(', ')} of the median shift of the ${steps} ${source} step series, ` +
      `against the baseline runs' (log-scale prediction interval, t on ${pr.df} df, ` +
      `σ = ${r4(pr.sigma)} from ${pr.sigmaFrom}), one-sided against the tolerance; ` +
      "its own share of the gate's α (weighted Holm)",
    evidence: { steps, baselineRuns: base.length, phases: where },
    message: '',
  }
  const check: Check = {
    finding,
    p,
    reserved: true,
    beyondTolerance: pr.change > tol,
    severity: { change: pr.change, tolerance: tol },
  }
  const busy = inconclusiveWhenBusier(ctx, check, pr.change > tol)
  check.power = (alphaEach) => {
    finding.detectable = r4((1 + tol) * (1 + detectableRise(pr, alphaEach)) - 1)
  }
  const label = `all ${source} steps`
  const span = () =>
    `the baseline runs' own shifts span ${pct(finding.interval![0] - 1)} to ${pct(finding.interval![1] - 1)}`
  check.describe = (status) => {
    const over = `${pct(pr.change)} over ${phases.join(', ')} (${byPhase()})`
    if (status === 'inconclusive' && busy)
      return `${label}' typical latency (p50) moved together by ${over}, ${busierSentence(busy)}`
    if (failedOrExempt(status))
      return (
        `${label} got slower together: their typical latency (p50) moved by ${over}, ` +
        `a whole-service slowdown past the tolerance of ${pct(tol)} (${span()}); ` +
        pval(finding.pAdjusted ?? finding.pValue)
      )
    return (
      `${label}' typical latency (p50) moved together by ${over}, within the tolerance of ${pct(tol)} ` +
      `or within the run-to-run spread (${span()}; changes from ${pct(finding.detectable)} would have been seen)`
    )
  }
  return check
}
