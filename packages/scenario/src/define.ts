/**
 * Defining scenarios: `scenario(name, options?, fn)`, a table of cases with
 * `scenario.each(rows)(name, options?, fn)`, and per-file `setup`/`teardown`.
 * Scenario files export them (default or named exports, arrays allowed); the
 * loader collects every exported scenario.
 */
import { SteadyError } from '@steady/record'
import type { Duration } from '@steady/record/internal'
import type { ScenarioContext } from './context.ts'
import { kScenario } from './symbols.ts'

/** Options of a scenario. */
export interface ScenarioOptions {
  /** Tags for `--grep @tag`. */
  tags?: readonly string[]
  /** Iteration timeout for this scenario (overrides the run's `--timeout`). */
  timeout?: Duration
  /** Skip this scenario (a string says why); it is reported as skipped. */
  skip?: boolean | string
}

/** The body of a scenario: one iteration of a user flow. */
export type ScenarioFn<S = unknown> = (ctx: ScenarioContext<S>) => void | Promise<void>

/** A scenario as the runner sees it. */
export interface Scenario<S = unknown> {
  readonly [kScenario]: true
  /** Unique within a run; used by `--grep`, `--replay --scenario`, and as the metric prefix. */
  readonly name: string
  readonly tags: readonly string[]
  readonly options: ScenarioOptions
  readonly fn: ScenarioFn<S>
  /** The file that defined it (set by the loader). */
  file?: string
  /** The line of the `scenario(...)` call, when known. */
  line?: number
  /** For data-driven scenarios: the case this one runs. */
  readonly row?: unknown
}

/** True for a scenario made by any copy of this package. */
export function isScenario(value: unknown): value is Scenario {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kScenario] === true
}

function callerLine(): { file?: string; line?: number } {
  const stack = new Error().stack?.split('\n') ?? []
  for (const frame of stack.slice(1)) {
    if (/[/\\]scenario[/\\](src|dist)[/\\]define\.[tj]s/.test(frame) || /[/\\]@steady[/\\]scenario[/\\]/.test(frame))
      continue
    const m = frame.match(/\(?((?:file:\/\/)?[^()\s]+?):(\d+):(\d+)\)?$/)
    if (m && !m[1].startsWith('node:'))
      return { file: m[1].replace(/^file:\/\//, '').replace(/\?.*$/, ''), line: Number(m[2]) }
  }
  return {}
}

function make<S>(name: string, options: ScenarioOptions, fn: ScenarioFn<S>, row?: unknown): Scenario<S> {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new SteadyError('STEADY_SCENARIO_INVALID', 'scenario(): the name must be a non-empty string', {
      hint: "write scenario('what the flow does', async (ctx) => { ... })",
    })
  }
  if (typeof fn !== 'function') {
    throw new SteadyError(
      'STEADY_SCENARIO_INVALID',
      `scenario "${name}": the last argument must be the scenario function`,
      { hint: `write scenario('${name}', async ({ http }) => { ... })` },
    )
  }
  const where = callerLine()
  return {
    [kScenario]: true,
    name: name.trim(),
    tags: [...(options.tags ?? [])],
    options,
    fn,
    file: where.file,
    line: where.line,
    row,
  }
}

/**
 * Defines a scenario: a named user flow, run once per iteration with a fresh
 * context (cookie jar, seeded data) against the target.
 *
 * ```ts
 * export default scenario('login and browse', { tags: ['smoke'] }, async ({ http, step }) => {
 *   const res = await step('list products', () => http.get('/api/products'))
 *   expect(res).toHaveStatus(200)
 * })
 * ```
 */
export function scenario<S = unknown>(name: string, fn: ScenarioFn<S>): Scenario<S>
export function scenario<S = unknown>(name: string, options: ScenarioOptions, fn: ScenarioFn<S>): Scenario<S>
export function scenario<S = unknown>(
  name: string,
  a: ScenarioOptions | ScenarioFn<S>,
  b?: ScenarioFn<S>,
): Scenario<S> {
  return typeof a === 'function' ? make(name, {}, a) : make(name, a ?? {}, b as ScenarioFn<S>)
}

/** A scenario body for one row of a data-driven table. */
export type RowFn<R, S = unknown> = (ctx: ScenarioContext<S>, row: R) => void | Promise<void>

/** Names a row's scenario: a template with `{field}` and `{#}` (the row index), or a function. */
export type RowName<R> = string | ((row: R, index: number) => string)

function rowName<R>(name: RowName<R>, row: R, index: number): string {
  if (typeof name === 'function') return name(row, index)
  const filled = name.replace(/\{([^{}]+)\}/g, (m, key: string) => {
    if (key === '#') return String(index)
    const v = row !== null && typeof row === 'object' ? (row as Record<string, unknown>)[key] : undefined
    return v === undefined ? m : typeof v === 'string' ? v : JSON.stringify(v)
  })
  return filled === name ? `${name} [${index}]` : filled
}

/**
 * Data-driven scenarios: one scenario per row of `rows`, each named from the
 * template, each run (and reported, and replayed) on its own.
 *
 * ```ts
 * export default scenario.each([
 *   { field: 'quantity', value: 0 },
 *   { field: 'sku', value: '' },
 * ])('cart rejects a bad {field}', async ({ http }, row) => { ... })
 * ```
 */
function each<R>(rows: readonly R[]) {
  if (!Array.isArray(rows) || rows.length === 0) {
    throw new SteadyError('STEADY_SCENARIO_INVALID', 'scenario.each(rows): rows must be a non-empty array', {
      hint: 'pass the table of cases: scenario.each([{ ... }, { ... }])(name, fn)',
    })
  }
  function define<S = unknown>(name: RowName<R>, fn: RowFn<R, S>): Scenario<S>[]
  function define<S = unknown>(name: RowName<R>, options: ScenarioOptions, fn: RowFn<R, S>): Scenario<S>[]
  function define<S = unknown>(name: RowName<R>, a: ScenarioOptions | RowFn<R, S>, b?: RowFn<R, S>): Scenario<S>[] {
    const options = typeof a === 'function' ? {} : a
    const fn = (typeof a === 'function' ? a : b) as RowFn<R, S>
    const seen = new Set<string>()
    return rows.map((row, i) => {
      let n = rowName(name, row, i)
      if (seen.has(n)) n = `${n} [${i}]`
      seen.add(n)
      return make<S>(n, options, (ctx) => fn(ctx, row), row)
    })
  }
  return define
}
scenario.each = each

/** Per-file setup: runs once before the file's scenarios; its result is `ctx.setupData` in every iteration. */
export type SetupFn<T = unknown> = (ctx: ScenarioContext<undefined>) => T | Promise<T>
/** Per-file teardown: runs once after the file's scenarios, with the setup result. */
export type TeardownFn<T = unknown> = (ctx: ScenarioContext<T>, setupData: T) => void | Promise<void>

/** Typed identity for `export const setup = defineSetup(async ({ http }) => ({ token }))`. */
export function defineSetup<T>(fn: SetupFn<T>): SetupFn<T> {
  return fn
}

/** Typed identity for `export const teardown = defineTeardown(async (ctx, data) => { ... })`. */
export function defineTeardown<T>(fn: TeardownFn<T>): TeardownFn<T> {
  return fn
}
