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
export { createStore, CRASH_EXIT_CODE } from './store.ts'
export type { Store, StoreOptions, CrashInfo } from './store.ts'
export {
  parseFaults,
  validateFaults,
  describeFaults,
  parseLatencyFaults,
  parseErrorFaults,
  parseDrift,
  parseContention,
  parseTail,
  parseInflight,
  ContentionPool,
  FaultConfigError,
  FAULT_ENV,
  FAULT_NAMES,
} from './faults.ts'
export type {
  FaultConfig,
  LatencyFault,
  ErrorFault,
  ContentionFault,
  TailFault,
  InflightFault,
  PoolTimers,
  FaultName,
} from './faults.ts'
export { ROUTE_TEMPLATES } from './routes/templates.ts'
export type { RouteTemplate } from './routes/templates.ts'
export { buildCatalogue, CATALOGUE_SIZE } from './catalogue.ts'
export type { Product } from './catalogue.ts'
export type { Order, OrderState } from './orders.ts'
export { ORDER_STATES, DEFAULT_ORDER_DELAY_MS } from './orders.ts'
export type { CartView, CartLine } from './cart.ts'
export type { User } from './auth.ts'
export { DEFAULT_REJECTED_PASSWORD } from './auth.ts'
export { parseCliArgs, STORE_USAGE } from './cli.ts'
export type { CliSettings } from './cli.ts'
