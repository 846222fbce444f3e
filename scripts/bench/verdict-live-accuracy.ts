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
 *   node --conditions=steady-source --import tsx scripts/bench/verdict-live-accuracy.ts \
 *     --resume <dir> [--json out.json]
 *
 * `--runs B,C,F`: B baseline runs, C clean runs and F runs per fault, per
 * condition. Records are kept in `--keep <dir>` (a temporary folder,
 * removed at the end, otherwise) with a `manifest.json`; `--rejudge <dir>`
 * judges them again without soaking, with the judge as it is now;
 * `--resume <dir>` goes on with a benchmark that was stopped (Ctrl-C, the
 * machine wanted back), with the arguments it was started with: the same
 * seeded schedule, its finished soaks skipped, then judged whole. Traffic
 * goes only to 127.0.0.1; every child (soak, store, CPU hog) is stopped on
 * exit and on Ctrl-C (exit 130, 143 on SIGTERM, the manifest written first).
 */
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { judge, type BaselineFile } from '@steady/baseline'
import { readRunRecord } from '@steady/record'
import {
  allRoutes,
  baselineOf,
  benchArgs,
  benchFolder,
  caseTable,
  commit,
  COMMON_OPTIONS,
  ERRORS,
  finish,
  INFLIGHT,
  judged,
  newManifest,
  OFFHEAP_LEAK,
  ONE_ROUTE,
  parseList,
  Random,
  shuffle,
  soakAll,
  soakLines,
  stagingGate,
  tableTitle,
  TAIL,
  usable,
  writeConfig,
  type Case,
  type JudgedSoak,
  type Manifest as ManifestOf,
  type SoakEntry,
} from './live-soaks.ts'

const PLAN = 'live-accuracy'

const CASES: Case[] = [
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
interface RunEntry extends SoakEntry {
  condition: Condition
  case: string
  role: 'baseline' | 'judged'
  index: number
}

type Manifest = ManifestOf<RunEntry>

interface Judged extends JudgedSoak {
  entry: RunEntry
}

type Planned = Pick<RunEntry, 'condition' | 'case' | 'role' | 'index'>
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
  for (const j of shuffle(judged, rnd))
    for (const condition of conditions) out.push({ condition, ...j, role: 'judged' })
  return out
}

/** Judges every judged run of the manifest against its condition's baseline (built from its baseline runs). */
async function judgeAll(dir: string, manifest: Manifest): Promise<Judged[]> {
  const gate = await stagingGate()
  const runs = usable(dir, manifest)
  const baselines = new Map<Condition, BaselineFile | undefined>()
  for (const condition of CONDITIONS) {
    const mine = runs.filter((r) => r.role === 'baseline' && r.condition === condition)
    baselines.set(condition, await baselineOf(dir, mine, 'live accuracy benchmark', `${condition} baseline`))
  }
  const out: Judged[] = []
  for (const entry of runs.filter((x) => x.role === 'judged')) {
    const record = await readRunRecord(join(dir, entry.dir, 'run.json'))
    const v = judge({ record, baseline: baselines.get(entry.condition), gate })
    out.push({
      entry,
      ...(await judged(
        dir,
        entry.dir,
        v,
        CASES.find((c) => c.name === entry.case)!,
      )),
    })
  }
  return out
}

/** The table (condition × case) and its JSON. */
function table(results: Judged[], manifest: Manifest): { text: string; json: Record<string, unknown> } {
  const t = caseTable('condition')
  const lines = [...tableTitle('steady verdict on real soaks of the demo store', manifest), t.head]
  const cells: Record<string, unknown>[] = []
  for (const condition of CONDITIONS) {
    for (const c of CASES) {
      const rs = results.filter((j) => j.entry.condition === condition && j.entry.case === c.name)
      if (!rs.length) continue
      const { line, cell } = t.row(condition, c, rs)
      lines.push(line)
      cells.push(cell)
    }
  }
  lines.push('', t.legend, ...soakLines(manifest.runs))
  const { soakSeconds, serviceTime } = manifest
  const json = { commit: manifest.commit, judgedAt: commit(), soakSeconds, serviceTime, cells }
  return { text: lines.join('\n'), json }
}

interface SoakOptions {
  soakSeconds: number
  serviceTime: string
  conditions: Condition[]
  cases: Case[]
  runs: RunCounts
  seed: string
}

/** Runs the schedule's soaks one after the other, the hog switching in the noisy ones. */
async function runSoaks(dir: string, o: SoakOptions, kept?: Manifest): Promise<Manifest> {
  const manifest = newManifest<RunEntry>('steady.live-accuracy/1', o.soakSeconds, o.serviceTime, kept)
  await soakAll({
    folder: dir,
    manifest,
    config: writeConfig(dir, PLAN, o.soakSeconds, o.serviceTime),
    plan: PLAN,
    seed: o.seed,
    items: schedule(o.conditions, o.cases, o.runs, new Random(`live-accuracy:${o.seed}`)),
    soakOf: (item) => ({
      dir: join(item.condition, `${item.role === 'baseline' ? 'baseline' : item.case}-${item.index + 1}`),
      env: CASES.find((c) => c.name === item.case)!.env,
      hog: item.condition === 'noisy',
    }),
    entryOf: (item, soaked) => ({ ...item, ...soaked }),
  })
  return manifest
}

function usage(message: string): never {
  process.stderr.write(`error: ${message}\n  → see the usage at the top of scripts/bench/verdict-live-accuracy.ts\n`)
  process.exit(2)
}

async function mainProgram(): Promise<void> {
  let values
  try {
    ;({ values } = parseArgs({
      args: benchArgs(),
      options: {
        ...COMMON_OPTIONS,
        runs: { type: 'string', default: '5,10,6' },
        'soak-seconds': { type: 'string', default: '60' },
        conditions: { type: 'string', default: CONDITIONS.join(',') },
        cases: { type: 'string', default: CASES.map((c) => c.name).join(',') },
      },
    }))
  } catch (err) {
    usage((err as Error).message)
  }
  const {
    dir,
    temporary,
    manifest: kept,
    resuming,
    soakSeconds,
    serviceTime,
  } = benchFolder<RunEntry>(values, 'steady-live-accuracy-', usage)
  let manifest = resuming ? undefined : kept
  if (!manifest) {
    const runs = values.runs.split(',').map(Number)
    if (runs.length !== 3 || !runs.every((n) => Number.isInteger(n) && n >= 0) || runs[0] < 1) {
      usage(`--runs ${values.runs}: write B,C,F (baseline runs ≥ 1, clean runs, runs per fault), e.g. 5,10,6`)
    }
    const caseNames = parseList(
      'cases',
      values.cases,
      CASES.map((c) => c.name),
      usage,
    )
    const conditions = parseList('conditions', values.conditions, CONDITIONS, usage)
    const cases = CASES.filter((c) => caseNames.includes(c.name))
    const counts = { baseline: runs[0], clean: runs[1], fault: runs[2] }
    manifest = await runSoaks(
      dir,
      { soakSeconds, serviceTime, conditions, cases, runs: counts, seed: values.seed },
      kept,
    )
  }
  await finish(table(await judgeAll(dir, manifest), manifest), dir, temporary, values.json)
}

await mainProgram()
