/**
 * `POST /api/checkout` turns the cart into a `pending` order (201); the
 * background worker moves it to `paid`, then `shipped`. `GET /api/orders`
 * lists the user's orders, `GET /api/orders/:id` shows one (404 for another
 * user's order, as for an unknown one: ids are not secrets, orders are).
 */
import { json, notFound, queryInt, validateBody, validationError } from '../http.ts'
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './products.ts'
import type { Route, Services } from './types.ts'

export function orderRoutes(s: Services): Route[] {
  return [
    {
      method: 'POST',
      template: '/api/checkout',
      handle: async ({ req, body }) => {
        const user = s.auth.authenticate(req)
        // No body is needed; one that is sent must be an empty JSON object.
        validateBody(await body(false), {})
        const cart = s.carts.view(user.id)
        if (cart.items.length === 0)
          throw validationError([{ field: 'cart', message: 'is empty: add items before checking out' }])
        const order = s.orders.create(user.id, cart.items)
        s.carts.clear(user.id)
        s.metrics.ordersCreated.inc()
        return json(201, order, { location: `/api/orders/${order.id}` })
      },
    },
    {
      method: 'GET',
      template: '/api/orders',
      handle: ({ req, query }) => {
        const user = s.auth.authenticate(req)
        const page = queryInt(query, 'page', 1, 1, 1_000_000)
        const pageSize = queryInt(query, 'pageSize', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
        const all = s.orders.list(user.id)
        const start = (page - 1) * pageSize
        return json(200, { total: all.length, page, pageSize, items: all.slice(start, start + pageSize) })
      },
    },
    {
      method: 'GET',
      template: '/api/orders/:id',
      handle: ({ req, params }) => {
        const user = s.auth.authenticate(req)
        const order = s.orders.get(user.id, params.id)
        if (!order) throw notFound(`you have no order ${JSON.stringify(params.id)}`)
        return json(200, order)
      },
    },
  ]
}
