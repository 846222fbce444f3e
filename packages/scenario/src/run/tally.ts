/**
 * What `steady run` counts per scenario: the work list of (scenario,
 * iteration) jobs, each scenario's summary as its iterations end, and how a
 * scenario that did not run to the end is reported.
 */
import type { SeriesAggregator } from '@steady/record'
import type { Scenario } from '../define.ts'
import type { IterationResult } from '../iteration.ts'
import type { ScenarioFile } from '../loader.ts'
import type { ScenarioSummary, StepSummary } from '../reporters/types.ts'
import type { RunFailures } from './failures.ts'

/** One scenario's summary as it is counted. */
export interface Tally {
  scenario: Scenario
  file: ScenarioFile
  summary: ScenarioSummary
  /** Its jobs not yet done. */
  remaining: number
  steps: Map<string, StepSummary & { totalMs: number }>
  ended: boolean
}

/** One iteration to run. */
export interface Job {
  tally: Tally
  iteration: number
}

/**
 * The run's tallies (every scenario, also the skipped ones) and its jobs,
 * file by file: `iterations` per scenario, or the one `only` names.
 */
export function planJobs(
  files: readonly ScenarioFile[],
  iterations: number,
  only: { scenario: string; iteration: number } | undefined,
): { tallies: Map<Scenario, Tally>; jobs: Job[] } {
  const tallies = new Map<Scenario, Tally>()
  const jobs: Job[] = []
  for (const file of files) {
    for (const scenario of file.scenarios) {
      if (only && scenario.name !== only.scenario) continue
      const skip = scenario.options.skip
      const summary = summaryOf(scenario, file)
      const tally: Tally = { scenario, file, remaining: 0, steps: new Map(), ended: false, summary }
      tallies.set(scenario, tally)
      if (skip) continue
      const list = only ? [only.iteration] : Array.from({ length: iterations }, (_, i) => i)
      for (const iteration of list) {
        jobs.push({ tally, iteration })
        tally.remaining++
      }
    }
  }
  return { tallies, jobs }
}

function summaryOf(scenario: Scenario, file: ScenarioFile): ScenarioSummary {
  const skip = scenario.options.skip
  return {
    name: scenario.name,
    file: file.relativePath,
    line: scenario.line,
    tags: scenario.tags,
    status: skip ? 'skipped' : 'passed',
    ...(skip ? { skipReason: typeof skip === 'string' ? skip : 'skip: true' } : {}),
    iterations: 0,
    passed: 0,
    failed: 0,
    durationMs: 0,
    meanMs: 0,
    maxMs: 0,
    steps: [],
    requests: 0,
    unexpectedRequests: 0,
    checks: { passed: 0, failed: 0 },
    failures: [],
  }
}

/** Counts one iteration's result in its scenario's tally, the run's series and its failure groups. */
export function countIteration(tally: Tally, r: IterationResult, agg: SeriesAggregator, failures: RunFailures): void {
  const s = tally.summary
  if (r.aborted) {
    s.status = 'interrupted'
    return
  }
  s.iterations++
  s.durationMs += r.durationMs
  s.maxMs = Math.max(s.maxMs, r.durationMs)
  s.requests += r.requests
  s.unexpectedRequests += r.unexpectedRequests
  s.checks.passed += r.checks.passed
  s.checks.failed += r.checks.failed
  const tags = { scenario: r.scenario }
  agg.outcome('probe', 'iterations', tags, r.passed, { error: r.failure?.kind })
  agg.duration('probe', 'iteration_duration', tags, r.durationMs, { error: r.passed ? undefined : r.failure?.kind })
  if (r.checks.passed + r.checks.failed > 0) agg.outcome('probe', 'checks', tags, r.checks.failed === 0)
  for (const st of r.steps) {
    let t = tally.steps.get(st.path)
    if (!t) {
      t = { path: st.path, depth: st.depth, count: 0, failed: 0, meanMs: 0, maxMs: 0, totalMs: 0 }
      tally.steps.set(st.path, t)
    }
    t.count++
    if (!st.passed) t.failed++
    t.totalMs += st.durationMs
    t.maxMs = Math.max(t.maxMs, st.durationMs)
  }
  if (r.passed) s.passed++
  else {
    s.failed++
    s.status = 'failed'
    if (r.failure) {
      if (s.failures.length < 3) s.failures.push(r.failure)
      failures.add(r.failure, r.failure.response?.status)
    }
  }
}

/** Ends a scenario's summary once (means of the iterations and steps); false when it had ended already. */
export function endTally(tally: Tally): boolean {
  if (tally.ended) return false
  tally.ended = true
  const s = tally.summary
  s.meanMs = s.iterations ? s.durationMs / s.iterations : 0
  s.steps = [...tally.steps.values()].map(({ totalMs, ...rest }) => ({
    ...rest,
    meanMs: rest.count ? totalMs / rest.count : 0,
  }))
  return true
}

/**
 * The status of a scenario whose iterations did not all run: one that never
 * ran was interrupted or skipped by `--bail`; one interrupted part way is
 * interrupted.
 */
export function settleUnfinished(tally: Tally, stopReason: 'bail' | 'interrupt' | undefined, failures: number): void {
  const s = tally.summary
  if (s.status === 'passed' && s.iterations === 0) {
    s.status = stopReason === 'interrupt' ? 'interrupted' : 'skipped'
    const plural = failures === 1 ? '' : 's'
    s.skipReason ??= stopReason === 'bail' ? `--bail: stopped after ${failures} failed iteration${plural}` : undefined
  } else if (stopReason === 'interrupt' && tally.remaining > 0 && s.status === 'passed') s.status = 'interrupted'
}
