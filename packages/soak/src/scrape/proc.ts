/**
 * Samples a service process from `/proc`: resident memory, CPU time and open
 * file descriptors. Works for any service, with or without `/metrics`, as long
 * as steady started it (the process environment records its PIDs).
 */
import { readFileSync, readdirSync } from 'node:fs'
import type { RunEvent, SeriesAggregator } from '@steady/record'
import { clockTicks, readStat } from '@steady/env/internal'

export interface ProcStats {
  rssBytes: number
  /** User + system CPU time, in seconds. */
  cpuSeconds: number
  openFds: number
  /** Start time in clock ticks since boot (field 22 of /proc/<pid>/stat): tells a reused PID apart. */
  startTicks: number
}

/** Reads one process's stats; undefined when it is gone, a zombie, or /proc is not there. */
export function readProcStats(pid: number): ProcStats | undefined {
  const stat = readStat(pid)
  if (!stat || stat.state === 'Z' || stat.state === 'X') return undefined
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const rssKb = Number(status.match(/^VmRSS:\s+(\d+)\s+kB/m)?.[1] ?? 0)
    let openFds = 0
    try {
      openFds = readdirSync(`/proc/${pid}/fd`).length
    } catch {
      // Another user's process: fds are not readable, memory and CPU still are.
    }
    return {
      rssBytes: rssKb * 1024,
      cpuSeconds: (stat.utimeTicks + stat.stimeTicks) / clockTicks(),
      openFds,
      startTicks: stat.startTicks,
    }
  } catch {
    return undefined
  }
}

export interface ProcSamplerOptions {
  service: string
  pid: number
  aggregator: SeriesAggregator
  onEvent: (event: RunEvent) => void
  now: () => number
}

export class ProcSampler {
  readonly #o: ProcSamplerOptions
  #last: ProcStats | undefined
  #gone = false

  constructor(options: ProcSamplerOptions) {
    this.#o = options
  }

  /** One sample; reports a crash (the process gone or replaced) once. */
  sample(): void {
    const { service, pid, aggregator, now, onEvent } = this.#o
    const at = now()
    const stats = readProcStats(pid)
    if (!stats || (this.#last && stats.startTicks !== this.#last.startTicks)) {
      if (!this.#gone) {
        this.#gone = true
        onEvent({
          atMs: at,
          kind: 'service-crash',
          message: `${service} (pid ${pid}) is no longer running`,
          data: { service, pid },
        })
      }
      return
    }
    const tags = { service }
    aggregator.gauge('service', 'proc_resident_memory_bytes', tags, stats.rssBytes, { atMs: at, unit: 'bytes' })
    aggregator.gauge('service', 'proc_open_fds', tags, stats.openFds, { atMs: at, unit: 'count' })
    if (this.#last)
      aggregator.count('service', 'proc_cpu_seconds', tags, Math.max(0, stats.cpuSeconds - this.#last.cpuSeconds), {
        atMs: at,
        unit: 'seconds',
      })
    this.#last = stats
  }
}
