/**
 * `expect(value)`: assertions with readable failures. On a response from
 * `http`, it also checks status, headers, JSON (partial match, JSON path,
 * schema) and duration; asserting a status marks the response as expected in
 * metrics (a 401 the flow wants is not an error).
 */
import { parseDuration, type Duration } from '@steady/record/internal'
import { kCheckSink, kExchange, kMarkExpected, type CheckSink } from '../symbols.ts'
import { brief, diffValues, show } from './diff.ts'
import { ExpectationError } from './error.ts'
import { queryPath } from './jsonpath.ts'
import { validateSchema, type JsonSchema, type SafeParseSchema } from './schema.ts'

/** A value that matches by its own rule inside `toEqual`/`toMatchObject` (`expect.any(Number)`). */
export interface AsymmetricMatcher {
  asymmetricMatch(actual: unknown): boolean
  toString(): string
}

/** A status as `toHaveStatus` takes it: `200`, `[200, 201]`, or a class like `'2xx'`. */
export type StatusPattern = number | `${1 | 2 | 3 | 4 | 5}xx` | readonly (number | `${1 | 2 | 3 | 4 | 5}xx`)[]

/** Something with a response's shape (what `http` returns). */
interface ResponseLike {
  status: number
  headers: Readonly<Record<string, string>>
  timings: { total: number }
  text(): string
  json<T = unknown>(): T
  request: { method: string; url: string }
}

/** The matchers `expect(value)` offers. Negate any with `.not`. */
export interface Matchers {
  /** The negated matchers. */
  readonly not: Matchers
  /** `Object.is` equality. */
  toBe(expected: unknown): void
  /** Deep equality (asymmetric matchers and RegExps for strings allowed). */
  toEqual(expected: unknown): void
  /** Every key of `expected` is present with a matching value (deep, partial); arrays match element by element. */
  toMatchObject(expected: object): void
  /** A string matches a RegExp or contains a substring. */
  toMatch(expected: RegExp | string): void
  /** An array contains an item (deep equality) or a string contains a substring. */
  toContain(expected: unknown): void
  /** `length` equals `n`. */
  toHaveLength(n: number): void
  /** The object has a property at a dot/JSON path, optionally with a value. */
  toHaveProperty(path: string, value?: unknown): void
  toBeDefined(): void
  toBeUndefined(): void
  toBeNull(): void
  toBeTruthy(): void
  toBeFalsy(): void
  toBeGreaterThan(n: number): void
  toBeGreaterThanOrEqual(n: number): void
  toBeLessThan(n: number): void
  toBeLessThanOrEqual(n: number): void
  /** Matches a JSON Schema (ajv) or a zod-like schema (anything with `safeParse`); on a response, its JSON body. */
  toMatchSchema(schema: JsonSchema | SafeParseSchema): void
  /** Response: the status is this code, one of these, or in a class (`'2xx'`). Marks the response as expected. */
  toHaveStatus(status: StatusPattern): void
  /** Response: a header is present, optionally with a value (string: exact, RegExp: match). */
  toHaveHeader(name: string, value?: string | RegExp): void
  /** Response: the JSON body matches `expected` partially (as `toMatchObject`). */
  toHaveJson(expected: object): void
  /** Response (or any value): the JSON path exists, optionally with a value (deep equality; RegExp for strings). */
  toHaveJsonPath(path: string, value?: unknown): void
  /** Response: the whole request took at most `limit` (`'500ms'`). */
  toRespondWithin(limit: Duration): void
}

type Shape = ResponseLike

function isResponse(v: unknown): v is Shape {
  return typeof v === 'object' && v !== null && kExchange in v && typeof (v as unknown as Shape).status === 'number'
}

function isAsymmetric(v: unknown): v is AsymmetricMatcher {
  return typeof v === 'object' && v !== null && typeof (v as AsymmetricMatcher).asymmetricMatch === 'function'
}

function equals(a: unknown, e: unknown, partial: boolean): boolean {
  if (isAsymmetric(e)) return e.asymmetricMatch(a)
  if (e instanceof RegExp) return typeof a === 'string' ? e.test(a) : a instanceof RegExp && String(a) === String(e)
  if (Object.is(a, e)) return true
  if (typeof a !== 'object' || typeof e !== 'object' || a === null || e === null) return false
  if (Array.isArray(e)) {
    if (!Array.isArray(a) || a.length !== e.length) return false
    return e.every((x, i) => equals(a[i], x, partial))
  }
  if (Array.isArray(a)) return false
  if (e instanceof Date || a instanceof Date)
    return a instanceof Date && e instanceof Date && a.getTime() === e.getTime()
  const ek = Object.keys(e).filter((k) => (e as Record<string, unknown>)[k] !== undefined || !partial)
  if (!partial) {
    const ak = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined)
    const ekDefined = ek.filter((k) => (e as Record<string, unknown>)[k] !== undefined)
    if (ak.length !== ekDefined.length) return false
  }
  return ek.every((k) => {
    const ev = (e as Record<string, unknown>)[k]
    const av = (a as Record<string, unknown>)[k]
    if (ev === undefined) return av === undefined
    return Object.prototype.hasOwnProperty.call(a, k) && equals(av, ev, partial)
  })
}

/**
 * The received value cut to the shape of `expected`, so a partial-match diff
 * shows only the fields the scenario cares about.
 */
function project(actual: unknown, expected: unknown): unknown {
  if (isAsymmetric(expected) || expected instanceof RegExp) return equals(actual, expected, true) ? expected : actual
  if (Array.isArray(expected) && Array.isArray(actual))
    return actual.map((a, i) => (i < expected.length ? project(a, expected[i]) : a))
  if (expected && typeof expected === 'object' && actual && typeof actual === 'object' && !Array.isArray(actual)) {
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(expected)) {
      if (Object.prototype.hasOwnProperty.call(actual, k))
        out[k] = project((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k])
    }
    return out
  }
  return actual
}

function statusMatches(status: number, pattern: StatusPattern): boolean {
  const list = (Array.isArray(pattern) ? pattern : [pattern]) as (number | string)[]
  return list.some((p) => (typeof p === 'number' ? status === p : Math.floor(status / 100) === Number(String(p)[0])))
}

function describeResponse(r: Shape): string {
  const url = new URL(r.request.url)
  return `${r.request.method} ${url.pathname}${url.search}`
}

function bodyExcerpt(r: Shape): string {
  const t = r.text()
  return t.length > 300 ? t.slice(0, 300) + '…' : t
}

/** Builds an `expect` whose checks are counted by `sink` (or by the subject's own iteration). */
export function createExpect(sink?: CheckSink): ExpectFunction {
  const fn = ((actual: unknown, label?: string): Matchers =>
    new Expectation(actual, label, false, sink)) as ExpectFunction
  Object.assign(fn, asymmetric)
  return fn
}

const jsonOf = (v: unknown): unknown => (isResponse(v) ? v.json() : v)

/**
 * One `expect(value)`: a class, not an object of closures, because scenarios
 * call it on every response and load runs call it millions of times.
 */
class Expectation implements Matchers {
  readonly #actual: unknown
  readonly #label: string | undefined
  readonly #negated: boolean
  readonly #sink: CheckSink | undefined

  constructor(actual: unknown, label: string | undefined, negated: boolean, sink: CheckSink | undefined) {
    this.#actual = actual
    this.#label = label
    this.#negated = negated
    this.#sink = sink
  }

  get #subject(): Shape | undefined {
    return isResponse(this.#actual) ? this.#actual : undefined
  }

  /** Runs one check; `pass` is the un-negated outcome. */
  #check(matcher: string, pass: boolean, message: () => string, diff?: () => string | undefined): void {
    const ok = this.#negated ? !pass : pass
    const a = this.#actual
    const sink =
      this.#sink ??
      (a !== null && typeof a === 'object' ? (a as Record<symbol, CheckSink | undefined>)[kCheckSink] : undefined)
    sink?.(ok)
    if (ok) return
    const prefix = this.#label ? `${this.#label}: ` : ''
    throw new ExpectationError(prefix + (this.#negated ? `not ${message()}` : message()), {
      matcher: this.#negated ? `not.${matcher}` : matcher,
      diff: this.#negated ? undefined : diff?.(),
      subject: this.#subject,
    })
  }

  #needResponse(matcher: string): Shape {
    const subject = this.#subject
    if (!subject)
      throw new ExpectationError(
        `${this.#label ? `${this.#label}: ` : ''}${matcher} needs a response from http (got ${brief(this.#actual)})`,
        { matcher },
      )
    return subject
  }

  get not(): Matchers {
    return new Expectation(this.#actual, this.#label, !this.#negated, this.#sink)
  }

  toBe(e: unknown): void {
    const a = this.#actual
    this.#check(
      'toBe',
      Object.is(a, e),
      () => `expected ${brief(a)} to be ${brief(e)}`,
      () => diffValues(e, a),
    )
  }

  toEqual(e: unknown): void {
    const a = this.#actual
    this.#check(
      'toEqual',
      equals(a, e, false),
      () => `expected ${brief(a)} to equal ${brief(e)}`,
      () => diffValues(e, a),
    )
  }

  toMatchObject(e: object): void {
    const v = jsonOf(this.#actual)
    this.#check(
      'toMatchObject',
      equals(v, e, true),
      () => `expected ${brief(v)} to match ${brief(e)}`,
      () => diffValues(e, project(v, e)),
    )
  }

  toMatch(e: RegExp | string): void {
    const a = this.#actual
    const ok = typeof a === 'string' && (typeof e === 'string' ? a.includes(e) : e.test(a))
    this.#check('toMatch', ok, () => `expected ${brief(a)} to match ${String(e)}`)
  }

  toContain(e: unknown): void {
    const a = this.#actual
    const ok =
      typeof a === 'string'
        ? typeof e === 'string' && a.includes(e)
        : Array.isArray(a) && a.some((x) => equals(x, e, false))
    this.#check('toContain', ok, () => `expected ${brief(a, 200)} to contain ${brief(e)}`)
  }

  toHaveLength(n: number): void {
    const a = this.#actual
    const len = (a as { length?: unknown } | null)?.length
    this.#check('toHaveLength', len === n, () => `expected length ${n}, got ${String(len)} (${brief(a)})`)
  }

  toHaveProperty(path: string, ...rest: unknown[]): void {
    const v = jsonOf(this.#actual)
    const r = queryPath(v, path)
    const ok = r.found && (rest.length === 0 || equals(r.value, rest[0], false))
    this.#check(
      'toHaveProperty',
      ok,
      () =>
        r.found
          ? `expected ${path} to be ${brief(rest[0])}, got ${brief(r.value)}`
          : `expected a property at ${path} in ${brief(v)}`,
      () => (r.found && rest.length ? diffValues(rest[0], r.value) : undefined),
    )
  }

  toBeDefined(): void {
    this.#check('toBeDefined', this.#actual !== undefined, () => 'expected a defined value, got undefined')
  }
  toBeUndefined(): void {
    const a = this.#actual
    this.#check('toBeUndefined', a === undefined, () => `expected undefined, got ${brief(a)}`)
  }
  toBeNull(): void {
    const a = this.#actual
    this.#check('toBeNull', a === null, () => `expected null, got ${brief(a)}`)
  }
  toBeTruthy(): void {
    const a = this.#actual
    this.#check('toBeTruthy', Boolean(a), () => `expected a truthy value, got ${brief(a)}`)
  }
  toBeFalsy(): void {
    const a = this.#actual
    this.#check('toBeFalsy', !a, () => `expected a falsy value, got ${brief(a)}`)
  }
  toBeGreaterThan(n: number): void {
    const a = this.#actual
    this.#check('toBeGreaterThan', (a as number) > n, () => `expected ${brief(a)} to be > ${n}`)
  }
  toBeGreaterThanOrEqual(n: number): void {
    const a = this.#actual
    this.#check('toBeGreaterThanOrEqual', (a as number) >= n, () => `expected ${brief(a)} to be >= ${n}`)
  }
  toBeLessThan(n: number): void {
    const a = this.#actual
    this.#check('toBeLessThan', (a as number) < n, () => `expected ${brief(a)} to be < ${n}`)
  }
  toBeLessThanOrEqual(n: number): void {
    const a = this.#actual
    this.#check('toBeLessThanOrEqual', (a as number) <= n, () => `expected ${brief(a)} to be <= ${n}`)
  }

  toMatchSchema(schema: JsonSchema | SafeParseSchema): void {
    const v = jsonOf(this.#actual)
    const problems = validateSchema(schema, v)
    const subject = this.#subject
    const where = subject ? `${describeResponse(subject)} body` : brief(v)
    this.#check(
      'toMatchSchema',
      problems.length === 0,
      () =>
        `expected ${where} to match the schema${problems.length ? ':\n  ' + problems.slice(0, 10).join('\n  ') : ''}`,
    )
  }

  toHaveStatus(status: StatusPattern): void {
    const r = this.#needResponse('toHaveStatus')
    const pass = statusMatches(r.status, status)
    if (pass && !this.#negated) (r as unknown as { [kMarkExpected](): void })[kMarkExpected]()
    this.#check(
      'toHaveStatus',
      pass,
      () =>
        `expected ${describeResponse(r)} to answer ${Array.isArray(status) ? status.join(' or ') : String(status)}, ` +
        `got ${r.status}; body: ${bodyExcerpt(r) || '(empty)'}`,
      () => diffValues(status, r.status),
    )
  }

  toHaveHeader(name: string, value?: string | RegExp): void {
    const r = this.#needResponse('toHaveHeader')
    const got = r.headers[name.toLowerCase()]
    const pass =
      got !== undefined && (value === undefined || (typeof value === 'string' ? got === value : value.test(got)))
    this.#check('toHaveHeader', pass, () =>
      got === undefined
        ? `expected header ${name} on ${describeResponse(r)}; it is missing`
        : `expected header ${name} to be ${String(value)}, got ${JSON.stringify(got)}`,
    )
  }

  toHaveJson(e: object): void {
    const r = this.#needResponse('toHaveJson')
    const v = r.json()
    this.#check(
      'toHaveJson',
      equals(v, e, true),
      () => `expected ${describeResponse(r)} body to match ${brief(e)}`,
      () => diffValues(e, project(v, e)),
    )
  }

  toHaveJsonPath(path: string, ...rest: unknown[]): void {
    const v = jsonOf(this.#actual)
    const r = queryPath(v, path)
    const pass = r.found && (rest.length === 0 || equals(r.value, rest[0], false))
    this.#check(
      'toHaveJsonPath',
      pass,
      () =>
        r.found
          ? `expected ${path} to be ${brief(rest[0])}, got ${brief(r.value)}`
          : `expected ${path} to exist in ${brief(v, 200)}`,
      () => (r.found && rest.length ? diffValues(rest[0], r.value) : undefined),
    )
  }

  toRespondWithin(limit: Duration): void {
    const r = this.#needResponse('toRespondWithin')
    const ms = parseDuration(limit, 'toRespondWithin')
    this.#check(
      'toRespondWithin',
      r.timings.total <= ms,
      () => `expected ${describeResponse(r)} within ${ms}ms, it took ${Math.round(r.timings.total)}ms`,
    )
  }
}

const asymmetric = {
  /** Matches any value of this constructor (`expect.any(String)`). */
  any(ctor: Function): AsymmetricMatcher {
    return {
      asymmetricMatch: (a) =>
        ctor === String
          ? typeof a === 'string' || a instanceof String
          : ctor === Number
            ? typeof a === 'number' || a instanceof Number
            : ctor === Boolean
              ? typeof a === 'boolean'
              : ctor === Object
                ? typeof a === 'object' && a !== null
                : a instanceof ctor,
      toString: () => `any(${ctor.name})`,
    }
  },
  /** Matches anything but null and undefined. */
  anything(): AsymmetricMatcher {
    return { asymmetricMatch: (a) => a !== null && a !== undefined, toString: () => 'anything' }
  },
  /** Matches a string matching a RegExp or containing a substring. */
  stringMatching(p: RegExp | string): AsymmetricMatcher {
    return {
      asymmetricMatch: (a) => typeof a === 'string' && (typeof p === 'string' ? a.includes(p) : p.test(a)),
      toString: () => `stringMatching(${String(p)})`,
    }
  },
  /** Matches an array containing every one of `items` (deep equality). */
  arrayContaining(items: unknown[]): AsymmetricMatcher {
    return {
      asymmetricMatch: (a) => Array.isArray(a) && items.every((i) => a.some((x) => equals(x, i, false))),
      toString: () => `arrayContaining(${show(items).replace(/\s+/g, ' ')})`,
    }
  },
  /** Matches a number within `precision` of `n`. */
  closeTo(n: number, precision = 0.01): AsymmetricMatcher {
    return {
      asymmetricMatch: (a) => typeof a === 'number' && Math.abs(a - n) <= precision,
      toString: () => `closeTo(${n} ± ${precision})`,
    }
  },
}

/** `expect(value, label?)` plus asymmetric matchers (`expect.any(Number)`). */
export type ExpectFunction = ((actual: unknown, label?: string) => Matchers) & typeof asymmetric

/**
 * Asserts on a value or a response. Checks on responses (and on their
 * `json()`) count towards the iteration's checks; `ctx.expect` counts every check.
 *
 * ```ts
 * expect(res).toHaveStatus(201)
 * expect(res).toHaveJsonPath('$.items[0].id', expect.any(String))
 * expect(res.json()).toMatchObject({ state: 'paid' })
 * ```
 */
export const expect: ExpectFunction = createExpect()
