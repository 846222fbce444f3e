/**
 * The engine measuring itself, deterministically: the saturation rule of a
 * window (event-loop utilisation, event-loop delay, start lateness) fed known
 * figures, and the scheduler's batch catch-up after a blocked event loop,
 * driven by a virtual clock.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { VirtualClock } from '@steady/kernel'
import { resolveProfile } from '../src/profile.ts'
import { Runner, lateStartMs } from '../src/engine/runner.ts'
import {
  WindowCollector,
  mergeWindows,
  saturationLimits,
  type SelfMonitor,
  type WindowSnapshot,
} from '../src/metrics/windows.ts'

interface Figures {
  eventLoopUtilization: number
  lagP50Ms: number
  lagP99Ms: number
  lagMaxMs: number
}

const quiet: Figures = { eventLoopUtilization: 0.2, lagP50Ms: 0.5, lagP99Ms: 2, lagMaxMs: 8 }

/** A self-monitor that reports the given figures, one set per window, in order (the last repeats). */
function fixedMonitor(perWindow: Figures[]): SelfMonitor & { stopped: boolean } {
  let i = 0
  return {
    stopped: false,
    take() {
      const f = perWindow[Math.min(i, perWindow.length - 1)]
      i++
      return { ...f }
    },
    stop() {
      this.stopped = true
    },
  }
}

/** Closes `figures.length` one-second windows, each with `lateness` ms start lateness samples, and returns them. */
async function windowsWith(figures: Figures[], lateness: number[][] = []): Promise<WindowSnapshot[]> {
  const clock = new VirtualClock()
  const windows: WindowSnapshot[] = []
  const monitor = fixedMonitor(figures)
  const c = new WindowCollector({ clock, t0: 0, windowMs: 1000, monitor, onWindow: (w) => windows.push(w) })
  for (let i = 0; i < figures.length; i++) {
    for (const ms of lateness[i] ?? []) c.lateness(ms)
    c.count('iterations', { scenario: 's' })
    await clock.advance(1000)
  }
  await c.flush()
  assert.ok(monitor.stopped, 'flush stops the self-monitor')
  return windows
}

test('a window under quiet figures is not saturated and gives no reasons', async () => {
  const [w] = await windowsWith([quiet], [[0.5, 1, 2]])
  assert.is(w.generator.saturated, false)
  assert.equal(w.generator.reasons, [])
  assert.is(w.generator.eventLoopUtilization, 0.2)
  assert.is(w.generator.scheduledStarts, 3)
})

test('each limit alone saturates a window and is named in its reasons', async () => {
  const cases: [Figures, number[], RegExp][] = [
    [{ ...quiet, eventLoopUtilization: 0.97 }, [], /^eventLoopUtilization 0\.97 ≥ 0\.9$/],
    [{ ...quiet, lagP50Ms: 12 }, [], /^eventLoopLag p50 12ms ≥ 10ms$/],
    [{ ...quiet, lagMaxMs: 150 }, [], /^eventLoopLag max 150ms ≥ 100ms$/],
    [quiet, [20, 20, 20], /^startLateness p99 2\d(\.\d+)?ms ≥ 10ms$/],
  ]
  for (const [figures, late, reason] of cases) {
    const [w] = await windowsWith([figures], [late])
    assert.ok(w.generator.saturated, `saturated: ${JSON.stringify(figures)} lateness ${late}`)
    assert.is(w.generator.reasons.length, 1, w.generator.reasons.join('; '))
    assert.match(w.generator.reasons[0], reason)
  }
})

test('at the limits exactly a window is saturated; just under them it is not', async () => {
  const at = {
    eventLoopUtilization: saturationLimits.eventLoopUtilization,
    lagP50Ms: saturationLimits.eventLoopLagP50Ms,
    lagP99Ms: 50,
    lagMaxMs: saturationLimits.eventLoopLagMaxMs,
  }
  const [w] = await windowsWith([at])
  assert.is(w.generator.reasons.length, 3, w.generator.reasons.join('; '))
  const under = { eventLoopUtilization: 0.89, lagP50Ms: 9.9, lagP99Ms: 50, lagMaxMs: 99 }
  const [u] = await windowsWith([under], [[9]])
  assert.is(u.generator.saturated, false, u.generator.reasons.join('; '))
})

test('high utilisation and lag together: every crossed limit is a reason; the next quiet window is not saturated', async () => {
  const windows = await windowsWith([{ eventLoopUtilization: 0.99, lagP50Ms: 40, lagP99Ms: 180, lagMaxMs: 250 }, quiet])
  assert.is(windows.length, 2)
  const [busy, calm] = windows
  assert.ok(busy.generator.saturated)
  assert.equal(busy.generator.reasons, [
    'eventLoopUtilization 0.99 ≥ 0.9',
    'eventLoopLag p50 40ms ≥ 10ms',
    'eventLoopLag max 250ms ≥ 100ms',
  ])
  assert.is(busy.generator.eventLoopLagP99Ms, 180)
  assert.is(calm.generator.saturated, false)
})

test('a window shorter than 1 s is judged on start lateness only', async () => {
  const clock = new VirtualClock()
  const windows: WindowSnapshot[] = []
  const busy = { eventLoopUtilization: 1, lagP50Ms: 50, lagP99Ms: 300, lagMaxMs: 400 }
  const c = new WindowCollector({
    clock,
    t0: 0,
    windowMs: 1000,
    monitor: fixedMonitor([busy]),
    onWindow: (w) => windows.push(w),
  })
  c.count('iterations', { scenario: 's' })
  await clock.advance(400)
  await c.flush()
  assert.is(windows.length, 1)
  assert.is(windows[0].endMs - windows[0].startMs, 400)
  assert.is(windows[0].generator.saturated, false, windows[0].generator.reasons.join('; '))
  const late: WindowSnapshot[] = []
  const clock2 = new VirtualClock()
  const c2 = new WindowCollector({
    clock: clock2,
    t0: 0,
    windowMs: 1000,
    monitor: fixedMonitor([busy]),
    onWindow: (w) => late.push(w),
  })
  c2.lateness(30)
  await clock2.advance(400)
  await c2.flush()
  assert.is(late[0].generator.saturated, true)
  assert.is(late[0].generator.reasons.length, 1)
  assert.match(late[0].generator.reasons[0], /^startLateness p99/)
})

test('merged windows from several workers take the worst worker and judge the merged lateness', async () => {
  const [a] = await windowsWith([quiet], [[1, 1]])
  const [b] = await windowsWith([{ ...quiet, eventLoopUtilization: 0.95 }], [[30]])
  const m = mergeWindows([a, b])
  assert.ok(m.generator.saturated)
  assert.is(m.generator.eventLoopUtilization, 0.95)
  assert.is(m.generator.scheduledStarts, 3)
  assert.ok(m.generator.reasons.some((r) => r.startsWith('eventLoopUtilization 0.95')))
  assert.ok(m.generator.reasons.some((r) => r.startsWith('startLateness p99')))
  assert.is(
    Object.values(m.counters).reduce((a, c) => a + c.value, 0),
    2,
  )
})

test('batch catch-up: after the event loop is blocked, every start that fell due starts in one turn, with its lateness recorded', async () => {
  const clock = new VirtualClock()
  // 1000 iterations/s: one due every ms, from 0 to 199 ms.
  const profile = resolveProfile('p', {
    executor: 'constant-arrival-rate',
    rate: 1000,
    timeUnit: '1s',
    duration: '200ms',
    preAllocatedVUs: 100,
    window: '1s',
  })
  const windows: WindowSnapshot[] = []
  const collector = new WindowCollector({ clock, t0: 0, windowMs: profile.windowMs, onWindow: (w) => windows.push(w) })
  // A turn number that changes whenever the microtask queue gets a chance to run: starts made in the same
  // synchronous batch share one turn number.
  let turn = 0
  let marked = false
  const starts: { iteration: number; at: number; turn: number }[] = []
  const runner = new Runner({
    profile,
    clock,
    t0: 0,
    collector,
    vus: { create: (id) => ({ id }), destroy() {} },
    iterate: async (ctx) => {
      if (!marked) {
        marked = true
        queueMicrotask(() => {
          turn++
          marked = false
        })
      }
      starts.push({ iteration: ctx.iteration, at: clock.now(), turn })
      // Iteration 10 blocks the event loop for 50 ms (a synchronous busy loop): starts 11–59 fall due meanwhile.
      if (ctx.iteration === 10) clock.block(50)
      await clock.sleepUntil(clock.now() + 1, ctx.signal)
    },
  })
  const result = await clock.drive(runner.run())
  await collector.flush()

  assert.is(result.planned, 200)
  assert.is(result.started, 200)
  assert.is(result.dropped, 0)
  // Before the block: on time, one per turn.
  for (let k = 0; k <= 10; k++) assert.is(starts[k].at, k, `start ${k}`)
  assert.is(new Set(starts.slice(0, 11).map((s) => s.turn)).size, 11)
  // The block ended at 60 ms: iterations 11–60 (all due by then) start at 60 ms, in one turn (the scheduler's
  // batch loop, right after iteration 10 returned), in order.
  const batch = starts.filter((s) => s.iteration >= 11 && s.iteration <= 60)
  assert.is(batch.length, 50)
  assert.ok(
    batch.every((s) => s.at === 60),
    'all at 60 ms',
  )
  assert.is(new Set(batch.map((s) => s.turn)).size, 1, 'one turn')
  assert.equal(
    batch.map((s) => s.iteration),
    Array.from({ length: 50 }, (_, i) => i + 11),
  )
  // After it: back on schedule.
  for (const s of starts.filter((s) => s.iteration > 60)) assert.is(s.at, s.iteration)
  // Lateness: iteration k of the batch was 60 - k ms late; those more than lateStartMs late count as late starts.
  const expectedLate = batch.filter((s) => 60 - s.iteration > lateStartMs).length
  assert.is(expectedLate, 44)
  assert.is(result.lateStarts, expectedLate)
  assert.is(windows.length, 1)
  const g = windows[0].generator
  assert.is(g.scheduledStarts, 200)
  // HDR histograms keep 3 significant digits: 49 ms is recorded within 0.1%.
  assert.ok(Math.abs(g.startLatenessMaxMs - 49) < 0.05, `max lateness ${g.startLatenessMaxMs}`)
  // 44 of 200 starts ≥ 6 ms late: the p99 is far past the 10 ms limit; the window is saturated.
  assert.ok(g.startLatenessP99Ms >= 40, `p99 ${g.startLatenessP99Ms}`)
  assert.ok(g.saturated)
  assert.ok(g.reasons.some((r) => r.startsWith('startLateness p99')))
})

test.run()
