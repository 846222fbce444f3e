/**
 * Small helpers for checking an `environments.<name>` entry: every error
 * names the environment, the service (when there is one) and the field, in the
 * path form a user finds in `steady.config.ts`.
 */
import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { SteadyError } from '@steady/record'
import type { SteadyErrorCode } from '@steady/kernel'
import { parseDuration, type Duration } from '@steady/record/internal'

/** Where in the config a value sits. */
export interface Where {
  environment: string
  service?: string
}

/** `environments.local.services.api.port` */
export function fieldPath(where: Where, field: string): string {
  return `environments.${where.environment}${where.service === undefined ? '' : `.services.${where.service}`}.${field}`
}

/**
 * The config error: `environment "local", service "api": port 8080 is taken
 * (environments.local.services.api.port)`.
 */
export function configError(
  where: Where,
  field: string,
  problem: string,
  hint: string,
  code: SteadyErrorCode = 'STEADY_ENV_CONFIG',
): SteadyError {
  const who = `environment "${where.environment}"${where.service === undefined ? '' : `, service "${where.service}"`}`
  const path = fieldPath(where, field)
  return new SteadyError(code, `${who}: ${problem} (${path})`, {
    hint,
    details: { environment: where.environment, service: where.service, field: path },
  })
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function requiredString(obj: Record<string, unknown>, key: string, where: Where, hint: string): string {
  const v = obj[key]
  if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) {
    throw configError(where, key, `${key} is missing`, hint)
  }
  if (typeof v !== 'string') throw configError(where, key, `${key} must be a string`, hint)
  return v
}

export function stringRecord(obj: Record<string, unknown>, key: string, where: Where): Record<string, string> {
  const v = obj[key]
  if (v === undefined) return {}
  if (!isRecord(v))
    throw configError(where, key, `${key} must be an object of strings`, `write ${key}: { NAME: 'value' }`)
  const out: Array<[string, string]> = []
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string')
      throw configError(where, `${key}.${k}`, `${key}.${k} must be a string`, 'quote the value')
    out.push([k, x])
  }
  // Own properties only: a key named `__proto__` stays a key.
  return Object.fromEntries(out)
}

export function durationMs(value: Duration | undefined, fallback: Duration, where: Where, field: string): number {
  try {
    return parseDuration(value ?? fallback, fieldPath(where, field))
  } catch (error) {
    const e = error as SteadyError
    throw configError(
      where,
      field,
      e.message.replace(/^[^:]*: /, ''),
      e.hint ?? 'use a duration like 30s',
      'STEADY_ENV_CONFIG',
    )
  }
}

/** Rejects keys the provider does not know, so a typo (`dependOn`) is not silently ignored. */
export function onlyKeys(obj: Record<string, unknown>, allowed: readonly string[], where: Where, prefix = ''): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw configError(
        where,
        prefix + key,
        `unknown field ${prefix}${key}`,
        `the fields here are: ${allowed.join(', ')}`,
      )
    }
  }
}

/** A readiness check, checked and with durations in ms. */
export interface Readiness {
  /** HTTP path, or undefined for a TCP check. */
  path: string | undefined
  timeoutMs: number
  intervalMs: number
}

/** Checks a `readiness` entry (undefined when absent). */
export function readinessOf(obj: Record<string, unknown>, where: Where): Readiness | undefined {
  const v = obj.readiness
  if (v === undefined) return undefined
  if (!isRecord(v))
    throw configError(
      where,
      'readiness',
      'readiness must be an object',
      "write readiness: { path: '/health', timeout: '30s' }",
    )
  onlyKeys(v, ['path', 'tcp', 'timeout', 'interval'], where, 'readiness.')
  const path = v.path
  if (path !== undefined && (typeof path !== 'string' || !path.startsWith('/'))) {
    throw configError(
      where,
      'readiness.path',
      'readiness.path must start with /',
      "write the HTTP path to check, e.g. '/health'",
    )
  }
  if (v.tcp !== undefined && typeof v.tcp !== 'boolean')
    throw configError(where, 'readiness.tcp', 'readiness.tcp must be true or false', 'write tcp: true')
  if (v.tcp === true && path !== undefined) {
    throw configError(
      where,
      'readiness',
      'readiness has both path and tcp',
      'keep path for an HTTP check, or tcp: true for a TCP connect',
    )
  }
  return {
    path: path as string | undefined,
    timeoutMs: durationMs(v.timeout as string | undefined, '30s', where, 'readiness.timeout'),
    intervalMs: durationMs(v.interval as string | undefined, '100ms', where, 'readiness.interval'),
  }
}

/** Why `cwd` (relative to `projectDir`) cannot be a working directory, or undefined when it can. */
export function folderProblem(projectDir: string, cwd: string | undefined): string | undefined {
  const path = resolve(projectDir, cwd ?? '.')
  const shown = cwd === undefined ? path : `${JSON.stringify(cwd)} (${path})`
  if (!existsSync(path)) return `cwd ${shown} does not exist`
  if (!statSync(path).isDirectory()) return `cwd ${shown} is not a folder`
  return undefined
}
