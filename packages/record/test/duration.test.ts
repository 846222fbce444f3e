import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseDuration, formatDuration } from '@steady/record/internal'
import { SteadyError } from '@steady/record'

test('parses k6-style durations', () => {
  assert.is(parseDuration('30s'), 30_000)
  assert.is(parseDuration('5m'), 300_000)
  assert.is(parseDuration('1h30m'), 5_400_000)
  assert.is(parseDuration('250ms'), 250)
  assert.is(parseDuration('1.5s'), 1500)
  assert.is(parseDuration('2m30s'), 150_000)
  assert.is(parseDuration('500us'), 0.5)
  assert.is(parseDuration(1200), 1200)
  assert.is(parseDuration(' 10s '), 10_000)
})

test('a bare number string asks for a unit', () => {
  try {
    parseDuration('30', 'plans.default.phases[1].duration')
    assert.unreachable()
  } catch (e) {
    assert.instance(e, SteadyError)
    const err = e as SteadyError
    assert.is(err.code, 'STEADY_DURATION_INVALID')
    assert.match(err.message, 'plans.default.phases[1].duration')
    assert.match(err.hint ?? '', '"30s"')
  }
})

test('garbage names the field and the accepted units', () => {
  for (const bad of ['5 min', 'abc', '', '10x', '-5s', '1h30', 's']) {
    try {
      parseDuration(bad, 'timeout')
      assert.unreachable(`accepted ${bad}`)
    } catch (e) {
      const err = e as SteadyError
      assert.is(err.code, 'STEADY_DURATION_INVALID', bad)
      assert.match(err.message, 'timeout')
      assert.ok(err.hint && err.hint.length > 0)
      assert.is(err.exitCode, 2)
    }
  }
  assert.throws(() => parseDuration(Number.NaN))
  assert.throws(() => parseDuration(-1))
})

test('formats durations the way people write them', () => {
  assert.is(formatDuration(250), '250ms')
  assert.is(formatDuration(1500), '1.5s')
  assert.is(formatDuration(150_000), '2m30s')
  assert.is(formatDuration(5_400_000), '1h30m')
  assert.is(formatDuration(0.5), '500µs')
  for (const s of ['30s', '5m', '1h30m', '250ms'])
    assert.is(parseDuration(formatDuration(parseDuration(s))), parseDuration(s))
})

test.run()
