/**
 * The soak `steady init` sets up, and the verdicts after it, as its workflow runs them (shorter): the
 * generated `default` plan on a fresh `local` environment (the service started
 * with npm start), its load profiles running the example scenario, ending in a
 * complete run record. About 10 s.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { copyFileSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { main } from '@steady/cli'
import { readRunRecord } from '@steady/record'

const repoRoot = join(import.meta.dirname, '../../..')

test('steady soak --env local runs the generated plan with its load profiles and writes a complete record', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'steady-init-soak-'))
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'items-api', type: 'module', scripts: { start: 'node server.mjs' } }),
  )
  copyFileSync(join(import.meta.dirname, 'fixtures/init/items-service.mjs'), join(dir, 'server.mjs'))
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir')
  let out = ''
  let err = ''
  const io = {
    env: { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '' },
    out: (s: string) => void (out += s),
    err: (s: string) => void (err += s),
    isTTY: false,
  }
  assert.is(await main(['init'], { cwd: dir, ...io }), 0, err)

  const code = await main(
    ['soak', '--env', 'local', '--duration-scale', '0.01', '--out', 'reports/soak', '--seed', 'init'],
    { cwd: dir, ...io },
  )
  assert.is(code, 0, out + err)
  assert.match(
    err,
    'plan default, warmup 300ms → quiet 1.2s → nominal 3s (nominal) → peak 1.2s (peak) → recovery 600ms',
  )
  assert.match(err, 'torn down')
  const record = await readRunRecord(join(dir, 'reports/soak/run.json'))
  assert.ok(record.complete)
  assert.is(record.subject.service, 'items-api')
  assert.equal(
    record.phases.map((p) => p.name),
    ['warmup', 'quiet', 'nominal', 'peak', 'recovery'],
  )
  const loaded = record.phases.filter((p) => p.load)
  assert.equal(
    loaded.map((p) => p.load!.profile),
    ['nominal', 'peak'],
  )
  for (const p of loaded) assert.ok(p.load!.iterations > 0, `${p.name} sent load`)
  const probe = record.scenarios.find((s) => s.name === 'an item is created and gets processed')
  assert.ok(probe && probe.iterations > 0 && probe.failed === 0, JSON.stringify(record.scenarios))

  // The workflow's next steps, with the generated gates: no baseline yet is inconclusive (exit 3, which the workflow fails on).
  out = ''
  err = ''
  const first = await main(
    [
      'verdict',
      'reports/soak/run.json',
      '--baseline',
      'baselines/items-api.json',
      '--gate',
      'staging',
      '--format',
      'markdown',
    ],
    { cwd: dir, ...io },
  )
  assert.is(first, 3, out + err)
  assert.match(out, 'no baseline')
  // The run starts the baseline; one run is still too few for the staging gate (minBaselineRuns 3).
  // On a busy machine the generator may saturate, and baseline add rightly refuses such a run without
  // --force: this test is about the workflow's steps, so it adds the run whatever the machine did.
  const add = [
    'baseline',
    'add',
    'reports/soak/run.json',
    '--baseline',
    'baselines/items-api.json',
    '--gate',
    'staging',
  ]
  const reason = ['--force', '--reason', 'the init test starts a baseline; a shared machine may saturate the generator']
  assert.is(await main([...add, ...reason], { cwd: dir, ...io }), 0, out + err)
  out = ''
  const second = await main(
    [
      'verdict',
      'reports/soak/run.json',
      '--baseline',
      'baselines/items-api.json',
      '--gate',
      'staging',
      '--format',
      'markdown',
    ],
    { cwd: dir, ...io },
  )
  assert.is(second, 3, out + err)
  assert.match(out, 'comparable')
  // The integration gate asks only "working?": the run passes it.
  out = ''
  assert.is(
    await main(['verdict', 'reports/soak/run.json', '--gate', 'integration'], { cwd: dir, ...io }),
    0,
    out + err,
  )
})

test.run()
