/**
 * Optional response validation against an OpenAPI 3.x document: the
 * operation is found by method and path template, the response by status
 * (exact, `4XX`, then `default`), and a JSON body is checked against its
 * schema with ajv. Set it for a whole run (`openapi` in the config) or assert
 * one response with `expect(res).toMatchSchema(api.schemaFor(...))`.
 */
import { readFileSync } from 'node:fs'
import { extname } from 'node:path'
import { SteadyError } from '@steady/record'
import type { ValidateFunction } from 'ajv'
import type { HttpResponse, ResponseValidator } from './http/client.ts'
import { formatAjvErrors, getAjv } from './expect/schema.ts'

interface Operation {
  method: string
  template: string
  regex: RegExp
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>
  pointer: string
}

/** Options of {@link loadOpenApi}. */
export interface OpenApiOptions {
  /** A request whose path is not in the document fails validation. Default false (ignored). */
  strictPaths?: boolean
}

let documents = 0

/** An OpenAPI document ready to validate responses. */
export class OpenApiValidator implements ResponseValidator {
  readonly #ops: Operation[] = []
  readonly #basePaths: string[]
  readonly #id: string
  readonly #compiled = new Map<string, ValidateFunction>()
  readonly #strict: boolean

  constructor(document: Record<string, unknown>, options: OpenApiOptions = {}, source = 'openapi') {
    if (typeof document.openapi !== 'string' || !document.paths || typeof document.paths !== 'object') {
      throw new SteadyError(
        'STEADY_SCENARIO_OPENAPI',
        `${source} is not an OpenAPI 3 document (no "openapi" version or "paths")`,
        {
          hint: 'point openapi at an OpenAPI 3.0 or 3.1 document (JSON or YAML)',
          details: { file: source },
        },
      )
    }
    this.#strict = options.strictPaths ?? false
    this.#id = `steady-openapi-${++documents}`
    getAjv().addSchema(document, this.#id)
    const servers = (document.servers as { url?: string }[] | undefined) ?? []
    this.#basePaths = servers
      .map((s) => {
        try {
          return new URL(s.url ?? '/', 'http://x').pathname.replace(/\/$/, '')
        } catch {
          return ''
        }
      })
      .filter((p) => p !== '')
    for (const [template, item] of Object.entries(document.paths as Record<string, Record<string, unknown>>)) {
      const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')
      const regex = new RegExp(`^${pattern}/?$`)
      for (const method of ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']) {
        const op = item[method] as { responses?: Operation['responses'] } | undefined
        if (!op) continue
        const pointer = `#/paths/${template.replace(/~/g, '~0').replace(/\//g, '~1')}/${method}/responses`
        this.#ops.push({ method: method.toUpperCase(), template, regex, responses: op.responses ?? {}, pointer })
      }
    }
  }

  #find(method: string, pathname: string): Operation | undefined {
    const candidates = [
      pathname,
      ...this.#basePaths.filter((b) => pathname.startsWith(b + '/')).map((b) => pathname.slice(b.length)),
    ]
    for (const p of candidates) {
      // Literal segments win over templated ones (`/orders/mine` before `/orders/{id}`).
      const matches = this.#ops.filter((o) => o.method === method && o.regex.test(p))
      matches.sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0))
      if (matches[0]) return matches[0]
    }
    return undefined
  }

  /** Problems of a response against the document; undefined when it conforms. */
  validate(response: HttpResponse): string[] | undefined {
    const url = new URL(response.request.url)
    const method = response.request.method
    const op = this.#find(method, url.pathname)
    if (!op) return this.#strict ? [`${method} ${url.pathname} is not in the OpenAPI document`] : undefined
    const status = String(response.status)
    const key = [status, `${status[0]}XX`, `${status[0]}xx`, 'default'].find((k) => op.responses[k])
    const documented = (keys: string[]) => `(documented: ${keys.join(', ') || 'none'})`
    if (!key)
      return [
        `status ${status} is not documented for ${method} ${op.template} ${documented(Object.keys(op.responses))}`,
      ]
    const content = op.responses[key].content
    if (!content || Object.keys(content).length === 0) return undefined
    const type = (response.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase()
    const mediaKey =
      Object.keys(content).find((m) => m.toLowerCase() === type) ??
      Object.keys(content).find((m) => /json/.test(m) && /json/.test(type))
    if (!mediaKey) {
      const what = `content-type "${type || 'none'}"`
      return [`${what} is not documented for ${method} ${op.template} ${key} ${documented(Object.keys(content))}`]
    }
    if (!/json/.test(mediaKey) || !content[mediaKey].schema) return undefined
    const ref = `${this.#id}${op.pointer}/${key}/content/${mediaKey.replace(/~/g, '~0').replace(/\//g, '~1')}/schema`
    let validate = this.#compiled.get(ref)
    if (!validate) {
      validate = getAjv().compile({ $ref: ref })
      this.#compiled.set(ref, validate)
    }
    let body: unknown
    try {
      body = JSON.parse(response.text())
    } catch {
      return [`the body is not JSON but ${mediaKey} is documented`]
    }
    return validate(body) ? undefined : formatAjvErrors(validate.errors).map((l) => `${op.template} ${key}: ${l}`)
  }
}

/**
 * Loads an OpenAPI document (a path to JSON/YAML, or the parsed object) for
 * response validation.
 */
export async function loadOpenApi(
  source: string | Record<string, unknown>,
  options: OpenApiOptions = {},
): Promise<OpenApiValidator> {
  if (typeof source !== 'string') return new OpenApiValidator(source, options)
  let text: string
  try {
    text = readFileSync(source, 'utf8')
  } catch (error) {
    throw new SteadyError(
      'STEADY_SCENARIO_OPENAPI',
      `cannot read OpenAPI document ${source}: ${(error as Error).message}`,
      {
        hint: 'check the openapi path in steady.config.ts (relative to the config file)',
        details: { file: source },
      },
    )
  }
  let doc: unknown
  try {
    doc = extname(source) === '.json' ? JSON.parse(text) : (await import('yaml')).parse(text)
  } catch (error) {
    throw new SteadyError(
      'STEADY_SCENARIO_OPENAPI',
      `${source} is not valid ${extname(source) === '.json' ? 'JSON' : 'YAML'}: ` +
        (error as Error).message.split('\n')[0],
      {
        hint: 'fix the document, or point openapi at another one',
        details: { file: source },
      },
    )
  }
  return new OpenApiValidator(doc as Record<string, unknown>, options, source)
}
