/**
 * The Prometheus-server path of a soak: a real `prometheus` (Debian's) scrapes
 * the demo store, and the soak reads the store's indicators with PromQL
 * (`query_range` over each window's span, at the scrape interval) instead of
 * scraping it itself.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createStore } from '@steady/demo-store'
import { loadScenarioFiles } from '@steady/scenario'
import { readRunRecord } from '@steady/record'
import { resolvePlan, soak } from '@steady/soak'
import { havePrometheus, startPrometheus, waitFor } from './helpers/prometheus.ts'

test('a soak reads service indicators from a Prometheus server that scrapes the demo store', async () => {
  if (!havePrometheus()) return
  const store = createStore({ faults: { leakBytes: 32768 } })
  const { url, port } = await store.listen(0)
  const prom = await startPrometheus([`127.0.0.1:${port}`])
  try {
    await waitFor(async () => {
      const r = (await (await fetch(`${prom.url}/api/v1/query?query=nodejs_heap_size_used_bytes`)).json()) as {
        data: { result: unknown[] }
      }
      return r.data.result.length ? true : undefined
    }, 'prometheus to scrape the demo store')
    const plan = resolvePlan('promql', {
      window: '1s',
      scrape: {
        path: false,
        proc: false,
        interval: '500ms',
        prometheus: {
          url: prom.url,
          queries: [
            // The evaluation time itself: shows exactly which instants each window was filled from.
            { name: 'evaluated_at', expr: 'vector(time())', unit: 'seconds' },
            { name: 'store_heap_used', expr: 'nodejs_heap_size_used_bytes', unit: 'bytes' },
            { name: 'store_retained', expr: 'store_fault_leak_retained_bytes', unit: 'bytes' },
          ],
        },
      },
      phases: [{ name: 'quiet', duration: '6s' }],
    })
    const files = await loadScenarioFiles({ patterns: [join(import.meta.dirname, 'fixtures', '*.scenario.ts')] })
    const out = mkdtempSync(join(tmpdir(), 'steady-soak-prom-'))
    const result = await soak({
      plan,
      files,
      scenarioPatterns: [],
      cwd: process.cwd(),
      profiles: new Map(),
      target: url,
      services: [{ name: 'store', url }],
      outDir: out,
      runId: 'prom-1',
      seed: '7',
      subject: { service: 'demo-store' },
      configHash: 'test',
      toolVersion: '0.0.0',
      write: () => {},
      isTTY: false,
    })
    assert.equal(result.preflightFailures, [])
    const record = await readRunRecord(out)
    assert.is(record.complete, true)
    const heap = record.series.find((s) => s.name === 'store_heap_used')
    const retained = record.series.find((s) => s.name === 'store_retained')
    assert.ok(heap && heap.windows.length >= 3, JSON.stringify(record.series.map((s) => s.key)))
    assert.ok(heap!.windows.every((w) => w.value! > 1e6))
    // Prometheus scrapes the store every second: the retained bytes it reports grow over the soak.
    const values = retained!.windows.map((w) => w.value!)
    assert.ok(values.at(-1)! > values[0], `retained ${values}`)
    assert.is(record.events.filter((e) => e.kind === 'scrape-failed').length, 0)
    // Each window was filled by query_range over its own span with a step of the scrape interval:
    // two evaluations per 1-s window, at its start and half a second later, on the record's clock.
    const start = Date.parse(record.startedAt) / 1000
    const evaluated = record.series.find((s) => s.name === 'evaluated_at')!
    const full = evaluated.windows.slice(0, -1)
    assert.ok(full.length >= 5, JSON.stringify(evaluated.windows))
    for (const w of full) {
      assert.is(w.count, 2, `window ${w.i}: ${JSON.stringify(w)}`)
      assert.ok(
        Math.abs(w.min! - (start + w.i)) < 1e-4,
        `window ${w.i} starts at ${start + w.i}, first evaluation ${w.min}`,
      )
      assert.ok(Math.abs(w.value! - (start + w.i + 0.5)) < 1e-4, `window ${w.i}: second evaluation ${w.value}`)
    }
    assert.is(
      evaluated.phases.quiet.count,
      evaluated.windows.reduce((n, w) => n + w.count, 0),
    )
  } finally {
    await prom.stop()
    await store.close()
  }
})

test.run()
