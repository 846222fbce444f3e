/** The judge's public API: summaries, the store's layout, gates, and verdicts that validate. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  addRun,
  comparisonRuns,
  emptyBaseline,
  judge,
  resolveGate,
  selectGate,
  serialiseBaseline,
  summariseRun,
} from '@steady/baseline'
import { parseObjective } from '../src/gate.ts'
import { trimBaseline } from '../src/store.ts'
import { parseBaseline } from '@steady/baseline/internal'
import { syntheticRun, tempRunDir } from '@steady/baseline/testing'
import { LatencyHistogram, SteadyError, verdictSchema } from '@steady/record'
import { validatorFor } from '@steady/record/internal'
import { label } from '../src/render/describe.ts'

const day = (d: number) => new Date(Date.UTC(2026, 10, d))

function baselineOf(n: number, seed = 'j') {
  const file = emptyBaseline('synthetic-store')
  for (let i = 0; i < n; i++)
    addRun(file, summariseRun(syntheticRun({ seed: `${seed}${i}`, durationScale: 0.3, startedAt: day(i + 1) })), {
      by: 't',
      now: day(i + 1),
      path: 'b',
    })
  return file
}

test('the recorder path (RunRecordWriter, HDR histograms) and the fast path agree on the verdict', () => {
  const file = baselineOf(5)
  const gate = resolveGate('t', { flakeBudget: 0.05 })
  const { dir, remove } = tempRunDir()
  try {
    for (const change of [undefined, { kind: 'step-latency' as const, magnitude: 0.8, target: 'checkout/pay' }]) {
      const fast = judge({
        record: syntheticRun({ seed: 'same', durationScale: 0.3, change }),
        baseline: file,
        gate,
        now: day(20),
      })
      const real = judge({
        record: syntheticRun({ seed: 'same', durationScale: 0.3, change, writeTo: dir }),
        baseline: file,
        gate,
        now: day(20),
      })
      // The verdict: its result and the primary findings that fail it. A secondary finding at the edge of
      // significance may differ: the fast path interpolates a count above a threshold from the quantiles
      // where the recorder counts it in the histogram, a request or two apart.
      assert.is(fast.result, real.result)
      const gating = (v: typeof fast) =>
        v.findings
          .filter((f) => f.status === 'fail' && f.primary)
          .map((f) => f.id)
          .sort()
      assert.equal(gating(fast), gating(real))
      for (const v of [fast, real])
        assert.ok(
          validatorFor(verdictSchema)(JSON.parse(JSON.stringify(v))),
          JSON.stringify(validatorFor(verdictSchema).errors),
        )
    }
  } finally {
    remove()
  }
})

test('a summary keeps what judging needs: quantiles, standard errors, blocks, scenarios, phases', () => {
  const s = summariseRun(syntheticRun({ seed: 's', durationScale: 0.3 }))
  const pay = s.series['load/http_req_duration{name=pay,scenario=checkout}'].phases.peak
  assert.ok(pay.p50! < pay.p95! && pay.p95! < pay.p99!)
  assert.is(pay.se!.length, 3)
  assert.is(pay.blocks!.length, 3)
  assert.is(s.scenarios.checkout.n, 540)
  assert.equal(
    s.phases.map((p) => [p.name, p.loaded]),
    [
      ['quiet', false],
      ['nominal', true],
      ['peak', true],
    ],
  )
})

test('the file layout: one line per run, sorted, closed by "~"; any order and a union merge read back', () => {
  const file = baselineOf(3)
  const text = serialiseBaseline(file)
  const runLines = text.split('\n').filter((l) => l.startsWith('    "synthetic-j'))
  assert.is(runLines.length, 3)
  assert.ok(runLines.every((l) => l.endsWith(',')))
  // what git's union driver makes of two branches that each added a line: both, in any order
  const lines = text.split('\n')
  const at = lines.indexOf('    "~": "end"')
  const merged = [
    ...lines.slice(0, at),
    runLines[2].replace('"synthetic-j2"', '"z9"'),
    runLines[0].replace('"synthetic-j0"', '"a1"'),
    ...lines.slice(at),
  ].join('\n')
  const back = parseBaseline(merged, 'b.json')
  assert.is(Object.keys(back.runs).length, 5)
  const conflict = text.replace('"keep": 10', '<<<<<<< HEAD\n"keep": 10\n=======\n"keep": 12\n>>>>>>> b')
  try {
    parseBaseline(conflict, 'b.json')
    assert.unreachable()
  } catch (e) {
    assert.ok(e instanceof SteadyError)
    assert.match(e.hint ?? '', /merge=union/)
  }
})

test('comparison runs: the newest K, plus pinned ones; trimming keeps pins', () => {
  const file = baselineOf(4)
  file.keep = 2
  file.runs['synthetic-j0'].pinned = { by: 't', at: day(9).toISOString() }
  assert.equal(
    comparisonRuns(file).map((r) => r.id),
    ['synthetic-j3', 'synthetic-j2', 'synthetic-j0'],
  )
  assert.equal(trimBaseline(file, day(10)), ['synthetic-j1'])
})

test('gates: defaults, objectives, and every mistake named by its field', () => {
  const g = selectGate(undefined, undefined)
  assert.is(g.name, 'default')
  assert.equal(g.require, ['working', 'stable'])
  assert.is(g.alpha, 0.01)
  assert.equal(parseObjective('p(95) < 400ms'), { expr: 'p(95) < 400ms', stat: 'p95', op: '<', value: 400 })
  assert.equal(parseObjective('failure rate <= 0.1%'), {
    expr: 'failure rate <= 0.1%',
    stat: 'failure rate',
    op: '<=',
    value: 0.001,
  })
  const bad: [unknown, RegExp][] = [
    [{ require: ['fast'] }, /gates\.g\.require/],
    [{ onInconclusive: 'pass' }, /gates\.g\.onInconclusive.*never passes/s],
    [{ tolerance: { levle: 0.1 } }, /gates\.g\.tolerance\.levle: unknown tolerance/],
    [{ tolerance: { level: -1 } }, /gates\.g\.tolerance\.level/],
    [{ relax: ['ram'] }, /unknown comparability key "ram"/],
    [{ objectives: ['p95 under 400'] }, /cannot read "p95 under 400"/],
    [{ alpha: 0.5 }, /gates\.g\.alpha/],
  ]
  for (const [config, message] of bad) {
    try {
      resolveGate('g', config as never)
      assert.unreachable(JSON.stringify(config))
    } catch (e) {
      assert.ok(e instanceof SteadyError, String(e))
      assert.match(`${e.message} ${e.hint}`, message)
    }
  }
})

test('a run restarting mid-soak is a stability finding with its time', () => {
  const file = baselineOf(3)
  const v = judge({
    record: syntheticRun({ seed: 'r', durationScale: 0.3, restartsAtMs: [200_000] }),
    baseline: file,
    gate: resolveGate('t', { flakeBudget: 0.05 }),
    now: day(20),
  })
  const f = v.findings.find((x) => x.kind === 'restart')!
  assert.is(f.status, 'fail')
  assert.is(f.atMs, 200_000)
  assert.match(f.message, /the service restarted 3m20s into the run \(phase nominal\)/)
  assert.is(v.result, 'fail')
})

test('three baseline runs: every step four times as slow fails the service-wide shift (own K − 1 df, own share of α), a clean run passes', () => {
  const file = baselineOf(3, 'thin')
  const gate = resolveGate('staging', { minBaselineRuns: 3 })
  const clean = judge({
    record: syntheticRun({ seed: 'thin-clean', durationScale: 0.3 }),
    baseline: file,
    gate,
    now: day(20),
  })
  assert.is(clean.stable.status, 'pass', clean.stable.reason)
  const slow = judge({
    record: syntheticRun({ seed: 'thin-slow', durationScale: 0.3, change: { kind: 'all-latency', magnitude: 3 } }),
    baseline: file,
    gate,
    now: day(20),
  })
  assert.is(slow.stable.status, 'fail', slow.stable.reason)
  const shift = slow.findings.find((f) => f.id === 'level:p50:load/http_req_duration{*}@nominal+peak')!
  assert.is(shift.status, 'fail', shift.message)
  assert.ok(shift.primary)
  // No degrees of freedom borrowed from the other phases of the same runs: t on K − 1 = 2.
  assert.match(shift.method ?? '', /t on 2 df/)
  assert.match(
    shift.message,
    /^all load steps got slower together: their typical latency \(p50\) moved by \+\d+% over nominal, peak \(nominal \+\d+%, peak \+\d+%\)/,
  )
  // Each phase's own shift is reported, secondary.
  const peak = slow.findings.find((f) => f.id === 'level:p95:load/http_req_duration{*}@peak')!
  assert.not.ok(peak.primary)
})

test('five baseline runs: every step twice as slow fails with the service-wide finding, and each step says what the steps did together', () => {
  const file = baselineOf(5, 'five')
  const gate = resolveGate('staging', {})
  const slow = judge({
    record: syntheticRun({ seed: 'five-slow', durationScale: 0.3, change: { kind: 'all-latency', magnitude: 1 } }),
    baseline: file,
    gate,
    now: day(20),
  })
  assert.is(slow.stable.status, 'fail', slow.stable.reason)
  const shift = slow.findings.find((f) => f.id === 'level:p50:load/http_req_duration{*}@nominal+peak')!
  assert.is(shift.status, 'fail', shift.message)
  assert.ok(shift.primary && shift.change! > 0.5, `${shift.change}`)
  assert.match(shift.message, /all load steps got slower together/)
  // A step judged relative to the others says so, with what the others did, and is never printed as
  // unchanged outside the range it was judged against.
  const pay = slow.findings.find((f) => f.id.startsWith('level:p95:load/') && f.step === 'pay' && f.phase === 'peak')!
  assert.match(pay.message, /the run's other steps moved \+\d+% together \(judged as one finding\)/)
  if (pay.status === 'pass')
    assert.ok(pay.current! >= pay.interval![0] && pay.current! <= pay.interval![1], `${pay.current} ${pay.interval}`)
  // No check prints "p = 1.000" alone for a value above its own expected range.
  for (const f of slow.findings) {
    if (f.kind !== 'level' || f.unit !== 'ms' || !f.interval || f.current === undefined || f.current <= f.interval[1])
      continue
    assert.not.match(f.message, /\(p = 1\.000\)/, f.message)
  }
})

test('a significant +80% p95 of one step fails; a not-judged primary level is never a change past what the run could see', () => {
  const file = baselineOf(5, 'five')
  const gate = resolveGate('staging', {})
  const v = judge({
    record: syntheticRun({
      seed: 'five-pay',
      durationScale: 0.3,
      change: { kind: 'step-latency', magnitude: 0.8, target: 'checkout/pay' },
    }),
    baseline: file,
    gate,
    now: day(20),
  })
  const pay = v.findings.filter((f) => f.primary && f.kind === 'level' && f.stat === 'p95' && f.step === 'pay')
  assert.ok(pay.length > 0)
  for (const f of pay) assert.is(f.status, 'fail', f.message)
  for (const f of v.findings) {
    if (!f.primary || (f.kind !== 'level' && f.kind !== 'tail') || f.status !== 'not-judged') continue
    const seen = Number(f.evidence?.decisiveChange ?? f.change)
    assert.ok(!(seen > f.detectable! && (f.pAdjusted ?? 1) <= gate.alpha), f.message)
  }
})

test('failed-request series a clean run does not have raise no renamed-step warning; a removed step still does', () => {
  const gate = resolveGate('t', {})
  const withFailed = (r: ReturnType<typeof syntheticRun>) => {
    const step = r.series.find((x) => x.source === 'load' && x.name === 'http_req_duration' && x.tags.name === 'pay')!
    const tags = { ...step.tags, expected_response: 'false', status: '503' }
    const key = `${step.source}/${step.name}{${Object.entries(tags)
      .sort()
      .map(([k, x]) => `${k}=${x}`)
      .join(',')}}`
    r.series.push({ ...structuredClone(step), key, tags })
    return r
  }
  const file = emptyBaseline('synthetic-store')
  for (let i = 0; i < 5; i++) {
    const r = syntheticRun({ seed: `fr${i}`, durationScale: 0.1, startedAt: day(i + 1) })
    addRun(file, summariseRun(i < 3 ? withFailed(r) : r), { by: 't', now: day(i + 1), path: 'b' })
  }
  const clean = judge({
    record: syntheticRun({ seed: 'fr-cur', durationScale: 0.1 }),
    baseline: file,
    gate,
    now: day(20),
  })
  assert.not.ok(
    clean.warnings.some((w) => w.includes('expected_response=false')),
    clean.warnings.join('\n'),
  )
  const removed = syntheticRun({ seed: 'fr-cur', durationScale: 0.1 })
  removed.series = removed.series.filter((x) => !(x.source === 'load' && x.tags.name === 'pay'))
  const v = judge({ record: removed, baseline: file, gate, now: day(20) })
  assert.ok(
    v.warnings.some((w) =>
      /name=pay.* is in 5 of 5 baseline runs but not in this run \(a step renamed or removed\?\)/.test(w),
    ),
    v.warnings.join('\n'),
  )
})

test('a load series tagged with its load profile is named as a load profile, not a scenario', () => {
  const f = {
    id: 'x',
    kind: 'level',
    question: 'stable',
    status: 'pass',
    primary: false,
    series: 'load/http_req_duration{scenario=nominal}',
    scenario: 'nominal',
    stat: 'p50',
    phase: 'nominal',
    message: '',
  } as const
  assert.is(label({ ...f }), 'load profile nominal p50 in nominal')
  assert.is(
    label({ ...f, series: 'probe/http_req_duration{scenario=browse}', scenario: 'browse' }),
    'scenario browse p50 in nominal',
  )
})

test('a slow tail in a short soak (the p99 of a few hundred values cannot be judged) shows in the share above the baseline p99 and fails the run', () => {
  const file = baselineOf(5, 'tl')
  const gate = resolveGate('staging', {})
  const { dir, remove } = tempRunDir()
  try {
    const judged = (change?: { kind: 'tail'; magnitude: number; target: string }) =>
      judge({
        record: syntheticRun({ seed: 'tl-cur', durationScale: 0.3, change, writeTo: dir }),
        baseline: file,
        gate,
        now: day(20),
      })
    const slow = judged({ kind: 'tail', magnitude: 5, target: 'checkout/pay' })
    const shares = slow.findings.filter((f) => f.id.startsWith('tail:share-above-p99:load/') && f.step === 'pay')
    const thin = shares.filter((f) => f.primary)
    assert.ok(thin.length > 0, 'primary where the p99 is too thin to judge')
    // The tail shows as a count where the p99 cannot: a share above the baseline's p99 past the tolerance.
    for (const f of thin) assert.ok(f.change! >= f.tolerance!, f.message)
    assert.is(slow.result, 'fail')
    assert.ok(
      slow.findings.some((f) => f.primary && f.status === 'fail' && f.kind === 'tail' && f.step === 'pay'),
      'the run fails on a tail finding of that step',
    )
    const f = shares.find((x) => x.status === 'fail')!
    assert.ok(f, shares.map((x) => `${x.status} ${x.message}`).join('\n'))
    assert.match(
      f.message,
      /checkout › pay \(load\) has a slow tail in \w+: \d+ of \d+ requests \([\d.]+%\) were slower than the baseline's p99 of [\d.]+ ms, where the baseline runs had/,
    )
    assert.match(f.method!, /counted in the HDR histogram/)
    const clean = judged()
    const fails = clean.findings.filter(
      (x) => x.id.startsWith('tail:share-above-p99:') && x.status === 'fail' && x.primary,
    )
    assert.is(fails.length, 0, fails.map((x) => x.message).join('\n'))
  } finally {
    remove()
  }
})

test("baseline runs whose other steps had longer tails do not make a step's own steady tail count as grown", () => {
  // Hiccups in the baseline runs: every step's slowest 1% twice as slow there, except pay's. The current
  // run has none, so the other steps' p99s fell by half while their medians stayed: pay's threshold may not.
  const file = emptyBaseline('synthetic-store')
  for (let i = 0; i < 5; i++) {
    const summary = summariseRun(syntheticRun({ seed: `tl${i}`, durationScale: 0.3, startedAt: day(i + 1) }))
    for (const [key, series] of Object.entries(summary.series)) {
      if (!key.includes('http_req_duration{') || !key.includes('name=') || key.includes('name=pay')) continue
      for (const ps of Object.values(series.phases)) {
        if (ps.p99) ps.p99 *= 2
        if (ps.dist) ps.dist = ps.dist.map((v, j) => (j >= ps.dist!.length - 3 ? v * 2 : v))
      }
    }
    addRun(file, summary, { by: 't', now: day(i + 1), path: 'b' })
  }
  const { dir, remove } = tempRunDir()
  try {
    const v = judge({
      record: syntheticRun({ seed: 'tl-cur', durationScale: 0.3, writeTo: dir }),
      baseline: file,
      gate: resolveGate('staging', {}),
      now: day(20),
    })
    const pay = v.findings.filter((f) => f.id.startsWith('tail:share-above-p99:load/') && f.step === 'pay')
    assert.ok(pay.some((f) => f.primary && f.evidence?.relativeToOtherSteps === true))
    for (const f of pay) assert.is(f.status, 'pass', f.message)
  } finally {
    remove()
  }
})

test("a step's tail share is secondary when its threshold cannot move with the run's common shift", () => {
  const file = baselineOf(5, 'tl')
  const gate = resolveGate('staging', {})
  const { dir, remove } = tempRunDir()
  try {
    const record = syntheticRun({
      seed: 'tl-cur',
      durationScale: 0.3,
      change: { kind: 'tail', magnitude: 5, target: 'checkout/pay' },
      writeTo: dir,
    })
    // Three load steps left: too few for the other steps' common shift, so the share is counted
    // against the baseline's absolute p99, which a slower machine would cross as well.
    const kept = new Set(['login', 'cart', 'pay'])
    record.series = record.series.filter((x) => x.source !== 'load' || !x.tags.name || kept.has(x.tags.name))
    const v = judge({ record, baseline: file, gate, now: day(20) })
    const share = v.findings.filter((f) => f.id.startsWith('tail:share-above-p99:load/') && f.step === 'pay')
    assert.ok(share.length > 0, 'the share is still judged and reported')
    assert.ok(
      share.every((f) => !f.primary),
      share.map((f) => `${f.primary ? 'primary' : 'secondary'} ${f.status} ${f.message}`).join('\n'),
    )
  } finally {
    remove()
  }
})

test('a quantile objective fails on more requests over its bound than its share allows, not on one stall', () => {
  const gate = resolveGate('t', { objectives: [{ expr: 'p95 < 500ms', step: 'pay', phase: 'peak' }] })
  const judged = (fast: number, slow: number) => {
    const record = syntheticRun({ seed: 'obj', durationScale: 0.1 })
    const h = new LatencyHistogram()
    h.record(5, fast)
    h.record(600, slow)
    for (const s of record.series) {
      const agg = s.tags.name === 'pay' && s.name === 'http_req_duration' ? s.phases.peak : undefined
      if (!agg) continue
      Object.assign(agg, { count: fast + slow, hist: h.encode(), p50: 5, p95: 600, p99: 600, max: 600 })
    }
    return judge({ record, baseline: undefined, gate, now: day(20) }).findings.filter((f) => f.kind === 'objective')
  }
  // One request of eleven over 500 ms: the p95 is that request, and a service within the objective
  // gives one such request in eleven 43% of the time.
  const stall = judged(10, 1)
  assert.ok(stall.length > 0)
  for (const f of stall) {
    assert.is(f.status, 'not-judged', f.message)
    assert.match(f.message, /1 of 11 requests over 500 ms, which a p95 within it gives by chance \(p = 0\.43\d\)/)
  }
  // Six of twenty-six: more than a 5% share gives by chance at the gate's alpha (0.01).
  const slow = judged(20, 6)
  assert.ok(slow.length > 0 && slow.every((f) => f.status === 'fail'), slow.map((f) => f.message).join('\n'))
  assert.match(slow[0].message, /over the objective p95 < 500ms \(6 of 26 requests over it, p = /)
})

test.run()
