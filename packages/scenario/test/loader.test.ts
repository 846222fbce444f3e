/** Loading scenario files: globs, folders, --grep, data-driven names, and load errors with file and line. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { findScenarioFiles, matchesGrep } from '../src/loader.ts'
import { loadScenarioFiles } from '@steady/scenario'
import type { SteadyError } from '@steady/record'
import { tempProject } from './helpers/project.ts'

const ok = (name: string, tags = '[]') => `import { scenario } from '@steady/scenario'
export default scenario(${JSON.stringify(name)}, { tags: ${tags} }, async () => {})
`

test('files, folders and globs expand to scenario files', () => {
  const dir = tempProject({
    'scenarios/a.scenario.ts': ok('a'),
    'scenarios/deep/b.scenario.ts': ok('b'),
    'scenarios/deep/helper.ts': 'export const x = 1\n',
    'other/c.scenario.ts': ok('c'),
  })
  const rel = (l: string[]) => l.map((f) => f.slice(dir.length + 1))
  assert.equal(rel(findScenarioFiles(['scenarios/**/*.scenario.ts'], dir)), [
    'scenarios/a.scenario.ts',
    'scenarios/deep/b.scenario.ts',
  ])
  assert.equal(rel(findScenarioFiles(['scenarios'], dir)), ['scenarios/a.scenario.ts', 'scenarios/deep/b.scenario.ts'])
  assert.equal(rel(findScenarioFiles(['other/c.scenario.ts', '*/{a,c}.scenario.ts'], dir)), [
    'other/c.scenario.ts',
    'scenarios/a.scenario.ts',
  ])
  assert.equal(findScenarioFiles(['nothing/**'], dir), [])
})

test('--grep matches names and @tags', () => {
  const s = { name: 'checkout ships the order', tags: ['store', 'smoke'] }
  assert.ok(matchesGrep(s, 'checkout'))
  assert.ok(matchesGrep(s, '@smoke'))
  assert.ok(matchesGrep(s, 'CHECKOUT'))
  assert.ok(matchesGrep(s, 'login|@store'))
  assert.not.ok(matchesGrep(s, '@slow'))
  assert.ok(matchesGrep(s, '(unclosed checkout') === false)
})

test('loading collects default, named and array exports, setup/teardown, and applies --grep', async () => {
  const dir = tempProject({
    'flows.scenario.ts': `import { scenario, defineSetup, defineTeardown } from '@steady/scenario'
export const setup = defineSetup(async () => ({ token: 't' }))
export const teardown = defineTeardown(async () => {})
export default scenario('first', { tags: ['smoke'] }, async () => {})
export const second = scenario('second', async () => {})
export const table = scenario.each([{ field: 'qty', value: 0 }, { field: 'sku', value: '' }])('cart rejects a bad {field}', async () => {})
export const helperValue = 42
`,
  })
  const [file] = await loadScenarioFiles({ patterns: ['.'], cwd: dir })
  assert.equal(
    file.scenarios.map((s) => s.name),
    ['first', 'second', 'cart rejects a bad qty', 'cart rejects a bad sku'],
  )
  assert.is(file.relativePath, 'flows.scenario.ts')
  assert.type(file.setup, 'function')
  assert.type(file.teardown, 'function')
  assert.is(file.scenarios[0].file, file.path)
  assert.is(file.scenarios[0].line, 4)
  assert.equal(file.scenarios[2].row, { field: 'qty', value: 0 })
  const smoke = await loadScenarioFiles({ patterns: ['.'], cwd: dir, grep: '@smoke' })
  assert.equal(
    smoke[0].scenarios.map((s) => s.name),
    ['first'],
  )
  assert.is(smoke[0].total, 4)
})

async function loadError(files: Record<string, string>, grep?: string): Promise<SteadyError> {
  const dir = tempProject(files)
  try {
    await loadScenarioFiles({ patterns: ['.'], cwd: dir, grep })
  } catch (e) {
    return e as SteadyError
  }
  throw new Error('expected a load error')
}

test('load errors name the file and line, exit 2', async () => {
  const syntax = await loadError({
    'bad.scenario.ts':
      "import { scenario } from '@steady/scenario'\n\nexport default scenario('x', async () => {\n  const a = = 1\n})\n",
  })
  assert.is(syntax.code, 'STEADY_SCENARIO_LOAD')
  assert.is(syntax.exitCode, 2)
  assert.match(syntax.message, /^bad\.scenario\.ts:4:\d+: /)
  const thrown = await loadError({
    'throws.scenario.ts':
      "import { scenario } from '@steady/scenario'\nconst n: number = 1\nthrow new Error('config missing at import')\nexport default scenario('x', async () => {})\n",
  })
  assert.match(thrown.message, 'throws.scenario.ts:3')
  assert.match(thrown.message, 'config missing at import')
  const missing = await loadError({
    'imports.scenario.ts': "import { nope } from './does-not-exist.ts'\nexport default nope\n",
  })
  assert.is(missing.code, 'STEADY_SCENARIO_LOAD')
  assert.match(missing.message, 'imports.scenario.ts')
  const empty = await loadError({ 'empty.scenario.ts': 'export const x = 1\n' })
  assert.is(empty.code, 'STEADY_SCENARIO_EMPTY')
  const dup = await loadError({ 'a.scenario.ts': ok('same'), 'b.scenario.ts': ok('same') })
  assert.is(dup.code, 'STEADY_SCENARIO_DUPLICATE')
  assert.match(dup.message, 'a.scenario.ts and b.scenario.ts')
  const none = await loadError({ 'a.scenario.ts': ok('a') }, '@nothing')
  assert.is(none.code, 'STEADY_SCENARIO_NONE_SELECTED')
  const dir = tempProject({})
  const nf = await loadScenarioFiles({ patterns: ['scenarios/**/*.scenario.ts'], cwd: dir }).catch(
    (e: SteadyError) => e,
  )
  assert.is((nf as SteadyError).code, 'STEADY_SCENARIO_NOT_FOUND')
  assert.is((nf as SteadyError).exitCode, 2)
})

test.run()
