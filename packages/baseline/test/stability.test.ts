/** Issue 8's findings on synthetic runs: drift, leaks, load, saturation, closed-model executors, dropped iterations, recovery. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { addRun, emptyBaseline, judge, resolveGate, summariseRun } from '@steady/baseline'
import { syntheticRun, type SyntheticRunOptions } from '@steady/baseline/testing'
import type { RunRecord, Verdict } from '@steady/record'

const day = (d: number, h = 0) => new Date(Date.UTC(2026, 10, d, h))
const gate = resolveGate('t', { flakeBudget: 0.05, memoryLimitBytes: 8 * 1024 ** 3 })
const scale = 0.5
const file = emptyBaseline('synthetic-store')
for (let i = 0; i < 10; i++)
  addRun(file, summariseRun(syntheticRun({ seed: `st${i}`, durationScale: scale, startedAt: day(1, i) })), {
    by: 't',
    now: day(1, i),
    path: 'b',
  })

function verdictOf(o: Partial<SyntheticRunOptions>, edit?: (r: RunRecord) => void): Verdict {
  const record = syntheticRun({ seed: `cur-${JSON.stringify(o)}`, durationScale: scale, startedAt: day(2), ...o })
  edit?.(record)
  return judge({ record, baseline: file, gate, now: day(3) })
}

const failing = (v: Verdict, kind: string) => v.findings.filter((f) => f.kind === kind && f.status === 'fail')

test('a clean run has no stability finding, and its trend checks are in the verdict with their numbers', () => {
  const v = verdictOf({})
  assert.is(v.stable.status, 'pass', v.stable.reason)
  const drift = v.findings.find((f) => f.id === 'drift:p50:load/http_req_duration{*}@peak')!
  assert.ok(drift, 'the all-steps drift of peak is judged')
  assert.ok(typeof drift.evidence?.relativeSlopePerMinute === 'number' && drift.evidence?.windows !== undefined)
  // A relative rate per minute, not extrapolated to an hour (a 30-s phase drifting 20% would be 1e+57 per hour).
  assert.ok(Math.abs(drift.evidence.relativeSlopePerMinute as number) < 1)
  assert.ok(
    v.findings.some((f) => f.kind === 'leak' && f.series === 'service/nodejs_heap_size_used_bytes{service=store}'),
  )
  assert.ok(v.findings.some((f) => f.kind === 'load-latency'))
})

test('every step drifting up within the phases is a drift finding, with the phase and the judged span', () => {
  const v = verdictOf({ change: { kind: 'drift', magnitude: 0.6, target: '*' } })
  const f = failing(v, 'drift')
  assert.ok(
    f.length > 0,
    JSON.stringify(v.findings.filter((x) => x.kind === 'drift').map((x) => [x.id, x.status, x.change, x.pAdjusted])),
  )
  assert.match(
    f[0].message,
    /all (load|probe) steps' p50 drifted up by \+\d+% over \w+ \(after its warm-up, \d+m\d\ds–\d+m\d\ds\), where the baseline runs drifted/,
  )
  assert.is(v.stable.status, 'fail')
})

test("drift is judged against the baseline runs' drifts, not against zero: a drift within their spread is not a finding", () => {
  // Half the baseline runs drift +45% over each phase (a cache warming, some days), half do not: a run
  // drifting +45% is past their mean by more than the tolerance and significant on its own windows, but
  // not outside what the baseline runs do.
  const drifting = emptyBaseline('synthetic-store')
  for (let i = 0; i < 10; i++) {
    const change = i % 2 ? undefined : { kind: 'drift' as const, magnitude: 0.45, target: '*' }
    addRun(
      drifting,
      summariseRun(syntheticRun({ seed: `dr${i}`, durationScale: scale, startedAt: day(1, i), change })),
      { by: 't', now: day(1, i), path: 'b' },
    )
  }
  const record = syntheticRun({
    seed: 'dr-cur',
    durationScale: scale,
    startedAt: day(2),
    change: { kind: 'drift', magnitude: 0.45, target: '*' },
  })
  const against = (b: typeof file) =>
    judge({ record, baseline: b, gate, now: day(3) }).findings.find(
      (f) => f.id === 'drift:p50:load/http_req_duration{*}@nominal+peak',
    )!
  const within = against(drifting)
  assert.ok(
    Number(within.evidence?.mannKendallP) < 1e-3,
    `the run's own trend test rejects (${within.evidence?.mannKendallP})`,
  )
  assert.ok(within.change! > 0.1, `past the baseline runs' mean drift by more than the tolerance (${within.change})`)
  assert.is(within.status, 'pass', within.message)
  assert.match(within.method!, /against the baseline runs' drifts \(t on \d+ df\), both tests must reject/)
  const clean = against(file)
  assert.is(clean.status, 'fail', clean.message)
})

test('a heap leak states its growth per hour and projects the memory limit; a short run cannot see a small one', () => {
  const v = verdictOf({ change: { kind: 'heap-leak', magnitude: 1.5 * 1024 ** 3 } })
  const f = failing(v, 'leak')[0]
  assert.ok(f, JSON.stringify(v.findings.filter((x) => x.kind === 'leak')))
  assert.match(
    f.message,
    /heap used after GC grows [\d.]+ (MiB|GiB)\/h within phases \(after warm-ups\); the baseline runs grew .*; at this rate the 8\.00 GiB limit is reached in [\d.]+ h/,
  )
  assert.ok(Number(f.evidence?.hoursToLimit) > 0)
  // this short run cannot judge a leak of the tolerance, yet fails on a growth far past what it can see
  assert.ok(f.detectable! > 20 * 1024 ** 2 && f.current! > f.detectable!, `${f.detectable} ${f.current}`)
  const small = verdictOf({ change: { kind: 'heap-leak', magnitude: 20 * 1024 ** 2 } })
  const s = small.findings.find((x) => x.kind === 'leak' && x.primary)!
  assert.is(s.status, 'not-judged')
  // the message names what the run could see, with 95% power
  assert.match(
    s.message,
    /too short to see a leak of 20\.0 MiB\/h \(with 95% power it could see [\d.]+ (MiB|GiB)\/h: soak longer/,
  )
  assert.ok(s.detectable! > 20 * 1024 ** 2, `detectable ${s.detectable}`)
})

test('an off-heap leak (resident memory grows, the heap stays flat) fails the memory check, naming resident memory', () => {
  // Buffers kept per request: resident memory climbs by 2 GiB/h while heap used after GC does not move.
  const perMs = (2 * 1024 ** 3) / 3_600_000
  const v = verdictOf({}, (r) => {
    const rss = r.series.find((s) => s.name === 'process_resident_memory_bytes')!
    for (const w of rss.windows) {
      const grow = perMs * (w.i + 1) * r.window.sizeMs
      if (w.value !== undefined) w.value += grow
      if (w.min !== undefined) w.min += grow
    }
  })
  const memory = v.findings.find((f) => f.kind === 'leak' && f.primary)!
  assert.is(memory.status, 'fail', memory.message)
  assert.match(
    memory.message,
    /^memory of store grows: resident memory \(\/metrics\) grows [\d.]+ (MiB|GiB)\/h within phases/,
  )
  assert.match(memory.message, /heap used after GC/)
  assert.is(memory.evidence?.decidedBy, 'resident memory (/metrics)')
  const heap = v.findings.find(
    (f) => f.series === 'service/nodejs_heap_size_used_bytes{service=store}' && f.kind === 'leak',
  )!
  assert.ok(heap.status !== 'fail', heap.message)
  assert.is(v.stable.status, 'fail', v.stable.reason)
  assert.is(v.exitCode, 1)
})

test('a leak of the tolerance (20 MiB/h) fails on a soak long enough to see it, and a clean soak of that length passes', () => {
  // Three-hour soaks of 60-minute phases: service and generator indicators only (latency plays no part here).
  const phases = [
    { name: 'quiet', durationMs: 3_600_000, rate: 0 },
    { name: 'nominal', durationMs: 3_600_000, rate: 5 },
    { name: 'peak', durationMs: 3_600_000, rate: 10 },
  ]
  const lfile = emptyBaseline('synthetic-store')
  for (let i = 0; i < 10; i++)
    addRun(lfile, summariseRun(syntheticRun({ seed: `lk${i}`, phases, indicatorsOnly: true, startedAt: day(4, i) })), {
      by: 't',
      now: day(4, i),
      path: 'b',
    })
  const leakOf = (o: Partial<SyntheticRunOptions>, heapOnly = false) =>
    judge({
      record: syntheticRun({
        seed: `lk-cur-${JSON.stringify(o)}`,
        phases,
        indicatorsOnly: true,
        startedAt: day(5),
        ...o,
      }),
      baseline: lfile,
      gate,
      now: day(6),
    }).findings.find(
      (x) =>
        x.kind === 'leak' && (heapOnly ? x.series === 'service/nodejs_heap_size_used_bytes{service=store}' : x.primary),
    )!
  const leak = leakOf({ change: { kind: 'heap-leak', magnitude: 20 * 1024 ** 2 } })
  assert.is(leak.status, 'fail', leak.message)
  assert.ok(leak.detectable! <= 20 * 1024 ** 2, `judged: it can see the tolerance with 95% power (${leak.detectable})`)
  // The heap on its own sees it too, against the baseline runs' slopes on K − 1 degrees of freedom.
  const heap = leakOf({ change: { kind: 'heap-leak', magnitude: 20 * 1024 ** 2 } }, true)
  assert.is(heap.status, 'fail', heap.message)
  assert.match(heap.method!, /against the baseline runs' slopes \(t on 9 df\)/)
  const clean = leakOf({})
  assert.is(clean.status, 'pass', clean.message)
})

test('requests without an expected response (cut off at a phase end, errors) are never judged as latency', () => {
  const v = verdictOf({}, (r) => {
    const step = r.series.find((s) => s.source === 'load' && s.name === 'http_req_duration' && s.tags.name)!
    // A series no baseline run has: the requests the load cut off when its phase ended (status 0), very fast.
    const tags = { ...step.tags, expected_response: 'false', status: '0' }
    const key = `${step.source}/${step.name}{${Object.entries(tags)
      .sort()
      .map(([k, x]) => `${k}=${x}`)
      .join(',')}}`
    r.series.push({ ...structuredClone(step), key, tags })
  })
  assert.is(v.stable.status, 'pass', v.stable.reason)
  assert.not.ok(
    v.findings.some((f) => f.series?.includes('expected_response=false')),
    'no latency finding on failed requests',
  )
})

test('a step that degrades more under load, with the quiet phase unchanged, is a load-latency finding', () => {
  const v = verdictOf({ change: { kind: 'load-degradation', magnitude: 1.5, target: 'checkout/pay' } })
  const f = v.findings.filter((x) => x.kind === 'load-latency' && x.step === 'pay' && x.status === 'fail')
  assert.ok(f.length > 0, JSON.stringify(v.findings.filter((x) => x.kind === 'load-latency' && x.step === 'pay')))
  assert.match(
    f[0].message,
    /checkout › pay \(probe\) degrades more under load: in (nominal|peak) it is [\d.]+× its quiet p95, the baseline runs [\d.]+×/,
  )
  // the load's own windows: latency against the achieved rate, with its rank correlation
  const slope = v.findings.find((x) => x.id === 'load-slope:p95:load/http_req_duration{name=pay,scenario=checkout}')!
  assert.ok(slope && Number(slope.evidence?.spearman) > 0.3 && slope.change! > 0.2, JSON.stringify(slope))
  assert.ok(typeof f[0].evidence?.achievedRate === 'number')
})

/** The load generator's start lateness (p95 ms) in the loaded phases, as a soak records it. */
function withLateness(r: RunRecord, p95: number): RunRecord {
  const phases = Object.fromEntries(
    ['nominal', 'peak'].map((name) => [name, { count: 400, p50: p95 / 3, p95, p99: p95 * 1.5, max: p95 * 2 }]),
  )
  r.series.push({
    key: 'generator/start_lateness',
    source: 'generator',
    name: 'start_lateness',
    kind: 'histogram',
    unit: 'ms',
    tags: {},
    windows: [],
    phases,
  } as RunRecord['series'][number])
  return r
}

test('every step slower under load on a far busier machine is inconclusive, not a failure', () => {
  const late = emptyBaseline('synthetic-store')
  for (let i = 0; i < 10; i++) {
    const r = withLateness(syntheticRun({ seed: `bm${i}`, durationScale: scale, startedAt: day(1, i) }), 2 + (i % 3))
    addRun(late, summariseRun(r), { by: 't', now: day(1, i), path: 'b' })
  }
  // A machine that got busy once the load started: every step's loaded-phase latency five times its own.
  const slowUnderLoad = (lateness: number) => {
    const record = withLateness(syntheticRun({ seed: 'bm-cur', durationScale: scale, startedAt: day(2) }), lateness)
    for (const s of record.series)
      for (const name of ['nominal', 'peak']) {
        const a = s.phases[name]
        if (!a || (s.source !== 'probe' && s.source !== 'load') || a.p95 === undefined) continue
        for (const q of ['p50', 'p95', 'p99', 'max'] as const) if (a[q] !== undefined) a[q] = a[q]! * 5
      }
    return judge({ record, baseline: late, gate, now: day(3) }).findings.filter(
      (f) => f.kind === 'load-latency' && f.step === '*' && f.primary,
    )
  }
  const busy = slowUnderLoad(90)
  assert.ok(busy.length > 0)
  assert.ok(
    busy.every((f) => f.status !== 'fail'),
    busy.map((f) => `${f.status} ${f.message}`).join('\n'),
  )
  const named = busy.find((f) => f.status === 'inconclusive')!
  assert.match(named.message, /degrade more under load: .* but the machine was far busier than in the baseline runs/)
  assert.is(named.evidence?.generatorLatenessMs, 90)
  // The same run on a machine as quiet as the baseline's: the service is blamed.
  const quiet = slowUnderLoad(3)
  assert.ok(
    quiet.some((f) => f.status === 'fail'),
    quiet.map((f) => `${f.status} ${f.message}`).join('\n'),
  )
})

test("a saturated load generator makes that phase's load findings inconclusive instead of blaming the service", () => {
  const v = verdictOf({ change: { kind: 'step-latency', magnitude: 2, target: 'browse/search' } }, (r) => {
    const peak = r.phases.find((p) => p.name === 'peak')!
    for (let t = peak.startMs; t < peak.endMs; t += 10_000)
      r.events.push({
        atMs: t,
        kind: 'generator-saturated',
        message: 'eventLoopUtilization 0.97 ≥ 0.9',
        data: { window: t / 10_000 },
      })
  })
  const sat = v.findings.find((f) => f.kind === 'generator-saturated')!
  assert.is(sat.status, 'inconclusive')
  assert.match(sat.message, /the load generator was saturated in \d+ of \d+ windows of peak/)
  assert.ok(
    !v.findings.some((f) => f.phase === 'peak' && f.status === 'fail' && f.series?.startsWith('load/')),
    'no load finding of peak blames the service',
  )
  assert.ok(v.findings.some((f) => f.phase === 'peak' && f.step === 'search' && f.status === 'inconclusive'))
})

test('a service-wide change over several phases is inconclusive when one of them was saturated', () => {
  // Every step 60% slower: the service-wide shift fails on its own; with peak saturated, it rests on peak too.
  const change = { kind: 'all-latency', magnitude: 0.6 } as const
  const pooled = (v: Verdict) =>
    v.findings.filter((f) => f.step === '*' && f.phase?.includes('+') && f.kind === 'level')
  const plain = verdictOf({ change })
  assert.ok(
    pooled(plain).some((f) => f.status === 'fail'),
    pooled(plain)
      .map((f) => `${f.status} ${f.message}`)
      .join('\n'),
  )
  const v = verdictOf({ change }, (r) => {
    const peak = r.phases.find((p) => p.name === 'peak')!
    for (let t = peak.startMs; t < peak.endMs; t += 10_000)
      r.events.push({
        atMs: t,
        kind: 'generator-saturated',
        message: 'eventLoopUtilization 0.97 ≥ 0.9',
        data: { window: t / 10_000 },
      })
  })
  const f = pooled(v)
  assert.ok(f.length > 0)
  assert.ok(
    f.every((x) => x.status !== 'fail'),
    f.map((x) => `${x.status} ${x.message}`).join('\n'),
  )
  assert.ok(
    f.some((x) => x.status === 'inconclusive' && /saturated in peak$/.test(x.message)),
    f.map((x) => x.message).join('\n'),
  )
})

test('closed-model executors are named; dropped iterations rising against the baseline are a finding', () => {
  const v = verdictOf({}, (r) => {
    const peak = r.phases.find((p) => p.name === 'peak')!.load!
    peak.executor = 'constant-vus'
    peak.droppedIterations = Math.round(peak.iterations * 0.1)
  })
  const open = v.findings.find((f) => f.kind === 'open-model')!
  assert.is(open.status, 'info')
  assert.match(open.message, /phase peak loads with constant-vus, a VU-based \(closed-model\) executor/)
  const dropped = failing(v, 'dropped-iterations')[0]
  assert.ok(dropped)
  assert.match(dropped.message, /the load dropped \d+ of \d+ planned iterations in peak/)
})

test('recovery: the time until probes pass again in a recovery phase, against the baseline runs', () => {
  const phases = [
    { name: 'quiet', durationMs: 120_000, rate: 0 },
    { name: 'peak', durationMs: 120_000, rate: 10 },
    { name: 'recovery', durationMs: 120_000, rate: 0 },
  ]
  const rfile = emptyBaseline('synthetic-store')
  for (let i = 0; i < 4; i++)
    addRun(rfile, summariseRun(syntheticRun({ seed: `rec${i}`, phases, startedAt: day(1, i) })), {
      by: 't',
      now: day(1, i),
      path: 'b',
    })
  const record = syntheticRun({ seed: 'rec-cur', phases, startedAt: day(2) })
  // the probes fail for the first 40 s of recovery
  for (const s of record.series) {
    if (s.source !== 'probe' || s.name !== 'iterations') continue
    for (const w of s.windows)
      if (w.i >= 24 && w.i < 28) Object.assign(w, { failed: (w.failed ?? 0) + (w.passed ?? 0), passed: 0 })
  }
  const v = judge({ record, baseline: rfile, gate, now: day(3) })
  const f = v.findings.find((x) => x.kind === 'recovery')!
  assert.is(f.current, 40_000)
  assert.is(f.status, 'fail')
  assert.match(
    f.message,
    /probes passed again 0m40s into recovery \(the baseline runs took 0m\d\ds on average; more than \+50% longer\)/,
  )
})

test.run()
