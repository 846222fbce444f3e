/**
 * `steady load <profile>` through the real CLI entry: k6-like summary,
 * `--out` run record (kind load), k6-like profile errors (exit 2), thresholds
 * (exit 1), and a k6-engine profile through a stand-in K6_BIN.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { main } from '@steady/cli'
import { parseRunRecord } from '@steady/record'

const scenarioFile = fileURLToPath(new URL('../../load/test/fixtures/live.scenario.ts', import.meta.url))
const fakeK6 = fileURLToPath(new URL('../../load/test/fixtures/fake-k6.mjs', import.meta.url))
let server: Server
let target = ''

test.before(async () => {
  server = createServer((_req, res) => res.end('pong'))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
test.after(async () => {
  server.closeAllConnections()
  await new Promise((r) => server.close(r))
})

function project(load: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'steady-load-cli-'))
  writeFileSync(
    join(dir, 'steady.config.ts'),
    `export default ${JSON.stringify({ scenarios: [scenarioFile], load }, null, 2)}\n`,
  )
  writeFileSync(join(dir, 'peak.k6.js'), 'export default function () {}\n')
  return dir
}

async function run(argv: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  let out = ''
  let err = ''
  const code = await main(argv, { cwd, env, out: (s) => (out += s), err: (s) => (err += s), isTTY: false })
  return { code, out, err }
}

const profiles = {
  smoke: {
    executor: 'constant-arrival-rate',
    rate: 20,
    duration: '1s',
    preAllocatedVUs: 2,
    exec: 'ping',
    window: '500ms',
    thresholds: { 'http_req_duration{scenario:smoke}': ['p(95)<5000'], checks: ['rate>0.9'] },
  },
  failing: {
    executor: 'shared-iterations',
    vus: 1,
    iterations: 3,
    exec: 'wrong status',
    thresholds: { checks: ['rate>0.9'] },
  },
  k6peak: {
    executor: 'constant-arrival-rate',
    rate: 10,
    duration: '1s',
    preAllocatedVUs: 2,
    engine: 'k6',
    script: 'peak.k6.js',
    window: '500ms',
  },
}

test('steady load <profile> prints a k6-like summary and writes a run record with --out', async () => {
  const dir = project({ profiles })
  const r = await run(['load', 'smoke', '--target', target, '--out', join(dir, 'out'), '--seed', 's1'], dir)
  assert.ok(r.code === 0 || r.code === 3, r.out + r.err)
  assert.match(r.out, 'scenarios: (100.00%) 1 scenario, 2 max VUs')
  assert.match(r.out, '* smoke: 20.00 iterations/s for 1s')
  assert.match(r.out, '█ THRESHOLDS')
  assert.match(r.out, "✓ 'p(95)<5000'")
  assert.match(r.out, 'http_req_duration')
  assert.match(r.out, 'iterations')
  assert.match(r.err, 'it/s')
  const record = parseRunRecord(readFileSync(join(dir, 'out', 'run.json'), 'utf8'), 'run.json')
  assert.is(record.kind, 'load')
  assert.is(record.phases[0].name, 'smoke')
  assert.is(record.phases[0].load?.executor, 'constant-arrival-rate')
  assert.is(record.phases[0].load?.targetRate, 20)
  assert.ok(record.series.some((s) => s.key.startsWith('load/http_req_duration{') && s.tags.name === 'get ping'))
  assert.is(record.seed, 's1')
})

test('a failing threshold exits 1 and says which', async () => {
  const dir = project({ profiles })
  const r = await run(['load', 'failing', '--target', target, '--quiet'], dir)
  assert.is(r.code, 1, r.out + r.err)
  assert.match(r.out, "✗ 'rate>0.9'")
  assert.match(r.out, "thresholds on metrics 'checks' have been crossed")
})

test('profile errors name the profile and the field, exit 2', async () => {
  const dir = project({
    profiles: { peak: { executor: 'constant-arrival-rate', duration: '1m', preAllocatedVUs: 5, exec: 'ping' } },
  })
  const r = await run(['load', 'peak', '--target', target], dir)
  assert.is(r.code, 2)
  assert.match(r.err, 'load.profiles.peak: rate is required for executor constant-arrival-rate')
  const unknown = await run(['load', 'nope', '--target', target], project({ profiles }))
  assert.is(unknown.code, 2)
  assert.match(unknown.err, 'no load profile "nope"')
  assert.match(unknown.err, 'smoke, failing, k6peak')
  const exec = await run(
    ['load', 'x', '--target', target],
    project({ profiles: { x: { executor: 'constant-vus', duration: '1s', exec: 'no such scenario' } } }),
  )
  assert.is(exec.code, 2)
  assert.match(exec.err, 'load.profiles.x.exec: no scenario named "no such scenario"')
})

test('an engine: k6 profile runs the k6 binary (stand-in K6_BIN) and maps its exit code', async () => {
  const dir = project({ profiles })
  const ok = await run(['load', 'k6peak', '--target', target, '--quiet', '--out', join(dir, 'k6out')], dir, {
    ...process.env,
    K6_BIN: fakeK6,
    FAKE_K6_MODE: 'ok',
  })
  assert.is(ok.code, 0, ok.out + ok.err)
  assert.match(ok.out, 'engine: k6')
  assert.match(ok.out, 'http_reqs')
  const record = parseRunRecord(readFileSync(join(dir, 'k6out', 'run.json'), 'utf8'), 'run.json')
  assert.is(record.phases[0].load?.engine, 'k6')
  const failed = await run(['load', 'k6peak', '--target', target, '--quiet'], dir, {
    ...process.env,
    K6_BIN: fakeK6,
    FAKE_K6_MODE: 'thresholds',
  })
  assert.is(failed.code, 1)
  const broken = await run(['load', 'k6peak', '--target', target, '--quiet'], dir, {
    ...process.env,
    K6_BIN: fakeK6,
    FAKE_K6_MODE: 'script-error',
  })
  assert.is(broken.code, 2)
  const missing = await run(['load', 'k6peak', '--target', target, '--quiet'], dir, {
    ...process.env,
    K6_BIN: join(dir, 'no-k6'),
  })
  assert.is(missing.code, 2)
  assert.match(missing.err, 'K6_BIN=')
})

test.run()
