/**
 * Accuracy of `steady verdict`, measured on synthetic runs from the fixed
 * noise model of @steady/baseline's synthetic generator (see its module
 * comment: the model was fixed first, not tuned to the judge).
 *
 * Each trial draws a fresh baseline of K = 10 clean runs and judges one more
 * clean run against it (false positives), and, for the first N trials, one
 * run per injected change against the same baseline (detection). Trials are
 * independent; the rates are printed with Clopper–Pearson 95% intervals.
 *
 *   node --conditions=steady-source --import tsx scripts/bench/verdict-accuracy.ts [--clean 1000] [--from 0] [--changes 200] [--workers 2] [--json out.json]
 *   node --conditions=steady-source --import tsx scripts/bench/verdict-accuracy.ts --trials 12,345 --changes 200 --json again.json
 *   node --conditions=steady-source --import tsx scripts/bench/verdict-accuracy.ts --merge a.json b.json ... again.json
 *
 * `--from F --clean N --changes M` runs trials F … F + max(N, M) − 1 (trials
 * are seeded by their number, so shards never overlap): each judges its
 * clean run, and the first M also their injected changes and leak soaks. `--json` keeps every trial's
 * result, and `--merge` prints the table over several such files (a trial
 * counted once, a later file's copy replacing an earlier one), so a long
 * benchmark runs in bounded pieces; `--trials` re-runs listed trials (those
 * below `--from` + `--changes` with their changes), e.g. the ones a change of
 * the judge can affect.
 *
 * Held-out noise: the base model is the one the judge assumes (one run factor
 * for every step, which the per-step checks cancel), so its figures are
 * circular. Each trial also draws, per held-out noise model of the generator
 * (`SYNTHETIC_NOISE_MODELS`: machine noise with per-step wobble, heavy-tailed
 * run effects, a noisy neighbour, minute-long contention), a baseline, a
 * clean run and (for the first M trials) the changes under that model; each
 * model is a row with its false-positive rate and detection per change, with
 * Wilson 95% intervals. `--noise machine15,contention` picks models, `--noise
 * none` leaves them out (each model costs as much as the base trial).
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'
import { availableParallelism, loadavg } from 'node:os'
import { readFileSync, writeFileSync } from 'node:fs'
import {
  addRun,
  DEFAULT_TOLERANCES,
  emptyBaseline,
  judge,
  resolveGate,
  summariseRun,
  type GateConfig,
} from '@steady/baseline'
import {
  syntheticRun,
  SYNTHETIC_NOISE_MODELS,
  SYNTHETIC_SERVICE,
  type SyntheticChange,
  type SyntheticNoise,
} from '@steady/baseline/testing'
import type { Verdict } from '@steady/record'
import { clopperPearson, wilsonInterval } from '@steady/kernel'

const K = 10

/** The gate the benchmark judges with: the defaults, plus a flake budget above the model's background iteration failures (~0.6%). */
const BENCH_GATE: GateConfig = { require: ['working', 'stable'], flakeBudget: 0.02 }

interface ChangeSpec {
  name: string
  label: string
  /** Counts toward the issue's targets. */
  target: boolean
  make: (trial: number) => SyntheticChange
  /** Did the verdict find it (a failing primary finding of the right kind, on the right series)? */
  found: (v: Verdict, change: SyntheticChange) => boolean
}

const steps = SYNTHETIC_SERVICE.flatMap((s) => s.steps.map((st) => `${s.name}/${st.name}`))
const stepOf = (trial: number) => steps[trial % steps.length]
const onStep = (v: Verdict, target: string, kinds: string[]) => {
  const [scenario, step] = target.split('/')
  return v.findings.some(
    (f) => f.primary && f.status === 'fail' && kinds.includes(f.kind) && f.scenario === scenario && f.step === step,
  )
}
const stableFail = (v: Verdict) => v.stable.status === 'fail'

const CHANGES: ChangeSpec[] = [
  {
    name: 'p95+15%',
    label: 'one step 15% slower (p95 +15%)',
    target: true,
    make: (t) => ({ kind: 'step-latency', magnitude: 0.15, target: stepOf(t) }),
    found: (v, c) => stableFail(v) && onStep(v, c.target!, ['level', 'tail']),
  },
  {
    name: 'p99+50%',
    label: 'one step p99 +50%, same median',
    target: true,
    make: (t) => ({ kind: 'tail', magnitude: 0.5, target: stepOf(t) }),
    found: (v, c) => stableFail(v) && onStep(v, c.target!, ['tail', 'level']),
  },
  {
    name: 'failures+0.5pp',
    label: 'requests fail +0.5 pp more',
    target: true,
    make: () => ({ kind: 'failures', magnitude: 0.005 }),
    found: (v) =>
      stableFail(v) && v.findings.some((f) => f.primary && f.status === 'fail' && f.kind === 'failure-rate'),
  },
  {
    name: 'drift+15%',
    label: 'every step drifts up 15% over each phase (a service slowing as it runs)',
    target: true,
    make: () => ({ kind: 'drift', magnitude: 0.15, target: '*' }),
    found: (v) => stableFail(v) && v.findings.some((f) => f.primary && f.status === 'fail' && f.kind === 'drift'),
  },
  {
    name: 'load+25%',
    label: 'one step 25% slower at peak load, in proportion below, quiet unchanged',
    target: true,
    make: (t) => ({ kind: 'load-degradation', magnitude: 0.25, target: stepOf(t) }),
    found: (v, c) => stableFail(v) && onStep(v, c.target!, ['load-latency', 'level', 'tail']),
  },
  {
    name: 'all+15%',
    label: 'every step 15% slower (context: indistinguishable from a run effect)',
    target: false,
    make: () => ({ kind: 'all-latency', magnitude: 0.15 }),
    found: (v) =>
      stableFail(v) &&
      v.findings.some((f) => f.primary && f.status === 'fail' && (f.kind === 'level' || f.kind === 'tail')),
  },
  {
    name: 'drift1+15%',
    label: "one step drifts up 15% over each phase (context: one step's windows are noisy; its drift is secondary)",
    target: false,
    make: (t) => ({ kind: 'drift', magnitude: 0.15, target: stepOf(t) }),
    found: (v, c) =>
      v.findings.some((f) => f.status === 'fail' && f.kind === 'drift' && f.step === c.target!.split('/')[1]),
  },
  {
    name: 'scenario+0.5pp',
    label: "one scenario's iterations fail +0.5 pp more (context: 1,800 probe iterations)",
    target: false,
    make: () => ({ kind: 'scenario-failures', magnitude: 0.005, target: 'checkout' }),
    found: (v) =>
      stableFail(v) && v.findings.some((f) => f.primary && f.status === 'fail' && f.kind === 'failure-rate'),
  },
]

/**
 * Leak trials use three-hour soaks (60-minute phases), long enough for the leak check to be judged: it
 * must see a leak of the tolerance (20 MiB/h) with 95% power, and the heap's per-window minimum swings by
 * 16–32 MiB (young generation, old space between major GCs), so a 40-minute phase leaves about one run in
 * four not judged (on 30-minute runs every one is, and says what it could see). The runs are complete
 * (latency too), so the leak check sits in the gate's whole family.
 */
const LEAK_PHASES = [
  { name: 'quiet', durationMs: 3_600_000, rate: 0 },
  { name: 'nominal', durationMs: 3_600_000, rate: 5 },
  { name: 'peak', durationMs: 3_600_000, rate: 10 },
]

interface LeakResult {
  clean: boolean
  cleanNotJudged: boolean
  cleanStable: string
  found: boolean
  notJudged: boolean
  twice: boolean
  /** The leak seen with 95% power in the leaked run (bytes/h). */
  detectable: number
}

function runLeakTrial(trial: number): LeakResult {
  const gate = resolveGate('bench', BENCH_GATE)
  const file = emptyBaseline('synthetic-store')
  const day = Date.UTC(2027, 0, 1) + trial * 86_400_000
  const opts = { phases: LEAK_PHASES }
  for (let k = 0; k < K; k++) {
    const run = syntheticRun({ seed: `leak${trial}-b${k}`, startedAt: new Date(day + k * 3_600_000), ...opts })
    addRun(file, summariseRun(run), { by: 'bench', now: new Date(day + k * 3_600_000 + 1), path: 'bench' })
  }
  const now = new Date(day + 20 * 3_600_000)
  const leakFinding = (v: Verdict) => v.findings.find((f) => f.kind === 'leak' && f.primary)
  const clean = judge({
    record: syntheticRun({ seed: `leak${trial}-clean`, startedAt: new Date(day + 12 * 3_600_000), ...opts }),
    baseline: file,
    gate,
    now,
  })
  const leaked = judge({
    record: syntheticRun({
      seed: `leak${trial}-leak`,
      startedAt: new Date(day + 12 * 3_600_000),
      ...opts,
      change: { kind: 'heap-leak', magnitude: DEFAULT_TOLERANCES.leakBytesPerHour },
    }),
    baseline: file,
    gate,
    now,
  })
  const twice = judge({
    record: syntheticRun({
      seed: `leak${trial}-leak2`,
      startedAt: new Date(day + 12 * 3_600_000),
      ...opts,
      change: { kind: 'heap-leak', magnitude: 2 * DEFAULT_TOLERANCES.leakBytesPerHour },
    }),
    baseline: file,
    gate,
    now,
  })
  // Not judged by the power rule: the check could not see the tolerance with 95% power (such a check still
  // fails when its growth is significant over the whole family, so it is counted by its detectable size).
  const blind = (v: Verdict) =>
    !((leakFinding(v)?.detectable ?? Number.POSITIVE_INFINITY) <= DEFAULT_TOLERANCES.leakBytesPerHour)
  return {
    clean: leakFinding(clean)?.status === 'fail',
    cleanNotJudged: blind(clean),
    cleanStable: clean.stable.status,
    found: leakFinding(leaked)?.status === 'fail',
    notJudged: blind(leaked),
    twice: leakFinding(twice)?.status === 'fail',
    detectable: leakFinding(leaked)?.detectable ?? Number.NaN,
  }
}

interface CleanResult {
  result: string
  stable: string
  working: string
  primaryFails: string[]
  notJudged: string[]
}

/** One trial under one noise model: a clean run's verdict and, when asked, each change's. */
interface ModelResult {
  clean: CleanResult
  changes: Record<string, { found: boolean; result: string }>
}

interface TrialResult extends ModelResult {
  leak?: LeakResult
  trial: number
  /** The held-out noise models' results, by model (absent in files from before they existed). */
  noise?: Partial<Record<SyntheticNoise, ModelResult>>
  judgeMs: number[]
}

/** Draws a baseline of K runs under `noise`, then judges a clean run and, when asked, one run per change. */
function runModel(trial: number, noise: SyntheticNoise, withChanges: boolean, judgeMs: number[]): ModelResult {
  const gate = resolveGate('bench', BENCH_GATE)
  const file = emptyBaseline('synthetic-store')
  const day = Date.UTC(2026, 9, 1) + trial * 86_400_000
  // The base model keeps its historical seeds, so its rows are comparable with earlier runs of this benchmark.
  const prefix = noise === 'base' ? `t${trial}` : `t${trial}-${noise}`
  for (let k = 0; k < K; k++) {
    const run = syntheticRun({ seed: `${prefix}-b${k}`, startedAt: new Date(day + k * 3_600_000), noise })
    addRun(file, summariseRun(run), { by: 'bench', now: new Date(day + k * 3_600_000 + 1), path: 'bench' })
  }
  const now = new Date(day + 20 * 3_600_000)
  const timed = (record: ReturnType<typeof syntheticRun>) => {
    const t0 = performance.now()
    const v = judge({ record, baseline: file, gate, now })
    judgeMs.push(performance.now() - t0)
    return v
  }
  const cv = timed(syntheticRun({ seed: `${prefix}-clean`, startedAt: new Date(day + 12 * 3_600_000), noise }))
  const out: ModelResult = {
    clean: {
      result: cv.result,
      stable: cv.stable.status,
      working: cv.working.status,
      primaryFails: cv.findings.filter((f) => f.primary && f.status === 'fail').map((f) => f.id),
      notJudged: cv.findings.filter((f) => f.primary && f.status === 'not-judged').map((f) => f.id),
    },
    changes: {},
  }
  if (withChanges) {
    for (const spec of CHANGES) {
      const change = spec.make(trial)
      const startedAt = new Date(day + 12 * 3_600_000)
      const v = timed(syntheticRun({ seed: `${prefix}-${spec.name}`, startedAt, change, noise }))
      out.changes[spec.name] = { found: spec.found(v, change), result: v.result }
    }
  }
  return out
}

function runTrial(trial: number, withChanges: boolean, models: SyntheticNoise[]): TrialResult {
  const judgeMs: number[] = []
  const base = runModel(trial, 'base', withChanges, judgeMs)
  const out: TrialResult = { trial, ...base, judgeMs }
  if (withChanges) out.leak = runLeakTrial(trial)
  if (models.length) out.noise = Object.fromEntries(models.map((m) => [m, runModel(trial, m, withChanges, judgeMs)]))
  return out
}

const HELD_OUT = SYNTHETIC_NOISE_MODELS.filter((m) => m.name !== 'base').map((m) => m.name)

/** `--noise a,b` (default: every held-out model; `none`: none). */
function noiseArg(): SyntheticNoise[] {
  const i = process.argv.indexOf('--noise')
  if (i < 0) return HELD_OUT
  const text = process.argv[i + 1] ?? ''
  if (text === 'none') return []
  const names = text
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean)
  const unknown = names.filter((n) => !(HELD_OUT as string[]).includes(n))
  if (unknown.length || !names.length) {
    process.stderr.write(`error: --noise ${JSON.stringify(text)}: unknown model ${unknown.join(', ')}\n`)
    process.stderr.write(`  → use none or a comma-separated list of: ${HELD_OUT.join(', ')}\n`)
    process.exit(2)
  }
  return names as SyntheticNoise[]
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}

function fmt(k: number, n: number): string {
  const [lo, hi] = clopperPearson(k, n)
  return `${((100 * k) / n).toFixed(2).padStart(6)}%  [${(100 * lo).toFixed(2)}%, ${(100 * hi).toFixed(2)}%]  (${k}/${n})`
}

if (!isMainThread) {
  const { trials, changes, models } = workerData as { trials: number[]; changes: number; models: SyntheticNoise[] }
  for (const t of trials) parentPort!.postMessage(runTrial(t, t < changes, models))
  parentPort!.close()
} else if (process.argv.includes('--merge')) {
  const files = process.argv.slice(process.argv.indexOf('--merge') + 1).filter((a) => !a.startsWith('--'))
  const byTrial = new Map<number, TrialResult>()
  let seconds = 0
  const meta: string[] = []
  for (const f of files) {
    const saved = JSON.parse(readFileSync(f, 'utf8')) as {
      results: TrialResult[]
      seconds: number
      workers: number
      args: string
    }
    seconds += saved.seconds
    meta.push(`${f}: ${saved.args} (${saved.seconds.toFixed(0)} s, ${saved.workers} workers)`)
    for (const r of saved.results) {
      const had = byTrial.get(r.trial)
      // A trial counts once: a later file's copy replaces an earlier one (a re-run after a change of the
      // judge), unless it lacks the injected changes the earlier one has.
      if (!had || !had.leak || r.leak) byTrial.set(r.trial, had?.noise && !r.noise ? { ...r, noise: had.noise } : r)
    }
  }
  const results = [...byTrial.values()].sort((a, b) => a.trial - b.trial)
  console.log(report(results, seconds, meta.join('\n')).text)
} else {
  const clean = arg('clean', 1000)
  const from = arg('from', 0)
  const changes = arg('changes', 200)
  const workers = arg('workers', Math.min(2, availableParallelism()))
  const jsonIdx = process.argv.indexOf('--json')
  const started = performance.now()
  const results: TrialResult[] = []
  const listed = process.argv.indexOf('--trials')
  const all =
    listed >= 0
      ? process.argv[listed + 1].split(',').map(Number)
      : Array.from({ length: Math.max(clean, changes) }, (_, i) => from + i)
  const changesBelow = from + changes
  const models = noiseArg()
  await Promise.all(
    Array.from(
      { length: workers },
      (_, w) =>
        new Promise<void>((resolve, reject) => {
          // A worker does not inherit tsx's loader: register it, then load this file.
          const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}) })`
          const worker = new Worker(boot, {
            eval: true,
            workerData: { trials: all.filter((_, i) => i % workers === w), changes: changesBelow, models },
            execArgv: ['--conditions=steady-source'],
          })
          worker.on('message', (r: TrialResult) => {
            results.push(r)
            if (results.length % 100 === 0) process.stderr.write(`  ${results.length}/${all.length} trials\n`)
          })
          worker.on('error', reject)
          worker.on('exit', () => resolve())
        }),
    ),
  )
  results.sort((a, b) => a.trial - b.trial)
  const seconds = (performance.now() - started) / 1000
  const args = process.argv
    .slice(2)
    .filter((a, i, xs) => a !== '--json' && xs[i - 1] !== '--json')
    .join(' ')
  const out = report(
    results,
    seconds,
    `${args} on ${workers} worker(s), load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} at the end`,
  )
  console.log(out.text)
  if (jsonIdx >= 0)
    writeFileSync(process.argv[jsonIdx + 1], JSON.stringify({ ...out.summary, args, workers, seconds, results }) + '\n')
}

/** The table: false positives with their breakdown by finding, detection per change, leaks. */
function report(
  results: TrialResult[],
  seconds: number,
  how: string,
): { text: string; summary: Record<string, unknown> } {
  const cleanRes = results
  const fp = cleanRes.filter((r) => r.clean.result === 'fail').length
  const fpStable = cleanRes.filter((r) => r.clean.stable === 'fail').length
  const inconclusive = cleanRes.filter((r) => r.clean.result === 'inconclusive').length
  const withChanges = results.filter((r) => Object.keys(r.changes).length)
  const leaks = results.filter((r) => r.leak)
  const lines: string[] = []
  lines.push(
    `steady verdict accuracy — synthetic noise model, K = ${K} baseline runs per trial, gate ${JSON.stringify(BENCH_GATE)}`,
  )
  lines.push(how)
  lines.push(
    `${cleanRes.length} clean trials (30-minute runs), ${withChanges.length} trials per injected change, ${leaks.length} leak trials (three-hour soaks) in ${seconds.toFixed(0)} s`,
  )
  lines.push(
    `fixed counts per 30-minute run: 1,800 probe iterations per scenario (1/s), 3,000 + 6,000 load iterations per scenario (nominal, peak), 6 steps, 10 s windows`,
  )
  lines.push('')
  lines.push(
    `false positives (clean run, gate fails):          ${fmt(fp, cleanRes.length)}   target ≤ 2% (upper bound)`,
  )
  lines.push(`  of which "not stable":                           ${fmt(fpStable, cleanRes.length)}`)
  lines.push(`clean runs judged inconclusive:                    ${fmt(inconclusive, cleanRes.length)}`)
  // Which checks make the false positives: by kind, stat, source and phase (the step left out).
  const byKind = (ids: string[]) => [...new Set(ids.map((id) => id.replace(/\{.*\}/, '{…}')))]
  const fpIds = new Map<string, number>()
  for (const r of cleanRes) for (const id of byKind(r.clean.primaryFails)) fpIds.set(id, (fpIds.get(id) ?? 0) + 1)
  if (fpIds.size)
    lines.push(
      `  false-positive findings (runs with one): ${[...fpIds]
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}`,
    )
  const nj = new Map<string, number>()
  for (const r of cleanRes) for (const id of byKind(r.clean.notJudged ?? [])) nj.set(id, (nj.get(id) ?? 0) + 1)
  if (nj.size)
    lines.push(
      `  primary checks not judged on clean runs (runs with one): ${[...nj]
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}`,
    )
  lines.push('')
  const summary: Record<string, unknown> = {
    clean: cleanRes.length,
    changes: withChanges.length,
    K,
    gate: BENCH_GATE,
    seconds,
    falsePositive: {
      k: fp,
      n: cleanRes.length,
      ci: clopperPearson(fp, cleanRes.length),
      byFinding: Object.fromEntries(fpIds),
    },
    detection: {},
  }
  for (const spec of CHANGES) {
    const rs = results.filter((r) => r.changes[spec.name])
    if (!rs.length) continue
    const k = rs.filter((r) => r.changes[spec.name].found).length
    lines.push(
      `${spec.target ? 'detection' : 'context  '} ${spec.name.padEnd(15)} ${fmt(k, rs.length)}   ${spec.target ? 'target ≥ 95%' : ''}  ${spec.label}`,
    )
    ;(summary.detection as Record<string, unknown>)[spec.name] = {
      k,
      n: rs.length,
      ci: clopperPearson(k, rs.length),
      target: spec.target,
    }
  }
  if (leaks.length) {
    const lk = leaks.filter((r) => r.leak!.found).length
    const lfp = leaks.filter((r) => r.leak!.clean).length
    const lnj = leaks.filter((r) => r.leak!.notJudged).length
    const cnj = leaks.filter((r) => r.leak!.cleanNotJudged).length
    const det = leaks
      .map((r) => r.leak!.detectable)
      .filter(Number.isFinite)
      .sort((a, b) => a - b)
    const mib = (v: number) => `${(v / 1024 / 1024).toFixed(1)} MiB/h`
    lines.push(
      `detection leak 20MiB/h   ${fmt(lk, leaks.length)}   target ≥ 95%  heap after GC grows by the gate's tolerance (three-hour soaks, 60-minute phases)`,
    )
    lines.push(
      `  soaks whose leak check could not see the tolerance with 95% power (not judged): leaked ${lnj} of ${leaks.length} (counted as found only when they failed), clean ${cnj} of ${leaks.length}`,
    )
    if (det.length)
      lines.push(
        `  leak seen with 95% power on these soaks: median ${mib(det[Math.floor(det.length / 2)])}, 90th percentile ${mib(det[Math.floor(det.length * 0.9)])}, largest ${mib(det[det.length - 1])}`,
      )
    lines.push(
      `context   leak 40MiB/h   ${fmt(leaks.filter((r) => r.leak!.twice).length, leaks.length)}     twice the tolerance, same soaks`,
    )
    lines.push(`  leak findings on clean three-hour soaks:        ${fmt(lfp, leaks.length)}`)
    lines.push(
      `  clean three-hour soaks judged not stable:       ${fmt(leaks.filter((r) => r.leak!.cleanStable === 'fail').length, leaks.length)}`,
    )
    ;(summary.detection as Record<string, unknown>)['leak'] = {
      k: lk,
      n: leaks.length,
      ci: clopperPearson(lk, leaks.length),
      target: true,
      notJudged: lnj,
      falsePositive: { k: lfp, n: leaks.length },
    }
  }
  lines.push(...heldOutRows(results, summary))
  const ms = results.flatMap((r) => r.judgeMs).sort((a, b) => a - b)
  lines.push('')
  if (ms.length)
    lines.push(
      `judge time per verdict (30-minute record, 38 series, K = 10): median ${ms[Math.floor(ms.length / 2)].toFixed(1)} ms, p99 ${ms[Math.floor(ms.length * 0.99)].toFixed(1)} ms`,
    )
  return { text: lines.join('\n'), summary }
}

function wilson(k: number, n: number): string {
  if (n === 0) return '—'
  const [lo, hi] = wilsonInterval(k, n)
  return `${((100 * k) / n).toFixed(1)}% [${(100 * lo).toFixed(1)}, ${(100 * hi).toFixed(1)}] (${k}/${n})`
}

/**
 * The noise-model rows: per model (the base one first), the false-positive rate over its clean trials and
 * detection per change, each with a Wilson 95% interval. A trial's base result counts for the base row.
 */
function heldOutRows(results: TrialResult[], summary: Record<string, unknown>): string[] {
  if (!results.some((r) => r.noise)) return []
  const lines = ['', 'noise models (clean runs failing the gate, then detection per change; Wilson 95% intervals)']
  const byModel: Record<string, unknown> = {}
  for (const model of SYNTHETIC_NOISE_MODELS) {
    const rs = results
      .map((r) => (model.name === 'base' ? r : r.noise?.[model.name]))
      .filter((r): r is ModelResult => r !== undefined)
    if (!rs.length) continue
    const fp = rs.filter((r) => r.clean.result === 'fail').length
    const inc = rs.filter((r) => r.clean.result === 'inconclusive').length
    const fpCell = wilson(fp, rs.length).padEnd(30)
    lines.push(`${model.name.padEnd(11)} false positives ${fpCell} inconclusive ${inc}   ${model.label}`)
    const detection: Record<string, unknown> = {}
    const cells: string[] = []
    for (const spec of CHANGES) {
      const with_ = rs.filter((r) => r.changes[spec.name])
      if (!with_.length) continue
      const k = with_.filter((r) => r.changes[spec.name].found).length
      cells.push(`${spec.name}${spec.target ? '' : ' (context)'} ${wilson(k, with_.length)}`)
      detection[spec.name] = { k, n: with_.length, ci: wilsonInterval(k, with_.length), target: spec.target }
    }
    for (let i = 0; i < cells.length; i += 3) lines.push(`${' '.repeat(13)}${cells.slice(i, i + 3).join('   ')}`)
    const falsePositive = { k: fp, n: rs.length, ci: wilsonInterval(fp, rs.length) }
    byModel[model.name] = { falsePositive, inconclusive: inc, detection }
  }
  summary.noiseModels = byModel
  return lines
}
