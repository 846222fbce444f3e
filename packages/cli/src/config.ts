/**
 * `steady.config.ts`: found by walking up from the working directory (or given
 * with `--config`), loaded with tsx so users never compile, and validated. A
 * config that fails to load is reported with its file, line and message (exit 2).
 *
 * Each package owns the type of its own section; this file only composes them.
 */
import { existsSync, readFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { SteadyError } from '@steady/record'
import type { EnvironmentConfig } from '@steady/env'
import { describeLoadError, importModule } from '@steady/scenario/internal'
import type { ScenarioConfig } from '@steady/scenario'
import type { LoadConfig } from '@steady/load'
import type { SoakPlan } from '@steady/soak'
import type { HealthConfig } from '@steady/process-health'
import type { GateConfig } from '@steady/baseline'

/**
 * The whole configuration a `steady.config.ts` default-exports. The scenario
 * section (targets, headers, redaction, http, openapi, run defaults) is typed
 * by @steady/scenario's `ScenarioConfig`.
 */
export interface SteadyConfig extends ScenarioConfig {
  /** Scenario files, as globs relative to the config file. Default: `scenarios/**\/*.scenario.ts`. */
  scenarios?: string | string[]
  /**
   * Ephemeral environments by name (`steady env up <name>`, `steady run --env <name>`);
   * see docs/environments.md.
   */
  environments?: Record<string, EnvironmentConfig>
  /**
   * Load profiles (k6 `options.scenarios` entries) by name, for `steady load <profile>`
   * and soak phases; see docs/load.md.
   */
  load?: LoadConfig
  /** Soak plans by name (`steady soak [plan]`; the one called `default` when none is named); see docs/soak.md. */
  plans?: Record<string, SoakPlan>
  /** Engineering processes and their indicators (`steady health`); see docs/process-health.md. */
  health?: HealthConfig
  /** Gates by environment (`steady verdict --gate <name>`), stricter closer to production; see docs/verdict.md. */
  gates?: Record<string, GateConfig>
  [section: string]: unknown
}

/** Typed identity: gives editors completion and type errors for `steady.config.ts`. */
export function defineConfig<const C extends SteadyConfig>(config: C): C {
  return config
}

export interface LoadedConfig {
  /** The config as exported. */
  config: SteadyConfig
  /** Absolute path of the config file, or undefined when none was found. */
  path: string | undefined
  /** The folder paths in the config are relative to (the config file's, else the working directory). */
  dir: string
  /** sha256 of the config file's text (12 hex chars), for the run record's comparability key. */
  hash: string
}

const names = ['steady.config.ts', 'steady.config.mts', 'steady.config.js', 'steady.config.mjs']

/** The nearest config file at or above `cwd`, if any. */
function findConfig(cwd: string): string | undefined {
  let dir = resolve(cwd)
  for (;;) {
    for (const n of names) {
      const p = join(dir, n)
      if (existsSync(p)) return p
    }
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

/**
 * Loads the config: `explicit` (from `--config`) must exist; otherwise the
 * nearest one is used, and no config at all gives an empty one.
 */
export async function loadConfig(cwd: string, explicit?: string): Promise<LoadedConfig> {
  let path: string | undefined
  if (explicit) {
    path = isAbsolute(explicit) ? explicit : resolve(cwd, explicit)
    if (!existsSync(path)) {
      throw new SteadyError('STEADY_CONFIG_NOT_FOUND', `config file ${explicit} does not exist`, {
        hint: 'check the --config path, or run without it to use the nearest steady.config.ts',
        details: { file: path },
      })
    }
  } else {
    path = findConfig(cwd)
  }
  if (!path) return { config: {}, path: undefined, dir: resolve(cwd), hash: 'none' }
  let mod: Record<string, unknown>
  try {
    mod = (await importTs(path)) as Record<string, unknown>
  } catch (error) {
    const d = describeLoadError(error, path)
    const where = `${path}${d.line ? `:${d.line}${d.column ? `:${d.column}` : ''}` : ''}`
    const commonJs = path.endsWith('.ts') && !isModulePackage(dirname(path))
    throw new SteadyError('STEADY_CONFIG_LOAD', `could not load config ${where}: ${d.message}`, {
      hint: commonJs
        ? 'this project is CommonJS (its package.json has no "type": "module"): ' +
          'rename the config to steady.config.mts, or add "type": "module" to package.json'
        : 'fix the error at that line; the config must `export default defineConfig({ ... })`',
      cause: error,
      details: { file: path },
    })
  }
  const config = unwrapDefault(mod.default ?? mod.config)
  if (!config || typeof config !== 'object' || Array.isArray(config)) {
    throw new SteadyError('STEADY_CONFIG_INVALID', `config ${path} has no default export object`, {
      hint: "write `export default defineConfig({ ... })` with `import { defineConfig } from '@steady/cli'`",
      details: { file: path },
    })
  }
  const hash = createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 12)
  return { config: config as SteadyConfig, path, dir: dirname(path), hash }
}

/**
 * In a project without `"type": "module"`, tsx loads a `.ts` file as CommonJS
 * and its `export default` arrives wrapped once more (`{ default: ... }`).
 */
function unwrapDefault(value: unknown): unknown {
  if (value && typeof value === 'object' && 'default' in value) {
    const keys = Object.keys(value).filter((k) => k !== '__esModule')
    if (keys.length === 1) return (value as { default: unknown }).default
  }
  return value
}

/** True when the nearest package.json above `dir` says `"type": "module"`. */
function isModulePackage(dir: string): boolean {
  for (let d = dir; ; d = dirname(d)) {
    const pkg = join(d, 'package.json')
    if (existsSync(pkg)) {
      try {
        return (JSON.parse(readFileSync(pkg, 'utf8')) as { type?: string }).type === 'module'
      } catch {
        return false
      }
    }
    if (dirname(d) === d) return false
  }
}

/**
 * Imports the config through the same loader as scenario files (tsx, one
 * module graph for the process), so the config and the scenarios share one
 * copy of every package whatever the project's module type.
 */
async function importTs(path: string): Promise<unknown> {
  return importModule(path)
}
