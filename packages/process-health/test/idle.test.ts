/**
 * Idle is not unknown: a process quiet because nothing happened (a dormant
 * project makes no commits, so no CI runs, and has nothing to release) exits
 * 0 and says "idle" on its own line; a silence while related work goes on,
 * or a first quiet stretch of a process judged alone, stays unknown (exit 3);
 * a release pause while commits continue stays a degraded stall.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  FileStore,
  checkHealth,
  ciProcess,
  doraProcess,
  judgeProcess,
  renderHealth,
  type Observation,
} from '@steady/process-health'
import { mulberry32 } from '@steady/kernel'

const day = 86_400_000
const now = Date.parse('2025-03-10T23:59:59Z')
const ci = ciProcess()
const dora = doraProcess()

/** CI runs, `perDay` a day (at seeded times of day), over the day ranges [from, to) before now (days ago). */
function runs(ranges: ReadonlyArray<[number, number]>, perDay = 6, seed = 7): Observation[] {
  const rand = mulberry32(seed)
  const out: Observation[] = []
  for (const [from, to] of ranges) {
    for (let d = from; d > to; d--) {
      for (let k = 0; k < perDay; k++) {
        const at = now - d * day + Math.floor(rand() * day)
        const base = { process: 'ci', at }
        out.push({ ...base, indicator: 'cycle_time', value: 600 * (0.9 + 0.2 * rand()) })
        out.push({ ...base, indicator: 'queue_time', value: 30 * (0.5 + rand()) })
        out.push({ ...base, indicator: 'success_rate', value: rand() < 0.95 ? 1 : 0 })
        out.push({ ...base, indicator: 'flaky_rate', value: rand() < 0.03 ? 1 : 0 })
      }
    }
  }
  return out
}

/** A release every other day from `from` to `to` days ago, each with two lead times. */
function releases(from: number, to: number): Observation[] {
  const out: Observation[] = []
  for (let d = from; d > to; d -= 2) {
    const at = now - d * day + 15 * 3_600_000
    out.push({ process: 'dora', indicator: 'deployments', value: 1, at })
    for (const hours of [20, 30]) out.push({ process: 'dora', indicator: 'lead_time', value: hours, at })
    out.push({ process: 'dora', indicator: 'change_failure_rate', value: 0, at })
  }
  return out
}

async function withStore(observations: readonly Observation[], fn: (store: FileStore) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), 'steady-idle-'))
  try {
    const store = new FileStore(dir)
    await store.append(observations)
    await fn(store)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

test('a process quiet now as it was quiet before, and came back, is idle: exit 0, said on its own line', () => {
  // Busy, then 40 quiet days, busy again, then quiet for the last 35 days (2 runs).
  const history = [
    ...runs([
      [200, 150],
      [110, 35],
    ]),
    ...runs(
      [
        [20, 19],
        [9, 8],
      ],
      1,
      9,
    ),
  ]
  const p = judgeProcess(ci, history, { now })
  assert.is(p.state, 'healthy')
  assert.is(p.idle, true)
  assert.match(p.reason, /^idle, nothing happened: idle: only 2 in the last 28d, as quiet before: 3 events took 4\dd/)
  for (const i of p.indicators) assert.is(i.unknownCause, 'idle', i.indicator)
})

test('a first quiet stretch of a process judged alone stays unknown: a stopped recorder looks the same', async () => {
  await withStore([...runs([[200, 30]]), ...runs([[10, 9]], 2, 3)], async (store) => {
    const report = await checkHealth({ store, processes: [ci], clock: { now: () => now } })
    assert.is(report.exitCode, 3)
    assert.is(report.processes[0].idle, undefined)
    const cycle = report.processes[0].indicators[0]
    assert.is(cycle.unknownCause, 'too-little-data')
    assert.is(cycle.quiet, true)
  })
})

test('nothing committed or released for a month: both processes idle, the release pause no stall', async () => {
  await withStore([...runs([[200, 30]]), ...releases(200, 30)], async (store) => {
    const report = await checkHealth({ store, processes: [ci, dora], clock: { now: () => now } })
    assert.is(report.exitCode, 0)
    assert.equal(
      report.processes.map((p) => [p.process, p.state, p.idle]),
      [
        ['ci', 'healthy', true],
        ['dora', 'healthy', true],
      ],
    )
    const deployments = report.processes[1].indicators.find((i) => i.indicator === 'deployments')
    assert.is(deployments?.unknownCause, 'idle')
    assert.match(deployments?.reason ?? '', /nothing recorded by ci either lately: nothing happened/)
    const text = renderHealth(report, 'text', [ci, dora])
    assert.match(text, /\nci \(owner unassigned\): IDLE\n {2}idle, nothing happened/)
    assert.match(text, /\ndora \(owner unassigned\): IDLE\n/)
  })
})

test('CI silent while releases go on is unknown; releases stopped while CI runs is a stall', async () => {
  await withStore([...runs([[200, 30]]), ...releases(200, 0)], async (store) => {
    const report = await checkHealth({ store, processes: [ci, dora], clock: { now: () => now } })
    assert.is(report.exitCode, 3)
    assert.is(report.processes[0].state, 'unknown')
    assert.is(report.processes[0].idle, undefined)
    assert.is(report.processes[1].state, 'healthy')
  })
  await withStore([...runs([[200, 0]]), ...releases(200, 30)], async (store) => {
    const report = await checkHealth({ store, processes: [ci, dora], clock: { now: () => now } })
    assert.is(report.exitCode, 1)
    const deployments = report.processes[1].indicators.find((i) => i.indicator === 'deployments')
    assert.is(deployments?.state, 'degraded')
    assert.ok(deployments?.checks.some((c) => c.name === 'pause' && c.state === 'degraded'))
  })
})

test('real dormant history (octokit/rest.js): idle while nothing happens, unknown once commits resume', async () => {
  // The replay benchmark's fixture: real commit and release times. One CI run per commit (values do not
  // matter for quietness), one deployment and change outcome per release.
  const file = join(dirname(fileURLToPath(import.meta.url)), '../../../scripts/bench/fixtures/delivery-history')
  const h = JSON.parse(await readFile(join(file, 'octokit-rest-js.json'), 'utf8')) as {
    releases: { at: number }[]
    commits: { at: number }[]
  }
  const observations: Observation[] = []
  for (const c of h.commits) {
    const at = c.at * 1000
    observations.push({ process: 'ci', indicator: 'cycle_time', value: 600, at })
    observations.push({ process: 'ci', indicator: 'success_rate', value: 1, at })
  }
  for (const r of h.releases) {
    observations.push({ process: 'dora', indicator: 'deployments', value: 1, at: r.at * 1000 })
    observations.push({ process: 'dora', indicator: 'change_failure_rate', value: 0, at: r.at * 1000 })
  }
  await withStore(observations, async (store) => {
    const at = (iso: string) => ({ now: () => Date.parse(iso) })
    // Seven months without a commit or a release (2021-11 … 2022-05).
    const dormant = await checkHealth({ store, processes: [ci, dora], clock: at('2022-03-15T23:59:59Z') })
    assert.is(dormant.exitCode, 0)
    const [ciHealth, doraHealth] = dormant.processes
    assert.is(ciHealth.idle, true, ciHealth.reason)
    // Deployments are judged (0 a day, as usual by now); what cannot be judged is idle, not unknown.
    assert.is(doraHealth.state, 'healthy', doraHealth.reason)
    assert.is(doraHealth.indicators.find((i) => i.indicator === 'change_failure_rate')?.unknownCause, 'idle')
    assert.match(doraHealth.reason, /; idle: lead_time \(idle: none in the last 185d, and nothing recorded by ci/)
    // Commits resumed in June 2022, the first release came in July: releases are expected, not idle.
    const resumed = await checkHealth({ store, processes: [ci, dora], clock: at('2022-06-20T23:59:59Z') })
    assert.is(resumed.exitCode, 3)
    assert.is(resumed.processes.find((p) => p.process === 'dora')?.state, 'unknown')
  })
})

test.run()
