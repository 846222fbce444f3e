import { scenario, expect } from '@steady/scenario'
import { addToCart, login, pickProducts } from './flows.ts'

export default scenario('cart, checkout, and the order ships', { tags: ['store', 'smoke', 'checkout'], timeout: '30s' }, async (ctx) => {
  const { step, eventually, data } = ctx
  const api = await login(ctx)
  const [keep, drop] = await pickProducts(ctx, 2)
  const quantity = data.number.int({ min: 1, max: 3 })

  await addToCart(ctx, api, keep.id, quantity)
  await addToCart(ctx, api, drop.id, 1)

  const changed = await step('change quantity', () => api.patch(`/api/cart/items/${keep.id}`, { json: { quantity: quantity + 1 } }))
  expect(changed).toHaveStatus(200)
  const removed = await step('remove item', () => api.delete(`/api/cart/items/${drop.id}`))
  expect(removed).toHaveStatus(200)
  expect(removed).toHaveJson({ itemCount: quantity + 1, items: [{ productId: keep.id, quantity: quantity + 1 }] })

  const checkout = await step('checkout', () => api.post('/api/checkout'))
  expect(checkout).toHaveStatus(201)
  expect(checkout).toHaveHeader('location', /^\/api\/orders\/o-\d+$/)
  expect(checkout).toHaveJson({ state: 'pending', itemCount: quantity + 1, totalCents: (quantity + 1) * keep.priceCents })
  const orderUrl = checkout.header('location')!

  const cart = await step('cart is empty', () => api.get('/api/cart'))
  expect(cart).toHaveJson({ itemCount: 0, items: [] })

  // The order is fulfilled in the background: poll until it ships.
  const shipped = await step('order ships', () =>
    eventually(
      async () => {
        const r = await api.get(orderUrl)
        expect(r).toHaveStatus(200)
        expect(r).toHaveJson({ state: 'shipped' })
        return r
      },
      { timeout: '15s', every: '100ms', message: 'order shipped' },
    ),
  )
  expect(shipped.json<{ history: { state: string }[] }>().history.map((h) => h.state)).toEqual(['pending', 'paid', 'shipped'])
})
