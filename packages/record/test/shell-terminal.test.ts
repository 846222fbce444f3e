/** Shell quoting of printed commands, and text made safe for a terminal. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { shellCommand, shellQuote, terminalLine, terminalText } from '@steady/record/internal'

const hostile = [
  'plain',
  '',
  'two words',
  `it's`,
  '$(id)',
  '`id`',
  '"dq"',
  '$HOME',
  'a\nb',
  'esc\u001b[31m',
  'tab\there',
  'back\\slash',
  'bidi\u202eevil',
  'c1\u009b',
  'ünïcødé ✓',
  "'\\''",
]

test('shellQuote: bash passes every word back exactly, runs nothing', () => {
  const line = `printf '%s\\0' ${shellCommand(hostile)}`
  const r = spawnSync('bash', ['-c', line], { encoding: 'utf8' })
  assert.is(r.status, 0, r.stderr)
  assert.equal(r.stdout.split('\0').slice(0, -1), hostile)
})

test('shellQuote: plain words stay bare, others are single-quoted; control characters keep the line on one line', () => {
  assert.is(shellQuote('reports/x/run.json'), 'reports/x/run.json')
  assert.is(shellQuote('reports/x/run.json', true), `'reports/x/run.json'`)
  assert.is(shellQuote(`it's $(x)`), `'it'\\''s $(x)'`)
  assert.is(shellQuote('a\nb'), `$'a\\nb'`)
  for (const w of hostile) assert.not.match(shellQuote(w), /[\n\u001b\u009b\u202e]/)
})

test('terminalLine escapes every control character and neutralises a workflow command', () => {
  assert.is(terminalLine('a\nb\u001b[2J\u0007'), 'a\\nb\\e[2J\\x07')
  assert.is(terminalLine('::error::x'), '\\::error::x')
  assert.is(terminalLine('  ::add-mask::x'), '  \\::add-mask::x')
  assert.is(terminalLine('r\u202eevil'), 'r\\u202eevil')
  assert.is(terminalLine('a :: b'), 'a :: b')
})

test('terminalText keeps lines and tabs, escapes the rest, neutralises each :: line', () => {
  assert.is(terminalText('ok\r\n::stop-commands::t\n\tx\u001b[31m'), 'ok\n\\::stop-commands::t\n\tx\\e[31m')
})

test.run()
