/**
 * `npm run demo` (scripts/demo.ts): until the full demo exists it starts the
 * demo store, self-checks a user flow against it and tears it down by itself,
 * exit 0; on Ctrl-C it tears the store down too, exit 130.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { repoRoot, run } from './helpers.ts'

test('npm run demo starts the store, checks a flow against it, stops it and exits 0', async () => {
  const r = await run('npm', ['run', '--silent', 'demo'])
  assert.is(r.code, 0, r.stdout + r.stderr)
  assert.match(r.stdout, /demo store listening on http:\/\/127\.0\.0\.1:\d+/)
  assert.match(r.stdout, /The full demo will/)
  assert.is((r.stdout.match(/✓/g) ?? []).length, 7, r.stdout)
  assert.not.match(r.stdout, /✗/)
  assert.match(r.stdout, /demo store stopped \(exit 0\)/)
})

test('Ctrl-C during the demo tears the store down and exits 130', async () => {
  // Its own process group, signalled whole, as a terminal does on Ctrl-C.
  const child = spawn(process.execPath, ['--conditions=steady-source', '--import', 'tsx', join(repoRoot, 'scripts', 'demo.ts')], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let out = ''
  let sent = false
  child.stderr.on('data', (d: Buffer) => (out += d.toString()))
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString()
    // The self-check polls an order for at least two 100 ms worker steps after this line.
    if (!sent && /demo store listening on/.test(out)) {
      sent = true
      process.kill(-child.pid!, 'SIGINT')
    }
  })
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)))
  assert.is(code, 130, out)
  assert.match(out, /SIGINT: stopping the demo store/)
  assert.match(out, /demo store stopped/)
  assert.not.match(out, /again, exiting without waiting/)
  let groupGone = false
  try {
    process.kill(-child.pid!, 0)
  } catch {
    groupGone = true
  }
  assert.ok(groupGone, 'no process of the demo is left')
})

test.run()
