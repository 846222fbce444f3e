/** Profiles: k6's executors, defaults and validation; thresholds in k6 syntax; back to k6 options. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { resolveProfile, resolveLoadConfig, pickProfile } from '../src/profile.ts'
import {
  compileThresholds,
  evaluateThresholds,
  parseThresholdExpression,
  parseThresholdKey,
} from '../src/thresholds.ts'
import { k6Duration, toK6Options } from '../src/k6/options.ts'
import { RunTotals } from '../src/metrics/totals.ts'
import { WindowCollector, type WindowSnapshot } from '../src/metrics/windows.ts'
import { VirtualClock } from '@steady/kernel'

const fails = (raw: unknown, message: string) => {
  try {
    resolveProfile('peak', raw)
    assert.unreachable(`expected: ${message}`)
  } catch (e) {
    assert.match(String((e as { code?: string }).code), /^STEADY_LOAD_(PROFILE|THRESHOLD)_INVALID$/, String(e))
    assert.match((e as Error).message, message)
  }
}

test("k6's defaults for every executor", () => {
  const si = resolveProfile('p', { executor: 'shared-iterations' })
  assert.equal(
    [si.executor, si.executor === 'shared-iterations' && [si.vus, si.iterations, si.maxDurationMs]],
    ['shared-iterations', [1, 1, 600_000]],
  )
  assert.is(si.gracefulStopMs, 30_000)
  assert.is(si.startTimeMs, 0)
  assert.is(si.exec, 'default')
  const rv = resolveProfile('p', { executor: 'ramping-vus', stages: [{ duration: '10s', target: 5 }] })
  assert.ok(rv.executor === 'ramping-vus' && rv.startVUs === 1 && rv.gracefulRampDownMs === 30_000)
  const car = resolveProfile('p', { executor: 'constant-arrival-rate', rate: 5, duration: '1m', preAllocatedVUs: 3 })
  assert.ok(car.executor === 'constant-arrival-rate' && car.timeUnitMs === 1000 && car.maxVUs === 3)
  const rar = resolveProfile('p', {
    executor: 'ramping-arrival-rate',
    stages: [{ duration: '1m', target: 5 }],
    preAllocatedVUs: 3,
  })
  assert.ok(rar.executor === 'ramping-arrival-rate' && rar.startRate === 0 && rar.maxVUs === 3)
  const cv = resolveProfile('p', {
    executor: 'constant-vus',
    duration: '30s',
    startTime: '1m',
    gracefulStop: '5s',
    exec: 'browse',
    tags: { team: 'x' },
  })
  assert.ok(
    cv.executor === 'constant-vus' &&
      cv.vus === 1 &&
      cv.startTimeMs === 60_000 &&
      cv.gracefulStopMs === 5000 &&
      cv.exec === 'browse',
  )
  assert.equal(cv.tags, { team: 'x' })
})

test('invalid profiles: errors name the profile and the field', () => {
  fails(
    { executor: 'constant-arrival-rate', duration: '1m', preAllocatedVUs: 5 },
    'load.profiles.peak: rate is required for executor constant-arrival-rate',
  )
  fails({ executor: 'constant-arrival-rate', rate: 5, preAllocatedVUs: 5 }, 'duration is required')
  fails({ executor: 'constant-arrival-rate', rate: 5, duration: '1m' }, 'preAllocatedVUs is required')
  fails({ executor: 'constant-arrival-rate', rate: 0, duration: '1m', preAllocatedVUs: 1 }, 'rate must be at least 1')
  fails(
    { executor: 'constant-arrival-rate', rate: 1.5, duration: '1m', preAllocatedVUs: 1 },
    'rate must be a whole number',
  )
  fails(
    { executor: 'constant-arrival-rate', rate: 5, duration: '1m', preAllocatedVUs: 10, maxVUs: 5 },
    'maxVUs (5) must be at least preAllocatedVUs (10)',
  )
  fails(
    { executor: 'constant-arrival-rate', rate: 5, duration: 'soon', preAllocatedVUs: 1 },
    'duration "soon" is not a duration',
  )
  fails(
    { executor: 'constant-arrival-rate', rate: 5, duration: '1m', preAllocatedVUs: 1, vus: 3 },
    'vus is not a field of executor constant-arrival-rate',
  )
  fails({ executor: 'ramping-vus' }, 'stages is required')
  fails({ executor: 'ramping-vus', stages: [] }, 'stages must be a non-empty array')
  fails({ executor: 'ramping-vus', stages: [{ duration: '1m' }] }, 'stages[0].target must be a whole number')
  fails({ executor: 'ramping-vus', startVUs: 0, stages: [{ duration: '1m', target: 0 }] }, 'never have a VU')
  fails({ executor: 'shared-iterations', vus: 10, iterations: 5 }, 'iterations (5) must be at least vus (10)')
  fails({ executor: 'constant-vus' }, 'duration is required')
  fails({ executor: 'externally-controlled', duration: '1m' }, 'removed in k6 v2')
  fails({ executor: 'constant-rate' }, 'executor "constant-rate" is not a valid executor')
  fails({ rate: 5 }, 'executor is required')
  fails({ executor: 'constant-vus', duration: '1m', engine: 'k6' }, "script is required with engine: 'k6'")
  fails(
    { executor: 'constant-vus', duration: '1m', thresholds: { http_req_duration: ['p(101)<5'] } },
    'percentile outside 0–100',
  )
  fails(
    { executor: 'constant-vus', duration: '1m', thresholds: { http_req_duration: ['count>5'] } },
    'http_req_duration is a trend; "count" does not apply',
  )
  fails({ executor: 'constant-vus', duration: '1m', thresholds: { checks: ['p(95)<5'] } }, 'checks is a rate')
  fails(
    { executor: 'constant-vus', duration: '1m', thresholds: { 'http_req_duration{status}': ['p(95)<5'] } },
    'without tag:value',
  )
})

test('the load section: shared thresholds, names, a missing profile lists the others', () => {
  const all = resolveLoadConfig({
    profiles: {
      a: { executor: 'constant-vus', duration: '1s' },
      b: { executor: 'constant-vus', duration: '1s', thresholds: { checks: ['rate>0.5'] } },
    },
    thresholds: { checks: ['rate>0.9'] },
  })
  assert.equal(
    all.get('a')!.thresholds.checks.map((t) => t.threshold),
    ['rate>0.9'],
  )
  assert.equal(
    all.get('b')!.thresholds.checks.map((t) => t.threshold),
    ['rate>0.5'],
  )
  try {
    pickProfile({ profiles: { a: { executor: 'constant-vus', duration: '1s' } } }, 'z')
    assert.unreachable()
  } catch (e) {
    assert.match((e as Error).message, 'no load profile "z"')
    assert.match((e as { hint: string }).hint, 'a')
  }
})

test('threshold keys and expressions in k6 syntax', () => {
  assert.equal(parseThresholdKey('http_req_duration{scenario:peak,status:200}'), {
    metric: 'http_req_duration',
    tags: { scenario: 'peak', status: '200' },
  })
  assert.equal(parseThresholdKey('group_duration{group:::checkout}'), {
    metric: 'group_duration',
    tags: { group: '::checkout' },
  })
  assert.equal(parseThresholdExpression('p(99.9) <= 250'), {
    aggregation: 'p(N)',
    percentile: 99.9,
    operator: '<=',
    value: 250,
  })
  assert.equal(parseThresholdExpression('rate<0.01'), { aggregation: 'rate', operator: '<', value: 0.01 })
  assert.equal(parseThresholdExpression('count===0'), { aggregation: 'count', operator: '===', value: 0 })
})

test('thresholds evaluate over the whole run, with tag filters', async () => {
  const clock = new VirtualClock()
  const windows: WindowSnapshot[] = []
  const c = new WindowCollector({ clock, t0: 0, windowMs: 1000, onWindow: (w) => windows.push(w) })
  for (let i = 0; i < 100; i++) {
    c.trend('http_req_duration', { scenario: 'p', status: i < 90 ? '200' : '500' }, i < 90 ? 10 : 900)
    c.count('http_reqs', { scenario: 'p' }, 1)
    c.rate('http_req_failed', { scenario: 'p' }, i >= 90)
    if (i === 50) await clock.advance(1500)
  }
  c.gauge('vus', {}, 7)
  await clock.advance(500)
  await c.flush()
  const totals = new RunTotals()
  for (const w of windows) totals.add(w)
  const t = compileThresholds(
    {
      'http_req_duration{status:200}': [{ threshold: 'p(95)<50', abortOnFail: false, delayAbortEvalMs: 0 }],
      http_req_duration: [
        { threshold: 'p(95)<50', abortOnFail: false, delayAbortEvalMs: 0 },
        { threshold: 'max>=900', abortOnFail: false, delayAbortEvalMs: 0 },
      ],
      http_req_failed: [{ threshold: 'rate<0.05', abortOnFail: false, delayAbortEvalMs: 0 }],
      http_reqs: [
        { threshold: 'count==100', abortOnFail: false, delayAbortEvalMs: 0 },
        { threshold: 'rate>40', abortOnFail: false, delayAbortEvalMs: 0 },
      ],
      vus: [{ threshold: 'value==7', abortOnFail: false, delayAbortEvalMs: 0 }],
    },
    'test',
  )
  const r = evaluateThresholds(t, totals)
  assert.equal(
    r.map((x) => [x.key, x.source, x.ok]),
    [
      ['http_req_duration{status:200}', 'p(95)<50', true],
      ['http_req_duration', 'p(95)<50', false],
      ['http_req_duration', 'max>=900', true],
      ['http_req_failed', 'rate<0.05', false],
      ['http_reqs', 'count==100', true],
      ['http_reqs', 'rate>40', true],
      ['vus', 'value==7', true],
    ],
  )
  assert.is(r[3].actual, 0.1)
  assert.is(r[5].actual, 50)
})

test('profiles go back to k6 options unchanged', () => {
  assert.is(k6Duration(90_000), '1m30s')
  assert.is(k6Duration(61_500), '1m1s500ms')
  assert.is(k6Duration(0), '0s')
  assert.is(k6Duration(3_600_000), '1h')
  const p = resolveProfile('peak', {
    executor: 'ramping-arrival-rate',
    startRate: 5,
    timeUnit: '1m',
    preAllocatedVUs: 3,
    maxVUs: 9,
    stages: [{ duration: '1m30s', target: 20 }],
    thresholds: {
      checks: [{ threshold: 'rate>0.9', abortOnFail: true, delayAbortEval: '10s' }],
      http_req_failed: ['rate<0.01'],
    },
  })
  assert.equal(toK6Options(p, 'peak'), {
    scenarios: {
      peak: {
        executor: 'ramping-arrival-rate',
        gracefulStop: '30s',
        exec: 'peak',
        startRate: 5,
        timeUnit: '1m',
        stages: [{ duration: '1m30s', target: 20 }],
        preAllocatedVUs: 3,
        maxVUs: 9,
      },
    },
    thresholds: {
      checks: [{ threshold: 'rate>0.9', abortOnFail: true, delayAbortEval: '10s' }],
      http_req_failed: ['rate<0.01'],
    },
  })
})

test.run()
