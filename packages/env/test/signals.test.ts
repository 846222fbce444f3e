/**
 * Never leave anything behind: a process holding an environment (the CLI's
 * interrupt pattern, in fixtures/hold.ts) is sent SIGINT or SIGTERM; it tears
 * the environment down and exits 130/143, and afterwards no service process
 * (nor a service's own child) survives and every port is free again.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { readdirSync } from 'node:fs'
import { envsDir } from '../src/state.ts'
import { listEnvironments, stopEnvironment, type RunningEnvironment } from '@steady/env'
import { alive, fixtures, killGroup, portFree, portOf, service, tempProject } from './helpers.ts'

const root = join(import.meta.dirname, '..', '..', '..')

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} to the holder: teardown runs, exit ${signal === 'SIGINT' ? 130 : 143}, no process survives, ports are free`, async () => {
    const project = tempProject()
    const child = spawn(
      process.execPath,
      ['--conditions=steady-source', '--import', 'tsx', join(fixtures, 'hold.ts'), project.dir, service],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stdout = ''
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d))
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
    let env: (RunningEnvironment & { grandchild: number }) | undefined
    try {
      env = await new Promise((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          stdout += d
          const line = stdout.split('\n').find((l) => l.startsWith('{'))
          if (line) resolve(JSON.parse(line))
        })
        void exited.then(() => reject(new Error(`holder exited early:\n${stderr}`)))
      })
      assert.equal(env!.services.length, 2)
      for (const s of env!.services) assert.ok(alive(s.pid))
      assert.ok(alive(env!.grandchild))
      child.kill(signal)
      const code = await exited
      assert.equal(code, signal === 'SIGINT' ? 130 : 143, stderr)
      assert.match(stderr, /tearing down/)
      for (const s of env!.services) {
        assert.not.ok(alive(s.pid), `${s.name} (pid ${s.pid}) survived ${signal}`)
        assert.ok(await portFree(portOf(s.url!)), `${s.name}'s port ${portOf(s.url!)} is still taken`)
      }
      assert.not.ok(alive(env!.grandchild), 'a service child survived')
      assert.equal(
        readdirSync(envsDir(project.dir)).filter((f) => f.endsWith('.json')),
        [],
      )
    } finally {
      child.kill('SIGKILL')
      for (const s of env?.services ?? []) killGroup(s.pid)
      project.cleanup()
    }
  })
}

/** Runs a fixture script that prints its environment as the first JSON line; resolves with it and the exit. */
function runFixture(script: string, projectDir: string) {
  const child = spawn(
    process.execPath,
    ['--conditions=steady-source', '--import', 'tsx', join(fixtures, script), projectDir, service],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let stdout = ''
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d))
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
  const env = new Promise<RunningEnvironment & { grandchild: number }>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d
      const line = stdout.split('\n').find((l) => l.startsWith('{'))
      if (line) resolve(JSON.parse(line))
    })
    void exited.then(() =>
      setTimeout(() => reject(new Error(`${script} exited without an environment:\n${stderr}`)), 50),
    )
  })
  return { child, env, exited, stderr: () => stderr }
}

test('process.exit() without a teardown: the exit hook kills the services (even one ignoring SIGTERM) and their children', async () => {
  const project = tempProject()
  const run = runFixture('exit-without-down.ts', project.dir)
  let env: (RunningEnvironment & { grandchild: number }) | undefined
  try {
    env = await run.env
    assert.equal(await run.exited, 3)
    const [api] = env.services
    assert.not.ok(alive(api.pid), 'the service survived the exit')
    assert.not.ok(alive(env.grandchild), "the service's child survived the exit")
    assert.ok(await portFree(portOf(api.url!)))
    // The state file stays (the exit could not remove it): ls shows the run is gone, down cleans up.
    const { environments } = await listEnvironments({ projectDir: project.dir })
    assert.equal(
      environments.map((e) => [e.id, e.status]),
      [[env.id, 'orphaned']],
    )
    await stopEnvironment(env.id, { projectDir: project.dir })
  } finally {
    run.child.kill('SIGKILL')
    for (const s of env?.services ?? []) killGroup(s.pid)
    project.cleanup()
  }
})

test('kill -9 of the holder leaves the services running: ls shows it orphaned, env down removes it', async () => {
  const project = tempProject()
  const run = runFixture('hold.ts', project.dir)
  let env: (RunningEnvironment & { grandchild: number }) | undefined
  try {
    env = await run.env
    run.child.kill('SIGKILL')
    await run.exited
    for (const s of env.services) assert.ok(alive(s.pid), 'nothing can run after SIGKILL: the services are still up')
    const { environments } = await listEnvironments({ projectDir: project.dir })
    assert.equal(
      environments.map((e) => [e.id, e.status, e.running]),
      [[env.id, 'orphaned', true]],
    )
    await stopEnvironment(env.id, { projectDir: project.dir })
    for (const s of env.services) {
      assert.not.ok(alive(s.pid))
      assert.ok(await portFree(portOf(s.url!)))
    }
    assert.not.ok(alive(env.grandchild))
  } finally {
    run.child.kill('SIGKILL')
    for (const s of env?.services ?? []) killGroup(s.pid)
    project.cleanup()
  }
})

test.run()
