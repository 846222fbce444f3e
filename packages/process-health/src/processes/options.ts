import { ProcessHealthError } from '../errors.ts'
import type { JudgeOptions, Objective } from '../types.ts'

/** Options every ready-made process takes. */
export interface ReadyMadeOptions {
  /** Who answers for the process. Default `unassigned` (set it). */
  owner?: string
  /** The process name, when a team runs several (`ci-backend`). */
  name?: string
  /** Objectives per indicator name: `{ cycle_time: { stat: 'p50', max: '10m' } }`. */
  objectives?: Record<string, Objective>
  /** How its indicators are judged (see {@link JudgeOptions}). */
  judge?: JudgeOptions
  /** The label names its observations may carry (replaces the ready-made list). */
  labels?: readonly string[]
}

/** Applies objectives by indicator name, failing on a name that does not exist. */
export function withObjectives<T extends { name: string; objective?: Objective }>(
  indicators: T[],
  objectives: Record<string, Objective> = {},
  process: string,
): T[] {
  for (const name of Object.keys(objectives)) {
    if (!indicators.some((i) => i.name === name)) {
      throw new ProcessHealthError(
        'STEADY_HEALTH_DEFINITION_INVALID',
        `${process}: objectives.${name} names no indicator`,
        {
          hint: `use one of ${indicators.map((i) => i.name).join(', ')}`,
          details: { field: `objectives.${name}` },
        },
      )
    }
  }
  return indicators.map((i) => (objectives[i.name] ? { ...i, objective: objectives[i.name] } : i))
}
