/**
 * Is it working? Every scenario passed in every probe iteration, or within
 * the gate's flake budget. A scenario that passed and failed is flaky (its
 * failure rate with a Wilson interval); one that passed and then failed from
 * some point on is an onset, named with its time; failures that appear only
 * in loaded phases are a stability finding, not a working one.
 */
import type { Finding, FailureGroup, SeriesRecord } from '@steady/record'
import { wilsonInterval } from '@steady/kernel'
import type { Check, JudgeContext } from '../context.ts'
import type { ScenarioSummary } from '../../summary.ts'
import { at, r4, rate } from '../check.ts'

/** The most frequent failure of a scenario, as people read it: `login: toHaveStatus(200), got 500 (12×)`. */
function topFailure(failures: readonly FailureGroup[], scenario: string): string | undefined {
  const mine = failures.filter((f) => f.signature.scenario === scenario).sort((a, b) => b.count - a.count)
  const f = mine[0]
  if (!f) return undefined
  const sig = f.signature
  const got = sig.status !== undefined ? `, got ${sig.status}` : sig.errorCode ? `, ${sig.errorCode}` : ''
  return `${sig.step}: ${sig.assertion}${got} (${f.count}×)`
}

interface Onset {
  atMs: number
  windowsAfter: number
}

/**
 * An onset: iterations passed (within the budget) up to some window and
 * failed (mostly) from then to the end of the run.
 */
function findOnset(
  series: SeriesRecord | undefined,
  windowMs: number,
  failures: readonly FailureGroup[],
  scenario: string,
  budget: number,
): Onset | undefined {
  if (!series) return undefined
  const ws = series.windows.filter((w) => (w.passed ?? 0) + (w.failed ?? 0) > 0)
  if (ws.length < 3) return undefined
  const firstFail = ws.findIndex((w) => (w.failed ?? 0) > 0)
  if (firstFail <= 0) return undefined
  const before = ws.slice(0, firstFail)
  const after = ws.slice(firstFail)
  const passedBefore = before.reduce((a, w) => a + (w.passed ?? 0), 0)
  const failedAfter = after.reduce((a, w) => a + (w.failed ?? 0), 0)
  const totalAfter = after.reduce((a, w) => a + (w.passed ?? 0) + (w.failed ?? 0), 0)
  const last = ws[ws.length - 1]
  if (passedBefore === 0 || failedAfter / totalAfter < Math.max(0.5, budget) || !(last.failed ?? 0)) return undefined
  const startMs = ws[firstFail].i * windowMs
  const first = failures
    .filter((f) => f.signature.scenario === scenario && f.firstAtMs >= startMs - windowMs)
    .reduce((m, f) => Math.min(m, f.firstAtMs), Number.POSITIVE_INFINITY)
  return { atMs: Number.isFinite(first) ? first : startMs, windowsAfter: after.length }
}

/** One working finding per scenario (passes included, for the report). */
export function workingChecks(ctx: JudgeContext): Check[] {
  const scenarios = Object.entries(ctx.current.scenarios)
  if (!scenarios.length || scenarios.every(([, s]) => s.n === 0)) {
    return [
      {
        finding: {
          id: 'failing:*',
          kind: 'failing',
          question: 'working',
          status: 'inconclusive',
          primary: true,
          message: 'no probe iterations in the run: nothing says whether the scenarios work',
        },
        decided: 'inconclusive',
      },
    ]
  }
  const checks: Check[] = []
  for (const [name, sc] of scenarios) {
    if (sc.n === 0) continue
    checks.push(...scenarioChecks(ctx, name, sc))
  }
  return checks
}

/** What every finding about one scenario shares. */
type ScenarioBase = Omit<Finding, 'id' | 'kind' | 'status' | 'message'>

/** One scenario: failing only under load, passing, failing always, failing from some point on, or flaky. */
function scenarioChecks(ctx: JudgeContext, name: string, sc: ScenarioSummary): Check[] {
  const budget = ctx.gate.flakeBudget
  const base: ScenarioBase = {
    question: 'working',
    primary: true,
    scenario: name,
    series: `probe/iterations{scenario=${name}}`,
    stat: 'failure rate',
    unit: 'rate',
    current: r4(sc.failed / sc.n),
    changeKind: 'absolute',
    tolerance: budget,
  }
  const top = topFailure(ctx.record.failures, name)
  const because = top ? `; most often ${top}` : ''
  const underLoad = underLoadChecks(ctx, name, sc, base, because)
  if (underLoad) return underLoad
  if (sc.failed === 0) {
    return [
      {
        finding: {
          ...base,
          id: `failing:${name}`,
          kind: 'failing',
          status: 'pass',
          evidence: { passed: sc.n, total: sc.n },
          message: '',
        },
        decided: 'pass',
        describe: () => `scenario ${name} passed all ${sc.n} iterations`,
      },
    ]
  }
  if (sc.failed === sc.n) {
    return [
      {
        finding: {
          ...base,
          id: `failing:${name}`,
          kind: 'failing',
          status: 'fail',
          evidence: { failed: sc.failed, total: sc.n },
          message: '',
        },
        decided: 'fail',
        severity: 'critical',
        describe: () => `scenario ${name} failed in every one of its ${sc.n} iterations${because}`,
      },
    ]
  }
  const onset = findOnset(
    ctx.seriesByKey.get(`probe/iterations{scenario=${name}}`),
    ctx.current.windowMs,
    ctx.record.failures,
    name,
    budget,
  )
  if (onset) {
    return [
      {
        finding: {
          ...base,
          id: `onset:${name}`,
          kind: 'onset',
          status: 'fail',
          atMs: onset.atMs,
          evidence: { failed: sc.failed, total: sc.n },
          message: '',
        },
        decided: 'fail',
        severity: 'critical',
        describe: () =>
          `scenario ${name} passed until ${at(onset.atMs)} into the run and failed from then on ` +
          `(${sc.failed} of ${sc.n} iterations failed)${because}`,
      },
    ]
  }
  return [flakyCheck(name, sc, base, budget, because)]
}

/**
 * Failures only in loaded phases, with iterations in quiet phases that all passed: a stability finding
 * (and a passing working one), or undefined when the failures are not concentrated under load.
 */
function underLoadChecks(
  ctx: JudgeContext,
  name: string,
  sc: ScenarioSummary,
  base: ScenarioBase,
  because: string,
): Check[] | undefined {
  const budget = ctx.gate.flakeBudget
  const phases = Object.entries(sc.byPhase)
  const unloaded = phases.filter(([p]) => !ctx.loadedPhases.has(p))
  const loaded = phases.filter(([p]) => ctx.loadedPhases.has(p))
  const failedUnloaded = unloaded.reduce((a, [, c]) => a + c.failed, 0)
  const nUnloaded = unloaded.reduce((a, [, c]) => a + c.n, 0)
  const failedLoaded = loaded.reduce((a, [, c]) => a + c.failed, 0)
  const nLoaded = loaded.reduce((a, [, c]) => a + c.n, 0)
  // Under equal rates, all F failures land in loaded phases with probability (share of loaded iterations)^F:
  // only a concentration unlikely by chance is "fails only under load"; otherwise the failures are ordinary
  // flakes.
  const chance = nLoaded > 0 ? (nLoaded / (nLoaded + nUnloaded)) ** failedLoaded : 1
  if (!(sc.failed > 0 && failedUnloaded === 0 && nUnloaded > 0 && failedLoaded > 0 && chance < ctx.gate.alpha))
    return undefined
  const r = failedLoaded / nLoaded
  const fails = r > budget
  const worst = loaded.sort((a, b) => b[1].failed / Math.max(1, b[1].n) - a[1].failed / Math.max(1, a[1].n))[0]
  return [
    {
      finding: {
        ...base,
        id: `load-failures:${name}`,
        kind: 'load-failures',
        question: 'stable',
        status: 'pass',
        phase: worst[0],
        current: r4(r),
        interval: wilsonInterval(failedLoaded, nLoaded).map(r4) as [number, number],
        pValue: chance,
        method: 'probability that every failure falls in a loaded phase if rates were equal',
        evidence: { failed: failedLoaded, total: nLoaded, quietIterations: nUnloaded },
        message: '',
      },
      decided: fails ? 'fail' : 'pass',
      severity: r > 0.2 ? 'critical' : r > 0.05 ? 'major' : 'minor',
      describe: () =>
        `scenario ${name} fails only under load: ${failedLoaded} of ${nLoaded} iterations in loaded phases ` +
        `(${rate(r)}, worst in ${worst[0]}), none of ${nUnloaded} in quiet phases${because}`,
    },
    {
      finding: {
        ...base,
        id: `failing:${name}`,
        kind: 'failing',
        status: 'pass',
        current: 0,
        evidence: { passed: nUnloaded, total: nUnloaded },
        message: '',
      },
      decided: 'pass',
      describe: () =>
        `scenario ${name} passed all ${nUnloaded} iterations outside load ` +
        '(its failures under load are a stability finding)',
    },
  ]
}

/** A scenario that passed and failed: flaky, failing past the gate's flake budget. */
function flakyCheck(name: string, sc: ScenarioSummary, base: ScenarioBase, budget: number, because: string): Check {
  const r = sc.failed / sc.n
  const ci = wilsonInterval(sc.failed, sc.n)
  const fails = r > budget
  return {
    finding: {
      ...base,
      id: `flaky:${name}`,
      kind: 'flaky',
      status: 'pass',
      interval: [r4(ci[0]), r4(ci[1])],
      method: 'Wilson score interval (95%)',
      evidence: { failed: sc.failed, total: sc.n },
      message: '',
    },
    decided: fails ? 'fail' : 'pass',
    severity: r > 0.2 ? 'critical' : r > 0.05 ? 'major' : 'minor',
    describe: () => flakySentence(name, sc, r, ci, fails, budget) + because,
  }
}

function flakySentence(
  name: string,
  sc: ScenarioSummary,
  r: number,
  ci: readonly number[],
  fails: boolean,
  budget: number,
): string {
  const budgetSays = fails
    ? budget > 0
      ? `, over the flake budget of ${rate(budget)}`
      : ''
    : `, within the flake budget of ${rate(budget)}`
  const share = `${rate(r)}, 95% interval ${rate(ci[0])}–${rate(ci[1])}`
  return `scenario ${name} is flaky: ${sc.failed} of ${sc.n} iterations failed (${share})${budgetSays}`
}
