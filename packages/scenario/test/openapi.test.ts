/** OpenAPI response validation: per run (every response) and its failure output. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, loadOpenApi, runIteration, scenario } from '@steady/scenario'
import { startServer } from './helpers/server.ts'

const yaml = `openapi: 3.0.3
info: { title: test, version: '1' }
servers: [{ url: 'http://example.com/' }]
paths:
  /items:
    get:
      responses:
        '200':
          description: items
          content:
            application/json:
              schema: { $ref: '#/components/schemas/ItemList' }
  /orders/{id}:
    get:
      responses:
        '200':
          description: an order
          content:
            application/json:
              schema:
                type: object
                required: [id, state]
                properties:
                  id: { type: string }
                  state: { type: string, enum: [pending, paid, shipped] }
                  note: { type: string, nullable: true }
  /status/{code}:
    get:
      responses:
        '4XX':
          description: client error
          content:
            application/json:
              schema: { type: object, required: [status], properties: { status: { type: integer } } }
components:
  schemas:
    ItemList:
      type: object
      required: [items, total]
      properties:
        total: { type: integer }
        items:
          type: array
          items:
            type: object
            required: [id, price]
            properties:
              id: { type: string }
              price: { type: number, maximum: 15 }
`

test('every response is validated against the document: path templates, $ref, status classes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'steady-openapi-'))
  writeFileSync(join(dir, 'api.yaml'), yaml)
  const validator = await loadOpenApi(join(dir, 'api.yaml'))
  const srv = await startServer()
  try {
    const good = scenario('documented', async ({ http }) => {
      expect(await http.get('/orders/42')).toHaveStatus(200)
      expect(await http.get('/status/404')).toHaveStatus(404)
      await http.get('/text') // not in the document: ignored unless strictPaths
    })
    const ok = await runIteration(good, { baseUrl: srv.url, seed: 1, iteration: 0, validator })
    assert.ok(ok.passed, ok.failure?.message)

    const bad = scenario('undocumented price', async ({ http, step }) => {
      await step('list', () => http.get('/items'))
    })
    const f = (await runIteration(bad, { baseUrl: srv.url, seed: 1, iteration: 0, validator })).failure!
    assert.is(f.kind, 'assertion')
    assert.is(f.assertion, 'openapi')
    assert.is(f.step, 'list')
    assert.match(f.message, 'GET /items 200: response does not match the OpenAPI document')
    assert.match(f.message, '/items 200: $.items[1].price: must be <= 15')
    assert.is(f.response!.status, 200)

    const undocumentedStatus = scenario('500 not documented', async ({ http }) => void (await http.get('/status/500')))
    const u = (await runIteration(undocumentedStatus, { baseUrl: srv.url, seed: 1, iteration: 0, validator })).failure!
    assert.match(u.message, 'status 500 is not documented for GET /status/{code}')

    const optOut = scenario('opt out', async ({ http }) => void (await http.get('/items', { validate: false })))
    assert.ok((await runIteration(optOut, { baseUrl: srv.url, seed: 1, iteration: 0, validator })).passed)

    const strict = await loadOpenApi(join(dir, 'api.yaml'), { strictPaths: true })
    const s = (
      await runIteration(
        scenario('strict', async ({ http }) => void (await http.get('/text'))),
        { baseUrl: srv.url, seed: 1, iteration: 0, validator: strict },
      )
    ).failure!
    assert.match(s.message, 'GET /text is not in the OpenAPI document')
  } finally {
    await srv.close()
  }
})

test('a broken document is a clear error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'steady-openapi-'))
  writeFileSync(join(dir, 'bad.yaml'), 'openapi: [unclosed\n')
  await loadOpenApi(join(dir, 'bad.yaml')).then(
    () => assert.unreachable(),
    (e: Error) => assert.match(e.message, 'bad.yaml is not valid YAML'),
  )
  await loadOpenApi({ swagger: '2.0' }).then(
    () => assert.unreachable(),
    (e: Error) => assert.match(e.message, 'is not an OpenAPI 3 document'),
  )
})

test.run()
