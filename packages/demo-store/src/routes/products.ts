/** `GET /api/products` (paging and search) and `GET /api/products/:id`. */
import { json, notFound, queryInt, validationError } from '../http.ts'
import type { Route, Services } from './types.ts'

/** Page size when the query gives none. */
export const DEFAULT_PAGE_SIZE = 10
export const MAX_PAGE_SIZE = 100

export function productRoutes(s: Services): Route[] {
  return [
    {
      method: 'GET',
      template: '/api/products',
      handle: ({ query }) => {
        const page = queryInt(query, 'page', 1, 1, 1_000_000)
        const pageSize = queryInt(query, 'pageSize', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
        const q = (query.get('q') ?? '').trim().toLowerCase()
        if (q.length > 200) throw validationError([{ field: 'q', message: 'must be at most 200 characters' }])
        // Search matches a word anywhere in the name, category or description, ignoring case.
        const matches =
          q === ''
            ? s.products
            : s.products.filter((p) => `${p.name} ${p.category} ${p.description}`.toLowerCase().includes(q))
        const start = (page - 1) * pageSize
        return json(200, { total: matches.length, page, pageSize, items: matches.slice(start, start + pageSize) })
      },
    },
    {
      method: 'GET',
      template: '/api/products/:id',
      handle: ({ params }) => {
        const product = s.productsById.get(params.id)
        if (!product) throw notFound(`no product has the id ${JSON.stringify(params.id)}`)
        return json(200, product)
      },
    },
  ]
}
