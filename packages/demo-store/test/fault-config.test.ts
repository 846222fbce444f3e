/**
 * The fault switches' syntax: env vars and typed objects parse to the same
 * config, mistakes are errors that name the variable and the fix, and the
 * error-rate decisions are exact and repeatable.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { FAULT_ENV, FaultConfigError, describeFaults, validateFaults } from '../src/faults.ts'
import { parseFaults } from '@steady/demo-store'
import { ContentionPool, FaultInjector, type PoolTimers } from '../src/faults.ts'
import { parseCliArgs } from '../src/cli.ts'

test('every switch parses from its env var', () => {
  const config = parseFaults({
    STORE_FAULT_LATENCY: '/api/products/:id=150ms, /api/cart=+50%, *=1.5s',
    STORE_FAULT_ERRORS: '/api/checkout=0.2,/api/orders=5%:503',
    STORE_FAULT_LEAK_BYTES: '65_536',
    STORE_FAULT_DRIFT: '0.5ms/order',
    STORE_FAULT_CONTENTION: '4x20ms',
    STORE_FAULT_CRASH_AFTER: '500',
    STORE_FAULT_SEED: '42',
  })
  assert.equal(config, {
    latency: { '/api/products/:id': { ms: 150 }, '/api/cart': { percent: 50 }, '*': { ms: 1500 } },
    errors: { '/api/checkout': { rate: 0.2, status: 500 }, '/api/orders': { rate: 0.05, status: 503 } },
    leakBytes: 65536,
    driftMsPerOrder: 0.5,
    contention: { slots: 4, holdMs: 20 },
    crashAfter: 500,
    seed: 42,
  })
})

test('unset and empty variables leave the switches off', () => {
  assert.equal(parseFaults({}), {})
  assert.equal(parseFaults({ STORE_FAULT_LATENCY: '', STORE_FAULT_LEAK_BYTES: '  ', PATH: '/bin' }), {})
  assert.equal(parseFaults({ STORE_FAULT_LEAK_BYTES: '0', STORE_FAULT_DRIFT: '0ms/order' }), {})
})

test('describeFaults prints env syntax that parses back to the same config', () => {
  const config = parseFaults({
    STORE_FAULT_LATENCY: '/api/products/:id=150ms,/api/cart=+50%',
    STORE_FAULT_ERRORS: '/api/checkout=0.2:503',
    STORE_FAULT_LEAK_BYTES: '4096',
    STORE_FAULT_DRIFT: '0.25ms/order',
    STORE_FAULT_CONTENTION: '2x1.5ms',
    STORE_FAULT_CRASH_AFTER: '7',
    STORE_FAULT_SEED: '9',
  })
  const env = Object.fromEntries(
    describeFaults(config).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  )
  assert.equal(parseFaults(env), config)
})

test('mistakes name the variable and say what to write', () => {
  const cases: Array<[Record<string, string>, string, RegExp]> = [
    [{ STORE_FAULT_LATENCY: '/api/product/:id=150ms' }, FAULT_ENV.latency, /unknown route template/],
    [{ STORE_FAULT_LATENCY: '/api/products=150' }, FAULT_ENV.latency, /not an amount of time/],
    [{ STORE_FAULT_LATENCY: '/api/products' }, FAULT_ENV.latency, /not route=value/],
    [{ STORE_FAULT_LATENCY: '/api/products=1ms,/api/products=2ms' }, FAULT_ENV.latency, /given twice/],
    [{ STORE_FAULT_ERRORS: '/api/checkout=1.5' }, FAULT_ENV.errors, /more than all requests/],
    [{ STORE_FAULT_ERRORS: '/api/checkout=0.1:404' }, FAULT_ENV.errors, /not 500 or 503/],
    [{ STORE_FAULT_ERRORS: '/api/checkout=lots' }, FAULT_ENV.errors, /not a rate/],
    [{ STORE_FAULT_LEAK_BYTES: '64k' }, FAULT_ENV.leakBytes, /not a number of bytes/],
    [{ STORE_FAULT_DRIFT: '0.5ms' }, FAULT_ENV.driftMsPerOrder, /not a time per order/],
    [{ STORE_FAULT_DRIFT: '0.5ms/request' }, FAULT_ENV.driftMsPerOrder, /not a time per order/],
    [{ STORE_FAULT_CONTENTION: '4x20' }, FAULT_ENV.contention, /not an amount of time/],
    [{ STORE_FAULT_CONTENTION: 'lots' }, FAULT_ENV.contention, /not a pool size and hold time/],
    [{ STORE_FAULT_CONTENTION: '0x20ms' }, FAULT_ENV.contention, /0 slots is not from 1/],
    [{ STORE_FAULT_CONTENTION: '4x0ms' }, FAULT_ENV.contention, /contends for nothing/],
    [{ STORE_FAULT_CONTENTION: '2ms/inflight' }, FAULT_ENV.contention, /old per-request-in-flight form/],
    [{ STORE_FAULT_CRASH_AFTER: '-1' }, FAULT_ENV.crashAfter, /not a number of requests/],
  ]
  for (const [env, source, message] of cases) {
    try {
      parseFaults(env)
      assert.unreachable(`${JSON.stringify(env)} parsed`)
    } catch (err) {
      assert.instance(err, FaultConfigError, JSON.stringify(env))
      const e = err as FaultConfigError
      assert.is(e.code, 'STORE_FAULT_INVALID')
      assert.is(e.source, source, JSON.stringify(env))
      assert.match(e.message, message)
      assert.ok(e.hint.length > 0)
    }
  }
})

test('a typed config is validated too', () => {
  assert.throws(() => validateFaults({ latency: { '/nope': { ms: 1 } } }), /unknown route template/)
  assert.throws(() => validateFaults({ latency: { '/api/cart': { ms: -1 } } }), /from 0 to/)
  assert.throws(() => validateFaults({ leakBytes: 1.5 }), /whole number/)
  assert.throws(() => validateFaults({ crashAfter: Number.NaN }), /whole number/)
  assert.throws(() => validateFaults({ contention: { slots: 0, holdMs: 5 } }), /contention\.slots.*from 1/)
  assert.throws(() => validateFaults({ contention: { slots: 2, holdMs: -1 } }), /contention\.holdMs/)
  assert.equal(validateFaults({ contention: { slots: 2, holdMs: 0 } }), {})
  assert.equal(validateFaults({ errors: { '/api/cart': { rate: 0.5 } } }), {
    errors: { '/api/cart': { rate: 0.5, status: 500 } },
  })
})

test('error decisions: ⌊N·rate⌋ or ⌈N·rate⌉ errors over any N consecutive requests, repeatable per seed', () => {
  for (const rate of [0.01, 0.1, 0.2, 0.25, 1 / 3, 0.5, 0.9]) {
    for (const seed of [1, 2, 3]) {
      const inj = new FaultInjector(validateFaults({ errors: { '/api/products': { rate } }, seed }))
      const fails = Array.from({ length: 300 }, () => inj.decide('/api/products', true, 0).errorStatus !== undefined)
      for (const window of [10, 37, 100, 300]) {
        for (let start = 0; start + window <= fails.length; start += 13) {
          const n = fails.slice(start, start + window).filter(Boolean).length
          assert.ok(
            n === Math.floor(window * rate) || n === Math.ceil(window * rate),
            `rate ${rate} seed ${seed}: ${n} in ${window}`,
          )
        }
      }
      const again = new FaultInjector(validateFaults({ errors: { '/api/products': { rate } }, seed }))
      assert.equal(
        Array.from({ length: 300 }, () => again.decide('/api/products', true, 0).errorStatus !== undefined),
        fails,
      )
    }
  }
  const never = new FaultInjector(validateFaults({ errors: { '/api/products': { rate: 0 } } }))
  assert.ok(
    Array.from({ length: 100 }, () => never.decide('/api/products', true, 0).errorStatus).every((x) => x === undefined),
  )
})

/** Timers a test moves by hand: `advance(ms)` fires what is due, in order. */
function manualTimers(): PoolTimers & { advance(ms: number): void } {
  let now = 0
  let next = 0
  const due = new Map<number, { at: number; fn: () => void }>()
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      due.set(++next, { at: now + ms, fn })
      return next
    },
    clearTimeout: (h) => void due.delete(h as number),
    advance(ms) {
      const end = now + ms
      for (;;) {
        const first = [...due.entries()]
          .filter(([, t]) => t.at <= end)
          .sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0]
        if (!first) break
        due.delete(first[0])
        now = first[1].at
        first[1].fn()
      }
      now = end
    },
  }
}

test('contention pool: first come first served, each slot busy for the hold; waits grow with the queue', async () => {
  const timers = manualTimers()
  const pool = new ContentionPool({ slots: 2, holdMs: 10 }, timers)
  const waits: number[] = []
  const order: number[] = []
  // Six requests at once on two slots held 10 ms: two at a time, 0, 10 and 20 ms of waiting.
  const all = Array.from({ length: 6 }, (_, i) => pool.acquire().then((w) => (order.push(i), (waits[i] = w))))
  assert.is(pool.busy, 2)
  assert.is(pool.waiting, 4)
  timers.advance(10)
  assert.is(pool.waiting, 2)
  timers.advance(10)
  await Promise.all(all)
  assert.equal(order, [0, 1, 2, 3, 4, 5])
  assert.equal(waits, [0, 0, 10, 10, 20, 20])
  // Arrivals slower than the pool drains never wait: a quiet service shows nothing.
  timers.advance(10)
  assert.is(pool.busy, 0)
  for (let i = 0; i < 5; i++) {
    assert.is(await pool.acquire(), 0)
    timers.advance(6)
  }
  // drain() lets every waiter through at once (the store is closing).
  const a = [pool.acquire(), pool.acquire(), pool.acquire(), pool.acquire()]
  timers.advance(3)
  pool.drain()
  const drained = await Promise.all(a)
  assert.ok(drained.filter((w) => w > 0).length >= 1, String(drained))
  assert.is(pool.busy, 0)
  assert.is(pool.waiting, 0)
})

test('command-line flags override env vars and are named in errors', () => {
  const s = parseCliArgs(['--port', '0', '--order-delay', '1s', '--fault-leak-bytes', '100'], {
    PORT: '8080',
    STORE_FAULT_LEAK_BYTES: '5',
    STORE_FAULT_DRIFT: '1ms/order',
  })
  assert.equal(s, {
    help: false,
    port: 0,
    host: '127.0.0.1',
    orderDelayMs: 1000,
    serviceTimeMs: 0,
    faults: { leakBytes: 100, driftMsPerOrder: 1 },
  })
  assert.is(parseCliArgs([], { PORT: '8080', HOST: '0.0.0.0', STORE_ORDER_DELAY: '50ms' }).port, 8080)
  assert.is(parseCliArgs([], { HOST: '0.0.0.0' }).host, '0.0.0.0')
  assert.is(parseCliArgs([], { STORE_ORDER_DELAY: '50' }).orderDelayMs, 50)
  assert.throws(() => parseCliArgs(['--port', 'x']), /--port: "x" is not a port/)
  assert.throws(() => parseCliArgs([], { PORT: '70000' }), /PORT: "70000" is not a port/)
  assert.throws(() => parseCliArgs(['--nope']), /Unknown option '--nope'/)
  assert.throws(() => parseCliArgs(['--fault-drift', 'fast']), /--fault-drift \(STORE_FAULT_DRIFT: /)
  assert.throws(() => parseCliArgs([], { STORE_FAULT_DRIFT: 'fast' }), /^STORE_FAULT_DRIFT: /)
})

test('--fault-side: the switches act on the named side of a paired soak only, and are checked on both', () => {
  const env = { STORE_FAULT_OFFHEAP_LEAK_BYTES: '65536', STORE_FAULT_SIDE: 'candidate' }
  assert.equal(parseCliArgs([], { ...env, STEADY_SIDE: 'candidate' }).faults, { offheapLeakBytes: 65536 })
  assert.equal(parseCliArgs([], { ...env, STEADY_SIDE: 'control' }).faults, {})
  // Outside a paired soak (no STEADY_SIDE) a side-bound switch is off: the store is the clean version.
  assert.equal(parseCliArgs([], env).faults, {})
  assert.equal(parseCliArgs(['--fault-side', 'control'], { ...env, STEADY_SIDE: 'control' }).faults, {
    offheapLeakBytes: 65536,
  })
  assert.throws(
    () => parseCliArgs([], { STORE_FAULT_SIDE: 'canary' }),
    /STORE_FAULT_SIDE: "canary" is not a side; write candidate or control/,
  )
  assert.throws(
    () => parseCliArgs([], { STORE_FAULT_DRIFT: 'fast', STORE_FAULT_SIDE: 'candidate', STEADY_SIDE: 'control' }),
    /^STORE_FAULT_DRIFT: /,
  )
})

test.run()
