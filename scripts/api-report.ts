/**
 * API reports: for every entry a package declares in its `package.json`
 * `exports` (`.`, `./internal`, `./testing`), the names it exports, their
 * kinds and type signatures, read with the TypeScript compiler API from the
 * `steady-source` file of that entry. One Markdown file per entry,
 * `packages/<name>/api/<entry>.api.md`, is committed, so a change to what a
 * package offers shows up in review as a diff of that file.
 *
 *   npx tsx scripts/api-report.ts            list entries whose report is out of date (exit 1 if any)
 *   npx tsx scripts/api-report.ts --update   rewrite the reports
 *   npx tsx scripts/api-report.ts --counts   exported values and types per package entry
 *
 * test/api-report.test.ts runs the comparison in `npm test`.
 */
import ts from 'typescript'
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync, rmSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

export const root = resolve(import.meta.dirname, '..')
export const UPDATE_COMMAND = 'npx tsx scripts/api-report.ts --update'

export interface Entry {
  /** Package folder under packages/. */
  pkg: string
  /** The `exports` key: `.`, `./internal`, `./testing`. */
  entry: string
  /** Absolute path of the entry's source (its `steady-source` target). */
  source: string
  /** Where the committed report lives, relative to the repo root. */
  report: string
}

export interface ExportedName {
  name: string
  kind: 'function' | 'class' | 'const' | 'let' | 'interface' | 'type'
  /** True for a value (something that exists at run time), false for a type only. */
  value: boolean
  signature: string
}

/** `.` → `index`, `./internal` → `internal`. */
function reportName(entry: string): string {
  return entry === '.' ? 'index' : entry.replace(/^\.\//, '').replaceAll('/', '-')
}

/** Every entry of every package, from the package.json files on disk. */
function entries(): Entry[] {
  const out: Entry[] = []
  for (const pkg of readdirSync(join(root, 'packages')).sort()) {
    const manifestPath = join(root, 'packages', pkg, 'package.json')
    if (!existsSync(manifestPath)) continue
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
    for (const [entry, target] of Object.entries<Record<string, string>>(manifest.exports ?? {})) {
      const file = target['steady-source']
      if (!file) continue
      out.push({
        pkg,
        entry,
        source: join(root, 'packages', pkg, file),
        report: join('packages', pkg, 'api', `${reportName(entry)}.api.md`),
      })
    }
  }
  return out
}

function compilerOptions(): ts.CompilerOptions {
  const configPath = join(root, 'tsconfig.base.json')
  const { config } = ts.readConfigFile(configPath, ts.sys.readFile)
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, root)
  return { ...options, noEmit: true }
}

const typeFlags =
  ts.TypeFormatFlags.NoTruncation |
  ts.TypeFormatFlags.UseSingleQuotesForStringLiteralType |
  ts.TypeFormatFlags.WriteArrowStyleSignature |
  ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope

/**
 * Signatures must read the same on every machine and every run: no absolute
 * paths from `import("…")` types, and union members in a fixed order (the
 * checker orders them by when it first met each type, which changes when an
 * unrelated file changes).
 */
function portable(text: string): string {
  const paths = text.replace(/import\("([^"]+)"\)/g, (_, p: string) => {
    if (!p.startsWith('/')) return `import("${p}")`
    const rel = relative(root, p)
      .replace(/\/node_modules\//g, '/')
      .replace(/^node_modules\//, '')
    return `import("${rel}")`
  })
  return sortUnions(paths)
}

const printer = ts.createPrinter({ removeComments: true })

/** `'b' | 'a' | undefined` → `'a' | 'b' | undefined`, at every depth; null and undefined go last. */
export function sortUnions(typeText: string): string {
  if (!typeText.includes('|')) return typeText
  const sf = ts.createSourceFile('t.ts', `type T = ${typeText}`, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const alias = sf.statements[0]
  if (!alias || !ts.isTypeAliasDeclaration(alias)) return typeText
  const text = (n: ts.Node) => printer.printNode(ts.EmitHint.Unspecified, n, sf).replace(/\s*\n\s*/g, ' ')
  const last = (t: string) => (t === 'undefined' ? 2 : t === 'null' ? 1 : 0)
  const sort: ts.TransformerFactory<ts.Node> = (context) => {
    const visit = (node: ts.Node): ts.Node => {
      const inner = ts.visitEachChild(node, visit, context)
      if (!ts.isUnionTypeNode(inner)) return inner
      const members = [...inner.types].sort((a, b) => {
        const [x, y] = [text(a), text(b)]
        return last(x) - last(y) || (x < y ? -1 : x > y ? 1 : 0)
      })
      return context.factory.updateUnionTypeNode(inner, context.factory.createNodeArray(members))
    }
    return (node) => ts.visitNode(node, visit)!
  }
  const [sorted] = ts.transform(alias.type, [sort]).transformed
  return text(sorted!)
}

function describe(checker: ts.TypeChecker, exported: ts.Symbol, at: ts.SourceFile): ExportedName {
  const name = exported.getName()
  const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
  const str = (t: ts.Type) => portable(checker.typeToString(t, at, typeFlags))
  const flags = symbol.flags
  if (flags & ts.SymbolFlags.Class) {
    const type = checker.getTypeOfSymbol(symbol)
    const instance = checker.getDeclaredTypeOfSymbol(symbol)
    const lines: string[] = []
    for (const sig of type.getConstructSignatures()) lines.push(`  constructor(${params(checker, sig, at)})`)
    for (const prop of type.getProperties()) {
      if (prop.getName() === 'prototype' || isPrivate(prop)) continue
      lines.push(`  static ${member(checker, prop, at)}`)
    }
    for (const prop of instance.getProperties()) {
      if (isPrivate(prop)) continue
      lines.push(`  ${member(checker, prop, at)}`)
    }
    return { name, kind: 'class', value: true, signature: `class ${name} {\n${lines.join('\n')}\n}` }
  }
  if (flags & ts.SymbolFlags.Function) {
    const sigs = checker.getTypeOfSymbol(symbol).getCallSignatures()
    const text = sigs.map(
      (s) => `function ${name}${typeParams(checker, s, at)}(${params(checker, s, at)}): ${str(s.getReturnType())}`,
    )
    return { name, kind: 'function', value: true, signature: text.join('\n') }
  }
  if (flags & ts.SymbolFlags.Variable) {
    const decl = symbol.valueDeclaration
    const isConst = decl && ts.isVariableDeclaration(decl) && (ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const) !== 0
    const kind = isConst ? 'const' : 'let'
    const valueSig = `${kind} ${name}: ${str(checker.getTypeOfSymbol(symbol))}`
    // A const that is also a type (`export const X = …; export type X = …`) shows both.
    const typeSig =
      flags & ts.SymbolFlags.TypeAlias ? `\ntype ${name} = ${str(checker.getDeclaredTypeOfSymbol(symbol))}` : ''
    return { name, kind, value: true, signature: valueSig + typeSig }
  }
  if (flags & ts.SymbolFlags.Interface) {
    const type = checker.getDeclaredTypeOfSymbol(symbol)
    const lines = type
      .getProperties()
      .filter(declaredHere)
      .map((p) => `  ${member(checker, p, at)}`)
    for (const sig of type.getCallSignatures())
      lines.push(`  (${params(checker, sig, at)}): ${str(sig.getReturnType())}`)
    const index = checker.getIndexInfosOfType(type).map((i) => `  [key: ${str(i.keyType)}]: ${str(i.type)}`)
    return {
      name,
      kind: 'interface',
      value: false,
      signature: `interface ${name} {\n${[...lines, ...index].join('\n')}\n}`,
    }
  }
  if (flags & ts.SymbolFlags.TypeAlias) {
    const decl = symbol.declarations?.find(ts.isTypeAliasDeclaration)
    // The declared text, not the expanded type: `type A = B | C` stays readable.
    const text = decl ? decl.type.getText() : str(checker.getDeclaredTypeOfSymbol(symbol))
    const tps = decl?.typeParameters ? `<${decl.typeParameters.map((p) => p.getText()).join(', ')}>` : ''
    return { name, kind: 'type', value: false, signature: `type ${name}${tps} = ${text.replace(/\s+/g, ' ')}` }
  }
  return { name, kind: 'const', value: true, signature: `${name}: ${str(checker.getTypeOfSymbol(symbol))}` }
}

/** A member's name as written: `[kAuth]` for a symbol-keyed one, whose internal name carries a per-run id. */
function memberName(prop: ts.Symbol): string {
  const decl = prop.valueDeclaration ?? prop.declarations?.[0]
  const name = decl && ts.getNameOfDeclaration(decl)
  if (prop.getName().startsWith('__@') && name) return name.getText()
  return prop.getName()
}

/** Members declared only outside the repository (Error's, Object's) are not part of a steady surface. */
function declaredHere(prop: ts.Symbol): boolean {
  return (prop.declarations ?? []).some((d) => {
    const file = d.getSourceFile().fileName
    return file.startsWith(root) && !file.includes('/node_modules/')
  })
}

function isPrivate(prop: ts.Symbol): boolean {
  if (!declaredHere(prop)) return true
  const decl = prop.valueDeclaration ?? prop.declarations?.[0]
  if (!decl) return false
  if (decl.kind && ts.isPrivateIdentifier((decl as ts.NamedDeclaration).name ?? decl)) return true
  const mods = ts.getCombinedModifierFlags(decl as ts.Declaration)
  return (mods & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0
}

function member(checker: ts.TypeChecker, prop: ts.Symbol, at: ts.SourceFile): string {
  const type = checker.getTypeOfSymbol(prop)
  const optional = prop.flags & ts.SymbolFlags.Optional ? '?' : ''
  const decl = prop.valueDeclaration ?? prop.declarations?.[0]
  const readonly =
    decl && ts.getCombinedModifierFlags(decl as ts.Declaration) & ts.ModifierFlags.Readonly ? 'readonly ' : ''
  if (prop.flags & ts.SymbolFlags.Method) {
    return type
      .getCallSignatures()
      .map(
        (s) =>
          `${memberName(prop)}${optional}${typeParams(checker, s, at)}(${params(checker, s, at)}): ${portable(checker.typeToString(s.getReturnType(), at, typeFlags))}`,
      )
      .join('; ')
  }
  if (prop.flags & ts.SymbolFlags.GetAccessor && !(prop.flags & ts.SymbolFlags.SetAccessor)) {
    return `get ${memberName(prop)}(): ${portable(checker.typeToString(type, at, typeFlags))}`
  }
  return `${readonly}${memberName(prop)}${optional}: ${portable(checker.typeToString(type, at, typeFlags))}`
}

function typeParams(checker: ts.TypeChecker, sig: ts.Signature, at: ts.SourceFile): string {
  const tps = sig.getTypeParameters()
  if (!tps?.length) return ''
  return `<${tps.map((t) => portable(checker.typeToString(t, at, typeFlags))).join(', ')}>`
}

function params(checker: ts.TypeChecker, sig: ts.Signature, at: ts.SourceFile): string {
  return sig.parameters
    .map((p) => {
      const decl = p.valueDeclaration as ts.ParameterDeclaration | undefined
      const rest = decl?.dotDotDotToken ? '...' : ''
      const optional = decl && (decl.questionToken || decl.initializer) ? '?' : ''
      return `${rest}${p.getName()}${optional}: ${portable(checker.typeToString(checker.getTypeOfSymbol(p), at, typeFlags))}`
    })
    .join(', ')
}

/** Every entry's exported names, read from one program over all entries. */
export function readSurfaces(list: Entry[] = entries()): Map<Entry, ExportedName[]> {
  const program = ts.createProgram(
    list.map((e) => e.source),
    compilerOptions(),
  )
  const checker = program.getTypeChecker()
  const out = new Map<Entry, ExportedName[]>()
  for (const e of list) {
    const sf = program.getSourceFile(e.source)
    if (!sf) throw new Error(`${e.pkg}: ${e.source} (entry ${e.entry}) is not readable`)
    const moduleSymbol = checker.getSymbolAtLocation(sf)
    const names = moduleSymbol ? checker.getExportsOfModule(moduleSymbol).map((s) => describe(checker, s, sf)) : []
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    out.set(e, names)
  }
  return out
}

/** The Markdown of one entry's report. */
export function renderReport(e: Entry, names: ExportedName[]): string {
  const spec = e.entry === '.' ? `@steady/${e.pkg}` : `@steady/${e.pkg}/${e.entry.slice(2)}`
  const values = names.filter((n) => n.value).length
  const lines = [
    `# API report: \`${spec}\``,
    '',
    `Generated from \`${relative(root, e.source)}\` by \`${UPDATE_COMMAND}\`; do not edit by hand.`,
    `${values} values, ${names.length - values} types.`,
    '',
    '| name | kind |',
    '|---|---|',
    ...names.map((n) => `| \`${n.name}\` | ${n.kind} |`),
    '',
    '```ts',
    names.map((n) => n.signature).join('\n\n'),
    '```',
    '',
  ]
  return lines.join('\n')
}

export interface Staleness {
  entry: Entry
  problem: 'missing' | 'changed' | 'orphaned'
}

/** Entries whose committed report differs from their surface, and reports whose entry is gone. */
export function staleReports(surfaces = readSurfaces()): Staleness[] {
  const stale: Staleness[] = []
  const expected = new Set<string>()
  for (const [e, names] of surfaces) {
    expected.add(e.report)
    const path = join(root, e.report)
    if (!existsSync(path)) stale.push({ entry: e, problem: 'missing' })
    else if (readFileSync(path, 'utf8') !== renderReport(e, names)) stale.push({ entry: e, problem: 'changed' })
  }
  for (const pkg of readdirSync(join(root, 'packages')).sort()) {
    const dir = join(root, 'packages', pkg, 'api')
    if (!existsSync(dir)) continue
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.api.md'))) {
      const report = join('packages', pkg, 'api', f)
      if (!expected.has(report)) stale.push({ entry: { pkg, entry: f, source: '', report }, problem: 'orphaned' })
    }
  }
  return stale
}

function update(surfaces: Map<Entry, ExportedName[]>): string[] {
  const written: string[] = []
  for (const s of staleReports(surfaces)) {
    const path = join(root, s.entry.report)
    if (s.problem === 'orphaned') rmSync(path)
    else {
      mkdirSync(dirname(path), { recursive: true })
      writeFileSync(path, renderReport(s.entry, surfaces.get(s.entry)!))
    }
    written.push(`${s.problem === 'orphaned' ? 'removed' : 'wrote'} ${s.entry.report}`)
  }
  return written
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('api-report.ts')) {
  const args = process.argv.slice(2)
  const surfaces = readSurfaces()
  if (args.includes('--counts')) {
    for (const [e, names] of surfaces) {
      const values = names.filter((n) => n.value).length
      console.log(
        `${e.pkg.padEnd(15)} ${e.entry.padEnd(11)} ${String(values).padStart(4)} values ${String(names.length - values).padStart(4)} types`,
      )
    }
  } else if (args.includes('--update')) {
    const written = update(surfaces)
    console.log(written.length ? written.join('\n') : 'every API report is up to date')
  } else {
    const stale = staleReports(surfaces)
    for (const s of stale) console.log(`${s.entry.report}: ${s.problem} (@steady/${s.entry.pkg} ${s.entry.entry})`)
    if (stale.length) {
      console.log(`run \`${UPDATE_COMMAND}\` and commit the reports`)
      process.exitCode = 1
    } else console.log('every API report is up to date')
  }
}
