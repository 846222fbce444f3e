import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, chmodSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeFileAtomic, writeFileAtomicSync, writeJsonAtomic } from '@steady/record'

const dir = mkdtempSync(join(tmpdir(), 'steady-atomic-'))

test('writes the whole file and creates parent folders', async () => {
  const path = join(dir, 'a', 'b', 'run.json')
  await writeJsonAtomic(path, { ok: true })
  assert.equal(JSON.parse(readFileSync(path, 'utf8')), { ok: true })
  assert.equal(readdirSync(join(dir, 'a', 'b')), ['run.json'])
})

test('replaces an existing file without leaving temp files', async () => {
  const path = join(dir, 'replace.txt')
  writeFileSync(path, 'old')
  await writeFileAtomic(path, 'new content')
  writeFileAtomicSync(path, 'newer content')
  assert.is(readFileSync(path, 'utf8'), 'newer content')
  assert.equal(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [])
})

test('concurrent writers never leave a mixed file', async () => {
  const path = join(dir, 'race.txt')
  const a = 'a'.repeat(200_000)
  const b = 'b'.repeat(300_000)
  await Promise.all(Array.from({ length: 20 }, (_, i) => writeFileAtomic(path, i % 2 ? a : b)))
  const content = readFileSync(path, 'utf8')
  assert.ok(content === a || content === b)
})

test('a failed write leaves the old file and no temp file', async () => {
  if (process.getuid?.() === 0) {
    // root ignores folder permissions; use a path under a regular file instead.
    const file = join(dir, 'not-a-dir')
    writeFileSync(file, 'x')
    let failed = false
    await writeFileAtomic(join(file, 'child.json'), '{}').catch(() => (failed = true))
    assert.ok(failed)
    return
  }
  const ro = join(dir, 'ro')
  await writeFileAtomic(join(ro, 'keep.txt'), 'keep')
  chmodSync(ro, 0o500)
  let failed = false
  await writeFileAtomic(join(ro, 'keep.txt'), 'lost').catch(() => (failed = true))
  chmodSync(ro, 0o700)
  assert.ok(failed)
  assert.is(readFileSync(join(ro, 'keep.txt'), 'utf8'), 'keep')
})

test.run()
