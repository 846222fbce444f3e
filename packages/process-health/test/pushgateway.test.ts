/** Pushing to a real Prometheus Pushgateway (Debian's prometheus-pushgateway), reading the metrics back over HTTP. */
import { test } from 'uvu'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { FileStore } from '@steady/process-health'
import * as assert from 'uvu/assert'
import {
  HealthMetrics,
  ciProcess,
  judgeProcess,
  pushMetrics,
  pushObservation,
  type ProcessHealthError,
} from '@steady/process-health'
import { requireBinary, startServer, freePort, type Started, pushgatewayArgs } from './helpers/binaries.ts'
import { parseExposition, sampleValue } from './helpers/exposition.ts'
import { ciHistory } from './helpers/ci-history.ts'

const bin = requireBinary('prometheus-pushgateway')
const define = bin ? test : test.skip
const ci = ciProcess({ owner: 'platform' })
let gateway: Started | undefined

test.before(async () => {
  if (bin) gateway = await startServer(bin, (port, dir) => pushgatewayArgs(port, dir), 'steady-pushgateway-')
})

test.after(async () => {
  await gateway?.stop()
})

async function scrape(): Promise<ReturnType<typeof parseExposition>> {
  const r = await fetch(`${gateway!.url}/metrics`)
  assert.is(r.status, 200)
  return parseExposition(await r.text())
}

define('a CI step pushes its metrics (histograms with minute buckets, health gauges) and they read back', async () => {
  const now = Date.parse('2025-03-10T12:00:00Z')
  const metrics = new HealthMetrics({ processes: [ci] })
  metrics.observe([
    { process: 'ci', indicator: 'cycle_time', value: 540, at: now - 120_000, labels: { branch: 'main' } },
    { process: 'ci', indicator: 'cycle_time', value: 700, at: now - 60_000, labels: { branch: 'main' } },
    { process: 'ci', indicator: 'flaky_rate', value: 0.015, weight: 200, at: now, labels: { branch: 'main' } },
  ])
  metrics.setHealth([judgeProcess(ci, ciHistory({ now, slowdown: 1.6, seed: 7 }), { now })])
  await pushMetrics(metrics.registry, { url: gateway!.url, jobName: 'ci', groupings: { branch: 'main' } })

  const samples = await scrape()
  const at = { job: 'ci', process: 'ci', indicator: 'cycle_time', branch: 'main' }
  assert.is(sampleValue(samples, 'steady_process_duration_seconds_count', at), 2)
  assert.is(sampleValue(samples, 'steady_process_duration_seconds_sum', at), 1240)
  // Buckets fit minutes: 540 s falls in le=600, 700 s in le=900.
  assert.is(sampleValue(samples, 'steady_process_duration_seconds_bucket', { ...at, le: '300' }), 0)
  assert.is(sampleValue(samples, 'steady_process_duration_seconds_bucket', { ...at, le: '600' }), 1)
  assert.is(sampleValue(samples, 'steady_process_duration_seconds_bucket', { ...at, le: '900' }), 2)
  assert.is(sampleValue(samples, 'steady_process_duration_seconds_bucket', { ...at, le: '604800' }), 2)
  const flaky = { job: 'ci', process: 'ci', indicator: 'flaky_rate', branch: 'main' }
  assert.is(sampleValue(samples, 'steady_process_events_total', flaky), 200)
  assert.is(sampleValue(samples, 'steady_process_hits_total', flaky), 3)
  assert.is(sampleValue(samples, 'steady_process_observation_timestamp_seconds', at), (now - 60_000) / 1000)
  assert.is(sampleValue(samples, 'steady_process_health_state', { job: 'ci', process: 'ci', state: 'degraded' }), 1)
  assert.is(sampleValue(samples, 'steady_process_health_state', { job: 'ci', process: 'ci', state: 'healthy' }), 0)
  assert.is(
    sampleValue(samples, 'steady_process_indicator_health_state', {
      job: 'ci',
      process: 'ci',
      indicator: 'cycle_time',
      state: 'degraded',
    }),
    1,
  )
  assert.ok(
    sampleValue(samples, 'steady_process_indicator_baseline_seconds', {
      job: 'ci',
      process: 'ci',
      indicator: 'cycle_time',
    })! > 500,
  )
  // One family per unit: a rate's level is a ratio, never in the seconds family.
  const ratio = sampleValue(samples, 'steady_process_indicator_current_ratio', {
    job: 'ci',
    process: 'ci',
    indicator: 'success_rate',
  })!
  assert.ok(ratio >= 0 && ratio <= 1, String(ratio))
  assert.is(
    sampleValue(samples, 'steady_process_indicator_current_seconds', {
      job: 'ci',
      process: 'ci',
      indicator: 'success_rate',
    }),
    undefined,
  )
})

define('one observation per push, grouped by its series, each push replacing the previous one', async () => {
  const first = Date.parse('2025-03-10T10:00:00Z')
  const labels = { branch: 'develop' }
  await pushObservation(
    { process: 'ci', indicator: 'queue_time', value: 42, at: first, labels },
    { url: gateway!.url, processes: [ci] },
  )
  await pushObservation(
    { process: 'ci', indicator: 'queue_time', value: 65, at: first + 600_000, labels },
    { url: gateway!.url, processes: [ci] },
  )
  const samples = await scrape()
  const at = { job: 'steady_health', process: 'ci', indicator: 'queue_time', branch: 'develop' }
  assert.is(sampleValue(samples, 'steady_process_observation_seconds', at), 65)
  assert.is(sampleValue(samples, 'steady_process_observation_timestamp_seconds', at), (first + 600_000) / 1000)
  assert.is(sampleValue(samples, 'steady_process_observation_weight', at), 1)
})

define(
  'branch names with a slash push (base64 path segments) and read back mapped to main, release/* or other',
  async () => {
    const at = Date.parse('2025-03-11T09:00:00Z')
    const branches = {
      'release/1.2': 'release/*',
      'feature/login': 'other',
      'renovate/pr-45338': 'other',
      main: 'main',
    }
    for (const [k, branch] of Object.keys(branches).entries()) {
      await pushObservation(
        { process: 'ci', indicator: 'success_rate', value: 1, at: at + k * 1000, labels: { branch, runner: 'linux' } },
        { url: gateway!.url, processes: [ci], jobName: 'slash' },
      )
    }
    const samples = await scrape()
    const seen = samples
      .filter((s) => s.name === 'steady_process_observation_ratio' && s.labels.job === 'slash')
      .map((s) => s.labels.branch)
    assert.equal(seen.sort(), ['main', 'other', 'release/*'])
    // The two "other" branches share one group: the later push replaced the earlier one.
    const other = { job: 'slash', process: 'ci', indicator: 'success_rate', branch: 'other', runner: 'linux' }
    assert.is(sampleValue(samples, 'steady_process_observation_timestamp_seconds', other), (at + 2000) / 1000)
    // A grouping value given as it is, slash and space included, arrives intact.
    const metrics = new HealthMetrics({ processes: [ci] })
    metrics.observe({ process: 'ci', indicator: 'queue_time', value: 5, at, labels: { branch: 'main' } })
    await pushMetrics(metrics.registry, {
      url: gateway!.url,
      jobName: 'ci/nightly',
      groupings: { path: 'a/b c', empty: '' },
    })
    const after = await scrape()
    const group = { job: 'ci/nightly', path: 'a/b c', process: 'ci', indicator: 'queue_time', branch: 'main' }
    assert.is(sampleValue(after, 'steady_process_observation_seconds', group), 5)
  },
)

define('from the CLI, --label branch=feature/login pushes and reads back as branch="other"', async () => {
  const root = resolve(import.meta.dirname, '../../..')
  const store = mkdtempSync(join(tmpdir(), 'steady-health-pgw-'))
  const r = spawnSync(
    process.execPath,
    [
      '--conditions=steady-source',
      '--import',
      'tsx',
      'packages/cli/src/bin.ts',
      'health',
      'record',
      '--process',
      'ci',
      '--indicator',
      'cycle_time',
      '--value',
      '7m',
      '--at',
      '2025-03-11T10:00:00Z',
      '--label',
      'branch=feature/login',
      '--store',
      store,
      '--pushgateway',
      gateway!.url,
    ],
    { cwd: root, encoding: 'utf8', timeout: 60_000 },
  )
  assert.is(r.status, 0, r.stderr)
  const series = { job: 'steady_health', process: 'ci', indicator: 'cycle_time', branch: 'other' }
  assert.is(sampleValue(await scrape(), 'steady_process_observation_seconds', series), 420)
  // The store keeps the branch as recorded.
  const [stored] = await new FileStore(store).read({ process: 'ci' })
  assert.equal(stored.labels, { branch: 'feature/login' })
})

define('steady health record --from --pushgateway pushes the latest observation of each series', async () => {
  const root = resolve(import.meta.dirname, '../../..')
  const dir = mkdtempSync(join(tmpdir(), 'steady-health-pgw-batch-'))
  const file = join(dir, 'runs.ndjson')
  const line = (value: number, at: string, branch: string) =>
    JSON.stringify({ process: 'ci', indicator: 'queue_time', value, at, labels: { branch } })
  const lines = [
    line(40, '2025-03-12T10:00:00Z', 'main'),
    line(44, '2025-03-12T11:00:00Z', 'main'),
    line(31, '2025-03-12T09:00:00Z', 'main'),
    line(55, '2025-03-12T10:30:00Z', 'feature/a'),
  ]
  writeFileSync(file, lines.join('\n') + '\n')
  const args = ['health', 'record', '--from', file, '--store', join(dir, 'store'), '--pushgateway', gateway!.url]
  const cli = ['--conditions=steady-source', '--import', 'tsx', 'packages/cli/src/bin.ts']
  const r = spawnSync(process.execPath, [...cli, ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  })
  assert.is(r.status, 0, r.stderr)
  assert.match(r.stdout, /recorded 4 observations/)
  const samples = await scrape()
  const main = { job: 'steady_health', process: 'ci', indicator: 'queue_time', branch: 'main' }
  // The latest of main's three by their own time (11:00), not the last line.
  assert.is(sampleValue(samples, 'steady_process_observation_seconds', main), 44)
  assert.is(sampleValue(samples, 'steady_process_observation_seconds', { ...main, branch: 'other' }), 55)
})

test('credentials in the Pushgateway URL go in a Basic header, and never into an error message', async () => {
  const seen: Array<{ path?: string; auth?: string }> = []
  const server = createServer((req, res) => {
    seen.push({ path: req.url, auth: req.headers.authorization })
    req.resume()
    const ok = req.headers.authorization === `Basic ${Buffer.from('ci:s3cret').toString('base64')}`
    res.writeHead(ok ? 200 : 401).end(ok ? '' : 'unauthorized')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  try {
    const registry = new HealthMetrics({ processes: [ci] }).registry
    await pushMetrics(registry, { url: `http://ci:s3cret@127.0.0.1:${port}`, groupings: { branch: 'release/*' } })
    const basic = `Basic ${Buffer.from('ci:s3cret').toString('base64')}`
    assert.equal(seen[0], { path: '/metrics/job/steady_health/branch@base64/cmVsZWFzZS8q', auth: basic })
    try {
      await pushMetrics(registry, { url: `http://ci:wrong-pass@127.0.0.1:${port}` })
      assert.unreachable()
    } catch (error) {
      assert.match((error as Error).message, `push to Pushgateway http://ci:***@127.0.0.1:${port}/ failed: HTTP 401`)
      const everything = JSON.stringify({ m: (error as Error).message, f: (error as ProcessHealthError).facts })
      assert.not.match(everything, 'wrong-pass')
    }
  } finally {
    await new Promise<void>((r) => server.close(() => r()))
  }
})

define('a Pushgateway that is not there is an error that says what to check', async () => {
  const port = await freePort()
  try {
    await pushMetrics(new HealthMetrics({ processes: [ci] }).registry, {
      url: `http://127.0.0.1:${port}`,
      timeoutMs: 2000,
    })
    assert.unreachable()
  } catch (error) {
    assert.is((error as ProcessHealthError).code, 'STEADY_HEALTH_PUSH_FAILED')
    assert.match((error as Error).message, new RegExp(`push to Pushgateway http://127.0.0.1:${port} failed`))
  }
})

define('from CI YAML: steady health record --pushgateway and steady health --pushgateway', async () => {
  const root = resolve(import.meta.dirname, '../../..')
  const store = mkdtempSync(join(tmpdir(), 'steady-health-pgw-'))
  const now = Date.parse('2025-03-10T12:00:00Z')
  await new FileStore(store).append(ciHistory({ now, seed: 5 }))
  const steady = (...args: string[]) =>
    spawnSync(process.execPath, ['--conditions=steady-source', '--import', 'tsx', 'packages/cli/src/bin.ts', ...args], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    })
  const rec = steady(
    'health',
    'record',
    '--process',
    'ci',
    '--indicator',
    'cycle_time',
    '--value',
    '10m',
    '--at',
    '2025-03-10T11:59:00Z',
    '--label',
    'branch=main',
    '--store',
    store,
    '--pushgateway',
    gateway!.url,
  )
  assert.is(rec.status, 0, rec.stderr)
  const health = steady(
    'health',
    '--process',
    'ci',
    '--store',
    store,
    '--at',
    '2025-03-10T12:00:00Z',
    '--pushgateway',
    gateway!.url,
  )
  assert.is(health.status, 0, health.stderr + health.stdout)
  const samples = await scrape()
  const series = { job: 'steady_health', process: 'ci', indicator: 'cycle_time', branch: 'main' }
  assert.is(sampleValue(samples, 'steady_process_observation_seconds', series), 600)
  assert.is(
    sampleValue(samples, 'steady_process_observation_timestamp_seconds', series),
    Date.parse('2025-03-10T11:59:00Z') / 1000,
  )
  assert.is(
    sampleValue(samples, 'steady_process_health_state', { job: 'steady_health', process: 'ci', state: 'healthy' }),
    1,
  )
})

test.run()
