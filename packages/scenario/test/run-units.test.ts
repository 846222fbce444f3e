/**
 * The units of `runScenarios` without a server: the work list, a scenario's
 * tally, how an unfinished scenario is reported, the failure groups and the
 * record.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SeriesAggregator } from '@steady/record'
import { scenario, type IterationResult, type ScenarioFile } from '@steady/scenario'
import type { FailureSample } from '../src/failure.ts'
import { RunFailures } from '../src/run/failures.ts'
import { countIteration, endTally, planJobs, settleUnfinished } from '../src/run/tally.ts'
import { runRecordOf } from '../src/run/record.ts'

const noop = () => {}
const fileOf = (name: string, ...scenarios: ReturnType<typeof scenario>[]): ScenarioFile => ({
  path: `/virtual/${name}`,
  relativePath: name,
  scenarios,
  total: scenarios.length,
})

function sample(scenarioName: string, atMs: number, iteration: number, step = 'check'): FailureSample {
  return {
    atMs,
    scenario: scenarioName,
    step,
    kind: 'assertion',
    assertion: 'toHaveStatus',
    message: 'expected 200',
    replay: { seed: 's', scenario: scenarioName, iteration },
  }
}

function result(
  name: string,
  iteration: number,
  passed: boolean,
  over: Partial<IterationResult> = {},
): IterationResult {
  return {
    scenario: name,
    iteration,
    vu: 0,
    seed: 1,
    passed,
    aborted: false,
    durationMs: 10 * (iteration + 1),
    startedAt: 0,
    steps: [{ name: 'check', path: 'check', depth: 0, durationMs: 5, passed, requests: 1 }],
    requests: 1,
    unexpectedRequests: 0,
    checks: { passed: passed ? 1 : 0, failed: passed ? 0 : 1 },
    ...(passed ? {} : { failure: sample(name, iteration, iteration) }),
    ...over,
  }
}

test('the work list: iterations per scenario file by file, skipped scenarios tallied without jobs, --replay one job', () => {
  const a = scenario('a', noop)
  const b = scenario('b', { skip: 'not today' }, noop)
  const c = scenario('c', noop)
  const files = [fileOf('one.scenario.ts', a, b), fileOf('two.scenario.ts', c)]
  const { tallies, jobs } = planJobs(files, 2, undefined)
  assert.equal(
    [...tallies.keys()].map((s) => s.name),
    ['a', 'b', 'c'],
  )
  assert.equal(
    jobs.map((j) => `${j.tally.scenario.name}${j.iteration}`),
    ['a0', 'a1', 'c0', 'c1'],
  )
  assert.is(tallies.get(b)!.summary.status, 'skipped')
  assert.is(tallies.get(b)!.summary.skipReason, 'not today')
  assert.is(tallies.get(a)!.remaining, 2)

  const replay = planJobs(files, 5, { scenario: 'c', iteration: 3 })
  assert.equal(
    [...replay.tallies.keys()].map((s) => s.name),
    ['c'],
  )
  assert.equal(
    replay.jobs.map((j) => j.iteration),
    [3],
  )
})

test('a tally counts iterations, steps and failures; an interrupted iteration only marks the scenario', () => {
  const a = scenario('a', noop)
  const { tallies } = planJobs([fileOf('one.scenario.ts', a)], 4, undefined)
  const tally = tallies.get(a)!
  const agg = new SeriesAggregator({ now: () => 0, windowMs: 1000 })
  agg.setPhase('run')
  const failures = new RunFailures()
  countIteration(tally, result('a', 0, true), agg, failures)
  countIteration(tally, result('a', 1, false), agg, failures)
  countIteration(tally, result('a', 2, true, { aborted: true }), agg, failures)
  assert.ok(endTally(tally))
  assert.not.ok(endTally(tally), 'a scenario ends once')
  const s = tally.summary
  assert.equal(
    [s.status, s.iterations, s.passed, s.failed, s.durationMs, s.maxMs, s.meanMs],
    ['interrupted', 2, 1, 1, 30, 20, 15],
  )
  assert.equal(s.steps, [{ path: 'check', depth: 0, count: 2, failed: 1, meanMs: 5, maxMs: 5 }])
  assert.equal(s.checks, { passed: 1, failed: 1 })
  assert.is(s.failures.length, 1)
  assert.is(failures.groups()[0].count, 1)
})

test('a scenario that never ran: skipped by --bail (with why), or interrupted', () => {
  const a = scenario('a', noop)
  const plan = () => planJobs([fileOf('one.scenario.ts', a)], 2, undefined).tallies.get(a)!
  const bailed = plan()
  settleUnfinished(bailed, 'bail', 1)
  assert.equal(
    [bailed.summary.status, bailed.summary.skipReason],
    ['skipped', '--bail: stopped after 1 failed iteration'],
  )
  const interrupted = plan()
  settleUnfinished(interrupted, 'interrupt', 0)
  assert.is(interrupted.summary.status, 'interrupted')
  // Part way through: interrupted; ran to the end: as it was.
  const partly = plan()
  countIteration(partly, result('a', 0, true), new SeriesAggregator({ now: () => 0 }), new RunFailures())
  settleUnfinished(partly, 'interrupt', 0)
  assert.is(partly.summary.status, 'interrupted')
  const done = plan()
  done.remaining = 0
  countIteration(done, result('a', 0, true), new SeriesAggregator({ now: () => 0 }), new RunFailures())
  settleUnfinished(done, 'interrupt', 0)
  assert.is(done.summary.status, 'passed')
})

test('failure groups: one per signature, counted, with the first three and the last three samples', () => {
  const failures = new RunFailures()
  for (let i = 0; i < 10; i++) failures.add(sample('a', 100 + i, i), 500)
  failures.add(sample('a', 50, 99, 'other'), undefined)
  const [first, other] = failures.groups()
  assert.equal(first.signature, { scenario: 'a', step: 'check', assertion: 'toHaveStatus', status: 500 })
  assert.is(first.count, 10)
  assert.equal(
    first.samples.map((s) => s.replay.iteration),
    [0, 1, 2, 7, 8, 9],
  )
  assert.equal([first.firstAtMs, first.lastAtMs], [100, 109])
  assert.equal(first.byPhase, { run: 10 })
  assert.equal(other.signature, { scenario: 'a', step: 'other', assertion: 'toHaveStatus' })
})

test('the record: one phase, the scenarios counts, notes, and why it stopped', () => {
  const agg = new SeriesAggregator({ now: () => 0, windowMs: 2000 })
  const ac = new AbortController()
  ac.abort('SIGINT')
  const parts = {
    runId: 'r1',
    startedAt: new Date(0),
    durationMs: 1234,
    toolVersion: '0.0.0',
    subject: { target: 'http://127.0.0.1:1' },
    seed: '7',
    configHash: 'none',
    agg,
    scenarios: [],
    notes: [{ atMs: 1, kind: 'note' as const, message: 'setup of x' }],
    failures: [],
    failed: 2,
  }
  const interrupted = runRecordOf({ ...parts, stopReason: 'interrupt', signal: ac.signal })
  assert.equal([interrupted.complete, interrupted.incompleteReason], [false, 'SIGINT'])
  assert.equal(
    interrupted.events.map((e) => e.kind),
    ['note', 'interrupted'],
  )
  assert.equal(interrupted.phases, [{ name: 'run', startMs: 0, endMs: 1234 }])
  assert.is(interrupted.window.sizeMs, 2000)
  const bailed = runRecordOf({ ...parts, stopReason: 'bail' })
  assert.is(bailed.complete, true)
  assert.equal(
    bailed.events.map((e) => e.message),
    ['setup of x', '--bail: stopped after 2 failed iteration(s)'],
  )
})

test.run()
