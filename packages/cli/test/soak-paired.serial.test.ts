/**
 * A paired soak end to end: the real CLI, the candidate a demo store started
 * as an ephemeral process environment, the control another demo store
 * already running (`--control-url`), the embedded load engine and scraping
 * of both. Each soak is a few seconds.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readRunRecord, type RunRecord, type SeriesRecord } from '@steady/record'
import { ABBA_BLOCK } from '@steady/soak/internal'
import { steadyChild, type ChildResult as Result, type OnStderr } from './helpers/cli-child.ts'

const fixture = join(import.meta.dirname, 'fixtures', 'soak')
const storeMain = join(import.meta.dirname, '..', '..', 'demo-store', 'src', 'main.ts')

/** The environment without the demo store's fault switches: a fault is set for one side on purpose. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('STORE_FAULT_')))
}

function steady(args: string[], env: Record<string, string> = {}, onStderr?: OnStderr): Promise<Result> {
  return steadyChild(fixture, args, { ...cleanEnv(), ...env }, onStderr)
}

/** A clean demo store on 127.0.0.1, port 0: the control, already running. */
async function startControl(): Promise<{ url: string; child: ChildProcess }> {
  const args = ['--conditions=steady-source', '--import', 'tsx', storeMain, '--port', '0', '--order-delay', '50ms']
  const child = spawn(process.execPath, args, {
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const url = await new Promise<string>((resolve, reject) => {
    let text = ''
    const guard = setTimeout(() => reject(new Error(`the control store did not start: ${text}`)), 60_000)
    child.stdout!.on('data', (d: Buffer) => {
      text += d
      const m = text.match(/listening on (http:\/\/\S+)/)
      if (m) {
        clearTimeout(guard)
        resolve(m[1])
      }
    })
    child.on('exit', (code) => reject(new Error(`the control store exited with ${code}: ${text}`)))
  })
  return { url, child }
}

function stopControl(c: { child: ChildProcess }): Promise<void> {
  return new Promise((resolve) => {
    if (c.child.exitCode !== null) return resolve()
    c.child.once('exit', () => resolve())
    c.child.kill('SIGTERM')
  })
}

function series(r: RunRecord, key: string): SeriesRecord {
  const s = r.series.find((x) => x.key === key)
  assert.ok(s, `series ${key} in ${r.series.map((x) => x.key).join(', ')}`)
  return s!
}

const up = (url: string) =>
  fetch(`${url}/health`).then(
    () => 'up',
    () => 'down',
  )

test('--control-url: one record of both sides, ABBA probes, the same load, a fault on one side only', async () => {
  const control = await startControl()
  try {
    const out = mkdtempSync(join(tmpdir(), 'steady-paired-'))
    const args = ['soak', 'short', '--out', out, '--seed', 'paired-1', '--control-url', control.url]
    const r = await steady([...args, '--control-version', '1.0.0'], { STORE_FAULT_LEAK_BYTES: '65536' })
    assert.is(r.code, 0, r.stderr)
    assert.match(r.stdout, /soak complete: .* probe iterations \(candidate \d+, control \d+\)/)
    assert.match(r.stderr, `paired with the control at ${control.url}`)
    const record = await readRunRecord(out)
    assert.is(record.complete, true)
    assert.is(record.comparability.paired, true)
    assert.is(record.paired?.design, 'abba')
    assert.is(record.paired?.seed, 'paired-1-abba')
    assert.is(record.paired?.control.version, '1.0.0')
    assert.is(record.paired?.control.target, control.url)
    assert.equal(record.paired?.candidate, record.subject)

    // Every series names its side, and the probe, load and service series exist on both.
    const sideless = record.series.filter((s) => s.tags.side !== 'candidate' && s.tags.side !== 'control')
    assert.equal(
      sideless.map((s) => s.key),
      [],
      'every series has a side',
    )
    const keys = [
      'probe/http_req_duration{name=login,scenario=browse,side=%}',
      'service/nodejs_heap_size_used_bytes{service=store,side=%}',
    ]
    for (const key of keys) {
      const cand = series(record, key.replace('%', 'candidate'))
      const ctrl = series(record, key.replace('%', 'control'))
      // Windows are shared: window i of each side covers the same time, so most windows pair up.
      const ctrlWindows = new Set(ctrl.windows.map((w) => w.i))
      const pairs = cand.windows.filter((w) => ctrlWindows.has(w.i)).length
      assert.ok(pairs >= 5, `${key}: ${pairs} paired windows`)
    }
    const controlSources = new Set(record.series.filter((s) => s.tags.side === 'control').map((s) => s.source))
    assert.equal([...controlSources].sort(), ['generator', 'load', 'probe', 'service'])
    // /proc only for the process steady started.
    const proc = record.series.filter((s) => s.name.startsWith('proc_'))
    assert.ok(
      proc.some((s) => s.tags.side === 'candidate'),
      'candidate /proc',
    )
    assert.not.ok(
      proc.some((s) => s.tags.side === 'control'),
      'no /proc for a URL',
    )

    // The probe loop alternated in balanced blocks: equal counts per side, give or take a block.
    const scenarios = JSON.stringify(record.scenarios)
    const cand = record.scenarios.find((s) => s.name === 'browse' && s.side === 'candidate')!
    const ctrl = record.scenarios.find((s) => s.name === 'browse' && s.side === 'control')!
    assert.ok(cand && ctrl, scenarios)
    assert.ok(cand.iterations >= 4 && ctrl.iterations >= 4, scenarios)
    assert.ok(Math.abs(cand.iterations - ctrl.iterations) <= ABBA_BLOCK, scenarios)

    // The same load profile and schedule on both sides.
    const loaded = record.phases[1]
    assert.ok(loaded.load && loaded.controlLoad, JSON.stringify(loaded))
    assert.is(loaded.controlLoad!.profile, loaded.load!.profile)
    assert.is(loaded.controlLoad!.executor, loaded.load!.executor)
    assert.is(loaded.controlLoad!.targetRate, loaded.load!.targetRate)
    assert.ok(loaded.load!.iterations > 50 && loaded.controlLoad!.iterations > 50, JSON.stringify(loaded))
    assert.not.ok(record.phases[0].controlLoad, 'no load in quiet')

    // The leak switch was on the candidate only: its retained bytes rise, the control's stay at zero.
    const retained = (side: string) =>
      series(record, `service/store_fault_leak_retained_bytes{service=store,side=${side}}`).windows.map((w) => w.value!)
    const leak = retained('candidate')
    assert.ok(leak.at(-1)! > 5_000_000, `candidate retained ${leak}`)
    const clean = retained('control')
    assert.ok(clean.length > 3 && clean.every((v) => v === 0), `control retained ${clean}`)

    // The candidate's environment is gone; the control is not steady's to stop.
    assert.is(await up(record.subject.environment!.url!), 'down')
    assert.is(await up(control.url), 'up')
  } finally {
    await stopControl(control)
  }
})

test('a paired soak stops at preflight (exit 1) when the control does not answer, and names the control', async () => {
  const control = await startControl()
  await stopControl(control)
  const out = mkdtempSync(join(tmpdir(), 'steady-paired-'))
  // A control URL with a password: the user may show, the password never does.
  const withPassword = control.url.replace('://', '://ci:s3cret-pw@')
  const r = await steady(['soak', 'short', '--out', out, '--control-url', withPassword])
  assert.is(r.code, 1, r.stderr)
  assert.match(r.stderr, 'preflight failed')
  assert.match(r.stderr, '(control)')
  assert.match(r.stderr, 'paired with the control at http://ci:')
  const record = await readRunRecord(out)
  assert.is(record.complete, false)
  assert.is(record.comparability.paired, true)
  for (const text of [
    r.stdout,
    r.stderr,
    ...['run.json', 'events.ndjson'].map((f) => readFileSync(join(out, f), 'utf8')),
  ])
    assert.not.match(text, 's3cret-pw')
})

test("a plan's control pairs its soaks; --paired needs a control; --no-paired takes no control", async () => {
  const out = mkdtempSync(join(tmpdir(), 'steady-paired-'))
  const r = await steady(['soak', 'with-control', '--out', out])
  assert.is(r.code, 1, r.stderr)
  assert.match(r.stderr, 'paired with the control at http://127.0.0.1:9/')
  const record = await readRunRecord(out)
  assert.is(record.paired?.control.version, '0.9.0')
  assert.is(record.comparability.paired, true)
  assert.is(await up(record.subject.environment!.url!), 'down')

  const none = await steady(['soak', 'short', '--paired'])
  assert.is(none.code, 2, none.stderr)
  assert.match(none.stderr, '--paired needs a control, and plan short names none')
  const both = await steady(['soak', 'with-control', '--no-paired', '--control-url', 'http://127.0.0.1:9/'])
  assert.is(both.code, 2, both.stderr)
  assert.match(both.stderr, '--no-paired cannot be used with a control')
  const target = await steady(['soak', 'with-env-control', '--target', 'http://127.0.0.1:9/'])
  assert.is(target.code, 2, target.stderr)
  assert.match(target.stderr, 'plans.with-env-control.control starts a control beside')
})

test('--control-url must be an http(s) URL (exit 2)', async () => {
  const r = await steady(['soak', 'short', '--control-url', 'localhost:3000'])
  assert.is(r.code, 2, r.stderr)
  assert.match(r.stderr, '--control-url "localhost:3000" is not an http(s) URL')
})

test('SIGTERM mid-way through a paired soak: a partial record of both sides, candidate gone, exit 143', async () => {
  const control = await startControl()
  try {
    const out = mkdtempSync(join(tmpdir(), 'steady-paired-'))
    let sent = false
    const r = await steady(['soak', 'long', '--out', out, '--control-url', control.url], {}, (text, kill) => {
      if (sent || !text.includes('phase quiet started')) return
      // Once a window has been flushed, both sides have data.
      const poll = setInterval(() => {
        const events = join(out, 'events.ndjson')
        if (existsSync(events) && readFileSync(events, 'utf8').includes('"t":"window"')) {
          clearInterval(poll)
          kill('SIGTERM')
        }
      }, 100)
      sent = true
    })
    assert.is(r.code, 143, r.stderr)
    const record = await readRunRecord(out)
    assert.is(record.complete, false)
    assert.ok(record.paired, 'the partial record is a paired one')
    const sides = new Set(record.series.map((s) => s.tags.side))
    assert.equal([...sides].sort(), ['candidate', 'control'])
    assert.is(await up(record.subject.environment!.url!), 'down')
  } finally {
    await stopControl(control)
  }
})

test('--control-env: both sides started here, side ids and tags, /proc of both, env ls shows sides', async () => {
  const out = mkdtempSync(join(tmpdir(), 'steady-paired-'))
  let listed: Promise<Result> | undefined
  const args = ['soak', 'short', '--env', 'store-leak', '--control-env', 'store', '--out', out, '--id', 'pair-env']
  const r = await steady(args, {}, (text) => {
    if (!listed && text.includes('phase quiet started')) listed = steady(['env', 'ls'])
  })
  assert.is(r.code, 0, r.stderr)
  const ls = await listed!
  assert.match(ls.stdout, /SIDE/)
  assert.match(ls.stdout, /pair-env-candidate\s+store-leak\s+candidate/)
  assert.match(ls.stdout, /pair-env-control\s+store\s+control/)
  const record = await readRunRecord(out)
  assert.is(record.complete, true)
  assert.is(record.comparability.paired, true)
  assert.is(record.subject.environment?.id, 'pair-env-candidate')
  assert.is(record.subject.environment?.tags.side, 'candidate')
  assert.is(record.paired?.control.environment?.id, 'pair-env-control')
  assert.is(record.paired?.control.environment?.tags.side, 'control')
  // steady started both: /proc is sampled on each side.
  const proc = record.series
    .filter((s) => s.name === 'proc_resident_memory_bytes')
    .map((s) => s.tags.side)
    .sort()
  assert.equal(proc, ['candidate', 'control'])
  const retained = (side: string) =>
    series(record, `service/store_fault_leak_retained_bytes{service=store,side=${side}}`).windows.map((w) => w.value!)
  assert.ok(retained('candidate').at(-1)! > 5_000_000, `candidate ${retained('candidate')}`)
  assert.ok(
    retained('control').every((v) => v === 0),
    `control ${retained('control')}`,
  )
  // Each side kept its own service log.
  assert.ok(existsSync(join(out, 'env-candidate', 'store.log')) && existsSync(join(out, 'env-control', 'store.log')))
  assert.is(await up(record.subject.environment!.url!), 'down')
  assert.is(await up(record.paired!.control.environment!.url!), 'down')
  assert.match((await steady(['env', 'ls'])).stdout, 'no environments are up')
  // Two environments and no version named: the control's version is not the candidate's to claim.
  assert.is(record.paired!.control.version, undefined)
})

test('a control environment that fails to start: exit 2, nothing of either side left', async () => {
  const out = mkdtempSync(join(tmpdir(), 'steady-paired-'))
  const r = await steady(['soak', 'short', '--env', 'store', '--control-env', 'broken', '--out', out])
  assert.is(r.code, 2, r.stderr)
  assert.match(r.stderr, /environment broken \(\S+-control\)/)
  const candidateUrl = r.stderr.match(/environment store \(\S+-candidate\): up at (http:\/\/\S+)/)?.[1]
  assert.ok(candidateUrl, r.stderr)
  assert.is(await up(candidateUrl!), 'down')
  assert.match((await steady(['env', 'ls'])).stdout, 'no environments are up')
})

test('SIGTERM mid-way through a paired soak of two environments: both torn down, partial record, 143', async () => {
  const out = mkdtempSync(join(tmpdir(), 'steady-paired-'))
  let sent = false
  const args = ['soak', 'long', '--env', 'store', '--control-env', 'store', '--out', out, '--tag', 'version=2.0.0']
  const r = await steady(args, {}, (text, kill) => {
    if (sent || !text.includes('phase quiet started')) return
    const poll = setInterval(() => {
      const events = join(out, 'events.ndjson')
      if (existsSync(events) && readFileSync(events, 'utf8').includes('"t":"window"')) {
        clearInterval(poll)
        kill('SIGTERM')
      }
    }, 100)
    sent = true
  })
  assert.is(r.code, 143, r.stderr)
  const record = await readRunRecord(out)
  assert.is(record.complete, false)
  assert.ok(record.paired)
  assert.is(await up(record.subject.environment!.url!), 'down')
  assert.is(await up(record.paired!.control.environment!.url!), 'down')
  assert.match((await steady(['env', 'ls'])).stdout, 'no environments are up')
  // The candidate's own environment started again is the same version: the record names it on both sides.
  assert.equal([record.paired!.candidate.version, record.paired!.control.version], ['2.0.0', '2.0.0'])
})

test('--keep leaves both sides up; steady env down <base> tears both down', async () => {
  const out = mkdtempSync(join(tmpdir(), 'steady-paired-'))
  const args = ['soak', 'short', '--env', 'store', '--control-env', 'store', '--id', 'kept', '--keep', '--out', out]
  const r = await steady([...args, '--duration-scale', '0.5'])
  assert.is(r.code, 0, r.stderr)
  const record = await readRunRecord(out)
  const urls = [record.subject.environment!.url!, record.paired!.control.environment!.url!]
  assert.equal(await Promise.all(urls.map(up)), ['up', 'up'])
  assert.match((await steady(['env', 'ls'])).stdout, /kept-candidate[\s\S]*kept-control/)
  const down = await steady(['env', 'down', 'kept'])
  assert.is(down.code, 0, down.stderr)
  assert.match(down.stdout, 'torn down kept-candidate')
  assert.match(down.stdout, 'torn down kept-control')
  assert.equal(await Promise.all(urls.map(up)), ['down', 'down'])
})

/** A `Cpus_allowed_list` or taskset list (`0-1,4`) as CPU ids. */
function cpuIds(list: string): number[] {
  return list.split(',').flatMap((part) => {
    const [from, to = from] = part.split('-').map(Number)
    return Array.from({ length: to - from + 1 }, (_, i) => from + i)
  })
}

const allowedOf = (pid: number) => /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]

test("--pin: each side's services run on their own half of the CPUs (taskset)", async () => {
  const out = mkdtempSync(join(tmpdir(), 'steady-paired-'))
  const mine = cpuIds(allowedOf(process.pid))
  // The long plan runs until it is stopped: the services are read while they surely run, then SIGTERM.
  let seen: Promise<Record<string, number[]>> | undefined
  const args = ['soak', 'long', '--env', 'store', '--control-env', 'store', '--pin', '--out', out, '--id', 'pinned']
  const r = await steady(args, {}, (text, kill) => {
    if (seen || !text.includes('phase quiet started')) return
    seen = steady(['env', 'ls', '--format', 'json']).then((ls) => {
      const { environments } = JSON.parse(ls.stdout) as { environments: { id: string; services: { pid: number }[] }[] }
      const allowed = Object.fromEntries(environments.map((e) => [e.id, cpuIds(allowedOf(e.services[0].pid))]))
      kill('SIGTERM')
      return allowed
    })
  })
  if (mine.length < 2) {
    assert.is(r.code, 2, r.stderr)
    assert.match(r.stderr, '--pin needs at least 2 CPUs')
    return
  }
  assert.is(r.code, 143, r.stderr)
  const pinned = r.stderr.match(/pinned: candidate on CPUs (\S+), control on CPUs (\S+)/)
  assert.ok(pinned, r.stderr)
  const allowed = await seen!
  assert.equal(allowed['pinned-candidate'], cpuIds(pinned![1]))
  assert.equal(allowed['pinned-control'], cpuIds(pinned![2]))
  const [cand, ctrl] = [allowed['pinned-candidate'], allowed['pinned-control']]
  assert.ok(cand.length > 0 && ctrl.length === cand.length, pinned![0])
  assert.ok(!cand.some((c) => ctrl.includes(c)), 'disjoint halves')
  assert.ok(
    [...cand, ...ctrl].every((c) => mine.includes(c)),
    'CPUs this process may use',
  )
  // The partial record says where each side ran.
  const record = await readRunRecord(out)
  assert.equal(record.paired?.pinned, { candidate: pinned![1], control: pinned![2] })
})

test.run()
