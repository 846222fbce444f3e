/**
 * Accuracy of `steady verdict`, measured on synthetic runs from the fixed
 * noise model of @steady/baseline's synthetic generator (see its module
 * comment: the model is issue 7's, not tuned to the judge).
 *
 * Each trial draws a fresh baseline of K = 10 clean runs and judges one more
 * clean run against it (false positives), and, for the first N trials, one
 * run per injected change against the same baseline (detection). Trials are
 * independent; the rates are printed with Clopper–Pearson 95% intervals.
 *
 *   node --conditions=steady-source --import tsx scripts/bench/verdict-accuracy.ts [--clean 1000] [--changes 200] [--workers 2] [--json out.json]
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'
import { availableParallelism } from 'node:os'
import { writeFileSync } from 'node:fs'
import {
  addRun,
  DEFAULT_TOLERANCES,
  emptyBaseline,
  judge,
  resolveGate,
  summariseRun,
  syntheticRun,
  SYNTHETIC_SERVICE,
  type GateConfig,
  type SyntheticChange,
} from '@steady/baseline'
import type { Verdict } from '@steady/record'
import { clopperPearson } from '../../packages/baseline/src/stats/distributions.ts'

const K = 10

/** The gate the benchmark judges with: the defaults, plus a flake budget above the model's background iteration failures (~0.6%). */
export const BENCH_GATE: GateConfig = { require: ['working', 'stable'], flakeBudget: 0.02 }

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
  return v.findings.some((f) => f.primary && f.status === 'fail' && kinds.includes(f.kind) && f.scenario === scenario && f.step === step)
}
const stableFail = (v: Verdict) => v.stable.status === 'fail'

export const CHANGES: ChangeSpec[] = [
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
    found: (v) => stableFail(v) && v.findings.some((f) => f.primary && f.status === 'fail' && f.kind === 'failure-rate'),
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
    found: (v) => stableFail(v) && v.findings.some((f) => f.primary && f.status === 'fail' && (f.kind === 'level' || f.kind === 'tail')),
  },
  {
    name: 'drift1+15%',
    label: 'one step drifts up 15% over each phase (context: one step\'s windows are noisy; its drift is secondary)',
    target: false,
    make: (t) => ({ kind: 'drift', magnitude: 0.15, target: stepOf(t) }),
    found: (v, c) => v.findings.some((f) => f.status === 'fail' && f.kind === 'drift' && f.step === c.target!.split('/')[1]),
  },
  {
    name: 'scenario+0.5pp',
    label: "one scenario's iterations fail +0.5 pp more (context: 1,800 probe iterations)",
    target: false,
    make: () => ({ kind: 'scenario-failures', magnitude: 0.005, target: 'checkout' }),
    found: (v) => stableFail(v) && v.findings.some((f) => f.primary && f.status === 'fail' && f.kind === 'failure-rate'),
  },
]

/** Leak trials use two-hour soaks (40-minute phases): a 20 MiB/h leak is about 13 MiB per phase, within a heap that swings by 16 MiB from scrape to scrape; 30-minute runs cannot see it and say so ("not judged"). The runs are complete (latency too), so the leak check sits in the gate's whole family. */
export const LEAK_PHASES = [
  { name: 'quiet', durationMs: 2_400_000, rate: 0 },
  { name: 'nominal', durationMs: 2_400_000, rate: 5 },
  { name: 'peak', durationMs: 2_400_000, rate: 10 },
]

function runLeakTrial(trial: number): { clean: boolean; found: boolean; notJudged: boolean; twice: boolean } {
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
  const clean = judge({ record: syntheticRun({ seed: `leak${trial}-clean`, startedAt: new Date(day + 12 * 3_600_000), ...opts }), baseline: file, gate, now })
  const leaked = judge({
    record: syntheticRun({ seed: `leak${trial}-leak`, startedAt: new Date(day + 12 * 3_600_000), ...opts, change: { kind: 'heap-leak', magnitude: DEFAULT_TOLERANCES.leakBytesPerHour } }),
    baseline: file,
    gate,
    now,
  })
  const twice = judge({
    record: syntheticRun({ seed: `leak${trial}-leak2`, startedAt: new Date(day + 12 * 3_600_000), ...opts, change: { kind: 'heap-leak', magnitude: 2 * DEFAULT_TOLERANCES.leakBytesPerHour } }),
    baseline: file,
    gate,
    now,
  })
  return { clean: leakFinding(clean)?.status === 'fail', found: leakFinding(leaked)?.status === 'fail', notJudged: leakFinding(leaked)?.status === 'not-judged', twice: leakFinding(twice)?.status === 'fail' }
}

interface TrialResult {
  leak?: { clean: boolean; found: boolean; notJudged: boolean; twice: boolean }
  trial: number
  clean: { result: string; stable: string; working: string; primaryFails: string[] }
  changes: Record<string, { found: boolean; result: string }>
  judgeMs: number[]
}

function runTrial(trial: number, withChanges: boolean): TrialResult {
  const gate = resolveGate('bench', BENCH_GATE)
  const file = emptyBaseline('synthetic-store')
  const day = Date.UTC(2026, 9, 1) + trial * 86_400_000
  for (let k = 0; k < K; k++) {
    const run = syntheticRun({ seed: `t${trial}-b${k}`, startedAt: new Date(day + k * 3_600_000) })
    addRun(file, summariseRun(run), { by: 'bench', now: new Date(day + k * 3_600_000 + 1), path: 'bench' })
  }
  const now = new Date(day + 20 * 3_600_000)
  const judgeMs: number[] = []
  const timed = (record: ReturnType<typeof syntheticRun>) => {
    const t0 = performance.now()
    const v = judge({ record, baseline: file, gate, now })
    judgeMs.push(performance.now() - t0)
    return v
  }
  const cv = timed(syntheticRun({ seed: `t${trial}-clean`, startedAt: new Date(day + 12 * 3_600_000) }))
  const out: TrialResult = {
    trial,
    clean: {
      result: cv.result,
      stable: cv.stable.status,
      working: cv.working.status,
      primaryFails: cv.findings.filter((f) => f.primary && f.status === 'fail').map((f) => f.id),
    },
    changes: {},
    judgeMs,
  }
  if (withChanges) {
    out.leak = runLeakTrial(trial)
    for (const spec of CHANGES) {
      const change = spec.make(trial)
      const v = timed(syntheticRun({ seed: `t${trial}-${spec.name}`, startedAt: new Date(day + 12 * 3_600_000), change }))
      out.changes[spec.name] = { found: spec.found(v, change), result: v.result }
    }
  }
  return out
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
  const { trials, changes } = workerData as { trials: number[]; changes: number }
  for (const t of trials) parentPort!.postMessage(runTrial(t, t < changes))
  parentPort!.close()
} else {
  const clean = arg('clean', 1000)
  const changes = arg('changes', 200)
  const workers = arg('workers', Math.min(2, availableParallelism()))
  const jsonIdx = process.argv.indexOf('--json')
  const started = performance.now()
  const results: TrialResult[] = []
  const all = Array.from({ length: Math.max(clean, changes) }, (_, i) => i)
  await Promise.all(
    Array.from({ length: workers }, (_, w) =>
      new Promise<void>((resolve, reject) => {
        // A worker does not inherit tsx's loader: register it, then load this file.
        const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}) })`
        const worker = new Worker(boot, {
          eval: true,
          workerData: { trials: all.filter((t) => t % workers === w), changes },
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
  const cleanRes = results.filter((r) => r.trial < clean)
  const fp = cleanRes.filter((r) => r.clean.result === 'fail').length
  const fpStable = cleanRes.filter((r) => r.clean.stable === 'fail').length
  const inconclusive = cleanRes.filter((r) => r.clean.result === 'inconclusive').length
  const lines: string[] = []
  lines.push(`steady verdict accuracy — synthetic noise model, K = ${K} baseline runs per trial, gate ${JSON.stringify(BENCH_GATE)}`)
  lines.push(`${clean} clean trials, ${changes} trials per injected change; ${results.length * (K + 1) + changes * CHANGES.length} 30-minute synthetic runs and ${changes * (K + 3)} two-hour runs in ${seconds.toFixed(0)} s on ${workers} worker(s)`)
  lines.push(`fixed counts per 30-minute run: 1,800 probe iterations per scenario (1/s), 3,000 + 6,000 load iterations per scenario (nominal, peak), 6 steps, 10 s windows`)
  lines.push('')
  lines.push(`false positives (clean run, gate fails):          ${fmt(fp, cleanRes.length)}   target ≤ 2% (upper bound)`)
  lines.push(`  of which "not stable":                           ${fmt(fpStable, cleanRes.length)}`)
  lines.push(`clean runs judged inconclusive:                    ${fmt(inconclusive, cleanRes.length)}`)
  const fpIds = new Map<string, number>()
  for (const r of cleanRes) for (const id of r.clean.primaryFails) fpIds.set(id.replace(/\{.*\}/, '{…}'), (fpIds.get(id.replace(/\{.*\}/, '{…}')) ?? 0) + 1)
  if (fpIds.size) lines.push(`  false-positive findings by kind: ${[...fpIds].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, n]) => `${k} ${n}`).join(', ')}`)
  lines.push('')
  const summary: Record<string, unknown> = { clean, changes, K, gate: BENCH_GATE, seconds, falsePositive: { k: fp, n: cleanRes.length, ci: clopperPearson(fp, cleanRes.length) }, detection: {} }
  for (const spec of CHANGES) {
    const rs = results.filter((r) => r.changes[spec.name])
    const k = rs.filter((r) => r.changes[spec.name].found).length
    lines.push(`${spec.target ? 'detection' : 'context  '} ${spec.name.padEnd(15)} ${fmt(k, rs.length)}   ${spec.target ? 'target ≥ 95%' : ''}  ${spec.label}`)
    ;(summary.detection as Record<string, unknown>)[spec.name] = { k, n: rs.length, ci: clopperPearson(k, rs.length), target: spec.target }
  }
  const leaks = results.filter((r) => r.leak)
  const lk = leaks.filter((r) => r.leak!.found).length
  const lfp = leaks.filter((r) => r.leak!.clean).length
  const lnj = leaks.filter((r) => r.leak!.notJudged).length
  lines.push(`detection leak 20MiB/h   ${fmt(lk, leaks.length)}   target ≥ 95%  heap after GC grows by the gate's tolerance (2-hour soaks, ${lnj} not judged)`)
  lines.push(`context   leak 40MiB/h   ${fmt(leaks.filter((r) => r.leak!.twice).length, leaks.length)}     twice the tolerance, same soaks`)
  lines.push(`  leak findings on clean 2-hour soaks:            ${fmt(lfp, leaks.length)}`)
  ;(summary.detection as Record<string, unknown>)['leak'] = { k: lk, n: leaks.length, ci: clopperPearson(lk, leaks.length), target: true, falsePositive: { k: lfp, n: leaks.length } }
  const ms = results.flatMap((r) => r.judgeMs).sort((a, b) => a - b)
  lines.push('')
  lines.push(`judge time per verdict (30-minute record, 38 series, K = 10): median ${ms[Math.floor(ms.length / 2)].toFixed(1)} ms, p99 ${ms[Math.floor(ms.length * 0.99)].toFixed(1)} ms`)
  console.log(lines.join('\n'))
  if (jsonIdx >= 0) writeFileSync(process.argv[jsonIdx + 1], JSON.stringify(summary, null, 2) + '\n')
}
