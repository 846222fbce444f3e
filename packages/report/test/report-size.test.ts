/**
 * Size: a report of a one-hour soak, with its verdict and baseline, stays
 * under 1.5 MB. The fixture is deterministic (seeded), so the size is too.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeReport } from '@steady/report'
import { makeRecord } from '../src/testing/make-record.ts'
import { makeBaseline, makeVerdict } from '../src/testing/make-verdict.ts'

const LIMIT = 1.5 * 1024 * 1024

test('a one-hour soak with its verdict and baseline: the report file is under 1.5 MB, and the same size every time', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'steady-report-size-'))
  const record = makeRecord({ dir, durationMs: 3_600_000 })
  assert.is(record.durationMs, 3_600_000)
  const baseline = makeBaseline({ durationMs: 3_600_000 }, 4)
  const verdict = makeVerdict(record, baseline)
  const file = join(dir, 'report.html')
  await writeReport(file, { record, verdict, baseline, baselineName: 'baselines/demo-store.json' })
  const size = statSync(file).size
  console.log(`[note] one-hour report with a verdict: ${(size / 1024).toFixed(0)} KiB (limit ${LIMIT / 1024} KiB)`)
  assert.ok(size < LIMIT, `${size} bytes`)
  const again = join(dir, 'again.html')
  await writeReport(again, { record, verdict, baseline, baselineName: 'baselines/demo-store.json' })
  assert.is(statSync(again).size, size)
})

test.run()
