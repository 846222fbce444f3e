/** Running `npm run demo` (scripts/demo.ts) from the demo's tests, and reading what it wrote. */
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Verdict } from '@steady/record'

const root = join(import.meta.dirname, '..', '..')

export interface DemoResult {
  code: number | null
  out: string
  pid: number
}

/** Runs the demo in its own process group, as a terminal runs it (Ctrl-C goes to the whole group). */
export function demo(args: string[], onOutput?: (text: string, pid: number) => void): Promise<DemoResult> {
  return new Promise((resolve) => {
    const script = join(root, 'scripts', 'demo.ts')
    const child = spawn(process.execPath, ['--conditions=steady-source', '--import', 'tsx', script, ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    let out = ''
    const take = (d: Buffer) => {
      out += d.toString()
      onOutput?.(out, child.pid!)
    }
    child.stdout.on('data', take)
    child.stderr.on('data', take)
    const guard = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 8 * 60_000)
    child.on('close', (code) => {
      clearTimeout(guard)
      resolve({ code, out, pid: child.pid! })
    })
  })
}

/** True once no process of the group is left; esbuild's service (tsx) may need a moment after its parent. */
export async function groupGone(pid: number): Promise<boolean> {
  for (let i = 0; i < 30; i++) {
    try {
      process.kill(-pid, 0)
    } catch {
      return true
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  return false
}

/** A fresh state folder for the demo (`--state`). */
export function demoState(): string {
  return mkdtempSync(join(tmpdir(), 'steady-demo-'))
}

/** The verdict the last demo run in `state` wrote. */
export function verdictOf(state: string): Verdict {
  return JSON.parse(readFileSync(join(state, 'latest', 'verdict.json'), 'utf8')) as Verdict
}

/** The failing findings of a verdict, for assertion messages. */
export function failing(v: Verdict): string {
  return v.findings
    .filter((f) => f.status === 'fail')
    .map((f) => `${f.kind} ${f.message}`)
    .join('; ')
}

/**
 * A load-dependent fault (latency, drift, contention) on a busy shared machine is never a pass: either not
 * stable (exit 1), or, when the load generator saturated in a phase that counts, inconclusive (exit 3) with
 * the saturation named. Which one a run shows depends on the machine, not on the product.
 */
export function notStableOrSaturated(state: string, what: string, r: { code: number | null; out: string }): Verdict {
  const v = verdictOf(state)
  assert.ok(r.code === 1 || r.code === 3, `${what}: exit ${r.code}\n${r.out.slice(-3000)}`)
  if (r.code === 1) assert.match(r.out, 'verdict: not stable')
  else {
    const saturated = v.findings.some((f) => f.kind === 'generator-saturated' && f.status === 'inconclusive')
    assert.ok(saturated, `${what}: inconclusive, but not for a saturated generator\n${r.out.slice(-3000)}`)
  }
  return v
}
