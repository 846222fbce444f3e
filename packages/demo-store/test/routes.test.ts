/**
 * Every route of the demo store, against a real in-process server: login,
 * products, cart, checkout and the background order worker, orders,
 * /health, 404 and 405.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { CATALOGUE_SIZE, buildCatalogue } from '../src/catalogue.ts'
import { call, login, start, until, type Started } from './helpers.ts'

let s: Started
test.before(async () => {
  s = await start({ orderDelayMs: 20 })
})
test.after(async () => {
  await s.close()
})

test('POST /api/login: a well-formed email and any non-empty password log in; the same email is the same user', async () => {
  const a = await call(s.url, 'POST', '/api/login', { json: { email: 'Ada@Example.com', password: 'x' } })
  assert.is(a.status, 200)
  assert.match(a.body.token, /^st_[\w-]{20,}$/)
  assert.is(a.body.tokenType, 'Bearer')
  assert.equal(a.body.user.email, 'ada@example.com')
  assert.match(a.body.user.id, /^u-\d{4}$/)
  const b = await call(s.url, 'POST', '/api/login', { json: { email: 'ada@example.com', password: 'other' } })
  assert.is(b.body.user.id, a.body.user.id)
  assert.is.not(b.body.token, a.body.token)
  // Both tokens work.
  for (const token of [a.body.token, b.body.token])
    assert.is((await call(s.url, 'GET', '/api/cart', { token })).status, 200)
})

test("POST /api/login: the password 'wrong' answers 401 with a JSON error", async () => {
  const res = await call(s.url, 'POST', '/api/login', { json: { email: 'ada@example.com', password: 'wrong' } })
  assert.is(res.status, 401)
  assert.is(res.body.error, 'invalid_credentials')
  assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/)
})

test('the rejected password is configurable', async () => {
  const other = await start({ rejectedPassword: 'nope' })
  try {
    assert.is(
      (await call(other.url, 'POST', '/api/login', { json: { email: 'a@b.io', password: 'wrong' } })).status,
      200,
    )
    assert.is(
      (await call(other.url, 'POST', '/api/login', { json: { email: 'a@b.io', password: 'nope' } })).status,
      401,
    )
  } finally {
    await other.close()
  }
})

test('POST /api/login: a malformed email or an empty password is a 422 naming the field', async () => {
  const bad = await call(s.url, 'POST', '/api/login', { json: { email: 'not-an-email', password: '' } })
  assert.is(bad.status, 422)
  assert.is(bad.body.error, 'validation')
  assert.equal(bad.body.fields, [
    { field: 'email', message: 'must be a well-formed email address' },
    { field: 'password', message: 'must not be empty' },
  ])
})

test('protected routes answer 401 JSON with WWW-Authenticate: Bearer without a valid token', async () => {
  const routes: Array<[string, string]> = [
    ['GET', '/api/cart'],
    ['POST', '/api/cart/items'],
    ['PATCH', '/api/cart/items/p-001'],
    ['DELETE', '/api/cart/items/p-001'],
    ['POST', '/api/checkout'],
    ['GET', '/api/orders'],
    ['GET', '/api/orders/o-000001'],
  ]
  for (const [method, path] of routes) {
    const none = await call(s.url, method, path, {
      json: method === 'GET' || method === 'DELETE' ? undefined : { quantity: 1 },
    })
    assert.is(none.status, 401, `${method} ${path} without a token`)
    assert.is(none.body.error, 'unauthorized')
    assert.is(none.headers.get('www-authenticate'), 'Bearer realm="demo-store"')
    const forged = await call(s.url, method, path, { token: 'st_forged' })
    assert.is(forged.status, 401, `${method} ${path} with a forged token`)
    assert.match(forged.headers.get('www-authenticate') ?? '', /^Bearer .*error="invalid_token"/)
    const basic = await call(s.url, method, path, { headers: { authorization: 'Basic YTpi' } })
    assert.is(basic.status, 401, `${method} ${path} with Basic auth`)
  }
})

test('GET /api/products: the seeded catalogue, paged', async () => {
  const first = await call(s.url, 'GET', '/api/products')
  assert.is(first.status, 200)
  assert.is(first.body.total, CATALOGUE_SIZE)
  assert.is(first.body.page, 1)
  assert.is(first.body.pageSize, 10)
  assert.is(first.body.items.length, 10)
  assert.is(first.body.items[0].id, 'p-001')
  const last = await call(s.url, 'GET', '/api/products?page=3&pageSize=20')
  assert.equal(
    last.body.items.map((p: { id: string }) => p.id),
    Array.from({ length: 10 }, (_, i) => `p-0${41 + i}`),
  )
  const beyond = await call(s.url, 'GET', '/api/products?page=9&pageSize=20')
  assert.equal([beyond.status, beyond.body.total, beyond.body.items], [200, CATALOGUE_SIZE, []])
  const all = await call(s.url, 'GET', '/api/products?pageSize=100')
  assert.equal(all.body.items, buildCatalogue())
})

test('the catalogue is the same on every build: deterministic ids, names and prices', () => {
  const a = buildCatalogue()
  assert.is(a.length, 50)
  assert.equal(a, buildCatalogue())
  assert.is(new Set(a.map((p) => p.name)).size, 50)
  assert.ok(
    a.some((p) => !p.inStock),
    'some products are out of stock',
  )
  for (const p of a) {
    assert.ok(Number.isInteger(p.priceCents) && p.priceCents > 0)
    assert.is(p.currency, 'EUR')
  }
})

test('GET /api/products?q= searches names, categories and descriptions, ignoring case', async () => {
  const catalogue = buildCatalogue()
  const target = catalogue[7]
  const byName = await call(s.url, 'GET', `/api/products?q=${encodeURIComponent(target.name.toUpperCase())}`)
  assert.equal(byName.body.items, [target])
  const kitchen = await call(s.url, 'GET', '/api/products?q=kitchen&pageSize=100')
  assert.is(kitchen.body.total, catalogue.filter((p) => p.category === 'kitchen').length)
  const none = await call(s.url, 'GET', '/api/products?q=zzzz')
  assert.equal([none.body.total, none.body.items], [0, []])
})

test('GET /api/products/:id: a product, or 404 JSON for an unknown id', async () => {
  const p = await call(s.url, 'GET', '/api/products/p-042')
  assert.is(p.status, 200)
  assert.equal(p.body, buildCatalogue()[41])
  const missing = await call(s.url, 'GET', '/api/products/p-999')
  assert.is(missing.status, 404)
  assert.is(missing.body.error, 'not_found')
  assert.match(missing.headers.get('content-type') ?? '', /^application\/json/)
})

test('cart: add, add again, change quantity, remove; every answer is the whole cart', async () => {
  const token = await login(s.url)
  const [a, b] = buildCatalogue().filter((p) => p.inStock)
  const empty = await call(s.url, 'GET', '/api/cart', { token })
  assert.equal(empty.body, { items: [], itemCount: 0, totalCents: 0, currency: 'EUR' })

  const added = await call(s.url, 'POST', '/api/cart/items', { token, json: { productId: a.id, quantity: 2 } })
  assert.is(added.status, 201)
  assert.equal(added.body.items, [
    { productId: a.id, name: a.name, unitPriceCents: a.priceCents, quantity: 2, lineTotalCents: 2 * a.priceCents },
  ])
  // Adding the same product again adds to its quantity; quantity defaults to 1.
  const again = await call(s.url, 'POST', '/api/cart/items', { token, json: { productId: a.id } })
  assert.is(again.body.items[0].quantity, 3)
  await call(s.url, 'POST', '/api/cart/items', { token, json: { productId: b.id, quantity: 1 } })

  const changed = await call(s.url, 'PATCH', `/api/cart/items/${a.id}`, { token, json: { quantity: 5 } })
  assert.is(changed.status, 200)
  assert.equal(
    changed.body.items.map((l: { quantity: number }) => l.quantity),
    [5, 1],
  )
  assert.is(changed.body.itemCount, 6)
  assert.is(changed.body.totalCents, 5 * a.priceCents + b.priceCents)

  const removed = await call(s.url, 'DELETE', `/api/cart/items/${a.id}`, { token })
  assert.is(removed.status, 200)
  assert.equal(
    removed.body.items.map((l: { productId: string }) => l.productId),
    [b.id],
  )
  assert.equal((await call(s.url, 'GET', '/api/cart', { token })).body, removed.body)
})

test('carts are per user', async () => {
  const one = await login(s.url)
  const two = await login(s.url)
  await call(s.url, 'POST', '/api/cart/items', { token: one, json: { productId: 'p-001' } })
  assert.is((await call(s.url, 'GET', '/api/cart', { token: two })).body.items.length, 0)
})

test('cart: validation errors are 422 naming the field; an unknown line is 404; out of stock is 409', async () => {
  const token = await login(s.url)
  const out = buildCatalogue().find((p) => !p.inStock)!
  const inStock = buildCatalogue().find((p) => p.inStock)!
  const zero = await call(s.url, 'POST', '/api/cart/items', { token, json: { productId: inStock.id, quantity: 0 } })
  assert.is(zero.status, 422)
  assert.equal(zero.body.fields, [{ field: 'quantity', message: 'must be an integer from 1 to 99' }])
  const unknown = await call(s.url, 'POST', '/api/cart/items', { token, json: { productId: 'p-999', quantity: 1 } })
  assert.equal([unknown.status, unknown.body.fields], [422, [{ field: 'productId', message: 'names no product' }]])
  const missing = await call(s.url, 'POST', '/api/cart/items', { token, json: { quantity: 1 } })
  assert.equal(missing.body.fields, [{ field: 'productId', message: 'is required' }])
  const stock = await call(s.url, 'POST', '/api/cart/items', { token, json: { productId: out.id } })
  assert.equal([stock.status, stock.body.error, stock.body.productId], [409, 'out_of_stock', out.id])

  await call(s.url, 'POST', '/api/cart/items', { token, json: { productId: inStock.id, quantity: 98 } })
  const tooMany = await call(s.url, 'POST', '/api/cart/items', { token, json: { productId: inStock.id, quantity: 2 } })
  assert.is(tooMany.status, 422)
  assert.is(tooMany.body.fields[0].field, 'quantity')
  const patch100 = await call(s.url, 'PATCH', `/api/cart/items/${inStock.id}`, { token, json: { quantity: 100 } })
  assert.equal(
    [patch100.status, patch100.body.fields],
    [422, [{ field: 'quantity', message: 'must be an integer from 1 to 99' }]],
  )
  const patchNone = await call(s.url, 'PATCH', `/api/cart/items/${inStock.id}`, { token, json: {} })
  assert.equal(patchNone.body.fields, [{ field: 'quantity', message: 'is required' }])

  const notInCart = await call(s.url, 'PATCH', '/api/cart/items/p-002', { token, json: { quantity: 1 } })
  assert.equal([notInCart.status, notInCart.body.error], [404, 'not_found'])
  const deleteNone = await call(s.url, 'DELETE', '/api/cart/items/p-002', { token })
  assert.equal([deleteNone.status, deleteNone.body.error], [404, 'not_found'])
})

test('checkout: 201 pending order, cart emptied; the worker moves it to paid, then shipped', async () => {
  const token = await login(s.url)
  const p = buildCatalogue().find((x) => x.inStock)!
  await call(s.url, 'POST', '/api/cart/items', { token, json: { productId: p.id, quantity: 3 } })
  const res = await call(s.url, 'POST', '/api/checkout', { token })
  assert.is(res.status, 201)
  const order = res.body
  assert.is(order.state, 'pending')
  assert.match(order.id, /^o-\d{6}$/)
  assert.is(res.headers.get('location'), `/api/orders/${order.id}`)
  assert.is(order.totalCents, 3 * p.priceCents)
  assert.is(order.itemCount, 3)
  assert.equal(order.items, [
    { productId: p.id, name: p.name, unitPriceCents: p.priceCents, quantity: 3, lineTotalCents: 3 * p.priceCents },
  ])
  assert.equal((await call(s.url, 'GET', '/api/cart', { token })).body.items, [])

  const seen = new Set<string>()
  let last: any
  await until(async () => {
    last = (await call(s.url, 'GET', `/api/orders/${order.id}`, { token })).body
    seen.add(last.state)
    return last.state === 'shipped'
  }, 'the order to ship')
  assert.equal(
    last.history.map((h: { state: string }) => h.state),
    ['pending', 'paid', 'shipped'],
  )
  assert.ok(seen.has('shipped'))
})

test('checkout: an empty cart is a 422; a body other than {} is refused', async () => {
  const token = await login(s.url)
  const res = await call(s.url, 'POST', '/api/checkout', { token, json: {} })
  assert.is(res.status, 422)
  assert.equal(res.body.fields, [{ field: 'cart', message: 'is empty: add items before checking out' }])
  const extra = await call(s.url, 'POST', '/api/checkout', { token, json: { coupon: 'FREE' } })
  assert.equal([extra.status, extra.body.fields], [422, [{ field: 'coupon', message: 'is not a known field' }]])
})

test("orders: GET /api/orders lists the user's orders, newest first; another user's order is 404", async () => {
  const token = await login(s.url)
  const ids: string[] = []
  for (const q of [1, 2]) {
    await call(s.url, 'POST', '/api/cart/items', { token, json: { productId: 'p-001', quantity: q } })
    ids.push((await call(s.url, 'POST', '/api/checkout', { token })).body.id)
  }
  const list = await call(s.url, 'GET', '/api/orders', { token })
  assert.is(list.status, 200)
  assert.is(list.body.total, 2)
  assert.equal(
    list.body.items.map((o: { id: string }) => o.id),
    [...ids].reverse(),
  )
  const paged = await call(s.url, 'GET', '/api/orders?pageSize=1&page=2', { token })
  assert.equal(
    paged.body.items.map((o: { id: string }) => o.id),
    [ids[0]],
  )

  const other = await login(s.url)
  assert.equal((await call(s.url, 'GET', '/api/orders', { token: other })).body.items, [])
  const theirs = await call(s.url, 'GET', `/api/orders/${ids[0]}`, { token: other })
  assert.equal([theirs.status, theirs.body.error], [404, 'not_found'])
  const unknown = await call(s.url, 'GET', '/api/orders/o-999999', { token })
  assert.is(unknown.status, 404)
})

test('GET /health: 200 with status ok, uptime and the active fault switches', async () => {
  const res = await call(s.url, 'GET', '/health')
  assert.is(res.status, 200)
  assert.is(res.body.status, 'ok')
  assert.type(res.body.uptimeSeconds, 'number')
  assert.ok(res.body.uptimeSeconds >= 0)
  assert.equal(res.body.faults, [])
})

test('unknown routes are 404 JSON; a wrong method is 405 with Allow; HEAD and OPTIONS work', async () => {
  const nf = await call(s.url, 'GET', '/api/nope')
  assert.equal([nf.status, nf.body.error], [404, 'not_found'])
  assert.is((await call(s.url, 'GET', '/api/products/')).status, 404)
  const wrong = await call(s.url, 'PUT', '/api/cart/items/p-001', { json: { quantity: 1 } })
  assert.equal([wrong.status, wrong.body.error], [405, 'method_not_allowed'])
  assert.is(wrong.headers.get('allow'), 'PATCH, DELETE')
  const getLogin = await call(s.url, 'GET', '/api/login')
  assert.equal([getLogin.status, getLogin.headers.get('allow')], [405, 'POST'])
  const head = await call(s.url, 'HEAD', '/health')
  assert.equal([head.status, head.text], [200, ''])
  const options = await call(s.url, 'OPTIONS', '/api/products')
  assert.equal([options.status, options.headers.get('allow')], [204, 'GET, HEAD'])
})

test('x-request-id is echoed when well-formed and generated otherwise', async () => {
  assert.is(
    (await call(s.url, 'GET', '/health', { headers: { 'x-request-id': 'abc-123' } })).headers.get('x-request-id'),
    'abc-123',
  )
  assert.match(
    (await call(s.url, 'GET', '/health', { headers: { 'x-request-id': 'bad id!' } })).headers.get('x-request-id') ?? '',
    /^[0-9a-f-]{36}$/,
  )
})

test('the store keeps at most maxRecords users, tokens and orders: the oldest go first', async () => {
  const small = await start({ maxRecords: 2, orderDelayMs: 60_000 })
  try {
    const [a, b, c] = [await login(small.url), await login(small.url), await login(small.url)]
    assert.is((await call(small.url, 'GET', '/api/cart', { token: a })).status, 401, 'the oldest token is forgotten')
    for (const token of [b, c]) assert.is((await call(small.url, 'GET', '/api/cart', { token })).status, 200)
    const ids: string[] = []
    for (let i = 0; i < 3; i++) {
      await call(small.url, 'POST', '/api/cart/items', { token: c, json: { productId: 'p-001' } })
      ids.push((await call(small.url, 'POST', '/api/checkout', { token: c })).body.id)
    }
    const list = await call(small.url, 'GET', '/api/orders', { token: c })
    assert.equal(
      list.body.items.map((o: { id: string }) => o.id),
      [ids[2], ids[1]],
    )
    assert.is((await call(small.url, 'GET', `/api/orders/${ids[0]}`, { token: c })).status, 404)
  } finally {
    await small.close()
  }
})

test('close() lets an in-flight request finish, then stops accepting', async () => {
  const slow = await start({ faults: { latency: { '/api/products': { ms: 200 } } } })
  const pending = call(slow.url, 'GET', '/api/products')
  await until(
    async () => (await fetch(`${slow.url}/metrics`).then((r) => r.text())).includes('http_requests_in_flight 1'),
    'the request to be in flight',
  )
  await slow.close()
  const res = await pending
  assert.is(res.status, 200)
  assert.is(res.body.total, 50)
  let refused = false
  await fetch(`${slow.url}/health`).catch(() => (refused = true))
  assert.ok(refused, 'a closed store accepts no connection')
})

test.run()
