/** Messages between the embedded engine and its worker threads (plain, structured-cloneable data). */
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
  /** The run's start as epoch ms (performance.timeOrigin + now): every worker aligns its windows to it. */
  startEpoch: number
  selfMonitor: boolean
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
  | { type: 'done'; result: RunnerResult }
  | { type: 'error'; message: string; code?: string; hint?: string }

export type ParentMessage = { type: 'stop' }
