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
 * An observation as a store keeps it: with an `id` when its source gives one
 * (an importer derives it from the source, so importing twice adds nothing),
 * and `supersedes` when it corrects an earlier record.
 */
export interface RecordedObservation extends Observation {
  /** A stable id: an observation whose id is already stored is not stored again. */
  id?: string
  /** The id of the record this one corrects: reads return this one in its place. */
  supersedes?: string
}

/** What an append did, for stores that tell. */
export interface AppendResult {
  /** Observations written. */
  added: number
  /** Observations left out because a record with their id was already stored. */
  duplicates: number
}

/**
 * Where observations live. Appends never rewrite what is there, so two CI
 * jobs recording at once never lose each other's observations.
 */
export interface HealthStore {
  /** One line saying where the history is (`files under .steady/health`). */
  readonly description: string
  /**
   * Appends observations; never rewrites what is stored. A store that keeps
   * ids returns how many were added and how many were already there.
   */
  append(observations: Observation | readonly Observation[]): Promise<AppendResult | void>
  /** Reads observations in time order. */
  read(query: HistoryQuery): Promise<Observation[]>
}
