import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { VirtualClock, realClock, systemClock, type Clock, type WallClock } from '@steady/kernel'

test('timers fire in time order, those due at one instant in the order they were set', async () => {
  const clock = new VirtualClock(1000)
  const fired: string[] = []
  clock.setTimer(1300, () => fired.push(`c@${clock.now()}`))
  clock.setTimer(1100, () => fired.push(`a@${clock.now()}`))
  clock.setTimer(1300, () => fired.push(`d@${clock.now()}`))
  clock.setTimer(1200, () => fired.push(`b@${clock.now()}`))
  const cancel = clock.setTimer(1250, () => fired.push('cancelled'))
  cancel()
  await clock.advance(250)
  assert.equal(fired, ['a@1100', 'b@1200'])
  assert.is(clock.now(), 1250)
  await clock.advance(100)
  assert.equal(fired, ['a@1100', 'b@1200', 'c@1300', 'd@1300'])
  assert.is(clock.now(), 1350)
})

test('drive runs work to completion over virtual time, through chains of sleeps', async () => {
  const clock = new VirtualClock()
  const stamps: number[] = []
  const work = async () => {
    for (let i = 1; i <= 3; i++) {
      await clock.sleepUntil(i * 60_000)
      stamps.push(clock.now())
    }
    return 'done'
  }
  assert.is(await clock.drive(work()), 'done')
  assert.equal(stamps, [60_000, 120_000, 180_000])
})

test('a blocked clock fires late timers at the new time, never running backwards', async () => {
  const clock = new VirtualClock()
  const at: number[] = []
  clock.setTimer(100, () => at.push(clock.now()))
  clock.block(500)
  assert.is(clock.now(), 500)
  await clock.advance(0)
  assert.equal(at, [500])
  assert.throws(() => clock.block(-1), /ms must be ≥ 0/)
})

test('drive names a deadlock and a runaway loop instead of hanging', async () => {
  const clock = new VirtualClock()
  try {
    await clock.drive(new Promise(() => {}))
    assert.unreachable()
  } catch (error) {
    assert.match((error as Error).message, /deadlock/)
  }
  const again = new VirtualClock()
  const forever = async () => {
    for (;;) await again.sleepUntil(again.now() + 1)
  }
  try {
    await again.drive(forever(), 50)
    assert.unreachable()
  } catch (error) {
    assert.match((error as Error).message, /more than 50 timers fired/)
  }
})

test('sleeping ends at once when the signal aborts, and rejections pass through drive', async () => {
  const clock = new VirtualClock()
  const ac = new AbortController()
  const slept = clock.sleepUntil(10_000, ac.signal)
  ac.abort()
  await slept
  assert.is(clock.now(), 0)
  const failing = async () => {
    await clock.sleepUntil(5)
    throw new Error('boom')
  }
  try {
    await clock.drive(failing())
    assert.unreachable()
  } catch (error) {
    assert.is((error as Error).message, 'boom')
  }
})

test('the real clock waits through real timers; the wall clock reads the date', async () => {
  const clock: Clock = realClock
  const start = clock.now()
  await clock.sleepUntil(start + 5)
  assert.ok(clock.now() >= start)
  let fired = false
  const cancel = clock.setTimer(clock.now() + 60_000, () => (fired = true))
  cancel()
  assert.not.ok(fired)
  const wall: WallClock = systemClock
  const before = Date.now()
  const now = wall.now()
  assert.ok(now >= before && now <= Date.now())
})

test.run()
