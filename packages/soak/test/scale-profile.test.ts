/**
 * `--duration-scale` shortens a plan's load profiles with `scaleProfile`
 * (from @steady/load), called by the soak with the scale and the plan's
 * window: every duration, stage, graceful stop and threshold abort delay is
 * scaled; rates, VUs, targets and iteration counts are not.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { resolveProfile, type ResolvedProfile } from '@steady/load'
import { scaleProfile } from '@steady/load/internal'

function as<E extends ResolvedProfile['executor']>(
  p: ResolvedProfile,
  executor: E,
): Extract<ResolvedProfile, { executor: E }> {
  assert.is(p.executor, executor)
  return p as Extract<ResolvedProfile, { executor: E }>
}

test('constant-arrival-rate: duration, start time, graceful stop and threshold delays scale; the rate does not', () => {
  const p = resolveProfile('nominal', {
    executor: 'constant-arrival-rate',
    rate: 50,
    timeUnit: '1s',
    duration: '5m',
    startTime: '10s',
    gracefulStop: '30s',
    preAllocatedVUs: 10,
    maxVUs: 40,
    thresholds: {
      http_req_duration: ['p(95)<500', { threshold: 'p(99)<900', abortOnFail: true, delayAbortEval: '1m' }],
    },
  })
  const s = as(scaleProfile(p, 0.1, 1000), 'constant-arrival-rate')
  assert.is(s.durationMs, 30_000)
  assert.is(s.startTimeMs, 1000)
  assert.is(s.gracefulStopMs, 3000)
  assert.is(s.windowMs, 1000, 'the plan window, not the profile default')
  assert.equal([s.rate, s.timeUnitMs, s.preAllocatedVUs, s.maxVUs], [50, 1000, 10, 40])
  assert.equal(
    s.thresholds.http_req_duration.map((t) => [t.threshold, t.delayAbortEvalMs]),
    [
      ['p(95)<500', 0],
      ['p(99)<900', 6000],
    ],
  )
  // The original is left as it was (a plan runs the same profile in several phases).
  assert.is(as(p, 'constant-arrival-rate').durationMs, 300_000)
  assert.is(p.thresholds.http_req_duration[1].delayAbortEvalMs, 60_000)
})

test('ramping profiles: every stage duration scales, targets stay; ramp-down scales', () => {
  const ra = as(
    scaleProfile(
      resolveProfile('peak', {
        executor: 'ramping-arrival-rate',
        startRate: 5,
        timeUnit: '1s',
        preAllocatedVUs: 5,
        maxVUs: 50,
        stages: [
          { duration: '30s', target: 100 },
          { duration: '2m', target: 100 },
          { duration: '15s', target: 0 },
        ],
      }),
      0.1,
    ),
    'ramping-arrival-rate',
  )
  assert.equal(ra.stages, [
    { durationMs: 3000, target: 100 },
    { durationMs: 12_000, target: 100 },
    { durationMs: 1500, target: 0 },
  ])
  assert.is(ra.startRate, 5)
  const rv = as(
    scaleProfile(
      resolveProfile('vus', {
        executor: 'ramping-vus',
        startVUs: 1,
        gracefulRampDown: '20s',
        stages: [{ duration: '40s', target: 8 }],
      }),
      0.25,
    ),
    'ramping-vus',
  )
  assert.equal(rv.stages, [{ durationMs: 10_000, target: 8 }])
  assert.is(rv.gracefulRampDownMs, 5000)
  assert.is(rv.startVUs, 1)
})

test('iteration-based executors: maxDuration scales, iteration counts do not; nothing scales below 1 ms', () => {
  const shared = as(
    scaleProfile(
      resolveProfile('s', { executor: 'shared-iterations', vus: 4, iterations: 200, maxDuration: '10m' }),
      0.01,
    ),
    'shared-iterations',
  )
  assert.equal([shared.maxDurationMs, shared.vus, shared.iterations], [6000, 4, 200])
  const tiny = as(
    scaleProfile(resolveProfile('c', { executor: 'constant-vus', vus: 2, duration: '1s', gracefulStop: '1s' }), 0.0001),
    'constant-vus',
  )
  assert.is(tiny.durationMs, 1)
  assert.is(tiny.gracefulStopMs, 1)
  assert.is(tiny.vus, 2)
  // Scale 1 is the profile itself.
  const same = resolveProfile('c', { executor: 'constant-vus', vus: 2, duration: '1s' })
  assert.equal(scaleProfile(same, 1), same)
})

test.run()
