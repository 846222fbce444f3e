/**
 * Judging as real histories need it: rare indicators are "not yet judged"
 * without poisoning their process, rare events are judged on their counts,
 * one extreme run is an outlier rather than a shift, a weekly rhythm is
 * judged in business time, an SLO weighs the uncertainty of its sample, and
 * observations from the future are refused. All on a fixed clock.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  ciProcess,
  defineProcess,
  doraProcess,
  fixedClock,
  isProcessHealthError,
  judgeIndicator,
  judgeProcess,
  type Observation,
} from '@steady/process-health'
import { createObservation } from '../src/define.ts'
import { businessMs } from '../src/judge/rhythm.ts'
import { mulberry32 } from '@steady/kernel'
import { ciHistory } from './helpers/ci-history.ts'

const now = Date.parse('2025-03-10T12:00:00Z') // a Monday
const day = 86_400_000
const hour = 3_600_000

/** A busy delivery: deployments every weekday at 10:00 and 15:00 for 60 days, 4 lead times each; every 40th failed. */
function delivery(): Observation[] {
  const rand = mulberry32(5)
  const out: Observation[] = []
  let k = 0
  for (let d = 60; d >= 0; d--) {
    const date = now - d * day
    const weekday = new Date(date).getUTCDay()
    if (weekday === 0 || weekday === 6) continue
    for (const h of [10, 15]) {
      const at = Math.floor(date / day) * day + h * hour
      if (at > now) continue
      out.push({ process: 'dora', indicator: 'deployments', value: 1, at })
      for (let c = 0; c < 4; c++) out.push({ process: 'dora', indicator: 'lead_time', value: 2 + 4 * rand(), at })
      out.push({ process: 'dora', indicator: 'change_failure_rate', value: ++k % 40 === 0 ? 1 : 0, at })
    }
  }
  return out
}

test('a rare indicator is not yet judged, on its own line, while the others decide the process', () => {
  const incidents: Observation[] = [20, 45].map((d) => ({
    process: 'dora',
    indicator: 'time_to_restore',
    value: 3,
    at: now - d * day,
  }))
  const p = judgeProcess(doraProcess(), [...delivery(), ...incidents], { now })
  const ttr = p.indicators.find((i) => i.indicator === 'time_to_restore')!
  assert.is(ttr.state, 'unknown')
  assert.is(ttr.unknownCause, 'too-little-data')
  assert.is(p.state, 'healthy', p.reason)
  assert.match(
    p.reason,
    /^3 of 4 indicators healthy \(deployments, lead_time, change_failure_rate\); not yet judged: time_to_restore \(/,
  )
  // The sentence says how many incidents it rests on.
  assert.match(ttr.reason, /only 2 observations for a baseline/)
})

test('an incident older than the window is "none in the last …", never "not recorded"', () => {
  const old: Observation = { process: 'dora', indicator: 'time_to_restore', value: 3, at: now - 300 * day }
  const p = judgeProcess(doraProcess(), [...delivery(), old], { now })
  assert.is(p.state, 'healthy', p.reason)
  assert.not.match(p.reason, /not recorded/)
  assert.match(p.reason, /not judged, nothing recorded recently: time_to_restore \(none in the last \d+d\)/)
})

test('a process is unknown only when nothing could be judged', () => {
  const p = judgeProcess(doraProcess(), [{ process: 'dora', indicator: 'lead_time', value: 3, at: now - day }], { now })
  assert.is(p.state, 'unknown')
  assert.match(p.reason, /^no indicator could be judged yet; not yet judged: lead_time/)
})

test('rare events: a failure spike is judged on its counts; the sentence says how many it rests on', () => {
  const history = delivery()
  // The last three deployments failed.
  const cfr = history.filter((o) => o.indicator === 'change_failure_rate')
  for (const o of cfr.slice(-3)) o.value = 1
  const dora = doraProcess()
  const i = judgeProcess(dora, history, { now }).indicators.find((x) => x.indicator === 'change_failure_rate')!
  assert.is(i.state, 'degraded', i.reason)
  assert.match(i.reason, /it rests on \d+ events in \d+ trials; method: beta-binomial p [\d.e-]+ < 0\.0013/)
  // One failure among the recent deployments is within what the baseline's rate produces.
  for (const o of cfr.slice(-3)) o.value = 0
  cfr[cfr.length - 1].value = 1
  const one = judgeProcess(dora, history, { now }).indicators.find((x) => x.indicator === 'change_failure_rate')!
  assert.is(one.state, 'healthy', one.reason)
})

test('a sparse rate widens its windows to hold its trials, and says so', () => {
  // A release a week for half a year, none failed, then one failed: not a shift on one event.
  const weekly: Observation[] = []
  for (let w = 26; w >= 0; w--)
    weekly.push({
      process: 'dora',
      indicator: 'change_failure_rate',
      value: w === 0 ? 1 : 0,
      at: now - w * 7 * day - hour,
    })
  const dora = doraProcess()
  const i = judgeIndicator(dora, dora.indicators[2], weekly, { now })
  assert.is(i.state, 'healthy', i.reason)
  assert.match(i.reason, /widened from 3d and 28d for too few events/)
  assert.ok(i.samples.recent >= 3 && i.samples.baseline >= 10, JSON.stringify(i.samples))
})

test('one hung run at the end of a stable history is an outlier finding with its value, not a shift (60 seeds)', () => {
  const ci = ciProcess()
  for (let seed = 1; seed <= 60; seed++) {
    const history = ciHistory({ now: now - 1000, seed }).filter((o) => o.indicator === 'cycle_time')
    const median = history.map((o) => o.value).sort((a, b) => a - b)[Math.floor(history.length / 2)]
    history.push({ process: 'ci', indicator: 'cycle_time', value: 3.4 * median, at: now })
    const i = judgeIndicator(ci, ci.indicators[0], history, { now })
    assert.is(i.state, 'healthy', `seed ${seed}: ${i.reason}`)
    const outlier = i.checks.find((c) => c.name === 'outlier')
    assert.ok(outlier, `seed ${seed}: no outlier finding in ${i.reason}`)
    assert.match(
      outlier!.reason,
      /^one outlier: cycle_time was \d+m \d+s at 2025-03-10 12:00 UTC \(3\.\d+× the usual \d+m \d+s\); without it/,
    )
    assert.ok(i.reason.startsWith(outlier!.reason), 'the finding comes first')
  }
})

test('a sustained shift still needs only its run of evidence: three hung runs in a row are a shift', () => {
  const ci = ciProcess()
  const history = ciHistory({ now: now - 10_000, seed: 3 }).filter((o) => o.indicator === 'cycle_time')
  for (let k = 0; k < 3; k++)
    history.push({ process: 'ci', indicator: 'cycle_time', value: 34 * 60, at: now - k * 1000 })
  const i = judgeIndicator(ci, ci.indicators[0], history, { now })
  assert.is(i.state, 'degraded', i.reason)
  assert.not.ok(i.checks.some((c) => c.name === 'outlier'))
})

test('weekly rhythm: business time leaves weekends out of a duration', () => {
  const fri = Date.parse('2025-03-07T16:00:00Z')
  const mon = Date.parse('2025-03-10T10:00:00Z')
  assert.is(businessMs(fri, mon), 18 * hour)
  assert.is(businessMs(mon, mon + 5 * hour), 5 * hour)
  assert.is(businessMs(Date.parse('2025-03-08T00:00:00Z'), Date.parse('2025-03-10T00:00:00Z')), 0)
})

test("weekly rhythm: Monday's deployment of Friday's work is not a shift of lead time", () => {
  // One deployment a weekday at 10:00 ships the commits since the last one, made hourly 09:00-18:00 on weekdays.
  const rand = mulberry32(9)
  const history: Observation[] = []
  let last = Date.parse('2025-01-01T10:00:00Z')
  for (let d = Date.parse('2025-01-02T00:00:00Z'); d <= now; d += day) {
    const dow = new Date(d).getUTCDay()
    if (dow === 0 || dow === 6) continue
    const at = d + 10 * hour
    for (let t = last + hour; t < at; t += hour) {
      const h = new Date(t).getUTCHours()
      const wd = new Date(t).getUTCDay()
      if (wd === 0 || wd === 6 || h < 9 || h > 18) continue
      history.push({ process: 'dora', indicator: 'lead_time', value: (at - t + rand() * 600_000) / hour, at })
    }
    last = at
  }
  // Judged right after Monday's deployment, on that deployment alone.
  const dora = doraProcess({ judge: { minRecent: 1, recent: '1d' } })
  const lead = dora.indicators[1]
  const monday = judgeIndicator(dora, lead, history, { now })
  assert.is(monday.state, 'healthy', monday.reason)
  assert.match(monday.reason, /weekends left out/)
  // The same history without the rhythm reads the weekend as a shift.
  const calendar = defineProcess({
    name: 'dora',
    owner: 'x',
    indicators: [{ ...lead, rhythm: undefined }],
    judge: { minRecent: 1, recent: '1d' },
  })
  assert.is(judgeIndicator(calendar, calendar.indicators[0], history, { now }).state, 'degraded')
})

test('a stall of a sparse count is caught by its pause, unless the history has paused as long before', () => {
  // Two releases a week (Tuesday and Thursday) for half a year, then none for four weeks.
  const releases = (gapAt?: number): Observation[] => {
    const out: Observation[] = []
    for (let d = 180; d >= 28; d--) {
      const at = Date.parse('2025-03-10T15:00:00Z') - d * day
      const dow = new Date(at).getUTCDay()
      if ((dow === 2 || dow === 4) && !(gapAt !== undefined && d <= gapAt && d > gapAt - 35)) {
        out.push({ process: 'dora', indicator: 'deployments', value: 1, at })
      }
    }
    return out
  }
  const dora = doraProcess()
  const stalled = judgeIndicator(dora, dora.indicators[0], releases(), { now })
  const pause = stalled.checks.find((c) => c.name === 'pause')!
  assert.is(pause.state, 'degraded', pause.reason)
  assert.is(stalled.state, 'degraded')
  assert.match(pause.reason, /^no deployments since 2025-02-\d\d 15:00 UTC: \d+d[\w ]* of weekday time, longer than/)
  assert.match(pause.reason, /method: Poisson chance of a gap this long at that rate, p [\d.e-]+ < 0\.0013/)
  // A five-week pause three months earlier is its own precedent.
  const precedent = judgeIndicator(dora, dora.indicators[0], releases(120), { now })
  assert.is(precedent.checks.find((c) => c.name === 'pause')!.state, 'healthy')
})

test('the week-part method compares the recent window with the same days of the week', async () => {
  const { setWeeklyRhythmMethod } = await import('../src/judge/rhythm.ts')
  const previous = setWeeklyRhythmMethod('week-part')
  try {
    const dora = doraProcess()
    const i = judgeIndicator(
      dora,
      dora.indicators[1],
      delivery().filter((o) => o.indicator === 'lead_time'),
      { now },
    )
    assert.match(i.reason, /the same days of the week/)
    // Judged on a Monday at noon, the 3-day window touches Friday to Monday: no Tuesday in the baseline.
    const lead = delivery().filter((o) => o.indicator === 'lead_time' && o.at < i.windows.recentFrom)
    const tuesdays = new Set(lead.filter((o) => new Date(o.at).getUTCDay() === 2).map((o) => o.at))
    assert.ok(tuesdays.size > 0)
    assert.ok(i.samples.baseline < new Set(lead.filter((o) => o.at >= i.windows.baselineFrom).map((o) => o.at)).size)
  } finally {
    setWeeklyRhythmMethod(previous)
  }
})

test('a 95% SLO is not degraded on 1 failure in 19 runs, and is on 4 in 19', () => {
  const gate = defineProcess({
    name: 'gate',
    owner: 'qa',
    indicators: [{ name: 'pass', kind: 'rate', better: 'higher', objective: { slo: 0.95 } }],
  })
  const runs = (fails: number): Observation[] =>
    Array.from({ length: 19 }, (_, k) => ({
      process: 'gate',
      indicator: 'pass',
      value: k < fails ? 0 : 1,
      at: now - (k + 1) * 3 * hour,
    }))
  const one = judgeIndicator(gate, gate.indicators[0], runs(1), { now }).checks.find((c) => c.name === 'slo')!
  assert.is(one.state, 'healthy', one.reason)
  assert.match(one.reason, /1 bad of 19 is too few to tell from the budget: with 95 % confidence the burn is only/)
  assert.match(one.reason, /known to be at least [\d.]+×; method: Wilson lower bound\)/)
  const four = judgeIndicator(gate, gate.indicators[0], runs(4), { now }).checks.find((c) => c.name === 'slo')!
  assert.is(four.state, 'degraded', four.reason)
})

test('an observation from the future (beyond 5 minutes of clock skew) is refused with a clear error', () => {
  const clock = fixedClock(now)
  const ci = ciProcess()
  const ok = createObservation(
    ci,
    { process: 'ci', indicator: 'cycle_time', value: '9m', at: new Date(now + 4 * 60_000) },
    clock,
  )
  assert.is(ok.at, now + 4 * 60_000)
  try {
    createObservation(ci, { process: 'ci', indicator: 'cycle_time', value: '9m', at: '2030-01-01T00:00:00Z' }, clock)
    assert.unreachable('a time in 2030 was accepted')
  } catch (error) {
    assert.ok(isProcessHealthError(error), String(error))
    assert.is(error.code, 'STEADY_HEALTH_AT_IN_FUTURE')
    assert.is(error.exitCode, 2)
    assert.match(
      error.message,
      /^at: 2030-01-01T00:00:00\.000Z is .* in the future \(now is 2025-03-10T12:00:00\.000Z\)/,
    )
    assert.match(error.hint ?? '', /record the time it happened/)
  }
})

test.run()
