/**
 * A paired `soak()` against two in-process servers on 127.0.0.1 (no load):
 * the probe loop alternates the sides pair by pair, every series and
 * scenario is tagged with its side, a failure names the side it came from,
 * and the progress line shows both sides.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { once } from 'node:events'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadScenarioFiles } from '@steady/scenario'
import { readRunRecord } from '@steady/record'
import { resolvePlan, soak } from '@steady/soak'

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(handler)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  return { url, close: () => new Promise<void>((r) => server.close(() => r())) }
}

test('a paired soak probes both sides with the same iterations and tags what each side did', async () => {
  const seen: Record<string, number[]> = { candidate: [], control: [] }
  const candidate = await serve((req, res) => {
    seen.candidate.push(Number(req.headers['x-iteration']))
    res.end('ok')
  })
  // The control fails every request: its failures are named as the control's.
  const control = await serve((req, res) => {
    seen.control.push(Number(req.headers['x-iteration']))
    res.statusCode = 503
    res.end('down')
  })
  const writes: string[] = []
  try {
    const files = await loadScenarioFiles({
      patterns: [join(import.meta.dirname, 'fixtures', 'loop', 'loop.scenario.ts')],
    })
    const out = mkdtempSync(join(tmpdir(), 'steady-soak-paired-'))
    const result = await soak({
      plan: resolvePlan('pair', {
        window: '200ms',
        scrape: { path: false, proc: false },
        probe: { concurrency: 1, pause: '20ms' },
        phases: [{ name: 'only', duration: '1200ms' }],
      }),
      files,
      scenarioPatterns: [],
      cwd: process.cwd(),
      profiles: new Map(),
      target: candidate.url,
      services: [{ name: 'app', url: candidate.url }],
      control: {
        target: control.url,
        services: [{ name: 'app', url: control.url }],
        subject: { service: 'app', version: 'old' },
      },
      outDir: out,
      runId: 'pair-1',
      seed: 'pair',
      subject: { service: 'app', version: 'new' },
      configHash: 'test',
      toolVersion: '0.0.0',
      preflight: false,
      write: (text) => writes.push(text),
      isTTY: true,
    })
    assert.equal(result.preflightFailures, [])
    const record = await readRunRecord(out)
    assert.is(record.complete, true)
    assert.equal(record.paired?.design, 'abba')
    assert.is(record.paired?.seed, 'pair-abba')
    assert.is(record.comparability.paired, true)
    // Each pair runs the same iteration on both sides (the last pair may be cut short).
    const both = seen.candidate.filter((i) => seen.control.includes(i))
    assert.ok(both.length >= 3, JSON.stringify(seen))
    assert.ok(Math.abs(seen.candidate.length - seen.control.length) <= 2, JSON.stringify(seen))
    const sides = record.scenarios.map((s) => `${s.name}/${s.side}`).sort()
    assert.equal(sides, ['loop/candidate', 'loop/control'])
    const cand = record.scenarios.find((s) => s.side === 'candidate')!
    const ctrl = record.scenarios.find((s) => s.side === 'control')!
    assert.ok(cand.passed > 0 && cand.failed === 0, JSON.stringify(cand))
    assert.ok(ctrl.failed > 0 && ctrl.passed === 0, JSON.stringify(ctrl))
    const its = record.series
      .filter((s) => s.name === 'iterations')
      .map((s) => s.tags.side)
      .sort()
    assert.equal(its, ['candidate', 'control'])
    assert.equal(
      record.failures.map((f) => [f.signature.side, f.signature.status]),
      [['control', 503]],
    )
    assert.ok(
      writes.some((w) => w.includes('candidate') && w.includes('control')),
      writes.join('|'),
    )
  } finally {
    await candidate.close()
    await control.close()
  }
})

test.run()
