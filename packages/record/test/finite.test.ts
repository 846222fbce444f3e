/** Every number read from a file must be finite: JSON.parse('1e999') is Infinity. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { assertValid } from '@steady/record/internal'
import { isSteadyError, parseRunRecord, verdictSchema } from '@steady/record'

test('a run record with 1e999 anywhere is refused, naming the file and the field', () => {
  const text =
    '{"schema":"steady.run/1","kind":"run","series":[{"windows":[{"i":0,"count":1},{"i":1,"count":1,"p95":1e999}]}]}'
  try {
    parseRunRecord(text, 'reports/x/run.json')
    assert.unreachable('accepted Infinity')
  } catch (error) {
    assert.ok(isSteadyError(error))
    assert.is(error.code, 'STEADY_RECORD_NOT_FINITE')
    assert.is(error.exitCode, 2)
    assert.match(error.message, 'reports/x/run.json: series[0].windows[1].p95 must be a finite number, got Infinity')
  }
})

test('keys that are not identifiers are quoted in the path; -1e999 is named too', () => {
  try {
    assertValid(
      verdictSchema,
      { findings: [{ numbers: { 'p95 (ms)': -1e999 } }] },
      'verdict.json',
      'verdict',
      'pass a verdict',
    )
    assert.unreachable('accepted -Infinity')
  } catch (error) {
    assert.ok(isSteadyError(error))
    assert.match(error.message, 'verdict.json: findings[0].numbers["p95 (ms)"] must be a finite number, got -Infinity')
  }
})

test.run()
