/**
 * `npm run demo` (scripts/demo.ts) as a newcomer runs it, end to end on this
 * machine: the scenarios on a fresh store, then the 90-s paired soak of
 * candidate and control judged against each other (an A/A pair is never
 * judged not stable); usage errors; and Ctrl-C in the middle of it leaves
 * nothing running. The fault switches (demo-faults.serial.test.ts) and
 * `--history` (demo-history.serial.test.ts) have files of their own.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { demo, demoState, failing, groupGone, verdictOf } from './helpers/demo.ts'

const state = demoState()

test('the demo: the scenarios, then a paired A/A soak judged against its own control, never failed', async () => {
  const r = await demo(['--state', state])
  assert.match(r.out, '$ steady run --env local scenarios/store')
  assert.match(r.out, '$ steady soak demo --env local --control-env local')
  assert.not.match(r.out, /^\$ steady baseline add/m)
  const v = verdictOf(state)
  assert.is(v.mode, 'paired')
  // Both sides the same version: stable, or (on a machine too busy to tell) inconclusive; never not stable.
  assert.ok(r.code === 0 || r.code === 3, `A/A: exit ${r.code}; failing: ${failing(v)}\n${r.out.slice(-3000)}`)
  assert.match(r.out, r.code === 0 ? 'verdict: stable' : 'verdict: inconclusive')
  assert.match(r.out, 'npm run demo -- --fault leak')
  assert.ok(existsSync(join(state, 'latest', 'report.html')), 'the report is written')
  assert.ok(await groupGone(r.pid), 'nothing of the demo is left running')
})

test('an unknown fault switch is a usage error', async () => {
  const r = await demo(['--fault', 'gremlins', '--state', state])
  assert.is(r.code, 2)
  assert.match(r.out, 'use one of: latency, errors, leak, drift, contention, crash, offheap')
  const rebuild = await demo(['--rebuild', '--state', state])
  assert.is(rebuild.code, 2)
  assert.match(rebuild.out, '--rebuild rebuilds the baseline of --history')
})

test('Ctrl-C during the demo tears everything down and exits 130', async () => {
  let sent = false
  const r = await demo(['--scale', '0.15', '--state', demoState()], (text, pid) => {
    if (!sent && text.includes('--control-env local') && text.includes('phase quiet started')) {
      sent = true
      process.kill(-pid, 'SIGINT')
    }
  })
  assert.ok(sent, r.out.slice(-2000))
  assert.is(r.code, 130, r.out.slice(-3000))
  assert.match(r.out, 'interrupted: everything the demo started has been torn down')
  assert.ok(await groupGone(r.pid), 'no process of the demo is left')
})

test.run()
