/**
 * The probe loop's units without the network: the order of the probe
 * iterations (round robin, ABBA pairs), the probes' p95 per window, and the
 * loop itself on a virtual clock with scenarios that make no request.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Redactor, SeriesAggregator, type FailureSample, type FailureSignature } from '@steady/record'
import { scenario, type ScenarioFile, type ScenarioFn } from '@steady/scenario'
import { VirtualClock } from '@steady/kernel'
import { ProbeOrder } from '../src/probe-order.ts'
import { ProbeLatency } from '../src/probe-latency.ts'
import { ProbeLoop } from '../src/probe-loop.ts'
import { PhaseTracker } from '../src/phase-tracker.ts'
import { bindSides, probeTasks, sidesOf, type SideRun } from '../src/sides.ts'

const task = (name: string) => ({ scenario: { name } })

test('unpaired probe order: round robin over the scenarios, each numbering its own iterations from 1', () => {
  const order = new ProbeOrder([task('a'), task('b'), task('c')], ['only'])
  const next = Array.from({ length: 7 }, () => order.next())
  assert.equal(
    next.map((n) => `${n.t.scenario.name}${n.iteration}`),
    ['a1', 'b1', 'c1', 'a2', 'b2', 'c2', 'a3'],
  )
  assert.ok(next.every((n) => n.side === 'only'))
})

test('paired probe order: each pair runs the same scenario and iteration on both sides, from iteration 1', () => {
  const order = new ProbeOrder([task('a'), task('b')], ['candidate', 'control'], 'seed-abba')
  const next = Array.from({ length: 16 }, () => order.next())
  const bySide = (side: string) => next.filter((n) => n.side === side).map((n) => `${n.t.scenario.name}${n.iteration}`)
  assert.equal(bySide('candidate').sort(), bySide('control').sort())
  assert.equal(bySide('candidate').sort(), ['a1', 'a2', 'a3', 'a4', 'b1', 'b2', 'b3', 'b4'])
})

test('probe latency: the p95 of the window just closed; closed windows are dropped, open ones kept', () => {
  const latency = new ProbeLatency()
  for (let ms = 1; ms <= 100; ms++) latency.record(0, ms)
  latency.record(1, 500)
  latency.record(2, 7)
  assert.is(latency.close(0), undefined)
  const p95 = latency.close(1)!
  assert.ok(p95 >= 94 && p95 <= 96, `p95 ${p95}`)
  assert.is(latency.openWindows, 2)
  assert.is(latency.close(1), undefined, 'window 0 is gone')
  assert.ok(Math.abs(latency.close(3)! - 7) < 0.1)
  assert.is(latency.openWindows, 0)
})

function file(name: string, fn: ScenarioFn): ScenarioFile {
  const s = scenario(name, fn)
  return { path: `/virtual/${name}.scenario.ts`, relativePath: `${name}.scenario.ts`, scenarios: [s], total: 1 }
}

function loop(files: ScenarioFile[], opts: { concurrency: number; pauseMs: number }) {
  const clock = new VirtualClock()
  const t0 = clock.now()
  const now = () => clock.now() - t0
  const agg = new SeriesAggregator({ windowMs: 100, now })
  agg.setPhase('a')
  const sides: SideRun[] = sidesOf({ target: 'http://127.0.0.1:9', services: [] })
  bindSides(sides, agg, () => {})
  const tasks = probeTasks(files)
  const iterations: { name: string; passed: boolean; straddling: boolean }[] = []
  const failures: { signature: FailureSignature; sample: FailureSample }[] = []
  const phases = new PhaseTracker('a')
  const probes = new ProbeLoop({
    tasks,
    order: new ProbeOrder(tasks, sides),
    plan: { probeConcurrency: opts.concurrency, probeTimeoutMs: 5000, probePauseMs: opts.pauseMs },
    seed: 'loop',
    redactor: new Redactor(),
    clock,
    t0,
    now,
    windowOf: (atMs) => agg.windowOf(atMs),
    phases,
    writer: {
      iteration: (s, passed, straddling = false) => void iterations.push({ name: s.name, passed, straddling }),
      failure: (signature, sample) => void failures.push({ signature, sample }),
    },
    latency: new ProbeLatency(),
    signal: new AbortController().signal,
  })
  return { clock, probes, sides, iterations, failures, phases, agg }
}

test('the probe loop: each worker pauses between iterations on the clock; stop ends it with nothing counted twice', async () => {
  const seen: number[] = []
  const r = loop([file('calm', ({ iteration }) => void seen.push(iteration))], { concurrency: 2, pauseMs: 100 })
  r.probes.start()
  await r.clock.advance(1000)
  await r.probes.stop()
  // Two workers, an iteration at 0, 100, ..., 1000 each.
  assert.is(r.iterations.length, 22)
  assert.is(r.sides[0].iterations, 22)
  assert.is(r.sides[0].passed, 22)
  assert.equal(
    [...seen].sort((a, b) => a - b),
    Array.from({ length: 22 }, (_, i) => i + 1),
  )
  r.agg.closeAll()
  const its = r.agg.series().find((s) => s.name === 'iterations')!
  assert.is(its.phases.a.count, 22)
})

test('the probe loop: an iteration counts in the phase it started in, straddling when it ends in the next', async () => {
  let release!: () => void
  const held = new Promise<void>((resolve) => (release = resolve))
  let first = true
  const r = loop(
    [
      file('slow', async () => {
        if (!first) return
        first = false
        await held
      }),
    ],
    { concurrency: 1, pauseMs: 100 },
  )
  r.probes.start()
  await r.clock.advance(150)
  r.phases.begin('b', 1, r.clock.now())
  r.agg.setPhase('b')
  release()
  await r.clock.advance(250)
  await r.probes.stop()
  assert.equal(r.iterations[0], { name: 'slow', passed: true, straddling: true })
  assert.ok(
    r.iterations.slice(1).every((i) => !i.straddling),
    JSON.stringify(r.iterations),
  )
  r.agg.closeAll()
  const its = r.agg.series().find((s) => s.name === 'iterations')!
  assert.is(its.phases.a.count, 1)
  assert.is(its.phases.b.count, r.iterations.length - 1)
})

test('the probe loop: a failed iteration is a failure sample of its phase; an aborted one is not counted', async () => {
  let calls = 0
  const r = loop(
    [
      file('broken', async ({ step }) => {
        calls++
        // The third iteration is still running when the loop stops.
        if (calls === 3) await new Promise(() => {})
        await step('check', () => {
          throw new Error('nope')
        })
      }),
    ],
    { concurrency: 1, pauseMs: 100 },
  )
  r.probes.start()
  await r.clock.advance(300)
  await r.probes.stop()
  assert.is(calls, 3)
  assert.is(r.iterations.length, 2)
  assert.ok(r.iterations.every((i) => !i.passed))
  assert.is(r.failures.length, 2)
  assert.is(r.failures[0].signature.scenario, 'broken')
  assert.is(r.failures[0].signature.step, 'check')
  assert.is(r.failures[0].sample.phase, 'a')
})

test.run()
