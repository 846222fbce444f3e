/**
 * `steady baseline add|show|check|exclude|pin|accept|mute`: the life cycle of a
 * baseline file (`baselines/<service>.json`), each change atomic and under a
 * lock. The work is in @steady/baseline (`updateBaseline`, `addRun`, ...).
 */
import type { Command } from 'commander'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ExitCode, readRunRecord, SteadyError, type RunRecord } from '@steady/record'
import { terminalText } from '@steady/record/internal'
import {
  acceptFinding,
  acceptanceExpired,
  DEFAULT_KEEP,
  excludeRun,
  isAAPair,
  muteActive,
  muteSeries,
  pinRun,
  screenRun,
  updateBaseline,
} from '@steady/baseline/internal'
import {
  addRun,
  BASELINE_CHECK_FORMATS,
  checkBaseline,
  comparisonRuns,
  emptyBaseline,
  judge,
  judgePaired,
  readBaseline,
  renderBaselineCheck,
  summariseRun,
  type Acceptance,
  type BaselineCheckFormat,
  type BaselineFile,
  type BaselineRun,
} from '@steady/baseline'
import { readVerdict } from '@steady/report'
import type { CliContext } from '../context.ts'
import type { LoadedConfig } from '../config.ts'
import { version } from '../version.ts'
import { baselinePath, gateFrom, redactorFrom, shown, who } from './verdict.ts'

interface Common {
  baseline?: string
  config?: string
  by?: string
}

function requirePath(ctx: CliContext, loaded: LoadedConfig, flags: Common, service?: string): string {
  const path = baselinePath(ctx, loaded, flags.baseline, service)
  if (!path) {
    throw new SteadyError(
      'STEADY_USAGE',
      'which baseline? no --baseline given and baselines/ does not hold exactly one file',
      {
        hint: 'pass --baseline baselines/<service>.json',
      },
    )
  }
  return path
}

function requireExisting(path: string, ctx: CliContext): void {
  if (!existsSync(path)) {
    throw new SteadyError('STEADY_BASELINE_NOT_FOUND', `baseline ${shown(ctx, path)} does not exist`, {
      hint: 'create it with steady baseline add <run.json> --baseline <file>',
      details: { file: path },
    })
  }
}

function requireReason(reason: string | undefined, what: string): string {
  if (!reason || !reason.trim()) {
    throw new SteadyError('STEADY_USAGE', `${what} needs --reason "<why>"`, {
      hint: 'say why, in a few words: it is recorded in the baseline file for reviewers',
    })
  }
  return reason.trim()
}

/** `2026-12-31` (end of that day, UTC) or a full ISO date-time. */
function parseUntil(text: string): Date {
  const d = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T23:59:59.999Z`) : new Date(text)
  if (Number.isNaN(d.getTime())) {
    throw new SteadyError('STEADY_USAGE', `--until ${text} is not a date`, {
      hint: 'write it as YYYY-MM-DD, e.g. --until 2026-12-31',
    })
  }
  return d
}

function describeBaseline(file: BaselineFile, path: string, now: Date): string {
  const judged = new Set(comparisonRuns(file).map((r) => r.id))
  const runs = Object.entries(file.runs).sort(([, a], [, b]) =>
    (a.summary?.startedAt ?? a.addedAt) < (b.summary?.startedAt ?? b.addedAt) ? -1 : 1,
  )
  const service = file.service ? ` (${file.service})` : ''
  const plural = runs.length === 1 ? '' : 's'
  const lines = [
    `baseline ${path}${service}: ${runs.length} run${plural}, K = ${file.keep}, ${judged.size} used for verdicts`,
  ]
  for (const [id, r] of runs) lines.push(describeRun(id, r, judged.has(id)))
  const accepted = Object.entries(file.accepted)
  if (accepted.length) {
    lines.push('accepted changes:')
    for (const [id, a] of accepted) lines.push(describeAcceptance(file, id, a))
  }
  const mutes = Object.entries(file.mutes)
  if (mutes.length) {
    lines.push('muted series:')
    for (const [series, m] of mutes) {
      const expired = muteActive(m, now) ? '' : ' [expired]'
      lines.push(`  ${series} — until ${m.until.slice(0, 10)}, owner ${m.owner}: ${m.reason}${expired}`)
    }
  }
  return lines.join('\n') + '\n'
}

/** One run of `baseline show`: a bullet when verdicts use it, its start, version and comparability key, its tags. */
function describeRun(id: string, r: BaselineRun, judged: boolean): string {
  const s = r.summary
  const tags = [
    r.pinned ? 'pinned' : '',
    r.excluded ? `excluded: ${r.excluded.reason} (${r.excluded.by})` : '',
    r.forced ? `forced: ${r.forced.reason}` : '',
  ].filter(Boolean)
  let about = ''
  if (s) {
    const c = s.comparability
    const key = `${c.cores} cores, node ${c.node}, plan ${c.planHash ?? '-'}, ${c.engine ?? '-'}`
    const subject = [s.subject.version, s.subject.commit?.slice(0, 8)].filter(Boolean).join(' ') || '-'
    about = `${s.startedAt.slice(0, 16).replace('T', ' ')}  ${subject}  ${key}`
  }
  return `  ${judged ? '•' : ' '} ${id}  ${about}${tags.length ? `  [${tags.join('; ')}]` : ''}`
}

function describeAcceptance(file: BaselineFile, id: string, a: Acceptance): string {
  const upTo = a.upTo !== undefined ? `, up to ${a.upTo}` : ''
  const expired = acceptanceExpired(file, a) ? ' [expired: the baseline has turned over]' : ''
  return `  ${id} — ${a.reason} (${a.by}, ${a.at.slice(0, 10)}${upTo})${expired}`
}

/**
 * Run records whose id is in `ids`, from files and folders (searched four
 * levels deep for run.json). A file named explicitly must read; a folder's
 * unreadable files are skipped, since reports/ holds other things too.
 */
async function recordsOf(roots: string[], ids: Set<string>): Promise<RunRecord[]> {
  const out = new Map<string, RunRecord>()
  const visit = async (p: string, depth: number, explicit: boolean): Promise<void> => {
    if (!existsSync(p)) {
      if (!explicit) return
      const hint = 'pass run.json files or the folders that hold them'
      throw new SteadyError('STEADY_USAGE', `${p} does not exist`, { hint })
      return
    }
    if (statSync(p).isDirectory()) {
      if (depth > 4) return
      for (const e of readdirSync(p, { withFileTypes: true })) {
        if (e.isDirectory()) await visit(join(p, e.name), depth + 1, false)
        else if (e.name === 'run.json') await visit(join(p, e.name), depth, false)
      }
      return
    }
    let record: RunRecord
    try {
      record = await readRunRecord(p)
    } catch (error) {
      if (explicit) throw error
      return
    }
    if (ids.has(record.id)) out.set(record.id, record)
  }
  for (const r of roots) await visit(r, 0, true)
  return [...out.values()]
}

type SetExit = (code: number) => void

type AddFlags = Common & { gate?: string; force?: boolean; reason?: string; keep?: string }

export function registerBaseline(program: Command, ctx: CliContext, setExit: SetExit): void {
  const baseline = program
    .command('baseline')
    .description(
      'manage a baseline (baselines/<service>.json): add runs, show, exclude, pin, ' +
        'accept intended changes, mute noisy series',
    )
    .addHelpText('after', BASELINE_HELP)
  registerBaselineAdd(baseline, ctx, setExit)
  registerBaselineShow(baseline, ctx, setExit)
  registerBaselineCheck(baseline, ctx, setExit)
  registerBaselineExclude(baseline, ctx, setExit)
  registerBaselinePin(baseline, ctx, setExit)
  registerBaselineAccept(baseline, ctx, setExit)
  registerBaselineMute(baseline, ctx, setExit)
}

const BASELINE_HELP =
  `
A baseline keeps, per run, what verdicts need (quantiles, counts, error kinds,
compact distributions) for the last K accepted runs plus pinned ones. Commit it
and review it like code; add \`*.json merge=union\` to baselines/.gitattributes so
branches that add runs merge without conflicts.

Examples:
  steady baseline add reports/ci/run.json --gate staging
  steady baseline show --baseline baselines/demo-store.json
  steady baseline exclude 2026-11-26T06-40-12Z-7f3a --reason "noisy neighbour on the CI host"
  steady baseline pin 2026-11-01T02-00-00Z-aa01 --reason "release 1.0 reference"
` +
  "  steady baseline accept 'level:p95:load/http_req_duration{name=search,scenario=browse}@peak' " +
  '--reason "full-text search, slower on purpose" --verdict reports/ci/verdict.json\n' +
  "  steady baseline mute 'service/nodejs_eventloop_lag_seconds*' --until 2026-12-31 --owner alice " +
  '--reason "known GC noise, until the pool change ships"\n'

function registerBaselineAdd(baseline: Command, ctx: CliContext, setExit: SetExit): void {
  baseline
    .command('add')
    .argument('<run>', 'a run.json, or its folder')
    .description(
      'add a run (refuses incomplete runs, runs already there, and, unless --force --reason, ' +
        'runs judged not working or not stable, with a saturated generator, or far noisier than the baseline)',
    )
    .option('--baseline <file>', 'the baseline (default: baselines/<service>.json; created if missing)')
    .option('--gate <name>', 'the gate the run is judged with before it is added (default: "default")')
    .option(
      '--force',
      'add even though the run was judged not working or not stable, or its generator was saturated, ' +
        'or it is far noisier than the baseline (needs --reason)',
    )
    .option('--reason <text>', 'why a forced run belongs in the baseline')
    .option('--keep <n>', `K: accepted runs a new baseline keeps (default ${DEFAULT_KEEP})`)
    .option('--by <name>', 'who adds it (default: $GIT_AUTHOR_NAME or $USER)')
    .option('--config <file>', 'the steady.config.ts (default: the nearest one)')
    .action(async (run: string, flags: AddFlags) => {
      await addToBaseline(ctx, run, flags)
      setExit(ExitCode.ok)
    })
}

async function addToBaseline(ctx: CliContext, run: string, flags: AddFlags): Promise<void> {
  const loaded = await ctx.config(flags.config)
  if (flags.force) requireReason(flags.reason, '--force')
  const keep = flags.keep === undefined ? DEFAULT_KEEP : Number(flags.keep)
  if (!Number.isInteger(keep) || keep < 1)
    throw new SteadyError('STEADY_USAGE', `--keep ${flags.keep} is not a whole number ≥ 1`, {
      hint: 'e.g. --keep 10',
    })
  const runFile = resolve(ctx.cwd, run)
  const record = await readRunRecord(runFile)
  const path = requirePath(ctx, loaded, flags, record.subject.service)
  const gate = gateFrom(loaded, flags.gate)
  const admission: Admission = { ctx, record, path, gate, flags, by: who(ctx, flags.by), now: new Date() }
  const result = await updateBaseline(path, (file) => admitRun(file, admission), {
    create: () => emptyBaseline(record.subject.service, keep),
  })
  const count = `${result.count} run${result.count === 1 ? '' : 's'}`
  const forced = result.forced ? `, forced: ${result.forced.reason}` : ''
  const { verdict } = result
  ctx.out(
    redactorFrom(loaded).text(
      `added run ${record.id} to ${shown(ctx, path)} (${count}, K = ${result.keep})${forced}\n` +
        `  its verdict (gate ${gate.name}): ${verdict.result} — ` +
        `working ${verdict.working.status}, stable ${verdict.stable.status}\n` +
        (result.dropped.length ? `  dropped (beyond K): ${result.dropped.join(', ')}\n` : '') +
        [...result.screen.problems.map((p) => `forced past: ${p}`), ...result.screen.notes]
          .map((l) => `  ${l}\n`)
          .join(''),
    ),
  )
}

interface Admission {
  ctx: CliContext
  record: RunRecord
  path: string
  gate: ReturnType<typeof gateFrom>
  flags: AddFlags
  by: string
  now: Date
}

/**
 * Inside the baseline's lock: screens the run, judges it against the file and
 * adds it, or refuses it unless forced.
 */
function admitRun(file: BaselineFile, a: Admission) {
  const { ctx, record, path, gate, flags } = a
  const summary = summariseRun(record, { distributions: true })
  // Screened before judging: a saturated or unusually noisy run is refused even when its verdict passes.
  const screen = screenRun(summary, file, gate)
  // A paired run joins as an A/A run: its side difference is then the machine's noise, which calibrates.
  const problems = [...screen.problems, ...(record.paired && !isAAPair(summary) ? [twoVersions(summary)] : [])]
  if (problems.length && !flags.force) {
    const message = `run ${record.id} does not show what normal looks like: ${problems[0]}`
    throw new SteadyError('STEADY_BASELINE_RUN_UNFIT', message, {
      hint:
        'run it again on a quieter machine or with more generator room (--workers); a paired run, with the same ' +
        'version named on both sides (--tag version=<v> --control-version <v>) or the control started from the ' +
        'candidate\'s own environment; or add it anyway with --force --reason "<why>"',
      details: { run: record.id, problems },
    })
  }
  const judged = { record, baseline: file, baselineFile: shown(ctx, path), gate, now: a.now, toolVersion: version }
  // A paired run is judged as steady verdict judges it: its candidate against its control.
  const verdict = record.paired ? judgePaired(judged) : judge(judged)
  const negative = [verdict.working, verdict.stable].filter((q) => q.status === 'fail')
  let forced: { reason: string; verdict: string } | undefined
  if (problems.length) {
    forced = { reason: flags.reason!.trim(), verdict: [verdict.summary, ...problems].join('; ') }
  }
  if (negative.length) {
    if (!flags.force) {
      const judged = verdict.working.status === 'fail' ? 'not working' : 'not stable'
      throw new SteadyError(
        'STEADY_BASELINE_NOT_STABLE',
        `run ${record.id} was judged ${judged} (gate ${gate.name}): ${negative[0].reason}`,
        {
          hint: 'a baseline is what normal looks like: fix the run, or add it anyway with --force --reason "<why>"',
          exitCode: ExitCode.failed,
          details: { run: record.id, verdict: verdict.result },
        },
      )
    }
    forced = { reason: flags.reason!.trim(), verdict: [verdict.summary, ...problems].join('; ') }
  }
  const { dropped } = addRun(file, summary, {
    by: a.by,
    now: a.now,
    path: shown(ctx, path),
    ...(forced ? { forced } : {}),
  })
  return { dropped, verdict, count: Object.keys(file.runs).length, keep: file.keep, forced, screen }
}

function twoVersions(s: ReturnType<typeof summariseRun>): string {
  const side = (v: { version?: string; commit?: string } | undefined) =>
    [v?.version, v?.commit].filter(Boolean).join(' at ') || 'unnamed'
  return `a paired run of two versions (candidate ${side(s.subject)}, control ${side(s.control)}), not an A/A run`
}

function registerBaselineShow(baseline: Command, ctx: CliContext, setExit: SetExit): void {
  baseline
    .command('show')
    .description('list the runs, acceptances and mutes of a baseline')
    .option('--baseline <file>', 'the baseline (default: the only file in baselines/)')
    .option('--format <format>', 'text or json', 'text')
    .option('--config <file>', 'the steady.config.ts (default: the nearest one)')
    .action(async (flags: Common & { format: string }) => {
      if (flags.format !== 'text' && flags.format !== 'json')
        throw new SteadyError('STEADY_USAGE', `--format ${flags.format} is not one of text, json`, {
          hint: 'e.g. --format json',
        })
      const loaded = await ctx.config(flags.config)
      const path = requirePath(ctx, loaded, flags)
      requireExisting(path, ctx)
      const file = await readBaseline(path)
      const redactor = redactorFrom(loaded)
      if (flags.format === 'json') ctx.out(JSON.stringify(redactor.value(file), null, 2) + '\n')
      else ctx.out(terminalText(redactor.text(describeBaseline(file, shown(ctx, path), new Date()))))
      setExit(ExitCode.ok)
    })
}

type CheckFlags = Common & { gate?: string; format: string }

function registerBaselineCheck(baseline: Command, ctx: CliContext, setExit: SetExit): void {
  baseline
    .command('check')
    .argument(
      '[runs...]',
      "run records of the baseline's runs: run.json files or folders searched for them (default: reports/)",
    )
    .description(
      'judge every baseline run against the others (leave-one-out) with a gate: how many would fail, ' +
        'and the smallest change each primary check can see',
    )
    .option('--baseline <file>', 'the baseline (default: the only file in baselines/)')
    .option('--gate <name>', 'the gate to judge with (default: "default")')
    .option('--format <format>', `output: ${BASELINE_CHECK_FORMATS.join(', ')}`, 'text')
    .option('--config <file>', 'the steady.config.ts (default: the nearest one)')
    .addHelpText(
      'after',
      `
Exit 0 when the baseline passes its own runs, 1 when some run would fail
against the others (false positives at this gate), 3 when there are too few
runs to tell. The baseline keeps summaries, not records: the run records are
looked for in the given files and folders (default reports/), by run id.

Examples:
  steady baseline check --gate staging
  steady baseline check reports/nightly --baseline baselines/demo-store.json --format markdown >> "$GITHUB_STEP_SUMMARY"
`,
    )
    .action(async (paths: string[], flags: CheckFlags) => setExit(await checkBaselineRuns(ctx, paths, flags)))
}

/** Judges the baseline's runs leave-one-out, prints the result and returns its exit code. */
async function checkBaselineRuns(ctx: CliContext, paths: string[], flags: CheckFlags): Promise<number> {
  const format = flags.format as BaselineCheckFormat
  if (!BASELINE_CHECK_FORMATS.includes(format)) {
    const known = BASELINE_CHECK_FORMATS.join(', ')
    const hint = 'e.g. --format json'
    throw new SteadyError('STEADY_USAGE', `--format ${flags.format} is not one of ${known}`, { hint })
  }
  const loaded = await ctx.config(flags.config)
  const path = requirePath(ctx, loaded, flags)
  requireExisting(path, ctx)
  const file = await readBaseline(path)
  const gate = gateFrom(loaded, flags.gate)
  const roots = paths.length ? paths.map((p) => resolve(ctx.cwd, p)) : [join(loaded.dir, 'reports')]
  const records = await recordsOf(roots, new Set(Object.keys(file.runs)))
  if (!records.length) {
    const where = roots.map((r) => shown(ctx, r)).join(', ')
    const message = `no run record of a run in ${shown(ctx, path)} found in ${where}`
    throw new SteadyError('STEADY_BASELINE_NO_RECORDS', message, {
      hint: "pass the folders that hold the baseline runs' run.json (steady baseline check reports/nightly)",
      details: { baseline: path },
    })
  }
  const baselineFile = shown(ctx, path)
  const now = new Date()
  const result = checkBaseline({ baseline: file, baselineFile, records, gate, now, toolVersion: version })
  const redactor = redactorFrom(loaded)
  const json = () => JSON.stringify(redactor.value(result), null, 2) + '\n'
  ctx.out(format === 'json' ? json() : redactor.text(renderBaselineCheck(result, format)))
  return result.exitCode
}

function registerBaselineExclude(baseline: Command, ctx: CliContext, setExit: SetExit): void {
  baseline
    .command('exclude')
    .argument('<run-id>', 'the run to leave out (see steady baseline show)')
    .description('leave a run out of verdicts, recording who and why')
    .requiredOption('--reason <text>', 'why the run does not show what normal looks like')
    .option('--baseline <file>', 'the baseline (default: the only file in baselines/)')
    .option('--by <name>', 'who excludes it')
    .option('--config <file>', 'the steady.config.ts')
    .action(async (id: string, flags: Common & { reason: string }) => {
      const loaded = await ctx.config(flags.config)
      const reason = requireReason(flags.reason, 'exclude')
      const path = requirePath(ctx, loaded, flags)
      requireExisting(path, ctx)
      await updateBaseline(path, (file) =>
        excludeRun(file, id, { reason, by: who(ctx, flags.by), now: new Date(), path: shown(ctx, path) }),
      )
      ctx.out(`excluded run ${id} from ${shown(ctx, path)}: ${reason}\n`)
      setExit(ExitCode.ok)
    })
}

function registerBaselinePin(baseline: Command, ctx: CliContext, setExit: SetExit): void {
  baseline
    .command('pin')
    .argument('<run-id>', 'the run to keep as a reference')
    .description('keep a run as a reference regardless of K, to catch slow creep (or --remove the pin)')
    .option('--reason <text>', 'why this run is the reference (e.g. "release 1.0")')
    .option('--remove', 'unpin it')
    .option('--baseline <file>', 'the baseline (default: the only file in baselines/)')
    .option('--by <name>', 'who pins it')
    .option('--config <file>', 'the steady.config.ts')
    .action(async (id: string, flags: Common & { reason?: string; remove?: boolean }) => {
      const loaded = await ctx.config(flags.config)
      const path = requirePath(ctx, loaded, flags)
      requireExisting(path, ctx)
      await updateBaseline(path, (file) =>
        pinRun(file, id, {
          by: who(ctx, flags.by),
          now: new Date(),
          path: shown(ctx, path),
          ...(flags.reason ? { reason: flags.reason } : {}),
          ...(flags.remove ? { remove: true } : {}),
        }),
      )
      ctx.out(`${flags.remove ? 'unpinned' : 'pinned'} run ${id} in ${shown(ctx, path)}\n`)
      setExit(ExitCode.ok)
    })
}

function registerBaselineAccept(baseline: Command, ctx: CliContext, setExit: SetExit): void {
  baseline
    .command('accept')
    .argument('<finding>', 'the finding id, from the verdict (findings[].id)')
    .description(
      'record an intended change (e.g. a feature that is slower on purpose): ' +
        'the finding is reported as accepted, with who and why',
    )
    .requiredOption('--reason <text>', 'why the change is intended')
    .option(
      '--verdict <file>',
      'the verdict JSON the finding is from: its value becomes the accepted level (larger values fail again)',
    )
    .option('--baseline <file>', 'the baseline (default: the only file in baselines/)')
    .option('--by <name>', 'who accepts it')
    .option('--config <file>', 'the steady.config.ts')
    .action(async (finding: string, flags: AcceptFlags) => {
      await acceptChange(ctx, finding, flags)
      setExit(ExitCode.ok)
    })
}

type AcceptFlags = Common & { reason: string; verdict?: string }

async function acceptChange(ctx: CliContext, finding: string, flags: AcceptFlags): Promise<void> {
  const loaded = await ctx.config(flags.config)
  const reason = requireReason(flags.reason, 'accept')
  const path = requirePath(ctx, loaded, flags)
  requireExisting(path, ctx)
  const level = flags.verdict ? await acceptedLevel(ctx, finding, flags.verdict) : undefined
  const upTo = level?.upTo
  await updateBaseline(path, (file) =>
    acceptFinding(file, finding, {
      reason,
      by: who(ctx, flags.by),
      now: new Date(),
      ...(upTo !== undefined ? { upTo } : {}),
      ...(level?.run ? { run: level.run } : {}),
    }),
  )
  const size = upTo !== undefined ? ` (up to ${upTo})` : ' (any size: pass --verdict to accept only this level)'
  ctx.out(
    `accepted ${finding} in ${shown(ctx, path)}: ${reason}${size}\n` +
      `  it expires once the baseline has turned over (K runs added after it)\n`,
  )
}

/** The finding's current value in a verdict file, the level an acceptance allows, and the run it came from. */
async function acceptedLevel(ctx: CliContext, finding: string, verdictFile: string) {
  const vfile = resolve(ctx.cwd, verdictFile)
  // Read as any verdict is: a regular file only, and no byte of it quoted in an error.
  const verdict = await readVerdict(vfile)
  const f = verdict.findings.find((x) => x.id === finding)
  if (!f) {
    throw new SteadyError('STEADY_BASELINE_BAD_FINDING', `finding ${finding} is not in ${shown(ctx, vfile)}`, {
      hint: `failing findings there: ${
        verdict.findings
          .filter((x) => x.status === 'fail')
          .map((x) => x.id)
          .slice(0, 5)
          .join(', ') || 'none'
      }`,
    })
  }
  return { upTo: f.current, run: verdict.run.id }
}

function registerBaselineMute(baseline: Command, ctx: CliContext, setExit: SetExit): void {
  baseline
    .command('mute')
    .argument('<series>', 'a series key, or a pattern with * (e.g. service/nodejs_eventloop_lag_seconds*)')
    .description('mute a known noisy series until a date: its findings do not fail gates; the mute expires by itself')
    .requiredOption('--until <date>', 'the last day of the mute (YYYY-MM-DD)')
    .requiredOption('--owner <name>', 'who is responsible for fixing the noise')
    .requiredOption('--reason <text>', 'why the series is noisy')
    .option('--baseline <file>', 'the baseline (default: the only file in baselines/)')
    .option('--by <name>', 'who mutes it')
    .option('--config <file>', 'the steady.config.ts')
    .action(async (series: string, flags: Common & { until: string; owner: string; reason: string }) => {
      const loaded = await ctx.config(flags.config)
      const reason = requireReason(flags.reason, 'mute')
      const until = parseUntil(flags.until)
      const path = requirePath(ctx, loaded, flags)
      requireExisting(path, ctx)
      await updateBaseline(path, (file) =>
        muteSeries(file, series, { until, owner: flags.owner, reason, by: who(ctx, flags.by), now: new Date() }),
      )
      ctx.out(
        `muted ${series} in ${shown(ctx, path)} until ${until.toISOString().slice(0, 10)} (owner ${flags.owner})\n`,
      )
      setExit(ExitCode.ok)
    })
}
