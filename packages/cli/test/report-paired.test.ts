/**
 * `steady report` of a paired run and its paired verdict: the line it prints
 * says the verdict is paired (candidate against control in the same run), not
 * "(compare)".
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { main } from '@steady/cli'
import { pairedRecord } from '@steady/baseline/testing'

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

test.after(() => rmSync(root, { recursive: true, force: true }))

test.run()
