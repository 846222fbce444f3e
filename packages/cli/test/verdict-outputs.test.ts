/**
 * What `steady verdict` writes besides the verdict: `--report` (the HTML
 * report with the verdict in it), and the gate decision recorded into
 * steady health's e2e-gate process, which `steady health` then judges.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { main } from '@steady/cli'
import { addRun, emptyBaseline, serialiseBaseline, summariseRun } from '@steady/baseline'
import { syntheticRun, type SyntheticChange } from '@steady/baseline/testing'
import { FileStore, type Observation } from '@steady/process-health'

const root = mkdtempSync(join(tmpdir(), 'steady-verdict-out-'))
writeFileSync(
  join(root, 'steady.config.ts'),
  `export default { gates: { staging: { require: ['working', 'stable'], flakeBudget: 0.05 } } }\n`,
)

async function cli(...argv: string[]) {
  let out = ''
  let err = ''
  const code = await main(argv, {
    cwd: root,
    out: (s) => (out += s),
    err: (s) => (err += s),
    isTTY: false,
    env: { ...process.env, NO_COLOR: '1' },
  })
  return { code, out, err }
}

function run(i: number, more: { version?: string; change?: SyntheticChange } = {}): string {
  const dir = join(root, 'reports', `r${i}`)
  syntheticRun({
    seed: `out-${i}`,
    durationScale: 0.1,
    writeTo: dir,
    startedAt: new Date(Date.UTC(2026, 10, 1, i)),
    ...more,
  })
  return join(dir, 'run.json')
}

const runs = [0, 1, 2, 3].map((i) => run(i))
const baselineFile = join(root, 'baseline.json')
const file = emptyBaseline('synthetic-store')
for (const [i, p] of runs.entries())
  addRun(file, summariseRun(JSON.parse(readFileSync(p, 'utf8')), { distributions: true }), {
    by: 'test',
    now: new Date(Date.UTC(2026, 10, 2, i)),
    path: 'baseline.json',
  })
writeFileSync(baselineFile, serialiseBaseline(file))
const current = run(9)

test('--report writes the HTML report with the verdict in it, beside run.json', async () => {
  const r = await cli('verdict', current, '--baseline', baselineFile, '--gate', 'staging', '--report')
  assert.ok([0, 1, 3].includes(r.code), r.err)
  const html = readFileSync(join(root, 'reports', 'r9', 'report.html'), 'utf8')
  assert.match(html, 'staging')
  assert.not.match(html, 'No verdict')
  const named = await cli(
    'verdict',
    current,
    '--baseline',
    baselineFile,
    '--gate',
    'staging',
    '--report',
    'out/gate.html',
    '--no-record-health',
  )
  assert.is(named.code, r.code)
  assert.ok(existsSync(join(root, 'out', 'gate.html')))
})

test('each decision is recorded into the e2e-gate process; --no-record-health leaves it out', async () => {
  const store = join(root, '.steady', 'health')
  const count = () =>
    existsSync(store)
      ? readdirSync(store, { recursive: true })
          .filter((f) => String(f).endsWith('.jsonl'))
          .reduce(
            (n, f) =>
              n +
              readFileSync(join(store, String(f)), 'utf8')
                .split('\n')
                .filter(Boolean).length,
            0,
          )
      : 0
  const before = count()
  await cli('verdict', current, '--baseline', baselineFile, '--gate', 'staging')
  const after = count()
  assert.ok(after >= before + 2, `observations ${before} → ${after}`)
  await cli('verdict', current, '--baseline', baselineFile, '--gate', 'staging', '--no-record-health')
  assert.is(count(), after)
  const health = await cli('health', '--process', 'e2e-gate', '--format', 'json')
  assert.ok([0, 1, 3].includes(health.code), health.err)
  assert.match(health.out, 'e2e-gate')
  assert.match(health.out, 'pass_rate')
})

/** A config in its own folder (its own .steady/health), beside the shared runs. */
function project(name: string, health: string): string {
  const dir = join(root, name)
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, 'steady.config.ts'),
    `export default { gates: { staging: { require: ['working', 'stable'], flakeBudget: 0.05 } }, health: ${health} }\n`,
  )
  return join(dir, 'steady.config.ts')
}

async function gateHistory(config: string): Promise<Observation[]> {
  const store = new FileStore(join(config, '..', '.steady', 'health'))
  return store.read({ process: 'e2e-gate' })
}

test('the decision is recorded with its indicators and values, and the same version judged again records whether it flipped', async () => {
  const config = project('flake', '{}')
  const good = run(10, { version: '2.0.0' })
  const bad = run(11, { version: '2.0.0', change: { kind: 'failures', magnitude: 0.3 } })
  const first = await cli('verdict', good, '--baseline', baselineFile, '--gate', 'staging', '--config', config)
  assert.is(first.code, 0, first.out + first.err)
  let obs = await gateHistory(config)
  const fields = { verdict: 'pass', version: '2.0.0', run_id: JSON.parse(readFileSync(good, 'utf8')).id }
  assert.equal(
    obs.map((o) => [o.indicator, o.value]),
    [
      ['duration', obs[0].value],
      ['inconclusive_rate', 0],
      ['pass_rate', 1],
    ],
    'a version judged for the first time has no flaky outcome',
  )
  const durationS = JSON.parse(readFileSync(good, 'utf8')).durationMs / 1000
  assert.ok(Math.abs(obs[0].value - durationS) < 0.01, `duration ${obs[0].value} s, the run's ${durationS} s`)
  for (const o of obs) {
    assert.equal(o.labels, { gate: 'staging' })
    assert.equal(o.fields, fields)
  }
  const again = await cli('verdict', good, '--baseline', baselineFile, '--gate', 'staging', '--config', config)
  assert.is(again.code, 0)
  obs = await gateHistory(config)
  assert.equal(
    obs.filter((o) => o.indicator === 'flaky_rate').map((o) => o.value),
    [0],
    'the same verdict again: held',
  )
  const flipped = await cli('verdict', bad, '--baseline', baselineFile, '--gate', 'staging', '--config', config)
  assert.is(flipped.code, 1, flipped.out + flipped.err)
  obs = await gateHistory(config)
  const last = obs.filter((o) => o.fields?.verdict === 'fail')
  assert.equal(
    last.map((o) => [o.indicator, o.value]).sort(),
    [
      ['duration', last[0].value],
      ['flaky_rate', 1],
      ['inconclusive_rate', 0],
      ['pass_rate', 0],
    ].sort(),
  )
  assert.equal(
    obs.filter((o) => o.indicator === 'flaky_rate').map((o) => o.value),
    [0, 1],
    'the other verdict for 2.0.0: flipped',
  )
  const health = await cli('health', '--process', 'e2e-gate', '--format', 'json', '--config', config)
  const report = JSON.parse(health.out) as {
    processes: { indicators: { indicator: string; samples: { recent: number } }[] }[]
  }
  const flaky = report.processes[0].indicators.find((i) => i.indicator === 'flaky_rate')
  assert.is(flaky?.samples.recent, 2, health.out)
})

test('health.recordGateDecisions: false in the config records nothing', async () => {
  const config = project('opt-out', '{ recordGateDecisions: false }')
  const r = await cli('verdict', current, '--baseline', baselineFile, '--gate', 'staging', '--config', config)
  assert.ok([0, 1, 3].includes(r.code), r.err)
  assert.not.match(r.err, 'warning')
  assert.equal(await gateHistory(config), [])
  assert.not.ok(existsSync(join(root, 'opt-out', '.steady')))
})

test.run()
