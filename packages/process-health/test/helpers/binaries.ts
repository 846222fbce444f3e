/**
 * Debian's `prometheus` and `prometheus-pushgateway`, started by tests on
 * free ports with their state in temp folders, and stopped by them.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * The binary's path, or undefined when it is missing: then CI fails with a
 * line saying how to install it, and elsewhere a `[note]` line says the test
 * is skipped.
 */
export function requireBinary(name: 'prometheus' | 'prometheus-pushgateway'): string | undefined {
  const path = `/usr/bin/${name}`
  if (existsSync(path)) return path
  const how = `install it with: apt-get update && apt-get install -y ${name}`
  if (process.env.CI === 'true') throw new Error(`${path} is missing; ${how}`)
  console.log(`[note] ${path} is missing, skipping the tests that need it; ${how}`)
  return undefined
}

/** A port free right now on 127.0.0.1 (for binaries that cannot take port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** A started server process. */
export interface Started {
  url: string
  child: ChildProcess
  dir: string
  output: () => string
  stop: () => Promise<void>
}

/** Polls `check` every 200 ms until it returns a value, at most `timeoutMs`. */
export async function poll<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await check()
      if (v !== undefined) return v
    } catch (error) {
      last = error
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`,
      )
    await new Promise((r) => setTimeout(r, 200))
  }
}

/** Starts a binary with `args(port, dir)` and waits for `<url>/-/ready`. */
export async function startServer(
  bin: string,
  args: (port: number, dir: string) => string[],
  prefix: string,
): Promise<Started> {
  for (let attempt = 1; ; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), prefix))
    const port = await freePort()
    const child = spawn(bin, args(port, dir), { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()))
    let exited = false
    child.on('exit', () => (exited = true))
    const url = `http://127.0.0.1:${port}`
    const stop = async () => {
      if (!exited) {
        const done = new Promise<void>((r) => child.once('exit', () => r()))
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
        await done
        clearTimeout(timer)
      }
      rmSync(dir, { recursive: true, force: true })
    }
    try {
      await poll(
        async () => {
          if (exited) throw new Error(`${bin} exited: ${output.slice(-500)}`)
          const r = await fetch(`${url}/-/ready`)
          return r.ok ? true : undefined
        },
        30_000,
        `${bin} to be ready`,
      )
      return { url, child, dir, output: () => output, stop }
    } catch (error) {
      await stop()
      // Another process may have taken the port between freePort() and the bind: try another.
      if (attempt < 3 && /address already in use/i.test(output)) continue
      throw error
    }
  }
}

/**
 * Pushgateway flags for a test: its own port, and its persistence file in the
 * test's temp folder (Debian's build defaults to /var/lib/prometheus/pushgateway.data,
 * shared by every run and restored at start).
 */
export function pushgatewayArgs(port: number, dir: string): string[] {
  return [`--web.listen-address=127.0.0.1:${port}`, `--persistence.file=${join(dir, 'pushgateway.data')}`]
}
