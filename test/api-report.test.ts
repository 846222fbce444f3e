/**
 * The committed API reports (`packages/<name>/api/<entry>.api.md`) match what
 * each package entry exports. A change to a package's surface shows up in
 * review as a diff of its report; this fails until the report is updated.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  readSurfaces,
  renderReport,
  root,
  sortUnions,
  staleReports,
  UPDATE_COMMAND,
  type ExportedName,
} from '../scripts/api-report.ts'

const surfaces = readSurfaces()

test('every package entry has an API report, and it is up to date', () => {
  const stale = staleReports(surfaces).map((s) => {
    const what =
      s.problem === 'missing'
        ? 'has no report'
        : s.problem === 'changed'
          ? 'changed its surface'
          : 'is gone, its report is not'
    return `@steady/${s.entry.pkg} ${s.entry.entry}: ${what} (${s.entry.report})`
  })
  assert.ok(
    stale.length === 0,
    `${stale.join('\n')}\nrun \`${UPDATE_COMMAND}\`, review the diff of the reports and commit them`,
  )
})

test('a report reads the same on every machine: no absolute paths', () => {
  for (const [e, names] of surfaces) {
    const text = renderReport(e, names)
    assert.not.ok(text.includes(root), `${e.report} names a path of this machine`)
  }
})

test('union members print in one order, whatever order the checker met them in', () => {
  assert.is(sortUnions("'tail' | 'drift' | undefined"), "'drift' | 'tail' | undefined")
  assert.is(sortUnions('null | string | number'), 'number | string | null')
  assert.is(
    sortUnions("Record<string, TargetConfig | string> | ((f: 'b' | 'a') => void)"),
    "((f: 'a' | 'b') => void) | Record<string, TargetConfig | string>",
  )
  assert.is(sortUnions('{ a: string; b?: number; }'), '{ a: string; b?: number; }')
})

test('a surface that gains a name no longer matches its report', () => {
  const [entry, names] = [...surfaces].find(([e]) => e.pkg === 'report' && e.entry === '.')!
  const extra: ExportedName = {
    name: 'somethingNew',
    kind: 'function',
    value: true,
    signature: 'function somethingNew(): void',
  }
  const changed = new Map(surfaces).set(entry, [...names, extra])
  const stale = staleReports(changed)
  assert.equal(
    stale.map((s) => `${s.entry.pkg} ${s.entry.entry} ${s.problem}`),
    ['report . changed'],
  )
  assert.match(renderReport(entry, [...names, extra]), '| `somethingNew` | function |')
  assert.ok(readFileSync(join(root, entry.report), 'utf8').includes('| `renderReport` | function |'))
})

test.run()
