/** runIteration: steps, attribution, checks, expected responses, events, timeouts, abort, failure samples. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Redactor } from '@steady/record'
import { runIteration, scenario, expect, type RequestEvent } from '@steady/scenario'
import { startServer, PASSWORD, TOKEN, type TestServer } from './helpers/server.ts'

let srv: TestServer
test.before(async () => {
  srv = await startServer()
})
test.after(async () => {
  await srv.close()
})

test('steps nest, are timed, and every request is attributed to its step path', async () => {
  const s = scenario('nesting', async ({ http, step }) => {
    await http.get('/echo')
    await step('browse', async () => {
      await http.get('/items')
      await step('detail', () => http.get('/echo?item=a1'))
      await http.get('/text')
    })
    await step('again', () => http.get('/items'))
  })
  const events: RequestEvent[] = []
  const r = await runIteration(s, { baseUrl: srv.url, seed: 1, iteration: 0, onRequest: (e) => events.push(e) })
  assert.ok(r.passed)
  assert.equal(
    events.map((e) => e.step),
    ['', 'browse', 'browse > detail', 'browse', 'again'],
  )
  assert.equal(
    r.steps.map((s) => [s.path, s.depth, s.requests, s.passed]),
    [
      ['browse', 0, 2, true],
      ['browse > detail', 1, 1, true],
      ['again', 0, 1, true],
    ],
  )
  assert.ok(r.steps[0].durationMs >= r.steps[1].durationMs)
  assert.is(r.requests, 5)
  for (const e of events) {
    assert.is(e.scenario, 'nesting')
    assert.is(e.method, 'GET')
    assert.is(e.status, 200)
    assert.ok(e.expected)
    assert.ok(e.endTime >= e.startTime)
    assert.ok(Math.abs(e.wallTime - Date.now()) < 60_000)
    assert.type(e.timings.ttfb, 'number')
    assert.ok(!('url' in e), 'events carry the step, never the URL')
  }
})

test('steps in parallel: requests and nested steps belong to the step whose code made them, also after an await', async () => {
  const s = scenario('parallel', async ({ http, step, sleep }) => {
    await Promise.all([step('list', () => http.get('/items')), step('text', () => http.get('/text'))])
    await Promise.all([
      // Requests and a nested step made after an await, while the sibling step was opened last.
      step('slow', async () => {
        await sleep('20ms')
        await http.get('/echo?slow=1')
        await step('inner', async () => {
          await sleep('5ms')
          await http.get('/echo?inner=1')
        })
      }),
      step('fast', async () => {
        await http.get('/echo?fast=1')
        await sleep('40ms')
        await http.get('/echo?fast=2')
      }),
    ])
  })
  const events: RequestEvent[] = []
  const r = await runIteration(s, { baseUrl: srv.url, seed: 1, iteration: 0, onRequest: (e) => events.push(e) })
  assert.ok(r.passed, r.failure?.message)
  const byStep = (path: string) => events.filter((e) => e.step === path).length
  assert.is(byStep('list'), 1)
  assert.is(byStep('text'), 1)
  assert.is(byStep('slow'), 1)
  assert.is(byStep('slow > inner'), 1)
  assert.is(byStep('fast'), 2)
  assert.equal(Object.fromEntries(r.steps.map((x) => [x.path, x.requests])), {
    list: 1,
    text: 1,
    slow: 1,
    'slow > inner': 1,
    fast: 2,
  })
})

test('expected responses: an asserted 401 is expected, an unasserted 404 is not, expectStatus marks too', async () => {
  const s = scenario('statuses', async ({ http }) => {
    const denied = await http.get('/me')
    expect(denied).toHaveStatus(401)
    await http.get('/nope')
    await http.get('/status/409', { expectStatus: [409, 412] })
    const err = await http.get('/status/500')
    expect(err).not.toHaveStatus(200)
  })
  const events: RequestEvent[] = []
  const r = await runIteration(s, { baseUrl: srv.url, seed: 1, iteration: 0, onRequest: (e) => events.push(e) })
  assert.ok(r.passed, r.failure?.message)
  assert.equal(
    events.map((e) => [e.status, e.expected]),
    [
      [401, true],
      [404, false],
      [409, true],
      [500, false],
    ],
  )
  assert.is(r.unexpectedRequests, 2)
})

test('a network error is an unexpected event with an error kind', async () => {
  const s = scenario('refused', async ({ http }) => {
    await http.get('http://127.0.0.1:1/x')
  })
  const events: RequestEvent[] = []
  const r = await runIteration(s, { baseUrl: srv.url, seed: 1, iteration: 0, onRequest: (e) => events.push(e) })
  assert.not.ok(r.passed)
  assert.is(events[0].status, 0)
  assert.is(events[0].expected, false)
  assert.is(events[0].error, 'ECONNREFUSED')
  assert.is(r.failure!.kind, 'request')
  assert.is(r.failure!.errorKind, 'ECONNREFUSED')
  assert.match(r.failure!.message, 'ECONNREFUSED')
})

test('checks are counted: ctx.expect every check, global expect on responses and their JSON', async () => {
  const s = scenario('checks', async ({ http, expect: check }) => {
    const r = await http.get('/items')
    expect(r).toHaveStatus(200)
    expect(r.json()).toMatchObject({ total: 2 })
    check(1 + 1).toBe(2)
    expect(3).toBe(3) // a plain value with the global expect: not attributable, not counted
  })
  const r = await runIteration(s, { baseUrl: srv.url, seed: 1, iteration: 0 })
  assert.equal(r.checks, { passed: 3, failed: 0 })
  const f = scenario('failed check', async ({ http }) => {
    expect(await http.get('/items')).toHaveStatus(201)
  })
  const r2 = await runIteration(f, { baseUrl: srv.url, seed: 1, iteration: 0 })
  assert.equal(r2.checks, { passed: 0, failed: 1 })
})

test('a failure sample: step, message, diff, request, response, curl, replay; redacted', async () => {
  const s = scenario('checkout fails', async ({ http, step, log }) => {
    const login = await step('login', () => http.post('/login', { json: { email: 'a@b.c', password: PASSWORD } }))
    const token = login.json<{ token: string }>().token
    log(`logged in with ${token}`)
    await step('order', async () => {
      await step('poll', async () => {
        const r = await http.get('/orders/77', { headers: { authorization: `Bearer ${token}` } })
        expect(r).toHaveJson({ state: 'shipped' })
      })
    })
  })
  const r = await runIteration(s, { baseUrl: srv.url, seed: 'release-1', iteration: 4, redactor: new Redactor() })
  assert.not.ok(r.passed)
  const f = r.failure!
  assert.is(f.scenario, 'checkout fails')
  assert.is(f.step, 'order > poll')
  assert.is(f.kind, 'assertion')
  assert.is(f.assertion, 'toHaveJson')
  assert.match(f.message, 'expected GET /orders/77 body to match')
  assert.match(f.diff!, '-   "state": "shipped"')
  assert.match(f.diff!, '+   "state": "pending"')
  assert.is(f.request!.method, 'GET')
  assert.is(f.request!.url, `${srv.url}/orders/77`)
  assert.is(f.response!.status, 200)
  assert.match(f.response!.body!, '"pending"')
  assert.match(f.curl!, `curl -sS -i '${srv.url}/orders/77'`)
  assert.equal(f.replay, { seed: 'release-1', scenario: 'checkout fails', iteration: 4 })
  assert.match(f.file ?? '', 'iteration.test.ts')
  assert.type(f.line, 'number')
  const text = JSON.stringify(f)
  assert.not.match(text, TOKEN)
  assert.not.match(text, PASSWORD)
  assert.match(text, '[REDACTED]')
  assert.equal(f.logs, ['logged in with [REDACTED]'])
})

test('setupData reaches the iteration; the data seed is derived from the run seed', async () => {
  const s = scenario('setup data', async ({ setupData, seed, iteration, vu, baseUrl, scenario: me }) => {
    expect(setupData).toEqual({ token: 't' })
    expect(typeof seed).toBe('number')
    expect(iteration).toBe(3)
    expect(vu).toBe(2)
    expect(baseUrl).toBe(srv.url)
    expect(me.name).toBe('setup data')
  })
  const r = await runIteration(s, { baseUrl: srv.url, seed: 9, iteration: 3, vu: 2, setupData: { token: 't' } })
  assert.ok(r.passed, r.failure?.message)
  const again = await runIteration(s, { baseUrl: srv.url, seed: 9, iteration: 3, vu: 2, setupData: { token: 't' } })
  assert.is(again.seed, r.seed)
})

test('an iteration timeout aborts its requests and says which step it was in', async () => {
  const s = scenario('slow', async ({ http, step }) => {
    await step('wait for slow', () => http.get('/slow?ms=5000'))
  })
  const r = await runIteration(s, { baseUrl: srv.url, seed: 1, iteration: 0, timeout: '150ms' })
  assert.not.ok(r.passed)
  assert.is(r.failure!.kind, 'timeout')
  assert.match(r.failure!.message, 'did not finish within 150ms')
  assert.match(r.failure!.message, 'wait for slow')
  const slow = scenario('slow by option', { timeout: '100ms' }, async ({ sleep }) => {
    await sleep('10s')
  })
  const r2 = await runIteration(slow, { baseUrl: srv.url, seed: 1, iteration: 0, timeout: '1m' })
  assert.is(r2.failure!.kind, 'timeout')
})

test('the AbortSignal: an interrupted iteration stops its requests and polls', async () => {
  const ac = new AbortController()
  let attempts = 0
  const s = scenario('interrupted', async ({ http, eventually, signal }) => {
    await eventually(
      async () => {
        attempts++
        await http.get('/slow?ms=40')
        throw new Error('not yet')
      },
      { timeout: '30s', every: '20ms' },
    )
    void signal
  })
  setTimeout(() => ac.abort('SIGINT'), 200)
  const r = await runIteration(s, { baseUrl: srv.url, seed: 1, iteration: 0, signal: ac.signal })
  assert.not.ok(r.passed)
  assert.ok(r.aborted)
  assert.is(r.failure!.kind, 'aborted')
  assert.match(r.failure!.message, 'SIGINT')
  const seen = attempts
  await new Promise((res) => setTimeout(res, 150))
  assert.is(attempts, seen, 'no more polls after the abort')
})

test('sub-flows are plain functions taking the context', async () => {
  async function login(ctx: {
    http: import('@steady/scenario').HttpClient
    step: <T>(n: string, f: () => Promise<T>) => Promise<T>
  }) {
    const r = await ctx.step('login', () => ctx.http.post('/login', { json: { password: PASSWORD } }))
    expect(r).toHaveStatus(200)
    return ctx.http.with({ headers: { authorization: `Bearer ${r.json<{ token: string }>().token}` } })
  }
  const s = scenario('uses sub-flow', async (ctx) => {
    const api = await login(ctx)
    expect(await ctx.step('me', () => api.get('/me'))).toHaveStatus(200)
  })
  const events: RequestEvent[] = []
  const r = await runIteration(s, { baseUrl: srv.url, seed: 1, iteration: 0, onRequest: (e) => events.push(e) })
  assert.ok(r.passed, r.failure?.message)
  assert.equal(
    events.map((e) => e.step),
    ['login', 'me'],
  )
})

test.run()
