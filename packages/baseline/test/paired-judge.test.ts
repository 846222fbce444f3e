/** The paired judge: candidate against control from one paired run, with real HDR histograms. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SteadyError, verdictSchema, type RunRecord, type Verdict } from '@steady/record'
import { seriesKey, validatorFor } from '@steady/record/internal'
import { addRun, emptyBaseline, judgePaired, resolveGate, summariseRun } from '../src/index.ts'
import { syntheticRun } from '../src/testing.ts'
import { binomialSf } from '@steady/kernel'
import { neweyWestMeanSe } from '../src/paired/stats.ts'
import { isAAPair } from '../src/summary.ts'
import { pairedRecord, type PairedBuildOptions } from '@steady/baseline/testing'

const gate = resolveGate('t', {})
const now = new Date('2026-12-06T12:00:00Z')
const validate = validatorFor(verdictSchema)

function verdictOf(options: PairedBuildOptions | RunRecord): Verdict {
  const record = 'schema' in options ? options : pairedRecord(options)
  const v = judgePaired({ record, gate, now })
  assert.ok(validate(v), `the verdict validates: ${JSON.stringify(validate.errors)}`)
  return v
}

const failing = (v: Verdict) => v.findings.filter((f) => f.primary && f.status === 'fail')

test('an A/A pair with a shared machine effect (+60% in a third of the windows) passes', () => {
  for (const seed of [1, 2, 3, 4]) {
    const v = verdictOf({ seed })
    assert.is(v.mode, 'paired')
    // The verdict names both sides itself, for readers without the record (text, report).
    assert.equal(v.run.paired, pairedRecord({ seed }).paired)
    assert.is(v.result, 'pass', `seed ${seed}: ${v.summary}`)
    assert.is(v.exitCode, 0)
    const all = v.findings.find((f) => f.id === 'level:all-steps@peak')
    assert.ok(all && all.status === 'pass', 'the all-steps ratio is judged and passes')
  }
})

test('without pairing the machine effect shows: the windows differ by far more than the tolerance', () => {
  // Why pairing: the control's own window p50s swing by the shared effect; the ratio does not.
  const r = pairedRecord({ seed: 1 })
  const control = r.series.find((s) => s.key === 'load/http_req_duration{name=pay,scenario=checkout,side=control}')!
  const p50s = control.windows.filter((w) => w.p50 !== undefined).map((w) => w.p50!)
  assert.ok(Math.max(...p50s) / Math.min(...p50s) > 1.4, 'the machine effect moves the control by more than 40%')
})

test('every step ×1.3 on the candidate fails, with the all-steps finding', () => {
  const v = verdictOf({ seed: 7, fault: { allSteps: 1.3 } })
  assert.is(v.result, 'fail')
  assert.is(v.exitCode, 1)
  const all = v.findings.find((f) => f.id === 'level:all-steps@peak')!
  assert.is(all.status, 'fail')
  assert.ok(all.change! > 0.2 && all.change! < 0.4, `change ${all.change}`)
  const sentence = /the candidate's typical latency \(p50\) over all 4 steps was 1\.\d\d× the control's in peak/
  assert.match(all.message, sentence)
})

test('one step +30% fails naming that step, and only that step', () => {
  const v = verdictOf({ seed: 8, fault: { step: { name: 'checkout/pay', factor: 1.3 } } })
  assert.is(v.result, 'fail')
  const f = failing(v)
  assert.ok(f.length >= 1)
  for (const x of f) assert.is(x.step, 'pay', `${x.id} names pay`)
  const p95 = f.find((x) => x.stat === 'p95')!
  assert.ok(p95.baseline! > 0 && p95.current! > p95.baseline!, 'baseline is the control, current the candidate')
  const sentence = /the candidate's p95 of checkout › pay \(load\) was 1\.\d\d× the control's in peak \(\d+ of \d+/
  assert.match(p95.message, sentence)
  const all = v.findings.find((x) => x.id === 'level:all-steps@peak')!
  assert.is(all.status, 'pass', 'one step does not move all steps past 10%')
})

test('a step too sparse for one window is judged on blocks of windows: +30% fails on it, A/A passes', () => {
  // 12 requests a window: a p95 needs 40 on each side, so windows are merged four at a time.
  const sparse = { loadPerWindow: 12, peakWindows: 60 }
  const v = verdictOf({ seed: 8, ...sparse, fault: { step: { name: 'checkout/pay', factor: 1.3 } } })
  assert.is(v.result, 'fail', v.summary)
  const f = failing(v)
  for (const x of f) assert.is(x.step, 'pay', `${x.id} names pay`)
  const p95 = v.findings.find((x) => x.id.startsWith('level:p95:load/') && x.step === 'pay' && x.phase === 'peak')!
  // Its p95 has blocks enough to be tested (from 40 values a block it may still be too rough to see 10%).
  assert.is(p95.evidence!.windowsPerBlock, 4)
  assert.ok((p95.evidence!.windows as number) >= 8, `enough blocks: ${p95.message}`)
  assert.match(p95.message, /\d+ (of \d+ )?blocks of 4 windows/)
  assert.ok(
    f.some((x) => x.stat === 'p50'),
    'the median gates too: it is primary on a primary step',
  )
  for (const seed of [1, 2, 3]) {
    const aa = verdictOf({ seed, ...sparse })
    assert.is(aa.result, 'pass', `A/A seed ${seed}: ${aa.summary}`)
  }
})

test('an off-heap leak on the candidate (RSS grows, heap flat) fails on memory naming resident memory', () => {
  const v = verdictOf({ seed: 9, fault: { rssBytesPerHour: 300 * 1024 * 1024 } })
  assert.is(v.result, 'fail')
  const f = failing(v)
  assert.equal(
    f.map((x) => x.kind),
    ['leak'],
  )
  assert.is(f[0].evidence?.indicator, 'resident memory (/metrics)')
  assert.match(f[0].message, /the candidate's resident memory \(\/metrics\) grew \d+(\.\d)? MiB\/h faster than/)
})

test("growth a short run cannot tell from its phases' own swing is not judged, saying what it could see", () => {
  // 30 MiB/h over a few minutes is a few hundred KiB: inside the windows' scatter of megabytes.
  const v = verdictOf({ seed: 9, fault: { rssBytesPerHour: 30 * 1024 * 1024 } })
  const leak = v.findings.find((x) => x.kind === 'leak')!
  const swing = Number(leak.evidence?.swingPerHour)
  assert.ok(swing > 20 * 1024 * 1024, `the run's swing ${swing} B/h is above the tolerance`)
  assert.is(leak.status, 'not-judged', leak.message)
  assert.match(leak.message, /growth from [\d.]+ [KMG]iB\/h could be told apart in this run/)
  // Growth far beyond the swing still fails (the 300 MiB/h case above is beyond it too).
  const big = verdictOf({ seed: 9, fault: { rssBytesPerHour: 3 * 1024 * 1024 * 1024 } })
  assert.is(big.findings.find((x) => x.kind === 'leak')!.status, 'fail')
})

test('a candidate that slows down only under load fails on degradation under load', () => {
  const v = verdictOf({ seed: 14, fault: { underLoad: 1.5 } })
  assert.is(v.result, 'fail')
  const f = v.findings.find((x) => x.id === 'load-latency:all-steps@peak')!
  assert.is(f.status, 'fail')
  assert.ok(f.change! > 0.3 && f.change! < 0.7, `change ${f.change}`)
  assert.match(f.message, /under load the candidate slowed 1\.\d\d× as much as the control \(peak against quiet\)/)
  // Uniformly slower (also when quiet): not a load effect.
  const uniform = verdictOf({ seed: 14, fault: { allSteps: 1.5 } })
  assert.is(uniform.findings.find((x) => x.id === 'load-latency:all-steps@peak')!.status, 'pass')
})

test('a quiet phase of sparse probes (one request a step per window) still anchors degradation under load', () => {
  // Too few values for any window's median: the all-steps ratio falls back to mean logs per block.
  const v = verdictOf({ seed: 14, probePerWindow: 1, fault: { underLoad: 1.5 } })
  // Judged (40 quiet values a side are too few to promise its power: the benchmark measures that), and
  // the estimate is the injected 1.5×.
  const f = v.findings.find((x) => x.id === 'load-latency:all-steps@peak')!
  assert.ok(f.status === 'fail' || f.status === 'pass', f.message)
  assert.ok((f.evidence!.quietWindows as number) >= 8, `quiet blocks: ${JSON.stringify(f.evidence)}`)
  assert.ok(f.change! > 0.3 && f.change! < 0.8, `change ${f.change}`)
  for (const seed of [1, 2, 3]) {
    const aa = verdictOf({ seed, probePerWindow: 1 })
    assert.is(aa.result, 'pass', `A/A seed ${seed}: ${aa.summary}`)
    assert.is(aa.findings.find((x) => x.id === 'load-latency:all-steps@peak')!.status, 'pass')
  }
})

test('errors +1 pp on the candidate fail on the failure rate', () => {
  const v = verdictOf({ seed: 10, fault: { extraErrorRate: 0.01 } })
  assert.is(v.result, 'fail')
  const f = failing(v).filter((x) => x.kind === 'failure-rate')
  assert.ok(f.some((x) => x.id === 'failure-rate:load@peak'))
  const load = f.find((x) => x.id === 'failure-rate:load@peak')!
  assert.ok(load.current! > load.baseline!)
  assert.match(load.message, /the candidate's load requests failed at [\d.]+% against the control's [\d.]+% in peak/)
})

test('failed requests the control never had (k6: a series of their own, candidate side only) are counted', () => {
  const record = pairedRecord({ seed: 15 })
  const tags = { expected_response: 'false', name: 'pay', scenario: 'checkout', side: 'candidate' }
  const windows = Array.from({ length: 30 }, (_, k) => ({ i: 12 + k, count: 30, errors: { status_500: 30 } }))
  record.series.push({
    key: seriesKey('load', 'http_req_duration', tags),
    source: 'load',
    name: 'http_req_duration',
    kind: 'histogram',
    unit: 'ms',
    tags,
    windows,
    phases: { peak: { count: 900, errors: { status_500: 900 } } },
  })
  const v = verdictOf(record)
  const f = v.findings.find((x) => x.id === 'failure-rate:load@peak')!
  assert.is(f.status, 'fail', f.message)
  assert.is(f.evidence?.controlFailed !== undefined && (f.evidence.candidateFailed as number) >= 900, true)
})

test('an error kind the control never had fails past the count floor, and is listed below it', () => {
  // status_503 on the candidate's pay requests in `n` windows of the loaded phase, two each.
  const withKind = (n: number, controlToo = false) => {
    const record = pairedRecord({ seed: 16 })
    const pay = (side: string) => record.series.find((x) => x.key.includes(`name=pay,scenario=checkout,side=${side}`))!
    const add = (side: string, count: number) => {
      const windows = pay(side)
        .windows.filter((w) => w.i >= 15)
        .slice(0, count)
      for (const w of windows) w.errors = { ...w.errors, status_503: 2 }
    }
    add('candidate', n)
    if (controlToo) add('control', 1)
    return verdictOf(record)
  }
  const many = withKind(10)
  const f = many.findings.find((x) => x.id === 'new-error:status_503')!
  assert.is(f.status, 'fail', f.message)
  assert.ok(f.primary)
  assert.match(
    f.message,
    /^new error kind status_503: 20× on the candidate \(.*name=pay.*\), never on the control; p [=<] /,
  )
  const few = withKind(2).findings.find((x) => x.id === 'new-error:status_503')!
  assert.is(few.status, 'info', few.message)
  assert.match(few.message, 'at most 5 do not fail the gate')
  assert.not.ok(
    withKind(10, true).findings.some((x) => x.id === 'new-error:status_503'),
    'a kind the control had too is no new kind',
  )
  const aa = verdictOf({ seed: 16 })
  assert.not.ok(
    aa.findings.some((x) => x.kind === 'new-error'),
    'the same kinds on both sides: nothing new',
  )
})

test('too few paired windows: the checks are not judged and the phase is inconclusive', () => {
  const v = verdictOf({ seed: 11, peakWindows: 6, fault: { allSteps: 1.5 } })
  assert.is(v.result, 'inconclusive')
  assert.is(v.exitCode, 3)
  const p95 = v.findings.filter((f) => f.phase === 'peak' && f.stat === 'p95' && f.primary)
  assert.ok(p95.length && p95.every((f) => f.status === 'not-judged'), 'the short phase is not judged')
  assert.match(p95[0].message, /only \d+ paired windows/)
  assert.ok(v.findings.some((f) => f.id === 'paired:no-windows@peak' && f.status === 'inconclusive'))
})

test('windows saturated on a side are left out', () => {
  // The candidate is three times slower only in the windows the generator saturated: they say nothing.
  const saturated = [20, 21, 22, 23, 24, 25, 26, 27]
  const record = pairedRecord({ seed: 12, saturated, saturatedFactor: 3 })
  const v = verdictOf(record)
  assert.is(v.result, 'pass', v.summary)
  assert.ok(v.warnings.some((w) => /8 windows saturated/.test(w)))
  const all = (x: Verdict) => x.findings.find((f) => f.id === 'level:all-steps@peak')!
  assert.is(all(v).evidence?.windows, 20, '28 judged windows of peak, 8 saturated left out')
  assert.ok(Math.abs(all(v).change!) < 0.05, `change ${all(v).change}`)
  // The same windows, not marked saturated, are counted: the ratio takes the slow windows in.
  const unmarked = verdictOf({ ...record, events: [] })
  assert.is(all(unmarked).evidence?.windows, 28)
  assert.ok(all(unmarked).change! > 0.2, `change ${all(unmarked).change}`)
})

test('a phase saturated past what it can spare is inconclusive, the generator named as the reason', () => {
  // 24 of peak's windows saturated: its latency checks keep too few pairs to judge.
  const saturated = Array.from({ length: 24 }, (_, i) => 20 + i)
  const v = verdictOf(pairedRecord({ seed: 12, saturated, saturatedFactor: 3 }))
  assert.is(v.result, 'inconclusive', v.summary)
  const named = v.findings.find((f) => f.id === 'generator-saturated:peak')
  assert.ok(
    named,
    v.findings
      .filter((f) => f.status !== 'pass')
      .map((f) => f.id)
      .join(', '),
  )
  assert.is(named!.status, 'inconclusive')
  assert.ok(named!.primary)
  assert.match(named!.message, /saturated on a side in \d+ of \d+ windows of peak/)
  // The phase that kept its windows is judged as before, without such a finding.
  assert.not.ok(v.findings.some((f) => f.id === 'generator-saturated:nominal'))
  // Eight saturated windows peak can spare: left out, the rest judged, nothing named.
  const spared = verdictOf(pairedRecord({ seed: 12, saturated: saturated.slice(0, 8), saturatedFactor: 3 }))
  assert.not.ok(
    spared.findings.some((f) => f.kind === 'generator-saturated'),
    spared.summary,
  )
})

test('a crash of the candidate fails as a crash; a crash of the control makes the comparison inconclusive', () => {
  const crashAt = (side: 'candidate' | 'control'): RunRecord => {
    const r = pairedRecord({ seed: 3 })
    const event = { atMs: 20_000, kind: 'service-crash' as const, message: 'store (pid 42) is no longer running' }
    return { ...r, events: [...r.events, { ...event, data: { service: 'store', pid: 42, side } }] }
  }
  const candidate = verdictOf(crashAt('candidate'))
  assert.is(candidate.result, 'fail')
  const crash = failing(candidate).find((f) => f.kind === 'crash')
  assert.ok(crash, `a failing crash finding: ${candidate.findings.map((f) => `${f.kind} ${f.status}`).join(', ')}`)
  assert.match(crash!.message, 'the service crashed 0m20s into the run')

  const control = verdictOf(crashAt('control'))
  assert.is(control.result, 'inconclusive', control.summary)
  assert.not.ok(
    failing(control).some((f) => f.kind === 'crash'),
    'the candidate did not crash',
  )
  const f = control.findings.find((x) => x.id === 'paired:control-crash:1')!
  assert.is(f.status, 'inconclusive')
  assert.match(f.message, 'the control crashed 0m20s into the run (store (pid 42) is no longer running)')
})

test('the working answer uses the candidate side and names scenarios failing only there', () => {
  const record = pairedRecord({ seed: 13 })
  // The scenarios' counts decide here: without per-window outcome series, the judge reads them.
  record.series = record.series.filter((s) => s.name !== 'iterations')
  record.scenarios = record.scenarios.map((s) => {
    if (s.side === 'candidate' && s.name === 'checkout') return { ...s, passed: s.iterations - 40, failed: 40 }
    return s.side === 'control' ? { ...s, passed: s.iterations, failed: 0 } : s
  })
  const v = verdictOf(record)
  assert.is(v.working.status, 'fail')
  const named = v.findings.find((f) => f.id === 'failing:candidate-only:checkout')
  assert.ok(named, 'the scenario failing only on the candidate is named')
  assert.match(named!.message, /checkout failed 40 of \d+ iterations on the candidate and none of \d+ on the control/)
})

test('an accepted paired finding is accepted, and a record that is not paired is refused with a clear error', () => {
  const record = pairedRecord({ seed: 8, fault: { step: { name: 'checkout/pay', factor: 1.3 } } })
  const first = judgePaired({ record, gate, now })
  const ids = failing(first).map((f) => f.id)
  const baseline = emptyBaseline('store')
  const acceptance = { by: 'ana', reason: 'pay got a fraud check', at: '2026-12-06T11:00:00Z' }
  for (const id of ids) baseline.accepted[id] = acceptance
  const v = judgePaired({ record, gate, now, baseline })
  assert.is(v.result, 'pass', v.summary)
  assert.ok(v.findings.filter((f) => ids.includes(f.id)).every((f) => f.status === 'accepted'))
  try {
    judgePaired({ record: syntheticRun({ seed: 1, durationScale: 0.1 }), gate, runFile: 'run.json' })
    assert.unreachable()
  } catch (e) {
    assert.instance(e, SteadyError)
    assert.is((e as SteadyError).code, 'STEADY_VERDICT_NOT_PAIRED')
    assert.match((e as SteadyError).message, /run\.json is not a paired run/)
  }
})

test('A/A paired runs in a baseline calibrate the noise floor: a side difference that varies between runs', () => {
  // Six A/A runs whose candidate side is off by a per-run bias (SD 10%: which side got the faster cores).
  const aaBaseline = (sideBias: number) => {
    const file = emptyBaseline('store')
    for (let i = 0; i < 6; i++) {
      const now = new Date(Date.UTC(2026, 11, 1, i))
      addRun(file, summariseRun(pairedRecord({ seed: 500 + i, sideBias })), { by: 'test', now, path: `aa-${i}.json` })
    }
    return file
  }
  const record = pairedRecord({ seed: 31, fault: { allSteps: 1.2 } })
  assert.is(judgePaired({ record, gate, now }).result, 'fail', 'the window noise alone calls ×1.2 a regression')
  const noisy = judgePaired({ record, gate, now, baseline: aaBaseline(0.1) })
  assert.is.not(noisy.result, 'fail', 'a run-to-run side difference of 10% cannot tell ×1.2 from chance')
  const all = noisy.findings.find((f) => f.id === 'level:all-steps@peak')!
  assert.is(all.evidence?.calibrationRuns, 6)
  assert.match(all.message, /not judged/)
  assert.ok(noisy.warnings.some((w) => /noise floor calibrated by 6 A\/A paired runs/.test(w)))
  // A/A runs whose sides agree leave the run's own error in charge: ×1.2 still fails.
  assert.is(judgePaired({ record, gate, now, baseline: aaBaseline(0) }).result, 'fail')
})

test('Newey–West: autocorrelated differences get a larger error than independent ones; binomial tail exact', () => {
  const iid = [0.1, -0.2, 0.05, 0.15, -0.1, 0.0, 0.12, -0.08, 0.03, -0.02, 0.09, -0.11]
  const ar = [0.1, 0.12, 0.15, 0.11, 0.08, -0.1, -0.12, -0.15, -0.09, -0.1, 0.1, 0.13]
  const sd = (xs: number[]) => {
    const m = xs.reduce((b, y) => b + y, 0) / xs.length
    return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1))
  }
  assert.ok(Math.abs(neweyWestMeanSe(iid).se - sd(iid) / Math.sqrt(iid.length)) < 0.02)
  assert.ok(neweyWestMeanSe(ar).se > 1.3 * (sd(ar) / Math.sqrt(ar.length)))
  // P(X ≥ 3), X ~ Bin(4, 0.5) = 5/16.
  assert.ok(Math.abs(binomialSf(3, 4, 0.5) - 5 / 16) < 1e-12)
  assert.is(binomialSf(0, 4, 0.5), 1)
})

test("the verdict says what each side's CPU was, and what a candidate burning more of it hides", () => {
  const sentence = (o: Parameters<typeof pairedRecord>[0]) =>
    judgePaired({ record: pairedRecord(o), gate }).warnings.find((w) => w.startsWith('both sides ran on one machine'))
  const same = sentence({ seed: 71 })
  assert.match(
    same!,
    /the candidate's services used [\d.]+ s of CPU, the control's [\d.]+ s \(1\.00×, process_cpu_seconds_total\)$/,
  )
  const pinned = pairedRecord({ seed: 71, fault: { cpu: 1.8 } })
  pinned.paired!.pinned = { candidate: '0', control: '1' }
  const pinnedLine = judgePaired({ record: pinned, gate }).warnings.find((w) => w.startsWith('both sides ran'))!
  assert.match(pinnedLine, 'each pinned to its own CPUs (candidate 0, control 1)')
  assert.not.match(pinnedLine, 'understate')
  // A control at a URL may run elsewhere: its CPU is said, and no claim is made about what it hides.
  const atUrl = pairedRecord({ seed: 71, fault: { cpu: 1.8 } })
  delete atUrl.paired!.control.environment
  const urlLine = judgePaired({ record: atUrl, gate }).warnings.find((w) => w.startsWith('the control was already'))!
  assert.match(urlLine, 'if it shares this machine, a candidate that burns more CPU also slows it')
  assert.not.match(urlLine, 'understate')
  // A control at a URL on this machine shares its CPUs.
  atUrl.paired!.control.target = 'http://127.0.0.1:3001'
  const local = judgePaired({ record: atUrl, gate }).warnings.find((w) => w.startsWith('both sides ran'))!
  assert.match(local, 'so the latency ratios understate the candidate')
  // No CPU measured on the control: nothing is divided by zero.
  const idle = pairedRecord({ seed: 71 })
  for (const x of idle.series)
    if (x.name === 'process_cpu_seconds_total' && x.tags.side === 'control') for (const w of x.windows) w.delta = 0
  const idleLine = judgePaired({ record: idle, gate }).warnings.find((w) => w.startsWith('both sides ran'))!
  assert.match(idleLine, "the control's none that was measured (process_cpu_seconds_total)")
  const burning = sentence({ seed: 71, fault: { cpu: 1.8 } })
  assert.match(
    burning!,
    /\(1\.80×, process_cpu_seconds_total\), so the latency ratios understate the candidate's change$/,
  )
})

test('an A/A pair: the same version on both sides; a version on one side only differs, a commit does not', () => {
  const paired = { ...syntheticRun({ seed: 'aa-key' }).comparability, paired: true as const }
  const of = (subject: { version?: string; commit?: string }, control?: { version?: string; commit?: string }) =>
    isAAPair({ comparability: paired, subject, ...(control ? { control } : {}) })
  assert.ok(of({}, {}), 'nothing named on either side')
  assert.ok(of({ version: '2.0.0', commit: 'abc' }, { version: '2.0.0' }), 'the versions decide')
  assert.ok(of({ commit: 'abc' }, { commit: 'abc' }), 'no versions: the same commit')
  assert.not.ok(of({ commit: 'abc' }, {}), 'no versions, and a commit on one side only')
  assert.not.ok(of({ version: '2.0.0' }, {}), 'a version on one side only')
  assert.not.ok(of({ version: '2.0.0' }, { version: '1.9.0' }))
  assert.not.ok(of({ commit: 'abc' }, { commit: 'def' }))
  assert.ok(of({ version: '2.0.0' }), 'a summary from before the control was kept counts as A/A')
  const unpaired = syntheticRun({ seed: 'aa-key' }).comparability
  assert.not.ok(isAAPair({ comparability: unpaired, subject: {}, control: {} }))
})

test.run()
