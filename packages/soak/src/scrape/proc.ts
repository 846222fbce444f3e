/**
 * Samples a service process from `/proc`: resident memory, CPU time and open
 * file descriptors. Works for any service, with or without `/metrics`, as long
 * as steady started it (the process environment records its PIDs).
 */
import { readFileSync, readdirSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import type { RunEvent, SeriesAggregator } from '@steady/record'

export interface ProcStats {
  rssBytes: number
  /** User + system CPU time, in seconds. */
  cpuSeconds: number
  openFds: number
  /** Start time in clock ticks since boot (field 22 of /proc/<pid>/stat): tells a reused PID apart. */
  startTicks: number
}

let clockTicks: number | undefined
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
    } catch {
      clockTicks = 100
    }
  }
  return clockTicks
}

/** Reads one process's stats; undefined when it is gone (or /proc is not there). */
export function readProcStats(pid: number): ProcStats | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may contain spaces and parentheses: split after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // fields[0] is field 3 (state); utime is field 14, stime 15, starttime 22.
    if (fields[0] === 'Z') return undefined
    const utime = Number(fields[11])
    const stime = Number(fields[12])
    const startTicks = Number(fields[19])
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const rssKb = Number(status.match(/^VmRSS:\s+(\d+)\s+kB/m)?.[1] ?? 0)
    let openFds = 0
    try {
      openFds = readdirSync(`/proc/${pid}/fd`).length
    } catch {
      // Another user's process: fds are not readable, memory and CPU still are.
    }
    return { rssBytes: rssKb * 1024, cpuSeconds: (utime + stime) / ticksPerSecond(), openFds, startTicks }
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
        onEvent({ atMs: at, kind: 'service-crash', message: `${service} (pid ${pid}) is no longer running`, data: { service, pid } })
      }
      return
    }
    const tags = { service }
    aggregator.gauge('service', 'proc_resident_memory_bytes', tags, stats.rssBytes, { atMs: at, unit: 'bytes' })
    aggregator.gauge('service', 'proc_open_fds', tags, stats.openFds, { atMs: at, unit: 'count' })
    if (this.#last) aggregator.count('service', 'proc_cpu_seconds', tags, Math.max(0, stats.cpuSeconds - this.#last.cpuSeconds), { atMs: at, unit: 'seconds' })
    this.#last = stats
  }
}
