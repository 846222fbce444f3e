/** The storage interface: append observations, read an indicator's history. */
import type { Observation } from '../types.ts'

/** Which observations to read. */
export interface HistoryQuery {
  /** The process. */
  process: string
  /** One indicator, or all of the process's when left out. */
  indicator?: string
  /** From this instant (epoch ms, inclusive). Default: as far back as the store holds. */
  from?: number
  /** Up to this instant (epoch ms, inclusive). Default: no end. */
  to?: number
}

/**
 * Where observations live. Appends never rewrite what is there, so two CI
 * jobs recording at once never lose each other's observations.
 */
export interface HealthStore {
  /** One line saying where the history is (`files under .steady/health`). */
  readonly description: string
  /** Appends observations; never rewrites what is stored. */
  append(observations: Observation | readonly Observation[]): Promise<void>
  /** Reads observations in time order. */
  read(query: HistoryQuery): Promise<Observation[]>
}
