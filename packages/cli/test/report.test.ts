/**
 * `steady report` through the CLI: the default path beside run.json, a
 * baseline and a verdict made by the real judge, bad inputs (exit 2 with what
 * to do), config redaction, and the real binary in a child process.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { main } from '@steady/cli'
import { RunRecordWriter, SeriesAggregator, comparabilityKey, type RunRecord } from '@steady/record'
import { addRun, emptyBaseline, judge, selectGate, summariseRun, writeBaseline } from '@steady/baseline'

async function run(argv: string[], cwd: string) {
  let out = ''
  let err = ''
  const code = await main(argv, { cwd, out: (s) => (out += s), err: (s) => (err += s), isTTY: false })
  return { code, out, err }
}

/** A short soak record: quiet then peak, one scenario with two steps, a heap gauge, failures in peak when `failing`. */
function soakRecord(dir: string, opts: { id: string; slower?: number; failing?: boolean; seed?: number }): RunRecord {
  let t = 0
  let seed = opts.seed ?? 1
  const rand = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646
  const now = () => t
  const agg = new SeriesAggregator({ windowMs: 1000, now })
  const writer = new RunRecordWriter({
    dir,
    header: {
      kind: 'soak',
      id: opts.id,
      startedAt: '2026-11-26T06:00:00.000Z',
      tool: { name: 'steady', version: '0.1.0' },
      subject: { service: 'demo-store', version: '1.0.0', branch: 'main' },
      seed: '7',
      configHash: 'cfg',
      comparability: comparabilityKey({ planHash: 'plan', durationScale: 0.1, engine: 'embedded' }),
      window: { sizeMs: 1000 },
    },
    aggregator: agg,
    now,
    wallClock: () => new Date(Date.parse('2026-11-26T06:00:00.000Z') + t),
  })
  const phases = [
    { name: 'quiet', startMs: 0, endMs: 30_000, load: false },
    { name: 'peak', startMs: 30_000, endMs: 60_000, load: true },
  ]
  for (const p of phases) {
    agg.setPhase(p.name)
    writer.event({ atMs: p.startMs, kind: 'phase-start', message: p.name, data: { phase: p.name } })
    for (t = p.startMs; t < p.endMs; t += 100) {
      const slower = (opts.slower ?? 1) * (p.load ? 1.5 : 1)
      let passed = true
      for (const step of ['login', 'pay']) {
        const fails = opts.failing && p.load && step === 'pay' && rand() < 0.2
        agg.duration(
          'probe',
          'http_req_duration',
          { scenario: 'checkout', name: step },
          (10 + rand() * 4) * slower,
          fails ? { error: 'status_502' } : {},
        )
        if (fails) {
          passed = false
          writer.failure(
            { scenario: 'checkout', step, assertion: 'toHaveStatus(200)', status: 502 },
            {
              atMs: t,
              phase: p.name,
              message: 'expected status 200, got 502',
              request: {
                method: 'POST',
                url: 'http://127.0.0.1/api/orders',
                headers: { authorization: 'Bearer tok-abcdef123456' },
              },
              response: { status: 502, headers: {}, body: 'bad gateway' },
              curl: "curl -H 'Authorization: Bearer tok-abcdef123456' -X POST http://127.0.0.1/api/orders",
              replay: { seed: '7', scenario: 'checkout', iteration: t / 100 },
            },
          )
          break
        }
      }
      agg.outcome('probe', 'iterations', { scenario: 'checkout' }, passed, passed ? {} : { error: 'status_502' })
      writer.iteration({ name: 'checkout', tags: [] }, passed)
      agg.gauge('service', 'nodejs_heap_size_used_bytes', {}, 5e7 + t * 10, { unit: 'bytes' })
      if (p.load) agg.count('load', 'iterations', {}, 5)
      if (t % 1000 === 900) writer.flush()
    }
    writer.phaseEnded({
      name: p.name,
      startMs: p.startMs,
      endMs: p.endMs,
      ...(p.load
        ? {
            load: {
              profile: 'peak',
              engine: 'embedded',
              executor: 'constant-arrival-rate',
              targetRate: 50,
              achievedRate: 50,
              iterations: 1500,
              droppedIterations: 0,
            },
          }
        : {}),
    })
  }
  return writer.finish({ complete: true })
}

const root = mkdtempSync(join(tmpdir(), 'steady-cli-report-'))
const current = join(root, 'reports', 'current')
mkdirSync(current, { recursive: true })
const record = soakRecord(current, { id: '2026-11-26T06-00-00Z-cur1', slower: 1.3, failing: true })

test('steady report <run folder> writes report.html beside run.json and says there is no verdict', async () => {
  const r = await run(['report', 'reports/current'], root)
  assert.is(r.code, 0, r.err)
  const file = join(current, 'report.html')
  assert.match(r.out, `wrote ${file}`)
  assert.match(r.out, 'no verdict')
  const html = readFileSync(file, 'utf8')
  assert.match(html, 'No verdict: this report was built without one')
  assert.match(html, 'checkout › pay')
  assert.not.match(html, 'tok-abcdef123456')
})

test('with --baseline and --verdict (made by the real judge): the verdict and the baseline runs are on the page', async () => {
  const baseline = emptyBaseline('demo-store')
  for (let k = 0; k < 3; k++) {
    const dir = join(root, 'reports', `base-${k}`)
    const rec = soakRecord(dir, { id: `2026-11-2${k}T06-00-00Z-bas${k}`, seed: 11 + k })
    addRun(baseline, summariseRun(rec), {
      by: 'test',
      now: new Date('2026-11-25T00:00:00Z'),
      path: 'baselines/demo-store.json',
    })
  }
  mkdirSync(join(root, 'baselines'), { recursive: true })
  await writeBaseline(join(root, 'baselines', 'demo-store.json'), baseline)
  const verdict = judge({
    record,
    baseline,
    baselineFile: 'baselines/demo-store.json',
    gate: selectGate(undefined, undefined),
    now: new Date('2026-11-26T07:00:00Z'),
  })
  writeFileSync(join(current, 'verdict.json'), JSON.stringify(verdict, null, 2))
  const r = await run(
    [
      'report',
      'reports/current/run.json',
      '--baseline',
      'baselines/demo-store.json',
      '--verdict',
      'reports/current/verdict.json',
      '-o',
      'out/r.html',
    ],
    root,
  )
  assert.is(r.code, 0, r.err)
  assert.match(r.out, `verdict: ${verdict.result}`)
  const html = readFileSync(join(root, 'out', 'r.html'), 'utf8')
  assert.not.match(html, 'No verdict')
  assert.match(
    html,
    `<section class="verdict ${verdict.result === 'pass' ? 'good' : verdict.result === 'fail' ? 'bad' : 'warn'}"`,
  )
  assert.match(html, 'baselines/demo-store.json')
  assert.match(html, '2026-11-20T06-00-00Z-bas0')
  // The judge sees the failures of pay under load and the slower steps; the page names them.
  assert.ok(
    verdict.findings.some((f) => f.status === 'fail'),
    JSON.stringify(verdict.findings.map((f) => [f.kind, f.status])),
  )
  // The page puts the place (scenario › step, statistic, phase) beside the sentence, so each is looked for
  // on its own: the step's name, and the end of the message with its numbers.
  const esc = (t: string) =>
    t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')
  for (const f of verdict.findings.filter((x) => x.status === 'fail' && x.message)) {
    assert.ok(html.includes(esc(f.message.slice(-60))), f.message)
    if (f.scenario && f.step && f.step !== '*') assert.ok(html.includes(esc(`${f.scenario} › ${f.step}`)), f.message)
  }
})

test('bad inputs exit 2 with one line of what went wrong and one of what to do', async () => {
  const missing = await run(['report', 'reports/nope'], root)
  assert.is(missing.code, 2)
  assert.match(missing.err, 'cannot read run record')
  assert.match(missing.err, '→')
  writeFileSync(join(root, 'not-a-verdict.json'), JSON.stringify({ schema: 'steady.run/1' }))
  const wrong = await run(['report', 'reports/current', '--verdict', 'not-a-verdict.json'], root)
  assert.is(wrong.code, 2)
  assert.match(wrong.err, 'expected "steady.verdict/1"')
  const other = JSON.parse(readFileSync(join(current, 'verdict.json'), 'utf8'))
  other.run.id = 'another-run'
  writeFileSync(join(root, 'other-verdict.json'), JSON.stringify(other))
  const mismatch = await run(['report', 'reports/current', '--verdict', 'other-verdict.json'], root)
  assert.is(mismatch.code, 2)
  assert.match(mismatch.err, 'the verdict is about run another-run')
  const noBaseline = await run(['report', 'reports/current', '--baseline', 'baselines/missing.json'], root)
  assert.is(noBaseline.code, 2)
  assert.match(noBaseline.err, 'cannot read baseline')
})

test('the config’s redaction rules apply to the report', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'steady-cli-report-cfg-'))
  writeFileSync(
    join(dir, 'steady.config.ts'),
    "export default { redaction: { patterns: ['127\\\\.0\\\\.0\\\\.1'] } }\n",
  )
  const r = await run(['report', join(current, 'run.json'), '-o', join(dir, 'r.html')], dir)
  assert.is(r.code, 0, r.err)
  const html = readFileSync(join(dir, 'r.html'), 'utf8').replace(/<script[\s\S]*?<\/script>/g, '')
  assert.not.match(html, '127.0.0.1')
})

test('the steady binary writes the report in a child process; --help shows examples', () => {
  const bin = join(import.meta.dirname, '..', 'bin', 'steady.js')
  const out = join(root, 'child.html')
  // From the repo root: inside the monorepo the binary runs the sources through tsx, found from there.
  const repo = join(import.meta.dirname, '..', '..', '..')
  const r = spawnSync(process.execPath, [bin, 'report', join(current, 'run.json'), '-o', out], {
    encoding: 'utf8',
    cwd: repo,
  })
  assert.is(r.status, 0, r.stderr)
  assert.ok(existsSync(out))
  const help = spawnSync(process.execPath, [bin, 'report', '--help'], { encoding: 'utf8', cwd: repo })
  assert.is(help.status, 0)
  assert.match(help.stdout, '--baseline <file>')
  assert.match(help.stdout, 'Examples:')
})

test.run()
