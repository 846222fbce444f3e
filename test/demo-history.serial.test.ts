/**
 * `npm run demo -- --history` (scripts/demo.ts), end to end on this machine
 * at a small scale: a baseline of three clean soaks built once, reused, and
 * built again when the demo plan changed; faults judged against it.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { comparisonRuns, readBaseline } from '@steady/baseline'
import { demo, demoState, failing, notStableOrSaturated, verdictOf } from './helpers/demo.ts'

const state = demoState()

test('--history: a baseline of this machine built once, then reused; a plan change rebuilds it', async () => {
  const first = await demo(['--scale', '0.3', '--state', state, '--history', '--fault', 'leak'])
  assert.match(first.out, 'first soaks the clean store 3 times')
  // Three runs added (on a busy machine a refused one is added again with --force and a reason).
  assert.is((first.out.match(/^\$ steady baseline add (?!.*--force)/gm) ?? []).length, 3)
  assert.is(comparisonRuns(await readBaseline(join(state, 'baseline.json'))).length, 3)
  assert.match(first.out, '$ steady verdict')
  assert.is(first.code, 1, `the leaking store is judged not stable: exit ${first.code}\n${first.out.slice(-3000)}`)
  const leak = verdictOf(state)
  assert.is(leak.mode, 'verdict')
  assert.ok(
    leak.findings.some((f) => f.kind === 'leak' && f.primary && f.status === 'fail'),
    `a failing leak finding: ${leak.findings
      .filter((f) => f.kind === 'leak')
      .map((f) => `${f.status} ${f.message}`)
      .join('; ')}`,
  )
  assert.ok(existsSync(join(state, 'latest', 'report.html')), 'the report is written')

  // A baseline made with another demo plan (its hash in the runs differs) is not reused: it is made again,
  // here with the contention switch on (a pool too small for the load: the waits grow with it).
  const file = join(state, 'baseline.json')
  const kept = JSON.parse(readFileSync(file, 'utf8')) as {
    runs: Record<string, { summary?: { comparability: { planHash: string } } }>
  }
  for (const run of Object.values(kept.runs)) if (run.summary) run.summary.comparability.planHash = 'an-older-plan'
  writeFileSync(file, JSON.stringify(kept))
  const second = await demo(['--scale', '0.3', '--state', state, '--history', '--fault', 'contention'])
  assert.match(second.out, 'the demo plan in steady.config.ts changed since it was made')
  assert.is((second.out.match(/^\$ steady baseline add (?!.*--force)/gm) ?? []).length, 3, second.out.slice(-3000))
  const contention = notStableOrSaturated(state, '--history --fault contention', second)
  assert.ok(
    second.code === 3 ||
      contention.findings.some(
        (f) => f.primary && f.status === 'fail' && ['load-latency', 'level', 'tail'].includes(f.kind),
      ),
    `a failing latency-under-load finding: ${failing(contention)}`,
  )

  // The baseline is reused the next time.
  const third = await demo(['--scale', '0.3', '--state', state, '--history', '--fault', 'errors'])
  assert.match(third.out, 'Reusing the baseline')
  assert.not.match(third.out, /^\$ steady baseline add/m)
  assert.is(third.code, 1, `--history --fault errors: exit ${third.code}\n${third.out.slice(-3000)}`)
})

test.run()
