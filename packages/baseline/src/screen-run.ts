/**
 * Screening a run before it joins a baseline: a baseline is what normal looks
 * like, so a run made with a saturated load generator, or one far noisier than
 * the baseline's runs, would widen every interval the gate judges against and
 * hide the changes the gate exists to catch.
 *
 * Two rules, both stated so they generalise to services nobody has seen:
 *
 * - **Saturation**: a loaded phase counts for the verdict; when the load
 *   generator was saturated in more than the gate's `saturatedWindows` share
 *   of its windows (default 20%), the phase measured the generator, not the
 *   service.
 * - **Spread**: a run's spread is, per step and phase, the long-run standard
 *   deviation of its windows' ln p95: the AR(1)-corrected standard error the
 *   judge's intervals use, × √windows. Bursts that last several windows (a
 *   neighbour, a GC storm) raise it; a window-to-window zigzag around a steady
 *   level barely does, since it leaves the phase's level as sure as before.
 *   Each step and phase is put on the baseline's scale by subtracting the
 *   baseline runs' median for it, and the run's score is the median over its
 *   steps and phases (one noisy step does not move it; a noisy machine does).
 *   The run is far outside when its score exceeds the baseline runs' median
 *   score by more than {@link SPREAD_RULE}`.mads` robust standard deviations
 *   (1.4826 × MAD) and by at least a factor {@link SPREAD_RULE}`.minRatio`.
 *   With fewer than {@link SPREAD_RULE}`.minRuns` comparable baseline runs the
 *   spread cannot be judged and the run is accepted with a note.
 */
import { median } from '@steady/kernel'
import type { BaselineFile } from './store.ts'
import { comparisonRuns } from './store.ts'
import type { ResolvedGate } from './gate.ts'
import type { RunSummary } from './summary.ts'

/**
 * The spread rule. Four robust standard deviations: a clean run from the same
 * distribution lands beyond it about once in 30,000 (normal tails), so clean
 * runs are not refused. At least twice the usual spread: with three to five
 * baseline runs the MAD can be tiny by chance, and a run less than twice as
 * noisy as usual does not change what the gate can see by much.
 */
export const SPREAD_RULE = { mads: 4, minRatio: 2, minRuns: 3 } as const

interface SaturatedPhase {
  phase: string
  saturated: number
  windows: number
}

interface SpreadScreen {
  /**
   * `far`: refuse; `ok`: within the baseline's; not judged (accepted): `too-few-runs` in the baseline, or
   * `no-windows` (no step has five windows with latency in a phase, in the run or in common with the baseline).
   */
  status: 'ok' | 'far' | 'too-few-runs' | 'no-windows'
  /** Comparable baseline runs the rule used. */
  runs: number
  /** The run's window spread relative to the baseline's usual (1 = usual, 2 = twice as spread). */
  ratio?: number
  /** The largest ratio the rule accepts for this baseline. */
  limit?: number
  /** Steps × phases the score is the median of. */
  series?: number
}

export interface RunScreen {
  saturated: SaturatedPhase[]
  spread: SpreadScreen
  /** One line per reason to refuse (empty: the run may join). */
  problems: string[]
  /** Things to say even when the run is accepted (the spread could not be judged). */
  notes: string[]
}

/** Loaded phases whose generator was saturated in more than the gate's share of windows. */
function saturatedPhasesOf(summary: RunSummary, share: number): SaturatedPhase[] {
  const out: SaturatedPhase[] = []
  for (const p of summary.phases) {
    if (!p.loaded || !p.saturatedWindows) continue
    const windows = Math.max(1, Math.round((p.endMs - p.startMs) / summary.windowMs))
    if (p.saturatedWindows / windows > share) out.push({ phase: p.name, saturated: p.saturatedWindows, windows })
  }
  return out
}

/** ln of the long-run spread of each step's window ln p95 (standard error × √windows), by `series@phase`. */
function windowSpreads(summary: Pick<RunSummary, 'series'>): Map<string, number> {
  const out = new Map<string, number>()
  for (const [key, s] of Object.entries(summary.series)) {
    if (s.kind !== 'histogram' || !key.includes('/http_req_duration{') || key.includes('expected_response')) continue
    for (const [phase, p] of Object.entries(s.phases)) {
      const se = p.se?.[1]
      // Fewer than 5 windows give no spread worth comparing.
      if (se === undefined || !(se > 0) || !p.windows || p.windows < 5) continue
      out.set(`${key}@${phase}`, Math.log(se * Math.sqrt(p.windows)))
    }
  }
  return out
}

/** The median over shared steps × phases of a run's ln spread minus the baseline's median for each. */
function spreadScore(run: Map<string, number>, centre: Map<string, number>): { score: number; n: number } | undefined {
  const d: number[] = []
  for (const [k, v] of run) {
    const c = centre.get(k)
    if (c !== undefined) d.push(v - c)
  }
  return d.length ? { score: median(d), n: d.length } : undefined
}

/** Judges a run's window spread against the comparable baseline runs' (see the module comment). */
function screenSpread(summary: RunSummary, file: BaselineFile): SpreadScreen {
  const plan = summary.comparability.planHash
  const same = comparisonRuns(file).filter(
    (e) => e.summary && e.summary.windowMs === summary.windowMs && e.summary.comparability.planHash === plan,
  )
  const spreads = same.map((e) => windowSpreads(e.summary!))
  if (spreads.length < SPREAD_RULE.minRuns) return { status: 'too-few-runs', runs: spreads.length }
  const centre = new Map<string, number>()
  const keys = new Set(spreads.flatMap((s) => [...s.keys()]))
  for (const k of keys) {
    const v = spreads.map((s) => s.get(k)).filter((x): x is number => x !== undefined)
    if (v.length >= SPREAD_RULE.minRuns) centre.set(k, median(v))
  }
  const scores = spreads.map((s) => spreadScore(s, centre)?.score).filter((x): x is number => x !== undefined)
  // Enough runs, but too few with windows to compare: the windows are missing, not the runs.
  if (scores.length < SPREAD_RULE.minRuns) return { status: 'no-windows', runs: spreads.length }
  const own = spreadScore(windowSpreads(summary), centre)
  if (!own) return { status: 'no-windows', runs: scores.length }
  const m = median(scores)
  const mad = 1.4826 * median(scores.map((s) => Math.abs(s - m)))
  const limit = m + Math.max(SPREAD_RULE.mads * mad, Math.log(SPREAD_RULE.minRatio))
  const round = (v: number) => Math.round(v * 100) / 100
  return {
    status: own.score > limit ? 'far' : 'ok',
    runs: scores.length,
    ratio: round(Math.exp(own.score - m)),
    limit: round(Math.exp(limit - m)),
    series: own.n,
  }
}

/** Whether a run may join a baseline: its saturated phases and its spread, with one line per problem. */
export function screenRun(summary: RunSummary, file: BaselineFile, gate: ResolvedGate): RunScreen {
  const saturated = saturatedPhasesOf(summary, gate.tolerance.saturatedWindows)
  const spread = screenSpread(summary, file)
  const problems: string[] = []
  const notes: string[] = []
  const share = `${Math.round(gate.tolerance.saturatedWindows * 100)}%`
  for (const s of saturated) {
    const where = `${s.saturated} of ${s.windows} windows of ${s.phase}`
    const why = 'the phase measured the generator, not the service'
    problems.push(`the load generator was saturated in ${where} (more than ${share}): ${why}`)
  }
  if (spread.status === 'far') {
    problems.push(
      `its spread across windows is ${spread.ratio}× the baseline's usual ` +
        `(median of ${spread.series} steps × phases; ` +
        `more than ${spread.limit}× is far outside its ${spread.runs} runs): a noisy run widens every interval ` +
        'the gate judges against',
    )
  } else if (spread.status === 'too-few-runs') {
    const runs = `${spread.runs} comparable run${spread.runs === 1 ? '' : 's'}`
    notes.push(`spread not screened: the baseline has ${runs} (needs ${SPREAD_RULE.minRuns})`)
  } else if (spread.status === 'no-windows') {
    notes.push('spread not screened: no step has five windows with latency in a phase the baseline runs also have')
  }
  return { saturated, spread, problems, notes }
}
