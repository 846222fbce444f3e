/**
 * Each fault switch acts, checked by what the store says it did (the
 * `x-store-fault` header and `/metrics`), never by the clock.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { describeFaults } from '../src/faults.ts'
import { parseFaults, type CrashInfo } from '@steady/demo-store'
import { call, login, scrape, start, type Started } from './helpers.ts'

async function withStore(options: Parameters<typeof start>[0], body: (s: Started) => Promise<void>): Promise<void> {
  const s = await start(options)
  try {
    await body(s)
  } finally {
    await s.close()
  }
}

const injected = async (url: string, fault: string) =>
  (await scrape(url)).value('store_fault_injected_total', { fault })
const injectedSeconds = async (url: string, fault: string) =>
  (await scrape(url)).value('store_fault_injected_seconds_total', { fault })

test('a healthy store reports no fault: no header, every counter at 0', async () => {
  await withStore({}, async (s) => {
    const res = await call(s.url, 'GET', '/api/products/p-001')
    assert.equal(res.faults, [])
    const m = await scrape(s.url)
    for (const fault of ['latency', 'error', 'leak', 'drift', 'contention', 'crash'])
      assert.is(m.value('store_fault_injected_total', { fault }), 0, fault)
    assert.is(m.value('store_fault_leak_retained_bytes'), 0)
  })
})

test('latency (fixed): the route reports latency=150ms per request; other routes are untouched', async () => {
  await withStore({ faults: parseFaults({ STORE_FAULT_LATENCY: '/api/products/:id=150ms' }) }, async (s) => {
    for (let i = 0; i < 3; i++) {
      const res = await call(s.url, 'GET', `/api/products/p-00${i + 1}`)
      assert.is(res.status, 200)
      assert.equal(res.faults, ['latency=150ms'])
    }
    assert.equal((await call(s.url, 'GET', '/api/products')).faults, [])
    assert.is(await injected(s.url, 'latency'), 3)
    assert.ok(Math.abs((await injectedSeconds(s.url, 'latency'))! - 0.45) < 1e-9)
  })
})

test("latency (wildcard): '*' acts on every /api/* route, a named route overrides it, /health and /metrics are spared", async () => {
  await withStore({ faults: { latency: { '*': { ms: 5 }, '/api/products': { ms: 20 } } } }, async (s) => {
    assert.equal((await call(s.url, 'GET', '/api/products/p-001')).faults, ['latency=5ms'])
    assert.equal((await call(s.url, 'GET', '/api/products')).faults, ['latency=20ms'])
    assert.equal((await call(s.url, 'GET', '/health')).faults, [])
    assert.is(await injected(s.url, 'latency'), 2)
  })
})

test('latency (percent): the store adds the given percent of the time the request took, and says how much', async () => {
  await withStore({ faults: parseFaults({ STORE_FAULT_LATENCY: '/api/products=+50%' }) }, async (s) => {
    const res = await call(s.url, 'GET', '/api/products')
    assert.is(res.status, 200)
    assert.is(res.faults.length, 1)
    const m = /^latency=([\d.]+)ms;percent=50;base=([\d.]+)ms$/.exec(res.faults[0])
    assert.ok(m, res.faults[0])
    const [extra, base] = [Number(m![1]), Number(m![2])]
    assert.ok(Math.abs(extra - base / 2) <= 0.001, `${extra} is half of ${base}`)
    assert.is(await injected(s.url, 'latency'), 1)
  })
})

test('errors: exactly rate × N requests fail, with a JSON 500 and error=500, and the same seed picks the same ones', async () => {
  const pattern = async (seed: number): Promise<string> => {
    let marks = ''
    await withStore(
      { faults: parseFaults({ STORE_FAULT_ERRORS: '/api/products/:id=0.2', STORE_FAULT_SEED: String(seed) }) },
      async (s) => {
        for (let i = 0; i < 50; i++) {
          const res = await call(s.url, 'GET', '/api/products/p-001')
          if (res.status === 500) {
            assert.equal(res.faults, ['error=500'])
            assert.is(res.body.error, 'internal')
            marks += 'x'
          } else {
            assert.is(res.status, 200)
            assert.equal(res.faults, [])
            marks += '.'
          }
        }
        assert.is(await injected(s.url, 'error'), 10)
        const m = await scrape(s.url)
        assert.is(
          m.value('http_request_duration_seconds_count', {
            method: 'GET',
            route: '/api/products/:id',
            status_code: '500',
          }),
          10,
        )
        // Other routes never fail.
        assert.is((await call(s.url, 'GET', '/api/products')).status, 200)
      },
    )
    return marks
  }
  const a = await pattern(1)
  assert.is([...a].filter((c) => c === 'x').length, 10)
  assert.is(await pattern(1), a)
  assert.is.not(await pattern(2), a)
})

test('errors: a failed request has no effect (checkout creates no order) and 503 comes with Retry-After', async () => {
  await withStore({ faults: { errors: { '/api/checkout': { rate: 1, status: 503 } } } }, async (s) => {
    const token = await login(s.url)
    await call(s.url, 'POST', '/api/cart/items', { token, json: { productId: 'p-001' } })
    const res = await call(s.url, 'POST', '/api/checkout', { token })
    assert.equal(
      [res.status, res.body.error, res.headers.get('retry-after'), res.faults],
      [503, 'unavailable', '1', ['error=503']],
    )
    assert.is((await call(s.url, 'GET', '/api/cart', { token })).body.items.length, 1)
    assert.is((await call(s.url, 'GET', '/api/orders', { token })).body.total, 0)
  })
})

test('leak: every /api/* request retains the bytes; /metrics shows retained bytes grow by N × bytes', async () => {
  const bytes = 65536
  await withStore({ faults: parseFaults({ STORE_FAULT_LEAK_BYTES: String(bytes) }) }, async (s) => {
    const before = (await scrape(s.url)).value('store_fault_leak_retained_bytes')
    assert.is(before, 0)
    const n = 12
    for (let i = 0; i < n; i++) assert.equal((await call(s.url, 'GET', '/api/products')).faults, [`leak=${bytes}`])
    // Scrapes and health checks do not leak.
    assert.equal((await call(s.url, 'GET', '/health')).faults, [])
    const m = await scrape(s.url)
    assert.is(m.value('store_fault_leak_retained_bytes'), n * bytes)
    assert.is(m.value('store_fault_injected_total', { fault: 'leak' }), n)
    assert.ok(
      (m.value('process_resident_memory_bytes') ?? 0) > n * bytes,
      'the process holds at least the leaked bytes',
    )
  })
})

test('drift: latency grows with the orders created so far (0.5ms per order)', async () => {
  await withStore({ orderDelayMs: 60_000, faults: parseFaults({ STORE_FAULT_DRIFT: '0.5ms/order' }) }, async (s) => {
    const token = await login(s.url)
    // No orders yet: nothing to add.
    assert.equal((await call(s.url, 'GET', '/api/products')).faults, [])
    for (let k = 1; k <= 4; k++) {
      await call(s.url, 'POST', '/api/cart/items', { token, json: { productId: 'p-001' } })
      await call(s.url, 'POST', '/api/checkout', { token })
      assert.equal((await call(s.url, 'GET', '/api/products')).faults, [`drift=${k * 0.5}ms`])
    }
    const m = await scrape(s.url)
    assert.is(m.value('store_orders_created_total'), 4)
    assert.is(m.value('store_orders', { state: 'pending' }), 4)
    assert.ok((m.value('store_fault_injected_total', { fault: 'drift' }) ?? 0) >= 4)
  })
})

test('contention: requests hold a slot of a shared pool and queue for it; alone, a request does not wait', async () => {
  // One slot held 300 ms per request: a lock far too slow for concurrent requests.
  await withStore({ faults: parseFaults({ STORE_FAULT_CONTENTION: '1x300ms' }) }, async (s) => {
    const token = await login(s.url)
    assert.ok(
      (await scrape(s.url)).value('store_fault_contention_busy_slots') !== undefined,
      'the pool is reported when the switch is on',
    )
    // Alone, a request holds the slot and waits for nobody.
    assert.equal(
      (await call(s.url, 'GET', '/api/products', { token })).faults,
      ['contention=300ms;wait=0ms'],
      'alone: the hold, no wait',
    )
    assert.is(
      (await scrape(s.url)).value('store_fault_contention_busy_slots'),
      0,
      'the slot is free again once answered',
    )
    // Three at once: the first takes the slot, the others queue behind it.
    const three = await Promise.all([0, 1, 2].map(() => call(s.url, 'GET', '/api/products', { token })))
    const waited = three.filter((r) => r.faults.some((f) => /^contention=[\d.]+ms;wait=[1-9]/.test(f)))
    assert.is(waited.length, 2, JSON.stringify(three.map((r) => r.faults)))
    assert.equal(
      three.map((r) => r.status),
      [200, 200, 200],
    )
    const m = await scrape(s.url)
    assert.ok((m.value('store_fault_injected_total', { fault: 'contention' }) ?? 0) >= 2)
    assert.ok((m.value('store_fault_injected_seconds_total', { fault: 'contention' }) ?? 0) > 0)
    assert.is(m.value('http_requests_in_flight'), 0)
  })
})

test('crash: the store answers N API requests, drops request N+1 and calls the crash handler', async () => {
  const crashes: CrashInfo[] = []
  await withStore(
    { faults: parseFaults({ STORE_FAULT_CRASH_AFTER: '3' }), onCrash: (info) => crashes.push(info) },
    async (s) => {
      assert.is((await scrape(s.url)).value('store_fault_crash_requests_remaining'), 3)
      const left: string[][] = []
      for (let i = 0; i < 3; i++) {
        const res = await call(s.url, 'GET', '/api/products')
        assert.is(res.status, 200)
        left.push(res.faults)
      }
      assert.equal(left, [['crash=2'], ['crash=1'], ['crash=0']])
      // Health checks and scrapes do not count.
      assert.is((await call(s.url, 'GET', '/health')).status, 200)
      assert.is((await scrape(s.url)).value('store_fault_crash_requests_remaining'), 0)
      let dropped = false
      await call(s.url, 'GET', '/api/products').catch(() => (dropped = true))
      assert.ok(dropped, 'request N+1 gets no answer')
      assert.equal(crashes, [{ request: 4, crashAfter: 3 }])
      assert.is(await injected(s.url, 'crash'), 1)
    },
  )
})

test('several switches at once are all reported, in one header', async () => {
  await withStore(
    {
      faults: parseFaults({
        STORE_FAULT_LATENCY: '*=1ms',
        STORE_FAULT_LEAK_BYTES: '1024',
        STORE_FAULT_CRASH_AFTER: '100',
      }),
    },
    async (s) => {
      const res = await call(s.url, 'GET', '/api/products/p-003')
      assert.equal(res.faults, ['leak=1024', 'latency=1ms', 'crash=99'])
      const health = await call(s.url, 'GET', '/health')
      assert.equal(health.body.faults, describeFaults(s.store.faults))
      assert.equal(health.body.faults, [
        'STORE_FAULT_LATENCY=*=1ms',
        'STORE_FAULT_LEAK_BYTES=1024',
        'STORE_FAULT_CRASH_AFTER=100',
      ])
    },
  )
})

test.run()
