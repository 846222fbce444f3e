/**
 * Nothing unused: no file nobody imports, no export nobody imports (an
 * entry's exports included), no dependency a package.json lists and its code
 * never imports, no import of a package its package.json does not list.
 * Knip does the reading (knip.jsonc says what runs and what is loaded by
 * path); it needs no network.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')

interface Issue {
  file: string
  [kind: string]: unknown
}

test('knip finds no unused file, export or dependency, and no unlisted dependency', () => {
  // knip's package exports no path to its bin; the bin's file is stable.
  const knip = join(root, 'node_modules', 'knip', 'bin', 'knip.js')
  const run = spawnSync(process.execPath, [knip, '--no-progress', '--no-config-hints', '--reporter', 'json'], {
    cwd: root,
    encoding: 'utf8',
  })
  assert.ok(run.stdout.trim().startsWith('{'), `knip did not report (exit ${run.status}):\n${run.stdout}${run.stderr}`)
  const { issues } = JSON.parse(run.stdout) as { issues: Issue[] }
  const found: string[] = []
  for (const issue of issues) {
    for (const [kind, list] of Object.entries(issue)) {
      if (!Array.isArray(list) || list.length === 0) continue
      found.push(`${issue.file}: ${kind} ${list.map((x: { name: string }) => x.name).join(', ')}`)
    }
  }
  assert.ok(
    found.length === 0,
    `${found.join('\n')}\n` +
      'remove the export (or the dead code), or the dependency from package.json; a documented name nothing here imports gets `/** @public */` ' +
      'where its entry exports it. `npx knip` shows the same list.',
  )
})

test.run()
