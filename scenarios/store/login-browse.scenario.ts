import { scenario, expect } from '@steady/scenario'
import { login } from './flows.ts'

/** The JSON Schema of one page of products (checked with ajv). */
const productPage = {
  type: 'object',
  required: ['total', 'page', 'pageSize', 'items'],
  properties: {
    total: { type: 'integer', minimum: 1 },
    page: { type: 'integer', minimum: 1 },
    pageSize: { type: 'integer', minimum: 1, maximum: 100 },
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'priceCents', 'currency', 'inStock'],
        properties: {
          id: { type: 'string', pattern: '^p-\\d{3}$' },
          name: { type: 'string', minLength: 1 },
          priceCents: { type: 'integer', minimum: 1 },
          currency: { const: 'EUR' },
          inStock: { type: 'boolean' },
        },
      },
    },
  },
}

export default scenario('login and browse the catalogue', { tags: ['store', 'smoke'] }, async (ctx) => {
  const { http, step } = ctx
  await login(ctx)

  const first = await step('first page', () => http.get('/api/products', { query: { page: 1, pageSize: 10 } }))
  expect(first).toHaveStatus(200)
  expect(first).toMatchSchema(productPage)
  expect(first).toHaveJsonPath('$.items.length', 10)

  const second = await step('second page', () => http.get('/api/products', { query: { page: 2, pageSize: 10 } }))
  expect(second).toHaveJsonPath('$.page', 2)
  const ids = (r: typeof first) => r.json<{ items: { id: string }[] }>().items.map((p) => p.id)
  expect(ids(second).some((id) => ids(first).includes(id)), 'pages overlap').toBe(false)

  const product = first.json<{ items: { id: string; category: string }[] }>().items[0]
  const search = await step('search', () => http.get('/api/products', { query: { q: product.category } }))
  expect(search).toHaveStatus(200)
  expect(search.json<{ items: { category: string }[] }>().items).toContain(expect.anything())

  const detail = await step('product detail', () => http.get(`/api/products/${product.id}`))
  expect(detail).toHaveStatus(200)
  expect(detail).toHaveJson({ id: product.id })
  // A slow product page is a broken product page: the latency fault switch trips this.
  expect(detail).toRespondWithin('500ms')
})
