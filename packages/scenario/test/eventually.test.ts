/** eventually: polls until the function stops throwing; gives up with the last failure; injected clock. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  eventually,
  EventuallyError,
  expect,
  isExpectationError,
  runIteration,
  scenario,
  type Clock,
} from '@steady/scenario'
import { startServer } from './helpers/server.ts'

function fakeClock(): Clock & { slept: number[] } {
  let t = 0
  const slept: number[] = []
  return {
    slept,
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms)
      t += ms
    },
  }
}

test('returns the first success, waiting `every` between attempts', async () => {
  const clock = fakeClock()
  let n = 0
  const value = await eventually(
    () => {
      if (++n < 4) throw new Error(`attempt ${n}`)
      return 'done'
    },
    { timeout: '10s', every: '250ms', clock },
  )
  assert.is(value, 'done')
  assert.is(n, 4)
  assert.equal(clock.slept, [250, 250, 250])
})

test('gives up after the timeout, reporting the attempts and the last failure with its diff', async () => {
  const clock = fakeClock()
  let n = 0
  const err = (await eventually(
    () => {
      n++
      expect({ state: 'pending', n }).toMatchObject({ state: 'shipped' })
    },
    { timeout: '1s', every: '250ms', clock, message: 'order shipped' },
  ).catch((e: unknown) => e)) as EventuallyError
  assert.instance(err, EventuallyError)
  assert.is(err.attempts, 5)
  assert.match(err.message, 'order shipped: still failing after 5 attempts in 1s (timeout 1s); last failure: expected')
  assert.match(err.diff!, '+   "state": "pending"')
  assert.ok(isExpectationError(err), 'an unmet expectation stays an assertion failure')
  const plain = (await eventually(
    () => {
      throw new Error('boom')
    },
    { timeout: '100ms', every: '50ms', clock },
  ).catch((e: unknown) => e)) as EventuallyError
  assert.not.ok(isExpectationError(plain))
  assert.match(plain.message, 'last failure: boom')
})

test('inside a scenario: polls a real server until the order ships, reported as a failure sample when it never does', async () => {
  const srv = await startServer()
  try {
    const ok = scenario('ships', async ({ http, eventually: poll }) => {
      const r = await poll(
        async () => {
          const res = await http.get('/orders/a')
          expect(res).toHaveJson({ state: 'shipped' })
          return res
        },
        { timeout: '5s', every: '10ms' },
      )
      expect(r.json<{ polls: number }>().polls).toBe(3)
    })
    const r = await runIteration(ok, { baseUrl: srv.url, seed: 1, iteration: 0 })
    assert.ok(r.passed, r.failure?.message)
    const never = scenario('never ships', async ({ http, eventually: poll, step }) => {
      await step('wait', () =>
        poll(async () => expect(await http.get('/orders/b')).toHaveJson({ state: 'lost' }), {
          timeout: '200ms',
          every: '20ms',
        }),
      )
    })
    const f = (await runIteration(never, { baseUrl: srv.url, seed: 1, iteration: 0 })).failure!
    assert.is(f.kind, 'assertion')
    assert.is(f.assertion, 'eventually(toHaveJson)')
    assert.is(f.step, 'wait')
    assert.match(f.message, 'still failing after')
    assert.match(f.diff!, '"state": "lost"')
    assert.is(f.response!.status, 200)
  } finally {
    await srv.close()
  }
})

test.run()
