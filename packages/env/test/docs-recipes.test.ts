/**
 * The configs in docs/environments.md, checked as far as this machine can
 * without Helm, docker compose or Terraform (none of them is in CI): each
 * `ts` block that is an environment config is loaded from the doc's text and
 * passed through its provider's config check; the command provider's shell
 * commands must parse with `/bin/sh -n` (the shell steady runs them with),
 * use only the `STEADY_*` variables steady sets, and hold no `{id}`-style
 * template (those are expanded in `url` only, never in a command).
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { runInNewContext } from 'node:vm'
import { builtinProviders } from '@steady/env'
import { MAX_ID_LENGTH } from '../src/identity.ts'

const docFile = join(import.meta.dirname, '..', '..', '..', 'docs', 'environments.md')
const doc = readFileSync(docFile, 'utf8')

interface Block {
  /** The heading the block sits under. */
  heading: string
  code: string
}

/** Every ```ts block of the doc, with the heading above it. */
function tsBlocks(markdown: string): Block[] {
  const blocks: Block[] = []
  let heading = ''
  let code: string[] | undefined
  for (const line of markdown.split('\n')) {
    if (code) {
      if (line.startsWith('```')) {
        blocks.push({ heading, code: code.join('\n') })
        code = undefined
      } else code.push(line)
    } else if (line.startsWith('#')) heading = line.replace(/^#+\s*/, '')
    else if (line === '```ts') code = []
  }
  return blocks
}

/**
 * The environment entries a block defines: `environments: { a: {...} }`, or
 * one entry `name: {...}` as the recipes write it. A block is a fragment of an
 * object literal, evaluated (it is plain JavaScript: strings, arrays, `.join`)
 * in an empty context.
 */
function entriesOf(block: Block): Record<string, Record<string, unknown>> {
  const value = runInNewContext(
    `({\n${block.code}\n})`,
    {},
    { filename: `${docFile} (${block.heading})`, timeout: 1000 },
  ) as Record<string, unknown>
  return (value.environments ?? value) as Record<string, Record<string, unknown>>
}

const blocks = tsBlocks(doc).filter((b) => b.heading !== 'From a program')
const checked = blocks.flatMap((b) =>
  Object.entries(entriesOf(b)).map(([name, entry]) => ({ heading: b.heading, name, entry })),
)

/** What the command provider sets for `up`, `urlCommand` and `down` (`STEADY_URL` only for `down`). */
const steadyVars = new Set([
  'STEADY_ENV_ID',
  'STEADY_ENV_NAME',
  'STEADY_BRANCH',
  'STEADY_TAGS',
  'STEADY_LOG_DIR',
  'STEADY_PROJECT_DIR',
])

test('the doc has the three recipes and an example of each provider, all found', () => {
  assert.equal(
    checked.map((c) => [c.heading, c.name, c.entry.provider ?? 'process']),
    [
      ['`process`: local services', 'local', 'process'],
      ['`command`: any infrastructure-as-code tool', 'preview', 'command'],
      ['Recipe: Helm on Kubernetes', 'preview', 'command'],
      ['Recipe: docker compose', 'compose', 'command'],
      ['Recipe: Terraform', 'cloud', 'command'],
      ['`url`: an existing environment', 'staging', 'url'],
    ],
  )
})

test("every config in the doc passes its provider's config check", () => {
  for (const { heading, name, entry } of checked) {
    const provider = builtinProviders[(entry.provider as string | undefined) ?? 'process']
    try {
      provider.validate(entry, name)
    } catch (error) {
      assert.unreachable(`${heading}: environments.${name} fails the config check: ${(error as Error).message}`)
    }
  }
})

test('the command recipes: shell syntax, only variables steady sets, no templates in commands', () => {
  const commands = checked.filter((c) => c.entry.provider === 'command')
  assert.ok(commands.length >= 4)
  for (const { heading, name, entry } of commands) {
    for (const field of ['up', 'down', 'urlCommand'] as const) {
      const command = entry[field]
      if (command === undefined) continue
      assert.type(command, 'string')
      const where = `${heading}: environments.${name}.${field}`
      const syntax = spawnSync('/bin/sh', ['-n', '-c', command as string], { encoding: 'utf8' })
      assert.equal(syntax.status, 0, `${where} is not valid sh: ${syntax.stderr}\n${command}`)
      for (const [, variable] of (command as string).matchAll(/\$\{?(STEADY_[A-Z0-9_]+)/g)) {
        const known =
          steadyVars.has(variable) ||
          variable.startsWith('STEADY_TAG_') ||
          (variable === 'STEADY_URL' && field === 'down')
        assert.ok(known, `${where} reads $${variable}, which steady does not set there`)
      }
      assert.not.match(
        command as string,
        /\{(id|name|branch|tag\.[^}]+)\}/,
        `${where} holds a template, which steady expands in url only`,
      )
    }
  }
})

test("the Helm recipe's claim: an id fits a release name and steady-<id> a namespace", () => {
  assert.match(
    doc,
    /The id is at most 53 characters, Helm's limit for a release name, and\n`steady-<id>` stays within the 63 of a namespace/,
  )
  assert.is(MAX_ID_LENGTH, 53)
  assert.ok('steady-'.length + MAX_ID_LENGTH <= 63)
})

test.run()
