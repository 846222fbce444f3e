/**
 * One entry for every engine: `runLoad` runs a resolved profile on the
 * embedded engine (finding the steady scenario its `exec` names, running the
 * file's setup and teardown around the load) or on k6 (`engine: 'k6'`).
 */
import { isAbsolute, resolve } from 'node:path'
import type { Redactor } from '@steady/record'
import type { ResolvedProfile } from './profile.ts'
import { runEmbedded, type LoadResult } from './embedded.ts'
import { findScenario, runSetup, runTeardown } from './engine/scenario-iteration.ts'
import { runK6 } from './k6/driver.ts'
import type { TandemSeat } from './engine/tandem.ts'
import type { WindowSnapshot } from './metrics/windows.ts'

export interface RunLoadOptions {
  profile: ResolvedProfile
  /** The target's base URL (k6 scripts get it as `__ENV.BASE_URL`). */
  target: string
  /** Scenario file patterns (absolute, or relative to `cwd`). */
  scenarios: readonly string[]
  cwd: string
  /** Folder a k6 profile's `script` is relative to (the config file's). */
  configDir?: string
  /** Embedded engine worker threads (default 1). */
  workers?: number
  seed?: string
  signal?: AbortSignal
  onWindow?: (w: WindowSnapshot) => void
  /** Lines worth telling the user (setup, teardown, k6's stderr). */
  onLog?: (line: string) => void
  redactor?: Redactor
  /** Iteration timeout for steady scenarios. */
  timeout?: string
  /** Environment for the k6 process (`K6_BIN` picks the binary). */
  env?: NodeJS.ProcessEnv
  /**
   * Share the arrival schedule with other runs of the same profile in this
   * process (a paired soak's sides). Only the embedded engine with one
   * worker and an arrival-rate profile rides it; any other run leaves it.
   */
  tandem?: TandemSeat
}

/** Runs one profile on its engine and resolves with the result (see {@link LoadResult}). */
export async function runLoad(o: RunLoadOptions): Promise<LoadResult> {
  try {
    return await runOn(o)
  } finally {
    o.tandem?.tandem.leave(o.tandem.index)
  }
}

async function runOn(o: RunLoadOptions): Promise<LoadResult> {
  const p = o.profile
  const seed = o.seed ?? Math.random().toString(36).slice(2, 10)
  if (p.engine === 'k6') {
    const script = isAbsolute(p.script!) ? p.script! : resolve(o.configDir ?? o.cwd, p.script!)
    return runK6({
      profile: p,
      script,
      target: o.target,
      signal: o.signal,
      onWindow: o.onWindow,
      onLog: o.onLog,
      env: o.env,
      seed,
    })
  }
  const found = await findScenario(o.scenarios, p.exec, o.cwd, `load.profiles.${p.name}`)
  const setupData = await runSetup(found.hooks, {
    target: o.target,
    seed,
    signal: o.signal,
    redactor: o.redactor,
    file: found.file,
  })
  if (found.hooks.setup) o.onLog?.('setup done')
  try {
    return await runEmbedded({
      profile: p,
      target: o.target,
      scenario: { file: found.file, name: found.scenario.name },
      seed,
      setupData,
      workers: o.workers,
      signal: o.signal,
      onWindow: o.onWindow,
      redactor: o.redactor,
      timeout: o.timeout,
      ...(o.tandem ? { tandem: o.tandem } : {}),
    })
  } finally {
    const problem = await runTeardown(found.hooks, setupData, { target: o.target, seed, redactor: o.redactor })
    if (problem) o.onLog?.(problem)
  }
}
