/** expect: matchers on values and on real responses, diffs, JSON path, JSON Schema (ajv) and safeParse schemas. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createClient, expect, ExpectationError, isExpectationError, type SafeParseSchema } from '@steady/scenario'
import { queryPath } from '../src/expect/jsonpath.ts'
import { startServer, type TestServer } from './helpers/server.ts'
import { z } from 'zod'

let srv: TestServer
let http: ReturnType<typeof createClient>
test.before(async () => {
  srv = await startServer()
  http = createClient({ baseUrl: srv.url })
})
test.after(async () => {
  await http.close()
  await srv.close()
})

function fails(fn: () => void): ExpectationError {
  try {
    fn()
  } catch (e) {
    assert.ok(isExpectationError(e), String(e))
    return e as ExpectationError
  }
  throw new Error('expected a failure')
}

test('value matchers pass and fail with readable messages; .not negates', () => {
  expect(1).toBe(1)
  expect({ a: [1, { b: 2 }] }).toEqual({ a: [1, { b: 2 }] })
  expect({ a: 1, b: 2 }).toMatchObject({ a: 1 })
  expect('hello world').toMatch(/wor/)
  expect([1, 2, { x: 1 }]).toContain({ x: 1 })
  expect('abc').toHaveLength(3)
  expect({ a: { b: [5] } }).toHaveProperty('a.b[0]', 5)
  expect(0).toBeFalsy()
  expect(null).toBeNull()
  expect(undefined).toBeUndefined()
  expect(3).toBeGreaterThan(2)
  expect(3).toBeLessThanOrEqual(3)
  expect(1).not.toBe(2)
  expect({ id: 'x1', n: 3, at: 'now' }).toEqual({
    id: expect.stringMatching(/^x/),
    n: expect.any(Number),
    at: expect.anything(),
  })
  expect([3, 1, 2]).toEqual(expect.arrayContaining([1, 2]))
  expect(0.1 + 0.2).toEqual(expect.closeTo(0.3, 0.001))
  const e = fails(() => expect(2).toBe(3))
  assert.is(e.message, 'expected 2 to be 3')
  assert.match(fails(() => expect(1).not.toBe(1)).message, 'not expected 1 to be 1')
  assert.match(fails(() => expect(5, 'stock').toBeLessThan(3)).message, 'stock: expected 5 to be < 3')
})

test('a failed partial match shows a diff of the fields that matter only', () => {
  const actual = { id: 'o1', state: 'pending', lines: [{ sku: 'a', qty: 1 }], noise: 'x'.repeat(50) }
  const e = fails(() => expect(actual).toMatchObject({ state: 'shipped', lines: [{ qty: 2 }] }))
  assert.is(e.matcher, 'toMatchObject')
  assert.is(
    e.diff,
    [
      '- Expected',
      '+ Received',
      '',
      '  {',
      '-   "state": "shipped",',
      '+   "state": "pending",',
      '    "lines": [',
      '      {',
      '-       "qty": 2',
      '+       "qty": 1',
      '      }',
      '    ]',
      '  }',
    ].join('\n'),
  )
  assert.not.match(e.diff!, 'noise')
})

test('response matchers: status (codes, lists, classes), headers, JSON, JSON path, duration', async () => {
  const r = await http.get('/items')
  expect(r).toHaveStatus(200)
  expect(r).toHaveStatus([200, 204])
  expect(r).toHaveStatus('2xx')
  expect(r).toHaveHeader('content-type', /json/)
  expect(r).toHaveHeader('Content-Type')
  expect(r).toHaveJson({ total: 2 })
  expect(r).toMatchObject({ items: [{ id: 'a1' }, { id: 'b2' }] })
  expect(r).toHaveJsonPath('$.items[1].name', 'pear')
  expect(r).toHaveJsonPath('$.items[*].id', ['a1', 'b2'])
  expect(r).toHaveJsonPath("$['total']")
  expect(r).toHaveJsonPath('$.items.length', 2)
  expect(r).toRespondWithin('10s')
  const status = fails(() => expect(r).toHaveStatus(201))
  assert.match(status.message, /expected GET \/items to answer 201, got 200; body: \{"items"/)
  assert.ok(status.subject === r)
  assert.match(
    fails(() => expect(r).toHaveHeader('x-missing')).message,
    'expected header x-missing on GET /items; it is missing',
  )
  assert.match(
    fails(() => expect(r).toHaveHeader('content-type', 'text/html')).message,
    'expected header content-type to be text/html, got "application/json"',
  )
  const path = fails(() => expect(r).toHaveJsonPath('$.items[0].price', 99))
  assert.match(path.message, 'expected $.items[0].price to be 99, got 10')
  assert.match(fails(() => expect(r).toHaveJsonPath('$.missing')).message, 'expected $.missing to exist')
  assert.match(fails(() => expect(r).toRespondWithin('0ms')).message, /expected GET \/items within 0ms, it took/)
  assert.match(fails(() => expect(42).toHaveStatus(200)).message, 'toHaveStatus needs a response from http')
})

test('JSON path subset', () => {
  const v = { a: { 'odd key': [1, 2, 3] }, list: [{ id: 1 }, { id: 2 }] }
  assert.equal(queryPath(v, "$.a['odd key'][2]"), { found: true, value: 3 })
  assert.equal(queryPath(v, '$.list[-1].id'), { found: true, value: 2 })
  assert.equal(queryPath(v, 'list[0].id'), { found: true, value: 1 })
  assert.equal(queryPath(v, '$.list[*].id'), { found: true, value: [1, 2] })
  assert.is(queryPath(v, '$.nope.deeper').found, false)
  assert.throws(() => queryPath(v, '$..id'), /invalid JSON path/)
})

test('JSON Schema via ajv (with formats), on a response body and on values', async () => {
  const schema = {
    type: 'object',
    required: ['items', 'total'],
    properties: {
      total: { type: 'integer' },
      items: {
        type: 'array',
        items: {
          type: 'object',
          required: ['id', 'price'],
          properties: { id: { type: 'string' }, price: { type: 'number', minimum: 0 } },
        },
      },
    },
  }
  const r = await http.get('/items')
  expect(r).toMatchSchema(schema)
  expect({ email: 'a@b.co' }).toMatchSchema({
    type: 'object',
    properties: { email: { type: 'string', format: 'email' } },
  })
  const bad = fails(() =>
    expect({ email: 'nope' }).toMatchSchema({
      type: 'object',
      properties: { email: { type: 'string', format: 'email' } },
    }),
  )
  assert.match(bad.message, '$.email: must match format "email"')
  const wrong = fails(() =>
    expect(r).toMatchSchema({ ...schema, properties: { ...schema.properties, total: { type: 'string' } } }),
  )
  assert.match(wrong.message, 'expected GET /items body to match the schema')
  assert.match(wrong.message, '$.total: must be string')
})

test('zod-like schemas: anything with safeParse', async () => {
  const positiveTotal: SafeParseSchema = {
    safeParse: (v) => {
      const total = (v as { total?: unknown })?.total
      return typeof total === 'number' && total > 0
        ? { success: true }
        : { success: false, error: { issues: [{ path: ['total'], message: 'Expected positive number' }] } }
    },
  }
  const r = await http.get('/items')
  expect(r).toMatchSchema(positiveTotal)
  const e = fails(() => expect({ total: -1 }).toMatchSchema(positiveTotal))
  assert.match(e.message, '$.total: Expected positive number')
})

test("zod schemas: toMatchSchema(z.object(...)) passes, and fails with the path and zod's message", async () => {
  const Item = z.object({ id: z.string(), price: z.number().nonnegative(), name: z.string() })
  const Items = z.object({ items: z.array(Item), total: z.number().int() })
  const r = await http.get('/items')
  expect(r).toMatchSchema(Items)
  expect(r.json()).toMatchSchema(Items)
  const wrongTotal = fails(() => expect(r).toMatchSchema(Items.extend({ total: z.string() })))
  assert.match(wrongTotal.message, 'expected GET /items body to match the schema')
  assert.match(wrongTotal.message, /\$\.total: .*expected string/i)
  const nested = fails(() => expect({ items: [{ id: 'a1', price: -5, name: 'apple' }], total: 1 }).toMatchSchema(Items))
  assert.match(nested.message, /\$\.items\[0\]\.price: .*>=\s?0/)
  const missing = fails(() => expect({ total: 1 }).toMatchSchema(Items))
  assert.match(missing.message, /\$\.items: /)
})

test.run()
