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
import { envsDir, type RunningEnvironment } from '@steady/env'
import { alive, fixtures, killGroup, portFree, portOf, service, tempProject } from './helpers.ts'

const root = join(import.meta.dirname, '..', '..', '..')

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} to the holder: teardown runs, exit ${signal === 'SIGINT' ? 130 : 143}, no process survives, ports are free`, async () => {
    const project = tempProject()
    const child = spawn(process.execPath, ['--conditions=steady-source', '--import', 'tsx', join(fixtures, 'hold.ts'), project.dir, service], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
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
      assert.equal(readdirSync(envsDir(project.dir)).filter((f) => f.endsWith('.json')), [])
    } finally {
      child.kill('SIGKILL')
      for (const s of env?.services ?? []) killGroup(s.pid)
      project.cleanup()
    }
  })
}

test.run()
