/**
 * /metrics: Prometheus text from the store's own registry, with the default
 * process metrics and a request-duration histogram labelled by route template
 * (never by raw URL); several stores in one process keep separate counts.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ROUTE_TEMPLATES } from '../src/routes/templates.ts'
import { Router } from '../src/router.ts'
import { call, login, scrape, start } from './helpers.ts'

test('GET /metrics is Prometheus text with the default process metrics', async () => {
  const s = await start()
  try {
    const res = await fetch(`${s.url}/metrics`)
    assert.is(res.status, 200)
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/)
    const m = await scrape(s.url)
    for (const name of [
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_active_handles_total',
      'process_cpu_seconds_total',
    ]) {
      assert.type(m.value(name), 'number', name)
    }
    assert.ok(m.value('process_resident_memory_bytes')! > 0)
    assert.match(m.text, /# TYPE http_request_duration_seconds histogram/)
  } finally {
    await s.close()
  }
})

test('http_request_duration_seconds is labelled by method, route template and status code, never by the raw URL', async () => {
  const s = await start()
  try {
    const token = await login(s.url)
    for (const id of ['p-001', 'p-002', 'p-003', 'p-404']) await call(s.url, 'GET', `/api/products/${id}`)
    await call(s.url, 'GET', '/api/orders/o-123456', { token })
    await call(s.url, 'GET', '/no/such/route-xyz')
    await call(s.url, 'DELETE', '/api/products/p-001')
    const m = await scrape(s.url)
    const count = (route: string, status: string, method = 'GET') =>
      m.value('http_request_duration_seconds_count', { method, route, status_code: status })
    assert.is(count('/api/products/:id', '200'), 3)
    assert.is(count('/api/products/:id', '404'), 1)
    assert.is(count('/api/orders/:id', '404'), 1)
    assert.is(count('/api/login', '200', 'POST'), 1)
    assert.is(count('unmatched', '404'), 1)
    assert.is(count('/api/products/:id', '405', 'DELETE'), 1)
    for (const raw of ['p-001', 'p-404', 'o-123456', 'route-xyz'])
      assert.not.ok(m.text.includes(raw), `${raw} is not in /metrics`)
    const routes = new Set([...m.text.matchAll(/route="([^"]*)"/g)].map((x) => x[1]))
    for (const r of routes) assert.ok(r === 'unmatched' || (ROUTE_TEMPLATES as readonly string[]).includes(r), r)
  } finally {
    await s.close()
  }
})

test('two stores in one process have their own registries', async () => {
  const a = await start()
  const b = await start()
  try {
    for (let i = 0; i < 3; i++) await call(a.url, 'GET', '/api/products')
    await call(b.url, 'GET', '/api/products')
    const label = { method: 'GET', route: '/api/products', status_code: '200' }
    assert.is((await scrape(a.url)).value('http_request_duration_seconds_count', label), 3)
    assert.is((await scrape(b.url)).value('http_request_duration_seconds_count', label), 1)
  } finally {
    await Promise.all([a.close(), b.close()])
  }
})

test('the store serves exactly the route templates it exports', async () => {
  // The routes come from the store's own table; the fault parser and metrics rely on ROUTE_TEMPLATES.
  const s = await start()
  try {
    for (const t of ROUTE_TEMPLATES) {
      const path = t.replace(':id', 'p-001').replace(':productId', 'p-001')
      const res = await call(s.url, 'OPTIONS', path)
      assert.is(res.status, 204, `${t} is served`)
    }
    assert.equal(new Router([]).templates, [])
  } finally {
    await s.close()
  }
})

test('store_orders counts orders by state as the worker moves them', async () => {
  const s = await start({ orderDelayMs: 10 })
  try {
    const token = await login(s.url)
    await call(s.url, 'POST', '/api/cart/items', { token, json: { productId: 'p-001' } })
    await call(s.url, 'POST', '/api/checkout', { token })
    let m = await scrape(s.url)
    assert.is(m.value('store_orders_created_total'), 1)
    for (let i = 0; i < 200 && m.value('store_orders', { state: 'shipped' }) !== 1; i++) {
      await new Promise((r) => setTimeout(r, 20))
      m = await scrape(s.url)
    }
    assert.equal(
      ['pending', 'paid', 'shipped'].map((state) => m.value('store_orders', { state })),
      [0, 0, 1],
    )
  } finally {
    await s.close()
  }
})

test.run()
