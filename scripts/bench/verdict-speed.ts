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
 * service gauges). Each measurement runs in a fresh process
 * (fixtures/verdict-measure.mjs): read and validate run.json, read the
 * baseline, judge, render; its time and its peak resident memory (which
 * includes Node.js itself) are reported. Two ways, interleaved: as a team
 * runs it, `node` on the packages' dist/ (built here first with tsc, and
 * removed after), and as this repo runs it, the sources through tsx (whose
 * loader alone holds about 30 MB).
 *
 *   node --conditions=steady-source --import tsx scripts/bench/verdict-speed.ts [--repeat 5] [--hours 1]
 *     [--baseline-runs 10]
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadavg, tmpdir } from 'node:os'
import { addRun, emptyBaseline, serialiseBaseline, summariseRun } from '@steady/baseline'
import { syntheticRun } from '@steady/baseline/testing'
import { buildDist } from './build-dist.ts'

const HOUR_PHASES = [
  { name: 'quiet', durationMs: 1_200_000, rate: 0 },
  { name: 'nominal', durationMs: 1_200_000, rate: 5 },
  { name: 'peak', durationMs: 1_200_000, rate: 10 },
]

const option = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name)
  return at >= 0 ? Number(process.argv[at + 1]) : fallback
}
const repeat = option('--repeat', 5)
const hours = option('--hours', 1)
const baselineRuns = option('--baseline-runs', 10)
const phases = HOUR_PHASES.map((p) => ({ ...p, durationMs: p.durationMs * hours }))
const measureScript = join(import.meta.dirname, 'fixtures/verdict-measure.mjs')

/** The two ways a verdict runs: as a team runs it (`node` on dist/), and in this repo (the sources through tsx). */
const MODES = {
  installed: { flags: [] as string[], what: 'as installed: node on the built dist/' },
  sources: {
    flags: ['--conditions=steady-source', '--import', import.meta.resolve('tsx')],
    what: 'from the sources through tsx',
  },
}
type Mode = keyof typeof MODES
type Measured = Record<string, number | string>

/** Writes the baseline's records and the judged one; returns the judged run.json and the baseline file. */
function writeRecords(dir: string): { runFile: string; baselineFile: string } {
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
  return { runFile: join(dir, 'current', 'run.json'), baselineFile }
}

function report(mode: Mode, results: Measured[]): void {
  const med = (k: string) => results.map((r) => r[k] as number).sort((a, b) => a - b)[Math.floor(results.length / 2)]
  const total = `total ${med('totalMs').toFixed(0)} ms (read+validate run ${med('readRunMs').toFixed(0)} ms, read baseline ${med('readBaselineMs').toFixed(0)} ms, judge ${med('judgeMs').toFixed(0)} ms, render ${med('renderMs').toFixed(0)} ms)`
  console.log(`  ${MODES[mode].what}, median of ${results.length} fresh processes:`)
  console.log(`    ${total}   target < 500 ms`)
  console.log(`    peak resident memory ${med('maxRssMB').toFixed(0)} MB for the whole process   target < 150 MB`)
  console.log(
    `      of which ${med('loadedRssMB').toFixed(0)} MB before judging (Node.js and the modules); judging itself ${(med('maxRssMB') - med('loadedRssMB')).toFixed(0)} MB`,
  )
}

const dir = mkdtempSync(join(tmpdir(), 'steady-verdict-speed-'))
// dist/ folders this run creates are removed at the end, on Ctrl-C too: in the monorepo, code runs from
// sources, and a dist/ left behind would be what a later benchmark measures.
const built: string[] = []
const cleanUp = () => {
  rmSync(dir, { recursive: true, force: true })
  for (const d of built) rmSync(d, { recursive: true, force: true })
}
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.on(signal, () => {
    cleanUp()
    process.exit(code)
  })
}
try {
  buildDist(['baseline'], { rebuild: true, created: built })
  const { runFile, baselineFile } = writeRecords(dir)
  const results: Record<Mode, Measured[]> = { installed: [], sources: [] }
  // The two ways interleaved, so a change in the machine's load falls on both.
  for (let i = 0; i < repeat; i++) {
    for (const mode of Object.keys(MODES) as Mode[]) {
      const out = execFileSync(process.execPath, [...MODES[mode].flags, measureScript, runFile, baselineFile], {
        encoding: 'utf8',
      })
      results[mode].push(JSON.parse(out.trim().split('\n').at(-1)!))
    }
  }
  const r0 = results.installed[0]
  console.log(
    `steady verdict speed — ${hours}-hour record, ${r0.series} series, ${r0.windows} windows each, against ${baselineRuns} baseline runs; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  )
  console.log(
    `  run.json ${(statSync(runFile).size / 1e6).toFixed(1)} MB, baseline ${(statSync(baselineFile).size / 1e3).toFixed(0)} kB; ${r0.findings} checks`,
  )
  for (const mode of Object.keys(MODES) as Mode[]) report(mode, results[mode])
} finally {
  cleanUp()
}
