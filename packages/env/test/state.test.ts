/**
 * State in `.steady/envs/`: one file per environment, safe when several
 * commands start and stop environments at once, and a teardown from the
 * record that never kills a PID the kernel has given to another process.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startEnvironment, stopEnvironment, listEnvironments, type StartOptions } from '@steady/env'
import { envsDir, type EnvironmentRecord } from '../src/state.ts'
import { alive, killGroup, rejection, service, tempProject } from './helpers.ts'

const config: StartOptions['config'] = {
  local: { services: { api: { command: process.execPath, args: [service], port: 'auto' } } },
}

test('four environments started at once on one branch: four ids, four files, all listed, all stopped', async () => {
  const project = tempProject()
  const handles = await Promise.all(
    [1, 2, 3, 4].map(() =>
      startEnvironment({ name: 'local', projectDir: project.dir, branch: 'main', config, keep: true }),
    ),
  )
  try {
    const ids = handles.map((h) => h.env.id)
    assert.equal(new Set(ids).size, 4)
    const files = readdirSync(envsDir(project.dir)).filter((f) => f.endsWith('.json'))
    assert.equal(files.sort(), ids.map((id) => `${id}.json`).sort())
    const { environments, errors } = await listEnvironments({ projectDir: project.dir })
    assert.equal(errors, [])
    assert.equal(environments.map((e) => e.id).sort(), [...ids].sort())
    assert.ok(environments.every((e) => e.status === 'up' && e.running === true && e.heldBy === undefined))
    await Promise.all(ids.map((id) => stopEnvironment(id, { projectDir: project.dir })))
    for (const h of handles) assert.not.ok(alive(h.env.services[0].pid))
    assert.equal((await listEnvironments({ projectDir: project.dir })).environments, [])
    assert.equal(readdirSync(envsDir(project.dir)), [])
  } finally {
    for (const h of handles) killGroup(h.env.services[0].pid)
    project.cleanup()
  }
})

test('two starts with the same --id at once: exactly one wins, the other says the id is taken', async () => {
  const project = tempProject()
  const results = await Promise.allSettled(
    [1, 2].map(() => startEnvironment({ name: 'local', projectDir: project.dir, branch: 'main', id: 'pr-7', config })),
  )
  const ok = results.filter((r) => r.status === 'fulfilled')
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
  try {
    assert.equal(ok.length, 1)
    assert.equal(failed.length, 1)
    assert.equal(failed[0].reason.code, 'STEADY_ENV_EXISTS')
    assert.match(failed[0].reason.hint, /steady env down pr-7/)
  } finally {
    for (const r of ok) await r.value.down()
    project.cleanup()
  }
})

test('env down checks the start time: a PID that now belongs to another process is left alone', async () => {
  const project = tempProject()
  const handle = await startEnvironment({ name: 'local', projectDir: project.dir, branch: 'main', config, keep: true })
  const [api] = handle.env.services
  try {
    // Make the record say the PID started at another time, as it would after the kernel reused it.
    const file = join(envsDir(project.dir), `${handle.env.id}.json`)
    const record = JSON.parse(readFileSync(file, 'utf8')) as EnvironmentRecord
    const state = record.providerState as { services: { startToken: string }[] }
    state.services[0].startToken = 'linux:1:1'
    writeFileSync(file, JSON.stringify(record))
    const lines: string[] = []
    await stopEnvironment(handle.env.id, { projectDir: project.dir, log: (l) => lines.push(l) })
    assert.ok(alive(api.pid), 'the process with the reused PID was killed')
    assert.ok(
      lines.some((l) => l.includes(`api: pid ${api.pid} now belongs to another process; left alone`)),
      lines.join('\n'),
    )
  } finally {
    killGroup(api.pid)
    project.cleanup()
  }
})

test('an environment whose processes died is listed as exited; an unknown id is a clear error', async () => {
  const project = tempProject()
  const handle = await startEnvironment({ name: 'local', projectDir: project.dir, branch: 'main', config, keep: true })
  try {
    killGroup(handle.env.services[0].pid)
    await new Promise((r) => setTimeout(r, 200))
    const { environments } = await listEnvironments({ projectDir: project.dir })
    assert.equal(
      environments.map((e) => [e.id, e.status, e.running]),
      [[handle.env.id, 'exited', false]],
    )
    await stopEnvironment(handle.env.id, { projectDir: project.dir })
    const error = await rejection(() => stopEnvironment(handle.env.id, { projectDir: project.dir }))
    assert.equal(error.code, 'STEADY_ENV_NOT_FOUND')
    assert.match(error.hint!, /steady env ls/)
  } finally {
    project.cleanup()
  }
})

test.run()
