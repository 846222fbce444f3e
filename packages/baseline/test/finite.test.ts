/** A verdict never carries a number the judge could not compute: JSON would write NaN as null, which readers refuse. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Finding } from '@steady/record'
import { withoutNonFinite } from '../src/judge/judge.ts'

test('NaN and infinite numbers are left out of a finding, finite ones kept', () => {
  const f: Finding = {
    id: 'level:p50:x@warmup',
    kind: 'level',
    question: 'stable',
    status: 'not-judged',
    primary: false,
    baseline: 1.5,
    current: Number.NaN,
    detectable: Number.NaN,
    tolerance: 0.1,
    pValue: Number.POSITIVE_INFINITY,
    interval: [1, Number.NaN],
    evidence: { windows: 3, slopePerHour: Number.NaN, note: 'kept' },
    message: 'm',
  }
  const out = JSON.parse(JSON.stringify(withoutNonFinite(f))) as Record<string, unknown>
  assert.is(out.baseline, 1.5)
  assert.is(out.tolerance, 0.1)
  for (const k of ['current', 'detectable', 'pValue', 'interval']) assert.not.ok(k in out, k)
  assert.equal(out.evidence, { windows: 3, note: 'kept' })
  assert.not.match(JSON.stringify(out), 'null')
})

test.run()
