/**
 * Every TypeScript and JavaScript file of the repository is as Prettier
 * prints it (`.prettierrc.json`: no semicolons, single quotes, 120
 * columns; `.prettierignore` leaves out fixtures, data and prose), so a
 * review shows what changed, never how it was laid out.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')

test('prettier finds every source file formatted', () => {
  const prettier = join(root, 'node_modules', 'prettier', 'bin', 'prettier.cjs')
  const run = spawnSync(process.execPath, [prettier, '--list-different', '**/*.{ts,mts,mjs,js}'], {
    cwd: root,
    encoding: 'utf8',
  })
  assert.ok(run.status === 0 || run.status === 1, `prettier did not run (exit ${run.status}):\n${run.stderr}`)
  const files = run.stdout.split('\n').filter(Boolean)
  assert.equal(files, [], `not formatted:\n${files.join('\n')}\nrun \`npx prettier --write "**/*.{ts,mts,mjs,js}"\``)
})

test.run()
