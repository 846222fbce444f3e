/**
 * Deterministic schedules of the six executors, driven by a virtual clock:
 * iteration counts, VU counts, stage shapes, started + dropped = planned,
 * gracefulStop and gracefulRampDown interruptions, segments adding up.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { VirtualClock } from '@steady/kernel'
import { resolveProfile } from '../src/profile.ts'
import { arrivalSchedule, rampingVuSteps, vusAt, type Segment } from '../src/schedule.ts'
import { Runner, type IterationContext } from '../src/engine/runner.ts'
import { WindowCollector, type WindowSnapshot } from '../src/metrics/windows.ts'
import { RunTotals } from '../src/metrics/totals.ts'

interface Start {
  at: number
  vu: number
  iteration: number
}

async function simulate(
  raw: Record<string, unknown>,
  iterationMs: (ctx: IterationContext<{ id: number }>, at: number) => number,
  options: { segment?: Segment; stopAt?: number } = {},
) {
  const clock = new VirtualClock()
  const profile = resolveProfile('p', { window: '1s', ...raw })
  const windows: WindowSnapshot[] = []
  const collector = new WindowCollector({ clock, t0: 0, windowMs: profile.windowMs, onWindow: (w) => windows.push(w) })
  const starts: Start[] = []
  const stop = new AbortController()
  if (options.stopAt !== undefined) clock.setTimer(options.stopAt, () => stop.abort())
  const runner = new Runner({
    profile,
    clock,
    t0: 0,
    collector,
    segment: options.segment,
    signal: stop.signal,
    vus: { create: (id) => ({ id }), destroy() {} },
    iterate: async (ctx) => {
      const at = clock.now()
      starts.push({ at, vu: ctx.vu, iteration: ctx.iteration })
      ctx.metrics.request({ name: 'home', method: 'GET', status: 200, durationMs: 5, expected: true })
      ctx.metrics.check('status is 200', true)
      await clock.sleepUntil(at + iterationMs(ctx, at), ctx.signal)
    },
  })
  const result = await clock.drive(runner.run())
  await collector.flush()
  const totals = new RunTotals()
  for (const w of windows) totals.add(w)
  return { result, windows, starts, totals, end: clock.now() }
}

test('constant-arrival-rate starts one iteration every timeUnit/rate from 0', async () => {
  const { result, starts, totals } = await simulate(
    { executor: 'constant-arrival-rate', rate: 10, timeUnit: '1s', duration: '10s', preAllocatedVUs: 2 },
    () => 50,
  )
  assert.is(result.planned, 100)
  assert.is(result.started, 100)
  assert.is(result.dropped, 0)
  assert.is(result.completed, 100)
  assert.is(result.lateStarts, 0)
  assert.equal(
    starts.map((s) => s.at),
    Array.from({ length: 100 }, (_, k) => k * 100),
  )
  assert.is(totals.counter('iterations'), 100)
  assert.is(totals.counter('http_reqs', { name: 'home', status: '200' }), 100)
  assert.equal(totals.rate('checks'), { passes: 100, fails: 0 })
})

test('constant-arrival-rate with timeUnit 1m: rate per minute', async () => {
  const { result, starts } = await simulate(
    { executor: 'constant-arrival-rate', rate: 30, timeUnit: '1m', duration: '1m', preAllocatedVUs: 1 },
    () => 10,
  )
  assert.is(result.planned, 30)
  assert.is(starts[1].at, 2000)
})

test('arrival-rate drops iterations that find no free VU, never queues them: started + dropped = planned', async () => {
  const { result, starts, totals } = await simulate(
    { executor: 'constant-arrival-rate', rate: 10, timeUnit: '1s', duration: '10s', preAllocatedVUs: 2, maxVUs: 5 },
    () => 1000,
  )
  assert.is(result.planned, 100)
  assert.is(result.started + result.dropped, 100)
  assert.is(result.vusAllocated, 5)
  // Five VUs each busy for 1 s: 5 starts per second, 5 dropped.
  assert.is(result.started, 50)
  assert.is(result.dropped, 50)
  assert.is(totals.counter('dropped_iterations', { scenario: 'p' }), 50)
  // Every start was on schedule (open model): no start waited for a VU.
  for (const s of starts) assert.is(s.at % 100, 0)
  assert.is(totals.gauge('vus_max')?.max, 5)
  assert.is(totals.gauge('vus')?.max, 5)
})

test('ramping-arrival-rate follows the integral of a linear rate', async () => {
  const profile = resolveProfile('p', {
    executor: 'ramping-arrival-rate',
    startRate: 0,
    timeUnit: '1s',
    preAllocatedVUs: 50,
    stages: [
      { duration: '10s', target: 10 },
      { duration: '10s', target: 10 },
      { duration: '5s', target: 0 },
    ],
  })
  const s = arrivalSchedule(profile)
  // 0→10/s over 10 s: 50; 10 s at 10/s: 100; 10→0 over 5 s: 25.
  assert.is(s.planned, 175)
  // Rate slope 1/s²: iteration k starts at sqrt(2k) s.
  for (const k of [0, 1, 2, 8, 18, 32, 49]) assert.ok(Math.abs(s.startOf(k) - Math.sqrt(2 * k) * 1000) < 1e-6, `k=${k}`)
  // Constant part: one every 100 ms from 10 s.
  assert.ok(Math.abs(s.startOf(50) - 10_000) < 1e-6)
  assert.ok(Math.abs(s.startOf(60) - 11_000) < 1e-6)
  const { result } = await simulate(
    {
      executor: 'ramping-arrival-rate',
      startRate: 0,
      timeUnit: '1s',
      preAllocatedVUs: 50,
      stages: [
        { duration: '10s', target: 10 },
        { duration: '10s', target: 10 },
        { duration: '5s', target: 0 },
      ],
    },
    () => 20,
  )
  assert.is(result.started, 175)
  assert.is(result.dropped, 0)
})

test('ramping-arrival-rate: a zero-rate stage starts nothing; a 0s stage jumps', () => {
  const p = (stages: { duration: string; target: number }[], startRate = 0) =>
    arrivalSchedule(resolveProfile('p', { executor: 'ramping-arrival-rate', startRate, preAllocatedVUs: 1, stages }))
  assert.is(p([{ duration: '10s', target: 0 }]).planned, 0)
  const jump = p([
    { duration: '0s', target: 5 },
    { duration: '2s', target: 5 },
  ])
  assert.is(jump.planned, 10)
  assert.is(jump.startOf(1), 200)
  const gap = p([
    { duration: '5s', target: 0 },
    { duration: '0s', target: 2 },
    { duration: '1s', target: 2 },
  ])
  assert.is(gap.planned, 2)
  assert.is(gap.startOf(0), 5000)
})

test('constant-vus runs iterations back to back on each VU until the duration ends', async () => {
  const { result, totals, starts } = await simulate({ executor: 'constant-vus', vus: 3, duration: '10s' }, () => 1000)
  assert.is(result.completed, 30)
  assert.is(result.interrupted, 0)
  assert.is(new Set(starts.map((s) => s.vu)).size, 3)
  assert.is(totals.gauge('vus')?.max, 3)
})

test('gracefulStop: an iteration still running gracefulStop after the end is interrupted', async () => {
  const { result, totals, end } = await simulate(
    { executor: 'constant-vus', vus: 1, duration: '1s', gracefulStop: '100ms' },
    () => 700,
  )
  // Starts at 0 and 700 ms; the second would end at 1400 ms, past 1 s + 100 ms.
  assert.is(result.completed, 1)
  assert.is(result.interrupted, 1)
  assert.is(end, 1100)
  assert.is(totals.counter('interrupted_iterations'), 1)
  assert.is(totals.counter('iterations'), 1)
  // Within gracefulStop it completes.
  const ok = await simulate({ executor: 'constant-vus', vus: 1, duration: '1s', gracefulStop: '1s' }, () => 700)
  assert.is(ok.result.completed, 2)
  assert.is(ok.result.interrupted, 0)
})

test('shared-iterations shares the total across VUs; per-vu-iterations gives each VU its count', async () => {
  const shared = await simulate({ executor: 'shared-iterations', vus: 3, iterations: 10 }, (ctx) => 100 + ctx.vu)
  assert.is(shared.result.planned, 10)
  assert.is(shared.result.completed, 10)
  const perVu = new Map<number, number>()
  for (const s of shared.starts) perVu.set(s.vu, (perVu.get(s.vu) ?? 0) + 1)
  assert.equal([...perVu.values()].sort(), [3, 3, 4])
  const each = await simulate({ executor: 'per-vu-iterations', vus: 3, iterations: 4 }, () => 100)
  assert.is(each.result.completed, 12)
  for (const vu of [1, 2, 3]) assert.is(each.starts.filter((s) => s.vu === vu).length, 4)
})

test('shared-iterations stops at maxDuration', async () => {
  const { result } = await simulate(
    { executor: 'shared-iterations', vus: 1, iterations: 100, maxDuration: '1s', gracefulStop: '0s' },
    () => 300,
  )
  // Starts at 0, 300, 600, 900; the last is cut at 1 s.
  assert.is(result.started, 4)
  assert.is(result.completed, 3)
  assert.is(result.interrupted, 1)
})

test('ramping-vus steps one VU each time the line crosses a whole number', async () => {
  const stages = [
    { duration: '10s', target: 10 },
    { duration: '10s', target: 10 },
    { duration: '10s', target: 0 },
  ]
  const resolved = resolveProfile('p', { executor: 'ramping-vus', startVUs: 0, stages })
  const steps = rampingVuSteps(0, resolved.executor === 'ramping-vus' ? resolved.stages : [])
  assert.equal(steps.slice(0, 3), [
    { atMs: 0, vus: 0 },
    { atMs: 1000, vus: 1 },
    { atMs: 2000, vus: 2 },
  ])
  assert.is(vusAt(steps, 9999), 9)
  assert.is(vusAt(steps, 15_000), 10)
  assert.is(vusAt(steps, 21_000), 9)
  assert.is(vusAt(steps, 30_000), 0)
  const { windows, result, starts } = await simulate(
    { executor: 'ramping-vus', startVUs: 0, stages, gracefulRampDown: '0s' },
    () => 500,
  )
  // VU n joins at n s and iterates every 500 ms.
  assert.is(Math.min(...starts.filter((s) => s.vu === 3).map((s) => s.at)), 3000)
  // The vus gauge per 1 s window follows the stage shape.
  const max = windows.map((w) => w.gauges['vus']?.max ?? 0)
  assert.equal(max.slice(0, 13), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10])
  assert.is(windows[25].gauges['vus'].last, 5)
  assert.ok(result.completed > 0)
})

test('ramping-vus: a ramped-down VU past gracefulRampDown is interrupted; within it, it completes', async () => {
  const stages = [
    { duration: '0s', target: 2 },
    { duration: '1s', target: 2 },
    { duration: '0s', target: 1 },
    { duration: '2s', target: 1 },
  ]
  const cut = await simulate({ executor: 'ramping-vus', startVUs: 2, stages, gracefulRampDown: '100ms' }, () => 600)
  // VU 2 runs 0–600, 600–1200: ramped down at 1 s, interrupted at 1.1 s.
  assert.is(cut.result.interrupted, 1)
  assert.is(cut.starts.filter((s) => s.vu === 2).length, 2)
  const kept = await simulate({ executor: 'ramping-vus', startVUs: 2, stages, gracefulRampDown: '1s' }, () => 600)
  assert.is(kept.result.interrupted, 0)
  assert.is(kept.starts.filter((s) => s.vu === 2).length, 2)
})

test('segments split the work like k6 execution segments and add up to the whole', async () => {
  const raw = { executor: 'constant-arrival-rate', rate: 50, timeUnit: '1s', duration: '2s', preAllocatedVUs: 5 }
  const whole = await simulate(raw, () => 10)
  const parts = await Promise.all([0, 1, 2].map((index) => simulate(raw, () => 10, { segment: { index, count: 3 } })))
  assert.is(
    parts.reduce((a, p) => a + (p.result.planned ?? 0), 0),
    whole.result.planned,
  )
  assert.is(
    parts.reduce((a, p) => a + p.result.vusAllocated, 0),
    5,
  )
  const all = parts.flatMap((p) => p.starts.map((s) => s.iteration)).sort((a, b) => a - b)
  assert.equal(
    all,
    whole.starts.map((s) => s.iteration),
  )
  // Each segment's starts are interleaved in time (striped), not one block after another.
  assert.ok(parts.every((p) => p.starts[0].at < 100))
  const vus = await Promise.all(
    [0, 1].map((index) =>
      simulate({ executor: 'constant-vus', vus: 5, duration: '1s' }, () => 100, { segment: { index, count: 2 } }),
    ),
  )
  assert.equal(
    vus.map((v) => v.result.vusAllocated),
    [3, 2],
  )
})

test('each segment has its own share of VUs: one whose VUs are busy drops while another has free VUs (as k6 execution segments)', async () => {
  // 10/s over 2 s, maxVUs 2 split over 2 segments: one VU each. Segment 0 (VU 1) has slow iterations, segment 1 (VU 2) fast ones.
  const raw = {
    executor: 'constant-arrival-rate',
    rate: 10,
    timeUnit: '1s',
    duration: '2s',
    preAllocatedVUs: 2,
    maxVUs: 2,
  }
  const slowOrFast = (ctx: IterationContext<{ id: number }>) => (ctx.vu === 1 ? 1000 : 10)
  const [slow, fast] = await Promise.all(
    [0, 1].map((index) => simulate(raw, slowOrFast, { segment: { index, count: 2 } })),
  )
  assert.is(slow.result.vusAllocated, 1)
  assert.is(fast.result.vusAllocated, 1)
  // Segment 0 is due every 200 ms; its one VU is busy for 1 s: it starts at 0 and 1000 ms and drops the rest,
  // though segment 1's VU is idle 190 ms of every 200. VUs do not move between workers.
  assert.equal(
    slow.starts.map((s) => s.at),
    [0, 1000],
  )
  assert.is(slow.result.dropped, 8)
  assert.is(fast.result.dropped, 0)
  assert.is(fast.result.started, 10)
})

test('a stop signal interrupts running iterations and ends the run', async () => {
  const { result } = await simulate({ executor: 'constant-vus', vus: 2, duration: '1m' }, () => 700, { stopAt: 1000 })
  assert.ok(result.aborted)
  assert.is(result.interrupted, 2)
  assert.is(result.completed, 2)
})

test.run()
