/**
 * docs/architecture.md's "may not import" column and its entry rules, checked:
 * every import in a package's sources and tests is read, and one that reaches a
 * forbidden steady package, or reaches into another package by a relative path,
 * fails. Every import of a steady package anywhere in the repository (scripts,
 * root tests, scenarios, docs, the files `steady init` writes) is checked
 * against the entries: `./internal` only from the sibling packages listed in
 * `internalUsers` (and `internalReaders`), `./testing` only from tests and scripts.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs'
import { join, relative, resolve, sep } from 'node:path'

const root = resolve(import.meta.dirname, '..')
/** Every package folder under packages/ (one with a package.json), read from disk, not listed by hand. */
const all = readdirSync(join(root, 'packages'))
  .filter((e) => existsSync(join(root, 'packages', e, 'package.json')))
  .sort()

/** The table from docs/architecture.md: package → packages it must not import. Every package may import kernel. */
const forbidden: Record<string, string[]> = {
  kernel: all.filter((p) => p !== 'kernel'),
  record: all.filter((p) => p !== 'record' && p !== 'kernel'),
  scenario: ['soak', 'baseline', 'report', 'cli'],
  env: ['scenario', 'soak', 'baseline', 'report'],
  load: ['soak', 'baseline', 'report'],
  soak: ['baseline', 'report'],
  baseline: ['scenario', 'env', 'load', 'soak', 'report'],
  report: ['scenario', 'env', 'load', 'soak'],
  'process-health': all.filter((p) => p !== 'process-health' && p !== 'kernel'),
  cli: [],
  'demo-store': all.filter((p) => p !== 'demo-store' && p !== 'process-health' && p !== 'kernel'),
}

/**
 * Who may import a package's `./internal` entry (besides the package's own
 * tests): the sibling packages that need more than its public entry. Never
 * scripts, root tests, docs, scenario files or the files `steady init` writes:
 * those use public entries (and tests and scripts `./testing`).
 */
const internalUsers: Record<string, string[]> = {
  baseline: ['cli', 'report'],
  cli: [],
  env: ['cli', 'soak'],
  kernel: [],
  load: ['cli', 'soak'],
  'process-health': ['cli'],
  record: ['baseline', 'cli', 'env', 'load', 'report', 'scenario', 'soak'],
  report: ['cli'],
  scenario: ['cli', 'load', 'soak'],
  soak: ['cli'],
}

/**
 * The one script that may import every package's `./internal` entry: the
 * generator of docs/errors.md reads each package's table of error codes there
 * (the tables are for steady's own docs, not for users).
 */
const internalReaders = ['scripts/gen-errors.ts']

/** The entries a package may declare in its package.json `exports`. */
const ENTRIES = ['.', './internal', './testing']

function files(dir: string, out: string[] = [], pattern = /\.(ts|mts|js|mjs)$/): string[] {
  if (!existsSync(dir)) return out
  for (const e of readdirSync(dir)) {
    if (e === 'node_modules' || e === 'dist') continue
    const p = join(dir, e)
    if (statSync(p).isDirectory()) files(p, out, pattern)
    else if (pattern.test(e)) out.push(p)
  }
  return out
}

/** Files a user reads or copies: they may import public entries only. */
function userFacing(file: string): boolean {
  const rel = relative(root, file).split(sep).join('/')
  return (
    /\.scenario\.ts$/.test(rel) ||
    /(^|\/)steady\.config\.ts$/.test(rel) ||
    /\.md$/.test(rel) ||
    rel.startsWith('docs/') ||
    rel.startsWith('scenarios/') ||
    rel === 'packages/cli/src/init/templates.ts'
  )
}

/** A test (under a `test/` folder, or named `*.test.ts`) or a script: where `./testing` may be imported. */
function testOrScript(file: string): boolean {
  const parts = relative(root, file).split(sep)
  if (parts[0] === 'scripts' || parts[0] === 'test') return true
  if (parts[0] === 'packages' && (parts[2] === 'test' || parts[2] === 'scripts')) return true
  return /\.test\.ts$/.test(file)
}

/** The package a file belongs to, if it is inside packages/. */
function packageOf(file: string): string | undefined {
  const parts = relative(root, file).split(sep)
  return parts[0] === 'packages' ? parts[1] : undefined
}

/** Problems with the entry an import names: a reach-in, or `./internal` or `./testing` from where it is not allowed. */
function entryViolations(spec: string, file: string): string[] {
  const scoped = spec.match(/^@steady\/([^/]+)(\/.*)?$/)
  if (!scoped || !scoped[2]) return []
  const [, target, sub] = scoped
  const from = packageOf(file)
  if (sub === '/internal') {
    const allowed = internalUsers[target] ?? []
    if (userFacing(file))
      return [`${file} imports ${spec}, but docs, scenario files and generated projects use @steady/${target}`]
    if (from === target && testOrScript(file)) return []
    if (internalReaders.includes(relative(root, file).split(sep).join('/'))) return []
    if (from && allowed.includes(from)) return []
    const who = allowed.length ? `only ${allowed.join(', ')} may` : 'no other package may'
    return [
      `${file} imports ${spec}: ${who} (a sibling that needs it gets a row in internalUsers here and in docs/architecture.md)`,
    ]
  }
  if (sub === '/testing') {
    // Fixtures and record builders: for tests and scripts, never for what ships.
    if (userFacing(file) || !testOrScript(file)) return [`${file} imports ${spec}, which is for tests and scripts only`]
    return []
  }
  return [`${file} reaches into ${spec}: import the package's public entry @steady/${target}`]
}

const importRe =
  /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g

function violations(pkg: string, source: string, file: string): string[] {
  const found: string[] = []
  for (const m of source.matchAll(importRe)) {
    const spec = m[1] ?? m[2] ?? m[3]
    const scoped = spec.match(/^@steady\/([^/]+)(\/.*)?$/)
    if (scoped) {
      if (forbidden[pkg]?.includes(scoped[1]))
        found.push(`${file} imports @steady/${scoped[1]}, which ${pkg} must not import`)
      found.push(...entryViolations(spec, file))
    } else if (spec.startsWith('.')) {
      const target = resolve(join(file, '..'), spec)
      const pkgRoot = join(root, 'packages', pkg) + sep
      const inPackages = target.startsWith(join(root, 'packages') + sep)
      if (inPackages && !target.startsWith(pkgRoot))
        found.push(`${file} imports ${spec} by a relative path into another package`)
    }
  }
  return found
}

/** Package folders that have no row in the table (a new package would otherwise be checked against nothing). */
function withoutRow(packages: string[], table: Record<string, string[]>): string[] {
  return packages.filter((pkg) => !Object.hasOwn(table, pkg))
}

test('every package folder has a row in the table', () => {
  const missing = withoutRow(all, forbidden)
  assert.equal(
    missing,
    [],
    `packages/ holds ${missing.join(', ')} without a row in docs/architecture.md's table (add it to \`forbidden\` here and to the table)`,
  )
  const gone = Object.keys(forbidden).filter((pkg) => !all.includes(pkg))
  assert.equal(gone, [], `the table names ${gone.join(', ')}, which packages/ does not hold`)
  assert.ok(all.length >= 10, `found ${all.length} packages under packages/`)
})

test('every package exists with one public entry, and declares only ., ./internal and ./testing', () => {
  for (const pkg of all) {
    const manifest = JSON.parse(readFileSync(join(root, 'packages', pkg, 'package.json'), 'utf8'))
    assert.is(manifest.name, `@steady/${pkg}`)
    assert.ok(existsSync(join(root, 'packages', pkg, 'src', 'index.ts')), `${pkg} has src/index.ts`)
    assert.is(manifest.exports['.']['steady-source'], './src/index.ts')
    for (const [entry, target] of Object.entries<Record<string, string>>(manifest.exports)) {
      assert.ok(ENTRIES.includes(entry), `${pkg} declares the entry ${entry}; an entry is one of ${ENTRIES.join(', ')}`)
      const name = entry === '.' ? 'index' : entry.slice(2)
      // The same three conditions for every entry: sources in the monorepo, built files once packed.
      assert.equal(
        target,
        { 'steady-source': `./src/${name}.ts`, types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` },
        `${pkg} ${entry}`,
      )
      assert.ok(existsSync(join(root, 'packages', pkg, 'src', `${name}.ts`)), `${pkg} has src/${name}.ts`)
    }
    // A package with an ./internal entry has a row saying who may use it, and only such a package has one.
    assert.is(
      Object.hasOwn(manifest.exports, './internal'),
      Object.hasOwn(internalUsers, pkg),
      `${pkg}: ./internal in package.json and a row in internalUsers go together`,
    )
  }
})

test('no package imports what docs/architecture.md forbids', () => {
  const problems: string[] = []
  for (const pkg of all) {
    for (const f of [...files(join(root, 'packages', pkg, 'src')), ...files(join(root, 'packages', pkg, 'test'))]) {
      problems.push(...violations(pkg, readFileSync(f, 'utf8'), f))
    }
  }
  assert.equal(
    problems.map((p) => relative(root, p)),
    [],
  )
})

test('scripts, root tests, scenarios, docs and generated projects use entries as allowed', () => {
  const outside = [
    ...files(join(root, 'scripts')),
    // This file holds sample imports for the checker's own tests below.
    ...files(join(root, 'test')).filter((f) => f !== import.meta.filename),
    ...files(join(root, 'scenarios')),
    join(root, 'steady.config.ts'),
    ...files(join(root, 'docs'), [], /\.(md|ts|mjs)$/),
    ...all.flatMap((pkg) => files(join(root, 'packages', pkg), [], /\.md$/)),
  ]
  const problems: string[] = []
  for (const f of outside) {
    for (const m of readFileSync(f, 'utf8').matchAll(importRe))
      problems.push(...entryViolations(m[1] ?? m[2] ?? m[3], f))
  }
  // `steady init` writes these files into a team's repository: public entries only (also inside template strings).
  const templates = join(root, 'packages', 'cli', 'src', 'init', 'templates.ts')
  for (const m of readFileSync(templates, 'utf8').matchAll(/@steady\/[a-z-]+\/[a-z-]+/g))
    problems.push(...entryViolations(m[0], templates))
  assert.equal(
    problems.map((p) => relative(root, p)),
    [],
  )
})

test('kernel has no dependencies: its sources import only node: built-ins and its own files', () => {
  const manifest = JSON.parse(readFileSync(join(root, 'packages', 'kernel', 'package.json'), 'utf8'))
  assert.equal(
    Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }),
    [],
    'kernel/package.json declares no dependencies',
  )
  const outside: string[] = []
  for (const f of files(join(root, 'packages', 'kernel', 'src'))) {
    for (const m of readFileSync(f, 'utf8').matchAll(importRe)) {
      const spec = m[1] ?? m[2] ?? m[3]
      if (!spec.startsWith('node:') && !spec.startsWith('.')) outside.push(`${relative(root, f)} imports ${spec}`)
    }
  }
  assert.equal(outside, [])
})

test('the checker catches a forbidden import and a reach-in', () => {
  const f = join(root, 'packages', 'baseline', 'src', 'x.ts')
  assert.equal(violations('baseline', "import { soak } from '@steady/soak'", f).length, 1)
  assert.equal(violations('baseline', "import type { X } from '@steady/record/src/x.ts'", f).length, 1)
  assert.equal(violations('baseline', "import { y } from '../../scenario/src/y.ts'", f).length, 1)
  assert.equal(violations('baseline', "const m = await import('@steady/report')", f).length, 1)
  assert.equal(violations('baseline', "import { ok } from '@steady/record'\nimport { z } from './z.ts'", f), [])
  assert.equal(violations('record', "import '@steady/cli'", join(root, 'packages', 'record', 'src', 'a.ts')).length, 1)
  // kernel imports nothing; every package may import kernel.
  assert.equal(
    violations(
      'kernel',
      "import { SteadyError } from '@steady/record'",
      join(root, 'packages', 'kernel', 'src', 'a.ts'),
    ).length,
    1,
  )
  for (const pkg of all.filter((p) => p !== 'kernel')) {
    assert.equal(
      violations(pkg, "import { median } from '@steady/kernel'", join(root, 'packages', pkg, 'src', 'a.ts')),
      [],
      pkg,
    )
  }
  // A package's testing entry: from tests and scripts, not from what ships.
  const testing = "import { pairedRecord } from '@steady/baseline/testing'"
  assert.equal(violations('cli', testing, join(root, 'packages', 'cli', 'test', 'v.test.ts')), [])
  assert.equal(violations('cli', testing, join(root, 'packages', 'cli', 'src', 'v.ts')).length, 1)
  assert.equal(entryViolations('@steady/baseline/testing', join(root, 'scripts', 'bench', 'b.ts')), [])
  assert.equal(entryViolations('@steady/baseline/testing', join(root, 'test', 'x.test.ts')), [])
  assert.equal(entryViolations('@steady/baseline/testing', join(root, 'scenarios', 'store', 'a.scenario.ts')).length, 1)
  assert.equal(entryViolations('@steady/baseline/testing', join(root, 'docs', 'verdict.md')).length, 1)
  // A package's internal entry: from the siblings listed, and its own tests; nowhere else.
  const internal = "import { terminalLine } from '@steady/record/internal'"
  assert.equal(violations('scenario', internal, join(root, 'packages', 'scenario', 'src', 'x.ts')), [])
  assert.equal(violations('cli', internal, join(root, 'packages', 'cli', 'test', 'x.test.ts')), [])
  assert.equal(violations('record', internal, join(root, 'packages', 'record', 'test', 'x.test.ts')), [])
  assert.equal(
    violations(
      'demo-store',
      "import { x } from '@steady/scenario/internal'",
      join(root, 'packages', 'demo-store', 'src', 'x.ts'),
    ).length,
    2,
  )
  assert.equal(
    violations(
      'env',
      "import { planReplay } from '@steady/scenario/internal'",
      join(root, 'packages', 'env', 'src', 'x.ts'),
    ).length,
    2,
  )
  assert.equal(
    violations(
      'load',
      "import { ABBA_BLOCK } from '@steady/soak/internal'",
      join(root, 'packages', 'load', 'test', 'x.test.ts'),
    ).length,
    2,
  )
  assert.equal(
    violations('report', "import { x } from '@steady/report/internal'", join(root, 'packages', 'report', 'src', 'x.ts'))
      .length,
    1,
  )
  assert.equal(entryViolations('@steady/record/internal', join(root, 'scripts', 'bench', 'b.ts')).length, 1)
  assert.equal(entryViolations('@steady/record/internal', join(root, 'scripts', 'gen-errors.ts')), [])
  assert.equal(entryViolations('@steady/record/internal', join(root, 'test', 'x.test.ts')).length, 1)
  assert.equal(
    entryViolations('@steady/scenario/internal', join(root, 'scenarios', 'store', 'a.scenario.ts')).length,
    1,
  )
  assert.equal(
    entryViolations('@steady/scenario/internal', join(root, 'packages', 'load', 'test', 'fixtures', 'a.scenario.ts'))
      .length,
    1,
  )
  assert.equal(
    entryViolations('@steady/scenario/internal', join(root, 'packages', 'cli', 'src', 'init', 'templates.ts')).length,
    1,
  )
  assert.equal(entryViolations('@steady/record/internal', join(root, 'docs', 'scenarios.md')).length, 1)
  assert.equal(entryViolations('@steady/record/src/io.ts', join(root, 'scripts', 'b.ts')).length, 1)
})

test('a package folder added without a row is caught', () => {
  assert.equal(withoutRow([...all, 'newcomer'], forbidden), ['newcomer'])
  assert.equal(withoutRow(all, forbidden), [])
})

test.run()
