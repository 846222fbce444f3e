/**
 * What the kernel says about a process: its start time (so a PID the kernel
 * handed to someone else is never killed), its group and session, and whether
 * it still runs. Linux reads `/proc`; elsewhere `ps` answers the same questions
 * more slowly.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'

const hasProc = process.platform === 'linux'

/** The fields of `/proc/<pid>/stat` steady uses. */
export interface ProcStat {
  pid: number
  /** One of R S D Z T t X I...; see {@link hasExited} for which count as gone. */
  state: string
  ppid: number
  pgrp: number
  session: number
  /** Field 22: start time in clock ticks since boot. */
  startTicks: number
  /** Fields 14 and 15: user and system CPU time, in clock ticks. */
  utimeTicks: number
  stimeTicks: number
}

/**
 * Parses `/proc/<pid>/stat`; the command name may hold spaces and
 * parentheses, so fields are counted from the last `)`.
 */
function parseStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')')
  if (close < 0) return undefined
  const pid = Number(text.slice(0, text.indexOf('(')).trim())
  // Fields after the name start at field 3 (state).
  const rest = text
    .slice(close + 2)
    .trim()
    .split(/\s+/)
  const field = (n: number) => rest[n - 3]
  const stat = {
    pid,
    state: field(3),
    ppid: Number(field(4)),
    pgrp: Number(field(5)),
    session: Number(field(6)),
    startTicks: Number(field(22)),
    utimeTicks: Number(field(14)),
    stimeTicks: Number(field(15)),
  }
  return Number.isFinite(stat.startTicks) && Number.isFinite(stat.pid) ? stat : undefined
}

/** `/proc/<pid>/stat` (or a thread's, `/proc/<pid>/task/<tid>/stat`), or undefined when it does not exist. */
export function readStat(pid: number, tid?: number): ProcStat | undefined {
  try {
    return parseStat(readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8'))
  } catch {
    return undefined
  }
}

const deadState = (state: string) => state === 'Z' || state === 'X'

/**
 * Whether the process `stat` describes has exited: dead, or a zombie whose
 * threads have all exited. A killed multi-threaded process (any Node.js
 * service) can show its main thread as a zombie while its other threads are
 * still exiting, and until the last of them has, its open files are held: a
 * listening socket still owns its port.
 */
function hasExited(stat: ProcStat): boolean {
  if (!deadState(stat.state)) return false
  let tids: string[]
  try {
    tids = readdirSync(`/proc/${stat.pid}/task`)
  } catch {
    return true
  }
  return tids.every((tid) => {
    const thread = readStat(stat.pid, Number(tid))
    return !thread || deadState(thread.state)
  })
}

let bootTimeCache: number | undefined
/** Boot time in seconds since the epoch (`btime` in `/proc/stat`). */
function bootTime(): number {
  if (bootTimeCache !== undefined) return bootTimeCache
  const m = readFileSync('/proc/stat', 'utf8').match(/^btime\s+(\d+)/m)
  bootTimeCache = m ? Number(m[1]) : 0
  return bootTimeCache
}

let clockTicksCache: number | undefined
/** Clock ticks per second (`getconf CLK_TCK`; 100 on every common Linux). */
export function clockTicks(): number {
  if (clockTicksCache !== undefined) return clockTicksCache
  try {
    clockTicksCache = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  } catch {
    clockTicksCache = 100
  }
  return clockTicksCache
}

/** A process's start: a token that differs for any other process that ever gets the same PID, and the time as ISO. */
export interface ProcessStart {
  token: string
  time: string
}

/**
 * When `pid` started, or undefined when it does not run (or has exited: see {@link hasExited}).
 * Linux: boot time + field 22 of `/proc/<pid>/stat`, so even a PID reused after
 * a reboot does not match. Elsewhere: `ps -o lstart=` (one-second resolution).
 */
export function processStart(pid: number): ProcessStart | undefined {
  if (hasProc) {
    const stat = readStat(pid)
    if (!stat || hasExited(stat)) return undefined
    const boot = bootTime()
    const ms = boot * 1000 + (stat.startTicks * 1000) / clockTicks()
    return { token: `linux:${boot}:${stat.startTicks}`, time: new Date(ms).toISOString() }
  }
  try {
    const out = execFileSync('ps', ['-o', 'stat=,lstart=', '-p', String(pid)], { encoding: 'utf8' }).trim()
    if (!out || out.startsWith('Z')) return undefined
    const lstart = out.replace(/^\S+\s+/, '')
    const date = new Date(lstart)
    return { token: `ps:${lstart}`, time: Number.isNaN(date.getTime()) ? lstart : date.toISOString() }
  } catch {
    return undefined
  }
}

/** True when `pid` runs and is the process that had `token` when it was recorded. */
export function isSameProcess(pid: number, token: string): boolean {
  return processStart(pid)?.token === token
}

/**
 * Live processes (not exited) in process group `pgid` or session `pgid`. A
 * service may start children that make their own groups (a shell with job
 * control); they stay in its session, so the session catches them too. Only on
 * Linux; elsewhere returns undefined and the caller relies on the group signal.
 */
export function membersOf(pgid: number): number[] | undefined {
  if (!hasProc) return undefined
  const found: number[] = []
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return undefined
  }
  for (const e of entries) {
    if (e.charCodeAt(0) < 48 || e.charCodeAt(0) > 57) continue
    const stat = readStat(Number(e))
    if (!stat || hasExited(stat)) continue
    if (stat.pgrp === pgid || stat.session === pgid) found.push(stat.pid)
  }
  return found
}

/** True when a process group still has a member that can receive a signal. */
export function groupExists(pgid: number): boolean {
  const members = membersOf(pgid)
  if (members) return members.length > 0
  try {
    process.kill(-pgid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
