/**
 * The done-when of issue 10, through the CLI: a generated CI history with a
 * slowdown in its last days is degraded on cycle_time (exit 1), a steady one
 * healthy (exit 0); plus recording, bad input (exit 2) and unknown (exit 3).
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FileStore } from '@steady/process-health'
import { ciHistory } from './helpers/ci-history.ts'
import { steady } from './helpers/steady-cli.ts'

const config = join(import.meta.dirname, 'fixtures', 'health.config.ts')
const now = Date.parse('2025-03-10T12:00:00Z')
const nowIso = new Date(now).toISOString()

async function storeWith(slowdown: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'steady-health-cli-'))
  await new FileStore(dir).append(ciHistory({ now, seed: 5, slowdown }))
  return dir
}

test('a steady CI history is healthy: exit 0', async () => {
  const store = await storeWith(1)
  const r = await steady([
    'health',
    '--process',
    'ci',
    '--store',
    store,
    '--at',
    nowIso,
    '--format',
    'json',
    '--config',
    config,
  ])
  assert.is(r.code, 0, r.err + r.out)
  const report = JSON.parse(r.out)
  assert.is(report.schema, 'steady.health/1')
  assert.is(report.state, 'healthy')
  assert.is(report.at, '2025-03-10T12:00:00Z')
  assert.equal(
    report.processes[0].indicators.map((i: { indicator: string; state: string }) => `${i.indicator}:${i.state}`),
    ['cycle_time:healthy', 'queue_time:healthy', 'success_rate:healthy', 'flaky_rate:healthy'],
  )
  assert.is(report.processes[0].owner, 'platform-team')
})

test('a slowdown injected in the last days is degraded on cycle_time: exit 1', async () => {
  const store = await storeWith(1.6)
  const json = await steady([
    'health',
    '--process',
    'ci',
    '--store',
    store,
    '--at',
    nowIso,
    '--format',
    'json',
    '--config',
    config,
  ])
  assert.is(json.code, 1, json.err + json.out)
  const ci = JSON.parse(json.out).processes[0]
  assert.is(ci.state, 'degraded')
  const states = Object.fromEntries(
    ci.indicators.map((i: { indicator: string; state: string }) => [i.indicator, i.state]),
  )
  assert.equal(states, {
    cycle_time: 'degraded',
    queue_time: 'healthy',
    success_rate: 'healthy',
    flaky_rate: 'healthy',
  })

  const text = await steady(['health', '--store', store, '--at', nowIso, '--config', config])
  assert.is(text.code, 1)
  assert.match(text.out, /^process health at 2025-03-10T12:00:00Z \(files under .*\): DEGRADED$/m)
  assert.match(text.out, /^ci \(owner platform-team\): DEGRADED$/m)
  assert.match(text.out, /^  degraded on cycle_time: /m)
  assert.match(text.out, /^  cycle_time +degraded +\d+m \d+s +9m \d+s +336\/36/m)
  // Processes without history that the config does not declare are left out; declared ones are shown.
  assert.not.match(text.out, /dora/)
  assert.match(text.out, /^review \(owner eng-leads\): UNKNOWN$/m)

  const markdown = await steady([
    'health',
    '--process',
    'ci',
    '--store',
    store,
    '--at',
    nowIso,
    '--format',
    'markdown',
    '--config',
    config,
  ])
  assert.is(markdown.code, 1)
  assert.match(markdown.out, /^### ci: \*\*degraded\*\*$/m)
  assert.match(markdown.out, /^\| cycle_time \| \*\*degraded\*\* \| \d+m \d+s \| 9m \d+s \| 336\/36 \| .* \|$/m)
})

test('health record appends one observation at its own time; ids in labels are bad input (exit 2)', async () => {
  const store = mkdtempSync(join(tmpdir(), 'steady-health-rec-'))
  const ok = await steady([
    'health',
    'record',
    '--process',
    'ci',
    '--indicator',
    'cycle_time',
    '--value',
    '9m41s',
    '--at',
    '2025-03-10T11:00:00Z',
    '--label',
    'branch=main',
    '--field',
    'commit=3f2a9c1e7b',
    '--store',
    store,
    '--config',
    config,
  ])
  assert.is(ok.code, 0, ok.err)
  const id = /\(id (r-[0-9a-f]{12})\)\n$/.exec(ok.out)?.[1]
  assert.ok(id, ok.out)
  const what = 'ci.cycle_time = 9m 41s (581 s) at 2025-03-10T11:00:00.000Z {branch=main}'
  assert.is(ok.out, `recorded ${what} in files under ${store} (id ${id})\n`)
  const line = JSON.parse(readFileSync(join(store, 'ci', '2025-03.jsonl'), 'utf8'))
  assert.equal(line, {
    v: 1,
    process: 'ci',
    indicator: 'cycle_time',
    value: 581,
    at: '2025-03-10T11:00:00.000Z',
    labels: { branch: 'main' },
    fields: { commit: '3f2a9c1e7b' },
    id,
  })

  const bad = await steady([
    'health',
    'record',
    '--process',
    'ci',
    '--indicator',
    'cycle_time',
    '--value',
    '1m',
    '--label',
    'branch=3f2a9c1e7b',
    '--store',
    store,
    '--config',
    config,
  ])
  assert.is(bad.code, 2)
  assert.match(
    bad.err,
    /^error: labels\.branch="3f2a9c1e7b" would create a new series per run: it looks like a commit SHA/m,
  )
  assert.match(bad.err, /→ put it in the observation's fields instead: --field branch=3f2a9c1e7b/)

  const noProcess = await steady(['health', 'record', '--indicator', 'cycle_time', '--value', '1m', '--store', store])
  assert.is(noProcess.code, 2)
  assert.match(noProcess.err, /needs --process/)

  const badValue = await steady([
    'health',
    'record',
    '--process',
    'ci',
    '--indicator',
    'success_rate',
    '--value',
    'maybe',
    '--store',
    store,
  ])
  assert.is(badValue.code, 2)
  assert.match(badValue.err, /value of success_rate: "maybe" is not a valid rate value/)

  // One observation is too little to judge: unknown, exit 3.
  const unknown = await steady(['health', '--process', 'ci', '--store', store, '--at', nowIso, '--config', config])
  assert.is(unknown.code, 3, unknown.err)
  assert.match(unknown.out, /^ci \(owner platform-team\): UNKNOWN$/m)
  assert.match(unknown.out, /no observations for a baseline \(the \d+d before.*\); need 10 to judge/)

  const missing = await steady(['health', '--process', 'deploys', '--store', store, '--config', config])
  assert.is(missing.code, 2)
  assert.match(missing.err, /no process named "deploys"/)
  assert.equal(readdirSync(store), ['ci'])
})

test.run()
