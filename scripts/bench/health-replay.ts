/**
 * Process health replayed on two real delivery histories
 * (scripts/bench/fixtures/delivery-history/, see its README): every day of
 * each history is judged, day by day, through `checkHealth` exactly as
 * `steady health` would (an in-memory store answering the same queries as the
 * file store), with the processes `ci` and `dora`.
 *
 *   node --conditions=steady-source --import tsx scripts/bench/health-replay.ts [--seed 1] [--outliers 200] [--days-list]
 *     [--rhythm business-time|week-part|none|all] [--cusum-limit 8] [--cusum-slack 0.5]
 *
 * `--rhythm all` replays the unmodified histories once per way of judging
 * weekly rhythm (lead time, deployments) and prints the exit codes of each.
 *
 * What is recorded, from the data:
 * - `dora.deployments`: 1 per release, at the tag's time;
 * - `dora.lead_time`: per commit of a release, its lead time in hours, at the release;
 * - `dora.change_failure_rate`: per release, 1 when it failed, else 0;
 * - `dora.time_to_restore`: per failure, restored − failed in hours, at the restore.
 *
 * CI runs do not exist in git history; one pipeline run is simulated at each
 * commit's real time with a fixed, seeded noise model (mulberry32, seed
 * `--seed`), not tuned to the judge:
 * - `cycle_time`: 10 min × exp(N(0, 0.15)); with probability 0.5 % a hung run
 *   that ends at the 34 min timeout (3.4× the median);
 * - `queue_time`: 30 s × exp(N(0, 0.5));
 * - `success_rate`: pass with probability 0.95;
 * - `flaky_rate`: 1 with probability 0.03.
 *
 * Injected changes, each at several start days D spread over the history
 * (days with enough history before and after):
 * - CI ramp: cycle times × (1 + 0.3·min(1, (t − D)/14 d)); it reaches +15 % at
 *   D + 7 d, and the delay is counted from then;
 * - failure spike: the first three releases at or after D fail (restored by
 *   the next release); the delay is counted from the second failed release
 *   (half the spike, as +15 % is half the ramp), and the failed release it was
 *   caught at is printed;
 * - deployment stall: no release for 60 days from D (their commits ship with
 *   the first release after); the delay is counted from the day the history's
 *   mean release rate says 3 deployments are missing (the count equivalent:
 *   fewer cannot be told from an ordinary gap).
 * A change counts as caught on the first day its indicator is degraded,
 * looked for up to 60 days after the reference.
 *
 * Outliers: on a stable simulated CI history (12 runs a day, 35 days), one
 * hung run (3.4× the median) as the very last run must not read as a shift:
 * the share of seeds where `cycle_time` is degraded, with and without it.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { mulberry32 } from '@steady/kernel'
import {
  checkHealth,
  ciProcess,
  doraProcess,
  judgeIndicator,
  type HealthReport,
  type HealthStore,
  type HistoryQuery,
  type JudgeOptions,
  type Observation,
} from '@steady/process-health'
import { setWeeklyRhythmMethod, type WeeklyRhythmMethod } from '@steady/process-health/testing'

const day = 86_400_000
const here = dirname(fileURLToPath(import.meta.url))
const dataDir = join(here, 'fixtures', 'delivery-history')

interface Release {
  tag: string
  at: number
  commits: number
  leadTimesSeconds: number[]
  failed: boolean
}
interface Failure {
  release: string
  failedAt: number
  restoredAt: number
}
interface History {
  releases: Release[]
  failures: Failure[]
  commits: { sha: string; at: number; revert: boolean }[]
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : fallback
}

function normal(rand: () => number): number {
  const u = Math.max(rand(), 1e-12)
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand())
}

/** An in-memory store answering `read` as the file store does (time order, inclusive bounds). */
class MemoryStore implements HealthStore {
  readonly description = 'memory'
  private readonly byProcess = new Map<string, Observation[]>()
  constructor(observations: readonly Observation[]) {
    for (const o of [...observations].sort((a, b) => a.at - b.at)) {
      const list = this.byProcess.get(o.process) ?? []
      list.push(o)
      this.byProcess.set(o.process, list)
    }
  }
  async append(): Promise<void> {
    throw new Error('read-only')
  }
  async read(q: HistoryQuery): Promise<Observation[]> {
    const list = this.byProcess.get(q.process) ?? []
    const from = q.from ?? Number.NEGATIVE_INFINITY
    const to = q.to ?? Number.POSITIVE_INFINITY
    let lo = 0
    let hi = list.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (list[mid].at < from) lo = mid + 1
      else hi = mid
    }
    const out: Observation[] = []
    for (let i = lo; i < list.length && list[i].at <= to; i++) {
      if (q.indicator === undefined || list[i].indicator === q.indicator) out.push(list[i])
    }
    return out
  }
}

interface Injection {
  ramp?: number
  spike?: number
  stall?: number
}

function ciRuns(h: History, seed: number, inj: Injection): Observation[] {
  const rand = mulberry32(seed)
  const out: Observation[] = []
  for (const c of h.commits) {
    const at = c.at * 1000
    let cycle = rand() < 0.005 ? 34 * 60 : 600 * Math.exp(0.15 * normal(rand))
    if (inj.ramp !== undefined && at >= inj.ramp) cycle *= 1 + 0.3 * Math.min(1, (at - inj.ramp) / (14 * day))
    const queue = 30 * Math.exp(0.5 * normal(rand))
    const pass = rand() < 0.95 ? 1 : 0
    const flaky = rand() < 0.03 ? 1 : 0
    const base = { process: 'ci', at }
    out.push({ ...base, indicator: 'cycle_time', value: cycle + queue })
    out.push({ ...base, indicator: 'queue_time', value: queue })
    out.push({ ...base, indicator: 'success_rate', value: pass })
    out.push({ ...base, indicator: 'flaky_rate', value: flaky })
  }
  return out
}

/** The releases as deployed, after a stall or a failure spike is injected. */
function releasesWith(h: History, inj: Injection): { releases: Release[]; failures: Failure[] } {
  let releases = h.releases.map((r) => ({ ...r }))
  let failures = [...h.failures]
  if (inj.stall !== undefined) {
    const from = inj.stall / 1000
    const to = from + 60 * 86_400
    const held = releases.filter((r) => r.at >= from && r.at < to)
    releases = releases.filter((r) => r.at < from || r.at >= to)
    const next = releases.find((r) => r.at >= to)
    if (next) {
      // The held commits ship with the first release after the stall.
      for (const r of held) next.leadTimesSeconds.push(...r.leadTimesSeconds.map((s) => s + (next.at - r.at)))
    }
    failures = failures.filter((f) => !held.some((r) => r.tag === f.release))
  }
  if (inj.spike !== undefined) {
    const i = releases.findIndex((r) => r.at * 1000 >= inj.spike!)
    for (let k = i; k >= 0 && k < i + 3 && k + 1 < releases.length; k++) {
      releases[k].failed = true
      failures.push({ release: releases[k].tag, failedAt: releases[k].at, restoredAt: releases[k + 1].at })
    }
  }
  return { releases, failures }
}

function doraObservations(h: History, inj: Injection): Observation[] {
  const { releases, failures } = releasesWith(h, inj)
  const out: Observation[] = []
  for (const r of releases) {
    const at = r.at * 1000
    out.push({ process: 'dora', indicator: 'deployments', value: 1, at })
    for (const s of r.leadTimesSeconds) out.push({ process: 'dora', indicator: 'lead_time', value: s / 3600, at })
    out.push({ process: 'dora', indicator: 'change_failure_rate', value: r.failed ? 1 : 0, at })
  }
  for (const f of failures) {
    out.push({
      process: 'dora',
      indicator: 'time_to_restore',
      value: (f.restoredAt - f.failedAt) / 3600,
      at: f.restoredAt * 1000,
    })
  }
  return out
}

const processes = [ciProcess(), doraProcess()]
/** Judge defaults from the command line (`--cusum-limit`, `--cusum-slack`), to measure their trade-off. */
const judgeDefaults: JudgeOptions = {}

/** The days judged: end of each UTC day from 31 days after the first record to the last record. */
function judgedDays(h: History): number[] {
  const first = Math.min(h.commits[0].at, h.releases[0].at) * 1000
  const last = Math.max(h.commits[h.commits.length - 1].at, h.releases[h.releases.length - 1].at) * 1000
  const days: number[] = []
  for (let d = Math.floor(first / day) * day + 32 * day - 1; d <= last + day; d += day) days.push(d)
  return days
}

async function replay(h: History, seed: number, inj: Injection, days: readonly number[]): Promise<HealthReport[]> {
  const store = new MemoryStore([...ciRuns(h, seed, inj), ...doraObservations(h, inj)])
  const out: HealthReport[] = []
  for (const now of days) {
    out.push(await checkHealth({ store, processes, judge: judgeDefaults, clock: { now: () => now } }))
  }
  return out
}

function degradedOn(report: HealthReport, process: string, indicator: string): boolean {
  const p = report.processes.find((x) => x.process === process)
  return p?.indicators.find((i) => i.indicator === indicator)?.state === 'degraded'
}

/** Days from `ref` to the first day at or after `from` the indicator is degraded; undefined when not within 60 days. */
async function delay(
  h: History,
  seed: number,
  inj: Injection,
  from: number,
  ref: number,
  process: string,
  indicator: string,
) {
  const days = judgedDays(h).filter((d) => d >= from && d < ref + 60 * day)
  const reports = await replay(h, seed, inj, days)
  const hit = reports.find((r) => degradedOn(r, process, indicator))
  return hit ? Math.max(0, Math.ceil((hit.at - ref) / day)) : undefined
}

/** Days late; undefined when missed; null when the change fell where the project was dormant (nothing to show it). */
type Delay = number | undefined | null

function short(text: string, n = 240): string {
  return text.length > n ? `${text.slice(0, n)}…` : text
}

function loadHistory(name: string): History {
  return JSON.parse(readFileSync(join(dataDir, `${name}.json`), 'utf8')) as History
}

const histories = ['octokit-rest-js', 'typescript-eslint']

/** The unmodified histories under each way of judging weekly rhythm: exit codes, days each rhythmic indicator was degraded. */
async function compareRhythm(seed: number): Promise<void> {
  console.log(
    '| rhythm | history | exit 0 | exit 1 | exit 3 | lead_time degraded | deployments degraded |\n|---|---|---|---|---|---|---|',
  )
  for (const method of ['none', 'week-part', 'business-time'] as WeeklyRhythmMethod[]) {
    const previous = setWeeklyRhythmMethod(method)
    for (const name of histories) {
      const h = loadHistory(name)
      const reports = await replay(h, seed, {}, judgedDays(h))
      const counts = { 0: 0, 1: 0, 3: 0 }
      for (const r of reports) counts[r.exitCode]++
      const lead = reports.filter((r) => degradedOn(r, 'dora', 'lead_time')).length
      const deploys = reports.filter((r) => degradedOn(r, 'dora', 'deployments')).length
      console.log(`| ${method} | ${name} | ${counts[0]} | ${counts[1]} | ${counts[3]} | ${lead} | ${deploys} |`)
    }
    setWeeklyRhythmMethod(previous)
  }
}

async function main() {
  const seed = arg('seed', 1)
  const outlierSeeds = arg('outliers', 200)
  const listDays = process.argv.includes('--days-list')
  if (process.argv.includes('--cusum-limit')) judgeDefaults.cusumLimit = arg('cusum-limit', 8)
  if (process.argv.includes('--cusum-slack')) judgeDefaults.cusumSlack = arg('cusum-slack', 0.5)
  const r = process.argv.indexOf('--rhythm')
  const rhythm = r > 0 ? process.argv[r + 1] : undefined
  if (rhythm === 'all') return compareRhythm(seed)
  if (rhythm) setWeeklyRhythmMethod(rhythm as WeeklyRhythmMethod)
  const rows: string[] = []
  for (const name of histories) {
    const h = loadHistory(name)
    const days = judgedDays(h)
    const reports = await replay(h, seed, {}, days)
    const counts = { 0: 0, 1: 0, 3: 0 }
    for (const r of reports) counts[r.exitCode]++
    const bad = reports.filter((r) => r.exitCode !== 0)
    console.log(
      `\n${name}: ${days.length} days judged; exit 0 on ${counts[0]}, 1 on ${counts[1]}, 3 on ${counts[3]} ` +
        `(${((bad.length / days.length) * 100).toFixed(1)}% not healthy)`,
    )
    const causes = new Map<string, number>()
    for (const r of bad) {
      for (const p of r.processes.filter((x) => x.state !== 'healthy')) {
        const which = p.indicators.filter((i) => i.state === p.state).map((i) => i.indicator)
        const key = `${p.process} ${p.state} on ${which.join('+') || '(none)'}`
        causes.set(key, (causes.get(key) ?? 0) + 1)
        if (listDays)
          console.log(`  ${new Date(r.at).toISOString().slice(0, 10)} ${p.process} ${p.state}: ${short(p.reason)}`)
      }
    }
    for (const [k, v] of [...causes].sort((a, b) => b[1] - a[1])) console.log(`  ${v} days: ${k}`)
    const ttr = reports.map((r) => r.processes.find((p) => p.process === 'dora')?.indicators[3])
    const judged = ttr.filter((i) => i && (i.state === 'healthy' || i.state === 'degraded')).length
    const slow = ttr.filter((i) => i?.state === 'degraded').length
    console.log(
      `  time_to_restore judged on ${judged} days (degraded on ${slow}); ${h.failures.length} incidents in all`,
    )
    // Injected changes at five start days spread over the judged span.
    const span = days[days.length - 1] - days[0]
    const starts = [1, 2, 3, 4, 5].map((k) => Math.floor((days[0] + (span * k) / 6) / day) * day)
    const meanGapDays = (h.releases[h.releases.length - 1].at - h.releases[0].at) / 86_400 / (h.releases.length - 1)
    const spikeAt: string[] = []
    const delays = { ramp: [] as Delay[], spike: [] as Delay[], stall: [] as Delay[] }
    // A change injected where the project was dormant has nothing to show it: n/a, not missed.
    const runsIn = (from: number, to: number) => h.commits.filter((c) => c.at * 1000 >= from && c.at * 1000 < to).length
    for (const d of starts) {
      delays.ramp.push(
        runsIn(d + 7 * day, d + 21 * day) < 3
          ? null
          : await delay(h, seed, { ramp: d }, d, d + 7 * day, 'ci', 'cycle_time'),
      )
      const i = h.releases.findIndex((r) => r.at * 1000 >= d)
      const second = h.releases[i + 1]
      if (i >= 0 && second && (h.releases[i + 2]?.at ?? Infinity) * 1000 > d + 60 * day) {
        delays.spike.push(null)
        spikeAt.push('-')
      } else if (i >= 0 && second) {
        const late = await delay(h, seed, { spike: d }, d, second.at * 1000, 'dora', 'change_failure_rate')
        const at = late === undefined ? undefined : second.at * 1000 + late * day
        const nth = at === undefined ? 0 : h.releases.slice(i, i + 3).filter((r) => r.at * 1000 <= at).length
        delays.spike.push(late)
        spikeAt.push(nth ? `#${nth}` : '-')
      }
      delays.stall.push(await delay(h, seed, { stall: d }, d, d + 3 * meanGapDays * day, 'dora', 'deployments'))
    }
    const fmt = (xs: Delay[]) => xs.map((x) => (x === null ? 'n/a' : x === undefined ? 'missed' : `${x}d`)).join(', ')
    console.log(
      `  injected (days after reaching +15% / the count equivalent), starts ` +
        `${starts.map((s) => new Date(s).toISOString().slice(0, 10)).join(', ')}:`,
    )
    console.log(`    CI ramp +30%/14d: ${fmt(delays.ramp)}`)
    console.log(`    failure spike (3 releases): ${fmt(delays.spike)}; caught at failed release ${spikeAt.join(', ')}`)
    console.log(`    deployment stall (60 d; 3 missing at ${(3 * meanGapDays).toFixed(1)} d): ${fmt(delays.stall)}`)
    rows.push(
      `| ${name} | ${days.length} | ${counts[0]} | ${counts[1]} | ${counts[3]} | ${fmt(delays.ramp)} | ` +
        `${fmt(delays.spike)} | ${fmt(delays.stall)} |`,
    )
  }
  // One hung run at the end of a stable history.
  const ci = ciProcess()
  const cycle = ci.indicators[0]
  const now = Date.parse('2025-03-10T12:00:00Z')
  let withHung = 0
  let without = 0
  for (let s = 1; s <= outlierSeeds; s++) {
    const rand = mulberry32(1000 + s)
    const obs: Observation[] = []
    for (let k = 35 * 12; k >= 1; k--)
      obs.push({
        process: 'ci',
        indicator: 'cycle_time',
        value: 600 * Math.exp(0.15 * normal(rand)),
        at: now - k * (day / 12),
      })
    if (judgeIndicator(ci, cycle, obs, { now }).state === 'degraded') without++
    obs.push({ process: 'ci', indicator: 'cycle_time', value: 3.4 * 600, at: now })
    if (judgeIndicator(ci, cycle, obs, { now }).state === 'degraded') withHung++
  }
  console.log(
    `\none hung run (3.4× the median) at the end of a stable history: degraded in ${withHung} of ${outlierSeeds} ` +
      `seeds (${without} of ${outlierSeeds} without it)`,
  )
  console.log(
    '\n| history | days | exit 0 | exit 1 | exit 3 | CI ramp | failure spike | deployment stall |\n|---|---|---|---|---|---|---|---|',
  )
  for (const r of rows) console.log(r)
}

await main()
