/** What a route is, and what its handler gets. */
import type { IncomingMessage } from 'node:http'
import type { Auth } from '../auth.ts'
import type { Carts } from '../cart.ts'
import type { Product } from '../catalogue.ts'
import type { FaultConfig } from '../faults.ts'
import type { Reply } from '../http.ts'
import type { StoreMetrics } from '../metrics.ts'
import type { Orders } from '../orders.ts'
import type { RouteTemplate } from './templates.ts'

/** The store's state and services, shared by every route. */
export interface Services {
  readonly products: readonly Product[]
  readonly productsById: ReadonlyMap<string, Product>
  readonly auth: Auth
  readonly carts: Carts
  readonly orders: Orders
  readonly metrics: StoreMetrics
  readonly faults: FaultConfig
  readonly startedAt: Date
}

/** One request, as a handler sees it. */
interface RouteContext {
  readonly req: IncomingMessage
  /** Path parameters, decoded (`:id` → `params.id`). */
  readonly params: Readonly<Record<string, string>>
  readonly query: URLSearchParams
  /** Reads the JSON body (415/413/400 on bad input); `required: false` allows an empty body. */
  readonly body: (required?: boolean) => Promise<unknown>
}

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE'

export interface Route {
  readonly method: Method
  readonly template: RouteTemplate
  readonly handle: (ctx: RouteContext) => Reply | Promise<Reply>
}
