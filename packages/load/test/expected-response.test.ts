/**
 * k6's `expected_response` in the embedded engine, against a real local
 * server answering 401: a status the scenario asserted is an expected
 * response (tagged expected_response=true, not counted as failed in
 * `http_req_failed`), even when a later `expect` of the iteration fails; an
 * unasserted 401, or one the scenario did not expect, is a failed request.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { runEmbedded, resolveProfile } from '../src/index.ts'

const file = fileURLToPath(new URL('./fixtures/statuses.scenario.ts', import.meta.url))

let server: Server
let target = ''

test.before(async () => {
  server = createServer((req, res) => {
    res.writeHead(req.url === '/private' ? 401 : 404, { 'content-type': 'text/plain' })
    res.end('no')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

test.after(async () => {
  server.closeAllConnections()
  await new Promise((r) => server.close(r))
})

const iterations = 3

const run = (name: string) =>
  runEmbedded({
    profile: resolveProfile('auth', { executor: 'shared-iterations', vus: 1, iterations, exec: name }),
    target,
    scenario: { file, name },
    seed: 'expected-response',
  })

const tags = (expected: boolean) => ({
  scenario: 'auth',
  name: 'get private',
  method: 'GET',
  status: '401',
  expected_response: String(expected),
})

test('an asserted 401 is an expected response: tagged expected_response=true, not a failed request', async () => {
  const r = await run('asserted 401')
  assert.is(r.counts.completed, iterations)
  assert.is(r.totals.counter('http_reqs'), iterations)
  assert.is(r.totals.counter('http_reqs', tags(true)), iterations)
  assert.is(r.totals.counter('http_reqs', { expected_response: 'false' }), 0)
  // k6's http_req_failed is a rate whose non-zero samples ("passes") are the failed requests.
  assert.equal(r.totals.rate('http_req_failed'), { passes: 0, fails: iterations })
  assert.is(r.totals.trend('http_req_duration', { expected_response: 'true' }).count, iterations)
  assert.equal(r.totals.rate('checks'), { passes: iterations, fails: 0 })
})

test('an asserted 401 stays expected when a later expect of the iteration fails; the failed expect counts in checks', async () => {
  const r = await run('asserted 401 then a failed expect')
  assert.is(r.totals.counter('http_reqs', tags(true)), iterations)
  assert.equal(r.totals.rate('http_req_failed'), { passes: 0, fails: iterations })
  const checks = r.totals.rate('checks')
  assert.is(checks.passes, iterations, 'the status checks passed')
  assert.is(checks.fails, iterations, 'the header checks failed')
  assert.is(r.scenario?.failed, iterations)
})

test('an unasserted 401 is not an expected response: counted in http_req_failed', async () => {
  const r = await run('unasserted 401')
  assert.is(r.totals.counter('http_reqs', tags(false)), iterations)
  assert.is(r.totals.counter('http_reqs', { expected_response: 'true' }), 0)
  assert.equal(r.totals.rate('http_req_failed'), { passes: iterations, fails: 0 })
})

test('a 401 where the scenario asserted 200 is a failed request and a failed check', async () => {
  const r = await run('asserts 200, gets 401')
  assert.is(r.totals.counter('http_reqs', tags(false)), iterations)
  assert.equal(r.totals.rate('http_req_failed'), { passes: iterations, fails: 0 })
  assert.equal(r.totals.rate('checks'), { passes: 0, fails: iterations })
})

test.run()
