/**
 * What `steady verdict` writes besides the verdict: `--report` (the HTML
 * report with the verdict in it), and the gate decision recorded into
 * steady health's e2e-gate process, which `steady health` then judges.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { main } from '@steady/cli'
import { addRun, emptyBaseline, serialiseBaseline, summariseRun, syntheticRun } from '@steady/baseline'

const root = mkdtempSync(join(tmpdir(), 'steady-verdict-out-'))
writeFileSync(join(root, 'steady.config.ts'), `export default { gates: { staging: { require: ['working', 'stable'], flakeBudget: 0.05 } } }\n`)

async function cli(...argv: string[]) {
  let out = ''
  let err = ''
  const code = await main(argv, { cwd: root, out: (s) => (out += s), err: (s) => (err += s), isTTY: false, env: { ...process.env, NO_COLOR: '1' } })
  return { code, out, err }
}

function run(i: number): string {
  const dir = join(root, 'reports', `r${i}`)
  syntheticRun({ seed: `out-${i}`, durationScale: 0.1, writeTo: dir, startedAt: new Date(Date.UTC(2026, 10, 1, i)) })
  return join(dir, 'run.json')
}

const runs = [0, 1, 2, 3].map(run)
const baselineFile = join(root, 'baseline.json')
const file = emptyBaseline('synthetic-store')
for (const [i, p] of runs.entries()) addRun(file, summariseRun(JSON.parse(readFileSync(p, 'utf8')), { distributions: true }), { by: 'test', now: new Date(Date.UTC(2026, 10, 2, i)), path: 'baseline.json' })
writeFileSync(baselineFile, serialiseBaseline(file))
const current = run(9)

test('--report writes the HTML report with the verdict in it, beside run.json', async () => {
  const r = await cli('verdict', current, '--baseline', baselineFile, '--gate', 'staging', '--report')
  assert.ok([0, 1, 3].includes(r.code), r.err)
  const html = readFileSync(join(root, 'reports', 'r9', 'report.html'), 'utf8')
  assert.match(html, 'staging')
  assert.not.match(html, 'No verdict')
  const named = await cli('verdict', current, '--baseline', baselineFile, '--gate', 'staging', '--report', 'out/gate.html', '--no-record-health')
  assert.is(named.code, r.code)
  assert.ok(existsSync(join(root, 'out', 'gate.html')))
})

test('each decision is recorded into the e2e-gate process; --no-record-health leaves it out', async () => {
  const store = join(root, '.steady', 'health')
  const count = () =>
    existsSync(store)
      ? readdirSync(store, { recursive: true })
          .filter((f) => String(f).endsWith('.jsonl'))
          .reduce((n, f) => n + readFileSync(join(store, String(f)), 'utf8').split('\n').filter(Boolean).length, 0)
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

test.run()
