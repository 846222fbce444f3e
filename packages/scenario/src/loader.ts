/**
 * Finds and loads scenario files: paths, folders and globs; TypeScript
 * through tsx (users never compile); `--grep` on names and `@tags`. A file
 * that fails to load is reported with file, line and message (exit 2).
 */
import { existsSync, readdirSync, statSync } from 'node:fs'
import { isAbsolute, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { SteadyError } from '@steady/record'
import { isScenario, type Scenario, type SetupFn, type TeardownFn } from './define.ts'

/** A loaded scenario file. */
export interface ScenarioFile {
  /** Absolute path. */
  path: string
  /** Path relative to the working directory given to the loader (for output). */
  relativePath: string
  /** Its scenarios after `--grep`, in export order. */
  scenarios: Scenario[]
  /** All scenarios the file defines (before `--grep`). */
  total: number
  setup?: SetupFn
  teardown?: TeardownFn
}

/** Options of {@link loadScenarioFiles}. */
export interface LoadOptions {
  /** Files, folders or globs (`scenarios/**\/*.scenario.ts`), relative to `cwd`. */
  patterns: readonly string[]
  /** Folder patterns are relative to. Default: the working directory. */
  cwd?: string
  /** A case-insensitive RegExp tested against `"<name> @tag1 @tag2"`; `@smoke` selects a tag. */
  grep?: string
}

const ignoredDirs = new Set(['node_modules', '.git', 'dist', '.steady', 'reports'])

function globToRegExp(glob: string): RegExp {
  let re = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++
        if (glob[i + 1] === '/') {
          i++
          re += '(?:.*/)?'
        } else re += '.*'
      } else re += '[^/]*'
    } else if (c === '?') re += '[^/]'
    else if (c === '{') {
      const end = glob.indexOf('}', i)
      if (end < 0) re += '\\{'
      else {
        re +=
          '(?:' +
          glob
            .slice(i + 1, end)
            .split(',')
            .map((p) => p.replace(/[.+^$()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
            .join('|') +
          ')'
        i = end
      }
    } else re += /[.+^$()|[\]\\]/.test(c) ? '\\' + c : c
  }
  return new RegExp(`^${re}$`)
}

function walk(dir: string, out: string[]): void {
  let entries: string[]
  try {
    entries = readdirSync(dir)
  } catch {
    return
  }
  for (const e of entries) {
    if (ignoredDirs.has(e) || e.startsWith('.')) continue
    const p = join(dir, e)
    let st
    try {
      st = statSync(p)
    } catch {
      continue
    }
    if (st.isDirectory()) walk(p, out)
    else out.push(p)
  }
}

/** Expands files, folders (`dir` means `dir/**\/*.scenario.ts`) and globs to absolute file paths, sorted, unique. */
export function findScenarioFiles(patterns: readonly string[], cwd = process.cwd()): string[] {
  const found = new Set<string>()
  for (const raw of patterns) {
    const pattern = raw.split(sep).join('/')
    const abs = isAbsolute(pattern) ? pattern : resolve(cwd, pattern)
    if (!/[*?{]/.test(pattern)) {
      if (existsSync(abs) && statSync(abs).isDirectory()) {
        const files: string[] = []
        walk(abs, files)
        for (const f of files) if (/\.scenario\.[cm]?[jt]s$/.test(f)) found.add(f)
      } else if (existsSync(abs)) found.add(abs)
      continue
    }
    // Walk from the static prefix of the glob.
    const segments = abs.split('/')
    const firstGlob = segments.findIndex((s) => /[*?{]/.test(s))
    const base = segments.slice(0, firstGlob).join('/') || '/'
    const re = globToRegExp(segments.slice(firstGlob).join('/'))
    const files: string[] = []
    walk(base, files)
    for (const f of files) if (re.test(relative(base, f).split(sep).join('/'))) found.add(f)
  }
  return [...found].sort()
}

/** True when a scenario is selected by a `--grep` pattern. */
export function matchesGrep(scenario: Pick<Scenario, 'name' | 'tags'>, grep: string | undefined): boolean {
  if (!grep) return true
  const subject = `${scenario.name} ${scenario.tags.map((t) => '@' + t).join(' ')}`
  let re: RegExp
  try {
    re = new RegExp(grep, 'i')
  } catch {
    return subject.toLowerCase().includes(grep.toLowerCase())
  }
  return re.test(subject)
}

/**
 * One line for an error thrown while importing a user's file: esbuild syntax
 * errors carry their location; runtime errors are located from the stack.
 */
export function describeLoadError(error: unknown, file: string): { line?: number; column?: number; message: string } {
  const e = error as {
    message?: string
    stack?: string
    errors?: { text: string; location?: { file: string; line: number; column: number } }[]
  }
  const first = e?.errors?.[0]
  if (first?.location) return { line: first.location.line, column: first.location.column + 1, message: first.text }
  const text = e?.message ?? String(error)
  // esbuild's message: "Transform failed with 1 error:\n/path/file.ts:3:10: ERROR: Expected ..."
  const m = text.match(/:(\d+):(\d+):\s*(?:ERROR:\s*)?(.+)/)
  if (m && /Transform failed|ERROR:/.test(text))
    return { line: Number(m[1]), column: Number(m[2]) + 1, message: m[3].trim() }
  const message = text.split('\n').find((l) => l.trim() !== '') ?? text
  const base = file.replace(/\.[cm]?[jt]s$/, '')
  for (const frame of (e?.stack ?? '').split('\n').slice(1)) {
    const f = frame.match(/\(?((?:file:\/\/)?\/[^():?]+)(?:\?[^:]*)?:(\d+):(\d+)\)?\s*$/)
    if (!f) continue
    const p = f[1].startsWith('file://') ? fileURLToPath(f[1]) : f[1]
    if (p === file || p.startsWith(base)) return { line: Number(f[2]), column: Number(f[3]), message }
  }
  return { message }
}

let registered: Promise<void> | undefined

/** True when the process already runs with tsx's loader (`--import tsx`, as in the monorepo). */
function tsxActive(): boolean {
  return [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some(
    (a) => /(^|[\s=/])tsx(\/|\s|$)/.test(a) || a === 'tsx',
  )
}

/**
 * Imports a TypeScript or JavaScript module. Under tsx (the monorepo) the
 * native import does it; otherwise tsx's loader is registered once for the
 * process before the first TypeScript file. Either way scenario files share
 * one module graph: `@steady/scenario` and the files' helpers load once, not
 * once per file as separate `tsImport` namespaces would (about 70 ms each).
 */
export async function importModule(path: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(path).href
  if (/\.[cm]?tsx?$/.test(path) && !tsxActive()) {
    registered ??= import('tsx/esm/api').then(({ register }) => void register())
    await registered
  }
  return (await import(url)) as Record<string, unknown>
}

function collect(value: unknown, into: Scenario[]): void {
  if (isScenario(value)) into.push(value)
  else if (Array.isArray(value)) for (const v of value) collect(v, into)
}

/**
 * Loads scenario files and selects scenarios with `grep`. Throws a
 * SteadyError (exit 2) when no file matches, a file fails to load or exports
 * no scenario, two scenarios share a name, or `grep` selects nothing.
 */
export async function loadScenarioFiles(options: LoadOptions): Promise<ScenarioFile[]> {
  const cwd = options.cwd ?? process.cwd()
  const paths = findScenarioFiles(options.patterns, cwd)
  if (paths.length === 0) {
    throw new SteadyError(
      'STEADY_SCENARIO_NOT_FOUND',
      `no scenario files match ${options.patterns.map((p) => JSON.stringify(p)).join(', ')} (in ${cwd})`,
      {
        hint: 'give a file, folder or glob (e.g. scenarios/**/*.scenario.ts), or set `scenarios` in steady.config.ts',
        details: { patterns: options.patterns },
      },
    )
  }
  const files: ScenarioFile[] = []
  const names = new Map<string, string>()
  for (const path of paths) {
    const rel = relative(cwd, path) || path
    let mod: Record<string, unknown>
    try {
      mod = await importModule(path)
    } catch (error) {
      const d = describeLoadError(error, path)
      // A .ts file in a package without "type": "module" is compiled as CommonJS, which cannot load ESM-only steady.
      const commonjs = /require\(\) ES Module|Cannot use import statement outside a module|ERR_REQUIRE_ESM/.test(
        d.message,
      )
      throw new SteadyError(
        'STEADY_SCENARIO_LOAD',
        `${rel}${d.line ? `:${d.line}${d.column ? `:${d.column}` : ''}` : ''}: ${d.message}`,
        {
          hint: commonjs
            ? 'scenario files are ES modules: add "type": "module" to your package.json, ' +
              'or name the file *.scenario.mts'
            : 'fix the error at that line; a scenario file exports scenario(...) values',
          cause: error,
          details: { file: path, line: d.line, column: d.column },
        },
      )
    }
    const all: Scenario[] = []
    for (const [key, value] of Object.entries(mod)) if (key !== 'setup' && key !== 'teardown') collect(value, all)
    if (all.length === 0) {
      throw new SteadyError('STEADY_SCENARIO_EMPTY', `${rel} exports no scenario`, {
        hint:
          "export one: `export default scenario('name', async ({ http }) => { ... })` " +
          '(arrays of scenarios are fine too)',
        details: { file: path },
      })
    }
    const unique = [...new Set(all)]
    for (const s of unique) {
      s.file = path
      const other = names.get(s.name)
      if (other) {
        throw new SteadyError(
          'STEADY_SCENARIO_DUPLICATE',
          `scenario "${s.name}" is defined twice (${relative(cwd, other) || other} and ${rel})`,
          {
            hint: 'give every scenario a unique name: replay and reports find scenarios by name',
            details: { file: path, scenario: s.name },
          },
        )
      }
      names.set(s.name, path)
    }
    for (const key of ['setup', 'teardown'] as const) {
      if (mod[key] !== undefined && typeof mod[key] !== 'function') {
        throw new SteadyError('STEADY_SCENARIO_INVALID', `${rel}: the \`${key}\` export must be a function`, {
          hint: `export const ${key} = define${key === 'setup' ? 'Setup' : 'Teardown'}(async (ctx) => { ... })`,
          details: { file: path },
        })
      }
    }
    files.push({
      path,
      relativePath: rel,
      scenarios: unique.filter((s) => matchesGrep(s, options.grep)),
      total: unique.length,
      setup: mod.setup as SetupFn | undefined,
      teardown: mod.teardown as TeardownFn | undefined,
    })
  }
  if (options.grep && files.every((f) => f.scenarios.length === 0)) {
    throw new SteadyError(
      'STEADY_SCENARIO_NONE_SELECTED',
      `--grep ${JSON.stringify(options.grep)} selects none of the ${names.size} scenarios`,
      {
        hint: 'the pattern is a case-insensitive RegExp over "name @tag1 @tag2"; try `--grep @smoke` or part of a name',
        details: { grep: options.grep },
      },
    )
  }
  return files.filter((f) => f.scenarios.length > 0)
}
