/**
 * A paired run (candidate and control soaked side by side) is an ordinary
 * run record with a `paired` block, a `paired` comparability mark, each
 * scenario counted per side and failures kept apart by side.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  RunRecordWriter,
  SeriesAggregator,
  comparabilityDiff,
  comparabilityKey,
  parseRunRecord,
  SteadyError,
  type RunHeader,
} from '@steady/record'
import { newRunId } from '@steady/record/internal'

function pairedRun(target?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'steady-paired-'))
  let t = 0
  const now = () => t
  const agg = new SeriesAggregator({ windowMs: 1000, now })
  const header: RunHeader = {
    kind: 'soak',
    id: newRunId(new Date('2026-12-06T06:00:00Z')),
    startedAt: '2026-12-06T06:00:00.000Z',
    tool: { name: 'steady', version: '0.1.0' },
    subject: { service: 'demo-store', version: '1.4.0' },
    seed: '7',
    configHash: 'abc',
    comparability: { ...comparabilityKey({ planHash: 'p1', durationScale: 0.1, engine: 'embedded' }), paired: true },
    window: { sizeMs: 1000 },
    paired: {
      candidate: { service: 'demo-store', version: '1.4.0' },
      control: { service: 'demo-store', version: '1.3.2', ...(target ? { target } : {}) },
      design: 'abba',
      seed: '7',
    },
  }
  const writer = new RunRecordWriter({
    dir,
    header,
    aggregator: agg,
    now,
    wallClock: () => new Date(Date.parse(header.startedAt) + t),
  })
  return { dir, writer, tick: (v: number) => (t = v) }
}

test('a paired record keeps both sides apart and validates', () => {
  const { dir, writer, tick } = pairedRun()
  writer.iteration({ name: 'checkout', side: 'candidate' }, true)
  writer.iteration({ name: 'checkout', side: 'control' }, true)
  writer.iteration({ name: 'checkout', side: 'candidate' }, false)
  const signature = { scenario: 'checkout', step: 'pay', assertion: 'toHaveStatus(200)', status: 500 }
  writer.failure(
    { ...signature, side: 'candidate' },
    { atMs: 10, message: 'got 500', replay: { seed: '7', scenario: 'checkout', iteration: 2 } },
  )
  writer.failure(
    { ...signature, side: 'control' },
    { atMs: 20, message: 'got 500', replay: { seed: '7', scenario: 'checkout', iteration: 3 } },
  )
  tick(1500)
  const record = writer.finish({ complete: true })
  const read = parseRunRecord(readFileSync(join(dir, 'run.json'), 'utf8'), 'run.json')
  assert.equal(read.paired, record.paired)
  assert.is(read.comparability.paired, true)
  const bySide = Object.fromEntries(read.scenarios.map((s) => [s.side, s]))
  assert.equal([bySide.candidate.iterations, bySide.candidate.failed], [2, 1])
  assert.equal([bySide.control.iterations, bySide.control.failed], [1, 0])
  assert.equal(read.failures.map((g) => g.signature.side).sort(), ['candidate', 'control'])
})

test('a paired block with an unknown design or side is bad input', () => {
  const { dir, writer, tick } = pairedRun()
  tick(1000)
  writer.finish({ complete: true })
  const good = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'))
  const breakages = [
    (r: typeof good) => (r.paired.design = 'ab'),
    (r: typeof good) => (r.comparability.paired = false),
    (r: typeof good) => (r.paired.pinned = { candidate: '0' }),
    (r: typeof good) => r.scenarios.push({ name: 'x', tags: [], iterations: 1, passed: 1, failed: 0, side: 'left' }),
  ]
  for (const breakIt of breakages) {
    const broken = structuredClone(good)
    breakIt(broken)
    assert.throws(
      () => parseRunRecord(JSON.stringify(broken), 'run.json'),
      (e: unknown) => e instanceof SteadyError,
      String(breakIt),
    )
  }
  assert.ok(parseRunRecord(JSON.stringify(good), 'run.json').paired)
  const pinned = { ...good, paired: { ...good.paired, pinned: { candidate: '0', control: '1' } } }
  assert.equal(parseRunRecord(JSON.stringify(pinned), 'run.json').paired?.pinned, { candidate: '0', control: '1' })
})

test("a target's password never reaches the record, its user and host do", () => {
  const { dir, writer, tick } = pairedRun('https://ci:s3cret-pw@control.example.test:8443/?api_key=k3y-123')
  const message = 'control: 3 scrapes of https://ci:s3cret-pw@control.example.test:8443/metrics failed in a row'
  const kept = writer.event({ atMs: 10, kind: 'scrape-failed', message, data: { url: 'https://ci:s3cret-pw@x/' } })
  assert.not.match(JSON.stringify(kept), 's3cret-pw')
  tick(1000)
  const record = writer.finish({ complete: true })
  for (const f of ['run.json', 'events.ndjson']) {
    const text = readFileSync(join(dir, f), 'utf8')
    assert.not.match(text, 's3cret-pw', f)
    assert.not.match(text, 'k3y-123', `${f}: a secret in the query string`)
  }
  assert.is(record.comparability.planHash, 'p1', "the hashes are not the redactor's")
  assert.match(record.paired!.control.target!, /^https:\/\/ci:.+@control\.example\.test:8443\/\?api_key=/)
})

test('a paired key and an unpaired one differ, whichever is compared with which', () => {
  const unpaired = comparabilityKey({ planHash: 'p1', durationScale: 1, engine: 'embedded' })
  const paired = { ...unpaired, paired: true as const }
  assert.equal(comparabilityDiff(unpaired, paired), [{ field: 'paired', a: undefined, b: true }])
  assert.equal(comparabilityDiff(paired, unpaired), [{ field: 'paired', a: true, b: undefined }])
  assert.equal(comparabilityDiff(paired, { ...paired }), [])
})

test.run()
