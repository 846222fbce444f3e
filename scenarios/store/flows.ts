/**
 * Sub-flows shared by the store scenarios: plain async functions that take
 * the scenario context. Reuse is ordinary TypeScript — no special syntax.
 */
import { bearer, expect, type HttpClient, type ScenarioContext } from '@steady/scenario'

export interface Product {
  id: string
  name: string
  category: string
  priceCents: number
  currency: string
  inStock: boolean
}

export interface Cart {
  items: { productId: string; quantity: number; lineTotalCents: number }[]
  itemCount: number
  totalCents: number
}

/** Logs a fresh, seeded user in; returns a client that sends its bearer token. */
export async function login(ctx: ScenarioContext): Promise<HttpClient> {
  const { http, step, data } = ctx
  const email = data.internet.email({ provider: 'example.com' }).toLowerCase()
  const res = await step('login', () => http.post('/api/login', { json: { email, password: data.internet.password({ length: 14 }) } }))
  expect(res).toHaveStatus(200)
  expect(res).toHaveJson({ tokenType: 'Bearer', user: { email } })
  return http.with({ auth: bearer(res.json<{ token: string }>().token) })
}

/** Two different in-stock products, picked with the seeded data (same picks on replay). */
export async function pickProducts(ctx: ScenarioContext, count = 2): Promise<Product[]> {
  const res = await ctx.step('list products', () => ctx.http.get('/api/products', { query: { pageSize: 100 } }))
  expect(res).toHaveStatus(200)
  const inStock = res.json<{ items: Product[] }>().items.filter((p) => p.inStock)
  expect(inStock.length, 'in-stock products').toBeGreaterThanOrEqual(count)
  return ctx.data.helpers.arrayElements(inStock, count)
}

/** Adds a product to the cart and checks the cart holds it. */
export async function addToCart(ctx: ScenarioContext, api: HttpClient, productId: string, quantity: number): Promise<Cart> {
  const res = await ctx.step('add to cart', () => api.post('/api/cart/items', { json: { productId, quantity } }))
  expect(res).toHaveStatus(201)
  const cart = res.json<Cart>()
  expect(cart.items).toContain(expect.anything())
  return cart
}
