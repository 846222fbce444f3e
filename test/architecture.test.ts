/**
 * docs/architecture.md's "may not import" column, checked: every import in a
 * package's sources and tests is read, and one that reaches a forbidden steady
 * package, or reaches into another package by a relative path, fails.
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

function files(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out
  for (const e of readdirSync(dir)) {
    if (e === 'node_modules' || e === 'dist') continue
    const p = join(dir, e)
    if (statSync(p).isDirectory()) files(p, out)
    else if (/\.(ts|mts|js|mjs)$/.test(e)) out.push(p)
  }
  return out
}

const importRe = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g

export function violations(pkg: string, source: string, file: string): string[] {
  const found: string[] = []
  for (const m of source.matchAll(importRe)) {
    const spec = m[1] ?? m[2] ?? m[3]
    const scoped = spec.match(/^@steady\/([^/]+)(\/.*)?$/)
    if (scoped) {
      if (forbidden[pkg]?.includes(scoped[1])) found.push(`${file} imports @steady/${scoped[1]}, which ${pkg} must not import`)
      if (scoped[2] === '/testing') {
        // Fixtures and record builders: for tests only, never for what ships.
        if (relative(root, file).split(sep)[2] !== 'test') found.push(`${file} imports ${spec}, which is for tests only`)
      } else if (scoped[2]) found.push(`${file} reaches into ${spec}: import the package's public entry @steady/${scoped[1]}`)
    } else if (spec.startsWith('.')) {
      const target = resolve(join(file, '..'), spec)
      const pkgRoot = join(root, 'packages', pkg) + sep
      const inPackages = target.startsWith(join(root, 'packages') + sep)
      if (inPackages && !target.startsWith(pkgRoot)) found.push(`${file} imports ${spec} by a relative path into another package`)
    }
  }
  return found
}

/** Package folders that have no row in the table (a new package would otherwise be checked against nothing). */
export function withoutRow(packages: string[], table: Record<string, string[]>): string[] {
  return packages.filter((pkg) => !Object.hasOwn(table, pkg))
}

test('every package folder has a row in the table', () => {
  const missing = withoutRow(all, forbidden)
  assert.equal(missing, [], `packages/ holds ${missing.join(', ')} without a row in docs/architecture.md's table (add it to \`forbidden\` here and to the table)`)
  const gone = Object.keys(forbidden).filter((pkg) => !all.includes(pkg))
  assert.equal(gone, [], `the table names ${gone.join(', ')}, which packages/ does not hold`)
  assert.ok(all.length >= 10, `found ${all.length} packages under packages/`)
})

test('every package exists with one public entry', () => {
  for (const pkg of all) {
    const manifest = JSON.parse(readFileSync(join(root, 'packages', pkg, 'package.json'), 'utf8'))
    assert.is(manifest.name, `@steady/${pkg}`)
    assert.ok(existsSync(join(root, 'packages', pkg, 'src', 'index.ts')), `${pkg} has src/index.ts`)
    assert.is(manifest.exports['.']['steady-source'], './src/index.ts')
  }
})

test('no package imports what docs/architecture.md forbids', () => {
  const problems: string[] = []
  for (const pkg of all) {
    for (const f of [...files(join(root, 'packages', pkg, 'src')), ...files(join(root, 'packages', pkg, 'test'))]) {
      problems.push(...violations(pkg, readFileSync(f, 'utf8'), f))
    }
  }
  assert.equal(problems.map((p) => relative(root, p)), [])
})

test('kernel has no dependencies: its sources import only node: built-ins and its own files', () => {
  const manifest = JSON.parse(readFileSync(join(root, 'packages', 'kernel', 'package.json'), 'utf8'))
  assert.equal(Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }), [], 'kernel/package.json declares no dependencies')
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
  assert.equal(violations('kernel', "import { SteadyError } from '@steady/record'", join(root, 'packages', 'kernel', 'src', 'a.ts')).length, 1)
  for (const pkg of all.filter((p) => p !== 'kernel')) {
    assert.equal(violations(pkg, "import { median } from '@steady/kernel'", join(root, 'packages', pkg, 'src', 'a.ts')), [], pkg)
  }
  // A package's testing entry: from tests, not from what ships.
  const testing = "import { pairedRecord } from '@steady/baseline/testing'"
  assert.equal(violations('cli', testing, join(root, 'packages', 'cli', 'test', 'v.test.ts')), [])
  assert.equal(violations('cli', testing, join(root, 'packages', 'cli', 'src', 'v.ts')).length, 1)
})

test('a package folder added without a row is caught', () => {
  assert.equal(withoutRow([...all, 'newcomer'], forbidden), ['newcomer'])
  assert.equal(withoutRow(all, forbidden), [])
})

test.run()
