/**
 * Is a steady scenario a plain request sequence, and which one? A scenario is
 * code, so steady runs it (twice, against the target) and watches its
 * requests. It is plain when both runs pass, make the same requests in the
 * same steps, and no request carries a value that came from an earlier
 * response (an id, a token): then a k6 script can replay the sequence.
 */
import { createDispatcher, runIteration, type Scenario } from '@steady/scenario'
import type { Exchange } from '@steady/scenario/internal'
import { SteadyError } from '@steady/record'

/** One request of a plain sequence, as k6 will send it. */
export interface TracedRequest {
  /** k6's `name` tag and group: the steady step path (the scenario name outside steps). */
  step: string
  method: string
  /** Path and query, relative to the base URL. */
  path: string
  headers: Record<string, string>
  /** Text body, if any. */
  body?: string
  /** The status the traced run got (and the scenario accepted). */
  status: number
  /** The scenario asserted that status (k6: add it to the expected statuses). */
  asserted: boolean
}

/** Headers k6 sets itself or that only make sense for one connection. */
const skippedHeaders = new Set([
  'host',
  'content-length',
  'connection',
  'cookie',
  'user-agent',
  'accept-encoding',
  'keep-alive',
  'transfer-encoding',
  'traceparent',
])

async function traceOnce(scenario: Scenario, target: string, seed: string, iteration: number): Promise<Exchange[]> {
  const exchanges: Exchange[] = []
  const dispatcher = createDispatcher({})
  try {
    const r = await runIteration(scenario, {
      baseUrl: target,
      seed,
      iteration,
      dispatcher,
      onExchange: (e) => exchanges.push(e),
    })
    if (!r.passed) {
      throw new SteadyError(
        'STEADY_EXPORT_TRACE_FAILED',
        `scenario "${scenario.name}" failed while steady traced it against ${target}: ` +
          (r.failure?.message ?? 'unknown error'),
        {
          hint: 'the export replays what a passing run sends: fix the scenario or the target, then export again',
          exitCode: 1,
        },
      )
    }
  } finally {
    await dispatcher.destroy().catch(() => undefined)
  }
  return exchanges
}

/** JSON field names that hand out a value a later request may carry back, whatever it looks like. */
const credentialKey = /token|secret|session|key$|id$|code$|ref$|nonce|cursor/i

/** Strings and numbers in a JSON response body worth looking for in later requests (ids, tokens). */
function responseValues(e: Exchange): string[] {
  const out: string[] = []
  const body = e.responseBody?.toString('utf8') ?? ''
  const visit = (v: unknown, key: string) => {
    // Ids and tokens: long enough, and named like one, or with a digit, or long
    // (a word like "available" is no evidence).
    if (typeof v === 'string' && v.length >= 6 && (credentialKey.test(key) || /\d/.test(v) || v.length >= 16))
      out.push(v)
    else if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) >= 1000) out.push(String(v))
    else if (Array.isArray(v)) v.forEach((x) => visit(x, key))
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) visit(x, k)
  }
  try {
    visit(JSON.parse(body), '')
  } catch {
    // Not JSON: only header values below.
  }
  for (const [k, v] of Object.entries(e.responseHeaders)) {
    const name = k.toLowerCase()
    // Headers that hand out ids or credentials; cookies go back through k6's per-VU jar, as through steady's.
    if (name !== 'location' && !/token|auth|session|id$/.test(name)) continue
    for (const x of Array.isArray(v) ? v : [v])
      if (x.length >= 6) out.push(name === 'location' ? x.replace(/^https?:\/\/[^/]+/, '') : x)
  }
  return out
}

function bodyText(e: Exchange): string | undefined {
  if (e.requestBody === undefined) return undefined
  if (typeof e.requestBody === 'string') return e.requestBody
  throw new SteadyError('STEADY_EXPORT_NOT_PLAIN', `${e.method} ${e.url} (step "${e.step}") sends a binary body`, {
    hint: 'the k6 export writes text bodies only; export scenarios that send JSON, forms or text',
  })
}

function shape(list: Exchange[]): string {
  return list.map((e) => `${e.step}|${e.method}|${new URL(e.url).pathname}`).join('\n')
}

/**
 * Runs the scenario twice (iterations 0 and 1) against `target` and returns
 * its request sequence, or throws `STEADY_EXPORT_NOT_PLAIN` naming the
 * request that makes it not plain.
 */
export async function traceRequestSequence(
  scenario: Scenario,
  target: string,
  seed = 'export',
): Promise<TracedRequest[]> {
  const first = await traceOnce(scenario, target, seed, 0)
  const second = await traceOnce(scenario, target, seed, 1)
  if (first.length === 0) {
    throw new SteadyError('STEADY_EXPORT_NOT_PLAIN', `scenario "${scenario.name}" made no HTTP request`, {
      hint: 'export a scenario that sends requests',
    })
  }
  if (shape(first) !== shape(second)) {
    throw new SteadyError(
      'STEADY_EXPORT_NOT_PLAIN',
      `scenario "${scenario.name}" is not a plain request sequence: two iterations made different requests ` +
        `(${first.length} vs ${second.length}, or other paths or steps)`,
      {
        hint: 'the k6 export needs the same requests every iteration; run this scenario on the embedded engine instead',
      },
    )
  }
  const base = new URL(target)
  const seen: { value: string; from: string }[] = []
  const out: TracedRequest[] = []
  for (const e of first) {
    const url = new URL(e.url)
    if (url.origin !== base.origin) {
      throw new SteadyError(
        'STEADY_EXPORT_NOT_PLAIN',
        `${e.method} ${e.url} (step "${e.step}") goes to another origin than the target ${base.origin}`,
        {
          hint: 'the k6 script sends everything to BASE_URL; keep the scenario on one service',
        },
      )
    }
    const body = bodyText(e)
    const headers: Record<string, string> = {}
    for (const [k, v] of Object.entries(e.requestHeaders))
      if (!skippedHeaders.has(k.toLowerCase())) headers[k.toLowerCase()] = v
    const sent = [url.pathname + url.search, body ?? '', ...Object.values(headers)].join('\n')
    const dependence = seen.find((s) => sent.includes(s.value))
    if (dependence) {
      throw new SteadyError(
        'STEADY_EXPORT_NOT_PLAIN',
        `scenario "${scenario.name}" is not a plain request sequence: ${e.method} ${url.pathname} ` +
          `(step "${e.step}") sends "${dependence.value.slice(0, 40)}", ` +
          `which came from the response to ${dependence.from}`,
        {
          hint:
            'a request that uses an earlier response needs script logic; ' +
            'run this scenario on the embedded engine, or write the k6 script by hand',
        },
      )
    }
    for (const value of responseValues(e)) seen.push({ value, from: `${e.method} ${url.pathname}` })
    const basePath = base.pathname.replace(/\/$/, '')
    const path =
      (basePath && url.pathname.startsWith(basePath) ? url.pathname.slice(basePath.length) : url.pathname) + url.search
    out.push({
      step: e.step || scenario.name,
      method: e.method,
      path,
      headers,
      ...(body !== undefined ? { body } : {}),
      status: e.status,
      asserted: e.asserted,
    })
  }
  return out
}
