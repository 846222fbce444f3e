/**
 * docs/cli.md is generated from the commands' own definitions
 * (scripts/gen-cli-reference.ts); this fails when the committed file differs
 * from what the CLI defines now, so the reference cannot drift.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { CLI_REFERENCE_PATH, referenceProgram, renderCliReference } from '../scripts/gen-cli-reference.ts'

const root = join(import.meta.dirname, '..')

test('docs/cli.md matches the CLI (run npm run docs:cli to regenerate it)', () => {
  const committed = readFileSync(join(root, CLI_REFERENCE_PATH), 'utf8')
  const fresh = renderCliReference()
  if (committed !== fresh) {
    const a = committed.split('\n')
    const b = fresh.split('\n')
    const i = a.findIndex((line, n) => line !== b[n])
    assert.unreachable(
      `${CLI_REFERENCE_PATH} is out of date: run npm run docs:cli (or npx tsx --conditions=steady-source scripts/gen-cli-reference.ts)\n` +
        `first difference at line ${i + 1}:\n  committed: ${a[i] ?? '(end of file)'}\n  generated: ${b[i] ?? '(end of file)'}`,
    )
  }
})

test('the reference covers every command, subcommand, argument and option, and the help text after them', () => {
  const text = renderCliReference()
  const walk = (cmd: ReturnType<typeof referenceProgram>, path: string[]): void => {
    for (const sub of cmd.commands) {
      const name = [...path, sub.name()].join(' ')
      assert.ok(text.includes(`\n## ${name}\n`), `a section for ${name}`)
      for (const a of sub.registeredArguments) assert.ok(text.includes(`${a.name()}`), `${name}: argument ${a.name()}`)
      for (const o of sub.options) assert.ok(text.includes(`| \`${o.flags}\` |`), `${name}: option ${o.flags}`)
      walk(sub, [...path, sub.name()])
    }
  }
  walk(referenceProgram(), ['steady'])
  // Text added with addHelpText('after') comes through verbatim.
  assert.match(
    text,
    'steady run --replay reports/<run-id>/run.json --scenario "checkout ships the order" --iteration 3',
  )
  // Descriptions cannot break the Markdown: no raw angle brackets outside code.
  for (const line of text.split('\n').filter((l) => l.startsWith('| '))) {
    assert.not.match(line.replace(/`[^`]*`/g, ''), /<[a-z]/i, line)
  }
})

test.run()
