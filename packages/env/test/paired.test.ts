/**
 * The two environments of a paired soak: side ids and tags, STEADY_SIDE and
 * STEADY_VERSION in the command provider's variables, both torn down when
 * the control fails to start, and what `steady env down <base>` removes.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { MAX_ID_LENGTH, sideId } from '../src/identity.ts'
import { listEnvironments } from '@steady/env'
import { expandPairedId, withPairedEnvironments } from '@steady/env/internal'
import type { CommandEnvironmentConfig } from '@steady/env'
import { alive, killGroup, rejection, service, tempProject } from './helpers.ts'

/** up: a node server in the background; it writes what STEADY_SIDE and STEADY_VERSION it saw. */
function sideConfig(project: string, which: string): CommandEnvironmentConfig {
  return {
    provider: 'command',
    env: { FIXTURE: service, PIDFILE: join(project, `${which}.pid`), SEEN: join(project, `${which}.seen`) },
    up: [
      'echo "$STEADY_SIDE ${STEADY_VERSION:-none} $STEADY_TAG_SIDE" > "$SEEN"',
      'node "$FIXTURE" > "$STEADY_LOG_DIR/server.out" 2>&1 &',
      'echo $! > "$PIDFILE"',
    ].join('\n'),
    urlCommand: [
      'for i in $(seq 200); do',
      '  grep -o "http://[0-9.:]*" "$STEADY_LOG_DIR/server.out" && exit 0; sleep 0.05',
      'done; exit 1',
    ].join('\n'),
    down: 'pid=$(cat "$PIDFILE") && kill "$pid" && while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done',
    readiness: { path: '/health', timeout: '10s' },
  }
}

test('side ids: a base gets the suffix, a derived one fits the length; env down <base> is both sides', () => {
  assert.is(sideId('pr-42', 'main', 'control'), 'pr-42-control')
  const long = sideId(undefined, 'feature/'.repeat(20), 'candidate')
  assert.ok(long.length <= MAX_ID_LENGTH && long.endsWith('-candidate'), long)
  assert.match(long, /^feature-feature-.*-[0-9a-f]{4}-candidate$/)
  assert.throws(() => sideId('x'.repeat(MAX_ID_LENGTH - 3), 'main', 'control'), /not a valid environment id/)
  const up = ['pr-42-candidate', 'pr-42-control', 'other']
  assert.equal(expandPairedId('pr-42', up), ['pr-42-candidate', 'pr-42-control'])
  assert.equal(expandPairedId('pr-42-control', ['pr-42-candidate', 'pr-42-control']), ['pr-42-control'])
  assert.equal(expandPairedId('gone', ['pr-42-candidate']), ['gone'])
})

test('paired environments: each side sees STEADY_SIDE (and its version), has a side tag; both torn down', async () => {
  const project = tempProject()
  const pids: number[] = []
  try {
    const config = { next: sideConfig(project.dir, 'next'), main: sideConfig(project.dir, 'main') }
    const base = { projectDir: project.dir, branch: 'main', config, id: 'pair' }
    const control = { ...base, name: 'main', version: '1.4.2' }
    const ids = await withPairedEnvironments({ ...base, name: 'next' }, control, async (cand, ctrl) => {
      pids.push(...['next', 'main'].map((w) => Number(readFileSync(join(project.dir, `${w}.pid`), 'utf8'))))
      assert.ok(pids.every(alive))
      assert.equal([cand.id, ctrl.id], ['pair-candidate', 'pair-control'])
      assert.equal([cand.tags.side, ctrl.tags.side], ['candidate', 'control'])
      const { environments } = await listEnvironments({ projectDir: project.dir })
      const listed = environments.map((e) => `${e.id}:${e.tags.side}`).sort()
      assert.equal(listed, ['pair-candidate:candidate', 'pair-control:control'])
      return [cand.id, ctrl.id]
    })
    assert.equal(ids, ['pair-candidate', 'pair-control'])
    assert.is(readFileSync(join(project.dir, 'next.seen'), 'utf8').trim(), 'candidate none candidate')
    assert.is(readFileSync(join(project.dir, 'main.seen'), 'utf8').trim(), 'control 1.4.2 control')
    assert.not.ok(pids.some(alive), 'both servers stopped')
    assert.equal((await listEnvironments({ projectDir: project.dir })).environments, [])
  } finally {
    for (const pid of pids) killGroup(pid)
    project.cleanup()
  }
})

test('a control that fails to start: its error (exit 2), the candidate torn down, nothing listed', async () => {
  const project = tempProject()
  let pid: number | undefined
  try {
    const url = 'http://127.0.0.1:9'
    const broken: CommandEnvironmentConfig = { provider: 'command', up: 'exit 3', down: 'true', url }
    const config = { next: sideConfig(project.dir, 'next'), broken }
    const base = { projectDir: project.dir, branch: 'main', config }
    let ran = false
    const error = await rejection(() =>
      withPairedEnvironments({ ...base, name: 'next' }, { ...base, name: 'broken' }, async () => {
        ran = true
      }),
    )
    assert.not.ok(ran)
    assert.match(error.message, 'environment "broken"')
    assert.is(error.exitCode, 2)
    pid = Number(readFileSync(join(project.dir, 'next.pid'), 'utf8'))
    assert.not.ok(alive(pid), 'the candidate was torn down')
    assert.equal((await listEnvironments({ projectDir: project.dir })).environments, [])
  } finally {
    killGroup(pid)
    project.cleanup()
  }
})

test('interrupted with a soak that never ends: the call returns only once both sides are down', async () => {
  const project = tempProject()
  const pids: number[] = []
  try {
    // The control takes a second to go down: longer than the grace given to the work after the interrupt.
    const slow = sideConfig(project.dir, 'main')
    const config = { next: sideConfig(project.dir, 'next'), main: { ...slow, down: `sleep 1; ${slow.down}` } }
    const abort = new AbortController()
    const base = { projectDir: project.dir, branch: 'main', config, signal: abort.signal, abortGraceMs: 100 }
    const error = await rejection(() =>
      withPairedEnvironments({ ...base, name: 'next' }, { ...base, name: 'main' }, () => {
        pids.push(...['next', 'main'].map((w) => Number(readFileSync(join(project.dir, `${w}.pid`), 'utf8'))))
        abort.abort()
        return new Promise<never>(() => {})
      }),
    )
    assert.match(error.message, 'interrupted')
    assert.is(pids.length, 2)
    assert.not.ok(pids.some(alive), 'both servers stopped before the call returned')
    assert.equal((await listEnvironments({ projectDir: project.dir })).environments, [])
  } finally {
    for (const pid of pids) killGroup(pid)
    project.cleanup()
  }
})

test.run()
