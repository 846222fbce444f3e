/** Batch records (one observation per line, all checked first) and corrections that supersede a record by id. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  FileStore,
  appendRecords,
  ciProcess,
  doraProcess,
  parseBatch,
  type ProcessHealthError,
  type RecordedObservation,
} from '@steady/process-health'
import { steady } from './helpers/steady-cli.ts'

const processes = [ciProcess(), doraProcess()]
const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix))

const batch = [
  '# CI runs of the first week of March',
  '{"process":"ci","indicator":"cycle_time","value":"9m41s","at":"2025-03-03T10:00:00Z","labels":{"branch":"main"}}',
  '',
  '{"process":"ci","indicator":"success_rate","value":"pass","at":"2025-03-03T10:00:00Z"}',
  '{"process":"ci","indicator":"success_rate","value":"pass","at":"2025-03-03T10:00:00Z"}',
  '{"indicator":"deployments","value":1,"at":"2025-03-03T12:00:00Z","id":"deploy-812"}',
].join('\n')

test('a batch: every line checked, ids from content (identical lines kept apart), an id given as it is', () => {
  const records = parseBatch(batch, 'week.ndjson', processes, { process: 'dora' })
  assert.equal(
    records.map((r) => [r.process, r.indicator, r.value]),
    [
      ['ci', 'cycle_time', 581],
      ['ci', 'success_rate', 1],
      ['ci', 'success_rate', 1],
      ['dora', 'deployments', 1],
    ],
  )
  assert.is(records[3].id, 'deploy-812')
  assert.is(new Set(records.map((r) => r.id)).size, 4, 'two identical lines are two runs')
  // The same text gives the same ids: recording it twice adds nothing.
  assert.equal(
    parseBatch(batch, 'week.ndjson', processes, { process: 'dora' }).map((r) => r.id),
    records.map((r) => r.id),
  )
})

test('a bad line names the file, the line and the field; nothing is returned', () => {
  const cases: Array<[string, RegExp]> = [
    [
      '{"process":"ci","indicator":"cycle_time","value":"soon","at":"2025-03-03T10:00:00Z"}',
      /^b\.ndjson:3: value of cycle_time: "soon" is not a valid duration value/,
    ],
    ['{"process":"ci","indicator":"cycle_time","value":600}', /^b\.ndjson:3: at: missing/],
    [
      '{"process":"ci","indicator":"cycle_time","value":600,"at":"2025-03-03T10:00:00Z","colour":"red"}',
      /^b\.ndjson:3: colour: not a field of an observation/,
    ],
    ['{"process":"ci","indicator":"cycle_time",', /^b\.ndjson:3: \(line\): not JSON/],
    [
      '{"process":"ci","indicator":"cycle_time","value":600,"at":"2025-03-03T10:00:00Z","labels":{"pr":"45338"}}',
      /^b\.ndjson:3: labels\.pr/,
    ],
    [
      '{"process":"nope","indicator":"cycle_time","value":600,"at":"2025-03-03T10:00:00Z"}',
      /^b\.ndjson:3: no process named "nope"/,
    ],
  ]
  const good = '{"process":"ci","indicator":"cycle_time","value":600,"at":"2025-03-03T10:00:00Z"}'
  for (const [line, message] of cases) {
    try {
      parseBatch(`${good}\n${good}\n${line}\n${good}`, 'b.ndjson', processes)
      assert.unreachable(line)
    } catch (error) {
      assert.match((error as Error).message, message)
      assert.is((error as ProcessHealthError).facts.line, 3)
      assert.ok((error as ProcessHealthError).hint, 'every error has a hint')
    }
  }
})

test('a correction supersedes a record by id: both are kept, reads return the correction in its place', async () => {
  const dir = tmp('steady-health-corr-')
  const store = new FileStore(dir)
  const at = Date.parse('2025-03-03T10:00:00Z')
  const wrong: RecordedObservation = { process: 'ci', indicator: 'cycle_time', value: 58_100, at, id: 'run-1' }
  const other: RecordedObservation = {
    process: 'ci',
    indicator: 'cycle_time',
    value: 600,
    at: at + 3_600_000,
    id: 'run-2',
  }
  assert.equal(await appendRecords(store, [wrong, other]), { added: 2, duplicates: 0 })
  // The correction moves the record to the day before: reads of either day see only the correction.
  const fixed: RecordedObservation = {
    process: 'ci',
    indicator: 'cycle_time',
    value: 581,
    at: at - 86_400_000,
    id: 'run-1-fix',
    supersedes: 'run-1',
  }
  assert.equal(await appendRecords(store, fixed), { added: 1, duplicates: 0 })
  const read = await store.read({ process: 'ci' })
  assert.equal(
    read.map((o) => [o.id, o.value]),
    [
      ['run-1-fix', 581],
      ['run-2', 600],
    ],
  )
  assert.equal(await store.read({ process: 'ci', from: at - 3_600_000 }).then((l) => l.map((o) => o.id)), ['run-2'])
  // Both are on disk: the original in its month, the correction in corrections.jsonl.
  assert.match(readFileSync(join(dir, 'ci', '2025-03.jsonl'), 'utf8'), /"id":"run-1"/)
  assert.match(readFileSync(join(dir, 'ci', 'corrections.jsonl'), 'utf8'), /"supersedes":"run-1"/)
  // A correction of the correction wins in turn.
  await appendRecords(store, { ...fixed, value: 590, id: 'run-1-fix2', supersedes: 'run-1-fix' })
  assert.equal(
    (await store.read({ process: 'ci' })).map((o) => o.value),
    [590, 600],
  )
  // Appending a stored id again adds nothing.
  assert.equal(await appendRecords(store, [other]), { added: 0, duplicates: 1 })
  try {
    await appendRecords(store, { ...fixed, id: 'x', supersedes: 'run-404' })
    assert.unreachable()
  } catch (error) {
    assert.is((error as ProcessHealthError).code, 'STEADY_HEALTH_CORRECTION_NOT_FOUND')
    assert.match((error as Error).message, /no ci record with id run-404/)
  }
})

test('steady health record --from, --supersedes, and a bad batch that writes nothing', async () => {
  const dir = tmp('steady-health-batch-cli-')
  const store = join(dir, 'store')
  const file = join(dir, 'week.ndjson')
  writeFileSync(file, batch)
  const first = await steady(['health', 'record', '--from', file, '--process', 'dora', '--store', store])
  assert.is(first.code, 0, first.err)
  assert.match(first.out, /recorded 4 observations from .*week\.ndjson/)
  const again = await steady(['health', 'record', '--from', file, '--process', 'dora', '--store', store])
  assert.match(again.out, /recorded 0 observations .* \(4 already there\)/)
  const one = await steady([
    'health',
    'record',
    '--process',
    'ci',
    '--indicator',
    'cycle_time',
    '--value',
    '97m',
    '--at',
    '2025-03-04T10:00:00Z',
    '--store',
    store,
  ])
  assert.is(one.code, 0, one.err)
  const id = /\(id (r-[0-9a-f]{12})\)/.exec(one.out)?.[1]
  assert.ok(id, one.out)
  const fix = await steady([
    'health',
    'record',
    '--process',
    'ci',
    '--indicator',
    'cycle_time',
    '--value',
    '9m',
    '--at',
    '2025-03-04T10:00:00Z',
    '--supersedes',
    id!,
    '--store',
    store,
  ])
  assert.is(fix.code, 0, fix.err)
  assert.match(fix.out, new RegExp(`superseding ${id}`))
  const cycle = await new FileStore(store).read({ process: 'ci', indicator: 'cycle_time' })
  assert.equal(
    cycle.map((o) => o.value),
    [581, 540],
  )
  const unknown = await steady([
    'health',
    'record',
    '--process',
    'ci',
    '--indicator',
    'cycle_time',
    '--value',
    '9m',
    '--supersedes',
    'r-000000000000',
    '--store',
    store,
  ])
  assert.is(unknown.code, 2)
  assert.match(unknown.err, /no ci record with id r-000000000000 to supersede/)
  const badStore = join(dir, 'bad-store')
  writeFileSync(file, `${batch}\n{"process":"ci","indicator":"cycle_time","value":-3,"at":"2025-03-03T10:00:00Z"}\n`)
  const bad = await steady(['health', 'record', '--from', file, '--process', 'dora', '--store', badStore])
  assert.is(bad.code, 2)
  assert.match(bad.err, /week\.ndjson:7: value of cycle_time/)
  assert.not.ok(existsSync(badStore), 'nothing written when a line is bad')
})

test.run()
