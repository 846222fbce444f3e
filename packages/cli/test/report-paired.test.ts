/**
 * `steady report` of a paired run and its paired verdict: the line it prints
 * says the verdict is paired (candidate against control in the same run), not
 * "(compare)".
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { main } from '@steady/cli'
import { addRun, emptyBaseline, serialiseBaseline, summariseRun } from '@steady/baseline'
import { pairedRecord, syntheticRun } from '@steady/baseline/testing'

const root = mkdtempSync(join(tmpdir(), 'steady-report-paired-'))
const config = `export default { gates: { staging: { require: ['working', 'stable'], flakeBudget: 0.05 } } }\n`
writeFileSync(join(root, 'steady.config.ts'), config)
const dir = join(root, 'reports', 'paired')
mkdirSync(dir, { recursive: true })
writeFileSync(join(dir, 'run.json'), JSON.stringify(pairedRecord({ seed: 31 })))

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const env = { ...process.env, NO_COLOR: '1' }
  const code = await main(argv, { cwd: root, out: (s) => (out += s), err: (s) => (err += s), isTTY: false, env })
  return { code, out, err }
}

test('steady report of a paired verdict says "paired", naming candidate and control', async () => {
  const v = await cli(
    'verdict',
    join(dir, 'run.json'),
    '--gate',
    'staging',
    '--format',
    'json',
    '-o',
    join(dir, 'verdict.json'),
  )
  assert.ok(v.code === 0 || v.code === 1 || v.code === 3, v.err)
  assert.ok(existsSync(join(dir, 'verdict.json')), v.err + v.out)
  const r = await cli('report', join(dir, 'run.json'), '--verdict', join(dir, 'verdict.json'))
  assert.is(r.code, 0, r.err)
  assert.match(r.out, /verdict: \w+ \(gate staging, paired: candidate against control in the same run\)/)
  assert.not.match(r.out, /\(compare\)/)
})

test("steady verdict --report of a paired run leaves the service's history baseline out unless named", async () => {
  // A history baseline where steady verdict looks by default (baselines/<service>.json).
  const file = emptyBaseline('store')
  const history = summariseRun(syntheticRun({ seed: 'history-1' }))
  history.subject.service = 'store'
  addRun(file, history, { by: 'test', now: new Date('2026-12-01T00:00:00Z'), path: 'history-1' })
  mkdirSync(join(root, 'baselines'), { recursive: true })
  writeFileSync(join(root, 'baselines', 'store.json'), serialiseBaseline(file))
  const page = join(dir, 'verdict-report.html')
  const v = await cli('verdict', join(dir, 'run.json'), '--gate', 'staging', '--report', page)
  assert.ok(v.code === 0 || v.code === 1 || v.code === 3, v.err)
  const html = readFileSync(page, 'utf8')
  assert.not.match(html, history.id)
  assert.not.match(html, /Baseline <span class="mono">/)
})

test.after(() => rmSync(root, { recursive: true, force: true }))

test.run()
