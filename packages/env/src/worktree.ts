/**
 * `--control-ref`: a version of the project from git, checked out beside the
 * working copy (`git worktree add` under `.steady/worktrees/<sha>`) and built
 * there once per commit, so the control side of a paired soak can be started
 * from it with the same environment definition.
 */
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { SteadyError } from '@steady/record'
import { runShell } from './shell.ts'
import { interrupted } from './interrupted.ts'

/** A checked-out (and built) commit. */
export interface Worktree {
  /** The full commit the ref named. */
  sha: string
  /** The worktree's root. */
  dir: string
  /** The config's folder inside the worktree: where the environment's relative paths resolve. */
  projectDir: string
  /** Whether the build command ran now (false: no build, or this commit's build with this command was reused). */
  built: boolean
}

export interface WorktreeOptions {
  /** The project (the config's folder) inside a git repository. */
  projectDir: string
  ref: string
  /** The plan's build command (sh -c, in the worktree's config folder). */
  build?: string
  /** Limit for the build (default 30 minutes). */
  buildTimeoutMs?: number
  signal?: AbortSignal
  log?: (line: string) => void
}

function git(args: string[], cwd: string): Promise<{ ok: boolean; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ ok: !error, out: String(stdout).trim(), err: String(stderr).trim() }),
    )
  })
}

/** The marker a finished build leaves: the hash of its command, so a changed command builds again. */
const BUILD_MARKER = '.steady-build'

/**
 * Checks out `ref` under `<repo root>/.steady/worktrees/<sha>` (reused when
 * present) and runs the build command there unless this commit was already
 * built with the same command.
 */
export async function prepareWorktree(o: WorktreeOptions): Promise<Worktree> {
  const log = o.log ?? (() => {})
  const top = await git(['rev-parse', '--show-toplevel'], o.projectDir)
  if (!top.ok) {
    const what = `--control-ref ${o.ref}: ${o.projectDir} is not in a git repository`
    throw new SteadyError('STEADY_ENV_REF_NO_GIT', what, {
      hint: 'run steady from a git checkout, or give the control with --control-env or --control-url',
    })
  }
  const rev = await git(['rev-parse', '--verify', '--quiet', `${o.ref}^{commit}`], o.projectDir)
  if (!rev.ok || !/^[0-9a-f]{40,64}$/.test(rev.out)) {
    throw new SteadyError('STEADY_ENV_REF_UNKNOWN', `--control-ref ${o.ref} names no commit of ${top.out}`, {
      hint: 'give a branch, tag or commit that exists here (git fetch it first, e.g. git fetch origin main)',
      details: { ref: o.ref },
    })
  }
  const sha = rev.out
  const dir = join(top.out, '.steady', 'worktrees', sha)
  if (existsSync(join(dir, '.git'))) log(`control ${o.ref} (${sha.slice(0, 12)}): reusing the worktree ${dir}`)
  else {
    await mkdir(join(top.out, '.steady', 'worktrees'), { recursive: true })
    // A folder left by a removed worktree is pruned from git's list first, so the add does not refuse it.
    await git(['worktree', 'prune'], top.out)
    const added = await git(['worktree', 'add', '--detach', dir, sha], top.out)
    if (!added.ok) {
      const what = `--control-ref ${o.ref}: git worktree add failed: ${added.err}`
      throw new SteadyError('STEADY_ENV_WORKTREE_FAILED', what, {
        hint: `remove ${dir} and run \`git worktree prune\`, then try again`,
      })
    }
    log(`control ${o.ref} (${sha.slice(0, 12)}): checked out in ${dir}`)
  }
  const projectDir = join(dir, relative(top.out, o.projectDir))
  const built = o.build === undefined ? false : await buildOnce(o, sha, dir, projectDir, log)
  return { sha, dir, projectDir, built }
}

/** Runs the build in `cwd` unless the marker in `dir` says this command already built this commit. */
async function buildOnce(
  o: WorktreeOptions,
  sha: string,
  dir: string,
  cwd: string,
  log: (s: string) => void,
): Promise<boolean> {
  const build = o.build!
  const marker = join(dir, BUILD_MARKER)
  const hash = createHash('sha256').update(build).digest('hex')
  if (existsSync(marker) && readFileSync(marker, 'utf8').trim() === hash) {
    log(`control ${o.ref} (${sha.slice(0, 12)}): already built with this build command`)
    return false
  }
  const logFile = join(dir, `${BUILD_MARKER}.log`)
  log(`control ${o.ref} (${sha.slice(0, 12)}): building (log ${logFile})`)
  const signal = o.signal ?? new AbortController().signal
  const timeoutMs = o.buildTimeoutMs ?? 30 * 60_000
  const result = await runShell(build, { cwd, env: process.env, logFile, timeoutMs, signal })
  if (result.stopped === 'aborted') throw interrupted(signal, 'control build')
  if (result.code !== 0) {
    const how = result.stopped === 'timeout' ? 'timed out' : `exited with ${result.code ?? result.signal}`
    const what = `the build of --control-ref ${o.ref} (${sha.slice(0, 12)}) ${how}`
    throw new SteadyError('STEADY_ENV_BUILD_FAILED', what, {
      hint: `its log is ${logFile}; the command is the plan's build: ${build}`,
      details: { ref: o.ref, sha, logFile },
    })
  }
  writeFileSync(marker, hash + '\n')
  return true
}
