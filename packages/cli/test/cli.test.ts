/** The CLI shell: help, usage errors, config loading errors, exit codes, `steady record`. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, writeFileSync, existsSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawn, spawnSync } from 'node:child_process'
import { main, loadConfig } from '@steady/cli'
import { RunRecordWriter, SeriesAggregator, comparabilityKey, SteadyError } from '@steady/record'

async function run(argv: string[], cwd = process.cwd()) {
  let out = ''
  let err = ''
  const code = await main(argv, { cwd, out: (s) => (out += s), err: (s) => (err += s), isTTY: false })
  return { code, out, err }
}

test('--help lists commands and exits 0; no arguments prints help and exits 2', async () => {
  const help = await run(['--help'])
  assert.is(help.code, 0)
  assert.match(help.out, 'Usage: steady')
  assert.match(help.out, 'record')
  const none = await run([])
  assert.is(none.code, 2)
})

test('an unknown command or option is a usage error: exit 2 with what to do', async () => {
  const r = await run(['frobnicate'])
  assert.is(r.code, 2)
  assert.match(r.err, '--help')
  const o = await run(['record', 'recover', '--nope', 'x'])
  assert.is(o.code, 2)
  assert.match(o.err, "unknown option '--nope'")
})

test('a config with a syntax error is reported with file and line (exit 2)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'steady-cfg-'))
  writeFileSync(join(dir, 'steady.config.ts'), "export default {\n  scenarios: ['a'],\n  oops: = 3,\n}\n")
  try {
    await loadConfig(dir)
    assert.unreachable()
  } catch (e) {
    const err = e as SteadyError
    assert.is(err.code, 'STEADY_CONFIG_LOAD')
    assert.match(err.message, 'steady.config.ts:3')
    assert.is(err.exitCode, 2)
  }
  // A new folder each time: Node caches a module that failed to load, by URL.
  const dir2 = mkdtempSync(join(tmpdir(), 'steady-cfg-'))
  writeFileSync(
    join(dir2, 'steady.config.ts'),
    "const x: number = 1\nthrow new Error('boom at load')\nexport default {}\n",
  )
  try {
    await loadConfig(dir2)
    assert.unreachable()
  } catch (e) {
    assert.match((e as SteadyError).message, 'boom at load')
    assert.match((e as SteadyError).message, 'steady.config.ts:2')
  }
  const dir3 = mkdtempSync(join(tmpdir(), 'steady-cfg-'))
  writeFileSync(join(dir3, 'steady.config.ts'), 'export const nothing = 1\n')
  try {
    await loadConfig(dir3)
    assert.unreachable()
  } catch (e) {
    assert.is((e as SteadyError).code, 'STEADY_CONFIG_INVALID')
  }
  try {
    await loadConfig(dir, 'missing.config.ts')
    assert.unreachable()
  } catch (e) {
    assert.is((e as SteadyError).code, 'STEADY_CONFIG_NOT_FOUND')
  }
})

test('the nearest config above the working directory is found and loaded with tsx', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'steady-cfg-'))
  writeFileSync(
    join(dir, 'steady.config.ts'),
    "const n: number = 2\nexport default { scenarios: ['s/*.scenario.ts'], n }\n",
  )
  const sub = join(dir, 'a', 'b')
  const { mkdirSync } = await import('node:fs')
  mkdirSync(sub, { recursive: true })
  const loaded = await loadConfig(sub)
  assert.is(loaded.path, join(dir, 'steady.config.ts'))
  assert.equal(loaded.config.scenarios, ['s/*.scenario.ts'])
  assert.is(loaded.hash.length, 12)
})

test('steady record recover rebuilds run.json from a killed run; validate checks it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'steady-rec-'))
  let t = 0
  const agg = new SeriesAggregator({ windowMs: 1000, now: () => t })
  const w = new RunRecordWriter({
    dir,
    now: () => t,
    aggregator: agg,
    header: {
      kind: 'soak',
      id: 'r1',
      startedAt: new Date().toISOString(),
      tool: { name: 'steady', version: '0.1.0' },
      subject: {},
      seed: '1',
      configHash: 'x',
      comparability: comparabilityKey({}),
      window: { sizeMs: 1000 },
    },
  })
  for (t = 0; t < 2500; t += 100) agg.duration('probe', 'http_req_duration', { scenario: 's', name: 'a' }, 5)
  w.flush()
  assert.not.ok(existsSync(join(dir, 'run.json')))
  const r = await run(['record', 'recover', dir])
  assert.is(r.code, 0, r.err)
  assert.match(r.out, 'recovered r1')
  assert.is(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')).complete, false)
  const v = await run(['record', 'validate', dir])
  assert.is(v.code, 0)
  assert.match(v.out, 'incomplete')
  writeFileSync(join(dir, 'run.json'), '{"schema":"steady.run/1"')
  const bad = await run(['record', 'validate', dir])
  assert.is(bad.code, 2)
  assert.match(bad.err, 'truncated')
  assert.match(bad.err, 'steady record recover')
  const none = await run(['record', 'recover', mkdtempSync(join(tmpdir(), 'empty-'))])
  assert.is(none.code, 2)
  assert.match(none.err, 'no events.ndjson')
})

test('record validate refuses a FIFO, a folder without run.json and a non-JSON file, quoting none of its bytes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'steady-fifo-'))
  const fifo = join(dir, 'run.json')
  const made = spawnSync('mkfifo', [fifo])
  assert.is(made.status, 0, 'mkfifo')
  // Nobody ever writes to the FIFO: a reader that opened it would wait forever (the guard ends the test instead).
  let guard: NodeJS.Timeout | undefined
  const timeout = new Promise<never>(
    (_, reject) => (guard = setTimeout(() => reject(new Error('blocked on the FIFO')), 30_000)),
  )
  for (const target of [fifo, dir]) {
    const r = await Promise.race([run(['record', 'validate', target]), timeout])
    assert.is(r.code, 2)
    assert.match(r.err, 'is a named pipe (FIFO), not a run record file')
  }
  for (const argv of [
    ['compare', fifo, fifo],
    ['verdict', fifo],
  ]) {
    const r = await Promise.race([run(argv, dir), timeout])
    assert.is(r.code, 2, argv.join(' '))
    assert.match(r.err, 'named pipe (FIFO)')
  }
  clearTimeout(guard)
  const secret = join(dir, 'secret.env')
  writeFileSync(secret, 'API_TOKEN=s3cr3t-value\nDB_PASSWORD=hunter2\n')
  const notJson = await run(['record', 'validate', secret])
  assert.is(notJson.code, 2)
  assert.match(notJson.err, `${secret} is not JSON`)
  assert.not.match(notJson.err, 'truncated')
  for (const leaked of ['API_TOKEN', 's3cr3t', 'hunter2']) assert.not.match(notJson.err, leaked)
  const broken = join(dir, 'broken.json')
  writeFileSync(broken, '{\n  "schema": "steady.run/1",\n  "token" "abc123"\n}\n')
  const mid = await run(['record', 'validate', broken])
  assert.is(mid.code, 2)
  assert.match(mid.err, 'a syntax error at line 3, column 11')
  assert.not.match(mid.err, 'abc123')
})

test('the installed bin runs the sources inside the monorepo', () => {
  const r = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'bin', 'steady.js'), '--version'], {
    encoding: 'utf8',
  })
  assert.is(r.status, 0, r.stderr)
  assert.match(r.stdout, /^\d+\.\d+\.\d+/)
  // From a folder outside the repo too (tsx is resolved from the bin, not the working directory).
  const away = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'bin', 'steady.js'), '--version'], {
    encoding: 'utf8',
    cwd: tmpdir(),
  })
  assert.is(away.status, 0, away.stderr)
})

const bin = join(import.meta.dirname, '..', 'bin', 'steady.js')

/** A folder whose steady.config.ts runs `body` when the CLI loads it (no imports: no node_modules needed). */
function configProject(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'steady-bin-'))
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n')
  writeFileSync(join(dir, 'steady.config.ts'), body + '\nexport default { scenarios: [] }\n')
  return dir
}

test('the bin reports a child killed by SIGKILL: exit 137 and one line naming the signal, never 1', () => {
  const dir = configProject("process.kill(process.pid, 'SIGKILL')")
  const r = spawnSync(process.execPath, [bin, 'run'], { cwd: dir, encoding: 'utf8', timeout: 60_000 })
  assert.is(r.status, 137, r.stderr)
  assert.is(r.stderr, 'steady: the steady process was killed by SIGKILL (out of memory?)\n')
})

test('the bin forwards SIGTERM to the child, which exits 143 itself', async () => {
  const dir = configProject(
    "process.on('SIGTERM', () => { process.stderr.write('child got SIGTERM\\n'); process.exit(143) })\n" +
      "process.stderr.write('config loading\\n')\n" +
      'await new Promise((resolve) => setTimeout(resolve, 30_000))',
  )
  const child = spawn(process.execPath, [bin, 'run'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000)
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
    if (stderr.includes('config loading') && !stderr.includes('sent')) {
      stderr += 'sent\n'
      child.kill('SIGTERM')
    }
  })
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)))
  clearTimeout(guard)
  assert.is(code, 143, stderr)
  assert.match(stderr, 'child got SIGTERM')
  assert.not.match(stderr, 'killed by')
})

test('a closed stdout (steady soak --help | head -1) ends the CLI quietly: exit 141, no stack trace', async () => {
  const child = spawn(process.execPath, [bin, 'soak', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] })
  // The reader goes away before the CLI has written anything: every write meets EPIPE.
  child.stdout.destroy()
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000)
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)))
  clearTimeout(guard)
  assert.is(code, 141, stderr)
  assert.is(stderr, '')
})

test('a misspelt subcommand is a usage error with the closest match, also under a command with an action', async () => {
  for (const [argv, name, near] of [
    [['health', 'recrod'], 'recrod', 'record'],
    [['baseline', 'shwo'], 'shwo', 'show'],
    [['record', 'valdiate'], 'valdiate', 'validate'],
    [['help', 'sokk'], 'sokk', 'soak'],
    [['baseline', 'help', 'shwo'], 'shwo', 'show'],
  ] as const) {
    const r = await run([...argv])
    assert.is(r.code, 2, argv.join(' '))
    assert.match(r.err, `unknown command '${name}'`)
    assert.match(r.err, `Did you mean ${near}?`)
    assert.is(r.out, '', argv.join(' '))
  }
  const help = await run(['help', 'soak'])
  assert.is(help.code, 0)
  assert.match(help.out, 'Usage: steady soak')
})

test.run()
