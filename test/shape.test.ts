/**
 * The shape of the packages' source: no function longer than 120 lines and
 * no line longer than 120 characters in `packages/<name>/src`. Fixtures are
 * left out: `src/testing.ts` and `src/testing/`, what a package's `./testing`
 * entry offers tests and benchmarks. Prettier wraps code at 120 columns but not strings,
 * comments or templates, and says nothing about a function that grew to do
 * everything; a long one is split into pieces of one purpose each
 * (docs/contributing.md, "Code").
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import ts from 'typescript'

const root = resolve(import.meta.dirname, '..')
const MAX_FUNCTION_LINES = 120
const MAX_LINE_CHARS = 120

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (name === 'testing' || name === 'testing.ts') continue
    if (statSync(path).isDirectory()) sources(path, out)
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path)
  }
  return out
}

const files = readdirSync(join(root, 'packages')).flatMap((pkg) => {
  const src = join(root, 'packages', pkg, 'src')
  return statSync(src, { throwIfNoEntry: false })?.isDirectory() ? sources(src) : []
})

/** Every function, arrow function, method and function expression of a file, with its length in lines. */
function functionLengths(path: string, text: string): { where: string; lines: number }[] {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true)
  const out: { where: string; lines: number }[] = []
  const visit = (node: ts.Node): void => {
    if (
      ts.isFunctionDeclaration(node) ||
      ts.isFunctionExpression(node) ||
      ts.isArrowFunction(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isConstructorDeclaration(node) ||
      ts.isGetAccessorDeclaration(node) ||
      ts.isSetAccessorDeclaration(node)
    ) {
      const first = file.getLineAndCharacterOfPosition(node.getStart(file)).line
      const last = file.getLineAndCharacterOfPosition(node.getEnd()).line
      const name =
        node.name?.getText(file) ??
        (ts.isVariableDeclaration(node.parent) ? node.parent.name.getText(file) : '(anonymous)')
      out.push({ where: `${relative(root, path)}:${first + 1} ${name}`, lines: last - first + 1 })
    }
    ts.forEachChild(node, visit)
  }
  visit(file)
  return out
}

test('the packages have source files to check', () => {
  assert.ok(files.length > 100, `found ${files.length} files under packages/*/src`)
})

test(`no function in packages/*/src is longer than ${MAX_FUNCTION_LINES} lines`, () => {
  const long = files
    .flatMap((path) => functionLengths(path, readFileSync(path, 'utf8')))
    .filter((f) => f.lines > MAX_FUNCTION_LINES)
    .map((f) => `${f.where}: ${f.lines} lines`)
  assert.equal(long, [], `split these into functions of one purpose each:\n${long.join('\n')}`)
})

test(`no line in packages/*/src is longer than ${MAX_LINE_CHARS} characters`, () => {
  const long: string[] = []
  for (const path of files) {
    readFileSync(path, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (line.length > MAX_LINE_CHARS) long.push(`${relative(root, path)}:${i + 1} (${line.length})`)
      })
  }
  assert.equal(long, [], `wrap these lines (strings by concatenation, prose comments):\n${long.join('\n')}`)
})

test('the function measure counts what it should', () => {
  const text = [
    'function a() {',
    '  const b = () => {',
    '    return 1',
    '  }',
    '  return b',
    '}',
    'class C {',
    '  m() {}',
    '}',
  ].join('\n')
  assert.equal(functionLengths(join(root, 'x.ts'), text), [
    { where: 'x.ts:1 a', lines: 6 },
    { where: 'x.ts:2 b', lines: 3 },
    { where: 'x.ts:8 m', lines: 1 },
  ])
})

test.run()
