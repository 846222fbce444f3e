/**
 * Generated CI pipeline histories for tests: a deterministic random stream
 * (mulberry32), ~12 pipeline runs a day with log-normal cycle and queue
 * times, a success rate and a flaky rate; optionally a slowdown of the cycle
 * time over the last days.
 */
import { mulberry32 } from '@steady/kernel'
import type { Observation } from '@steady/process-health'

function normal(rand: () => number): number {
  const u = Math.max(rand(), 1e-12)
  const v = rand()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}

export interface CiHistoryOptions {
  /** The last instant of the history (epoch ms). */
  now: number
  /** Days of history. Default 35. */
  days?: number
  /** Runs per day. Default 12. */
  runsPerDay?: number
  /** Seed. Default 1. */
  seed?: number
  /** Multiply cycle times in the last `slowdownDays` by this. Default 1 (steady). */
  slowdown?: number
  /** Default 3. */
  slowdownDays?: number
  /** Process name. Default `ci`. */
  process?: string
}

/** A CI history as observations of the ready-made `ci` process. */
export function ciHistory(options: CiHistoryOptions): Observation[] {
  const rand = mulberry32(options.seed ?? 1)
  const days = options.days ?? 35
  const perDay = options.runsPerDay ?? 12
  const process = options.process ?? 'ci'
  const out: Observation[] = []
  const start = options.now - days * 86_400_000
  const slowFrom = options.now - (options.slowdownDays ?? 3) * 86_400_000
  for (let d = 0; d < days; d++) {
    for (let r = 0; r < perDay; r++) {
      const at = start + d * 86_400_000 + ((r + rand()) / perDay) * 86_400_000
      if (at > options.now) continue
      const slow = at >= slowFrom ? (options.slowdown ?? 1) : 1
      const cycle = 570 * Math.exp(0.15 * normal(rand)) * slow
      const queue = 40 * Math.exp(0.4 * normal(rand))
      const success = rand() < 0.95 ? 1 : 0
      const flaky = rand() < 0.03 ? 1 : 0
      const fields = {
        run_id: String(100000 + d * perDay + r),
        commit: Math.floor(rand() * 2 ** 32)
          .toString(16)
          .padStart(8, '0'),
      }
      const labels = { branch: 'main' }
      out.push({ process, indicator: 'cycle_time', value: Math.round(cycle), at, labels, fields })
      out.push({ process, indicator: 'queue_time', value: Math.round(queue), at, labels, fields })
      out.push({ process, indicator: 'success_rate', value: success, at, labels, fields })
      out.push({ process, indicator: 'flaky_rate', value: flaky, at, labels, fields })
    }
  }
  return out
}
