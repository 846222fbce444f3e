/** runScenarios: setup/teardown, iterations and concurrency, bail, replay selection, interrupt, reporters. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readRunRecord } from '@steady/record'
import {
  githubReporter,
  jsonReporter,
  junitReporter,
  loadScenarioFiles,
  prettyReporter,
  runScenarios,
  type Reporter,
  type RequestEvent,
  type ScenarioFile,
} from '@steady/scenario'
import { recordedSetups } from '../src/setup-record.ts'
import { startServer, TOKEN, type TestServer } from './helpers/server.ts'
import { tempProject } from './helpers/project.ts'

let srv: TestServer
test.before(async () => {
  srv = await startServer()
})
test.after(async () => {
  await srv.close()
})

const flows = `import { scenario, expect, defineSetup, defineTeardown } from '@steady/scenario'
import { appendFileSync } from 'node:fs'
const log = (s: string) => appendFileSync(process.env.STEADY_TEST_LOG!, s + '\\n')
export const setup = defineSetup(async ({ http }) => {
  log('setup')
  const r = await http.post('/login', { json: { password: 'hunter2-secret-pw' } })
  return { token: r.json<{ token: string }>().token }
})
export const teardown = defineTeardown<{ token: string }>(async (_ctx, data) => log('teardown ' + (data.token ? 'with token' : 'without')))
export default scenario<{ token: string }>('me works', { tags: ['smoke'] }, async ({ http, step, setupData, vu, iteration }) => {
  log('iteration ' + iteration + ' vu ' + vu)
  const me = await step('me', () => http.get('/me', { headers: { authorization: 'Bearer ' + setupData.token } }))
  expect(me).toHaveStatus(200)
})
export const failing = scenario('items total is 3', async ({ http, step }) => {
  const r = await step('list', () => http.get('/items'))
  expect(r).toHaveJson({ total: 3 })
})
export const skipped = scenario('not yet', { skip: 'waiting for the API' }, async () => {})
`

async function load(files: Record<string, string>): Promise<{ dir: string; files: ScenarioFile[]; log: string }> {
  const dir = tempProject(files)
  const log = join(dir, 'log.txt')
  process.env.STEADY_TEST_LOG = log
  return { dir, files: await loadScenarioFiles({ patterns: ['.'], cwd: dir }), log }
}

test('setup once per file, its data in every iteration, teardown after the last; summaries and record', async () => {
  const { files, log } = await load({ 'flows.scenario.ts': flows })
  const ends: string[] = []
  const result = await runScenarios({
    files,
    baseUrl: srv.url,
    iterations: 3,
    concurrency: 2,
    seed: 7,
    reporters: [{ name: 'spy', onScenarioEnd: (s) => void ends.push(s.name) }],
  })
  const lines = readFileSync(log, 'utf8').trim().split('\n')
  assert.is(lines[0], 'setup')
  assert.is(lines.at(-1), 'teardown with token')
  assert.is(lines.filter((l) => l === 'setup').length, 1)
  assert.equal(
    lines
      .filter((l) => l.startsWith('iteration'))
      .map((l) => l.split(' ')[1])
      .sort(),
    ['0', '1', '2'],
  )
  assert.ok(
    lines.some((l) => l.endsWith('vu 1')),
    'two workers',
  )
  assert.is(result.status, 'failed')
  const [me, items, skipped] = result.scenarios
  assert.equal([me.status, me.iterations, me.passed, me.failed], ['passed', 3, 3, 0])
  assert.equal([items.status, items.iterations, items.failed], ['failed', 3, 3])
  assert.equal([skipped.status, skipped.skipReason], ['skipped', 'waiting for the API'])
  assert.equal(
    me.steps.map((s) => [s.path, s.count, s.failed]),
    [['me', 3, 0]],
  )
  assert.is(items.failures.length, 3)
  assert.equal(ends.sort(), ['items total is 3', 'me works', 'not yet'])
  const rec = result.record
  assert.is(rec.kind, 'run')
  assert.is(rec.seed, '7')
  assert.equal(
    rec.scenarios.map((s) => [s.name, s.iterations, s.passed, s.failed]),
    [
      ['me works', 3, 3, 0],
      ['items total is 3', 3, 0, 3],
      ['not yet', 0, 0, 0],
    ],
  )
  assert.is(rec.failures.length, 1)
  assert.equal(rec.failures[0].signature, {
    scenario: 'items total is 3',
    step: 'list',
    assertion: 'toHaveJson',
    status: 200,
  })
  assert.is(rec.failures[0].count, 3)
  const keys = rec.series.map((s) => s.key)
  assert.ok(keys.includes('probe/http_req_duration{scenario=me works,step=me}'), keys.join(' '))
  assert.ok(keys.includes('probe/iterations{scenario=items total is 3}'))
})

test('a failing setup fails the scenarios of its file; bail stops after the first failure', async () => {
  const { files } = await load({
    'a.scenario.ts': `import { scenario, defineSetup } from '@steady/scenario'
export const setup = defineSetup(async ({ http }) => { const r = await http.get('/status/503'); if (r.status !== 200) throw new Error('backend not ready: ' + r.status) })
export default scenario('needs setup', async () => {})
`,
  })
  const r = await runScenarios({ files, baseUrl: srv.url })
  assert.is(r.status, 'failed')
  assert.is(r.scenarios[0].status, 'failed')
  assert.match(r.scenarios[0].failures[0].message, 'backend not ready: 503')
  assert.is(r.scenarios[0].failures[0].kind, 'setup')

  const b = await load({ 'b.scenario.ts': flows })
  const bailed = await runScenarios({ files: b.files, baseUrl: srv.url, iterations: 5, bail: true })
  const items = bailed.scenarios.find((s) => s.name === 'items total is 3')!
  assert.is(items.failed, 1)
  assert.ok(bailed.record.events.some((e) => e.message.includes('--bail')))
})

test('only: runs exactly one iteration of one scenario with the same data seed', async () => {
  const { files } = await load({
    'd.scenario.ts': `import { scenario } from '@steady/scenario'
export default scenario('data', async ({ http, data }) => void (await http.post('/echo', { json: { email: data.internet.email() } })))
`,
  })
  const bodies: string[] = []
  const onExchange = (e: { requestBody?: string | Uint8Array }) => void bodies.push(String(e.requestBody))
  await runScenarios({ files, baseUrl: srv.url, iterations: 3, seed: 'abc', onExchange })
  const replay = await runScenarios({
    files,
    baseUrl: srv.url,
    seed: 'abc',
    only: { scenario: 'data', iteration: 2 },
    onExchange,
  })
  assert.is(replay.scenarios[0].iterations, 1)
  assert.is(bodies.length, 4)
  assert.is(bodies[3], bodies[2])
})

test('an interrupt aborts running iterations, still runs teardown, and marks the record incomplete', async () => {
  const { files, log } = await load({
    's.scenario.ts': `import { scenario, defineTeardown } from '@steady/scenario'
import { appendFileSync } from 'node:fs'
export const teardown = defineTeardown(async () => appendFileSync(process.env.STEADY_TEST_LOG!, 'teardown\\n'))
export default scenario('slow', async ({ http }) => void (await http.get('/slow?ms=5000')))
`,
  })
  const ac = new AbortController()
  setTimeout(() => ac.abort('SIGINT'), 150)
  const r = await runScenarios({ files, baseUrl: srv.url, iterations: 3, signal: ac.signal })
  assert.is(r.status, 'interrupted')
  assert.is(r.record.complete, false)
  assert.is(r.record.incompleteReason, 'SIGINT')
  assert.is(r.scenarios[0].status, 'interrupted')
  assert.match(readFileSync(log, 'utf8'), 'teardown')
})

test('reporters: pretty (plain and colour), json (a valid run record), junit, github; a broken reporter does not break the run', async () => {
  const { files } = await load({ 'flows.scenario.ts': flows })
  const out = mkdtempSync(join(tmpdir(), 'steady-rep-'))
  let plain = ''
  let colour = ''
  let gh = ''
  const broken: Reporter = {
    name: 'broken',
    onScenarioEnd: () => {
      throw new Error('disk full')
    },
  }
  const errors: string[] = []
  const r = await runScenarios({
    files,
    baseUrl: srv.url,
    seed: 5,
    reporters: [
      broken,
      jsonReporter({ dir: out }),
      junitReporter({ dir: out }),
      githubReporter({
        write: (s) => void (gh += s),
        summaryPath: join(out, 'summary.md'),
        record: join(out, 'run.json'),
      }),
      prettyReporter({ write: (s) => void (plain += s) }),
      prettyReporter({ write: (s) => void (colour += s), color: true }),
    ],
    onReporterError: (e) => void errors.push(`${e.reporter}:${e.hook}:${e.message}`),
  })
  assert.equal(errors, [
    'broken:onScenarioEnd:disk full',
    'broken:onScenarioEnd:disk full',
    'broken:onScenarioEnd:disk full',
  ])
  assert.is(r.reporterErrors.length, 3)
  // pretty
  assert.match(plain, '✓ me works')
  assert.match(plain, '✗ items total is 3')
  assert.match(plain, '- not yet  (skipped: waiting for the API)')
  assert.match(plain, 'flows.scenario.ts:17 · step "list" · iteration 0')
  assert.match(plain, '-   "total": 3')
  assert.match(plain, `steady run --replay ${join(out, 'run.json')} --scenario 'items total is 3' --iteration 0`)
  assert.match(plain, '1 passed, 1 failed, 1 skipped')
  assert.not.match(plain, '\u001b[')
  assert.match(colour, '\u001b[31m')
  // json
  const rec = await readRunRecord(join(out, 'run.json'))
  assert.is(rec.id, r.record.id)
  assert.is(rec.failures[0].samples[0].replay.iteration, 0)
  // junit
  const xml = readFileSync(join(out, 'junit.xml'), 'utf8')
  assert.match(xml, '<testsuite name="flows.scenario.ts" tests="3" failures="1" errors="0" skipped="1"')
  assert.match(xml, '<testcase classname="flows.scenario.ts" name="me works"')
  assert.match(
    xml,
    '<failure message="[list] expected GET /items body to match { &quot;total&quot;: 3 }" type="assertion">',
  )
  assert.match(xml, '<skipped message="waiting for the API"/>')
  assert.match(xml, 'curl -sS -i')
  // github
  assert.match(
    gh,
    /^::error file=flows\.scenario\.ts,line=17,title=steady%3A items total is 3::\[list\] expected GET \/items body to match/m,
  )
  assert.match(gh, '%0A- Expected%0A')
  const summary = readFileSync(join(out, 'summary.md'), 'utf8')
  assert.match(summary, '### steady run: ❌ failed')
  assert.match(summary, '| ❌ | items total is 3 | `flows.scenario.ts` | 1 | 1 |')
  assert.match(summary, '| ✅ | me works |')
  assert.equal(r.outputs, [join(out, 'run.json'), join(out, 'junit.xml'), join(out, 'summary.md')])
})

test('an asserted 401 is an expected response in every metric; an unasserted one is an error', async () => {
  const { files } = await load({
    'neg.scenario.ts': `import { scenario, expect } from '@steady/scenario'
export default scenario('wrong password is refused', async ({ http, step }) => {
  const r = await step('bad login', () => http.post('/login', { json: { password: 'wrong' } }))
  expect(r).toHaveStatus(401)
})
export const careless = scenario('401 nobody asserts', async ({ http, step }) => {
  await step('bad login', () => http.post('/login', { json: { password: 'wrong' } }))
})
`,
  })
  const events: RequestEvent[] = []
  const r = await runScenarios({ files, baseUrl: srv.url, iterations: 2, onRequest: (e) => void events.push(e) })
  assert.is(r.status, 'passed')
  const series = (scenario: string) =>
    r.record.series.find((s) => s.key === `probe/http_req_duration{scenario=${scenario},step=bad login}`)!
  // Asserted: counted, no error kind anywhere, so its latency is kept and nothing reads it as failed.
  const asserted = series('wrong password is refused')
  assert.ok(asserted, r.record.series.map((s) => s.key).join(' '))
  assert.is(asserted.phases.run.count, 2)
  assert.is(asserted.phases.run.errors, undefined)
  assert.ok(asserted.windows.every((w) => w.errors === undefined))
  assert.ok(typeof asserted.phases.run.p50 === 'number')
  assert.equal(
    events.filter((e) => e.scenario === 'wrong password is refused').map((e) => [e.status, e.expected, e.error]),
    [
      [401, true, undefined],
      [401, true, undefined],
    ],
  )
  const refused = r.scenarios.find((x) => x.name === 'wrong password is refused')!
  const careless = r.scenarios.find((x) => x.name === '401 nobody asserts')!
  assert.equal([refused.requests, refused.unexpectedRequests], [2, 0])
  // Not asserted: the same 401 is an unexpected response (k6's expected_response=false).
  assert.equal(series('401 nobody asserts').phases.run.errors, { status_401: 2 })
  assert.equal([careless.requests, careless.unexpectedRequests], [2, 2])
  const iterations = r.record.series.find((s) => s.key === 'probe/iterations{scenario=wrong password is refused}')!
  assert.equal([iterations.phases.run.count, iterations.phases.run.failed ?? 0], [2, 0])
})

test('replay: a recorded setup result is reused without running setup; masked parts come from a re-run; a teardown makes setup re-run', async () => {
  const common = `import { scenario, expect, defineSetup, defineTeardown } from '@steady/scenario'
import { appendFileSync } from 'node:fs'
const log = (s: string) => appendFileSync(process.env.STEADY_TEST_LOG!, s + '\\n')
`
  const { files, log } = await load({
    'plain.scenario.ts': `${common}
export const setup = defineSetup(async ({ http }) => { log('setup plain'); return { polls: (await http.get('/orders/plain')).json<{ polls: number }>().polls } })
export default scenario<{ polls: number }>('plain', async ({ http, setupData }) => void (await http.get('/echo', { query: { from: 'plain', polls: setupData.polls } })))
`,
    'secret.scenario.ts': `${common}
export const setup = defineSetup(async ({ http }) => {
  log('setup secret')
  const token = (await http.post('/login', { json: { password: 'hunter2-secret-pw' } })).json<{ token: string }>().token
  return { token, polls: (await http.get('/orders/secret')).json<{ polls: number }>().polls }
})
export default scenario<{ token: string; polls: number }>('secret', async ({ http, setupData }) => {
  expect(await http.get('/me', { headers: { authorization: 'Bearer ' + setupData.token } })).toHaveStatus(200)
  await http.get('/echo', { query: { from: 'secret', polls: setupData.polls } })
})
`,
    'torn.scenario.ts': `${common}
export const setup = defineSetup(async ({ http }) => { log('setup torn'); return { polls: (await http.get('/orders/torn')).json<{ polls: number }>().polls } })
export const teardown = defineTeardown<{ polls: number }>(async (_ctx, data) => log('teardown torn ' + data.polls))
export default scenario<{ polls: number }>('torn', async ({ http, setupData }) => void (await http.get('/echo', { query: { from: 'torn', polls: setupData.polls } })))
`,
  })
  const first = await runScenarios({ files, baseUrl: srv.url, seed: 11 })
  assert.is(first.status, 'passed')
  const recorded = recordedSetups(first.record)
  assert.equal(recorded.get('plain.scenario.ts'), {
    file: 'plain.scenario.ts',
    fingerprint: recorded.get('plain.scenario.ts')!.fingerprint,
    kept: true,
    result: { polls: 1 },
  })
  const secret = recorded.get('secret.scenario.ts')!
  assert.equal([secret.result, secret.masked], [{ token: '[REDACTED]', polls: 1 }, [['token']]])
  assert.not.match(JSON.stringify(first.record), TOKEN)

  const seen: string[] = []
  const replay = await runScenarios({
    files,
    baseUrl: srv.url,
    seed: 11,
    recordedSetups: recorded,
    onExchange: (e) => void (e.url.includes('/echo') && seen.push(new URL(e.url).search)),
  })
  assert.is(replay.status, 'passed', JSON.stringify(replay.scenarios.map((s) => s.failures)))
  const by = new Map(replay.setups.map((s) => [s.file, s]))
  // plain: setup did not run; the iteration got the recorded result.
  assert.equal(by.get('plain.scenario.ts')!.replay, {
    source: 'recorded',
    recordedFingerprint: recorded.get('plain.scenario.ts')!.fingerprint,
  })
  assert.is(
    readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => l === 'setup plain').length,
    1,
  )
  assert.ok(seen.includes('?from=plain&polls=1'), seen.join(' '))
  // secret: setup re-ran for the token (a live one: /me answered 200); polls is the recorded 1, although the re-run saw 2.
  const s = by.get('secret.scenario.ts')!.replay!
  assert.equal([s.source, s.masked, s.unfilled], ['recorded+fresh', ['token'], undefined])
  assert.ok(s.freshFingerprint !== s.recordedFingerprint, 'the re-run returned other data')
  assert.ok(seen.includes('?from=secret&polls=1'), seen.join(' '))
  // torn: the teardown removed what setup made, so setup re-ran and its own result was used (and torn down).
  const t = by.get('torn.scenario.ts')!.replay!
  assert.is(t.source, 'fresh')
  assert.match(t.reason!, 'teardown')
  assert.ok(seen.includes('?from=torn&polls=2'), seen.join(' '))
  assert.match(readFileSync(log, 'utf8'), 'teardown torn 2')
})

test.run()
