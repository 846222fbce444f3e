/**
 * Time to restore with few incidents: judged from 3 incidents with a
 * prediction on the log scale (Student's t over the incidents there are),
 * saying how many it rests on; fewer, or a history too new to call the
 * incidents rare, stays not yet judged.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { doraProcess, judgeIndicator, type Observation } from '@steady/process-health'

const day = 86_400_000
const now = Date.parse('2025-03-10T23:59:59Z')
const dora = doraProcess()
const restore = dora.indicators.find((i) => i.name === 'time_to_restore')!

/** Incidents restored at `daysAgo` before now, each taking `hours`. */
function incidents(list: ReadonlyArray<[daysAgo: number, hours: number]>): Observation[] {
  return list.map(([d, h]) => ({ process: 'dora', indicator: 'time_to_restore', value: h, at: now - d * day }))
}

// Half a year of records (a deployment 200 days ago starts them), five incidents of 1.5 to 4 hours.
const start: Observation = { process: 'dora', indicator: 'deployments', value: 1, at: now - 200 * day }
const usual = incidents([
  [170, 2],
  [130, 3],
  [95, 1.5],
  [60, 4],
  [30, 2.5],
])
const since = start.at

test('five incidents: a usual restore is healthy and says what it rests on; one 100 times longer is degraded', () => {
  const ok = judgeIndicator(dora, restore, [...usual, ...incidents([[2, 3.5]])], { now, since })
  assert.is(ok.state, 'healthy', ok.reason)
  assert.match(ok.reason, /rests on 6 observations/)
  assert.match(ok.reason, /Student's t over 4 degrees of freedom/)
  assert.is(ok.checks[0].numbers.n, 5)
  const slow = judgeIndicator(dora, restore, [...usual, ...incidents([[2, 250]])], { now, since })
  assert.is(slow.state, 'degraded', slow.reason)
  assert.match(slow.reason, /^time_to_restore: the last observation \(in the last 28d\) took 10d 10h, 10011% above/)
  assert.match(slow.reason, /the typical 2h 28m of 5 observations/)
})

test('three incidents are enough to judge, and the bound is wide: 10 times the usual is not yet a change', () => {
  const three = incidents([
    [150, 1],
    [100, 6],
    [50, 2.5],
  ])
  const tenfold = judgeIndicator(dora, restore, [...three, ...incidents([[1, 25]])], { now, since })
  assert.is(tenfold.state, 'healthy', tenfold.reason)
  assert.ok(tenfold.checks[0].numbers.bound > 25, `the 99 % bound at 2 degrees of freedom is wide: ${tenfold.reason}`)
  // The bound narrows with more incidents: at 5 the same tenfold restore time is a change.
  const five = judgeIndicator(dora, restore, [...usual, ...incidents([[1, 25]])], { now, since })
  assert.is(five.state, 'degraded', five.reason)
})

test('two incidents, or a history too new to call incidents rare, stay not yet judged', () => {
  // Not judged: unknown, with no verdict from a method (quiet as before, the judge may add that it is idle).
  const two = judgeIndicator(
    dora,
    restore,
    incidents([
      [150, 2],
      [100, 3],
      [1, 2],
    ]),
    { now, since },
  )
  assert.is(two.state, 'unknown', two.reason)
  assert.match(two.reason, /only 2 observations for a baseline/)
  const fresh = judgeIndicator(dora, restore, [...usual, ...incidents([[1, 2]])], { now, since: now - 175 * day })
  assert.is(fresh.state, 'unknown', fresh.reason)
  assert.match(fresh.reason, /only 5 observations for a baseline .*need 10 to judge/)
  // A frequent indicator is never judged on so few, however long it has been recorded.
  const frequent = { ...restore, events: undefined }
  const lead = judgeIndicator(dora, frequent, [...usual, ...incidents([[1, 2]])], { now, since })
  assert.is(lead.state, 'unknown', lead.reason)
})

test.run()
