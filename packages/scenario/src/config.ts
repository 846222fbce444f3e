/**
 * The scenario section of `steady.config.ts` (typed here, composed into
 * `SteadyConfig` by @steady/cli): scenario globs, named targets, default
 * headers, redaction rules, connection settings and run defaults.
 */
import { httpUrlProblem } from '@steady/kernel'
import { SteadyError, type RedactionOptions } from '@steady/record'
import type { Duration } from '@steady/record/internal'
import type { HeadersInit } from './http/client.ts'
import type { DispatcherOptions } from './http/dispatcher.ts'

/** A named target: where scenarios send their requests. */
export interface TargetConfig {
  /** Base URL (`https://staging.example.com`). */
  url: string
  /** Headers for this target only (merged over the config's `headers`). */
  headers?: HeadersInit
  /** TLS/proxy settings for this target (merged over the config's `http`). */
  http?: DispatcherOptions
}

/** The scenario-related fields of `steady.config.ts`. */
export interface ScenarioConfig {
  /** Scenario files, as globs relative to the config file. Default `scenarios/**\/*.scenario.ts`. */
  scenarios?: string | string[]
  /** Named targets for `--target <name>`; a string is a URL. */
  targets?: Record<string, string | TargetConfig>
  /** The target used when `--target` is not given. */
  defaultTarget?: string
  /** Headers sent with every request (secrets belong in `process.env`, read here). */
  headers?: HeadersInit
  /** More redaction rules: header names, JSON field names, patterns, known secret values. */
  redaction?: RedactionOptions
  /** Connection settings: custom CA, client certificate (mTLS), proxy, pool size. Paths are relative to the config. */
  http?: DispatcherOptions & { /** Default request timeout. */ timeout?: Duration }
  /** Validate every response against this OpenAPI document (path relative to the config). */
  openapi?: string
  /** Defaults for `steady run` flags. */
  run?: {
    iterations?: number
    concurrency?: number
    timeout?: Duration
    reporters?: string[]
    /** Folder for run folders (`<out>/<run-id>/run.json`). Default `reports`. */
    out?: string
  }
}

/** A resolved target. */
export interface ResolvedTarget {
  url: string
  name?: string
  headers?: HeadersInit
  http?: DispatcherOptions
}

function checkUrl(url: string, field: string): string {
  const problem = httpUrlProblem(url)
  if (problem) {
    throw new SteadyError('STEADY_CONFIG_INVALID', `${field}: ${problem}`, {
      hint: 'write it as http://host:port or https://host',
      details: { field },
    })
  }
  return url
}

/**
 * The target for a run: `flag` is a URL or a name from `targets`; without
 * it, `defaultTarget` or the only target. Errors (exit 2) list the names.
 */
export function resolveTarget(config: ScenarioConfig, flag: string | undefined): ResolvedTarget {
  const targets = config.targets ?? {}
  const names = Object.keys(targets)
  const pick = flag ?? config.defaultTarget ?? (names.length === 1 ? names[0] : undefined)
  if (!pick) {
    throw new SteadyError('STEADY_RUN_NO_TARGET', 'no target to run against', {
      hint: names.length
        ? `pass --target <url> or one of: ${names.join(', ')} (or set defaultTarget in steady.config.ts)`
        : 'pass --target http://host:port, --env <name>, or add `targets` to steady.config.ts',
    })
  }
  if (/^https?:\/\//i.test(pick)) return { url: checkUrl(pick, '--target') }
  const t = targets[pick]
  if (t === undefined) {
    throw new SteadyError(
      'STEADY_RUN_UNKNOWN_TARGET',
      `--target ${pick}: not a URL and not a target in steady.config.ts`,
      {
        hint: names.length
          ? `use a URL or one of: ${names.join(', ')}`
          : 'use a URL (http://host:port), or add `targets: { name: "http://..." }` to steady.config.ts',
        details: { target: pick },
      },
    )
  }
  if (typeof t === 'string') return { url: checkUrl(t, `targets.${pick}`), name: pick }
  return { url: checkUrl(t.url, `targets.${pick}.url`), name: pick, headers: t.headers, http: t.http }
}
