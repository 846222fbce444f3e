/**
 * The `health` section of `steady.config.ts`, and how processes and the store
 * are resolved from it. Ready-made processes (`ci`, `dora`, `e2e-gate`) are
 * always usable by name; a process declared in the config with the same name
 * replaces the ready-made one.
 */
import { resolve } from 'node:path'
import { validateProcess } from './define.ts'
import { ProcessHealthError } from './errors.ts'
import { ciProcess } from './processes/ci.ts'
import { doraProcess } from './processes/dora.ts'
import { e2eGateProcess } from './processes/e2e-gate.ts'
import { FileStore, defaultStoreDir } from './store/file-store.ts'
import { PrometheusStore } from './store/prometheus-store.ts'
import type { HealthStore } from './store/types.ts'
import type { JudgeOptions, ProcessDefinition } from './types.ts'

/** Names of the ready-made processes. */
type ReadyMadeProcess = 'ci' | 'dora' | 'e2e-gate'

/** The ready-made processes with their defaults, by name. */
const readyMadeProcesses: Record<ReadyMadeProcess, () => ProcessDefinition> = {
  ci: () => ciProcess(),
  dora: () => doraProcess(),
  'e2e-gate': () => e2eGateProcess(),
}

/** The `health` section of `steady.config.ts`. */
export interface HealthConfig {
  /**
   * The team's processes: definitions (`defineProcess({...})`,
   * `ciProcess({ owner, objectives })`) or ready-made names (`'ci'`).
   */
  processes?: ReadonlyArray<ProcessDefinition | ReadyMadeProcess>
  /** The file store folder, relative to the config file. Default `.steady/health`. */
  store?: string
  /** Judge defaults for every process (baseline, recent window, thresholds). */
  judge?: JudgeOptions
  /**
   * `steady verdict` records each gate decision into the `e2e-gate` process
   * (default true); false turns it off, as `--no-record-health` does per call.
   */
  recordGateDecisions?: boolean
  /**
   * Read history from Prometheus instead of the file store (and, with a
   * Pushgateway, record to it): for CI whose clones start empty.
   */
  prometheus?: {
    /** Prometheus's base URL. */
    url: string
    /** The Pushgateway `steady health record` pushes to. */
    pushgateway?: string
    /** The Pushgateway job name. Default `steady_health`. */
    job?: string
    /** Metric name prefix. Default `steady_`. */
    prefix?: string
  }
}

/** A config holding a `health` section (what `steady.config.ts` default-exports). */
export interface HealthConfigSection {
  /** Process health: processes, store, judging defaults, Prometheus. */
  health?: HealthConfig
}

/**
 * The processes a config declares, then every ready-made one it does not
 * replace. Throws on an invalid definition, naming `health.processes[i]`.
 */
export function resolveProcesses(config: HealthConfig = {}): ProcessDefinition[] {
  const list = config.processes ?? []
  if (!Array.isArray(list)) {
    throw new ProcessHealthError('STEADY_HEALTH_CONFIG_INVALID', 'health.processes must be a list', {
      hint: "write health: { processes: ['ci', defineProcess({ ... })] }",
      details: { field: 'health.processes' },
    })
  }
  const out: ProcessDefinition[] = []
  list.forEach((entry, i) => {
    const where = `health.processes[${i}]`
    let process: ProcessDefinition
    if (typeof entry === 'string') {
      const make = readyMadeProcesses[entry as ReadyMadeProcess]
      if (!make) {
        throw new ProcessHealthError(
          'STEADY_HEALTH_CONFIG_INVALID',
          `${where}: "${entry}" is not a ready-made process`,
          {
            hint: `use one of ${Object.keys(readyMadeProcesses).join(', ')}, or a definition`,
            details: { field: where },
          },
        )
      }
      process = make()
    } else {
      validateProcess(entry, where)
      process = entry
    }
    if (out.some((p) => p.name === process.name)) {
      throw new ProcessHealthError(
        'STEADY_HEALTH_CONFIG_INVALID',
        `${where}: process "${process.name}" is declared twice`,
        {
          hint: 'give each process its own name (ciProcess({ name: "ci-backend" }))',
          details: { field: where },
        },
      )
    }
    out.push(process)
  })
  for (const [name, make] of Object.entries(readyMadeProcesses)) if (!out.some((p) => p.name === name)) out.push(make())
  return out
}

/** Options of {@link openStore}. */
export interface OpenStoreOptions {
  /** An explicit store folder (`--store`), which wins over the config. */
  store?: string
  /** The folder relative paths are resolved from (the config file's folder). */
  dir?: string
}

/**
 * The store a config asks for: an explicit `--store` folder, else Prometheus
 * when `health.prometheus` is set, else the file store at `health.store`
 * (default `.steady/health`).
 */
export function openStore(
  config: HealthConfig = {},
  processes: readonly ProcessDefinition[],
  options: OpenStoreOptions = {},
): HealthStore {
  const dir = options.dir ?? process.cwd()
  if (options.store) return new FileStore(resolve(dir, options.store))
  if (config.prometheus) {
    return new PrometheusStore({
      url: config.prometheus.url,
      processes,
      ...(config.prometheus.pushgateway
        ? { pushgateway: { url: config.prometheus.pushgateway, jobName: config.prometheus.job } }
        : {}),
      ...(config.prometheus.prefix ? { prefix: config.prometheus.prefix } : {}),
    })
  }
  return new FileStore(resolve(dir, config.store ?? defaultStoreDir))
}

/** The ready-made processes a config does not declare: judged by `steady health` only once they have history. */
export function implicitProcessNames(config: HealthConfig = {}): string[] {
  const declared = new Set((config.processes ?? []).map((p) => (typeof p === 'string' ? p : p.name)))
  return Object.keys(readyMadeProcesses).filter((name) => !declared.has(name))
}
