/**
 * Speed of `steady verdict`: judging a one-hour record of 100 series against
 * a 10-run baseline must take under 0.5 s and 150 MB. `--hours 24` stretches
 * every phase (a day-long soak, 8,640 windows per series) to show how the
 * judge scales; `--baseline-runs` sets the baseline's size.
 *
 * The records are synthetic (the accuracy benchmark's noise model), written
 * through the recorder's own code (SeriesAggregator + RunRecordWriter, real
 * HDR histograms in every window), one hour long: quiet, nominal and peak
 * phases of 20 minutes, 10 s windows, 100 series (12 latency series, 5
 * iteration/load counters, 4 service and generator indicators, 79 further
 * service gauges). The measurement runs in a fresh process: read and
 * validate run.json, read the baseline, judge, render; its time and its
 * peak resident memory (which includes Node.js itself) are reported.
 *
 *   node --conditions=steady-source --import tsx scripts/bench/verdict-speed.ts [--repeat 5] [--hours 1]
 *     [--baseline-runs 10]
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  addRun,
  emptyBaseline,
  judge,
  readBaseline,
  renderVerdict,
  resolveGate,
  serialiseBaseline,
  summariseRun,
} from '@steady/baseline'
import { syntheticRun } from '@steady/baseline/testing'
import { readRunRecord } from '@steady/record'

const HOUR_PHASES = [
  { name: 'quiet', durationMs: 1_200_000, rate: 0 },
  { name: 'nominal', durationMs: 1_200_000, rate: 5 },
  { name: 'peak', durationMs: 1_200_000, rate: 10 },
]

if (process.argv[2] === '--measure') {
  const [runFile, baselineFile] = process.argv.slice(3)
  // What the process holds before judging: Node.js, tsx transpiling the sources, the modules.
  const loadedRssMB = process.memoryUsage().rss / 1024 / 1024
  const t0 = performance.now()
  const record = await readRunRecord(runFile)
  const t1 = performance.now()
  const baseline = await readBaseline(baselineFile)
  const t2 = performance.now()
  const verdict = judge({ record, baseline, gate: resolveGate('bench', { flakeBudget: 0.02 }) })
  const t3 = performance.now()
  renderVerdict(verdict, 'json')
  renderVerdict(verdict, 'text')
  const t4 = performance.now()
  console.log(
    JSON.stringify({
      totalMs: t4 - t0,
      readRunMs: t1 - t0,
      readBaselineMs: t2 - t1,
      judgeMs: t3 - t2,
      renderMs: t4 - t3,
      maxRssMB: process.resourceUsage().maxRSS / 1024,
      loadedRssMB,
      series: record.series.length,
      windows: Math.max(...record.series.map((s) => s.windows.length)),
      findings: verdict.findings.length,
      result: verdict.result,
    }),
  )
} else {
  const option = (name: string, fallback: number) => {
    const at = process.argv.indexOf(name)
    return at >= 0 ? Number(process.argv[at + 1]) : fallback
  }
  const repeat = option('--repeat', 5)
  const hours = option('--hours', 1)
  const baselineRuns = option('--baseline-runs', 10)
  const phases = HOUR_PHASES.map((p) => ({ ...p, durationMs: p.durationMs * hours }))
  const dir = mkdtempSync(join(tmpdir(), 'steady-verdict-speed-'))
  try {
    process.stderr.write(`writing ${baselineRuns + 1} ${hours}-hour records through RunRecordWriter...\n`)
    const file = emptyBaseline('synthetic-store')
    for (let k = 0; k < baselineRuns; k++) {
      const rec = syntheticRun({
        seed: `speed-b${k}`,
        phases,
        extraGauges: 79,
        writeTo: join(dir, `b${k}`),
        startedAt: new Date(Date.UTC(2026, 10, 1, k * (hours + 1))),
      })
      addRun(file, summariseRun(rec, { distributions: true }), {
        by: 'bench',
        now: new Date(Date.UTC(2026, 10, 1, k * (hours + 1) + hours)),
        path: 'b',
      })
    }
    const baselineFile = join(dir, 'baseline.json')
    writeFileSync(baselineFile, serialiseBaseline(file))
    syntheticRun({
      seed: 'speed-current',
      phases,
      extraGauges: 79,
      writeTo: join(dir, 'current'),
      startedAt: new Date(Date.UTC(2026, 10, 1, baselineRuns * (hours + 1))),
    })
    const runFile = join(dir, 'current', 'run.json')
    const results: Record<string, number | string>[] = []
    for (let i = 0; i < repeat; i++) {
      const out = execFileSync(
        process.execPath,
        [
          '--conditions=steady-source',
          '--import',
          'tsx',
          new URL(import.meta.url).pathname,
          '--measure',
          runFile,
          baselineFile,
        ],
        { encoding: 'utf8' },
      )
      results.push(JSON.parse(out.trim().split('\n').at(-1)!))
    }
    const med = (k: string) => results.map((r) => r[k] as number).sort((a, b) => a - b)[Math.floor(results.length / 2)]
    const r0 = results[0]
    console.log(
      `steady verdict speed — ${hours}-hour record, ${r0.series} series, ${r0.windows} windows each, against ${baselineRuns} baseline runs`,
    )
    console.log(
      `  run.json ${(statSync(runFile).size / 1e6).toFixed(1)} MB, baseline ${(statSync(baselineFile).size / 1e3).toFixed(0)} kB; ${r0.findings} checks; median of ${repeat} fresh processes:`,
    )
    console.log(
      `  total ${med('totalMs').toFixed(0)} ms (read+validate run ${med('readRunMs').toFixed(0)} ms, read baseline ${med('readBaselineMs').toFixed(0)} ms, judge ${med('judgeMs').toFixed(0)} ms, render ${med('renderMs').toFixed(0)} ms)   target < 500 ms`,
    )
    console.log(`  peak resident memory ${med('maxRssMB').toFixed(0)} MB for the whole process   target < 150 MB`)
    console.log(
      `    of which ${med('loadedRssMB').toFixed(0)} MB before judging (Node.js, tsx transpiling the sources, modules); judging itself ${(med('maxRssMB') - med('loadedRssMB')).toFixed(0)} MB`,
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
