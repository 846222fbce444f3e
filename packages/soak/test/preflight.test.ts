/**
 * A soak stopped at preflight still leaves a run record (complete: false) with
 * the failed iteration and its failure, so a verdict can say why; a setup hook
 * that throws counts as a failed iteration of each scenario of its file.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createServer } from 'node:http'
import { once } from 'node:events'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadScenarioFiles } from '@steady/scenario'
import { readRunRecord } from '@steady/record'
import { resolvePlan, soak } from '@steady/soak'

async function soakOnce(patterns: string[], status: number) {
  let requests = 0
  const server = createServer((_req, res) => {
    requests++
    res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'broken')
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  const out = mkdtempSync(join(tmpdir(), 'steady-preflight-'))
  try {
    const files = await loadScenarioFiles({ patterns })
    const result = await soak({
      plan: resolvePlan('pre', { scrape: { path: false, proc: false }, phases: [{ name: 'only', duration: '30s' }] }),
      files,
      scenarioPatterns: [],
      cwd: process.cwd(),
      profiles: new Map(),
      target: url,
      services: [{ name: 'app', url }],
      outDir: out,
      runId: 'pre-1',
      seed: 'pre',
      subject: { service: 'app' },
      configHash: 'test',
      toolVersion: '0.0.0',
      preflight: true,
      write: () => {},
      isTTY: false,
    })
    return { result, out, requests }
  } finally {
    await new Promise<void>((r) => server.close(() => r()))
  }
}

test('a scenario failing its preflight: the soak stops and writes run.json, complete: false, with the failure', async () => {
  const { result, out, requests } = await soakOnce(
    [join(import.meta.dirname, 'fixtures', 'loop', 'loop.scenario.ts')],
    503,
  )
  assert.is(requests, 1, 'only the preflight iteration ran')
  assert.equal(
    result.preflightFailures.map((f) => f.scenario),
    ['loop'],
  )
  assert.ok(existsSync(join(out, 'run.json')))
  const record = await readRunRecord(out)
  assert.is(record.complete, false)
  assert.match(record.incompleteReason!, /^preflight failed: scenario loop \(.*loop\.scenario\.ts\): /)
  assert.equal(
    record.scenarios.map((s) => [s.name, s.iterations, s.failed]),
    [['loop', 1, 1]],
  )
  const iterations = record.series.find((s) => s.key === 'probe/iterations{scenario=loop}')
  assert.ok(iterations, record.series.map((s) => s.key).join(', '))
  assert.equal(
    record.failures.map((f) => [f.signature.step, f.signature.status, f.samples[0].phase]),
    [['work', 503, 'preflight']],
  )
  assert.ok(record.events.some((e) => e.kind === 'note' && e.message === record.incompleteReason))
})

test('a setup hook that throws: each scenario of its file counts as one failed preflight iteration', async () => {
  const file = join(import.meta.dirname, 'fixtures', 'preflight', 'setup.scenario.ts')
  const { result, out } = await soakOnce([file], 200)
  assert.equal(result.preflightFailures.map((f) => f.scenario).sort(), ['a', 'b'])
  const record = await readRunRecord(out)
  assert.is(record.complete, false)
  assert.match(record.incompleteReason!, 'its setup failed: ')
  assert.match(record.incompleteReason!, 'no test user could be created')
  assert.match(record.incompleteReason!, '(and 1 more scenario)')
  assert.equal(record.scenarios.map((s) => [s.name, s.failed]).sort(), [
    ['a', 1],
    ['b', 1],
  ])
  assert.ok(record.failures.every((f) => f.signature.step === 'setup'))
})

test.run()
