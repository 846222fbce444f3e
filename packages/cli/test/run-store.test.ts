/**
 * The example scenarios (scenarios/store) against the demo store: they pass
 * against a healthy store and fail, with the documented output, when a fault
 * switch is on (docs/scenarios.md shows the same output).
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createStore, parseFaults } from '@steady/demo-store'
import { repoRoot, steady } from './helpers/run-project.ts'

async function withStore<T>(env: Record<string, string>, fn: (url: string) => Promise<T>): Promise<T> {
  const store = createStore({ orderDelayMs: 50, faults: parseFaults(env) })
  const { url } = await store.listen(0)
  try {
    return await fn(url)
  } finally {
    await store.close()
  }
}

test('every example scenario passes against a healthy store, also with iterations and concurrency', async () => {
  await withStore({}, async (url) => {
    const r = await steady(
      ['run', 'scenarios/store', '--target', url, '--reporter', 'pretty', '--iterations', '2', '--concurrency', '3'],
      repoRoot,
    )
    assert.is(r.code, 0, r.out + r.err)
    for (const name of [
      'login and browse the catalogue',
      'cart, checkout, and the order ships',
      'the API refuses what it should',
      'the cart rejects a zero quantity with 422',
      'the cart rejects a quantity that is text with 422',
      'the cart rejects no product id with 422',
      'the cart rejects an unknown field with 422',
    ]) {
      assert.match(r.out, `✓ ${name}  (2 iterations`)
    }
    assert.match(r.out, '7 passed')
  })
})

test('a failing checkout (STORE_FAULT_ERRORS) and a slow product page (STORE_FAULT_LATENCY) fail with the documented output', async () => {
  await withStore(
    { STORE_FAULT_ERRORS: '/api/checkout=1', STORE_FAULT_LATENCY: '/api/products/:id=600ms' },
    async (url) => {
      const r = await steady(
        ['run', 'scenarios/store', '--target', url, '--reporter', 'pretty', '--grep', '@smoke', '--seed', '1'],
        repoRoot,
      )
      assert.is(r.code, 1, r.out + r.err)
      assert.match(r.out, '✗ cart, checkout, and the order ships')
      assert.match(r.out, 'scenarios/store/checkout.scenario.ts:20 · step "checkout" · iteration 0')
      assert.match(r.out, 'expected POST /api/checkout to answer 201, got 500; body: {"error":"internal"')
      assert.match(r.out, 'x-store-fault: error=500')
      assert.match(r.out, "curl -sS -i -X POST '" + url + "/api/checkout'")
      assert.match(r.out, '✗ login and browse the catalogue')
      assert.match(r.out, 'scenarios/store/login-browse.scenario.ts:52 · step "product detail" · iteration 0')
      assert.match(r.out, /expected GET \/api\/products\/p-\d{3} within 500ms, it took \d+ms/)
      assert.match(r.out, '0 passed, 2 failed')
    },
  )
})

test('a store that is down: every scenario fails with ECONNREFUSED (exit 1)', async () => {
  const store = createStore({})
  const { url } = await store.listen(0)
  await store.close()
  const r = await steady(
    ['run', 'scenarios/store/negative.scenario.ts', '--target', url, '--reporter', 'pretty', '--grep', 'refuses'],
    repoRoot,
  )
  assert.is(r.code, 1)
  assert.match(r.out, 'ECONNREFUSED')
})

test.run()
