/**
 * docs/errors.md is generated from the packages' tables of error codes
 * (scripts/gen-errors.ts); this fails when the committed file differs, and
 * checks the tables against the sources: every code a source names is
 * declared in exactly one table, every declared code is used, and the exit
 * code a table gives is the one the throws pass.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { ExitCode, type SteadyErrorCodeInfo } from '@steady/kernel'
import { ERRORS_PATH, errorTables, renderErrors } from '../scripts/gen-errors.ts'

const root = join(import.meta.dirname, '..')

/**
 * Names that look like codes but are environment variables steady sets for
 * what it starts or reads, or that the workflow `steady init` writes sets
 * (`STEADY_ENV`), and the prefixes it builds some from (such as
 * `STEADY_HEADER_<NAME>`). Prefixes written with a trailing `_`
 * (`STEADY_TAG_<KEY>`, `STEADY_HEALTH_*`) are left out by their shape.
 */
const ENVIRONMENT_VARIABLES = [
  'STEADY_AUTHORIZATION',
  'STEADY_BODY',
  'STEADY_BRANCH',
  'STEADY_CPUS',
  'STEADY_DATA_DIR',
  'STEADY_ENV',
  'STEADY_ENV_ID',
  'STEADY_ENV_NAME',
  'STEADY_HEADER',
  'STEADY_LOG_DIR',
  'STEADY_PROJECT_DIR',
  'STEADY_SERVICE',
  'STEADY_SIDE',
  'STEADY_TAGS',
  'STEADY_URL',
  'STEADY_USER',
  'STEADY_VERSION',
]

function files(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out
  for (const e of readdirSync(dir)) {
    const p = join(dir, e)
    if (statSync(p).isDirectory()) files(p, out)
    else if (/\.(ts|mts|js|mjs)$/.test(e)) out.push(p)
  }
  return out
}

const packages = readdirSync(join(root, 'packages')).filter((p) =>
  existsSync(join(root, 'packages', p, 'package.json')),
)

/** Every source file of every package, by package, with the tables themselves cut out (a code must be used elsewhere). */
const sources = packages.flatMap((pkg) =>
  files(join(root, 'packages', pkg, 'src')).map((file) => ({
    pkg,
    file: relative(root, file),
    text: readFileSync(file, 'utf8').replace(/export const \w+ErrorCodes = defineErrorCodes\(\{[\s\S]*?\n\}\)/, ''),
  })),
)

/** Declared code → the packages whose tables declare it. */
function declared(): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const [pkg, table] of Object.entries(errorTables))
    for (const code of Object.keys(table)) out.set(code, [...(out.get(code) ?? []), pkg])
  return out
}

/** Code-shaped names in the sources → the files naming them. */
function named(): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const s of sources)
    for (const m of s.text.matchAll(/STEADY_[A-Z0-9_]+/g))
      if (!m[0].endsWith('_')) out.set(m[0], [...new Set([...(out.get(m[0]) ?? []), s.file])])
  return out
}

test('docs/errors.md matches the tables (run npm run docs:errors to regenerate it)', () => {
  const committed = readFileSync(join(root, ERRORS_PATH), 'utf8')
  const fresh = renderErrors()
  if (committed !== fresh) {
    const a = committed.split('\n')
    const b = fresh.split('\n')
    const i = a.findIndex((line, n) => line !== b[n])
    assert.unreachable(
      `${ERRORS_PATH} is out of date: run npm run docs:errors\n` +
        `first difference at line ${i + 1}:\n  committed: ${a[i] ?? '(end of file)'}\n  generated: ${b[i] ?? '(end of file)'}`,
    )
  }
})

test('every code the sources name is declared in exactly one table', () => {
  const tables = declared()
  const undeclared = [...named()]
    .filter(([name]) => !tables.has(name) && !ENVIRONMENT_VARIABLES.includes(name))
    .map(([name, where]) => `${name} (${where.join(', ')})`)
  assert.equal(undeclared, [], 'declare these in the table of the package that throws them (src/errors.ts)')
  const twice = [...tables].filter(([, pkgs]) => pkgs.length > 1).map(([code, pkgs]) => `${code}: ${pkgs.join(', ')}`)
  assert.equal(twice, [], 'a code belongs to one package: the lower one, when two throw it')
  // The list of environment variables holds no error code and nothing gone from the sources.
  const names = named()
  assert.equal(
    ENVIRONMENT_VARIABLES.filter((name) => tables.has(name) || !names.has(name)),
    [],
  )
})

test('every declared code is used in the sources, by its own package (kernel: by any)', () => {
  const names = named()
  const problems: string[] = []
  for (const [pkg, table] of Object.entries(errorTables)) {
    for (const code of Object.keys(table)) {
      const where = names.get(code) ?? []
      if (where.length === 0) problems.push(`${code} (${pkg}) is used nowhere: remove it from the table`)
      else if (pkg !== 'kernel' && !where.some((f) => f.startsWith(`packages/${pkg}/`)))
        problems.push(`${code} is declared by ${pkg} but used only in ${where.join(', ')}`)
    }
  }
  assert.equal(problems, [])
})

/** The exit code a throw site passes: a number, `computed` when it is worked out there, 2 when it passes none. */
function exitCodesAtThrows(): Map<string, (number | 'computed')[]> {
  const exitCodes: Record<string, number> = ExitCode
  const out = new Map<string, (number | 'computed')[]>()
  for (const s of sources) {
    for (const m of s.text.matchAll(/new (?:SteadyError|ProcessHealthError)\(\s*'(STEADY_[A-Z0-9_]+)'/g)) {
      // The call's arguments: up to the parenthesis that closes it.
      let depth = 0
      let end = m.index + m[0].indexOf('(')
      for (; end < s.text.length; end++) {
        if (s.text[end] === '(') depth++
        else if (s.text[end] === ')' && --depth === 0) break
      }
      const given = /exitCode:\s*([^,}\n]+)/.exec(s.text.slice(m.index, end))?.[1].trim()
      const value =
        given === undefined
          ? 2
          : /^\d+$/.test(given)
            ? Number(given)
            : /^ExitCode\.\w+$/.test(given) && given.slice(9) in exitCodes
              ? exitCodes[given.slice(9)]
              : 'computed'
      out.set(m[1], [...(out.get(m[1]) ?? []), value])
    }
  }
  return out
}

test("a table's exit code is the one its code's throws pass", () => {
  const problems: string[] = []
  const tables: Record<string, Record<string, SteadyErrorCodeInfo>> = errorTables
  for (const [code, values] of exitCodesAtThrows()) {
    const info = Object.values(tables).find((t) => Object.hasOwn(t, code))?.[code]
    if (!info) continue
    const declaredCode = info.exitCode ?? 2
    const fits = (v: number | 'computed') =>
      typeof declaredCode === 'number' ? v === declaredCode : v === 'computed' || declaredCode.includes(v)
    const off = values.filter((v) => !fits(v))
    if (off.length) problems.push(`${code}: the table says ${JSON.stringify(declaredCode)}, a throw passes ${off[0]}`)
  }
  assert.equal(problems, [])
  // The scan sees the throws: most codes are thrown with a literal code.
  assert.ok(exitCodesAtThrows().size > 100)
})

test.run()
