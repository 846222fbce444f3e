import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  FileStore,
  ProcessHealthError,
  checkHealth,
  ciProcess,
  defineProcess,
  e2eGateProcess,
  fixedClock,
  judgeProcess,
  recordGateDecision,
  recordObservation,
  resolveProcesses,
  type ProcessDefinition,
} from '@steady/process-health'
import { createObservation, highCardinalityReason } from '../src/define.ts'
import { parseDurationMs } from '../src/time.ts'
import { gateFlakiness } from '../src/processes/e2e-gate.ts'
import { implicitProcessNames, parseInstant } from '@steady/process-health/internal'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const clock = fixedClock('2025-03-10T12:00:00Z')
const ci = ciProcess({ owner: 'platform-team' })

function code(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    assert.instance(error, ProcessHealthError)
    // The CLI formats these like any steady error: same brand, code, hint and exit code.
    assert.ok((error as Record<symbol, unknown>)[Symbol.for('steady.error')])
    assert.is((error as ProcessHealthError).exitCode, 2)
    assert.ok((error as ProcessHealthError).hint)
    return (error as ProcessHealthError).code
  }
  throw new Error('did not throw')
}

test('definitions are checked where they are written, naming the field', () => {
  assert.is(
    code(() => defineProcess({ name: 'CI', owner: 'x', indicators: [{ name: 'a', kind: 'rate', better: 'higher' }] })),
    'STEADY_HEALTH_DEFINITION_INVALID',
  )
  assert.is(
    code(() => defineProcess({ name: 'ci', owner: '', indicators: [{ name: 'a', kind: 'rate', better: 'higher' }] })),
    'STEADY_HEALTH_DEFINITION_INVALID',
  )
  try {
    defineProcess({
      name: 'ci',
      owner: 'x',
      indicators: [{ name: 'cycle', kind: 'duration', unit: 'minutes' as 's', better: 'lower' }],
    })
  } catch (error) {
    assert.match((error as Error).message, /^process\.indicators\[0\]\.unit: "minutes" is not a duration unit/)
    assert.match((error as ProcessHealthError).hint!, /ms, s, min, h, d/)
  }
  assert.is(
    code(() =>
      defineProcess({
        name: 'ci',
        owner: 'x',
        indicators: [{ name: 'c', kind: 'duration', unit: 's', better: 'lower', objective: { slo: 0.95 } }],
      }),
    ),
    'STEADY_HEALTH_DEFINITION_INVALID',
  )
  assert.is(
    code(() =>
      defineProcess({
        name: 'ci',
        owner: 'x',
        indicators: [{ name: 'c', kind: 'count', unit: 'deploys', better: 'higher', objective: { slo: 0.9 } }],
      }),
    ),
    'STEADY_HEALTH_DEFINITION_INVALID',
  )
  assert.is(
    code(() =>
      defineProcess({
        name: 'ci',
        owner: 'x',
        indicators: [{ name: 'c', kind: 'rate', better: 'sideways' as 'lower' }],
      }),
    ),
    'STEADY_HEALTH_DEFINITION_INVALID',
  )
  assert.is(
    code(() => ciProcess({ objectives: { cycletime: { max: '10m' } } })),
    'STEADY_HEALTH_DEFINITION_INVALID',
  )
  const ok = defineProcess({
    name: 'release-propagation',
    owner: 'platform',
    indicators: [
      {
        name: 'staging_to_prod',
        kind: 'duration',
        unit: 'h',
        better: 'lower',
        objective: { slo: 0.9, threshold: '1d' },
      },
    ],
  })
  assert.is(ok.name, 'release-propagation')
})

test('high-cardinality labels are rejected with a hint to use fields; low-cardinality ones pass', () => {
  for (const [key, value, why] of [
    ['commit', 'main', /names an id/],
    ['run_id', 'x', /names an id/],
    ['ref', '3f2a9c1e7b', /commit SHA/],
    ['ref', '3f2a9c1e-1b2c-4d5e-8f90-1234567890ab', /UUID/],
    ['pipeline', '184467', /run, build or PR number/],
    ['started', '2025-03-10T12:00:00Z', /date or timestamp/],
    ['link', 'https://ci.example.com/x', /URL/],
    ['ref', 'refs/pull/1234/merge', /PR, run or job number/],
  ] as const) {
    assert.match(highCardinalityReason(key, value) ?? '', why, `${key}=${value}`)
  }
  for (const [key, value] of [
    ['branch', 'main'],
    ['runner', 'ubuntu-22.04'],
    ['runner', 'windows-2022'],
    ['environment', 'staging'],
    ['stage', 'e2e'],
  ]) {
    assert.is(highCardinalityReason(key, value), undefined, `${key}=${value}`)
  }
  try {
    createObservation(
      ci,
      { process: 'ci', indicator: 'cycle_time', value: 600, labels: { branch: 'a1b2c3d4e5f6a7b8c9d0' } },
      clock,
    )
    assert.unreachable()
  } catch (error) {
    assert.is((error as ProcessHealthError).code, 'STEADY_HEALTH_LABEL_CARDINALITY')
    assert.match(
      (error as Error).message,
      /labels\.branch="a1b2c3d4e5f6a7b8c9d0" would create a new series per run: it looks like a commit SHA/,
    )
    assert.match((error as ProcessHealthError).hint!, /--field branch=a1b2c3d4e5f6a7b8c9d0/)
  }
  // Ready-made indicators declare their label names; others are rejected.
  assert.is(
    code(() =>
      createObservation(ci, { process: 'ci', indicator: 'cycle_time', value: 600, labels: { team: 'a' } }, clock),
    ),
    'STEADY_HEALTH_LABELS_INVALID',
  )
  // Ids belong in fields.
  const o = createObservation(
    ci,
    {
      process: 'ci',
      indicator: 'cycle_time',
      value: 600,
      labels: { branch: 'main' },
      fields: { commit: '3f2a9c1e', run_id: 184467 },
    },
    clock,
  )
  assert.equal(o.fields, { commit: '3f2a9c1e', run_id: 184467 })
})

test('values are read per kind: durations with units, rates as outcomes or fractions', () => {
  const value = (indicator: string, v: number | string | boolean) =>
    createObservation(ci, { process: 'ci', indicator, value: v }, clock)
  assert.is(value('cycle_time', '9m41s').value, 581)
  assert.is(value('cycle_time', '581').value, 581)
  assert.is(value('cycle_time', 1.5).value, 1.5)
  assert.is(value('success_rate', 'pass').value, 1)
  assert.is(value('success_rate', 'failed').value, 0)
  assert.is(value('success_rate', true).value, 1)
  assert.is(value('success_rate', '97%').value, 0.97)
  const flaky = value('flaky_rate', '3/200')
  assert.is(flaky.value, 0.015)
  assert.is(flaky.weight, 200)
  assert.is(
    code(() => value('success_rate', 1.5)),
    'STEADY_HEALTH_VALUE_INVALID',
  )
  assert.is(
    code(() => value('success_rate', '5/3')),
    'STEADY_HEALTH_VALUE_INVALID',
  )
  assert.is(
    code(() => value('cycle_time', '-3s')),
    'STEADY_HEALTH_VALUE_INVALID',
  )
  assert.is(
    code(() => value('cycle_time', 'fast')),
    'STEADY_HEALTH_VALUE_INVALID',
  )
  assert.is(
    code(() => value('nope', 1)),
    'STEADY_HEALTH_UNKNOWN_INDICATOR',
  )
})

test('observations keep their own time', () => {
  const now = clock.now()
  const at = (v: string | number) =>
    createObservation(ci, { process: 'ci', indicator: 'cycle_time', value: 1, at: v }, clock).at
  assert.is(at('2025-03-10T11:00:00Z'), now - 3_600_000)
  assert.is(at('2025-03-10T13:00:00+02:00'), now - 3_600_000)
  assert.is(at('1741604400'), Date.parse('2025-03-10T11:00:00Z'))
  assert.is(at('1741604400000'), Date.parse('2025-03-10T11:00:00Z'))
  assert.is(at('1h ago'), now - 3_600_000)
  assert.is(at('-90m'), now - 5_400_000)
  assert.is(createObservation(ci, { process: 'ci', indicator: 'cycle_time', value: 1 }, clock).at, now)
  assert.is(
    code(() => parseInstant('2025-03-10 11:00', 'at')),
    'STEADY_HEALTH_TIME_INVALID',
  )
  assert.is(
    code(() => parseInstant('yesterday', 'at')),
    'STEADY_HEALTH_TIME_INVALID',
  )
  assert.is(parseDurationMs('28d'), 28 * 86_400_000)
  assert.is(parseDurationMs('1h30m'), 5_400_000)
  assert.is(
    code(() => parseDurationMs('10')),
    'STEADY_HEALTH_DURATION_INVALID',
  )
})

test('config: declared processes, ready-made ones by name, duplicates rejected', () => {
  const mine: ProcessDefinition = defineProcess({
    name: 'review',
    owner: 'eng',
    indicators: [{ name: 'time_to_first_review', kind: 'duration', unit: 'h', better: 'lower' }],
  })
  const processes = resolveProcesses({ processes: ['ci', mine] })
  assert.equal(
    processes.map((p) => p.name),
    ['ci', 'review', 'dora', 'e2e-gate'],
  )
  assert.equal(implicitProcessNames({ processes: ['ci', mine] }), ['dora', 'e2e-gate'])
  const custom = resolveProcesses({
    processes: [ciProcess({ owner: 'platform', objectives: { cycle_time: { max: '15m' } } })],
  })
  assert.is(custom[0].owner, 'platform')
  assert.equal(custom[0].indicators[0].objective, { max: '15m' })
  assert.is(
    code(() => resolveProcesses({ processes: ['ci', 'ci'] })),
    'STEADY_HEALTH_CONFIG_INVALID',
  )
  assert.is(
    code(() => resolveProcesses({ processes: ['jenkins' as 'ci'] })),
    'STEADY_HEALTH_CONFIG_INVALID',
  )
  try {
    resolveProcesses({ processes: [{ name: 'x', owner: 'y', indicators: [] }] })
  } catch (error) {
    assert.match((error as Error).message, /^health\.processes\[0\]\.indicators: /)
  }
})

test('recordGateDecision records the E2E gate process, and the gate gets its own health', async () => {
  const store = new FileStore(mkdtempSync(join(tmpdir(), 'steady-health-gate-')))
  const gate = e2eGateProcess({ owner: 'release' })
  const start = Date.parse('2025-02-01T00:00:00Z')
  for (let k = 0; k < 60; k++) {
    await recordGateDecision(
      store,
      {
        gate: 'checkout',
        verdict: k % 10 === 3 ? 'inconclusive' : k % 15 === 7 ? 'fail' : 'pass',
        durationMs: 30 * 60_000 + (k % 5) * 60_000,
        at: start + k * 12 * 3_600_000,
        version: `1.${k}.0`,
        runId: String(900000 + k),
        flaky: false,
      },
      { process: gate },
    )
  }
  const one = await recordGateDecision(
    store,
    { gate: 'checkout', verdict: 'inconclusive', durationMs: 1000, at: start },
    { process: gate },
  )
  assert.equal(
    one.map((o) => o.indicator),
    ['duration', 'inconclusive_rate'],
  )
  assert.is(one[0].value, 1)
  assert.equal(one[0].labels, { gate: 'checkout' })
  assert.equal(one[0].fields, { verdict: 'inconclusive' })
  const report = await checkHealth({ store, processes: [gate], clock: fixedClock(start + 60 * 12 * 3_600_000) })
  const p = report.processes[0]
  assert.is(p.state, 'healthy', p.reason)
  assert.equal(
    p.indicators.map((i) => i.indicator),
    ['pass_rate', 'inconclusive_rate', 'flaky_rate', 'duration'],
  )
  assert.match(p.indicators[3].reason, /median duration over the last 3d is 3\dm/)
  const stored = await store.read({ process: 'e2e-gate', indicator: 'duration' })
  assert.equal(stored.find((o) => o.fields?.run_id === '900000')?.fields, {
    verdict: 'pass',
    version: '1.0.0',
    run_id: '900000',
  })
})

test('recordGateDecision derives flakiness from the last conclusive verdict of the same gate, environment and version', async () => {
  const store = new FileStore(mkdtempSync(join(tmpdir(), 'steady-health-flaky-')))
  const t0 = Date.parse('2025-02-01T00:00:00Z')
  const decide = async (
    k: number,
    verdict: 'pass' | 'fail' | 'inconclusive',
    version: string,
    environment = 'staging',
    gate = 'checkout',
  ) => {
    const obs = await recordGateDecision(store, {
      gate,
      verdict,
      durationMs: 60_000,
      at: t0 + k * 60_000,
      version,
      environment,
    })
    return obs.find((o) => o.indicator === 'flaky_rate')?.value
  }
  assert.is(await decide(0, 'pass', '1.0.0'), undefined, 'first judgement of a version: no flaky outcome')
  assert.is(await decide(1, 'inconclusive', '1.0.0'), undefined, 'an inconclusive decision has none')
  assert.is(await decide(2, 'pass', '1.0.0'), 0, 'same verdict again: held')
  assert.is(await decide(3, 'fail', '1.0.0'), 1, 'the other verdict: flipped')
  assert.is(await decide(4, 'fail', '1.0.0'), 0, 'compared with the last conclusive verdict, which was fail')
  assert.is(await decide(5, 'pass', '1.0.0', 'prod'), undefined, 'another environment is another history')
  assert.is(await decide(6, 'pass', '1.0.0', 'staging', 'search'), undefined, 'another gate too')
  assert.is(await decide(7, 'fail', '1.1.0'), undefined, 'another version too')
  assert.is(
    await gateFlakiness(store, {
      gate: 'checkout',
      verdict: 'pass',
      version: '1.0.0',
      environment: 'staging',
      at: t0 + 3.5 * 60_000,
    }),
    true,
    'only decisions before it count',
  )
  const given = await recordGateDecision(store, {
    gate: 'checkout',
    verdict: 'pass',
    durationMs: 1,
    at: t0 + 9 * 60_000,
    version: '1.0.0',
    environment: 'staging',
    flaky: false,
  })
  assert.is(given.find((o) => o.indicator === 'flaky_rate')?.value, 0, 'a given flaky wins')
  const flaky = await store.read({ process: 'e2e-gate', indicator: 'flaky_rate' })
  assert.equal(
    flaky.map((o) => [o.value, o.fields?.version, o.fields?.verdict]),
    [
      [0, '1.0.0', 'pass'],
      [1, '1.0.0', 'fail'],
      [0, '1.0.0', 'fail'],
      [0, '1.0.0', 'pass'],
    ],
  )
})

test('recordObservation checks the process exists', async () => {
  const store = new FileStore(mkdtempSync(join(tmpdir(), 'steady-health-rec-')))
  try {
    await recordObservation(store, [ci], { process: 'cd', indicator: 'x', value: 1 }, clock)
    assert.unreachable()
  } catch (error) {
    assert.is((error as ProcessHealthError).code, 'STEADY_HEALTH_UNKNOWN_PROCESS')
    assert.match((error as ProcessHealthError).hint!, /one of: ci/)
  }
  const o = await recordObservation(
    store,
    [ci],
    { process: 'ci', indicator: 'queue_time', value: '45s', at: '10m ago' },
    clock,
  )
  assert.is(o.at, clock.now() - 600_000)
  assert.equal(judgeProcess(ci, await store.read({ process: 'ci' }), { now: clock.now() }).indicators[1].current, 45)
})

test.run()
