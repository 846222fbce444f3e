import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { roundSignificant, roundTo } from '@steady/kernel'

test('rounds to decimals', () => {
  assert.is(roundTo(1.23456, 3), 1.235)
  assert.is(roundTo(2.5, 0), 3)
  assert.is(roundTo(-1.23456, 2), -1.23)
  assert.is(roundTo(1234.5678, 1), 1234.6)
  assert.is(roundTo(0.0004, 3), 0)
})

test('rounds to significant digits; 0 and non-finite values pass through', () => {
  assert.is(roundSignificant(123456), 123500)
  assert.is(roundSignificant(0.000123456), 0.0001235)
  assert.is(roundSignificant(-98.7654, 3), -98.8)
  assert.is(roundSignificant(1.5, 1), 2)
  assert.is(roundSignificant(0), 0)
  assert.ok(Number.isNaN(roundSignificant(Number.NaN)))
  assert.is(roundSignificant(Number.POSITIVE_INFINITY), Number.POSITIVE_INFINITY)
})

test.run()
