/**
 * Bad input never makes the store answer 500 or fall over: malformed JSON,
 * wrong content types, wrong types, unknown fields, oversized bodies, bad
 * query parameters, bad escapes and unparseable HTTP all get a 4xx JSON error,
 * and the store keeps serving.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { request } from 'node:http'
import { mulberry32 } from '@steady/kernel'
import { call, login, rawExchange, scrape, start, type Res, type Started } from './helpers.ts'

let s: Started
let token: string
test.before(async () => {
  s = await start({ maxBodyBytes: 4096 })
  token = await login(s.url)
})
test.after(async () => {
  await s.close()
})

function isJsonError(res: Res, status: number, error?: string): void {
  assert.is(res.status, status, `status of ${res.text}`)
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/)
  assert.type(res.body, 'object')
  assert.type(res.body.error, 'string')
  assert.type(res.body.message, 'string')
  if (error) assert.is(res.body.error, error)
}

test('malformed JSON is a 400', async () => {
  for (const raw of ['{', '{"email": "a@b.co",}', "{'email': 1}", 'undefined', '{"a":1}{"b":2}', '\u0000']) {
    const res = await call(s.url, 'POST', '/api/login', { raw, headers: { 'content-type': 'application/json' } })
    isJsonError(res, 400, 'malformed_json')
  }
})

test('a body that is JSON but not an object is a 400', async () => {
  for (const raw of ['[]', '"text"', '42', 'null', 'true']) {
    const res = await call(s.url, 'POST', '/api/login', { raw, headers: { 'content-type': 'application/json' } })
    isJsonError(res, 400, 'bad_request')
  }
})

test('a missing body is a 400 where a body is required', async () => {
  isJsonError(await call(s.url, 'POST', '/api/login'), 400, 'body_required')
  isJsonError(
    await call(s.url, 'POST', '/api/cart/items', { token, raw: '  ', headers: { 'content-type': 'application/json' } }),
    400,
    'body_required',
  )
})

test('another content type is a 415', async () => {
  const body = JSON.stringify({ email: 'a@b.co', password: 'x' })
  for (const type of [
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/jsonp',
    'multipart/form-data; boundary=x',
  ]) {
    isJsonError(
      await call(s.url, 'POST', '/api/login', { raw: body, headers: { 'content-type': type } }),
      415,
      'unsupported_media_type',
    )
  }
  // fetch sends a string body as text/plain unless told otherwise; no type at all is a 415 too.
  const none = await new Promise<number>((resolve, reject) => {
    const u = new URL(`${s.url}/api/login`)
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        headers: { 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      },
    )
    req.on('error', reject)
    req.end(body)
  })
  assert.is(none, 415)
  // JSON with a charset, or a +json type, is fine.
  assert.is(
    (
      await call(s.url, 'POST', '/api/login', {
        raw: body,
        headers: { 'content-type': 'application/json; charset=utf-8' },
      })
    ).status,
    200,
  )
  assert.is(
    (await call(s.url, 'POST', '/api/login', { raw: body, headers: { 'content-type': 'application/vnd.api+json' } }))
      .status,
    200,
  )
})

test('wrong types are a 422 naming each field', async () => {
  const res = await call(s.url, 'POST', '/api/login', { json: { email: 42, password: ['x'] } })
  isJsonError(res, 422, 'validation')
  assert.equal(res.body.fields, [
    { field: 'email', message: 'must be a string, got the number 42' },
    { field: 'password', message: 'must be a string, got an array' },
  ])
  const cart = await call(s.url, 'POST', '/api/cart/items', {
    token,
    json: { productId: { id: 'p-001' }, quantity: 1.5 },
  })
  assert.equal(cart.body.fields, [
    { field: 'productId', message: 'must be a string, got an object' },
    { field: 'quantity', message: 'must be an integer, got the number 1.5' },
  ])
  const patch = await call(s.url, 'PATCH', '/api/cart/items/p-001', { token, json: { quantity: '2' } })
  assert.equal(
    [patch.status, patch.body.fields],
    [422, [{ field: 'quantity', message: 'must be an integer, got a string' }]],
  )
})

test('unknown fields are a 422 naming them, including __proto__ and constructor', async () => {
  const res = await call(s.url, 'POST', '/api/login', {
    raw: '{"email":"a@b.co","password":"x","admin":true,"__proto__":{"x":1},"constructor":1}',
    headers: { 'content-type': 'application/json' },
  })
  isJsonError(res, 422, 'validation')
  assert.equal(
    res.body.fields.map((f: { field: string }) => f.field),
    ['admin', '__proto__', 'constructor'],
  )
  assert.equal(({} as Record<string, unknown>).x, undefined)
})

test('an oversized body is a 413, by Content-Length or while streaming', async () => {
  const big = JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(8000) })
  isJsonError(
    await call(s.url, 'POST', '/api/login', { raw: big, headers: { 'content-type': 'application/json' } }),
    413,
    'payload_too_large',
  )
  // Chunked: no Content-Length, so the store counts while reading.
  const status = await new Promise<number>((resolve, reject) => {
    const u = new URL(`${s.url}/api/login`)
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      },
      (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      },
    )
    req.on('error', reject)
    req.write(big.slice(0, 3000))
    req.end(big.slice(3000))
  })
  assert.is(status, 413)
})

test('bad query parameters are a 422 naming the parameter; unknown ones are ignored', async () => {
  for (const [q, field] of [
    ['page=0', 'page'],
    ['page=abc', 'page'],
    ['page=-1', 'page'],
    ['pageSize=101', 'pageSize'],
    ['pageSize=1.5', 'pageSize'],
  ]) {
    const res = await call(s.url, 'GET', `/api/products?${q}`)
    isJsonError(res, 422, 'validation')
    assert.is(res.body.fields[0].field, field)
  }
  isJsonError(await call(s.url, 'GET', `/api/products?q=${'x'.repeat(201)}`), 422, 'validation')
  isJsonError(await call(s.url, 'GET', '/api/orders?pageSize=0', { token }), 422, 'validation')
  assert.is((await call(s.url, 'GET', '/api/products?utm_source=x&q=%E2%82%AC&page=1')).status, 200)
})

test('a path with a malformed %-escape is a 400; odd paths are 404', async () => {
  isJsonError(await call(s.url, 'GET', '/api/products/%E0%A4%A'), 400, 'bad_request')
  for (const path of [
    '/api/products/%2F..%2F',
    '/api//products',
    '/API/products',
    '/api/products/p-001/extra',
    '/%00',
  ]) {
    isJsonError(await call(s.url, 'GET', path), 404, 'not_found')
  }
})

test('an unparseable request gets a JSON 400 from the parser hook', async () => {
  const answer = await rawExchange(s.url, 'THIS IS NOT HTTP\r\n\r\n')
  assert.match(answer, /^HTTP\/1\.1 400 Bad Request/)
  assert.match(answer, /"error":"bad_request"/)
})

test('deeply nested JSON within the size limit is refused cleanly', async () => {
  const deep = '['.repeat(2000) + ']'.repeat(2000)
  const res = await call(s.url, 'POST', '/api/login', { raw: deep, headers: { 'content-type': 'application/json' } })
  assert.ok(res.status === 400, `got ${res.status}`)
  const nested = await call(s.url, 'POST', '/api/cart/items', {
    token,
    raw: `{"productId":${deep}}`,
    headers: { 'content-type': 'application/json' },
  })
  isJsonError(nested, 422, 'validation')
})

test('random bodies to every route that reads one: never a 500, and the store keeps serving', async () => {
  const rand = mulberry32(7)
  const atoms = [
    'null',
    'true',
    '0',
    '-1',
    '1e309',
    '99',
    '100',
    '1.5',
    '""',
    '"p-001"',
    '"a@b.co"',
    '"x"',
    '[]',
    '{}',
    '[1,2]',
    '"\\u0000"',
  ]
  const keys = ['email', 'password', 'productId', 'quantity', 'x', '__proto__', '']
  const randomValue = (depth: number): string => {
    if (depth > 2 || rand() < 0.6) return atoms[Math.floor(rand() * atoms.length)]
    const n = Math.floor(rand() * 4)
    const parts = Array.from(
      { length: n },
      () => `${JSON.stringify(keys[Math.floor(rand() * keys.length)])}:${randomValue(depth + 1)}`,
    )
    return `{${parts.join(',')}}`
  }
  const targets: Array<[string, string]> = [
    ['POST', '/api/login'],
    ['POST', '/api/cart/items'],
    ['PATCH', '/api/cart/items/p-001'],
    ['POST', '/api/checkout'],
  ]
  const statuses = new Set<number>()
  for (let i = 0; i < 200; i++) {
    const [method, path] = targets[i % targets.length]
    let raw = randomValue(0)
    // Now and then, a broken one.
    if (rand() < 0.15) raw = raw.slice(0, Math.floor(rand() * raw.length))
    const res = await call(s.url, method, path, { token, raw, headers: { 'content-type': 'application/json' } })
    statuses.add(res.status)
    assert.ok(res.status < 500, `${method} ${path} ${raw} answered ${res.status} ${res.text}`)
    assert.type(res.body, 'object', `${method} ${path} ${raw} answered JSON`)
  }
  assert.ok(statuses.has(422) && statuses.has(400), `saw ${[...statuses]}`)
  assert.is((await call(s.url, 'GET', '/health')).status, 200)
  const m = await scrape(s.url)
  assert.is(m.text.includes('status_code="500"'), false, 'no 500 was ever recorded')
})

test.run()
