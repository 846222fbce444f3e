/** Recording observations and checking health through a store. */
import { createObservation, findProcess, type ObservationInput } from './define.ts'
import {
  exitCodeFor,
  historyStart,
  judgeProcess,
  markIdle,
  resolveJudgeOptions,
  worstState,
  type ProcessActivity,
  type ProcessHealth,
} from './judge/index.ts'
import type { HealthStore } from './store/types.ts'
import { systemClock, type Clock } from './time.ts'
import type { HealthState, JudgeOptions, Observation, ProcessDefinition } from './types.ts'

/**
 * Checks and records one observation of a declared process, then appends it
 * to the store. Returns what was stored.
 */
export async function recordObservation(
  store: HealthStore,
  processes: readonly ProcessDefinition[],
  input: ObservationInput,
  clock: Clock = systemClock,
): Promise<Observation> {
  const process = findProcess(processes, input.process)
  const observation = createObservation(process, input, clock)
  await store.append(observation)
  return observation
}

/** Options of {@link checkHealth}. */
export interface CheckHealthOptions {
  /** Where the history is. */
  store: HealthStore
  /** The declared processes. */
  processes: readonly ProcessDefinition[]
  /** Only these processes (by name). Default: every process. */
  only?: readonly string[]
  /** "Now". Inject a fixed clock in tests. */
  clock?: Clock
  /** Judge defaults under the processes' own. */
  judge?: JudgeOptions
  /**
   * Processes left out of the report when they have no history and are not
   * named in `only`: the ready-made ones a config does not declare
   * ({@link implicitProcessNames}).
   */
  ifRecorded?: readonly string[]
}

/** The health of several processes at one instant. */
export interface HealthReport {
  /** When it was judged (epoch ms). */
  at: number
  /** Where the history came from. */
  store: string
  /** Degraded if any process is; else unknown if any is; else healthy. */
  state: HealthState
  /** 0 healthy, 1 degraded, 3 unknown. */
  exitCode: 0 | 1 | 3
  /** Each process. */
  processes: ProcessHealth[]
}

/** Reads each process's history from the store and judges it at the clock's now. */
export async function checkHealth(options: CheckHealthOptions): Promise<HealthReport> {
  const now = (options.clock ?? systemClock).now()
  const selected = options.only?.length
    ? options.only.map((name) => findProcess(options.processes, name))
    : options.processes
  const processes: ProcessHealth[] = []
  const activity = new Map<string, ProcessActivity>()
  for (const process of selected) {
    const from = historyStart(process, now, options.judge)
    const history = await options.store.read({ process: process.name, from, to: now })
    if (history.length === 0 && !options.only?.length && options.ifRecorded?.includes(process.name)) continue
    processes.push(judgeProcess(process, history, { now, defaults: options.judge }))
    // Nothing in the window read: recorded before (a quiet project) or never (not set up)?
    const recorded = history.length > 0 || (await options.store.read({ process: process.name, to: from })).length > 0
    activity.set(process.name, { recorded, recent: recentActivity(process, history, now, options.judge) })
  }
  markIdle(processes, activity)
  const state = worstState(processes.map((p) => p.state))
  return { at: now, store: options.store.description, state, exitCode: exitCodeFor(state), processes }
}

/** Events of a process in the last baseline length (its longest): observations, or events of counts (value > 0). */
function recentActivity(
  process: ProcessDefinition,
  history: readonly Observation[],
  now: number,
  judge?: JudgeOptions,
): number {
  const span = Math.max(...process.indicators.map((i) => resolveJudgeOptions(process, i, judge).baselineMs))
  const counts = new Set(process.indicators.filter((i) => i.kind === 'count').map((i) => i.name))
  return history.filter((o) => o.at > now - span && (!counts.has(o.indicator) || o.value > 0)).length
}
