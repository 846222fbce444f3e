/**
 * `steady verdict` and `steady compare` on a paired run record (candidate and
 * control in one run): no baseline needed; exit 1 naming the finding when the
 * candidate is slower, 0 for an A/A pair; the binary spawned as a gate calls it.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { main } from '@steady/cli'
import { validatorFor } from '@steady/record/internal'
import { verdictSchema, type Verdict } from '@steady/record'
import { addRun, emptyBaseline, serialiseBaseline, summariseRun } from '@steady/baseline'
import { pairedRecord, type PairedBuildOptions } from '@steady/baseline/testing'

const root = mkdtempSync(join(tmpdir(), 'steady-verdict-paired-'))
const config = `export default { gates: { staging: { require: ['working', 'stable'], flakeBudget: 0.05 } } }\n`
writeFileSync(join(root, 'steady.config.ts'), config)

function write(name: string, o: PairedBuildOptions): string {
  const dir = join(root, 'reports', name)
  mkdirSync(dir, { recursive: true })
  const path = join(dir, 'run.json')
  writeFileSync(path, JSON.stringify(pairedRecord(o)))
  return path
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const env = { ...process.env, NO_COLOR: '1' }
  const code = await main(argv, { cwd: root, out: (s) => (out += s), err: (s) => (err += s), isTTY: false, env })
  return { code, out, err }
}

const aa = write('aa', { seed: 21 })
const slow = write('slow', { seed: 22, fault: { step: { name: 'checkout/pay', factor: 1.3 } } })

test('an A/A paired run passes without a baseline (exit 0)', async () => {
  const r = await cli('verdict', aa, '--gate', 'staging', '--format', 'json')
  assert.is(r.code, 0, r.err + r.out.slice(0, 400))
  const v = JSON.parse(r.out) as Verdict
  assert.ok(validatorFor(verdictSchema)(v))
  assert.is(v.mode, 'paired')
  assert.is(v.result, 'pass')
})

test('a candidate whose pay step is 30% slower fails (exit 1), naming the step in words', async () => {
  const r = await cli('verdict', slow, '--gate', 'staging')
  assert.is(r.code, 1, r.err)
  assert.match(r.out, /the candidate's p95 of checkout › pay \(load\) was 1\.\d\d× the control's in peak/)
  const json = await cli('verdict', slow, '--gate', 'staging', '--format', 'json')
  const v = JSON.parse(json.out) as Verdict
  const f = v.findings.filter((x) => x.status === 'fail' && x.primary)
  assert.ok(f.length && f.every((x) => x.step === 'pay'))
})

test('steady compare of one paired run compares its two sides; of one unpaired run it is a usage error', async () => {
  const r = await cli('compare', slow, '--format', 'json')
  assert.is(r.code, 1, r.err)
  assert.is((JSON.parse(r.out) as Verdict).mode, 'paired')
  const aaRun = await cli('compare', aa)
  assert.is(aaRun.code, 0, aaRun.err)
  const plain = join(root, 'reports', 'plain.json')
  const unpaired = pairedRecord({ seed: 23 })
  delete unpaired.paired
  writeFileSync(plain, JSON.stringify(unpaired))
  const bad = await cli('compare', plain)
  assert.is(bad.code, 2)
  assert.match(bad.err, /is not a paired run/)
})

test('--baseline with A/A paired runs calibrates the noise floor and says so', async () => {
  const file = emptyBaseline('store')
  for (let i = 0; i < 3; i++) {
    const now = new Date(Date.UTC(2026, 11, 1, i))
    addRun(file, summariseRun(pairedRecord({ seed: 40 + i })), { by: 'test', now, path: `aa-${i}.json` })
  }
  // A paired run of two versions measured a change, not the noise: it is kept but never calibrates.
  const twoVersions = summariseRun(pairedRecord({ seed: 44, fault: { step: { name: 'checkout/pay', factor: 1.1 } } }))
  addRun(file, twoVersions, { by: 'test', now: new Date(Date.UTC(2026, 11, 1, 4)), path: 'ab.json' })
  const path = join(root, 'aa-baseline.json')
  writeFileSync(path, serialiseBaseline(file))
  const r = await cli('verdict', slow, '--gate', 'staging', '--baseline', path, '--format', 'json')
  const v = JSON.parse(r.out) as Verdict
  assert.ok(
    v.warnings.some((w) => /noise floor calibrated by 3 A\/A paired runs/.test(w)),
    v.warnings.join('\n'),
  )
  assert.is(v.baseline?.comparableRuns, 3)
  assert.is(r.code, 1, 'A/A runs whose sides agree leave the +30% step failing')
})

test('baseline add takes an A/A paired run, judged as a paired run, and refuses one of two versions', async () => {
  const path = join(root, 'added.json')
  const add = await cli('baseline', 'add', aa, '--baseline', path, '--gate', 'staging')
  assert.is(add.code, 0, add.err)
  const refused = await cli('baseline', 'add', slow, '--baseline', path, '--gate', 'staging')
  assert.is(refused.code, 2, refused.err)
  assert.match(refused.err, 'a paired run of two versions (candidate 1.1.0, control 1.0.0), not an A/A run')
  assert.match(refused.err, '--force --reason')
  const shown = await cli('baseline', 'show', '--baseline', path, '--format', 'json')
  const runs = Object.values(JSON.parse(shown.out).runs) as { summary: { control?: { version?: string } } }[]
  assert.equal(
    runs.map((r) => r.summary.control),
    [{ version: '1.0.0' }],
  )
})

test('a --baseline that cannot be read is refused for a paired run (exit 2), not silently ignored', async () => {
  const r = await cli('verdict', aa, '--baseline', join(root, 'nope.json'))
  assert.is(r.code, 2)
  assert.match(r.err, /nope\.json/)
})

test('the binary exits with the paired verdict code (spawned like a gate calls it)', () => {
  const repo = join(import.meta.dirname, '..', '..', '..')
  const bin = join(repo, 'packages', 'cli', 'src', 'bin.ts')
  const env = { ...process.env, NO_COLOR: '1' }
  const node = ['--conditions=steady-source', '--import', 'tsx', bin]
  const cfg = join(root, 'steady.config.ts')
  const args = (run: string) => [...node, 'verdict', run, '--config', cfg, '--gate', 'staging']
  const pass = spawnSync(process.execPath, args(aa), { cwd: repo, env, encoding: 'utf8' })
  assert.is(pass.status, 0, pass.stderr)
  const fail = spawnSync(process.execPath, args(slow), { cwd: repo, env, encoding: 'utf8' })
  assert.is(fail.status, 1, fail.stderr)
  assert.match(fail.stdout, /checkout › pay/)
})

test.after(() => rmSync(root, { recursive: true, force: true }))

test.run()
