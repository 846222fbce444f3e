/** The real CLI as a child process, for tests that signal it or read its stderr as it runs (soaks). */
import { spawn } from 'node:child_process'
import { join } from 'node:path'

const bin = join(import.meta.dirname, '..', '..', 'src', 'bin.ts')

export interface ChildResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Called with all stderr so far on each chunk; `kill` signals the CLI. */
export type OnStderr = (text: string, kill: (sig: NodeJS.Signals) => void) => void

/**
 * Runs `steady <args>` in `cwd` with `env` as its whole environment (plus
 * NO_COLOR). A CLI still running after two minutes is SIGKILLed, so a hung
 * soak fails its test instead of hanging the suite.
 */
export function steadyChild(
  cwd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  onStderr?: OnStderr,
): Promise<ChildResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=steady-source', '--import', 'tsx', bin, ...args], {
      cwd,
      env: { ...env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d))
    child.stderr.on('data', (d: Buffer) => {
      stderr += d
      onStderr?.(stderr, (sig) => child.kill(sig))
    })
    const guard = setTimeout(() => child.kill('SIGKILL'), 120_000)
    child.on('close', (code) => {
      clearTimeout(guard)
      resolve({ code, stdout, stderr })
    })
  })
}
