/**
 * A real Prometheus (Debian's) scrapes the library's registry, served by a
 * small HTTP server, and a real Pushgateway, every second; the tests query
 * it, and read history back with the Prometheus store's query_range.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createServer, type Server } from 'node:http'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  HealthMetrics,
  PrometheusStore,
  checkHealth,
  ciProcess,
  fixedClock,
  judgeProcess,
  type Observation,
} from '@steady/process-health'
import { poll, requireBinary, startServer, type Started, pushgatewayArgs } from './helpers/binaries.ts'
import { ciHistory } from './helpers/ci-history.ts'
import { steady } from './helpers/steady-cli.ts'

const prometheusBin = requireBinary('prometheus')
const pushgatewayBin = requireBinary('prometheus-pushgateway')
const define = prometheusBin && pushgatewayBin ? test : test.skip
const ci = ciProcess({ owner: 'platform' })
const metrics = new HealthMetrics({ processes: [ci] })
let server: Server | undefined
let prometheus: Started | undefined
let pushgateway: Started | undefined

test.before(async () => {
  if (!prometheusBin || !pushgatewayBin) return
  server = createServer(async (req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end()
    res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(await metrics.metrics())
  })
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r))
  const address = server.address()
  const registryPort = typeof address === 'object' && address ? address.port : 0
  pushgateway = await startServer(pushgatewayBin, (port, dir) => pushgatewayArgs(port, dir), 'steady-pushgateway-')
  const pushgatewayHost = new URL(pushgateway.url).host
  prometheus = await startServer(
    prometheusBin,
    (port, dir) => {
      const config = join(dir, 'prometheus.yml')
      writeFileSync(
        config,
        [
          'global:',
          '  scrape_interval: 1s',
          '  evaluation_interval: 1s',
          'scrape_configs:',
          '  - job_name: steady',
          '    honor_labels: true',
          '    static_configs:',
          `      - targets: ['127.0.0.1:${registryPort}']`,
          '  - job_name: pushgateway',
          '    honor_labels: true',
          '    static_configs:',
          `      - targets: ['${pushgatewayHost}']`,
          '',
        ].join('\n'),
      )
      return [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ]
    },
    'steady-prometheus-',
  )
})

test.after(async () => {
  await prometheus?.stop()
  await pushgateway?.stop()
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()))
})

/** An instant query's single value, or undefined while Prometheus has none. */
async function instant(promql: string): Promise<number | undefined> {
  const url = new URL('/api/v1/query', prometheus!.url)
  url.searchParams.set('query', promql)
  const body = (await (await fetch(url)).json()) as {
    status: string
    data: { result: Array<{ value: [number, string] }> }
  }
  if (body.status !== 'success' || body.data.result.length !== 1) return undefined
  return Number(body.data.result[0].value[1])
}

/** Waits (bounded) until Prometheus has scraped a value for which `ok` holds. */
async function until(promql: string, ok: (v: number) => boolean): Promise<number> {
  let last: number | undefined
  try {
    return await poll(
      async () => {
        last = await instant(promql)
        return last !== undefined && ok(last) ? last : undefined
      },
      30_000,
      `Prometheus to return ${promql}`,
    )
  } catch (error) {
    const targets = await (
      await fetch(new URL('/api/v1/query?query=steady_process_duration_seconds_count', prometheus!.url))
    ).text()
    throw new Error(`${(error as Error).message} (last value ${last}); targets: ${targets.slice(0, 1500)}`)
  }
}

define('Prometheus scrapes the registry: duration histograms, rate counters and health-state gauges', async () => {
  const now = Date.now()
  const history = ciHistory({ now, slowdown: 1.6, seed: 7 })
  metrics.observe(history.slice(-40))
  metrics.setHealth([judgeProcess(ci, history, { now })])
  const count = history.slice(-40).filter((o) => o.indicator === 'cycle_time').length
  await until('sum(steady_process_duration_seconds_count{process="ci",indicator="cycle_time"})', (v) => v === count)
  const p50 = await until(
    'histogram_quantile(0.5, sum by (le) (steady_process_duration_seconds_bucket{process="ci",indicator="cycle_time"}))',
    () => true,
  )
  // The slowed-down runs (about 15 minutes) land between the 10- and 30-minute buckets.
  assert.ok(p50 > 600 && p50 <= 1800, String(p50))
  assert.is(await until('steady_process_health_state{process="ci",state="degraded"}', () => true), 1)
  assert.is(
    await until(
      'steady_process_indicator_health_state{process="ci",indicator="cycle_time",state="degraded"}',
      () => true,
    ),
    1,
  )
  assert.is(
    await until(
      'steady_process_indicator_health_state{process="ci",indicator="queue_time",state="healthy"}',
      () => true,
    ),
    1,
  )
  const successes = await until(
    'sum(steady_process_hits_total{indicator="success_rate"}) / sum(steady_process_events_total{indicator="success_rate"})',
    () => true,
  )
  assert.ok(successes > 0.7 && successes <= 1, String(successes))
})

define(
  'the Prometheus store reads an indicator history with query_range, each observation at its own time',
  async () => {
    const start = Date.now()
    const observed: Observation[] = [0, 1, 2].map((k) => ({
      process: 'ci',
      indicator: 'queue_time',
      value: 30 + k * 7,
      // Recorded now, happened minutes ago: the store returns the observation's own time.
      at: start - (3 - k) * 60_000,
      labels: { branch: 'main' },
    }))
    for (const o of observed) {
      metrics.observe(o)
      await until(
        `steady_process_observation_timestamp_seconds{job="steady",indicator="queue_time",branch="main"}`,
        (v) => v === o.at / 1000,
      )
    }
    const store = new PrometheusStore({ url: prometheus!.url, processes: [ci], stepMs: 500 })
    const read = await store.read({ process: 'ci', indicator: 'queue_time', from: start - 5 * 60_000, to: Date.now() })
    assert.equal(
      read.map((o) => [o.value, o.at, o.labels]),
      observed.map((o) => [o.value, o.at, { branch: 'main' }]),
    )
  },
)

define(
  'CI pushes to the Pushgateway through the store; Prometheus keeps the history a fresh clone reads back',
  async () => {
    const store = new PrometheusStore({
      url: prometheus!.url,
      processes: [ci],
      stepMs: 500,
      pushgateway: { url: pushgateway!.url, jobName: 'ci' },
    })
    const start = Date.now()
    const runs = [540, 600, 660].map((value, k) => ({
      process: 'ci',
      indicator: 'cycle_time',
      value,
      at: start - (10 - k) * 60_000,
      labels: { branch: 'release/2.0' },
    }))
    for (const o of runs) {
      await store.append(o)
      await until(
        `steady_process_observation_timestamp_seconds{job="ci",indicator="cycle_time",branch="release/*"}`,
        (v) => v === o.at / 1000,
      )
    }
    const read = await store.read({ process: 'ci', indicator: 'cycle_time', from: start - 3_600_000, to: Date.now() })
    // Exported labels are bounded: the branch release/2.0 reads back as release/*.
    const release = read.filter((o) => o.labels?.branch === 'release/*')
    assert.equal(
      release.map((o) => [o.value, o.at]),
      runs.map((o) => [o.value, o.at]),
    )
    // checkHealth runs on it like on the file store (three runs are too few for a baseline), at the default one-minute step.
    const report = await checkHealth({
      store: new PrometheusStore({ url: prometheus!.url, processes: [ci] }),
      processes: [ci],
      clock: fixedClock(Date.now()),
    })
    const cycle = report.processes[0].indicators.find((i) => i.indicator === 'cycle_time')!
    assert.is(cycle.state, 'unknown')
    assert.ok(cycle.samples.recent >= 1, JSON.stringify(cycle.samples))
  },
)

define(
  'health.prometheus in steady.config.ts: steady health record pushes to its Pushgateway, steady health reads Prometheus back',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steady-health-promcfg-'))
    const config = join(dir, 'steady.config.ts')
    writeFileSync(
      config,
      `export default { health: { prometheus: { url: '${prometheus!.url}', pushgateway: '${pushgateway!.url}', job: 'cfg' } } }\n`,
    )
    const start = Date.now()
    const values = [600, 660]
    for (const [k, value] of values.entries()) {
      const at = new Date(start - (5 - k) * 60_000).toISOString()
      const rec = await steady([
        'health',
        'record',
        '--config',
        config,
        '--process',
        'ci',
        '--indicator',
        'cycle_time',
        '--value',
        `${value}s`,
        '--at',
        at,
        '--label',
        'branch=main',
      ])
      assert.is(rec.code, 0, rec.err)
      await until(
        `steady_process_observation_timestamp_seconds{job="cfg",indicator="cycle_time",branch="main"}`,
        (v) => v === Date.parse(at) / 1000,
      )
    }
    const health = await steady(['health', '--config', config, '--process', 'ci', '--format', 'json'])
    assert.is(health.code, 3, health.err + health.out)
    const report = JSON.parse(health.out) as {
      processes: Array<{ indicators: Array<{ indicator: string; samples: { recent: number }; current?: number }> }>
    }
    const cycle = report.processes[0].indicators.find((i) => i.indicator === 'cycle_time')!
    // Read from Prometheus: the two runs recorded through the config, the later one last; nothing went to a file store.
    assert.ok(cycle.samples.recent >= 2, JSON.stringify(cycle))
    assert.not.ok(existsSync(join(dir, '.steady')), 'no file store was written')
  },
)

define('a bad query is an error naming the query', async () => {
  const store = new PrometheusStore({ url: prometheus!.url, processes: [ci], prefix: 'bad{' })
  try {
    await store.read({ process: 'ci' })
    assert.unreachable()
  } catch (error) {
    assert.is((error as { code?: string }).code, 'STEADY_HEALTH_PROMETHEUS_QUERY')
    assert.match((error as Error).message, /query_range bad\{process_observation_/)
  }
})

test.run()
