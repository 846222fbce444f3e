/** Shared bits of @steady/env's tests: fixtures, temp projects, process and port checks. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer } from 'node:net'
import { processStart } from '../src/proc.ts'

export const fixtures = join(import.meta.dirname, 'fixtures')
export const service = join(fixtures, 'service.mjs')

/** A fresh project folder (state goes to its `.steady/`). */
export function tempProject(prefix = 'steady-env-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** True when `pid` runs (and has not exited: a zombie whose threads are gone). */
export function alive(pid: number): boolean {
  return processStart(pid) !== undefined
}

/** True when nothing listens on `port` on 127.0.0.1. */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer()
    s.once('error', () => resolve(false))
    s.listen({ host: '127.0.0.1', port, exclusive: true }, () => s.close(() => resolve(true)))
  })
}

/** Polls `check` every 25ms until it is true, failing after `ms`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

/** The port of an http://host:port URL. */
export function portOf(url: string): number {
  return Number(new URL(url).port)
}

/** Kills a leftover process group after a failed test, so one failure does not leak processes into the next. */
export function killGroup(pid: number | undefined): void {
  if (!pid) return
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {}
}

/** Catches what `fn` throws (the test fails when it does not throw). */
export async function rejection(
  fn: () => Promise<unknown>,
): Promise<Error & { code?: string; exitCode?: number; facts?: Record<string, unknown>; hint?: string }> {
  try {
    await fn()
  } catch (error) {
    return error as Error & { code?: string }
  }
  throw new Error('expected a rejection')
}
