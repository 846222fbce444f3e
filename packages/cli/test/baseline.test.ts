/**
 * `steady baseline add|show|exclude|pin|accept|mute` through the CLI: each
 * command, its refusals, atomic and locked writes, and the file layout that
 * lets two branches adding runs merge without a conflict (a real git merge).
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFileSync, spawnSync } from 'node:child_process'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { main } from '@steady/cli'
import { addRun, emptyBaseline, judge, resolveGate, readBaseline, summariseRun, writeBaseline } from '@steady/baseline'
import { parseBaseline } from '@steady/baseline/internal'
import { syntheticRun, type SyntheticRunOptions } from '@steady/baseline/testing'
import { readRunRecord, type Verdict } from '@steady/record'

const root = mkdtempSync(join(tmpdir(), 'steady-baseline-'))
writeFileSync(
  join(root, 'steady.config.ts'),
  `export default { gates: { default: { require: ['working', 'stable'], flakeBudget: 0.05 }, ci: { require: ['working', 'stable'], flakeBudget: 0.05 } } }\n`,
)
mkdirSync(join(root, 'baselines'))
const path = join(root, 'baselines', 'synthetic-store.json')

let n = 0
function run(o: Partial<SyntheticRunOptions> = {}): string {
  const dir = join(root, 'reports', `r${n++}`)
  syntheticRun({
    seed: `baseline-${n}`,
    durationScale: 0.1,
    writeTo: dir,
    startedAt: new Date(Date.UTC(2026, 10, 1, n)),
    ...o,
  })
  return join(dir, 'run.json')
}
const idOf = (p: string) => JSON.parse(readFileSync(p, 'utf8')).id as string

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await main(argv, {
    cwd: root,
    out: (s) => (out += s),
    err: (s) => (err += s),
    isTTY: false,
    env: { ...process.env, NO_COLOR: '1', STEADY_USER: 'tester' },
  })
  return { code, out, err }
}

const runs = [run(), run(), run(), run()]

test('add creates baselines/<service>.json from the run, then appends; one line per run', async () => {
  const first = await cli('baseline', 'add', runs[0])
  assert.is(first.code, 0, first.err)
  assert.match(first.out, /added run synthetic-baseline-1 to baselines\/synthetic-store\.json \(1 run, K = 10\)/)
  assert.match(first.out, /its verdict \(gate default\): inconclusive/)
  for (const r of runs.slice(1)) assert.is((await cli('baseline', 'add', r)).code, 0)
  const text = readFileSync(path, 'utf8')
  const lines = text.split('\n')
  assert.is(
    lines.filter((l) => /^ {4}"synthetic-baseline-\d+": \{.*\},$/.test(l)).length,
    4,
    'each run is one line ending in a comma',
  )
  assert.ok(lines.includes('    "~": "end"'))
  const file = parseBaseline(text, path)
  assert.is(file.service, 'synthetic-store')
  assert.is(file.runs['synthetic-baseline-1'].addedBy, 'tester')
  assert.ok(
    file.runs['synthetic-baseline-1'].summary!.series['load/http_req_duration{name=pay,scenario=checkout}'].phases.peak
      .dist!.length === 11,
  )
})

test('add refuses a run already there, an incomplete run, another schema and another service (exit 2)', async () => {
  const again = await cli('baseline', 'add', runs[0])
  assert.is(again.code, 2)
  assert.match(again.err, /run synthetic-baseline-1 is already in baseline/)
  const partial = await cli('baseline', 'add', run({ incomplete: true }))
  assert.is(partial.code, 2)
  assert.match(partial.err, /is incomplete; a baseline takes only runs that finished their plan/)
  const schema = await cli('baseline', 'add', path)
  assert.is(schema.code, 2)
  assert.match(schema.err, /has schema "steady\.baseline\/1", expected "steady\.run\/1"/)
  const other = run()
  const rec = JSON.parse(readFileSync(other, 'utf8'))
  rec.subject.service = 'billing'
  writeFileSync(other, JSON.stringify(rec))
  const svc = await cli('baseline', 'add', other, '--baseline', path)
  assert.is(svc.code, 2)
  assert.match(svc.err, /is of service "billing", baseline .* is of "synthetic-store"/)
})

test('add refuses a run judged not stable (exit 1) unless --force --reason, which is recorded', async () => {
  const slow = run({ change: { kind: 'step-latency', magnitude: 0.8, target: 'checkout/pay' } })
  const refused = await cli('baseline', 'add', slow)
  assert.is(refused.code, 1, refused.out + refused.err)
  assert.match(refused.err, /was judged not stable \(gate default\): checkout › pay/)
  assert.match(refused.err, /--force --reason/)
  const noReason = await cli('baseline', 'add', slow, '--force')
  assert.is(noReason.code, 2)
  assert.match(noReason.err, /--force needs --reason/)
  const forced = await cli('baseline', 'add', slow, '--force', '--reason', 'new payment provider, slower on purpose')
  assert.is(forced.code, 0, forced.err)
  assert.match(forced.out, /forced: new payment provider/)
  const file = await readBaseline(path)
  assert.match(file.runs[idOf(slow)].forced!.reason, /new payment provider/)
  assert.match(file.runs[idOf(slow)].forced!.verdict, /^FAIL/)
})

test('show lists runs, pins, exclusions, acceptances and mutes; --format json is the file', async () => {
  const text = await cli('baseline', 'show')
  assert.is(text.code, 0)
  assert.match(
    text.out,
    /baseline baselines\/synthetic-store\.json \(synthetic-store\): 5 runs, K = 10, 5 used for verdicts/,
  )
  assert.match(text.out, /forced: new payment provider/)
  const json = await cli('baseline', 'show', '--format', 'json')
  assert.is(JSON.parse(json.out).schema, 'steady.baseline/1')
  const missing = await cli('baseline', 'show', '--baseline', join(root, 'baselines', 'none.json'))
  assert.is(missing.code, 2)
  assert.match(missing.err, /does not exist/)
})

test('exclude records who and why; refuses unknown runs, repeats and a missing reason', async () => {
  const id = idOf(runs[3])
  const ok = await cli('baseline', 'exclude', id, '--reason', 'noisy neighbour on the CI host')
  assert.is(ok.code, 0, ok.err)
  const file = await readBaseline(path)
  assert.equal(file.runs[id].excluded!.reason, 'noisy neighbour on the CI host')
  assert.is(file.runs[id].excluded!.by, 'tester')
  assert.is(file.runs[id].summary, undefined)
  assert.is((await cli('baseline', 'exclude', id, '--reason', 'again')).code, 2)
  const unknown = await cli('baseline', 'exclude', 'no-such-run', '--reason', 'x')
  assert.is(unknown.code, 2)
  assert.match(unknown.err, /run no-such-run is not in baseline/)
  assert.is((await cli('baseline', 'exclude', idOf(runs[2]))).code, 2, 'a reason is required')
  assert.match((await cli('baseline', 'show')).out, /excluded: noisy neighbour on the CI host \(tester\)/)
  // an excluded run cannot come back in, nor be pinned
  assert.is((await cli('baseline', 'add', runs[3])).code, 2)
  assert.is((await cli('baseline', 'pin', id)).code, 2)
})

test('pin keeps a reference run regardless of K; --remove unpins', async () => {
  const id = idOf(runs[0])
  assert.is((await cli('baseline', 'pin', id, '--reason', 'release 1.0')).code, 0)
  assert.is((await readBaseline(path)).runs[id].pinned!.reason, 'release 1.0')
  assert.is((await cli('baseline', 'pin', id)).code, 2, 'already pinned')
  assert.is((await cli('baseline', 'pin', 'nope')).code, 2)
  // K = 2 would drop run 0 if it were not pinned
  const file = await readBaseline(path)
  assert.ok(file.runs[id])
  assert.is((await cli('baseline', 'pin', id, '--remove')).code, 0)
  assert.is((await readBaseline(path)).runs[id].pinned, undefined)
})

/** A clean five-run baseline for the accept and mute tests. */
const judged = join(root, 'baselines', 'judged.json')
let judgedReady: Promise<void> | undefined
function judgedBaseline(): Promise<void> {
  judgedReady ??= (async () => {
    for (let i = 0; i < 5; i++) assert.is((await cli('baseline', 'add', run(), '--baseline', judged)).code, 0)
  })()
  return judgedReady
}

test('accept records an intended change; the verdict reports the finding as accepted (exit 0), larger values fail again', async () => {
  await judgedBaseline()
  const slow = run({ change: { kind: 'step-latency', magnitude: 1.5, target: 'browse/search' } })
  const vpath = join(root, 'verdict.json')
  const before = await cli('verdict', slow, '--baseline', judged, '--format', 'json', '-o', vpath)
  assert.is(before.code, 1)
  const v = JSON.parse(readFileSync(vpath, 'utf8')) as Verdict
  const failing = v.findings.filter((f) => f.status === 'fail' && f.primary)
  assert.ok(failing.length > 0)
  for (const f of failing)
    assert.is(
      (
        await cli(
          'baseline',
          'accept',
          f.id,
          '--baseline',
          judged,
          '--reason',
          'full-text search, slower on purpose',
          '--verdict',
          vpath,
        )
      ).code,
      0,
    )
  const after = await cli('verdict', slow, '--baseline', judged, '--all')
  assert.is(after.code, 0, after.out)
  assert.match(after.out, /accepted by tester on \d{4}-\d\d-\d\d: full-text search, slower on purpose/)
  const file = await readBaseline(judged)
  assert.is(file.accepted[failing[0].id].upTo, failing[0].current)
  const worse = run({ change: { kind: 'step-latency', magnitude: 5, target: 'browse/search' } })
  assert.is(
    (await cli('verdict', worse, '--baseline', judged)).code,
    1,
    'a change larger than the accepted level fails again',
  )
  const bad = await cli('baseline', 'accept', 'not a finding', '--baseline', judged, '--reason', 'x')
  assert.is(bad.code, 2)
  assert.match(bad.err, /is not a finding id/)
  const notThere = await cli(
    'baseline',
    'accept',
    'level:p95:x@peak',
    '--baseline',
    judged,
    '--reason',
    'x',
    '--verdict',
    vpath,
  )
  assert.is(notThere.code, 2)
  assert.match(notThere.err, /is not in verdict\.json/)
  // A file that is not a verdict is named, and none of its bytes are quoted (it may hold a secret).
  const secretFile = join(root, 'not-a-verdict.json')
  writeFileSync(secretFile, 'password=hunter2-secret-value')
  const notJson = await cli(
    'baseline',
    'accept',
    'level:p95:x@peak',
    '--baseline',
    judged,
    '--reason',
    'x',
    '--verdict',
    secretFile,
  )
  assert.is(notJson.code, 2)
  assert.match(notJson.err, /not-a-verdict\.json/)
  assert.not.match(notJson.out + notJson.err, 'hunter2')
})

test('mute silences a noisy series until a date (owner, reason); past dates and bad dates are refused', async () => {
  await judgedBaseline()
  const slow = run({ change: { kind: 'step-latency', magnitude: 1.5, target: 'checkout/login' } })
  assert.is((await cli('verdict', slow, '--baseline', judged)).code, 1)
  const ok = await cli(
    'baseline',
    'mute',
    '*http_req_duration{name=login,scenario=checkout}',
    '--baseline',
    judged,
    '--until',
    '2999-12-31',
    '--owner',
    'alice',
    '--reason',
    'login provider migration, #812',
  )
  assert.is(ok.code, 0, ok.err)
  const after = await cli('verdict', slow, '--baseline', judged)
  assert.is(after.code, 0, after.out)
  // The text wraps at 120 columns: read it as one line.
  assert.match(after.out.replace(/\n\s+/g, ' '), /muted by alice until 2999-12-31: login provider migration, #812/)
  const past = await cli(
    'baseline',
    'mute',
    'x',
    '--baseline',
    judged,
    '--until',
    '2001-01-01',
    '--owner',
    'a',
    '--reason',
    'r',
  )
  assert.is(past.code, 2)
  assert.match(past.err, /is not in the future/)
  assert.is(
    (await cli('baseline', 'mute', 'x', '--baseline', judged, '--until', 'soon', '--owner', 'a', '--reason', 'r')).code,
    2,
  )
  assert.is(
    (await cli('baseline', 'mute', 'x', '--baseline', judged, '--until', '2999-01-01', '--reason', 'r')).code,
    2,
    '--owner is required',
  )
})

test('K: adding beyond keep drops the oldest runs, never pinned ones', async () => {
  const small = join(root, 'baselines', 'small.json')
  const rs = [run(), run(), run(), run()]
  assert.is((await cli('baseline', 'add', rs[0], '--baseline', small, '--keep', '2')).code, 0)
  assert.is((await cli('baseline', 'pin', idOf(rs[0]), '--baseline', small)).code, 0)
  for (const r of rs.slice(1)) assert.is((await cli('baseline', 'add', r, '--baseline', small)).code, 0)
  const file = await readBaseline(small)
  assert.equal(Object.keys(file.runs).sort(), [idOf(rs[0]), idOf(rs[2]), idOf(rs[3])].sort())
})

test('concurrent adds are serialised by the lock and both land; writes are atomic', async () => {
  const shared = join(root, 'baselines', 'shared.json')
  const [a, b, c] = [run(), run(), run()]
  assert.is((await cli('baseline', 'add', a, '--baseline', shared)).code, 0)
  const results = await Promise.all([
    cli('baseline', 'add', b, '--baseline', shared),
    cli('baseline', 'add', c, '--baseline', shared),
  ])
  assert.equal(
    results.map((r) => r.code),
    [0, 0],
    results.map((r) => r.err).join(),
  )
  assert.is(Object.keys((await readBaseline(shared)).runs).length, 3)
  assert.ok(!existsSync(`${shared}.lock`))
  assert.equal(
    readdirSync(join(root, 'baselines')).filter((f) => f.endsWith('.tmp')),
    [],
  )
})

test('two branches that each add a run merge without a conflict (git, merge=union)', async () => {
  const git = spawnSync('git', ['--version'])
  if (git.status !== 0) {
    if (process.env.CI === 'true') throw new Error('git is needed: apt-get install git')
    console.log('[note] git not found: skipping the merge test')
    return
  }
  const repo = join(root, 'repo')
  mkdirSync(join(repo, 'baselines'), { recursive: true })
  const g = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
      cwd: repo,
      encoding: 'utf8',
    })
  g('init', '-q', '-b', 'main')
  writeFileSync(join(repo, 'baselines', '.gitattributes'), '*.json merge=union\n')
  copyFileSync(join(root, 'steady.config.ts'), join(repo, 'steady.config.ts'))
  const file = join(repo, 'baselines', 'synthetic-store.json')
  const [base0, base1, onA, onB] = [run(), run(), run(), run()]
  const add = async (r: string) => {
    let out = ''
    const code = await main(['baseline', 'add', r, '--baseline', file], {
      cwd: repo,
      out: (s) => (out += s),
      err: (s) => (out += s),
      isTTY: false,
      env: { ...process.env, STEADY_USER: 'ci' },
    })
    assert.is(code, 0, out)
  }
  await add(base0)
  await add(base1)
  g('add', '.')
  g('commit', '-q', '-m', 'baseline')
  g('checkout', '-q', '-b', 'a')
  await add(onA)
  g('commit', '-q', '-am', 'a adds a run')
  g('checkout', '-q', 'main')
  g('checkout', '-q', '-b', 'b')
  await add(onB)
  g('commit', '-q', '-am', 'b adds a run')
  g('checkout', '-q', 'main')
  g('merge', '-q', 'a')
  const merge = spawnSync(
    'git',
    ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'merge', '-q', '--no-edit', 'b'],
    { cwd: repo, encoding: 'utf8' },
  )
  assert.is(merge.status, 0, merge.stdout + merge.stderr)
  const merged = await readBaseline(file)
  assert.equal(Object.keys(merged.runs).sort(), [base0, base1, onA, onB].map(idOf).sort())
  // the next write puts it back in order
  await add(run())
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => /^ {4}"synthetic-/.test(l))
    .map((l) => l.trim().split('"')[1])
  assert.equal(lines, [...lines].sort())
})

/** Marks the generator saturated in `share` of the windows of a phase, as a soak records it (one event per window). */
function saturate(runJson: string, phase: string, share: number): void {
  const record = JSON.parse(readFileSync(runJson, 'utf8'))
  const p = record.phases.find((x: { name: string }) => x.name === phase)
  const size = record.window.sizeMs as number
  const windows = Math.round((p.endMs - p.startMs) / size)
  for (let i = 0; i < Math.ceil(windows * share); i++) {
    record.events.push({
      atMs: p.startMs + i * size + 1,
      kind: 'generator-saturated',
      message: `saturated in window ${i}`,
      data: { phase },
    })
  }
  record.events.sort((a: { atMs: number }, b: { atMs: number }) => a.atMs - b.atMs)
  writeFileSync(runJson, JSON.stringify(record))
}

test('add refuses a run whose generator was saturated in more than 20% of a loaded phase (exit 2); --force --reason adds it', async () => {
  const hot = run()
  saturate(hot, 'peak', 0.5)
  const refused = await cli('baseline', 'add', hot)
  assert.is(refused.code, 2, refused.out + refused.err)
  assert.match(refused.err, /load generator was saturated in 3 of 6 windows of peak \(more than 20%\)/)
  assert.match(refused.err, /--force --reason/)
  assert.not.ok((await readBaseline(path)).runs[idOf(hot)], 'not added')
  const forced = await cli('baseline', 'add', hot, '--force', '--reason', 'the only run we have of this release')
  assert.is(forced.code, 0, forced.err)
  assert.match(forced.out, /forced past: the load generator was saturated in 3 of 6 windows of peak/)
  assert.match((await readBaseline(path)).runs[idOf(hot)].forced!.verdict, /saturated in 3 of 6 windows of peak/)
  // A saturated quiet phase does not count: it applies no load, so the generator cannot distort it.
  const quiet = run()
  saturate(quiet, 'quiet', 0.5)
  const added = await cli('baseline', 'add', quiet)
  // Whatever the verdict says of the run (exit 0, or 1 if judged not stable), saturation does not refuse it.
  assert.ok(added.code === 0 || added.code === 1, added.err)
  assert.not.match(added.err, /saturated/)
})

test("add refuses a run whose spread across windows is far outside the baseline runs' (exit 2)", async () => {
  const other = join(root, 'baselines', 'spread.json')
  // Built through the library: what is screened here is the spread, not the verdicts of the runs.
  const file = emptyBaseline('synthetic-store')
  for (let i = 0; i < 4; i++) {
    addRun(file, summariseRun(await readRunRecord(run()), { distributions: true }), {
      by: 'tester',
      now: new Date(),
      path: other,
    })
  }
  await writeBaseline(other, file)
  const noisy = run()
  // Bursts three times slower (windows in blocks of three, every other block): a machine shared with a busy neighbour.
  const record = JSON.parse(readFileSync(noisy, 'utf8'))
  for (const s of record.series) {
    if (s.kind !== 'histogram') continue
    for (const w of s.windows) {
      if (Math.floor(w.i / 3) % 2 || w.p50 === undefined) continue
      for (const q of ['p50', 'p90', 'p95', 'p99', 'max', 'mean', 'min']) if (typeof w[q] === 'number') w[q] *= 3
    }
  }
  writeFileSync(noisy, JSON.stringify(record))
  const refused = await cli('baseline', 'add', noisy, '--baseline', other)
  assert.is(refused.code, 2, refused.out + refused.err)
  assert.match(refused.err, /spread across windows is [\d.]+× the baseline's usual .*far outside its 4 runs/)
})

/** What the judge says of each run against the baseline without it: the counts `baseline check` must print. */
type Counts = { fail: number; inconclusive: number; pass: number; failed: string[] }
async function leaveOneOut(file: string, records: string[]): Promise<Counts> {
  const baselineFile = await readBaseline(file)
  const gate = resolveGate('default', { require: ['working', 'stable'], flakeBudget: 0.05 })
  const out = { fail: 0, inconclusive: 0, pass: 0, failed: [] as string[] }
  for (const path of records) {
    const record = await readRunRecord(path)
    const others = structuredClone(baselineFile)
    delete others.runs[record.id]
    const result = judge({ record, baseline: others, gate }).result
    out[result]++
    if (result === 'fail') out.failed.push(record.id)
  }
  return out
}

/** A baseline written through the library, so what is checked does not depend on `add` accepting each run. */
async function baselineOf(file: string, records: string[]): Promise<void> {
  const b = emptyBaseline('synthetic-store')
  for (const r of records) {
    addRun(b, summariseRun(await readRunRecord(r), { distributions: true }), {
      by: 'tester',
      now: new Date(),
      path: file,
    })
  }
  await writeBaseline(file, b)
}

test('check judges each baseline run against the others: counts, failing findings, detectable changes, formats', async () => {
  const checked = join(root, 'baselines', 'check.json')
  const folder = join(root, 'reports', 'check')
  const made: string[] = []
  for (let i = 0; i < 5; i++) {
    const dir = join(folder, `clean-${i}`)
    syntheticRun({
      seed: `check-${i}`,
      durationScale: 0.1,
      writeTo: dir,
      startedAt: new Date(Date.UTC(2026, 10, 3, i)),
    })
    made.push(join(dir, 'run.json'))
  }
  await baselineOf(checked, made.slice(0, 2))
  const few = await cli('baseline', 'check', folder, '--baseline', checked)
  assert.is(few.code, 3, few.out + few.err)
  assert.match(few.out, /too few runs: leaving one out leaves 1/)

  await baselineOf(checked, made)
  const clean = await cli('baseline', 'check', folder, '--baseline', checked)
  const e = await leaveOneOut(checked, made)
  assert.is(e.fail + e.inconclusive + e.pass, 5)
  assert.match(clean.out, `would have failed: ${e.fail} of 5; inconclusive: ${e.inconclusive}; passed: ${e.pass}\n`)
  assert.is(clean.code, e.fail ? 1 : e.pass ? 0 : 3, clean.out + clean.err)
  assert.match(clean.out, /smallest change this baseline can see/)
  assert.match(clean.out, /peak › checkout › pay p95 \(load\): \+\d+% \(tolerance \+10%\)/)

  // A run with one step ×1.8 let into the baseline: judged against the others, it fails on that step.
  const slowDir = join(folder, 'slow')
  const slow = join(slowDir, 'run.json')
  const change = { kind: 'step-latency' as const, magnitude: 0.8, target: 'checkout/pay' }
  const startedAt = new Date(Date.UTC(2026, 10, 3, 9))
  syntheticRun({ seed: 'check-slow', durationScale: 0.1, writeTo: slowDir, startedAt, change })
  await baselineOf(checked, [...made, slow])
  const expected = await leaveOneOut(checked, [...made, slow])
  assert.ok(expected.failed.includes(idOf(slow)), 'the judge fails the slow run against the others')
  const bad = await cli('baseline', 'check', folder, '--baseline', checked, '--format', 'json')
  assert.is(bad.code, 1, bad.out + bad.err)
  const result = JSON.parse(bad.out)
  assert.is(result.judged, 6)
  assert.is(result.failed, expected.fail)
  assert.is(result.inconclusive, expected.inconclusive)
  assert.is(result.passed, expected.pass)
  const failed = result.runs.filter((r: { result: string }) => r.result === 'fail')
  assert.equal(failed.map((r: { run: string }) => r.run).sort(), [...expected.failed].sort())
  const slowFindings = failed.find((r: { run: string }) => r.run === idOf(slow)).failed as { id: string }[]
  assert.ok(
    slowFindings.some((f) => /name=pay/.test(f.id)),
    JSON.stringify(slowFindings),
  )
  const counts = `${expected.fail} of 6; inconclusive: ${expected.inconclusive}; passed: ${expected.pass}`
  const text = await cli('baseline', 'check', folder, '--baseline', checked)
  assert.match(text.out, `would have failed: ${counts}\n`)
  const payPeak = 'level:p95:load/http_req_duration{name=pay,scenario=checkout}@peak'
  assert.ok(
    text.out.split('\n').some((l) => l.startsWith('    ✗ ') && l.includes(`; ${payPeak})`)),
    text.out,
  )
  assert.match(text.out, `NOT TRUSTWORTHY: ${expected.fail} of 6 runs would have failed gate default`)
  const md = await cli('baseline', 'check', folder, '--baseline', checked, '--format', 'markdown')
  const row = `| ${expected.fail} | ${expected.inconclusive} | ${expected.pass} |`
  assert.match(md.out, `| would have failed | inconclusive | passed |\n|---|---|---|\n${row}`)
  const none = await cli('baseline', 'check', join(root, 'baselines'), '--baseline', checked)
  assert.is(none.code, 2)
  assert.match(none.err, /no run record of a run in baselines\/check\.json found/)
})

test.after(() => rmSync(root, { recursive: true, force: true }))
test.run()
