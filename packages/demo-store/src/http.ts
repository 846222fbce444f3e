/**
 * The small HTTP toolkit the routes share: replies as values, errors that are
 * replies, JSON body reading with a size limit, and field validation that
 * answers 422 naming every bad field. Bad input always ends here as a
 * 400/413/415/422 reply, never as a 500.
 */
import type { IncomingMessage } from 'node:http'

/** What a handler returns; the server writes it (and adds the fault header). */
export interface Reply {
  readonly status: number
  /** Serialised as JSON; `undefined` sends no body. */
  readonly body?: unknown
  readonly headers?: Readonly<Record<string, string>>
  /** A body that is already text (the Prometheus exposition), sent as is. */
  readonly text?: string
}

/** A reply with a JSON body. */
export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return headers ? { status, body, headers } : { status, body }
}

/** One bad field in a 422 answer. */
export interface FieldError {
  readonly field: string
  readonly message: string
}

/** An error that is an answer: thrown anywhere in a handler, written as its JSON reply. */
export class HttpError extends Error {
  readonly reply: Reply
  constructor(
    status: number,
    error: string,
    message: string,
    extra: Record<string, unknown> = {},
    headers?: Record<string, string>,
  ) {
    super(message)
    this.name = 'HttpError'
    this.reply = json(status, { error, message, ...extra }, headers)
  }
}

/** 422 naming each bad field: `{ error: 'validation', message, fields: [{ field, message }] }`. */
export function validationError(fields: FieldError[]): HttpError {
  const summary = fields.map((f) => `${f.field} ${f.message}`).join('; ')
  return new HttpError(422, 'validation', summary, { fields })
}

export function notFound(message: string): HttpError {
  return new HttpError(404, 'not_found', message)
}

/** Default body limit: far above any valid request to this API. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024

/**
 * Reads a JSON body. `required: false` lets an empty body through as
 * `undefined` (checkout needs none). Answers 415 for another content type,
 * 413 over `maxBytes` (by Content-Length at once, or while reading), 400 for
 * JSON that does not parse.
 */
export async function readJson(req: IncomingMessage, maxBytes: number, required = true): Promise<unknown> {
  const declared = req.headers['content-length']
  const length = declared === undefined ? undefined : Number(declared)
  const chunked = req.headers['transfer-encoding'] !== undefined
  if (length !== undefined && length > maxBytes) throw tooLarge(maxBytes)
  const empty = length === 0 || (length === undefined && !chunked)
  if (!empty) {
    const type = req.headers['content-type']
    if (!type || !/^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(type)) {
      throw new HttpError(
        415,
        'unsupported_media_type',
        'the body must be JSON (Content-Type: application/json), got ' +
          (type ? JSON.stringify(type) : 'no Content-Type'),
      )
    }
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    // Stop collecting at once: the server discards the rest of the body.
    if (size > maxBytes) throw tooLarge(maxBytes)
    chunks.push(chunk)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  if (text.trim() === '') {
    if (!required) return undefined
    throw new HttpError(400, 'body_required', 'this request needs a JSON body')
  }
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new HttpError(400, 'malformed_json', `the body is not valid JSON: ${(err as Error).message}`)
  }
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(
    413,
    'payload_too_large',
    `the body is larger than ${maxBytes} bytes`,
    { limit: maxBytes },
    { connection: 'close' },
  )
}

/** A rule for one field of a JSON object body. */
export interface FieldRule {
  readonly type: 'string' | 'integer'
  readonly required: boolean
  /** Extra check on a value of the right type: a message when it is wrong. */
  readonly check?: (value: never) => string | undefined
}

type FieldValue<R extends FieldRule> = R['type'] extends 'string' ? string : number
/** The typed object `validateBody` returns for a set of rules. */
export type Validated<Rules extends Record<string, FieldRule>> = {
  [K in keyof Rules as Rules[K]['required'] extends true ? K : never]: FieldValue<Rules[K]>
} & {
  [K in keyof Rules as Rules[K]['required'] extends true ? never : K]?: FieldValue<Rules[K]>
}

/**
 * Checks a parsed body against `rules`: it must be a JSON object (400
 * otherwise); missing, mistyped, invalid and unknown fields all answer one 422
 * that lists every one of them.
 */
export function validateBody<Rules extends Record<string, FieldRule>>(body: unknown, rules: Rules): Validated<Rules> {
  if (body === undefined) body = {}
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(
      400,
      'bad_request',
      `the body must be a JSON object, got ${body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body}`,
    )
  }
  const record = body as Record<string, unknown>
  const fields: FieldError[] = []
  for (const [name, rule] of Object.entries(rules)) {
    const value = record[name]
    if (value === undefined || value === null) {
      if (rule.required) fields.push({ field: name, message: 'is required' })
      continue
    }
    if (rule.type === 'string' && typeof value !== 'string') {
      fields.push({ field: name, message: `must be a string, got ${describe(value)}` })
      continue
    }
    if (rule.type === 'integer' && !Number.isInteger(value)) {
      fields.push({ field: name, message: `must be an integer, got ${describe(value)}` })
      continue
    }
    const problem = rule.check?.(value as never)
    if (problem) fields.push({ field: name, message: problem })
  }
  for (const name of Object.keys(record)) {
    if (!Object.hasOwn(rules, name)) fields.push({ field: name, message: 'is not a known field' })
  }
  if (fields.length > 0) throw validationError(fields)
  return record as Validated<Rules>
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'number') return Number.isFinite(value) ? `the number ${value}` : 'a number'
  if (typeof value === 'string') return 'a string'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

/**
 * Reads an integer query parameter within [min, max], or `fallback` when it
 * is absent. A bad value is a 422 naming the parameter.
 */
export function queryInt(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = query.get(name)
  if (raw === null || raw === '') return fallback
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw validationError([{ field: name, message: `must be an integer from ${min} to ${max}` }])
  }
  return value
}
