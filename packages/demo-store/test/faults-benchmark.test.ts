/**
 * The switches the live accuracy benchmark injects (off-heap leak, every
 * route ×k, a slow tail, latency that grows with requests in flight, a
 * service time to multiply), checked by what the store says it did and by
 * the memory it holds, never by the clock.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { FaultConfigError, describeFaults, validateFaults } from '../src/faults.ts'
import { parseFaults } from '@steady/demo-store'
import { parseCliArgs } from '../src/cli.ts'
import { call, holdRequest, login, scrape, spawnStore, start, until, type Started } from './helpers.ts'

async function withStore(options: Parameters<typeof start>[0], body: (s: Started) => Promise<void>): Promise<void> {
  const s = await start(options)
  try {
    await body(s)
  } finally {
    await s.close()
  }
}

const MiB = 1024 * 1024

test('off-heap leak: Buffers outside the V8 heap, retained and reported per request', async () => {
  await withStore({ faults: parseFaults({ STORE_FAULT_OFFHEAP_LEAK_BYTES: String(MiB) }) }, async (s) => {
    for (let i = 0; i < 24; i++) {
      const res = await call(s.url, 'GET', '/api/products/p-001')
      assert.is(res.status, 200)
      assert.equal(res.faults, [`offheap=${MiB}`])
    }
    // /health and /metrics neither trigger the switch nor count towards it.
    assert.equal((await call(s.url, 'GET', '/health')).faults, [])
    const m = await scrape(s.url)
    assert.is(m.value('store_fault_injected_total', { fault: 'offheap' }), 24)
    assert.is(m.value('store_fault_offheap_retained_bytes'), 24 * MiB)
    // The heap leak's own gauge stays at 0: this one is a different kind of memory.
    assert.is(m.value('store_fault_leak_retained_bytes'), 0)
    // The bytes live in ArrayBuffers (outside the V8 heap), and they are kept.
    // Asserted on the total the process holds, not on a difference: other
    // buffers of this process (sockets, parsers) may be freed meanwhile.
    globalThis.gc?.()
    const held = process.memoryUsage().arrayBuffers
    assert.ok(held >= 24 * MiB, `array buffers hold ${held} bytes, expected at least ${24 * MiB}`)
  })
})

test('every route ×1.5: +50% on every API route, of a base that includes the service time', async () => {
  await withStore({ serviceTimeMs: 4, faults: parseFaults({ STORE_FAULT_LATENCY: '*=+50%' }) }, async (s) => {
    for (const path of ['/api/products/p-001', '/api/products', '/api/products/p-002']) {
      const res = await call(s.url, 'GET', path)
      assert.is(res.status, 200)
      const m = /^latency=([\d.]+)ms;percent=50;base=([\d.]+)ms$/.exec(res.faults[0] ?? '')
      assert.ok(m, res.faults.join(', '))
      const [extra, base] = [Number(m![1]), Number(m![2])]
      // The service time waits at least half of 4 ms, so the base is at least 2 ms.
      assert.ok(base >= 2, `base ${base} ms includes the service time`)
      assert.ok(Math.abs(extra - base / 2) <= 0.001, `${extra} is half of ${base}`)
    }
    assert.equal((await call(s.url, 'GET', '/health')).faults, [])
    assert.is((await scrape(s.url)).value('store_fault_injected_total', { fault: 'latency' }), 3)
  })
})

test('slow tail: exactly share × N requests are picked, each k times as long, the seed decides which', async () => {
  const pattern = async (seed: number): Promise<string> => {
    let marks = ''
    const faults = parseFaults({ STORE_FAULT_TAIL: '10%x8', STORE_FAULT_SEED: String(seed) })
    await withStore({ faults }, async (s) => {
      for (let i = 0; i < 60; i++) {
        const res = await call(s.url, 'GET', i % 2 === 0 ? '/api/products/p-001' : '/api/products')
        assert.is(res.status, 200)
        if (res.faults.length === 0) {
          marks += '.'
          continue
        }
        const m = /^tail=([\d.]+)ms;factor=8;base=([\d.]+)ms$/.exec(res.faults[0])
        assert.ok(m, res.faults[0])
        // Both are rounded to 0.001 ms in the header, and the base's rounding is multiplied by 7.
        assert.ok(Math.abs(Number(m![1]) - 7 * Number(m![2])) <= 0.01, `${m![1]} is 7 × ${m![2]}`)
        marks += 'x'
      }
      assert.is((await scrape(s.url)).value('store_fault_injected_total', { fault: 'tail' }), 6)
    })
    return marks
  }
  const a = await pattern(3)
  assert.is(a.replaceAll('.', '').length, 6)
  assert.is(await pattern(3), a)
  const others = await Promise.all([4, 5, 6].map(pattern))
  assert.ok(
    others.some((p) => p !== a),
    'another seed picks other requests',
  )
})

test('in-flight latency: +x ms per API request in flight above n, counted at arrival', async () => {
  await withStore({ faults: parseFaults({ STORE_FAULT_INFLIGHT: '1.5ms/inflight:2' }) }, async (s) => {
    const token = await login(s.url)
    // Alone: 1 in flight, not above 2, nothing added.
    assert.equal((await call(s.url, 'GET', '/api/products/p-001')).faults, [])
    // Four requests held open (their bodies not sent yet) are in flight.
    const held = Array.from({ length: 4 }, () => holdRequest(s.url, '/api/cart/items', token))
    try {
      await until(async () => (await scrape(s.url)).value('http_requests_in_flight') === 4, 'four requests in flight')
      // This one makes 5 in flight: 3 above 2, 4.5 ms.
      assert.equal((await call(s.url, 'GET', '/api/products/p-001')).faults, ['inflight=4.5ms;count=5'])
      const answers = await Promise.all(held.map((h) => h.finish({ productId: 'p-001' })))
      for (const a of answers) assert.is(a.status, 201)
    } finally {
      for (const h of held) h.abort()
    }
    const m = await scrape(s.url)
    const slowed = m.value('store_fault_injected_total', { fault: 'inflight' }) ?? 0
    assert.ok(slowed >= 2, 'the fifth and some of the held ones were slowed')
    assert.ok((m.value('store_fault_injected_seconds_total', { fault: 'inflight' }) ?? 0) >= 0.0045)
  })
})

test('the new switches parse from env vars and flags, describe back to themselves, and refuse nonsense', () => {
  const env = {
    STORE_FAULT_OFFHEAP_LEAK_BYTES: '65_536',
    STORE_FAULT_TAIL: '3%x8',
    STORE_FAULT_INFLIGHT: '1.5ms/inflight:2',
    STORE_FAULT_SEED: '7',
  }
  const config = parseFaults(env)
  assert.equal(config, {
    offheapLeakBytes: 65536,
    tail: { share: 0.03, factor: 8 },
    inflight: { msPerRequest: 1.5, above: 2 },
    seed: 7,
  })
  const split = (l: string) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]
  const back = Object.fromEntries(describeFaults(config).map(split))
  assert.equal(parseFaults(back), config)
  assert.equal(parseFaults({ STORE_FAULT_INFLIGHT: '2ms/inflight' }).inflight, { msPerRequest: 2, above: 0 })

  const flags = parseCliArgs(['--fault-tail', '0.05x4', '--fault-offheap-leak-bytes', '1024', '--service-time', '2ms'])
  assert.equal(flags.faults, { offheapLeakBytes: 1024, tail: { share: 0.05, factor: 4 } })
  assert.is(flags.serviceTimeMs, 2)
  assert.is(parseCliArgs([]).serviceTimeMs, 0)

  const bad: Array<[Record<string, string>, string, RegExp]> = [
    [{ STORE_FAULT_TAIL: '3%' }, 'STORE_FAULT_TAIL', /not a share and a factor/],
    [{ STORE_FAULT_TAIL: '3%x1' }, 'faults.tail.factor', /above 1/],
    [{ STORE_FAULT_TAIL: '150%x2' }, 'faults.tail.share', /from 0 to 1/],
    [{ STORE_FAULT_INFLIGHT: '1.5ms' }, 'STORE_FAULT_INFLIGHT', /not a time per inflight/],
    [{ STORE_FAULT_INFLIGHT: '1.5ms/inflight:x' }, 'STORE_FAULT_INFLIGHT', /not a time per inflight/],
    [{ STORE_FAULT_OFFHEAP_LEAK_BYTES: '64k' }, 'STORE_FAULT_OFFHEAP_LEAK_BYTES', /not a number of bytes/],
  ]
  for (const [input, source, message] of bad) {
    try {
      parseFaults(input)
      assert.unreachable(`${JSON.stringify(input)} should be refused`)
    } catch (err) {
      assert.instance(err, FaultConfigError, JSON.stringify(input))
      assert.is((err as FaultConfigError).source, source, JSON.stringify(input))
      assert.match((err as Error).message, message)
      assert.ok((err as FaultConfigError).hint.length > 0)
    }
  }
  assert.throws(() => validateFaults({ offheapLeakBytes: 65 * MiB }), /more than 64 MiB/)
  assert.throws(() => validateFaults({ inflight: { msPerRequest: -1, above: 0 } }), /inflight.msPerRequest/)
  assert.throws(() => parseCliArgs(['--service-time', 'soon']), /--service-time/)
  // The tail is off at a share of 0, as the other switches are at 0.
  assert.equal(validateFaults({ tail: { share: 0, factor: 8 } }), {})
})

test('a store process takes the new flags and lists them at startup', async () => {
  const flags = ['--fault-offheap-leak-bytes', '4096', '--fault-tail', '3%x8', '--service-time', '1ms']
  const child = await spawnStore(['--port', '0', ...flags])
  try {
    const res = await call(child.url, 'GET', '/api/products/p-001')
    assert.ok(res.faults.includes('offheap=4096'), res.faults.join(', '))
    assert.match(child.stdout(), /demo-store fault: STORE_FAULT_OFFHEAP_LEAK_BYTES=4096/)
    assert.match(child.stdout(), /demo-store fault: STORE_FAULT_TAIL=0.03x8/)
  } finally {
    child.child.kill('SIGTERM')
    await child.exited
  }
})

test.run()
