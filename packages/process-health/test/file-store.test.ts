import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { FileStore, ProcessHealthError, type Observation } from '@steady/process-health'

const root = resolve(import.meta.dirname, '../../..')
const tmp = () => mkdtempSync(join(tmpdir(), 'steady-health-store-'))

test('appends observations to month files per process and reads them back in time order', async () => {
  const dir = tmp()
  const store = new FileStore(dir)
  const obs: Observation[] = [
    {
      process: 'ci',
      indicator: 'cycle_time',
      value: 600,
      at: Date.parse('2025-02-27T10:00:00Z'),
      labels: { branch: 'main' },
      fields: { commit: '3f2a9c1e' },
    },
    { process: 'ci', indicator: 'success_rate', value: 0.015, weight: 200, at: Date.parse('2025-03-02T10:00:00Z') },
    { process: 'ci', indicator: 'cycle_time', value: 540, at: Date.parse('2025-03-01T10:00:00Z') },
    { process: 'dora', indicator: 'deployments', value: 1, at: Date.parse('2025-03-01T11:00:00Z') },
  ]
  await store.append(obs)
  assert.equal(readdirSync(join(dir, 'ci')).sort(), ['2025-02.jsonl', '2025-03.jsonl'])
  const all = await store.read({ process: 'ci' })
  assert.equal(
    all.map((o) => o.value),
    [600, 540, 0.015],
  )
  assert.equal(all[0], obs[0])
  assert.is(all[2].weight, 200)
  const cycle = await store.read({ process: 'ci', indicator: 'cycle_time', from: Date.parse('2025-03-01T00:00:00Z') })
  assert.equal(
    cycle.map((o) => o.value),
    [540],
  )
  assert.equal(await store.read({ process: 'nothing' }), [])
  // Each line is one JSON observation with its own time, in the order appended.
  const lines = readFileSync(join(dir, 'ci', '2025-03.jsonl'), 'utf8')
    .trim()
    .split('\n')
  assert.is(lines.length, 2)
  assert.equal(JSON.parse(lines[0]), {
    v: 1,
    process: 'ci',
    indicator: 'success_rate',
    value: 0.015,
    at: '2025-03-02T10:00:00.000Z',
    weight: 200,
  })
})

test('an unterminated last line (a write in progress) is ignored; a corrupt line in the middle is an error naming file and line', async () => {
  const dir = tmp()
  const store = new FileStore(dir)
  await store.append({ process: 'ci', indicator: 'cycle_time', value: 1, at: Date.parse('2025-03-01T00:00:00Z') })
  const file = join(dir, 'ci', '2025-03.jsonl')
  appendFileSync(file, '{"v":1,"process":"ci","indicator":"cycle_ti')
  assert.is((await store.read({ process: 'ci' })).length, 1)
  writeFileSync(
    file,
    readFileSync(file, 'utf8') +
      'me"}\n{"v":1,"process":"ci","indicator":"cycle_time","value":2,"at":"2025-03-02T00:00:00Z"}\n',
  )
  try {
    await store.read({ process: 'ci' })
    assert.unreachable('corrupt line read')
  } catch (error) {
    assert.instance(error, ProcessHealthError)
    assert.is((error as ProcessHealthError).code, 'STEADY_HEALTH_STORE_CORRUPT')
    assert.match((error as Error).message, /2025-03\.jsonl:2: /)
  }
})

test('a stale lock left by a dead writer is taken over; a live one is waited for', async () => {
  const dir = tmp()
  const store = new FileStore(dir, { staleLockMs: 0, lockTimeoutMs: 2000 })
  const at = Date.parse('2025-03-01T00:00:00Z')
  const lock = join(dir, 'ci', '2025-03.jsonl.lock')
  mkdirSync(lock, { recursive: true })
  // A pid that is not running (the kernel's max is far below it).
  writeFileSync(
    join(lock, 'owner.json'),
    JSON.stringify({ pid: 2 ** 30, host: (await import('node:os')).hostname(), at: 0 }),
  )
  await store.append({ process: 'ci', indicator: 'cycle_time', value: 1, at })
  assert.is((await store.read({ process: 'ci' })).length, 1)
  assert.not.ok(existsSync(lock))

  mkdirSync(lock)
  writeFileSync(
    join(lock, 'owner.json'),
    JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname(), at: Date.now() }),
  )
  const quick = new FileStore(dir, { lockTimeoutMs: 200 })
  try {
    await quick.append({ process: 'ci', indicator: 'cycle_time', value: 2, at })
    assert.unreachable('appended through a live lock')
  } catch (error) {
    assert.is((error as ProcessHealthError).code, 'STEADY_HEALTH_STORE_LOCKED')
    assert.match((error as ProcessHealthError).hint ?? '', /remove .*2025-03\.jsonl\.lock/)
  }
})

test('several writer processes appending at once lose no observation and tear no line', async () => {
  const dir = tmp()
  const workers = 6
  const count = 40
  const children = Array.from({ length: workers }, (_, w) =>
    spawn(
      process.execPath,
      [
        '--conditions=steady-source',
        '--import',
        'tsx',
        join(import.meta.dirname, 'helpers', 'append-worker.ts'),
        dir,
        String(w),
        String(count),
      ],
      {
        cwd: root,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    ),
  )
  const exits = children.map(
    (child) =>
      new Promise<{ code: number | null; err: string }>((r) => {
        let err = ''
        child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
        child.on('close', (code) => r({ code, err }))
      }),
  )
  // Start them together, once every worker is loaded.
  const deadline = Date.now() + 60_000
  while (readdirSync(dir).filter((f) => f.startsWith('ready-')).length < workers) {
    if (Date.now() > deadline) throw new Error('workers did not start')
    await new Promise((r) => setTimeout(r, 20))
  }
  writeFileSync(join(dir, 'go'), '')
  for (const { code, err } of await Promise.all(exits)) assert.is(code, 0, err)

  const store = new FileStore(dir)
  const all = await store.read({ process: 'ci' })
  assert.is(all.length, workers * count)
  const seen = new Set(all.map((o) => `${o.fields!.writer}:${o.fields!.seq}`))
  assert.is(seen.size, workers * count)
  for (let w = 0; w < workers; w++) for (let i = 0; i < count; i++) assert.ok(seen.has(`${w}:${i}`), `${w}:${i} lost`)
  // No lock is left behind.
  assert.equal(readdirSync(join(dir, 'ci')).sort(), ['2025-03.jsonl', '2025-04.jsonl'])
})

test.run()
