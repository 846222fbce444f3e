/**
 * The probe loop of `soak()` against an in-process server on 127.0.0.1: an
 * iteration belongs to the phase it started in (and one that ends in the next
 * phase is marked straddling), probe workers run concurrently with their own
 * iteration numbers, failure samples keep the first and the last few, and the
 * progress line shows the probes' p95 from the first closed window on.
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
import { resolvePlan, soak, type SoakPlan } from '@steady/soak'

type Handler = (req: IncomingMessage, res: ServerResponse) => void

async function serve(handler: Handler) {
  const server = createServer(handler)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  return { url, close: () => new Promise<void>((r) => server.close(() => r())) }
}

async function runSoak(
  url: string,
  plan: SoakPlan,
  opts: { preflight?: boolean; isTTY?: boolean; write?: (text: string) => void } = {},
) {
  const files = await loadScenarioFiles({
    patterns: [join(import.meta.dirname, 'fixtures', 'loop', 'loop.scenario.ts')],
  })
  const out = mkdtempSync(join(tmpdir(), 'steady-soak-loop-'))
  const result = await soak({
    plan: resolvePlan('loop', { scrape: { path: false, proc: false }, ...plan }),
    files,
    scenarioPatterns: [],
    cwd: process.cwd(),
    profiles: new Map(),
    target: url,
    services: [{ name: 'app', url }],
    outDir: out,
    runId: 'loop-1',
    seed: 'loop',
    subject: { service: 'app' },
    configHash: 'test',
    toolVersion: '0.0.0',
    preflight: opts.preflight ?? false,
    write: opts.write ?? (() => {}),
    isTTY: opts.isTTY ?? false,
  })
  assert.equal(result.preflightFailures, [])
  return readRunRecord(out)
}

test('an iteration that outlasts its phase counts in the phase it started in and is marked straddling', async () => {
  // The first request is held until phase b has started: its iteration starts in a and ends in b.
  let release!: () => void
  const phaseB = new Promise<void>((r) => (release = r))
  let requests = 0
  const app = await serve((_req, res) => {
    const first = ++requests === 1
    void (first ? phaseB : Promise.resolve()).then(() => res.end('ok'))
  })
  try {
    const record = await runSoak(
      app.url,
      {
        window: '250ms',
        probe: { concurrency: 1, pause: '50ms' },
        phases: [
          { name: 'a', duration: '1s' },
          { name: 'b', duration: '1s' },
        ],
      },
      { write: (text) => text.includes('phase b started') && release() },
    )
    assert.is(record.complete, true)
    const loop = record.scenarios.find((s) => s.name === 'loop')!
    assert.is(loop.straddling, 1, JSON.stringify(loop))
    assert.ok(loop.iterations > 1 && loop.failed === 0, JSON.stringify(loop))
    // The held iteration is phase a's only one: its outcome and its request count there.
    const its = record.series.find((s) => s.key === 'probe/iterations{scenario=loop}')!
    assert.equal([its.phases.a.count, its.phases.a.passed], [1, 1])
    assert.is(its.phases.b.count, loop.iterations - 1)
    const req = record.series.find((s) => s.key === 'probe/http_req_duration{name=work,scenario=loop}')!
    assert.is(req.phases.a.count, 1)
    // ... while the request itself belongs to the window in which it completed, in phase b.
    const firstWindow = req.windows.find((w) => w.count > 0)!
    assert.ok(firstWindow.i >= 4, `the held request completed in window ${firstWindow.i}, phase b starts in window 4`)
  } finally {
    await app.close()
  }
})

test('probe workers run concurrently, each iteration with its own number; failure samples keep the first and last three', async () => {
  const concurrency = 3
  const seen: number[] = []
  let inFlight = 0
  let maxInFlight = 0
  // The first requests are held until all workers have one in flight; every answer is a 500.
  let releaseAll!: () => void
  const allIn = new Promise<void>((r) => (releaseAll = r))
  const app = await serve((req, res) => {
    seen.push(Number(req.headers['x-iteration']))
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    if (inFlight === concurrency) releaseAll()
    void allIn.then(() => {
      inFlight--
      res.statusCode = 500
      res.end('boom')
    })
  })
  try {
    // Every iteration fails: without preflight the soak runs anyway.
    const record = await runSoak(app.url, {
      window: '250ms',
      probe: { concurrency, pause: '20ms' },
      phases: [{ name: 'only', duration: '1500ms' }],
    })
    assert.is(record.complete, true)
    assert.is(maxInFlight, concurrency)
    assert.is(new Set(seen).size, seen.length, `iteration numbers ${seen}`)
    assert.equal(
      [...seen].sort((a, b) => a - b).slice(0, concurrency),
      [1, 2, 3],
      'the probe loop starts at iteration 1 (0 is the preflight one)',
    )
    const loop = record.scenarios.find((s) => s.name === 'loop')!
    assert.ok(loop.failed >= 7 && loop.passed === 0, JSON.stringify(loop))
    assert.is(record.failures.length, 1)
    const group = record.failures[0]
    assert.is(group.signature.status, 500)
    assert.is(group.count, loop.failed)
    assert.is(group.samples.length, 6)
    const iterationsOf = (samples: typeof group.samples) => samples.map((s) => s.replay.iteration)
    assert.equal(iterationsOf(group.samples.slice(0, 3)).sort(), [1, 2, 3])
    const tail = group.samples.slice(3)
    assert.ok(
      iterationsOf(tail).every((n) => n > 3),
      `the tail is from later iterations: ${iterationsOf(tail)}`,
    )
    assert.is(new Set(iterationsOf(tail)).size, 3)
    assert.is(tail[2].atMs, group.lastAtMs, 'the last sample is the last failure')
    assert.ok(tail[0].atMs >= group.samples[2].atMs)
  } finally {
    await app.close()
  }
})

test('on a terminal the progress line shows the probes p95 of the last closed window, already in the first phase', async () => {
  const app = await serve((_req, res) => res.end('ok'))
  const writes: string[] = []
  try {
    const record = await runSoak(
      app.url,
      {
        window: '200ms',
        probe: { concurrency: 1, pause: '10ms' },
        phases: [
          { name: 'first', duration: '1200ms' },
          { name: 'second', duration: '400ms' },
        ],
      },
      { isTTY: true, write: (text) => writes.push(text) },
    )
    assert.is(record.complete, true)
    const live = writes.filter((w) => w.startsWith('\r\u001b[2Kphase first'))
    assert.ok(live.length > 0, writes.join('|'))
    assert.ok(
      live.some((w) => /probe p95 \d/.test(w)),
      `a live line of phase first with the probes' p95: ${live.join(' | ')}`,
    )
  } finally {
    await app.close()
  }
})

test.run()
