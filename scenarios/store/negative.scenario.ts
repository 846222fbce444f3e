import { scenario, expect } from '@steady/scenario'
import { login } from './flows.ts'

export default scenario('the API refuses what it should', { tags: ['store', 'negative'] }, async (ctx) => {
  const { http, step, data } = ctx

  // Asserting these statuses makes them expected responses, not errors, in every metric.
  const anonymous = await step('cart without a token', () => http.get('/api/cart'))
  expect(anonymous).toHaveStatus(401)
  expect(anonymous).toHaveHeader('www-authenticate', /^Bearer/)
  expect(anonymous).toHaveJson({ error: 'unauthorized' })

  const wrong = await step('wrong password', () => http.post('/api/login', { json: { email: data.internet.email(), password: 'wrong' } }))
  expect(wrong).toHaveStatus(401)
  expect(wrong).toHaveJson({ error: 'invalid_credentials' })

  const api = await login(ctx)
  const noProduct = await step('unknown product', () => http.get('/api/products/p-999'))
  expect(noProduct).toHaveStatus(404)
  const noOrder = await step('unknown order', () => api.get('/api/orders/o-999999'))
  expect(noOrder).toHaveStatus(404)
  expect(noOrder).toHaveJson({ error: 'not_found' })
})

/** Each bad cart request is its own scenario (data-driven), each must name the bad field. */
export const badCartItems = scenario.each([
  { label: 'a zero quantity', body: { productId: 'p-001', quantity: 0 }, field: 'quantity' },
  { label: 'a quantity that is text', body: { productId: 'p-001', quantity: 'two' }, field: 'quantity' },
  { label: 'no product id', body: { quantity: 1 }, field: 'productId' },
  { label: 'an unknown field', body: { productId: 'p-001', colour: 'red' }, field: 'colour' },
])('the cart rejects {label} with 422', { tags: ['store', 'negative', 'validation'] }, async (ctx, row) => {
  const api = await login(ctx)
  const res = await ctx.step('add a bad item', () => api.post('/api/cart/items', { json: row.body }))
  expect(res).toHaveStatus(422)
  expect(res).toHaveJson({ error: 'validation' })
  expect(res).toHaveJsonPath('$.fields[*].field', expect.arrayContaining([row.field]))
})
