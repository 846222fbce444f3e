/**
 * `steady run --env <name>` with the real CLI: a fresh environment comes up,
 * the scenarios run against it, and it is torn down after a pass, after a
 * failure, and when the CLI gets SIGINT or SIGTERM mid-run (exit 130/143);
 * no service process survives and its port is free again. `--keep` leaves it
 * for `steady env down`. The last test is the "done when": the demo
 * store from this repo's steady.config.ts.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createServer } from 'node:net'

const root = join(import.meta.dirname, '..', '..', '..')
const bin = join(root, 'packages', 'cli', 'src', 'bin.ts')

const server = `
import { createServer } from 'node:http'
import { spawn } from 'node:child_process'
// A child of the service, in its process group: teardown must stop it too.
const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
const s = createServer((req, res) => {
  if (req.url === '/health') return res.writeHead(200).end('ok')
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: process.env.STEADY_ENV_ID, child: child.pid }))
})
s.listen(0, '127.0.0.1', () => console.log('svc listening on http://127.0.0.1:' + s.address().port))
process.on('SIGTERM', () => { child.kill(); s.close(() => process.exit(0)); s.closeAllConnections() })
`

const scenarios = `
import { writeFileSync } from 'node:fs'
import { scenario, expect } from '@steady/scenario'

export const answers = scenario('the service answers with its environment id', async ({ http, baseUrl }) => {
  const r = await http.get('/')
  expect(r).toHaveStatus(200)
  const body = r.json() as { id: string; child: number }
  writeFileSync(process.env.SEEN_FILE!, JSON.stringify({ ...body, url: baseUrl }))
  if (process.env.FAIL_SCENARIO) expect(body.id).toBe('another-id')
})

export const longRun = scenario('a long run @long', async ({ http, signal }) => {
  await http.get('/health')
  writeFileSync(process.env.MARK_FILE!, 'running')
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, 60_000)
    signal.addEventListener('abort', () => { clearTimeout(t); resolve() }, { once: true })
  })
})
`

/** A project inside the repo (test-artifacts/, git-ignored) so its scenarios resolve @steady/scenario. */
function project() {
  mkdirSync(join(root, 'test-artifacts'), { recursive: true })
  const dir = mkdtempSync(join(root, 'test-artifacts', 'env-run-'))
  mkdirSync(join(dir, 'scenarios'))
  writeFileSync(join(dir, 'server.mjs'), server)
  writeFileSync(join(dir, 'scenarios', 'svc.scenario.ts'), scenarios)
  writeFileSync(
    join(dir, 'steady.config.ts'),
    `export default {\n  scenarios: ['scenarios/*.scenario.ts'],\n  environments: { local: { services: { svc: { command: ${JSON.stringify(process.execPath)}, args: ['server.mjs'], port: 0, readiness: { path: '/health' } } } } },\n}\n`,
  )
  return {
    dir,
    config: join(dir, 'steady.config.ts'),
    seen: join(dir, 'seen.json'),
    mark: join(dir, 'mark'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  }
}

function cli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--conditions=steady-source', '--import', 'tsx', bin, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', ...env },
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => (out += d))
  child.stderr.on('data', (d: Buffer) => (err += d))
  return {
    code: new Promise<number | null>((r) => child.once('close', (c) => r(c))),
    out: () => out,
    err: () => err,
    kill: (s: NodeJS.Signals) => child.kill(s),
  }
}

function alive(pid: number): boolean {
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

const servicePid = (stderr: string) => Number(stderr.match(/svc: started \(pid (\d+)\)/)?.[1])

async function assertNothingLeft(p: ReturnType<typeof project>, pid: number) {
  const seen = JSON.parse(readFileSync(p.seen, 'utf8')) as { child: number; url: string }
  assert.not.ok(alive(pid), `the service (pid ${pid}) survived`)
  assert.not.ok(alive(seen.child), `the service's child (pid ${seen.child}) survived`)
  assert.ok(await portFree(Number(new URL(seen.url).port)), 'the port is still taken')
  assert.equal(
    readdirSync(join(p.dir, '.steady', 'envs')).filter((f) => f.endsWith('.json')),
    [],
    'a state file is left',
  )
}

test('run --env: up, scenarios pass against it, torn down; the record names the environment and its tags', async () => {
  const p = project()
  const c = cli(
    [
      'run',
      '--config',
      p.config,
      '--env',
      'local',
      '--grep',
      'answers',
      '--tag',
      'team=checkout',
      '--branch',
      'feature/x',
      '--out',
      join(p.dir, 'out'),
    ],
    { SEEN_FILE: p.seen, MARK_FILE: p.mark },
  )
  let pid: number | undefined
  try {
    assert.equal(await c.code, 0, c.err() + c.out())
    pid = servicePid(c.err())
    const seen = JSON.parse(readFileSync(p.seen, 'utf8')) as { id: string }
    assert.match(seen.id, /^feature-x-[0-9a-f]{4}$/)
    const record = JSON.parse(readFileSync(join(p.dir, 'out', 'run.json'), 'utf8')) as {
      subject: {
        branch: string
        environment: { id: string; name: string; provider: string; tags: Record<string, string> }
      }
    }
    assert.equal(record.subject.environment, {
      ...record.subject.environment,
      id: seen.id,
      name: 'local',
      provider: 'process',
      tags: { team: 'checkout' },
    })
    assert.equal(record.subject.branch, 'feature/x')
    assert.ok(existsSync(join(p.dir, 'out', 'env', 'svc.log')), 'the service log sits next to the run record')
    await assertNothingLeft(p, pid)
  } finally {
    killGroup(pid)
    p.cleanup()
  }
})

test('run --env: a failing scenario exits 1 and still tears down', async () => {
  const p = project()
  const c = cli(
    [
      'run',
      '--config',
      p.config,
      '--env',
      'local',
      '--grep',
      'answers',
      '--reporter',
      'pretty',
      '--out',
      join(p.dir, 'out'),
    ],
    { SEEN_FILE: p.seen, MARK_FILE: p.mark, FAIL_SCENARIO: '1' },
  )
  let pid: number | undefined
  try {
    assert.equal(await c.code, 1, c.err() + c.out())
    pid = servicePid(c.err())
    await assertNothingLeft(p, pid)
  } finally {
    killGroup(pid)
    p.cleanup()
  }
})

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`run --env: ${signal} mid-run tears the environment down, exit ${signal === 'SIGINT' ? 130 : 143}, nothing left`, async () => {
    const p = project()
    const c = cli(
      ['run', '--config', p.config, '--env', 'local', '--reporter', 'pretty', '--out', join(p.dir, 'out')],
      { SEEN_FILE: p.seen, MARK_FILE: p.mark },
    )
    let pid: number | undefined
    try {
      const deadline = Date.now() + 30_000
      while (!existsSync(p.mark) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25))
      assert.ok(existsSync(p.mark), `the long scenario never started:\n${c.err()}${c.out()}`)
      pid = servicePid(c.err())
      assert.ok(alive(pid))
      c.kill(signal)
      assert.equal(await c.code, signal === 'SIGINT' ? 130 : 143, c.err() + c.out())
      assert.match(c.err(), /tearing down/)
      await assertNothingLeft(p, pid)
    } finally {
      c.kill('SIGKILL')
      killGroup(pid)
      p.cleanup()
    }
  })
}

test('run --env --keep leaves it running for env down', async () => {
  const p = project()
  const c = cli(
    [
      'run',
      '--config',
      p.config,
      '--env',
      'local',
      '--keep',
      '--id',
      'kept-1',
      '--grep',
      'answers',
      '--reporter',
      'pretty',
      '--out',
      join(p.dir, 'out'),
    ],
    { SEEN_FILE: p.seen, MARK_FILE: p.mark },
  )
  let pid: number | undefined
  try {
    assert.equal(await c.code, 0, c.err())
    pid = servicePid(c.err())
    assert.ok(alive(pid), 'kept: the service runs after the CLI exited')
    assert.match(c.err(), /is kept: tear it down with `steady env down kept-1`/)
    const down = cli(['env', 'down', 'kept-1', '--config', p.config])
    assert.equal(await down.code, 0, down.err())
    await assertNothingLeft(p, pid)
  } finally {
    killGroup(pid)
    p.cleanup()
  }
})

test('done when: steady env up local brings the demo store up from steady.config.ts; run --env local scenarios/store passes and leaves nothing', async () => {
  const id = `demo-check-${process.pid}`
  const up = cli(['env', 'up', 'local', '--id', id, '--format', 'json'])
  let pids: number[] = []
  try {
    assert.equal(await up.code, 0, up.err())
    const env = JSON.parse(up.out()) as { url: string; services: { pid: number; url: string }[] }
    pids = env.services.map((s) => s.pid)
    const health = await fetch(`${env.url}/health`)
    assert.equal(health.status, 200)
    const down = cli(['env', 'down', id])
    assert.equal(await down.code, 0, down.err())
    for (const s of env.services) {
      assert.not.ok(alive(s.pid))
      assert.ok(await portFree(Number(new URL(s.url).port)))
    }
    if (!existsSync(join(root, 'scenarios', 'store'))) {
      console.log('[note] scenarios/store is not in the repo yet: steady run --env local scenarios/store not exercised')
      return
    }
    const run = cli([
      'run',
      '--env',
      'local',
      'scenarios/store',
      '--reporter',
      'pretty',
      '--out',
      join(root, 'test-artifacts', `env-run-demo-${process.pid}`),
    ])
    const code = await run.code
    pids = [...run.err().matchAll(/started \(pid (\d+)\)/g)].map((m) => Number(m[1]))
    assert.equal(code, 0, run.err() + run.out())
    assert.ok(pids.length > 0)
    for (const pid of pids) assert.not.ok(alive(pid), `pid ${pid} survived steady run --env local`)
    const ports = [...run.err().matchAll(/ready at (http:\/\/\S+)/g)].map((m) => Number(new URL(m[1]).port))
    assert.equal(ports.length, pids.length, `every started service reports where it is ready:\n${run.err()}`)
    for (const port of ports)
      assert.ok(await portFree(port), `port ${port} is still taken after steady run --env local`)
  } finally {
    for (const pid of pids) killGroup(pid)
    rmSync(join(root, 'test-artifacts', `env-run-demo-${process.pid}`), { recursive: true, force: true })
  }
})

test.run()
