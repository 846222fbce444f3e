/**
 * `steady soak --control-ref`: a temporary git repository with a tiny service
 * and a build step. The control is the previous commit, checked out under
 * .steady/worktrees/<sha>, built there once, and started from there; a second
 * soak reuses the worktree and its build.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readRunRecord } from '@steady/record'
import { steadyChild, type ChildResult } from './helpers/cli-child.ts'

const nodeModules = join(import.meta.dirname, '..', '..', '..', 'node_modules')

const config = `export default {
  scenarios: ['*.scenario.ts'],
  environments: {
    svc: {
      provider: 'process',
      services: {
        svc: { command: 'node', args: ['server.mjs'], port: 'auto', readiness: { path: '/health', timeout: '20s' } },
      },
    },
  },
  plans: {
    p: {
      environment: 'svc',
      window: '1s',
      build: 'node build.mjs',
      scrape: { path: false },
      phases: [{ name: 'quiet', duration: '2s' }],
    },
  },
}
`
const scenario = `import { scenario, expect } from '@steady/scenario'
export default scenario('ping', async ({ http, step }) => {
  const r = await step('health', () => http.get('/health'))
  expect(r).toHaveStatus(200)
})
`
// The build leaves built.txt in the checkout and counts itself in BUILD_COUNT (outside the repository).
const build = `import { appendFileSync, writeFileSync } from 'node:fs'
writeFileSync('built.txt', 'built\\n')
appendFileSync(process.env.BUILD_COUNT, process.cwd() + '\\n')
`
const server = (version: string) => `import { createServer } from 'node:http'
import { existsSync } from 'node:fs'
const built = existsSync('built.txt')
const answer = JSON.stringify({ version: '${version}', built })
createServer((req, res) => res.end(answer)).listen(Number(process.env.PORT), '127.0.0.1', () =>
  console.log('serving ${version} from ' + process.cwd() + (built ? ' (built)' : ' (not built)')),
)
`

function git(dir: string, ...args: string[]): string {
  const identity = ['-c', 'user.name=t', '-c', 'user.email=t@example.test']
  return execFileSync('git', [...identity, ...args], { cwd: dir, encoding: 'utf8' }).trim()
}

function steady(cwd: string, args: string[], env: Record<string, string>): Promise<ChildResult> {
  return steadyChild(cwd, args, { ...process.env, ...env })
}

test('--control-ref: the commit checked out under .steady/worktrees/<sha>, built once, reused next time', async () => {
  const repo = mkdtempSync(join(tmpdir(), 'steady-ref-'))
  const counter = join(mkdtempSync(join(tmpdir(), 'steady-ref-count-')), 'builds.txt')
  try {
    symlinkSync(nodeModules, join(repo, 'node_modules'))
    writeFileSync(join(repo, '.gitignore'), 'node_modules\n.steady/\nbuilt.txt\nreports/\n')
    writeFileSync(join(repo, 'steady.config.ts'), config)
    writeFileSync(join(repo, 'ping.scenario.ts'), scenario)
    writeFileSync(join(repo, 'build.mjs'), build)
    writeFileSync(join(repo, 'server.mjs'), server('v1'))
    git(repo, 'init', '-q', '-b', 'main')
    git(repo, 'add', '.')
    git(repo, 'commit', '-q', '-m', 'v1')
    const v1 = git(repo, 'rev-parse', 'HEAD')
    writeFileSync(join(repo, 'server.mjs'), server('v2'))
    git(repo, 'commit', '-q', '-am', 'v2')

    const soak = (out: string) =>
      steady(repo, ['soak', 'p', '--control-ref', 'HEAD~1', '--out', out], { BUILD_COUNT: counter })
    const first = await soak(join(repo, 'reports', 'one'))
    assert.is(first.code, 0, first.stderr)
    const worktree = join(repo, '.steady', 'worktrees', v1)
    assert.ok(existsSync(join(worktree, 'server.mjs')), 'the worktree of the control commit')
    assert.equal(readFileSync(counter, 'utf8').trim().split('\n'), [worktree], 'built once, in the worktree')
    // Each side ran its own commit: the control from the built worktree.
    const log = (run: string, side: string) =>
      readFileSync(join(repo, 'reports', run, `env-${side}`, 'svc.log'), 'utf8')
    assert.match(log('one', 'control'), `serving v1 from ${worktree} (built)`)
    assert.match(log('one', 'candidate'), `serving v2 from ${repo} (not built)`)
    const record = await readRunRecord(join(repo, 'reports', 'one'))
    assert.is(record.paired?.control.commit, v1)
    assert.is(record.subject.commit, git(repo, 'rev-parse', 'HEAD'))
    assert.ok(
      record.scenarios.some((s) => s.side === 'control' && s.passed > 0),
      JSON.stringify(record.scenarios),
    )

    const second = await soak(join(repo, 'reports', 'two'))
    assert.is(second.code, 0, second.stderr)
    assert.match(second.stderr, 'reusing the worktree')
    assert.match(second.stderr, 'already built')
    assert.is(readFileSync(counter, 'utf8').trim().split('\n').length, 1, 'no second build')
    assert.match(log('two', 'control'), `serving v1 from ${worktree} (built)`)
  } finally {
    // The worktree lives inside the temporary repository: it goes with it.
    rmSync(repo, { recursive: true, force: true })
    rmSync(join(counter, '..'), { recursive: true, force: true })
  }
})

test('--control-ref with a ref that names no commit: exit 2 before anything starts', async () => {
  const repo = mkdtempSync(join(tmpdir(), 'steady-ref-'))
  try {
    symlinkSync(nodeModules, join(repo, 'node_modules'))
    writeFileSync(join(repo, 'steady.config.ts'), config)
    writeFileSync(join(repo, 'ping.scenario.ts'), scenario)
    git(repo, 'init', '-q', '-b', 'main')
    git(repo, 'add', '.')
    git(repo, 'commit', '-q', '-m', 'one')
    const r = await steady(repo, ['soak', 'p', '--control-ref', 'no-such-branch'], {})
    assert.is(r.code, 2, r.stderr)
    assert.match(r.stderr, '--control-ref no-such-branch names no commit')
    const envs = join(repo, '.steady', 'envs')
    assert.ok(!existsSync(envs) || readdirSync(envs).length === 0, 'no environment was started')
  } finally {
    rmSync(repo, { recursive: true, force: true })
  }
})

test.run()
