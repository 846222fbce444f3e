/**
 * Stopping a service: SIGTERM to its process group (and any process left in
 * its session), SIGKILL after a grace period, and never a signal to a PID that
 * now belongs to someone else.
 *
 * Why the leader's start time is enough: the kernel does not hand out a PID
 * while a process group or session with that id exists. So when the recorded
 * leader still runs with its recorded start time, the group is ours; when no
 * process has that PID any more, whatever is left in group/session `pgid` is
 * ours too; and when the PID runs with another start time, our group is gone
 * entirely and nothing is signalled.
 */
import { groupExists, isSameProcess, membersOf, processStart } from './proc.ts'

/** A process steady started as the leader of its own group and session. */
export interface GroupLeader {
  pid: number
  pgid: number
  startToken: string
}

/** What {@link stopGroup} found and did. */
export type StopOutcome =
  /** It was running and has stopped after SIGTERM. */
  | 'terminated'
  /** It ignored SIGTERM for the grace period and was killed. */
  | 'killed'
  /** Nothing of it was running any more. */
  | 'gone'
  /** Its PID now belongs to another process, which was left alone. */
  | 'pid-reused'
  /** It survived SIGKILL (a process stuck in the kernel) or could not be signalled. */
  | 'stuck'

/** Whether anything of the group is still running (only what is provably ours). */
export function groupRunning(leader: GroupLeader): boolean {
  if (isSameProcess(leader.pid, leader.startToken)) return true
  if (processStart(leader.pid)) return false // PID reused: our group is gone
  return groupExists(leader.pgid)
}

function signalGroup(leader: GroupLeader, signal: NodeJS.Signals): void {
  try {
    process.kill(-leader.pgid, signal)
  } catch {
    // ESRCH: the group is empty; EPERM: not ours to signal (cannot happen for our own children).
  }
  // Processes that left the group but not the session (job control inside the service).
  for (const pid of membersOf(leader.pgid) ?? []) {
    try {
      process.kill(pid, signal)
    } catch {}
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

async function waitGone(leader: GroupLeader, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  for (;;) {
    if (!groupRunning(leader)) return true
    if (Date.now() >= deadline) return false
    await sleep(Math.min(50, Math.max(1, deadline - Date.now())))
  }
}

/**
 * Stops a process group: SIGTERM, then SIGKILL when it is still there after
 * `graceMs`. Resolves when nothing of it runs (or it is proven stuck).
 */
export async function stopGroup(leader: GroupLeader, graceMs: number): Promise<StopOutcome> {
  const start = processStart(leader.pid)
  if (start && start.token !== leader.startToken) return 'pid-reused'
  if (!groupRunning(leader)) return 'gone'
  signalGroup(leader, 'SIGTERM')
  if (await waitGone(leader, graceMs)) return 'terminated'
  signalGroup(leader, 'SIGKILL')
  return (await waitGone(leader, 5000)) ? 'killed' : 'stuck'
}

/** SIGKILL to a group, synchronously: the last resort in an `exit` handler, where nothing can be awaited. */
export function killGroupSync(leader: GroupLeader): void {
  const start = processStart(leader.pid)
  if (start && start.token !== leader.startToken) return
  signalGroup(leader, 'SIGKILL')
}
