/**
 * The load generator measuring itself: event-loop utilisation and event-loop
 * delay of the thread running iterations, read per window. Together with the
 * scheduler's start lateness they tell a saturated generator from a slow service.
 */
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks'
import type { SelfMonitor } from './windows.ts'

/** Watches this thread's event loop (10 ms resolution for the delay histogram). */
export function eventLoopMonitor(): SelfMonitor {
  let last: EventLoopUtilization = performance.eventLoopUtilization()
  const delay: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 })
  delay.enable()
  let stopped = false
  return {
    take() {
      const now = performance.eventLoopUtilization()
      const elu = performance.eventLoopUtilization(now, last)
      last = now
      // The delay histogram is in ns and includes the 10 ms sampling resolution itself.
      const ms = (ns: number) => Math.max(0, ns / 1e6 - 10)
      const out = {
        eventLoopUtilization: elu.utilization,
        lagP50Ms: delay.count ? ms(delay.percentile(50)) : 0,
        lagP99Ms: delay.count ? ms(delay.percentile(99)) : 0,
        lagMaxMs: delay.count ? ms(delay.max) : 0,
      }
      delay.reset()
      return out
    },
    stop() {
      if (stopped) return
      stopped = true
      delay.disable()
    },
  }
}
