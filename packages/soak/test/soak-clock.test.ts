/**
 * The soak's units that keep time, on a virtual clock and without the
 * network: the window ticker, the indicator rounds (this process's own
 * /proc), the phase driver (phases without load) and the timers under them.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Redactor, SeriesAggregator, type PhaseRecord, type RunEvent } from '@steady/record'
import { VirtualClock } from '@steady/kernel'
import { resolvePlan } from '../src/plan.ts'
import { Progress } from '../src/progress.ts'
import { WindowTicker } from '../src/window-ticker.ts'
import { Indicators } from '../src/indicators.ts'
import { PhaseTracker } from '../src/phase-tracker.ts'
import { runPhases } from '../src/phase-driver.ts'
import { every, sleepFor } from '../src/timers.ts'

test('every() repeats at its interval until stopped; sleepFor() ends early when its signal aborts', async () => {
  const clock = new VirtualClock()
  const at: number[] = []
  const stopEvery = every(clock, 100, () => at.push(clock.now()))
  await clock.advance(350)
  stopEvery()
  await clock.advance(500)
  assert.equal(at, [100, 200, 300])

  const ac = new AbortController()
  clock.setTimer(clock.now() + 40, () => ac.abort())
  const woke = await clock.drive(sleepFor(clock, 1000, ac.signal).then(() => clock.now()))
  assert.is(woke, 850 + 40)
  // An aborted signal: no wait at all.
  const before = clock.now()
  await sleepFor(clock, 1000, ac.signal)
  assert.is(clock.now(), before)
})

test('the window ticker closes each window at its boundary, one tick at a time, in order behind a slow fill', async () => {
  const clock = new VirtualClock()
  const filled: number[] = []
  const flushed: number[] = []
  const closed: number[] = []
  const ticker = new WindowTicker({
    clock,
    windowMs: 100,
    now: () => clock.now(),
    fill: async (toMs) => {
      filled.push(toMs)
      // The first PromQL fill takes two and a half windows.
      if (filled.length === 1) await clock.sleepUntil(clock.now() + 250)
    },
    flushAt: (atMs) => flushed.push(atMs),
    closed: (upTo) => closed.push(upTo),
  })
  ticker.start()
  await clock.advance(1000)
  ticker.stopTimer()
  await clock.advance(500)
  await ticker.settled()
  // The ticks of 200 and 300 waited for the first: at 350 both close up to window 3.
  assert.equal(flushed, [100, 300, 300, 400, 500, 600, 700, 800, 900, 1000])
  assert.equal(filled, flushed, 'each flush follows the fill up to the same boundary')
  assert.equal(
    closed,
    flushed.map((ms) => ms / 100),
  )
})

test('indicator rounds: one at the start and one per scrape interval, until the timer stops', async () => {
  const clock = new VirtualClock()
  const agg = new SeriesAggregator({ windowMs: 1000, now: () => clock.now() })
  const events: RunEvent[] = []
  const indicators = new Indicators({
    plan: { metricsPath: false, extraSeries: [], proc: true, scrapeIntervalMs: 1000 },
    sides: [
      {
        services: [
          { name: 'self', pid: process.pid },
          { name: 'remote', url: 'http://127.0.0.1:9' },
        ],
        agg,
        event: (e) => events.push(e),
      },
    ],
    clock,
    now: () => clock.now(),
    signal: new AbortController().signal,
  })
  indicators.start()
  await clock.advance(5500)
  indicators.stopTimer()
  await clock.advance(3000)
  // A last round by hand, as the soak's end does.
  indicators.round()
  await indicators.settled()
  agg.closeAll()
  const fds = agg.series().find((s) => s.name === 'proc_open_fds')!
  assert.equal(
    fds.windows.map((w) => [w.i, w.count]),
    [
      [0, 1],
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 1],
      [5, 1],
      [8, 1],
    ],
  )
  assert.equal(fds.tags, { service: 'self' })
  // metricsPath false: the service with a URL is not scraped, so nothing failed.
  assert.equal(events, [])
})

function phaseRun(stopAtMs?: number) {
  const clock = new VirtualClock()
  const plan = resolvePlan('p', {
    window: '100ms',
    scrape: { path: false, proc: false },
    phases: [
      { name: 'a', duration: '1s', warmup: '200ms' },
      { name: 'b', duration: '500ms' },
    ],
  })
  const agg = new SeriesAggregator({ windowMs: plan.windowMs, now: () => clock.now() })
  const ended: PhaseRecord[] = []
  const events: RunEvent[] = []
  const lines: string[] = []
  const phases = new PhaseTracker(plan.phases[0].name)
  const stop = new AbortController()
  if (stopAtMs !== undefined) clock.setTimer(stopAtMs, () => stop.abort('SIGINT'))
  const done = runPhases({
    plan,
    profiles: new Map(),
    sides: [],
    load: { scenarioPatterns: [], cwd: process.cwd(), seed: 's', redactor: new Redactor() },
    phases,
    agg,
    writer: { phaseEnded: (p) => ended.push(p) },
    event: (e) => events.push(e),
    progress: new Progress({ write: (text) => lines.push(text), isTTY: false }),
    clock,
    now: () => clock.now(),
    signal: stop.signal,
  })
  return { clock, done, ended, events, lines, phases }
}

test('the phase driver runs the phases back to back for as long as the plan says, and records each', async () => {
  const r = phaseRun()
  await r.clock.drive(r.done)
  assert.equal(
    r.ended.map((p) => [p.name, p.startMs, p.endMs, p.warmupMs]),
    [
      ['a', 0, 1000, 200],
      ['b', 1000, 1500, 100],
    ],
  )
  assert.equal(
    r.events.map((e) => `${e.kind} ${e.atMs} ${e.data?.phase}`),
    ['phase-start 0 a', 'phase-end 1000 a', 'phase-start 1000 b', 'phase-end 1500 b'],
  )
  assert.is(r.phases.name, 'b')
  assert.is(r.phases.index, 1)
  assert.equal([r.phases.at(0), r.phases.at(999), r.phases.at(1000), r.phases.at(5000)], ['a', 'a', 'b', 'b'])
  assert.ok(
    r.lines.some((l) => l.includes('phase b started')),
    r.lines.join('|'),
  )
})

test('the phase driver stops with the soak: the running phase ends then, the next never starts', async () => {
  const r = phaseRun(700)
  await r.clock.drive(r.done)
  assert.equal(
    r.ended.map((p) => [p.name, p.startMs, p.endMs]),
    [['a', 0, 700]],
  )
  assert.equal(
    r.events.map((e) => e.kind),
    ['phase-start', 'phase-end'],
  )
})

test.run()
