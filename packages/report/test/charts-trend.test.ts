/**
 * The trend line of an indicator chart (`src/charts/trend.ts`): the
 * verdict's lines when it gives them, else the report's own Theil–Sen fit
 * per phase after the judge's warm-up, cut at a restart.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { RunRecord } from '@steady/record'
import { reportTrend, verdictTrend } from '../src/charts/trend.ts'

function record(events: RunRecord['events'] = []): RunRecord {
  return {
    window: { sizeMs: 1000 },
    phases: [
      { name: 'nominal', startMs: 0, endMs: 60_000 },
      { name: 'peak', startMs: 60_000, endMs: 90_000 },
    ],
    events,
  } as unknown as RunRecord
}

test("the verdict's lines are drawn as given, in the chart's unit, each with its phase and slope per hour", () => {
  const line = { fromMs: 10_000, toMs: 20_000, slopePerMs: 0.001, atFrom: 5 }
  const t = verdictTrend(record(), 90, [line], 2)
  assert.is(t.fit[9], null)
  assert.ok(Math.abs(t.fit[10]! - 11) < 1e-9, String(t.fit[10]))
  assert.is(t.fit[20], null)
  assert.is(t.slopes.length, 1)
  const [s] = t.slopes
  assert.equal([s.phase, s.source, s.spanMs, s.from], ['nominal', 'verdict', 10_000, 10])
  assert.ok(Math.abs(s.perHour - 7200) < 1e-6 && Math.abs(s.to - 30) < 1e-9, JSON.stringify(s))
})

test("the report's own trend: one line per phase after the judge's warm-up, apart on either side of a restart", () => {
  const values = Array.from({ length: 90 }, (_, i) => (i < 60 ? 100 + i : 500 + 2 * (i - 60)))
  const plain = reportTrend(record(), 90, values)
  assert.equal(
    plain.slopes.map((s) => s.phase),
    ['nominal', 'peak'],
  )
  assert.ok(plain.slopes.every((s) => s.source === 'report'))
  // 1 per 1 s window in nominal, 2 in peak.
  assert.ok(Math.abs(plain.slopes[0].perHour - 3600) < 1e-6, String(plain.slopes[0].perHour))
  assert.ok(Math.abs(plain.slopes[1].perHour - 7200) < 1e-6, String(plain.slopes[1].perHour))
  // No warm-up recorded: the judge's default, a fifth of the phase (12 s of nominal, 6 s of peak).
  assert.is(plain.fit[11], null, "nominal's warm-up is not fitted")
  assert.ok(plain.fit[12] !== null && plain.fit[65] === null && plain.fit[66] !== null)
  assert.ok(Math.abs(plain.slopes[0].from - 112) < 1e-9, String(plain.slopes[0].from))
  const restarted = reportTrend(record([{ atMs: 30_000, kind: 'service-restart', message: 'restarted' }]), 90, values)
  assert.equal(
    restarted.slopes.map((s) => s.phase),
    ['nominal (before the restart)', 'nominal (after the restart)', 'peak'],
  )
})

test('no trend through fewer than five values', () => {
  const values = Array.from({ length: 90 }, (_, i) => (i >= 80 && i < 84 ? i : null))
  assert.equal(reportTrend(record(), 90, values).slopes, [])
})

test.run()
