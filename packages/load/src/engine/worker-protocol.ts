/** Messages between the embedded engine and its worker threads (plain, structured-cloneable data). */
import type { SteadyErrorCode } from '@steady/kernel'
import type { ResolvedProfile } from '../profile.ts'
import type { Segment } from '../schedule.ts'
import type { WindowSnapshot } from '../metrics/windows.ts'
import type { RunnerResult } from './runner.ts'
import type { ScenarioSource } from './scenario-iteration.ts'

export interface WorkerInput {
  profile: ResolvedProfile
  segment: Segment
  scenario: ScenarioSource
  target: string
  seed: string
  setupData?: unknown
  timeout?: string
  selfMonitor: boolean
  /** One unrecorded iteration before reporting ready. */
  warmup: boolean
}

/** Iteration outcomes, batched per window (failure samples are already redacted). */
export interface OutcomeBatch {
  passed: boolean
  aborted: boolean
  failure?: import('@steady/scenario').IterationResult['failure']
}

export type WorkerMessage =
  | { type: 'window'; window: WindowSnapshot }
  | { type: 'outcome'; results: OutcomeBatch[] }
  | { type: 'ready' }
  | { type: 'done'; result: RunnerResult }
  | { type: 'error'; message: string; code?: SteadyErrorCode; hint?: string }

/**
 * `start` carries the run's start as epoch ms (performance.timeOrigin + now),
 * sent once every worker is ready, so all align their schedules and windows to it.
 */
export type ParentMessage = { type: 'stop' } | { type: 'start'; startEpoch: number }
