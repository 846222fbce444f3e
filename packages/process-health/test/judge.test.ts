import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  ciProcess,
  defineProcess,
  doraProcess,
  judgeIndicator,
  judgeProcess,
  type Observation,
  type ProcessDefinition,
} from '@steady/process-health'
import { deploymentFrequencyTier } from '../src/processes/dora.ts'
import { robust, ewma, cusum } from '../src/stats.ts'
import { mulberry32 } from '@steady/kernel'
import { ciHistory } from './helpers/ci-history.ts'

const now = Date.parse('2025-03-10T12:00:00Z')
const day = 86_400_000
const ci = ciProcess({ owner: 'platform-team' })

/** DORA without its weekly rhythm: these tests are about counting calendar days (the rhythm has its own tests). */
function calendarDora(): ProcessDefinition {
  const d = doraProcess({ owner: 'delivery' })
  return { ...d, indicators: d.indicators.map(({ rhythm: _rhythm, ...i }) => i) }
}

function byName(p: ReturnType<typeof judgeProcess>, name: string) {
  const i = p.indicators.find((x) => x.indicator === name)
  assert.ok(i, `indicator ${name}`)
  return i!
}

test('a steady CI history is healthy on every indicator', () => {
  for (const seed of [1, 2, 3]) {
    const p = judgeProcess(ci, ciHistory({ now, seed }), { now })
    assert.is(p.state, 'healthy', `seed ${seed}: ${p.reason}`)
    for (const i of p.indicators) assert.is(i.state, 'healthy', `${i.indicator}: ${i.reason}`)
  }
})

test('a slowdown in the last days is degraded on cycle_time, and only there, with the numbers in the reason', () => {
  const p = judgeProcess(ci, ciHistory({ now, seed: 7, slowdown: 1.6, slowdownDays: 3 }), { now })
  assert.is(p.state, 'degraded')
  const cycle = byName(p, 'cycle_time')
  assert.is(cycle.state, 'degraded')
  for (const name of ['queue_time', 'success_rate', 'flaky_rate']) assert.is(byName(p, name).state, 'healthy', name)
  assert.match(p.reason, /^degraded on cycle_time:/)
  // The reason has the recent value, the baseline and the limit.
  assert.match(cycle.reason, /\d+m \d+s/)
  assert.ok(cycle.current! > cycle.baseline! * 1.4, `${cycle.current} vs ${cycle.baseline}`)
  assert.is(cycle.samples.recent, 36)
})

test('a sustained 30 % shift, within the spread of single runs, is caught by the EWMA', () => {
  const history = ciHistory({ now, seed: 11, slowdown: 1.3 }).filter((o) => o.indicator === 'cycle_time')
  const i = judgeIndicator(ci, ci.indicators[0], history, { now })
  assert.is(i.state, 'degraded', i.reason)
  const level = i.checks.find((c) => c.name === 'baseline')!
  const drift = i.checks.find((c) => c.name === 'drift')!
  // The recent median alone is no outlier against runs that vary by ±15 %...
  assert.is(level.state, 'healthy', level.reason)
  // ...but 36 runs in a row above the baseline are.
  assert.is(drift.state, 'degraded')
  assert.match(
    drift.reason,
    /^cycle_time has stayed above its usual level: the last 36 observations \(since [\d-]+ [\d:]+ UTC\) average \d+m \d+s, \d+% above the baseline's \d+m \d+s and beyond the \d+m \d+s that chance alone reaches: a sustained shift; method: EWMA, λ 0.2 \(each new value weighs 20%\), control limit 3σ of the EWMA(; cycle_time has crept up .*: a gradual drift; .*)?$/,
  )
  assert.is(i.reason, drift.reason)
})

/** Cycle times that drift linearly from ×1 to ×`total` over 35 days (12 runs a day, ±15 % log-normal noise). */
function ramp(seed: number, total: number): Observation[] {
  const rand = mulberry32(seed)
  const normal = () => Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-12))) * Math.cos(2 * Math.PI * rand())
  return Array.from({ length: 35 * 12 }, (_, k) => ({
    process: 'ci',
    indicator: 'cycle_time',
    value: 570 * Math.exp(0.15 * normal()) * (1 + ((total - 1) * k) / (35 * 12)),
    at: now - 35 * day + (k * day) / 12 + 1000,
  }))
}

test('a slow drift (+30 % over 35 days, the baseline drifting along) is caught by the CUSUM against the oldest third of the baseline', () => {
  for (let seed = 1; seed <= 12; seed++) {
    const i = judgeIndicator(ci, ci.indicators[0], ramp(seed, 1.3), { now })
    const level = i.checks.find((c) => c.name === 'baseline')!
    const drift = i.checks.find((c) => c.name === 'drift')!
    assert.is(i.state, 'degraded', `seed ${seed}: ${i.reason}`)
    // The recent median is no outlier against a baseline that drifted with it...
    assert.is(level.state, 'healthy', `seed ${seed}: ${level.reason}`)
    // ...but the runs since the anchor add up.
    assert.is(drift.state, 'degraded')
    assert.ok(drift.numbers.cusum > 8, `seed ${seed}: CUSUM ${drift.numbers.cusum}`)
    assert.is(drift.numbers.anchorCount, 112, 'the oldest third of 336 baseline runs')
    assert.match(
      drift.reason,
      /cycle_time has crept up over the last \d+ observations: the median over the last 3d is \d+m \d+s, \d+% above its oldest 112 baseline observations \(median \d+m \d+s\): a gradual drift; method: CUSUM \(Page\), the sum of each value's excess over the anchor beyond a slack of 0.5σ, [\d.]+σ against a limit of 8σ/,
    )
  }
  // A steeper ramp, and one where higher is better, read the same way.
  assert.is(judgeIndicator(ci, ci.indicators[0], ramp(5, 1.5), { now }).state, 'degraded')
  const faster = defineProcess({
    name: 'ci',
    owner: 'x',
    indicators: [{ name: 'cycle_time', kind: 'duration', unit: 's', better: 'higher' }],
  })
  assert.is(
    judgeIndicator(faster, faster.indicators[0], ramp(5, 1.3), { now }).state,
    'healthy',
    'slower is better here',
  )
  assert.is(judgeIndicator(faster, faster.indicators[0], ramp(5, 0.7), { now }).state, 'degraded')
})

test('steady histories stay healthy under the drift checks (40 seeds, cycle and queue times)', () => {
  const flagged: string[] = []
  for (let seed = 1; seed <= 40; seed++) {
    const history = ciHistory({ now, seed })
    for (const indicator of ci.indicators.filter((x) => x.kind === 'duration')) {
      const i = judgeIndicator(
        ci,
        indicator,
        history.filter((o) => o.indicator === indicator.name),
        { now },
      )
      const drift = i.checks.find((c) => c.name === 'drift')!
      if (drift.state !== 'healthy') flagged.push(`seed ${seed} ${indicator.name}: ${drift.reason}`)
      assert.ok(drift.numbers.cusum >= 0 && drift.numbers.cusumLimit === 8)
    }
    assert.is(judgeIndicator(ci, ci.indicators[0], ramp(seed, 1), { now }).state, 'healthy', `flat ramp, seed ${seed}`)
  }
  assert.equal(flagged, [])
})

test('counts drift too: deployments falling from 8 to 2 a day over five weeks, no single period an outlier against the drifting baseline', () => {
  const dora = calendarDora()
  const obs: Observation[] = []
  for (let d = 35; d >= 1; d--) {
    const perDay = Math.round(8 - (6 * (35 - d)) / 34)
    for (let k = 0; k < perDay; k++)
      obs.push({ process: 'dora', indicator: 'deployments', value: 1, at: now - d * day + (k + 1) * 3_600_000 })
  }
  const deployments = judgeProcess(dora, obs, { now }).indicators.find((i) => i.indicator === 'deployments')!
  const drift = deployments.checks.find((c) => c.name === 'drift')!
  assert.is(
    deployments.checks.find((c) => c.name === 'baseline')!.state,
    'healthy',
    'the recent mean is within the spread of the drifted baseline',
  )
  assert.is(drift.state, 'degraded', deployments.reason)
  assert.is(deployments.state, 'degraded')
  assert.match(
    drift.reason,
    /^deployments has crept down over the last \d+ 1d periods: the mean over the last 3d is [\d.]+ deployments\/day, \d+% below its oldest \d+ baseline 1d periods \(mean [\d.]+ deployments\/day\): a gradual drift; method: CUSUM \(Page\), .*, [\d.]+σ against a limit of 8σ$/,
  )
})

test('too little history is unknown, never a guess; indicators never recorded do not make the process unknown', () => {
  const few = ciHistory({ now, days: 3.4 }).filter((o) => o.indicator === 'cycle_time')
  const p = judgeProcess(ci, few, { now })
  const cycle = byName(p, 'cycle_time')
  assert.is(cycle.state, 'unknown')
  assert.is(cycle.unknownCause, 'too-little-data')
  assert.match(
    cycle.reason,
    /only \d+ observations for a baseline \(the 182d before, widened from 3d and 28d for too few events\); need 10 to judge/,
  )
  assert.is(byName(p, 'queue_time').unknownCause, 'no-data')
  assert.is(p.state, 'unknown')

  const onlyCycle = ciHistory({ now }).filter((o) => o.indicator === 'cycle_time')
  const q = judgeProcess(ci, onlyCycle, { now })
  assert.is(q.state, 'healthy', q.reason)
  assert.match(
    q.reason,
    /1 of 4 indicators healthy \(cycle_time\); not judged, nothing recorded recently: queue_time \(none in the last \d+d\); success_rate \(none in the last \d+d\); flaky_rate \(none in the last \d+d\)/,
  )

  const none = judgeProcess(ci, [], { now })
  assert.is(none.state, 'unknown')
  assert.match(none.reason, /no observations of any indicator/)
})

test('observations after now are ignored, so judging as of a past instant is deterministic', () => {
  const history = ciHistory({ now, seed: 7, slowdown: 1.6 })
  const before = now - 4 * day
  const p = judgeProcess(ci, history, { now: before })
  assert.is(p.state, 'healthy', p.reason)
  assert.is(byName(p, 'cycle_time').windows.to, before)
})

test('a success-rate drop is degraded by its binomial tail; a flaky blip is not', () => {
  const rand = mulberry32(3)
  const obs: Observation[] = []
  for (let k = 0; k < 31 * 12; k++) {
    const at = now - 31 * day + k * (day / 12) + 1000
    const recent = at > now - 3 * day
    obs.push({ process: 'ci', indicator: 'success_rate', value: rand() < (recent ? 0.7 : 0.96) ? 1 : 0, at })
    // One flaky run at the very end is within what a 3 % flaky rate produces.
    obs.push({
      process: 'ci',
      indicator: 'flaky_rate',
      value: k === 31 * 12 - 1 || (!recent && rand() < 0.03) ? 1 : 0,
      at,
    })
  }
  const p = judgeProcess(ci, obs, { now })
  const success = byName(p, 'success_rate')
  assert.is(success.state, 'degraded', success.reason)
  assert.match(
    success.reason,
    /success_rate over the last 3d is \d+(\.\d)?% \(\d+ of 36\), below its usual \d+(\.\d)?% \(\d+ of 336 over the 28d before\); it rests on \d+ failures in 372 trials; method: beta-binomial p .* < 0.0013/,
  )
  assert.is(byName(p, 'flaky_rate').state, 'healthy', byName(p, 'flaky_rate').reason)
})

test('an SLO is judged by its burn rate over the recent window, confirmed by the short window', () => {
  const gate = defineProcess({
    name: 'gate',
    owner: 'qa',
    indicators: [
      { name: 'pass_rate', kind: 'rate', better: 'higher', objective: { slo: 0.95 }, judge: { minBaseline: 1000 } },
    ],
  })
  const obs = (failEvery: number, recentFailEvery: number): Observation[] =>
    Array.from({ length: 200 }, (_, k) => {
      const at = now - 10 * day + k * ((10 * day) / 200) + 1
      const every = at > now - 3 * day ? recentFailEvery : failEvery
      return { process: 'gate', indicator: 'pass_rate', value: k % every === 0 ? 0 : 1, at }
    })
  const burning = judgeProcess(gate, obs(50, 3), { now })
  const slo = burning.indicators[0].checks.find((c) => c.name === 'slo')!
  assert.is(slo.state, 'degraded', slo.reason)
  assert.ok(slo.numbers.burnRate > 6 && slo.numbers.burnRate < 7, String(slo.numbers.burnRate))
  assert.match(
    slo.reason,
    /the SLO of 95% leaves a 5% error budget, burning at 6\.\d+×, at least [\d.]+× with 95 % confidence \(limit 1×/,
  )
  // The baseline needs more data than there is: the SLO alone makes it degraded, never healthy.
  assert.is(burning.state, 'degraded')

  const fine = judgeProcess(gate, obs(50, 50), { now })
  const ok = fine.indicators[0].checks.find((c) => c.name === 'slo')!
  assert.is(ok.state, 'healthy', ok.reason)
  assert.is(fine.indicators[0].state, 'unknown', 'the baseline is still too short: unknown, not healthy')
})

test('a duration SLO counts the events within its threshold and burns on those over it', () => {
  const p = defineProcess({
    name: 'ci',
    owner: 'platform',
    indicators: [
      { name: 'cycle_time', kind: 'duration', unit: 's', better: 'lower', objective: { slo: 0.9, threshold: '15m' } },
    ],
  })
  // 12 runs a day for 10 days at 10 min; in the last 3 days every third run takes 20 min.
  const obs = (slowEvery: number): Observation[] =>
    Array.from({ length: 120 }, (_, k) => {
      const at = now - 10 * day + (k * day) / 12 + 1000
      return {
        process: 'ci',
        indicator: 'cycle_time',
        value: at >= now - 3 * day && k % slowEvery === 0 ? 1200 : 600,
        at,
      }
    })
  const slo = judgeProcess(p, obs(3), { now }).indicators[0].checks.find((c) => c.name === 'slo')!
  assert.is(slo.state, 'degraded', slo.reason)
  // 12 of 36 over 15 min: error rate 1/3 against a 10 % budget.
  assert.ok(Math.abs(slo.numbers.burnRate - 10 / 3) < 1e-9, String(slo.numbers.burnRate))
  assert.match(
    slo.reason,
    /^cycle_time: 66\.7% within 15m over the last 3d \(24 of 36\); the SLO of 90% leaves a 10% error budget, burning at 3\.33×, at least [\d.]+× with 95 % confidence \(limit 1×, [\d.]+× over the last 6h\); over 28d: /,
  )
  const fine = judgeProcess(p, obs(1000), { now }).indicators[0].checks.find((c) => c.name === 'slo')!
  assert.is(fine.state, 'healthy', fine.reason)
  assert.match(
    fine.reason,
    /100% within 15m over the last 3d \(36 of 36\).*burning at 0× \(limit 1×\); over 28d: 100% within 15m, 0% of the budget spent$/,
  )
})

test('an SLO whose budget over its period is spent is degraded even when the recent window burns nothing', () => {
  const p = defineProcess({
    name: 'gate',
    owner: 'qa',
    indicators: [{ name: 'pass_rate', kind: 'rate', better: 'higher', objective: { slo: 0.95, window: '28d' } }],
  })
  // 28 days, 12 decisions a day: every 10th fails until 3 days ago, none since.
  const obs: Observation[] = Array.from({ length: 28 * 12 }, (_, k) => {
    const at = now - 28 * day + (k * day) / 12 + 1000
    return { process: 'gate', indicator: 'pass_rate', value: at < now - 3 * day && k % 10 === 0 ? 0 : 1, at }
  })
  const slo = judgeProcess(p, obs, { now }).indicators[0].checks.find((c) => c.name === 'slo')!
  assert.is(slo.state, 'degraded', slo.reason)
  assert.is(slo.numbers.burnRate, 0)
  const failed = obs.filter((o) => o.value === 0).length
  assert.ok(
    Math.abs(slo.numbers.periodBurnRate - failed / obs.length / 0.05) < 1e-9,
    String(slo.numbers.periodBurnRate),
  )
  assert.ok(slo.numbers.periodBurnRate > 1)
  assert.match(
    slo.reason,
    /^pass_rate: SLO of 95% missed over 28d: 9\d\.\d% good, 1\d\d% of the budget spent; recent burn 0×$/,
  )
})

test('DORA deployment frequency: weekly, monthly and yearly buckets', () => {
  const at = (weeksAgo: number) => ({
    process: 'dora',
    indicator: 'deployments',
    value: 1,
    at: now - weeksAgo * 7 * day,
  })
  const weekly = deploymentFrequencyTier(
    [12.5, 11.5, 10.5, 9.5, 8.5, 7.5, 6.5, 5.5, 4.5, 3.5, 2.5, 1.5, 0.5].map(at),
    now,
  )!
  assert.equal([weekly.tier, weekly.bucket], ['high', 'weekly'])
  assert.match(
    weekly.reason,
    /^weekly: 13 deployments in 13 weeks; median 1 deployment days per week; most weeks have a deployment$/,
  )
  const monthly = deploymentFrequencyTier([12.5, 8.5, 4.5, 0.5].map(at), now)!
  assert.equal([monthly.tier, monthly.bucket], ['medium', 'monthly'])
  const yearly = deploymentFrequencyTier([12.5, 0.5].map(at), now)!
  assert.equal([yearly.tier, yearly.bucket], ['low', 'yearly'])
  assert.match(yearly.reason, /2 deployments in 13 weeks/)
  // Weeks before the first deployment are left out, not read as empty: two weeks of daily deploys are daily.
  const recentStart = Array.from({ length: 12 }, (_, k) => at((k + 0.5) / 7))
  assert.equal(deploymentFrequencyTier(recentStart, now)?.bucket, 'daily')
  assert.is(deploymentFrequencyTier([], now), undefined)
})

test('DORA lead time and time to restore: every bucket, lead times ≤ 0 excluded', () => {
  const dora = doraProcess()
  const tierOf = (indicator: string, hours: number[]) => {
    const obs = hours.map((h, k) => ({ process: 'dora', indicator, value: h, at: now - k * day }))
    return judgeProcess(dora, obs, { now }).indicators.find((i) => i.indicator === indicator)!.tier
  }
  assert.equal(tierOf('time_to_restore', [0.5, 1, 3])?.bucket, 'one day')
  assert.match(
    tierOf('time_to_restore', [0.5, 1, 3])!.reason,
    /^one day: median time to restore 1h over 3 in 13 weeks \(< 24h\)$/,
  )
  assert.equal(tierOf('time_to_restore', [30, 50, 70])?.bucket, 'one week')
  assert.equal(tierOf('time_to_restore', [200, 300, 400])?.bucket, 'one month')
  assert.equal(
    [tierOf('lead_time', [800, 1000, 2000])?.tier, tierOf('lead_time', [800, 1000, 2000])?.bucket],
    ['low', 'six months'],
  )
  assert.equal(tierOf('lead_time', [5000, 6000, 7000])?.bucket, 'one year')
  // Automated pushes give lead times ≤ 0; Four Keys leaves them out of the median.
  const lead = tierOf('lead_time', [-5, 0, 0, 0, 30, 40])!
  assert.equal(lead.bucket, 'one week')
  assert.match(lead.reason, /median lead time 1d 11h over 2 in 13 weeks/)
  assert.is(tierOf('lead_time', [0, -1]), undefined)
})

test('a threshold objective on a duration percentile', () => {
  const p = defineProcess({
    name: 'ci',
    owner: 'platform',
    indicators: [
      { name: 'cycle_time', kind: 'duration', unit: 's', better: 'lower', objective: { stat: 'p90', max: '10m' } },
    ],
  })
  const history = ciHistory({ now, seed: 2 }).filter((o) => o.indicator === 'cycle_time')
  const i = judgeProcess(p, history, { now }).indicators[0]
  const objective = i.checks.find((c) => c.name === 'objective')!
  assert.is(objective.state, 'degraded', objective.reason)
  assert.match(objective.reason, /^p90 cycle_time over the last 3d is \d+m \d+s, above its objective of at most 10m$/)
})

test('counts: deployments per day drop, days without deployments count as zero', () => {
  const dora = calendarDora()
  const obs: Observation[] = []
  for (let d = 35; d >= 0; d--) {
    const perDay = d < 3 ? (d === 1 ? 1 : 0) : 4
    for (let k = 0; k < perDay; k++)
      obs.push({ process: 'dora', indicator: 'deployments', value: 1, at: now - d * day - (k + 1) * 3_600_000 })
  }
  const p = judgeProcess(dora, obs, { now })
  const deployments = p.indicators.find((i) => i.indicator === 'deployments')!
  assert.is(deployments.state, 'degraded', deployments.reason)
  assert.match(
    deployments.reason,
    /deployments over the last 3d averages 0.333 deployments\/day \(1 in 3 1d periods\), 92% below its usual 4 deployments\/day \(the mean of the 28d before the last 3d, median 4\); method: z /,
  )
  assert.equal(deployments.tier?.bucket, 'daily')
  assert.is(deployments.tier?.tier, 'elite')
})

test('counts only start when recording started', () => {
  const dora = calendarDora()
  const obs: Observation[] = []
  for (let d = 5; d >= 0; d--)
    obs.push({ process: 'dora', indicator: 'deployments', value: 1, at: now - d * day - 3_600_000 })
  const deployments = judgeProcess(dora, obs, { now }).indicators[0]
  assert.is(deployments.state, 'unknown')
  assert.match(deployments.reason, /only 3 1d periods for a baseline/)
})

test('DORA tiers follow Four Keys buckets', () => {
  const dora = doraProcess()
  const lead: Observation[] = [2, 30, 40, 50, 60].map((h, k) => ({
    process: 'dora',
    indicator: 'lead_time',
    value: h,
    at: now - k * day,
  }))
  const lt = judgeProcess(dora, lead, { now }).indicators.find((i) => i.indicator === 'lead_time')!
  assert.equal(lt.tier?.bucket, 'one week')
  assert.match(lt.tier!.reason, /median lead time 1d 16h over 5 in 13 weeks/)
  const cfr: Observation[] = Array.from({ length: 20 }, (_, k) => ({
    process: 'dora',
    indicator: 'change_failure_rate',
    value: k < 5 ? 1 : 0,
    at: now - k * day,
  }))
  const c = judgeProcess(dora, cfr, { now }).indicators.find((i) => i.indicator === 'change_failure_rate')!
  assert.equal(c.tier?.bucket, '16-45%')
})

test('a one-sided CUSUM adds up excesses beyond its slack and says since when', () => {
  const r = cusum([0, 1, 1, 1, 0, 2, 2], 0, 1, 0.5)
  // 0, .5, 1, 1.5, 1, 2.5, 4
  assert.is(r.value, 4)
  assert.is(r.max, 4)
  assert.is(r.since, 1)
  assert.equal(cusum([3, -10, 0.2], 0, 1, 0.5), { value: 0, max: 2.5, since: -1 })
})

test('robust statistics: MAD, the MeanAD fallback, and an exact EWMA variance', () => {
  const r = robust([1, 2, 3, 4, 100])
  assert.is(r.median, 3)
  assert.is(r.mad, 1)
  const flat = robust([5, 5, 5, 5, 9])
  assert.is(flat.mad, 0)
  assert.ok(Math.abs(flat.scale - 1.253314 * 0.8) < 1e-9)
  const e = ewma([1, 1, 1], 0, 1, 0.2)
  // σ_z² = λ/(2−λ)·(1 − (1−λ)^{2t})
  assert.ok(Math.abs(e.sd ** 2 - (0.2 / 1.8) * (1 - 0.8 ** 6)) < 1e-12)
  assert.ok(Math.abs(e.value - (1 - 0.8 ** 3)) < 1e-12)
})

test('a degraded duration where higher is better reads the other way', () => {
  const p: ProcessDefinition = defineProcess({
    name: 'tests',
    owner: 'qa',
    indicators: [{ name: 'coverage_time', kind: 'duration', unit: 'min', better: 'higher' }],
  })
  const obs: Observation[] = Array.from({ length: 60 }, (_, k) => ({
    process: 'tests',
    indicator: 'coverage_time',
    value: k >= 50 ? 5 : 10 + (k % 3),
    at: now - 30 * day + k * ((30 * day) / 60) + 1,
  }))
  const i = judgeProcess(p, obs, { now }).indicators[0]
  assert.is(i.state, 'degraded', i.reason)
  assert.match(
    i.reason,
    /^median coverage_time over the last 3d is 5m \(\d+ observations\), 55% below its usual 11m \(the median of the 28d before, \d+ observations\); method: modified z/,
  )
})

test.run()
