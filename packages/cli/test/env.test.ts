/**
 * `steady env up|ls|down` as a user runs them: the real CLI in a child
 * process, against a temp project whose steady.config.ts starts a tiny
 * node:http service. `env up` leaves the service running after the CLI has
 * exited; `env down` from another process stops it; SIGINT/SIGTERM while
 * `env up` is starting tear down what started; readiness failures and bad
 * config exit 2 with one line of what went wrong and one of what to do.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer } from 'node:net'

const root = join(import.meta.dirname, '..', '..', '..')
const bin = join(root, 'packages', 'cli', 'src', 'bin.ts')

const server = `
import { createServer } from 'node:http'
const health = Number(process.env.HEALTH ?? 200)
const s = createServer((req, res) => {
  if (req.url === '/health') return res.writeHead(health).end('health ' + health)
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: process.env.STEADY_ENV_ID, branch: process.env.STEADY_BRANCH, team: process.env.STEADY_TAG_TEAM }))
})
s.listen(0, '127.0.0.1', () => console.log('svc listening on http://127.0.0.1:' + s.address().port))
process.on('SIGTERM', () => { console.log('svc: SIGTERM'); s.close(() => process.exit(0)); s.closeAllConnections() })
`

/** A temp project with `server.mjs` and a steady.config.ts holding `environments`. */
function project(environments: string): { dir: string; config: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'steady-cli-env-'))
  writeFileSync(join(dir, 'server.mjs'), server)
  const config = join(dir, 'steady.config.ts')
  writeFileSync(config, `export default {\n  environments: ${environments},\n}\n`)
  return { dir, config, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

const local = (extra = '') => `{
    local: { services: { api: { command: ${JSON.stringify(process.execPath)}, args: ['server.mjs'], port: 0, readiness: { path: '/health', timeout: '20s' }${extra} } } },
  }`

interface Cli {
  code: Promise<number | null>
  stdout: () => string
  stderr: () => string
  kill: (signal: NodeJS.Signals) => void
}

/** Starts the real CLI (`steady <args>`) in a child process. */
function cli(args: string[]): Cli {
  const child = spawn(process.execPath, ['--conditions=steady-source', '--import', 'tsx', bin, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => (out += d))
  child.stderr.on('data', (d: Buffer) => (err += d))
  return {
    code: new Promise((r) => child.once('close', (code) => r(code))),
    stdout: () => out,
    stderr: () => err,
    kill: (signal) => child.kill(signal),
  }
}

async function steady(args: string[]) {
  const c = cli(args)
  const code = await c.code
  return { code, out: c.stdout(), err: c.stderr() }
}

function alive(pid: number): boolean {
  // A zombie (exited, not yet reaped) counts as gone.
  try {
    return !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer()
    s.once('error', () => resolve(false))
    s.listen({ host: '127.0.0.1', port, exclusive: true }, () => s.close(() => resolve(true)))
  })
}

function killGroup(pid: number | undefined) {
  if (!pid) return
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {}
}

test('env up leaves it running after the CLI exits; env ls lists it; env down from another process stops it', async () => {
  const p = project(local())
  let pid: number | undefined
  try {
    const up = await steady([
      'env',
      'up',
      'local',
      '--config',
      p.config,
      '--branch',
      'feature/Login',
      '--tag',
      'team=checkout',
      '--format',
      'json',
    ])
    assert.equal(up.code, 0, up.err)
    const env = JSON.parse(up.out) as {
      id: string
      url: string
      services: { pid: number; logFile: string }[]
      tags: Record<string, string>
    }
    pid = env.services[0].pid
    assert.match(env.id, /^feature-login-[0-9a-f]{4}$/)
    assert.equal(env.tags, { team: 'checkout' })
    // the CLI has exited; the service answers
    assert.ok(alive(pid))
    const seen = (await (await fetch(env.url)).json()) as Record<string, string>
    assert.equal(seen, { id: env.id, branch: 'feature/Login', team: 'checkout' })
    assert.ok(existsSync(join(p.dir, '.steady', 'envs', `${env.id}.json`)))

    const ls = await steady(['env', 'ls', '--config', p.config])
    assert.equal(ls.code, 0)
    assert.match(ls.out, /^ID\s+NAME\s+PROVIDER\s+STATUS\s+AGE\s+URL\n/)
    assert.match(ls.out, new RegExp(`${env.id}\\s+local\\s+process\\s+up\\s+\\S+\\s+${env.url}`))
    const lsJson = JSON.parse((await steady(['env', 'ls', '--config', p.config, '--format', 'json'])).out) as {
      environments: { id: string; status: string; services: { pid: number }[] }[]
    }
    assert.equal(
      lsJson.environments.map((e) => [e.id, e.status, e.services[0].pid]),
      [[env.id, 'up', pid]],
    )

    const down = await steady(['env', 'down', env.id, '--config', p.config])
    assert.equal(down.code, 0, down.err)
    assert.equal(down.out, `torn down ${env.id}\n`)
    assert.not.ok(alive(pid), 'the service survived env down')
    assert.ok(await portFree(Number(new URL(env.url).port)))
    assert.equal((await steady(['env', 'ls', '--config', p.config])).out, `no environments are up in ${p.dir}\n`)
    assert.not.ok(existsSync(join(p.dir, '.steady', 'envs', env.id)), 'its log folder went with it')

    const again = await steady(['env', 'down', env.id, '--config', p.config])
    assert.equal(again.code, 2)
    assert.match(again.err, /error: no environment ".*" is up/)
    assert.match(again.err, /→ list them with `steady env ls`/)
  } finally {
    killGroup(pid)
    p.cleanup()
  }
})

test('env up prints the id, the URLs and how to tear it down', async () => {
  const p = project(local())
  let pid: number | undefined
  try {
    const up = await steady(['env', 'up', 'local', '--config', p.config, '--id', 'pr-42'])
    assert.equal(up.code, 0, up.err)
    pid = Number(up.out.match(/pid (\d+)/)?.[1])
    assert.match(
      up.out,
      /^environment local is up: pr-42\n  url   http:\/\/127\.0\.0\.1:\d+\n  api   http:\/\/127\.0\.0\.1:\d+  pid \d+\n  logs  \.steady\/envs\/pr-42\ntear it down with: steady env down pr-42\n$/,
    )
    const clash = await steady(['env', 'up', 'local', '--config', p.config, '--id', 'pr-42'])
    assert.equal(clash.code, 2)
    assert.match(clash.err, /an environment with id "pr-42" is already up/)
    const all = await steady(['env', 'down', '--all', '--config', p.config])
    assert.equal(all.code, 0, all.err)
    assert.not.ok(alive(pid))
  } finally {
    killGroup(pid)
    p.cleanup()
  }
})

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} while env up waits for readiness: what started is torn down, exit ${signal === 'SIGINT' ? 130 : 143}`, async () => {
    // /health answers 503, so env up waits (up to 60s) until the signal comes.
    const p = project(local(", env: { HEALTH: '503' }").replace("timeout: '20s'", "timeout: '60s'"))
    const c = cli(['env', 'up', 'local', '--config', p.config])
    let pid: number | undefined
    try {
      const deadline = Date.now() + 20_000
      while (!/api: started \(pid (\d+)\)/.test(c.stderr()) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 25))
      pid = Number(c.stderr().match(/api: started \(pid (\d+)\)/)?.[1])
      assert.ok(pid && alive(pid), c.stderr())
      c.kill(signal)
      assert.equal(await c.code, signal === 'SIGINT' ? 130 : 143, c.stderr())
      assert.match(c.stderr(), new RegExp(`received ${signal}`))
      assert.match(c.stderr(), /start failed; tearing down what was started/)
      assert.not.ok(alive(pid), `the service survived ${signal}`)
      assert.equal(
        readdirSync(join(p.dir, '.steady', 'envs')).filter((f) => f.endsWith('.json')),
        [],
      )
    } finally {
      c.kill('SIGKILL')
      killGroup(pid)
      p.cleanup()
    }
  })
}

test('a readiness failure exits 2 naming the service, the check, the timeout and its log', async () => {
  const p = project(local(", env: { HEALTH: '500' }").replace("timeout: '20s'", "timeout: '700ms'"))
  try {
    const r = await steady(['env', 'up', 'local', '--config', p.config])
    assert.equal(r.code, 2)
    assert.match(
      r.err,
      /error: environment "local": service "api" was not ready: GET http:\/\/127\.0\.0\.1:\d+\/health answering 2xx did not pass within 700ms \(last: HTTP 500\)/,
    )
    assert.match(r.err, /last 50 lines of .*api\.log:\nsvc listening on http/)
    assert.match(r.err, /→ fix what the log shows, or raise environments\.local\.services\.api\.readiness\.timeout/)
    const pid = Number(r.err.match(/api: started \(pid (\d+)\)/)?.[1])
    assert.not.ok(alive(pid))
  } finally {
    p.cleanup()
  }
})

test('bad config and bad options exit 2 with what went wrong and what to do', async () => {
  const p = project(
    `{ local: { provider: 'docker', services: {} }, cyc: { services: { a: { command: 'node', port: 'auto', dependsOn: ['b'] }, b: { command: 'node', dependsOn: ['a'] } } } }`,
  )
  try {
    const unknown = await steady(['env', 'up', 'local', '--config', p.config])
    assert.equal(unknown.code, 2)
    assert.equal(unknown.err.split('\n').filter(Boolean), [
      'error: environment "local": unknown provider "docker" (environments.local.provider)',
      '  → use one of: process, command, url',
    ])
    const cycle = await steady(['env', 'up', 'cyc', '--config', p.config])
    assert.equal(cycle.code, 2)
    assert.match(
      cycle.err,
      /environment "cyc", service "a": dependsOn has a cycle: a → b → a \(environments\.cyc\.services\.a\.dependsOn\)/,
    )
    const tag = await steady(['env', 'up', 'cyc', '--config', p.config, '--tag', 'nokey'])
    assert.equal(tag.code, 2)
    assert.match(tag.err, /--tag: "nokey" is not key=value/)
    const format = await steady(['env', 'ls', '--config', p.config, '--format', 'xml'])
    assert.equal(format.code, 2)
    const id = await steady(['env', 'up', 'cyc', '--config', p.config, '--id', 'Bad_Id'])
    assert.equal(id.code, 2)
    assert.match(id.err, /--id: "Bad_Id" is not a valid environment id/)
  } finally {
    p.cleanup()
  }
})

test.run()
