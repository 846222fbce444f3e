import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SteadyError, formatDuration, parseDuration, type DurationSyntax } from '@steady/kernel'
import { durationUnitMs, k6Durations } from '../src/duration.ts'

function thrown(fn: () => unknown): SteadyError {
  try {
    fn()
  } catch (error) {
    assert.instance(error, SteadyError)
    return error as SteadyError
  }
  throw new Error('expected an error')
}

test('k6 notation into milliseconds; a number is milliseconds', () => {
  assert.is(parseDuration('250ms'), 250)
  assert.is(parseDuration('30s'), 30_000)
  assert.is(parseDuration('1h30m'), 5_400_000)
  assert.is(parseDuration('1.5s'), 1500)
  assert.is(parseDuration('2m30s'), 150_000)
  assert.is(parseDuration('500us'), 0.5)
  assert.is(parseDuration('500µs'), 0.5)
  assert.is(parseDuration('2d'), 2 * 86_400_000)
  assert.is(parseDuration(' 10s '), 10_000)
  assert.is(parseDuration(1200), 1200)
  assert.is(parseDuration(0), 0)
})

test('a bare number string asks for a unit and names the field', () => {
  const e = thrown(() => parseDuration('30', 'plans.default.phases[1].duration'))
  assert.is(e.code, 'STEADY_DURATION_INVALID')
  assert.is(e.message, 'plans.default.phases[1].duration: "30" has no unit')
  assert.is(e.hint, 'write it with a unit, e.g. "30s" or "30ms"')
  assert.equal(e.facts, { field: 'plans.default.phases[1].duration', value: '30' })
  assert.is(e.exitCode, 2)
})

test('garbage, negatives and weeks are not k6 durations; the hint lists the units', () => {
  for (const bad of ['5 min', 'abc', '', '10x', '-5s', '1h30', 's', '2w']) {
    const e = thrown(() => parseDuration(bad, 'timeout'))
    assert.is(e.code, 'STEADY_DURATION_INVALID', bad)
    assert.match(e.message, /^timeout: .* is not a duration$/)
    assert.is(e.hint, 'use a number with a unit: 250ms, 30s, 5m, 1h30m (units: us, ms, s, m, h, d)')
  }
  for (const bad of [Number.NaN, -1, Number.POSITIVE_INFINITY])
    assert.is(thrown(() => parseDuration(bad)).code, 'STEADY_DURATION_INVALID')
  assert.is(thrown(() => parseDuration(null as unknown as string, 'x')).message, 'x: null is not a duration')
})

test("a caller's syntax: its units (weeks), its code, its error class, its hint", () => {
  class HealthError extends SteadyError {}
  const long: DurationSyntax = {
    units: ['us', 'µs', 'ms', 's', 'm', 'h', 'd', 'w'],
    code: 'STEADY_HEALTH_DURATION_INVALID',
    examples: '250ms, 30s, 5m, 1h30m, 28d',
    bareNumberUnit: 'm',
    error: HealthError,
  }
  assert.is(parseDuration('2w', 'per', long), 2 * 604_800_000)
  assert.is(parseDuration('1w2d', 'per', long), 9 * 86_400_000)
  assert.is(parseDuration('250ms', 'per', long), 250)
  const bare = thrown(() => parseDuration('10', 'per', long))
  assert.instance(bare, HealthError)
  assert.is(bare.code, 'STEADY_HEALTH_DURATION_INVALID')
  assert.is(bare.hint, 'write it with a unit, e.g. "10s" or "10m"')
  const bad = thrown(() => parseDuration('soon', 'per', long))
  assert.instance(bad, HealthError)
  assert.is(bad.hint, 'use a number with a unit: 250ms, 30s, 5m, 1h30m, 28d (units: us, ms, s, m, h, d, w)')
  // A syntax without `m` does not read `5ms` as five minutes and a stray s.
  const short: DurationSyntax = { ...k6Durations, units: ['ms', 's'] }
  assert.is(parseDuration('5ms', 'x', short), 5)
  assert.is(
    thrown(() => parseDuration('5m', 'x', short)).hint,
    'use a number with a unit: 250ms, 30s, 5m, 1h30m (units: ms, s)',
  )
})

test('every unit has its milliseconds', () => {
  assert.equal(durationUnitMs, {
    us: 0.001,
    µs: 0.001,
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
    d: 86_400_000,
    w: 604_800_000,
  })
})

test('formats durations the way people write them, and back', () => {
  assert.is(formatDuration(0.5), '500µs')
  assert.is(formatDuration(2.5), '2.5ms')
  assert.is(formatDuration(250), '250ms')
  assert.is(formatDuration(1500), '1.5s')
  assert.is(formatDuration(12_345), '12.3s')
  assert.is(formatDuration(150_000), '2m30s')
  assert.is(formatDuration(5_400_000), '1h30m')
  assert.is(formatDuration(-1500), '-1.5s')
  assert.is(formatDuration(Number.POSITIVE_INFINITY), 'Infinity')
  for (const s of ['30s', '5m', '1h30m', '250ms', '2m30s'])
    assert.is(parseDuration(formatDuration(parseDuration(s))), parseDuration(s))
})

test.run()
