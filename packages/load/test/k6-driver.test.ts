/**
 * The k6 driver against a stand-in K6_BIN (test/fixtures/fake-k6.mjs) that
 * writes k6's documented JSON lines and exits with k6's documented codes:
 * parsing of every line type, windowing, the exit-code table, process
 * handling (signals, SIGKILL, missing binary).
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isSteadyError } from '@steady/record'
import { resolveProfile } from '../src/profile.ts'
import { runK6, findK6, K6PointFolder } from '../src/k6/driver.ts'
import { k6ExitCodes, mapK6ExitCode } from '../src/k6/exit-codes.ts'
import { LineSplitter, isProblem, parseK6Line, parseK6Time } from '../src/k6/json-output.ts'
import type { WindowSnapshot } from '../src/metrics/windows.ts'

const fake = fileURLToPath(new URL('./fixtures/fake-k6.mjs', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'steady-k6-test-'))
const script = join(dir, 'peak.k6.js')
writeFileSync(script, 'export default function () {}\n')

const profile = resolveProfile('peak', {
  executor: 'constant-arrival-rate',
  rate: 40,
  duration: '1s',
  preAllocatedVUs: 4,
  engine: 'k6',
  script,
  window: '200ms',
  thresholds: {
    'http_req_duration{scenario:peak}': ['p(95)<500'],
    http_req_failed: ['rate<0.5'],
    my_trend: ['max>=0'],
  },
})

const run = (
  mode: string,
  extra: {
    signal?: AbortSignal
    killAfterMs?: number
    env?: NodeJS.ProcessEnv
    stop?: { controller: AbortController; reason: string }
  } = {},
) => {
  const logs: string[] = []
  const argsFile = join(dir, `args-${mode.replace(/\W/g, '_')}.json`)
  return runK6({
    profile,
    script,
    target: 'http://127.0.0.1:9',
    onLog: (l) => {
      logs.push(l)
      // Signal once the stand-in is up and writing (not after a fixed time: a busy machine starts it slowly).
      if (extra.stop && l.includes('waiting for a signal'))
        setTimeout(() => extra.stop!.controller.abort(extra.stop!.reason), 150)
    },
    signal: extra.signal ?? extra.stop?.controller.signal,
    killAfterMs: extra.killAfterMs,
    env: extra.env ?? { ...process.env, K6_BIN: fake, FAKE_K6_MODE: mode, FAKE_K6_ARGS_FILE: argsFile },
  }).then((r) => ({ r, logs, args: () => JSON.parse(readFileSync(argsFile, 'utf8')) as { argv: string[] } }))
}

test('exit codes: one table, mapped as steady needs them', () => {
  const steady = (code: number) => mapK6ExitCode(code).steady
  assert.is(steady(0), 0)
  for (const c of [99, 110]) assert.is(steady(c), 1, `k6 ${c}`)
  for (const c of [100, 101, 104, 107, 255]) assert.is(steady(c), 2, `k6 ${c}`)
  assert.is(steady(105), 'interrupted')
  assert.is(steady(103), 'interrupted')
  assert.is(steady(108), 1)
  for (const c of [97, 98, 102, 106, 109]) assert.is(steady(c), 2, `k6 ${c}`)
  assert.is(steady(42), 2)
  assert.is(new Set(k6ExitCodes.map((c) => c.code)).size, k6ExitCodes.length)
})

test('JSON output: every documented line type parses', () => {
  const metric = parseK6Line(
    '{"type":"Metric","data":{"name":"http_req_duration","type":"trend","contains":"time","thresholds":["p(95)<500"],"submetrics":[{"name":"http_req_duration{scenario:x}","suffix":"scenario:x","tags":{"scenario":"x"}}]},"metric":"http_req_duration"}',
  )
  assert.not.ok(isProblem(metric))
  assert.is(metric.type, 'Metric')
  if (metric.type === 'Metric') {
    assert.is(metric.data.type, 'trend')
    assert.equal(metric.data.thresholds, ['p(95)<500'])
    assert.is(metric.data.submetrics?.[0].suffix, 'scenario:x')
  }
  const tainted = parseK6Line(
    '{"type":"Metric","data":{"type":"gauge","contains":"default","tainted":null,"thresholds":[],"submetrics":null,"name":"vus"},"metric":"vus"}',
  )
  assert.is(tainted.type, 'Metric')
  const point = parseK6Line(
    '{"type":"Point","data":{"time":"2017-05-09T14:34:45.239531499+02:00","value":459.865729,"tags":{"method":"GET","status":"200","scenario":"default"},"metadata":{"trace_id":"x"}},"metric":"http_req_duration"}',
  )
  assert.is(point.type, 'Point')
  if (point.type === 'Point') {
    assert.is(point.data.value, 459.865729)
    assert.equal(point.data.metadata, { trace_id: 'x' })
  }
  const noTags = parseK6Line(
    '{"type":"Point","data":{"time":"2017-05-09T12:34:45Z","value":1,"tags":null},"metric":"vus"}',
  )
  assert.is(noTags.type, 'Point')
  for (const bad of [
    '{"type":"Point","data":{"time":"x"},"metric":"m"}',
    '{"type":"Other"}',
    'not json',
    '{"type":"Metric","data":{"name":"m","type":"histogram"}}',
  ]) {
    assert.ok(isProblem(parseK6Line(bad)), bad)
  }
})

test('k6 times keep nanoseconds and offsets', () => {
  const a = parseK6Time('2017-05-09T14:34:45.239531499+02:00')
  assert.ok(Math.abs(a - (Date.UTC(2017, 4, 9, 12, 34, 45) + 239.531499)) < 1e-6)
  assert.is(parseK6Time('2017-05-09T12:34:45Z'), Date.UTC(2017, 4, 9, 12, 34, 45))
})

test('lines split across chunks are joined', () => {
  const s = new LineSplitter()
  assert.equal(s.push('{"a":1}\n{"b"'), [{ text: '{"a":1}', line: 1 }])
  assert.equal(s.push(':2}\n\n'), [{ text: '{"b":2}', line: 2 }])
  assert.equal(s.push('{"c":3}'), [])
  assert.equal(s.end(), [{ text: '{"c":3}', line: 4 }])
})

test('points land in the window of their own time, even out of order', async () => {
  const t0 = Date.UTC(2026, 0, 1)
  const windows: WindowSnapshot[] = []
  const f = new K6PointFolder({ t0Epoch: t0, windowMs: 1000, onWindow: (w) => windows.push(w) })
  const at = (ms: number) => new Date(t0 + ms).toISOString()
  f.push(
    '{"type":"Metric","data":{"name":"iterations","type":"counter","contains":"default","thresholds":[],"submetrics":null},"metric":"iterations"}\n',
  )
  f.push(`{"type":"Point","data":{"time":"${at(1500)}","value":1,"tags":{"scenario":"p"}},"metric":"iterations"}\n`)
  f.push(`{"type":"Point","data":{"time":"${at(200)}","value":1,"tags":{"scenario":"p"}},"metric":"iterations"}\n`)
  f.push(`{"type":"Point","data":{"time":"${at(2500)}","value":1,"tags":{"scenario":"p"}},"metric":"iterations"}\n`)
  await f.end()
  assert.equal(
    windows.map((w) => w.counters['iterations{scenario:p}']?.value ?? 0),
    [1, 1, 1],
  )
})

test('runK6 with the stand-in: streams points into windows, drops url tags, evaluates thresholds, exit 0', async () => {
  const { r, logs, args } = await run('ok')
  assert.is(r.engine, 'k6')
  assert.is(r.k6ExitCode, 0)
  assert.is(r.exitCode, 0)
  assert.is(r.totals.counter('iterations'), 40)
  assert.is(r.totals.counter('http_reqs'), 40)
  assert.equal(r.totals.rate('http_req_failed'), { passes: 4, fails: 36 })
  assert.equal(r.totals.rate('checks', { check: 'status is 200' }), { passes: 36, fails: 4 })
  assert.is(r.totals.counter('dropped_iterations'), 4)
  assert.is(r.totals.counter('data_received'), 40 * 120)
  assert.is(r.totals.trend('http_req_duration', { name: 'get ping', status: '200' }).count, 36)
  assert.is(r.totals.gauge('vus_max')?.max, 4)
  assert.ok([...r.totals.trends.values()].every((t) => !('url' in t.tags)))
  assert.ok(r.windows.length >= 2, `windows: ${r.windows.length}`)
  assert.ok(
    r.thresholds.every((t) => t.ok),
    JSON.stringify(r.thresholds),
  )
  assert.is(r.totals.types.get('my_trend'), 'trend')
  const a = args().argv
  assert.is(a[0], 'run')
  assert.ok(a.includes('--out') && a.some((x) => x.startsWith('json=')))
  assert.ok(a.includes('BASE_URL=http://127.0.0.1:9'))
  assert.is(a[a.length - 1], script)
  assert.ok(logs.some((l) => l.includes('iterations')))
})

test('k6 exit 99 (thresholds failed) → steady 1', async () => {
  const { r } = await run('thresholds')
  assert.is(r.k6ExitCode, 99)
  assert.is(r.exitCode, 1)
  assert.match(r.stopReason ?? '', 'ThresholdsHaveFailed')
})

test('k6 exit 107 (script exception) → steady 2, with the error in the log', async () => {
  const { r, logs } = await run('script-error')
  assert.is(r.k6ExitCode, 107)
  assert.is(r.exitCode, 2)
  assert.ok(logs.some((l) => l.includes('ReferenceError')))
})

test('other documented codes from the binary map through the table', async () => {
  for (const [code, expected] of [
    [110, 1],
    [104, 2],
    [255, 2],
    [108, 1],
    [100, 2],
  ] as const) {
    const { r } = await run(`exit:${code}`)
    assert.is(r.k6ExitCode, code)
    assert.is(r.exitCode, expected, `k6 ${code}`)
  }
})

test('a signal stops k6 with SIGINT: k6 exits 105, steady 130, the points so far are kept', async () => {
  const { r } = await run('until-signal', { stop: { controller: new AbortController(), reason: 'SIGINT' } })
  assert.is(r.k6ExitCode, 105)
  assert.is(r.exitCode, 130)
  assert.is(r.stopReason, 'signal')
  assert.ok(r.totals.counter('iterations') > 0)
  const t = await run('until-signal', { stop: { controller: new AbortController(), reason: 'SIGTERM' } })
  assert.is(t.r.exitCode, 143)
})

test('a k6 that ignores SIGINT is killed after the grace period', async () => {
  const { r } = await run('ignore-signal', {
    stop: { controller: new AbortController(), reason: 'SIGINT' },
    killAfterMs: 300,
  })
  assert.is(r.exitCode, 130)
  assert.ok(r.totals.counter('iterations') > 0)
})

test('no k6: a clear error saying how to get one', () => {
  try {
    findK6({ PATH: dir })
    assert.unreachable()
  } catch (e) {
    assert.ok(isSteadyError(e))
    assert.is((e as { code: string }).code, 'STEADY_LOAD_K6_NOT_FOUND')
  }
  try {
    findK6({ K6_BIN: join(dir, 'nope'), PATH: '' })
    assert.unreachable()
  } catch (e) {
    assert.match((e as Error).message, 'K6_BIN=')
  }
})

test('a real k6 run (only with STEADY_K6_TESTS=1 and k6 on PATH or K6_BIN)', async () => {
  if (process.env.STEADY_K6_TESTS !== '1') {
    console.log('[note] real k6 tests did not run: set STEADY_K6_TESTS=1 with k6 on PATH (or K6_BIN) to run them')
    return
  }
  const { createServer } = await import('node:http')
  const server = createServer((_req, res) => res.end('pong'))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  const real = join(dir, 'real.k6.js')
  writeFileSync(
    real,
    "import http from 'k6/http'\nimport { check } from 'k6'\nexport default function () { const r = http.get(`${__ENV.BASE_URL}/ping`, { tags: { name: 'get ping' } }); check(r, { 'status is 200': (x) => x.status === 200 }) }\n",
  )
  try {
    const p = resolveProfile('real', {
      executor: 'constant-arrival-rate',
      rate: 20,
      duration: '2s',
      preAllocatedVUs: 2,
      engine: 'k6',
      script: real,
      window: '1s',
      thresholds: { http_req_failed: ['rate<0.01'] },
    })
    const r = await runK6({ profile: p, script: real, target: url, env: process.env })
    assert.is(r.k6ExitCode, 0)
    assert.is(r.exitCode, 0)
    assert.ok(r.totals.counter('iterations') >= 35)
    assert.is(r.totals.counter('http_reqs', { name: 'get ping' }), r.totals.counter('iterations'))
    assert.ok(r.totals.rate('checks').passes > 0)
  } finally {
    server.close()
  }
})

test.run()
