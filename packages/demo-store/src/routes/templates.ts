/**
 * Every route template the store serves. Metrics are labelled with these
 * (never the raw URL), and fault switches name them.
 */
export const ROUTE_TEMPLATES = [
  '/health',
  '/metrics',
  '/api/login',
  '/api/products',
  '/api/products/:id',
  '/api/cart',
  '/api/cart/items',
  '/api/cart/items/:productId',
  '/api/checkout',
  '/api/orders',
  '/api/orders/:id',
] as const

export type RouteTemplate = (typeof ROUTE_TEMPLATES)[number]

/** The `route` label for requests that matched no route (404), so unknown URLs cannot blow up the label set. */
export const UNMATCHED_ROUTE = 'unmatched'
