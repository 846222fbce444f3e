import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, readFileSync, writeFileSync, existsSync, truncateSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  RunRecordWriter,
  SeriesAggregator,
  readRunRecord,
  parseRunRecord,
  comparabilityKey,
  SteadyError,
  type RunHeader,
} from '@steady/record'
import { recoverRunRecord, newRunId } from '@steady/record/internal'

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'steady-record-'))
  let t = 0
  const now = () => t
  const agg = new SeriesAggregator({ windowMs: 1000, now })
  const header: RunHeader = {
    kind: 'soak',
    id: newRunId(new Date('2026-11-26T06:00:00Z')),
    startedAt: '2026-11-26T06:00:00.000Z',
    tool: { name: 'steady', version: '0.1.0' },
    subject: { service: 'demo-store', branch: 'main' },
    seed: '42',
    configHash: 'abc',
    comparability: comparabilityKey({ planHash: 'p1', durationScale: 0.1, engine: 'embedded' }),
    window: { sizeMs: 1000 },
  }
  const writer = new RunRecordWriter({
    dir,
    header,
    aggregator: agg,
    now,
    wallClock: () => new Date(Date.parse(header.startedAt) + t),
  })
  return { dir, agg, writer, tick: (v: number) => (t = v) }
}

function play(s: ReturnType<typeof setup>, upTo: number) {
  s.agg.setPhase('quiet')
  s.writer.event({ atMs: 0, kind: 'phase-start', message: 'quiet', data: { phase: 'quiet' } })
  for (let t = 0; t < upTo; t += 100) {
    s.tick(t)
    s.agg.duration('probe', 'http_req_duration', { scenario: 'checkout', name: 'login' }, 10 + (t % 7))
    s.writer.iteration({ name: 'checkout', tags: ['store'] }, t % 1000 !== 500)
    if (t % 1000 === 500) {
      s.writer.failure(
        { scenario: 'checkout', step: 'login', assertion: 'toHaveStatus(200)', status: 500 },
        {
          atMs: t,
          phase: 'quiet',
          message: 'expected status 200, got 500',
          request: {
            method: 'POST',
            url: 'http://127.0.0.1/api/login',
            headers: { authorization: 'Bearer sekrit-token-1' },
            body: '{"password":"hunter22"}',
          },
          curl: "curl -H 'Authorization: Bearer sekrit-token-1' http://127.0.0.1/api/login",
          replay: { seed: '42', scenario: 'checkout', iteration: t / 100 },
        },
      )
    }
    if (t % 1000 === 900) s.writer.flush()
  }
}

test('a finished run compacts into a valid run.json that reads back', async () => {
  const s = setup()
  play(s, 3000)
  s.tick(3000)
  s.writer.phaseEnded({ name: 'quiet', startMs: 0, endMs: 3000 })
  const record = s.writer.finish({ complete: true })
  const back = await readRunRecord(s.dir)
  assert.is(back.complete, true)
  assert.is(back.id, record.id)
  assert.is(back.series.length, 1)
  assert.is(back.series[0].windows.length, 3)
  assert.is(back.series[0].phases.quiet.count, 30)
  assert.equal(back.scenarios, [{ name: 'checkout', tags: ['store'], iterations: 30, passed: 27, failed: 3 }])
  assert.is(back.failures[0].count, 3)
  assert.is(back.failures[0].samples.length, 3)
})

test('failure samples are redacted before they are stored, in the record and the events file', () => {
  const s = setup()
  play(s, 2000)
  s.writer.finish({ complete: true })
  for (const f of ['run.json', 'events.ndjson']) {
    const text = readFileSync(join(s.dir, f), 'utf8')
    assert.not.ok(text.includes('sekrit-token-1'), `${f} leaks the token`)
    assert.not.ok(text.includes('hunter22'), `${f} leaks the password`)
  }
})

test('an interrupted run is written with complete: false and the data up to the last window', async () => {
  const s = setup()
  play(s, 2500)
  s.writer.finish({ complete: false, incompleteReason: 'SIGINT' })
  const back = await readRunRecord(join(s.dir, 'run.json'))
  assert.is(back.complete, false)
  assert.is(back.incompleteReason, 'SIGINT')
  assert.is(
    back.series[0].windows.reduce((n, w) => n + w.count, 0),
    25,
  )
})

test('recover compacts the events a killed runner left, dropping a torn last line', async () => {
  const s = setup()
  play(s, 3000)
  // The runner "dies" here: no finish(). Tear the last line as a kill mid-write would.
  const events = join(s.dir, 'events.ndjson')
  writeFileSync(events, readFileSync(events, 'utf8') + '{"t":"window","i":9,"ser')
  assert.not.ok(existsSync(join(s.dir, 'run.json')))
  const record = recoverRunRecord(s.dir)
  assert.is(record.complete, false)
  assert.match(record.incompleteReason!, 'recovered')
  assert.ok(record.warnings.some((w) => w.includes('torn')))
  // windows 0 and 1 were flushed; window 2 was still open when the runner died
  assert.equal(
    record.series[0].windows.map((w) => w.i),
    [0, 1],
  )
  assert.ok(record.series[0].phases.quiet, 'the open phase gets aggregates from its windows')
  assert.is(record.scenarios[0].iterations, 30)
  const back = await readRunRecord(s.dir)
  assert.is(back.id, record.id)
})

test('truncated, foreign and invalid files get a clear error naming the file and field', async () => {
  const s = setup()
  play(s, 1000)
  s.writer.finish({ complete: true })
  const path = join(s.dir, 'run.json')
  const text = readFileSync(path, 'utf8')

  truncateSync(path, Math.floor(statSync(path).size / 2))
  try {
    await readRunRecord(path)
    assert.unreachable()
  } catch (e) {
    assert.instance(e, SteadyError)
    assert.is((e as SteadyError).code, 'STEADY_RECORD_UNREADABLE')
    assert.match((e as SteadyError).message, 'truncated')
    assert.match((e as SteadyError).hint!, 'steady record recover')
  }

  const bad = (doc: unknown) => {
    try {
      parseRunRecord(JSON.stringify(doc), 'x/run.json')
      return undefined
    } catch (e) {
      return e as SteadyError
    }
  }
  const good = JSON.parse(text)
  assert.is(bad(good), undefined)
  assert.match(bad({ schema: 'steady.verdict/1' })!.message, 'expected "steady.run/1"')
  assert.match(bad({ name: 'package.json' })!.message, 'missing field "schema"')
  const e = bad({ ...good, series: [{ ...good.series[0], windows: [{ i: 0, count: -1 }] }] })!
  assert.is(e.code, 'STEADY_RECORD_INVALID')
  assert.match(e.message, 'x/run.json')
  assert.match(e.message, 'series[0].windows[0].count')
  assert.is(bad({ ...good, kind: 'bench' })!.code, 'STEADY_RECORD_INVALID')
  try {
    await readRunRecord(join(s.dir, 'nope.json'))
    assert.unreachable()
  } catch (err) {
    assert.is((err as SteadyError).code, 'STEADY_RECORD_NOT_FOUND')
  }
})

test.run()
