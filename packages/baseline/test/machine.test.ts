/** A far busier machine, as the load generator's start lateness shows it, against the baseline runs'. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { busierMachine, busierSentence } from '../src/judge/machine.ts'
import type { JudgeContext } from '../src/judge/context.ts'

/** A judge context with only what the rule reads: the phases that count and each run's lateness p95 there. */
function context(currentMs: number | undefined, baselineMs: number[]): JudgeContext {
  const summary = (p95: number | undefined) => ({
    series:
      p95 === undefined ? {} : { 'generator/start_lateness': { phases: { nominal: { p95 }, peak: { p95: p95 / 2 } } } },
  })
  return {
    primaryPhases: new Set(['nominal', 'peak']),
    current: summary(currentMs),
    rolling: baselineMs.map((ms) => ({ summary: summary(ms) })),
  } as unknown as JudgeContext
}

test('a run far later than every baseline run is on a busier machine; the sentence says both figures', () => {
  const busy = busierMachine(context(60, [2.5, 3, 4, 3.5, 2]))
  assert.ok(busy)
  assert.ok(Math.abs(busy!.currentMs - 60) < 1e-9 && Math.abs(busy!.baselineMs - 3) < 1e-9, JSON.stringify(busy))
  assert.match(
    busierSentence(busy!),
    'the load generator started iterations 60.0 ms late at p95, the baseline runs 3.00 ms',
  )
})

test('within the baseline runs own spread, less than twice their usual, or too few runs: not busier', () => {
  // Baseline runs that were themselves sometimes busy: 40 ms is within their spread.
  assert.is(busierMachine(context(40, [3, 45, 5, 30, 8])), undefined)
  // Far beyond a tight spread but less than twice the usual lateness.
  assert.is(busierMachine(context(5, [3, 3.01, 3.02, 2.99, 3])), undefined)
  assert.is(busierMachine(context(60, [3, 3])), undefined)
  // A run without a load generator (a probe-only soak) says nothing about the machine.
  assert.is(busierMachine(context(undefined, [3, 3, 3])), undefined)
})

test.run()
