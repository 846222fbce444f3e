/**
 * Accuracy of `steady verdict` on real soaks of the demo store on this
 * machine, where the synthetic benchmark's noise model does not reach: the
 * scheduler, the load generator sharing the cores, a neighbour burning CPU.
 *
 * Two conditions run interleaved (a run of one, then a run of the other):
 * `quiet`, and `noisy`, where a child process burning one core is switched on
 * and off at random (every 1–6 s) while the soak runs. Per condition: clean
 * baseline runs, clean runs, and runs of each fault (the demo store's
 * switches, with a service time so that multiplicative faults have a time to
 * multiply). Each run is judged as `steady verdict --gate staging` judges it
 * (the repo config's staging gate) against its condition's baseline, and the
 * table counts failed / inconclusive / passed and whether a failing primary
 * finding of the right kind was named.
 *
 *   node --conditions=steady-source --import tsx scripts/bench/verdict-live-accuracy.ts \
 *     [--keep <dir>] [--runs 5,10,6] [--soak-seconds 60] [--conditions quiet,noisy] \
 *     [--cases clean,leak-offheap,...] [--service-time 2ms] [--seed 1] [--json out.json]
 *   node --conditions=steady-source --import tsx scripts/bench/verdict-live-accuracy.ts \
 *     --rejudge <dir> [--json out.json]
 *
 * `--runs B,C,F`: B baseline runs, C clean runs and F runs per fault, per
 * condition. Records are kept in `--keep <dir>` (a temporary folder,
 * removed at the end, otherwise) with a `manifest.json`; `--rejudge <dir>`
 * judges them again without soaking, with the judge as it is now. Traffic
 * goes only to 127.0.0.1; every child (soak, store, CPU hog) is stopped on
 * exit and on Ctrl-C (exit 130, 143 on SIGTERM, the manifest written first).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import {
  addRun,
  emptyBaseline,
  judge,
  selectGate,
  summariseRun,
  type BaselineFile,
  type GateConfig,
} from '@steady/baseline'
import { readRunRecord, writeJsonAtomic, type FindingKind, type Verdict } from '@steady/record'
import {
  allRoutes,
  commit,
  CpuHog,
  ERRORS,
  INFLIGHT,
  namedBy,
  OFFHEAP_LEAK,
  ONE_ROUTE,
  parseList as parseListOf,
  pct,
  Random,
  repo,
  shuffle,
  soak,
  soakLines,
  stopSoaks,
  TAIL,
  wilsonInterval,
  writeConfig,
  type Case,
} from './live-soaks.ts'

const PLAN = 'live-accuracy'

export const CASES: Case[] = [
  { name: 'clean', label: 'no fault', env: {}, kinds: [] },
  OFFHEAP_LEAK,
  allRoutes(50),
  ONE_ROUTE,
  TAIL,
  ERRORS,
  INFLIGHT,
]

const CONDITIONS = ['quiet', 'noisy'] as const
type Condition = (typeof CONDITIONS)[number]

/** One soak, as the manifest keeps it. */
interface RunEntry {
  condition: Condition
  case: string
  role: 'baseline' | 'judged'
  index: number
  /** The run folder, relative to the manifest's folder. */
  dir: string
  exit: number | null
  seconds: number
  /** Share of the soak the CPU hog was on (noisy condition). */
  hogOnShare?: number
  loadAverage: number
}

interface Manifest {
  schema: 'steady.live-accuracy/1'
  createdAt: string
  commit: string
  args: string
  soakSeconds: number
  serviceTime: string
  runs: RunEntry[]
}

interface Judged {
  entry: RunEntry
  result: string
  /** The verdict's stable question failed (not stable), whatever the working question said. */
  notStable: boolean
  named: boolean
  /** The failing primary findings' kinds (to see what else fired). */
  fails: FindingKind[]
  /** The verdict says the load generator was saturated in a phase (its latency findings are then inconclusive). */
  saturated: boolean
}

/** Set by SIGINT / SIGTERM: no further soak starts; the process exits with this code once the current one stopped. */
let aborted: { signal: NodeJS.Signals; code: number } | undefined

type Planned = Omit<RunEntry, 'dir' | 'exit' | 'seconds' | 'loadAverage'>
interface RunCounts {
  baseline: number
  clean: number
  fault: number
}

/** The order of the soaks: baseline runs first, then the rest shuffled; the conditions alternate throughout. */
function schedule(conditions: Condition[], cases: Case[], runs: RunCounts, rnd: Random): Planned[] {
  const out: Planned[] = []
  for (let i = 0; i < runs.baseline; i++) {
    for (const condition of conditions) out.push({ condition, case: 'clean', role: 'baseline', index: i })
  }
  const judged: Array<{ case: string; index: number }> = []
  for (const c of cases) {
    for (let i = 0; i < (c.name === 'clean' ? runs.clean : runs.fault); i++) judged.push({ case: c.name, index: i })
  }
  for (const j of shuffle(judged, rnd)) for (const condition of conditions) out.push({ condition, ...j, role: 'judged' })
  return out
}

/** Judges every judged run of the manifest against its condition's baseline (built from its baseline runs). */
async function judgeAll(dir: string, manifest: Manifest): Promise<Judged[]> {
  const config = (await import(join(repo, 'steady.config.ts'))) as { default: { gates?: Record<string, GateConfig> } }
  const gate = selectGate(config.default.gates, 'staging')
  const baselines = new Map<Condition, BaselineFile>()
  const usable = manifest.runs.filter((r) => existsSync(join(dir, r.dir, 'run.json')))
  for (const r of usable.filter((x) => x.role === 'baseline')) {
    const record = await readRunRecord(join(dir, r.dir, 'run.json'))
    let file = baselines.get(r.condition)
    if (!file) baselines.set(r.condition, (file = emptyBaseline(record.subject.service)))
    try {
      const path = `${r.condition} baseline`
      addRun(file, summariseRun(record), { by: 'live accuracy benchmark', now: new Date(), path })
    } catch (err) {
      process.stderr.write(`  [note] baseline run ${r.dir} left out: ${(err as Error).message}\n`)
    }
  }
  const out: Judged[] = []
  for (const entry of usable.filter((x) => x.role === 'judged')) {
    const record = await readRunRecord(join(dir, entry.dir, 'run.json'))
    const v: Verdict = judge({ record, baseline: baselines.get(entry.condition), gate })
    await writeJsonAtomic(join(dir, entry.dir, 'verdict.json'), v)
    const { named, fails, saturated } = namedBy(v, CASES.find((c) => c.name === entry.case)!)
    out.push({ entry, result: v.result, notStable: v.stable.status === 'fail', named, fails, saturated })
  }
  return out
}

const COLUMNS: Array<[string, number]> = [
  ['runs', 5],
  ['failed', 8],
  ['unstable', 10],
  ['inconcl.', 10],
  ['passed', 8],
  ['named', 7],
  ['sat.', 6],
]

/** One row of counts, right-aligned under `COLUMNS`. */
function row(condition: string, name: string, counts: number[]): string {
  return `${condition.padEnd(10)}${name.padEnd(14)}${counts.map((n, i) => String(n).padStart(COLUMNS[i][1])).join('')}`
}

/** The table (condition × case) and its JSON. For clean runs the interval is of failures; for faults, of detection. */
function table(judged: Judged[], manifest: Manifest): { text: string; json: Record<string, unknown> } {
  const load = loadavg().map((l) => l.toFixed(1)).join(' ')
  const lines = [
    `steady verdict on real soaks of the demo store — ${manifest.soakSeconds}-s soaks, ` +
      `service time ${manifest.serviceTime}, staging gate`,
    `records made at ${manifest.commit} (${manifest.createdAt}); judged at ${commit()}; ` +
      `${cpus().length} cores, load average ${load}`,
    '',
    `${'condition'.padEnd(10)}${'case'.padEnd(14)}${COLUMNS.map(([h, w]) => h.padStart(w)).join('')}` +
      '   rate (Wilson 95%)                other failing kinds',
  ]
  const cells: Record<string, unknown>[] = []
  for (const condition of CONDITIONS) {
    for (const c of CASES) {
      const rs = judged.filter((j) => j.entry.condition === condition && j.entry.case === c.name)
      if (!rs.length) continue
      const count = (pred: (r: Judged) => boolean) => rs.filter(pred).length
      const failed = count((r) => r.result === 'fail')
      const notStable = count((r) => r.notStable)
      const inconclusive = count((r) => r.result === 'inconclusive')
      const passed = count((r) => r.result === 'pass')
      const named = count((r) => r.result === 'fail' && r.named)
      const saturated = count((r) => r.saturated)
      const k = c.name === 'clean' ? failed : named
      const what = c.name === 'clean' ? 'false positives' : 'detected, named'
      const other = [...new Set(rs.flatMap((r) => r.fails).filter((f) => !c.kinds.includes(f)))].join(', ')
      const counts = [rs.length, failed, notStable, inconclusive, passed, named, saturated]
      lines.push(`${row(condition, c.name, counts)}   ${`${pct(k, rs.length)} ${what}`.padEnd(31)} ${other}`)
      const rate = { k, n: rs.length, ci: wilsonInterval(k, rs.length), of: what }
      const counted = { runs: rs.length, failed, notStable, inconclusive, passed, named, saturated }
      cells.push({ condition, case: c.name, label: c.label, ...counted, rate })
    }
  }
  lines.push('', 'unstable: judged not stable; ' +
    "named: failed with a failing primary finding of the fault's kind; sat.: runs whose load generator was saturated")
  lines.push(...soakLines(manifest.runs))
  const { soakSeconds, serviceTime } = manifest
  const json = { commit: manifest.commit, judgedAt: commit(), soakSeconds, serviceTime, cells }
  return { text: lines.join('\n'), json }
}

const parseList = <T extends string>(flag: string, text: string, allowed: readonly T[]) => parseListOf(flag, text, allowed, usage)

function usage(message: string): never {
  process.stderr.write(`error: ${message}\n  → see the usage at the top of scripts/bench/verdict-live-accuracy.ts\n`)
  process.exit(2)
}

interface SoakOptions {
  soakSeconds: number
  serviceTime: string
  conditions: Condition[]
  cases: Case[]
  runs: RunCounts
  seed: string
}

/** Runs the schedule's soaks one after the other, writing the manifest after each. */
async function runSoaks(dir: string, o: SoakOptions): Promise<Manifest> {
  const manifest: Manifest = {
    schema: 'steady.live-accuracy/1',
    createdAt: new Date().toISOString(),
    commit: commit(),
    args: process.argv.slice(2).join(' '),
    soakSeconds: o.soakSeconds,
    serviceTime: o.serviceTime,
    runs: [],
  }
  const config = writeConfig(dir, PLAN, o.soakSeconds, o.serviceTime)
  const rnd = new Random(`live-accuracy:${o.seed}`)
  const plan = schedule(o.conditions, o.cases, o.runs, rnd)
  const limitMs = plan.length * (o.soakSeconds * 3 + 120) * 1000
  const noisy = o.conditions.includes('noisy')
  const hog = noisy ? new CpuHog(new Random(`live-accuracy-hog:${o.seed}`), limitMs) : undefined
  const stopAll = (signal: NodeJS.Signals, code: number) => {
    process.stderr.write(`\n${signal}: stopping the soak (it writes its partial record) and the CPU hog\n`)
    aborted = { signal, code }
    hog?.stop()
    stopSoaks()
  }
  process.once('SIGINT', () => stopAll('SIGINT', 130))
  process.once('SIGTERM', () => stopAll('SIGTERM', 143))
  try {
    for (const [n, item] of plan.entries()) {
      if (aborted) break
      const spec = CASES.find((c) => c.name === item.case)!
      const rel = join(item.condition, `${item.role === 'baseline' ? 'baseline' : item.case}-${item.index + 1}`)
      const t0 = performance.now()
      if (item.condition === 'noisy') hog!.on()
      const timeoutMs = (o.soakSeconds * 3 + 120) * 1000
      const exit = await soak(config, PLAN, join(dir, rel), `${o.seed}-${rel}`, spec.env, timeoutMs)
      const hogOnShare = item.condition === 'noisy' ? hog!.off() : undefined
      const seconds = (performance.now() - t0) / 1000
      const hogged = hogOnShare !== undefined ? { hogOnShare } : {}
      manifest.runs.push({ ...item, dir: rel, exit, seconds, ...hogged, loadAverage: loadavg()[0] })
      await writeJsonAtomic(join(dir, 'manifest.json'), manifest)
      const hogNote = hogOnShare !== undefined ? `, hog on ${(100 * hogOnShare).toFixed(0)}%` : ''
      process.stderr.write(`  ${n + 1}/${plan.length} ${rel}: exit ${exit}, ${seconds.toFixed(0)} s${hogNote}\n`)
    }
  } finally {
    hog?.stop()
  }
  if (aborted) {
    await writeJsonAtomic(join(dir, 'manifest.json'), manifest)
    process.stderr.write(`stopped by ${aborted.signal}; ${manifest.runs.length} soaks kept in ${dir} (--rejudge it)\n`)
    process.exit(aborted.code)
  }
  return manifest
}

async function mainProgram(): Promise<void> {
  let values
  try {
    ;({ values } = parseArgs({
      options: {
        keep: { type: 'string' },
        rejudge: { type: 'string' },
        runs: { type: 'string', default: '5,10,6' },
        'soak-seconds': { type: 'string', default: '60' },
        conditions: { type: 'string', default: CONDITIONS.join(',') },
        cases: { type: 'string', default: CASES.map((c) => c.name).join(',') },
        'service-time': { type: 'string', default: '2ms' },
        seed: { type: 'string', default: '1' },
        json: { type: 'string' },
      },
    }))
  } catch (err) {
    usage((err as Error).message)
  }
  let dir: string
  let manifest: Manifest
  let temporary = false
  if (values.rejudge) {
    dir = resolve(values.rejudge)
    if (!existsSync(join(dir, 'manifest.json'))) {
      usage(`--rejudge ${values.rejudge}: no manifest.json there; give a folder written with --keep`)
    }
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest
  } else {
    const runs = values.runs.split(',').map(Number)
    if (runs.length !== 3 || !runs.every((n) => Number.isInteger(n) && n >= 0) || runs[0] < 1) {
      usage(`--runs ${values.runs}: write B,C,F (baseline runs ≥ 1, clean runs, runs per fault), e.g. 5,10,6`)
    }
    const soakSeconds = Number(values['soak-seconds'])
    if (!(soakSeconds >= 10 && soakSeconds <= 900)) {
      usage(`--soak-seconds ${values['soak-seconds']}: write a number of seconds from 10 to 900`)
    }
    const serviceTime = values['service-time']
    if (!/^\d+(\.\d+)?(ms|s)$/.test(serviceTime)) usage(`--service-time ${serviceTime}: write e.g. 2ms`)
    const caseNames = parseList('cases', values.cases, CASES.map((c) => c.name))
    dir = values.keep ? resolve(values.keep) : mkdtempSync(join(tmpdir(), 'steady-live-accuracy-'))
    temporary = !values.keep
    if (existsSync(join(dir, 'manifest.json'))) {
      usage(`--keep ${values.keep}: it holds a manifest.json already; use --rejudge to judge it, or another folder`)
    }
    mkdirSync(dir, { recursive: true })
    manifest = await runSoaks(dir, {
      soakSeconds,
      serviceTime,
      conditions: parseList('conditions', values.conditions, CONDITIONS),
      cases: CASES.filter((c) => caseNames.includes(c.name)),
      runs: { baseline: runs[0], clean: runs[1], fault: runs[2] },
      seed: values.seed,
    })
  }
  const out = table(await judgeAll(dir, manifest), manifest)
  console.log(out.text)
  if (!temporary) console.log(`\nrecords kept in ${dir} (judge them again with --rejudge ${dir})`)
  if (values.json) await writeJsonAtomic(resolve(values.json), out.json)
  if (temporary) rmSync(dir, { recursive: true, force: true })
}

await mainProgram()
