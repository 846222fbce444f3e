/**
 * Running a user's shell command (`up`, `down`, `urlCommand`) the safe way:
 * the text is the user's own, and every value steady knows (id, branch, tags)
 * reaches it only as an environment variable, so a branch named
 * `$(touch /tmp/pwned)` is data, never code. The command leads its own process
 * group so a timeout or Ctrl-C stops everything it started.
 */
import { spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { stopGroup } from './kill.ts'
import { processStart } from './proc.ts'

export interface ShellOptions {
  cwd: string
  env: NodeJS.ProcessEnv
  /** stderr (and stdout unless `stdoutFile` is set) is appended here. */
  logFile: string
  /** When set, stdout goes to this file (truncated) and is returned. */
  stdoutFile?: string
  timeoutMs: number
  /** Stops the command (its whole group) when aborted. */
  signal?: AbortSignal
}

export interface ShellResult {
  /** Exit code, or undefined when it ended by a signal. */
  code: number | undefined
  /** The signal that ended it, if any. */
  signal: NodeJS.Signals | undefined
  /** Why steady stopped it, if it did. */
  stopped: 'timeout' | 'aborted' | undefined
  /** stdout, when `stdoutFile` was given. */
  stdout: string
}

/** Runs `script` with `/bin/sh -c`, waiting for the shell (not for what it left in the background) to exit. */
export async function runShell(script: string, options: ShellOptions): Promise<ShellResult> {
  const log = openSync(options.logFile, 'a')
  const out = options.stdoutFile ? openSync(options.stdoutFile, 'w') : log
  let child
  try {
    child = spawn('/bin/sh', ['-c', script], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', out, log],
    })
  } finally {
    closeSync(log)
    if (out !== log) closeSync(out)
  }
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve)
    child.once('error', reject)
  })
  const pid = child.pid!
  const leader = { pid, pgid: pid, startToken: processStart(pid)?.token ?? 'exited-at-start' }
  let stopped: ShellResult['stopped']
  const stop = (why: 'timeout' | 'aborted') => {
    if (stopped) return
    stopped = why
    void stopGroup(leader, 5000)
  }
  const timer = setTimeout(() => stop('timeout'), options.timeoutMs)
  const onAbort = () => stop('aborted')
  options.signal?.addEventListener('abort', onAbort, { once: true })
  if (options.signal?.aborted) onAbort()
  // 'exit', not 'close': a command may leave a server running in the background holding the log open.
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('exit', (c, s) => resolve([c, s])),
  )
  clearTimeout(timer)
  options.signal?.removeEventListener('abort', onAbort)
  const stdout = options.stdoutFile ? readFileSync(options.stdoutFile, 'utf8') : ''
  return { code: code ?? undefined, signal: signal ?? undefined, stopped, stdout }
}
