/** The Prometheus-server path, against a real `prometheus` started by the test. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createServer } from 'node:http'
import { once } from 'node:events'
import client from 'prom-client'
import { SeriesAggregator, SteadyError } from '@steady/record'
import { queryRange, sampleInstant } from '../src/scrape/prometheus-query.ts'
import { havePrometheus, startPrometheus, waitFor } from './helpers/prometheus.ts'

test('reads a service series through PromQL, instant and query_range', async () => {
  if (!havePrometheus()) return
  const registry = new client.Registry()
  const g = new client.Gauge({ name: 'demo_retained_bytes', help: 'retained', registers: [registry] })
  g.set(4096)
  const server = createServer(async (_req, res) => {
    g.inc(1024)
    res.setHeader('content-type', registry.contentType)
    res.end(await registry.metrics())
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as { port: number }).port
  const prom = await startPrometheus([`127.0.0.1:${port}`])
  try {
    const start = new Date(Date.now() - 5000)
    const agg = new SeriesAggregator({ windowMs: 1000, now: () => 0 })
    const n = await waitFor(async () => {
      const got = await sampleInstant(
        prom.url,
        { name: 'retained', expr: 'demo_retained_bytes', unit: 'bytes' },
        agg,
        0,
      )
      return got > 0 ? got : undefined
    }, 'prometheus to scrape the test server')
    assert.is(n, 1)
    agg.closeAll()
    const [s] = agg.series()
    assert.is(s.key.startsWith('service/retained'), true)
    assert.ok(s.windows[0].value! >= 4096)
    // Wait for a second sample so the range has a rise in it.
    const range = await waitFor(async () => {
      const r = await queryRange(prom.url, 'demo_retained_bytes', start, new Date(), 1)
      return r[0] && r[0].values.length >= 2 ? r : undefined
    }, 'two samples in query_range')
    const values = range[0].values.map(([, v]) => v)
    assert.ok(values.at(-1)! > values[0], `rises: ${values}`)
    try {
      await queryRange(prom.url, 'rate(demo_retained_bytes[', start, new Date(), 1)
      assert.unreachable()
    } catch (e) {
      assert.is((e as SteadyError).code, 'STEADY_PROMQL_INVALID')
    }
  } finally {
    await prom.stop()
    server.close()
  }
})

test.run()
