/**
 * Two runners on one arrival schedule (a paired soak's sides), driven by a
 * virtual clock: every arrival starts on both at the same instant, the lead
 * follows `first(k)`, the later start wins, and a member that stops or never
 * rides does not hold the other back.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { VirtualClock } from '@steady/kernel'
import { resolveProfile } from '../src/profile.ts'
import { Runner } from '../src/engine/runner.ts'
import { ArrivalTandem } from '../src/engine/tandem.ts'
import { WindowCollector } from '../src/metrics/windows.ts'

interface Start {
  member: number
  at: number
  iteration: number
}

const rate10 = { executor: 'constant-arrival-rate', rate: 10, timeUnit: '1s', duration: '2s', preAllocatedVUs: 2 }

/** A runner that is member `index` of `tandem`, logging each start into `log`. */
function member(
  clock: VirtualClock,
  tandem: ArrivalTandem,
  index: number,
  log: Start[],
  o: { t0?: number; raw?: Record<string, unknown>; signal?: AbortSignal } = {},
) {
  const profile = resolveProfile('p', { window: '1s', ...(o.raw ?? rate10) })
  const t0 = o.t0 ?? 0
  const collector = new WindowCollector({ clock, t0, windowMs: profile.windowMs })
  return new Runner({
    profile,
    clock,
    t0,
    collector,
    tandem: { tandem, index },
    ...(o.signal ? { signal: o.signal } : {}),
    vus: { create: (id) => ({ id }), destroy() {} },
    iterate: async (ctx) => {
      log.push({ member: index, at: clock.now(), iteration: ctx.iteration })
      await clock.sleepUntil(clock.now() + 30, ctx.signal)
    },
  })
}

test('both members start every arrival at the same instant, the lead as first(k) says', async () => {
  const clock = new VirtualClock()
  const tandem = new ArrivalTandem({ members: 2, first: (k) => (k % 4 === 0 || k % 4 === 3 ? 0 : 1) })
  const log: Start[] = []
  const runs = [member(clock, tandem, 0, log), member(clock, tandem, 1, log)].map((r) => r.run())
  const [a, b] = await clock.drive(Promise.all(runs))
  assert.is(a.started, 20)
  assert.is(b.started, 20)
  assert.is(a.lateStarts + b.lateStarts, 0)
  for (let k = 0; k < 20; k++) {
    const pair = log.filter((s) => s.iteration === k)
    assert.equal(
      pair.map((s) => s.at),
      [k * 100, k * 100],
      `arrival ${k} at the same instant on both`,
    )
    const lead = k % 4 === 0 || k % 4 === 3 ? 0 : 1
    assert.equal(
      pair.map((s) => s.member),
      [lead, 1 - lead],
      `arrival ${k} led by member ${lead}`,
    )
  }
})

test("the schedule starts at the later member's start: the early one waits, arrivals do not split", async () => {
  const clock = new VirtualClock()
  const tandem = new ArrivalTandem({ members: 2, first: () => 0 })
  const log: Start[] = []
  const early = member(clock, tandem, 0, log, { t0: 0 }).run()
  // The second member gets to its schedule 250 ms later (loading its scenario, say).
  const late = clock.sleepUntil(250).then(() => member(clock, tandem, 1, log, { t0: 250 }).run())
  await clock.drive(Promise.all([early, late]))
  const firsts = [0, 1].map((m) => log.find((s) => s.member === m)!)
  assert.equal(
    firsts.map((s) => s.at),
    [250, 250],
  )
  for (let k = 0; k < 20; k++) {
    assert.equal(
      log.filter((s) => s.iteration === k).map((s) => s.at),
      [250 + k * 100, 250 + k * 100],
    )
  }
})

test('a member that is stopped gets no more arrivals; the other rides the schedule to its end', async () => {
  const clock = new VirtualClock()
  const tandem = new ArrivalTandem({ members: 2, first: () => 1 })
  const log: Start[] = []
  const stop = new AbortController()
  clock.setTimer(550, () => stop.abort())
  const runs = [member(clock, tandem, 0, log), member(clock, tandem, 1, log, { signal: stop.signal })].map((r) =>
    r.run(),
  )
  const [a, b] = await clock.drive(Promise.all(runs))
  assert.is(a.started, 20)
  assert.is(a.aborted, false)
  assert.is(b.started, 6)
  assert.is(b.aborted, true)
  assert.equal(
    log.filter((s) => s.member === 1).map((s) => s.iteration),
    [0, 1, 2, 3, 4, 5],
  )
})

test('a member that never rides (another executor, a failed setup) does not hold the schedule back', async () => {
  const clock = new VirtualClock()
  const tandem = new ArrivalTandem({ members: 2, first: () => 1 })
  const log: Start[] = []
  const closed = { executor: 'constant-vus', vus: 1, duration: '1s' }
  const runs = [member(clock, tandem, 0, log), member(clock, tandem, 1, log, { raw: closed })].map((r) => r.run())
  const [a] = await clock.drive(Promise.all(runs))
  assert.is(a.started, 20)
  assert.equal(
    log.filter((s) => s.member === 0).map((s) => s.at),
    Array.from({ length: 20 }, (_, k) => k * 100),
  )

  const clock2 = new VirtualClock()
  const tandem2 = new ArrivalTandem({ members: 2, first: () => 1 })
  const log2: Start[] = []
  tandem2.leave(1)
  tandem2.leave(1)
  const alone = await clock2.drive(member(clock2, tandem2, 0, log2).run())
  assert.is(alone.started, 20)
})

test('bad members are refused by name', () => {
  assert.throws(() => new ArrivalTandem({ members: 0, first: () => 0 }), /members must be a whole number ≥ 1, got 0/)
})

test.run()
