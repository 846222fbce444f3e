/**
 * @steady/demo-store: a small shop API (login, products, cart, checkout,
 * orders fulfilled in the background, /health, /metrics) with fault switches
 * that make it regress on purpose, for steady's examples, tests and demo.
 *
 * ```ts
 * import { createStore, parseFaults } from '@steady/demo-store'
 * const store = createStore({ faults: parseFaults({ STORE_FAULT_LATENCY: '/api/products/:id=150ms' }) })
 * const { url } = await store.listen()
 * // ...
 * await store.close()
 * ```
 */
export { createStore } from './store.ts'
export type { Store, StoreOptions, CrashInfo } from './store.ts'
export { parseFaults } from './faults.ts'
/** @public */
export type { FaultConfig } from './faults.ts'
