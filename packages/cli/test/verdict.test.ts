/**
 * `steady verdict` and `steady compare` through the CLI: every verdict path
 * (pass, fail, each kind of inconclusive, each kind of bad input), on run
 * records written by the recorder's own code (SeriesAggregator +
 * RunRecordWriter) from the synthetic generator.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { main } from '@steady/cli'
import { addRun, emptyBaseline, serialiseBaseline, summariseRun } from '@steady/baseline'
import { syntheticRun, type SyntheticRunOptions } from '@steady/baseline/testing'
import { RunRecordWriter, SeriesAggregator, verdictSchema, type Finding, type Verdict } from '@steady/record'
import { validatorFor } from '@steady/record/internal'

const root = mkdtempSync(join(tmpdir(), 'steady-verdict-'))
const config = `export default {
  gates: {
    integration: { require: ['working'] },
    staging: { require: ['working', 'stable'], flakeBudget: 0.05 },
    strict: { require: ['working', 'stable'], flakeBudget: 0.05, notJudged: 'inconclusive' },
    failclosed: { require: ['working', 'stable'], flakeBudget: 0.05, onInconclusive: 'fail' },
    relaxed: { require: ['working', 'stable'], flakeBudget: 0.05, relax: ['cores'] },
    boot: { require: ['working', 'stable'], flakeBudget: 0.05, bootstrap: true },
    slo: { require: ['working', 'stable'], flakeBudget: 0.05, objectives: ['p95 < 1ms'] },
    typo: { require: ['working', 'stable'], tolerence: { level: 0.1 } },
  },
}
`
writeFileSync(join(root, 'steady.config.ts'), config)
mkdirSync(join(root, 'baselines'))

let n = 0
/** A synthetic run written through RunRecordWriter; returns its run.json path. */
function run(o: Partial<SyntheticRunOptions> = {}): string {
  const dir = join(root, 'reports', `r${n++}`)
  syntheticRun({
    seed: `verdict-${n}`,
    durationScale: 0.1,
    writeTo: dir,
    startedAt: new Date(Date.UTC(2026, 10, 1, n)),
    ...o,
  })
  return join(dir, 'run.json')
}

function baselineOf(paths: string[], name: string): string {
  const file = emptyBaseline('synthetic-store')
  for (const [i, p] of paths.entries()) {
    addRun(file, summariseRun(JSON.parse(readFileSync(p, 'utf8')), { distributions: true }), {
      by: 'test',
      now: new Date(Date.UTC(2026, 10, 2, i)),
      path: name,
    })
  }
  const path = join(root, 'baselines', name)
  writeFileSync(path, serialiseBaseline(file))
  return path
}

/** The text with its wrapped lines joined, for matching sentences. */
/** How the text names a step's series: `checkout › pay (load)`, `all load steps`. */
const what = (f: Finding) =>
  f.step === '*' ? `all ${f.series!.split('/')[0]} steps` : `${f.scenario} › ${f.step} (${f.series!.split('/')[0]})`
const flat = (s: string) => s.replace(/\n +/g, ' ')

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await main(argv, {
    cwd: root,
    out: (s) => (out += s),
    err: (s) => (err += s),
    isTTY: false,
    env: { ...process.env, NO_COLOR: '1' },
  })
  return { code, out, err }
}

const base = [run(), run(), run(), run(), run()]
const baseline = baselineOf(base, 'synthetic-store.json')
const clean = run()

test('a clean run passes (exit 0) and says why', async () => {
  const r = await cli('verdict', clean, '--baseline', baseline, '--gate', 'staging')
  assert.is(r.code, 0, r.out + r.err)
  assert.match(r.out, /PASS \(gate staging\)/)
  assert.match(r.out, /working: +yes/)
  assert.match(r.out, /stable: +yes/)
  assert.match(r.out, /^baseline: 5 runs \(5 comparable\) in baselines\/synthetic-store\.json$/m)
  assert.match(r.out, /^steady verdict — PASS \(gate staging\), exit 0 \(pass\)$/m)
})

test('a step 2.5 times slower fails (exit 1), naming the step, the numbers and the finding id', async () => {
  const slow = run({ change: { kind: 'step-latency', magnitude: 1.5, target: 'checkout/pay' } })
  const r = await cli('verdict', slow, '--baseline', baseline, '--gate', 'staging')
  assert.is(r.code, 1, r.out)
  assert.match(r.out, /FAIL \(gate staging\)/)
  assert.match(
    flat(r.out),
    /checkout › pay \((load|probe)\) p\d\d in \w+ (is slower than the baseline|tail latency rose): [\d.]+ ms → [\d.]+ ms \(\+\d+%\)/,
  )
  assert.match(
    r.out,
    /id (level|tail):(p\d\d|share-above-p99):(load|probe)\/http_req_duration\{name=pay,scenario=checkout\}@/,
  )
  // the same verdict as JSON is valid steady.verdict/1 and carries the numbers
  const j = await cli('verdict', slow, '--baseline', baseline, '--gate', 'staging', '--format', 'json')
  assert.is(j.code, 1)
  const v = JSON.parse(j.out) as Verdict
  assert.ok(validatorFor(verdictSchema)(v), JSON.stringify(validatorFor(verdictSchema).errors))
  const f = v.findings.find((x) => x.status === 'fail' && x.step === 'pay')!
  assert.ok(
    f.baseline! > 0 &&
      f.current! > f.baseline! &&
      f.change! > 0.1 &&
      f.pAdjusted! <= 0.01 &&
      f.detectable! > 0 &&
      f.interval!.length === 2,
  )
  assert.is(v.stable.status, 'fail')
  assert.is(v.exitCode, 1)
})

test('a scenario that fails every iteration is not working (exit 1), whatever the baseline', async () => {
  const broken = run({ change: { kind: 'scenario-failures', magnitude: 1, target: 'checkout' } })
  const r = await cli('verdict', broken, '--baseline', baseline, '--gate', 'integration')
  assert.is(r.code, 1)
  assert.match(flat(r.out), /scenario checkout failed in every one of its \d+ iterations; most often/)
  assert.match(r.out, /stable: +not required/)
})

test('an onset is named with its time', async () => {
  const dir = join(root, 'reports', 'onset')
  let t = 0
  const agg = new SeriesAggregator({ windowMs: 1000, now: () => t })
  const w = new RunRecordWriter({
    dir,
    aggregator: agg,
    now: () => t,
    header: {
      kind: 'soak',
      id: 'onset-run',
      startedAt: '2026-11-26T06:00:00.000Z',
      tool: { name: 'steady', version: '0.1.0' },
      subject: { service: 'synthetic-store' },
      seed: '1',
      configHash: 'x',
      comparability: JSON.parse(readFileSync(clean, 'utf8')).comparability,
      window: { sizeMs: 1000 },
    },
  })
  agg.setPhase('quiet')
  for (t = 0; t < 20_000; t += 250) {
    const ok = t < 12_500
    agg.outcome('probe', 'iterations', { scenario: 'checkout' }, ok, ok ? {} : { error: 'status_503' })
    w.iteration({ name: 'checkout' }, ok)
    if (!ok)
      w.failure(
        { scenario: 'checkout', step: 'pay', assertion: 'toHaveStatus(200)', status: 503 },
        { atMs: t, message: 'expected 200, got 503', replay: { seed: '1', scenario: 'checkout', iteration: t / 250 } },
      )
    if (t % 1000 === 750) w.flush()
  }
  w.phaseEnded({ name: 'quiet', startMs: 0, endMs: 20_000 })
  w.finish({ complete: true })
  const r = await cli('verdict', join(dir, 'run.json'), '--baseline', baseline, '--gate', 'integration')
  assert.is(r.code, 1, r.out)
  assert.match(flat(r.out), /scenario checkout passed until 0m12s into the run and failed from then on/)
})

test('flaky within the budget passes; over it fails, with a Wilson interval', async () => {
  const flaky = run({ change: { kind: 'scenario-failures', magnitude: 0.04, target: 'browse' } })
  const within = await cli('verdict', flaky, '--baseline', baseline, '--gate', 'integration', '--all')
  const strict = await cli(
    'verdict',
    flaky,
    '--baseline',
    baseline,
    '--config',
    join(root, 'steady.config.ts'),
    '--gate',
    'integration',
    '--format',
    'json',
  )
  const v = JSON.parse(strict.out) as Verdict
  const f = v.findings.find((x) => x.scenario === 'browse' && x.question === 'working')!
  assert.is(f.kind, 'flaky')
  assert.ok(f.interval![0] < f.current! && f.current! < f.interval![1])
  assert.match(flat(within.out), /scenario browse is flaky: \d+ of \d+ iterations failed \([\d.]+%, 95% interval/)
  assert.is(within.code, f.current! > 0.05 ? 1 : 0)
  const noBudget = await cli('verdict', flaky, '--baseline', baseline)
  assert.is(noBudget.code, 1, 'the default gate has no flake budget')
})

test('inconclusive: no baseline file (exit 3, fails closed)', async () => {
  const r = await cli('verdict', clean, '--baseline', join(root, 'baselines', 'nope.json'), '--gate', 'staging')
  assert.is(r.code, 3, r.out)
  assert.match(r.out, /INCONCLUSIVE/)
  assert.match(flat(r.out), /no baseline at .*nope\.json \(the file does not exist\)/)
  assert.match(r.out, /exit 3 \(inconclusive\)/)
})

test('inconclusive: an unreadable baseline fails closed too', async () => {
  const bad = join(root, 'baselines', 'broken.json')
  writeFileSync(bad, '{"schema": "steady.baseline/1", "runs": {')
  const r = await cli('verdict', clean, '--baseline', bad, '--gate', 'staging')
  assert.is(r.code, 3)
  assert.match(r.out, /broken\.json is cut short/)
})

test('inconclusive: too few baseline runs (2 of the 3 needed)', async () => {
  const two = baselineOf(base.slice(0, 2), 'two.json')
  const r = await cli('verdict', clean, '--baseline', two, '--gate', 'staging')
  assert.is(r.code, 3, r.out)
  assert.match(
    flat(r.out),
    /only 2 of 2 baseline runs are comparable with this run; level, tail and failure findings need 3 \(or a gate with bootstrap: true for 1–2 runs\)/,
  )
})

test('with 1–2 runs a gate may opt in to the block bootstrap, which flags only large changes', async () => {
  const two = baselineOf(base.slice(0, 2), 'two-boot.json')
  const ok = await cli('verdict', clean, '--baseline', two, '--gate', 'boot')
  assert.is(ok.code, 0, ok.out)
  assert.match(flat(ok.out), /block bootstrap over windows/)
  const slow = run({ change: { kind: 'step-latency', magnitude: 1.5, target: 'browse/search' } })
  const bad = await cli('verdict', slow, '--baseline', two, '--gate', 'boot', '--format', 'json')
  const v = JSON.parse(bad.out) as Verdict
  assert.is(bad.code, 1)
  assert.ok(
    v.findings.some((f) => f.status === 'fail' && f.step === 'search' && /block bootstrap/.test(f.method ?? '')),
  )
})

test('inconclusive: incomparable runs name the differing key; a gate may relax it, with a warning', async () => {
  const other = run({ comparability: { cores: 8 } })
  const r = await cli('verdict', other, '--baseline', baseline, '--gate', 'staging')
  assert.is(r.code, 3, r.out)
  assert.match(
    r.out,
    /only 0 of 5 baseline runs are comparable with this run \(5 differ in cores: 2 in the baseline vs 8 now\)/,
  )
  const relaxed = await cli('verdict', other, '--baseline', baseline, '--gate', 'relaxed')
  assert.is(relaxed.code, 0, relaxed.out)
  assert.match(
    flat(relaxed.out),
    /compared across a relaxed comparability key \(gate relaxed\): cores: 2 in the baseline vs 8 now \(5 runs\)/,
  )
})

test('inconclusive: an incomplete run cannot show it is stable', async () => {
  const partial = run({ incomplete: true })
  const r = await cli('verdict', partial, '--baseline', baseline, '--gate', 'staging')
  assert.is(r.code, 3)
  assert.match(flat(r.out), /the run is incomplete \(SIGINT\)/)
})

test('inconclusive: a check the run could not judge, under a gate that will not pass without it', async () => {
  const r = await cli('verdict', clean, '--baseline', baseline, '--gate', 'strict')
  assert.is(r.code, 3, r.out)
  assert.match(
    r.out,
    /primary checks not judged \(\d+\): the gate counts them as inconclusive \(notJudged: 'inconclusive'\)/,
  )
  assert.match(
    flat(r.out),
    /– \w+ › \w+ \(load\) p\d\d in \w+: [\d.]+ ms → [\d.]+ ms \([+−][\d.]+%\); (\d+ values, too few for a p\d\d|could see only changes from \+\d+%)/,
  )
})

test('many checks not judged: the text names the counts in a bounded number of lines; --all lists every check', async () => {
  const r = await cli('verdict', clean, '--baseline', baseline, '--gate', 'staging')
  const v = JSON.parse(
    (await cli('verdict', clean, '--baseline', baseline, '--gate', 'staging', '--format', 'json')).out,
  ) as Verdict
  const secondary = v.findings.filter((f) => f.status === 'not-judged' && !f.primary)
  const primary = v.findings.filter((f) => f.status === 'not-judged' && f.primary)
  assert.ok(secondary.length > 20, `${secondary.length} secondary checks not judged`)
  // the head, a line or two per primary check not judged, the counts, the warnings: not one line per check
  assert.ok(r.out.split('\n').length < 30 + 2 * primary.length, r.out)
  assert.match(r.out, new RegExp(`not judged: ${secondary.length} secondary checks \\(not gating\\)`))
  assert.match(r.out, new RegExp(`passed: ${v.findings.filter((f) => f.status === 'pass').length} checks`))
  for (const f of secondary) assert.not.ok(flat(r.out).includes(f.message), `listed without --all: ${f.id}`)
  const all = await cli('verdict', clean, '--baseline', baseline, '--gate', 'staging', '--all')
  assert.is(all.code, r.code)
  for (const f of v.findings) assert.ok(flat(all.out).includes(f.message), `--all misses ${f.id}`)
})

test('every failing finding appears in the text, primary ones with their id', async () => {
  const slow = run({ change: { kind: 'step-latency', magnitude: 1.5, target: 'browse/product' } })
  const r = await cli('verdict', slow, '--baseline', baseline, '--gate', 'staging')
  const v = JSON.parse(
    (await cli('verdict', slow, '--baseline', baseline, '--gate', 'staging', '--format', 'json')).out,
  ) as Verdict
  const failing = v.findings.filter((f) => f.status === 'fail')
  assert.is(r.code, 1, r.out)
  assert.ok(
    failing.some((f) => f.primary),
    r.out,
  )
  for (const f of failing.filter((x) => x.primary)) assert.ok(r.out.includes(`id ${f.id}`), f.id)
  for (const f of failing.filter((x) => !x.primary && x.step && x.series))
    assert.ok(r.out.includes(`${what(f)} ${f.stat} in ${f.phase}: `), f.id)
})

test('a gate may turn inconclusive into a failure (exit 1), never into a pass', async () => {
  const r = await cli('verdict', clean, '--baseline', join(root, 'baselines', 'nope.json'), '--gate', 'failclosed')
  assert.is(r.code, 1)
  assert.match(r.out, /exit 1 \(inconclusive, and the gate fails on inconclusive\)/)
})

test('absolute objectives are judged without a baseline', async () => {
  const r = await cli('verdict', clean, '--baseline', join(root, 'baselines', 'nope.json'), '--gate', 'slo')
  assert.is(r.code, 1, r.out)
  assert.match(flat(r.out), /p95 in (nominal|peak) is [\d.]+ ms, over the objective p95 < 1ms/)
})

test('pinned reference runs catch slow creep the rolling baseline follows', async () => {
  // A baseline whose rolling runs are all 30% slower than the pinned reference.
  const creepBase = [
    run(),
    ...Array.from({ length: 4 }, () => run({ change: { kind: 'all-latency', magnitude: 0.3 } })),
  ]
  const path = baselineOf(creepBase, 'creep.json')
  const id = JSON.parse(readFileSync(creepBase[0], 'utf8')).id as string
  assert.is((await cli('baseline', 'pin', id, '--baseline', path, '--reason', 'release 1.0')).code, 0)
  const now = run({ change: { kind: 'all-latency', magnitude: 0.3 } })
  const r = await cli('verdict', now, '--baseline', path, '--gate', 'staging', '--format', 'json')
  const v = JSON.parse(r.out) as Verdict
  const creep = v.findings.filter((f) => f.id.startsWith('creep:'))
  assert.ok(creep.length > 0)
  assert.ok(
    creep.some((f) => f.change! > 0.2),
    JSON.stringify(creep.map((f) => f.change)),
  )
})

test('formats: markdown for a PR comment, JUnit for CI, and -o writes a file', async () => {
  const slow = run({ change: { kind: 'step-latency', magnitude: 1.5, target: 'checkout/pay' } })
  const md = await cli('verdict', slow, '--baseline', baseline, '--gate', 'staging', '--format', 'markdown')
  assert.match(md.out, /^### ❌ steady verdict: \*\*FAIL\*\* \(gate `staging`\)/)
  assert.match(md.out, /\| ❌ \| .*checkout › pay/)
  const out = join(root, 'verdict.xml')
  const ju = await cli('verdict', slow, '--baseline', baseline, '--gate', 'staging', '--format', 'junit', '-o', out)
  assert.is(ju.code, 1)
  assert.is(ju.out, '')
  assert.match(ju.err, /wrote verdict\.xml/)
  const xml = readFileSync(out, 'utf8')
  assert.match(xml, /<testsuites name="steady verdict" tests="\d+" failures="[1-9]\d*"/)
  assert.match(xml, /<failure message="checkout › pay/)
})

test('bad input exits 2: missing run, invalid JSON, another schema, unknown gate, invalid gate, bad format, no argument', async () => {
  const missing = await cli('verdict', join(root, 'nope', 'run.json'), '--baseline', baseline)
  assert.is(missing.code, 2)
  assert.match(missing.err, /cannot read run record/)
  const junk = join(root, 'junk.json')
  writeFileSync(junk, '{"schema": "steady.run/1", "id": ')
  const invalid = await cli('verdict', junk, '--baseline', baseline)
  assert.is(invalid.code, 2)
  assert.match(
    invalid.err,
    /junk\.json is cut short: it is the beginning of a JSON document \(the file looks truncated\)/,
  )
  const other = await cli('verdict', baseline, '--baseline', baseline)
  assert.is(other.code, 2)
  assert.match(other.err, /has schema "steady\.baseline\/1", expected "steady\.run\/1"/)
  const gate = await cli('verdict', clean, '--baseline', baseline, '--gate', 'prod')
  assert.is(gate.code, 2)
  assert.match(gate.err, /no gate named "prod" \(known gates: integration, staging/)
  const typo = await cli('verdict', clean, '--baseline', baseline, '--gate', 'typo')
  assert.is(typo.code, 2)
  assert.match(typo.err, /gates\.typo\.tolerence: unknown field/)
  const format = await cli('verdict', clean, '--baseline', baseline, '--format', 'yaml')
  assert.is(format.code, 2)
  assert.match(format.err, /--format yaml is not one of text, json, markdown, junit/)
  const none = await cli('verdict')
  assert.is(none.code, 2)
})

test('steady compare: the same findings between two runs, for a quick look', async () => {
  const same = await cli('compare', base[0], clean, '--gate', 'staging')
  assert.is(same.code, 0, same.out)
  assert.match(same.out, /steady compare — PASS/)
  assert.match(flat(same.out), /only changes over twice the tolerance are flagged/)
  const slow = run({ change: { kind: 'step-latency', magnitude: 1.5, target: 'browse/home' } })
  const diff = await cli('compare', base[0], slow, '--format', 'json', '--gate', 'staging')
  const v = JSON.parse(diff.out) as Verdict
  assert.is(v.mode, 'compare')
  assert.is(diff.code, 1)
  assert.ok(v.findings.some((f) => f.status === 'fail' && f.step === 'home'))
  const bad = await cli('compare', base[0])
  assert.is(bad.code, 2)
})

test('the binary exits with the verdict code (spawned like a gate calls it)', () => {
  const repo = join(import.meta.dirname, '..', '..', '..')
  const bin = join(repo, 'packages', 'cli', 'src', 'bin.ts')
  const env = { ...process.env, NO_COLOR: '1' }
  const pass = spawnSync(
    process.execPath,
    [
      '--conditions=steady-source',
      '--import',
      'tsx',
      bin,
      'verdict',
      clean,
      '--baseline',
      baseline,
      '--config',
      join(root, 'steady.config.ts'),
      '--gate',
      'staging',
    ],
    { cwd: repo, env, encoding: 'utf8' },
  )
  assert.is(pass.status, 0, pass.stderr)
  const inconclusive = spawnSync(
    process.execPath,
    [
      '--conditions=steady-source',
      '--import',
      'tsx',
      bin,
      'verdict',
      clean,
      '--baseline',
      join(root, 'nope.json'),
      '--config',
      join(root, 'steady.config.ts'),
      '--gate',
      'staging',
    ],
    { cwd: repo, env, encoding: 'utf8' },
  )
  assert.is(inconclusive.status, 3, inconclusive.stderr)
})

test.after(() => rmSync(root, { recursive: true, force: true }))
test.run()
