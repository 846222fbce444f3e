/** The shared reader of JSON files: regular files only, and parse errors that quote nothing of the file. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { jsonProblem } from '../src/json-file.ts'
import { parseJsonText, readRegularFile, type JsonFileKind } from '@steady/record/internal'

const kind: JsonFileKind = {
  what: 'thing',
  notFoundCode: 'STEADY_RECORD_NOT_FOUND',
  unreadableCode: 'STEADY_RECORD_UNREADABLE',
  pathHint: 'check the path',
  contentHint: 'pass a thing',
  truncatedHint: 'rebuild the thing',
}

function problemOf(text: string) {
  try {
    JSON.parse(text)
  } catch (error) {
    return jsonProblem(text, error)
  }
  throw new Error(`${text} parsed`)
}

test('a refused text is empty, not JSON, cut short or broken at a line and column', () => {
  for (const text of ['', '  \n']) assert.equal(problemOf(text), { kind: 'empty' })
  for (const text of ['password=hunter2', 'schema: steady.run/1\n', '<html>', '\u0000\u0001binary', '  hello']) {
    assert.equal(problemOf(text), { kind: 'not-json' }, JSON.stringify(text))
  }
  for (const text of ['{"schema":"steady.run/1"', '{"a": "abc', '[1,2', '{"a":1,\n "b": tru', '{\n "a": [\n', '"abc']) {
    assert.equal(problemOf(text), { kind: 'truncated' }, JSON.stringify(text))
  }
  assert.equal(problemOf('{"a":1} x'), { kind: 'invalid', line: 1, column: 9 })
  assert.equal(problemOf('{\n  "a": 1,\n  "b" 2\n}'), { kind: 'invalid', line: 3, column: 7 })
})

test('parseJsonText says what is wrong, with the hint for its kind, and quotes none of the file', () => {
  const cases: [string, string, string][] = [
    ['TOKEN=abc123secret', 'f.json is not JSON; expected a thing', 'pass a thing'],
    ['{"token": "abc123secret"', 'f.json is cut short', 'rebuild the thing'],
    ['{"token": "abc123secret" x}', 'f.json is not valid JSON: a syntax error at line 1, column 26', 'pass a thing'],
    ['', 'f.json is empty', 'pass a thing'],
  ]
  for (const [text, message, hint] of cases) {
    try {
      parseJsonText(text, 'f.json', kind)
      assert.unreachable(text)
    } catch (error) {
      const e = error as Error & { code: string; hint: string; exitCode: number; cause?: unknown }
      assert.is(e.code, 'STEADY_RECORD_UNREADABLE')
      assert.ok(e.message.startsWith(message), e.message)
      assert.is(e.hint, hint)
      assert.is(e.exitCode, 2)
      assert.not.match(e.message, 'abc123')
      assert.not.match(e.message, 'TOKEN')
      // JSON.parse's own message quotes the text: it is not kept as the cause (--verbose prints causes).
      assert.is(e.cause, undefined)
    }
  }
})

test('readRegularFile reads a file and refuses a FIFO (without blocking), a folder and a missing path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'steady-json-file-'))
  writeFileSync(join(dir, 'a.json'), '{"a":1}')
  assert.is(await readRegularFile(join(dir, 'a.json'), kind), '{"a":1}')
  const fifo = join(dir, 'pipe')
  assert.is(spawnSync('mkfifo', [fifo]).status, 0)
  const cases: [string, string][] = [
    [fifo, `${fifo} is a named pipe (FIFO), not a thing file`],
    [dir, `${dir} is a folder, not a thing file`],
    [join(dir, 'missing.json'), `cannot read thing ${join(dir, 'missing.json')}: ENOENT`],
  ]
  for (const [path, message] of cases) {
    try {
      await readRegularFile(path, kind)
      assert.unreachable(path)
    } catch (error) {
      assert.is((error as { code: string }).code, 'STEADY_RECORD_NOT_FOUND')
      assert.is((error as Error).message, message)
    }
  }
})

test.run()
