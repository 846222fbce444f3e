/**
 * Schema checks: a JSON Schema (validated with ajv, compiled once per schema
 * object) or any object with `safeParse` (zod, valibot adapters, ...).
 */
import { createRequire } from 'node:module'
import type { Ajv as AjvInstance, ErrorObject, ValidateFunction } from 'ajv'

/** A zod-like schema: anything with `safeParse`. */
export interface SafeParseSchema {
  safeParse(value: unknown): {
    success: boolean
    error?: { issues?: { path?: PropertyKey[]; message: string }[]; message?: string }
  }
}

/** A JSON Schema object (draft-07 keywords; OpenAPI's `nullable` is understood). */
export type JsonSchema = Record<string, unknown> | boolean

const require = createRequire(import.meta.url)
let ajv: AjvInstance | undefined
const compiled = new WeakMap<object, ValidateFunction>()

/** The shared ajv instance (loaded on first use so runs without schemas never pay for it). */
export function getAjv(): AjvInstance {
  if (!ajv) {
    const { Ajv } = require('ajv') as typeof import('ajv')
    ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true })
    const addFormats = (require('ajv-formats') as { default: (a: AjvInstance) => void }).default
    addFormats(ajv)
  }
  return ajv
}

function isSafeParse(schema: unknown): schema is SafeParseSchema {
  return typeof schema === 'object' && schema !== null && typeof (schema as SafeParseSchema).safeParse === 'function'
}

/** Formats ajv errors as `$.path: message` lines. */
export function formatAjvErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const at =
      '$' +
      e.instancePath
        .replace(/\/(\d+)(?=\/|$)/g, '[$1]')
        .replace(/\//g, '.')
        .replace(/~1/g, '/')
        .replace(/~0/g, '~')
    const extra =
      e.keyword === 'additionalProperties'
        ? ` (${(e.params as { additionalProperty: string }).additionalProperty})`
        : e.keyword === 'enum'
          ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')})`
          : ''
    return `${at}: ${e.message ?? e.keyword}${extra}`
  })
}

/** Validates `value`; returns problem lines, empty when it matches. */
export function validateSchema(schema: JsonSchema | SafeParseSchema, value: unknown): string[] {
  if (isSafeParse(schema)) {
    const r = schema.safeParse(value)
    if (r.success) return []
    const issues = r.error?.issues
    if (issues?.length)
      return issues.map(
        (i) =>
          `$${(i.path ?? []).map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${i.message}`,
      )
    return [r.error?.message ?? 'does not match the schema']
  }
  if (typeof schema === 'boolean') return schema ? [] : ['$: the schema is `false`: nothing matches']
  let validate = compiled.get(schema)
  if (!validate) {
    validate = getAjv().compile(schema)
    compiled.set(schema, validate)
  }
  return validate(value) ? [] : formatAjvErrors(validate.errors)
}
