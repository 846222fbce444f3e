/**
 * Screening a run before it joins a baseline (screenRun): clean runs of the
 * same service are not refused, a run whose windows swing far more than the
 * baseline's is, a saturated loaded phase is, and what cannot be judged is
 * said, not refused. Seeded synthetic runs: deterministic.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { RunRecord, SeriesWindow } from '@steady/record'
import { addRun, emptyBaseline, resolveGate, summariseRun, type BaselineFile } from '@steady/baseline'
import { screenRun } from '@steady/baseline/internal'
import { syntheticRun } from '@steady/baseline/testing'

const gate = resolveGate('default', {})
const at = (day: number, hour: number) => new Date(Date.UTC(2026, 10, day, hour))
const run = (seed: string, hour: number) => syntheticRun({ seed, durationScale: 0.1, startedAt: at(2, hour) })

function baselineOf(prefix: string, n: number): BaselineFile {
  const file = emptyBaseline('synthetic-store')
  for (let i = 0; i < n; i++) {
    const r = syntheticRun({ seed: `${prefix}-${i}`, durationScale: 0.1, startedAt: at(1, i) })
    addRun(file, summariseRun(r), { by: 'test', now: at(1, 23), path: 'baselines/synthetic-store.json' })
  }
  return file
}

/** Windows in blocks of three, every other block `factor` times slower, every latency series: a bursty neighbour. */
function swinging(r: RunRecord, factor: number): RunRecord {
  const stats = ['p50', 'p90', 'p95', 'p99', 'max', 'mean', 'min'] as const
  for (const s of r.series) {
    if (s.kind !== 'histogram') continue
    for (const w of s.windows) {
      if (Math.floor(w.i / 3) % 2 || w.p50 === undefined) continue
      const q = w as SeriesWindow & Record<(typeof stats)[number], number | undefined>
      for (const k of stats) if (typeof q[k] === 'number') q[k] = q[k]! * factor
    }
  }
  return r
}

const baselines = [baselineOf('screen-a', 5), baselineOf('screen-b', 4)]

test('clean runs of the same service are not refused (0 of 16 against two baselines)', () => {
  let refused = 0
  for (const [b, file] of baselines.entries()) {
    for (let c = 0; c < 8; c++) {
      const screen = screenRun(summariseRun(run(`screen-clean-${b}-${c}`, c)), file, gate)
      assert.is(screen.spread.status, 'ok')
      if (screen.problems.length) refused++
    }
  }
  assert.is(refused, 0)
})

test('a run with bursts three times slower is refused, with its ratio and the limit', () => {
  for (const file of baselines) {
    const screen = screenRun(summariseRun(swinging(run('screen-noisy', 3), 3)), file, gate)
    assert.is(screen.spread.status, 'far')
    assert.ok(screen.spread.ratio! > screen.spread.limit!, JSON.stringify(screen.spread))
    assert.ok(screen.spread.limit! >= 2, 'never below twice the usual spread')
    assert.match(screen.problems[0], /spread across windows is [\d.]+× the baseline's usual/)
  }
})

test('too few baseline runs: the spread is not screened, the run is accepted and the note says why', () => {
  const screen = screenRun(summariseRun(swinging(run('screen-few', 4), 3)), baselineOf('screen-c', 2), gate)
  assert.is(screen.spread.status, 'too-few-runs')
  assert.equal(screen.problems, [])
  assert.equal(screen.notes, ['spread not screened: the baseline has 2 comparable runs (needs 3)'])
})

test('a loaded phase saturated in more than the gate share of windows is refused; a quiet one is not', () => {
  const r = run('screen-saturated', 5)
  const size = r.window.sizeMs
  for (const name of ['peak', 'quiet']) {
    const p = r.phases.find((x) => x.name === name)!
    for (let i = 0; i < 3; i++) {
      r.events.push({ atMs: p.startMs + i * size + 1, kind: 'generator-saturated', message: 'saturated' })
    }
  }
  const screen = screenRun(summariseRun(r), baselines[0], gate)
  assert.equal(
    screen.saturated.map((s) => s.phase),
    ['peak'],
  )
  const said = 'the load generator was saturated in 3 of 6 windows of peak (more than 20%): '
  assert.equal(screen.problems, [said + 'the phase measured the generator, not the service'])
  // The gate's share decides: at 60% the same run is fine.
  const loose = resolveGate('loose', { tolerance: { saturatedWindows: 0.6 } })
  assert.equal(screenRun(summariseRun(r), baselines[0], loose).problems, [])
})

test.run()
