/**
 * `steady health`: the health of the team's processes (CI, delivery, this
 * gate) against their own history; `steady health record`: one observation,
 * in one line of any CI system's YAML. Process definitions come from the
 * `health` section of steady.config.ts, plus the ready-made `ci`, `dora` and
 * `e2e-gate`. Exit 0 healthy or idle, 1 degraded, 3 unknown, 2 bad input.
 */
import { readFile } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { resolve } from 'node:path'
import { Argument, Option, type Command } from 'commander'
import { ExitCode, Redactor, SteadyError } from '@steady/record'
import {
  HealthMetrics,
  appendRecords,
  importGit,
  importGithubRuns,
  importGitlabPipelines,
  parseBatch,
  type ImportResult,
  type RecordedObservation,
  checkHealth,
  fixedClock,
  openStore,
  pushMetrics,
  pushObservation,
  renderHealth,
  resolveProcesses,
  type Clock,
  type HealthConfig,
  type HealthFormat,
  type Observation,
  type ProcessDefinition,
} from '@steady/process-health'
import {
  boundedLabels,
  createRecord,
  findProcess,
  formatDurationMs,
  implicitProcessNames,
  parseInstant,
  systemClock,
} from '@steady/process-health/internal'
import { escapedOutput, type CliContext } from '../context.ts'

/** Collects a repeatable option (`--label a=1 --label b=2`). */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}

/** Reads `k=v` pairs of a repeatable option into an object. */
function pairs(list: readonly string[], option: string): Record<string, string> {
  // Without a prototype, a label named `constructor` or `__proto__` is kept like any other.
  const out: Record<string, string> = Object.create(null) as Record<string, string>
  for (const item of list) {
    const i = item.indexOf('=')
    if (i <= 0) {
      throw new SteadyError('STEADY_USAGE', `${option} ${JSON.stringify(item)} is not key=value`, {
        hint: `write ${option} branch=main`,
        details: { option, value: item },
      })
    }
    out[item.slice(0, i)] = item.slice(i + 1)
  }
  return out
}

/** The health section, the processes it declares plus the ready-made ones, and the project folder. */
async function project(ctx: CliContext, config: string | undefined) {
  const loaded = await ctx.config(config)
  const health = (loaded.config.health ?? {}) as HealthConfig
  if (typeof health !== 'object' || Array.isArray(health)) {
    throw new SteadyError('STEADY_CONFIG_INVALID', `${loaded.path ?? 'config'}: health must be an object`, {
      hint: "write health: { processes: ['ci'] }",
      details: { file: loaded.path, field: 'health' },
    })
  }
  const processes = resolveProcesses(health)
  return { health, processes, dir: loaded.dir }
}

function describe(process: ProcessDefinition, o: Observation): string {
  const indicator = process.indicators.find((i) => i.name === o.indicator)
  const value =
    indicator?.kind === 'duration'
      ? `${formatDurationMs(o.value * MS_PER_UNIT[indicator.unit])} (${o.value} ${indicator.unit})`
      : indicator?.kind === 'rate'
        ? `${o.value}${o.weight !== undefined ? ` × ${o.weight} trials` : ''}`
        : `${o.value}${indicator?.kind === 'count' ? ` ${indicator.unit}` : ''}`
  const labels = Object.entries(o.labels ?? {}).map(([k, v]) => `${k}=${v}`)
  const labelled = labels.length ? ` {${labels.join(', ')}}` : ''
  return `${o.process}.${o.indicator} = ${value} at ${new Date(o.at).toISOString()}${labelled}`
}

/** Milliseconds in each unit a duration indicator may be declared in. */
const MS_PER_UNIT = { ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 }

/** Registers `steady health` and `steady health record`. */
export function registerHealth(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  // Labels, branch names and process names come from outside: what is printed goes out escaped.
  ctx = escapedOutput(ctx)
  // The options both `health` and `health record` take live on `health`: the program's options are
  // not positional, so `health` would take them even after `record`; `record` reads them with
  // optsWithGlobals().
  const health = program
    .command('health')
    .description("judge the team's processes (CI, delivery, this gate) against their own history")
    .option(
      '--process <name>',
      'the process: for health, only this one (repeatable; default: every declared process, ' +
        'and ready-made ones with history); for record, the one recorded',
      collect,
      [],
    )
    .addOption(
      new Option('--format <format>', 'output format of health').choices(['text', 'json', 'markdown']).default('text'),
    )
    .option('--store <path>', 'the history folder (default: health.store in steady.config.ts, else .steady/health)')
    .option(
      '--at <time>',
      'ISO 8601, epoch seconds ($(date +%s)) or "2h ago": for health, judge as of then (default now); ' +
        'for record, when it happened (default now)',
    )
    .option(
      '--pushgateway <url>',
      'also push to this Prometheus Pushgateway (health: the health gauges; record: the observation)',
    )
    .option('--config <file>', 'the config file (default: the nearest steady.config.ts)')
    .addHelpText(
      'after',
      [
        '',
        'Each indicator is judged against its own baseline (the 28 days before the last 3, by default;',
        'sparse indicators widen both to hold enough events): the recent median against the baseline',
        "median and MAD, an EWMA for sustained shifts, a CUSUM against the baseline's oldest third for",
        'slow drifts, one extreme run named as an outlier (not a shift), rates by a beta-binomial tail,',
        'pauses of counts such as deployments, and objectives or SLO burn rates (with the uncertainty of',
        'their sample) where declared. An indicator with too little history is "not yet judged".',
        '',
        'A process quiet because nothing happened (as quiet before, or every other process quiet too:',
        'no commits, no releases) is IDLE, not unknown.',
        '',
        'Exit codes: 0 healthy or idle, 1 a process is degraded, 3 a process is unknown (no indicator',
        'could be judged), 2 bad input (a time more than 5 minutes in the future, too).',
        '',
        'Examples:',
        '  steady health',
        '  steady health --process ci --format markdown >> "$GITHUB_STEP_SUMMARY"',
        '  steady health --format json --at 2024-05-01T00:00:00Z',
        '',
        'See docs/process-health.md.',
        '',
      ].join('\n'),
    )
    .action(
      async (opts: {
        process: string[]
        format: HealthFormat
        store?: string
        at?: string
        pushgateway?: string
        config?: string
      }) => {
        const { health: section, processes, dir } = await project(ctx, opts.config)
        const store = openStore(section, processes, { store: opts.store, dir })
        const clock: Clock = opts.at ? fixedClock(parseInstant(opts.at, '--at')) : systemClock
        const report = await checkHealth({
          store,
          processes,
          only: opts.process,
          clock,
          judge: section.judge,
          ifRecorded: implicitProcessNames(section),
        })
        if (opts.pushgateway) {
          const metrics = new HealthMetrics({ processes })
          metrics.setHealth(report.processes)
          await pushMetrics(metrics.registry, { url: opts.pushgateway, jobName: 'steady_health', method: 'push' })
        }
        const r = new Redactor()
        ctx.out(r.text(renderHealth(report, opts.format, processes)))
        setExit(report.exitCode)
      },
    )

  registerRecord(health, ctx, setExit)
  registerImport(health, ctx, setExit)
}

/** `steady health record`: one observation, a batch file, or a correction. */
function registerRecord(health: Command, ctx: CliContext, setExit: (code: number) => void): void {
  health
    .command('record')
    .description(
      'record one observation of a process indicator (one line in any CI YAML), a batch file, or a correction',
    )
    .configureHelp({ showGlobalOptions: true })
    .option('--indicator <name>', 'the indicator (cycle_time, success_rate, ...)')
    .option(
      '--value <value>',
      'a number in the unit; durations also 12m30s; rates also pass/fail or hits/total (3/200)',
    )
    .option('--label <key=value>', 'a low-cardinality label (branch, runner); repeatable', collect, [])
    .option(
      '--field <key=value>',
      'an id or detail kept with the observation (commit, run id); repeatable',
      collect,
      [],
    )
    .option('--weight <n>', 'for rates: how many trials the value summarises', (v: string) => Number(v))
    .option('--id <id>', 'the record id (default: a new random id, printed)')
    .option('--supersedes <id>', 'this record corrects the record with that id: reads return this one in its place')
    .option(
      '--from <file>',
      'record a batch: one JSON observation per line (see below); every line is checked before any is written',
    )
    .addHelpText(
      'after',
      [
        '',
        'Needs --process (ci, dora, e2e-gate, or one declared in steady.config.ts); ' +
          'with --from, for lines naming none.',
        'Labels take values from a small set; ids (commit SHAs, run ids, PR numbers) go in --field.',
        '',
        'Each record gets an id, printed. A correction (--supersedes <id>, or "supersedes" in a batch line)',
        'is stored beside the record it corrects; reads return the correction in its place.',
        '',
        'A batch file (--from) has one JSON object per line: process, indicator, value and at required;',
        'weight, labels, fields, id and supersedes optional; blank lines and # comments skipped. A line',
        'without an id gets one from its content, so recording the same file twice adds nothing.',
        '  {"process":"ci","indicator":"cycle_time","value":"9m41s","at":"2025-03-01T10:00:00Z"}',
        '',
        'Examples:',
        '  steady health record --process ci --indicator cycle_time --value 9m41s --label branch=main ' +
          '--field commit=$GITHUB_SHA',
        '  steady health record --process ci --indicator success_rate --value pass --at 2024-05-01T10:00:00Z',
        '  steady health record --process ci --indicator flaky_rate --value 3/200',
        '  steady health record --process dora --indicator deployments --value 1 --label service=checkout',
        '  steady health record --from history.ndjson',
        '  steady health record --process ci --indicator cycle_time --value 9m --supersedes r-1a2b3c4d5e6f',
        '',
      ].join('\n'),
    )
    .action(async (_opts: unknown, command: Command) => {
      setExit(await recordCommand(ctx, command.optsWithGlobals<RecordOptions>()))
    })
}

/** Records one observation, a correction, or a batch file; returns the exit code. */
async function recordCommand(ctx: CliContext, opts: RecordOptions): Promise<number> {
  const { health: section, processes, dir } = await project(ctx, opts.config)
  const store = openStore(section, processes, { store: opts.store, dir })
  const r = new Redactor()
  if (opts.from !== undefined) {
    for (const option of ['indicator', 'value', 'supersedes', 'id', 'weight', 'at'] as const) {
      if (opts[option] !== undefined) {
        throw new SteadyError('STEADY_USAGE', `--from records a batch file; --${option} applies to one observation`, {
          hint: `put "${option}" in the batch lines, or record one observation without --from`,
          details: { option: `--${option}` },
        })
      }
    }
    const file = resolve(opts.from)
    const records = parseBatch(await readText(file, '--from'), opts.from, processes, {
      ...(opts.process.length === 1 ? { process: opts.process[0] } : {}),
      labels: pairs(opts.label, '--label'),
    })
    const result = await appendRecords(store, records)
    if (opts.pushgateway) await pushLatest(records, opts.pushgateway, processes)
    const already = result.duplicates ? ` (${result.duplicates} already there)` : ''
    ctx.out(r.text(`recorded ${result.added} observations from ${opts.from} in ${store.description}${already}\n`))
    return ExitCode.ok
  }
  if (opts.process.length !== 1) {
    throw new SteadyError(
      'STEADY_USAGE',
      opts.process.length
        ? `steady health record takes one --process, got ${opts.process.join(', ')}`
        : 'steady health record needs --process',
      {
        hint: 'name the process the observation belongs to: --process ci',
        details: { option: '--process' },
      },
    )
  }
  for (const option of ['indicator', 'value'] as const) {
    if (opts[option] === undefined) {
      throw new SteadyError('STEADY_USAGE', `steady health record needs --${option} (or --from <file> for a batch)`, {
        hint: 'steady health record --process ci --indicator cycle_time --value 9m41s',
        details: { option: `--${option}` },
      })
    }
  }
  const process = findProcess(processes, opts.process[0])
  const observation = createRecord(
    process,
    {
      process: process.name,
      indicator: opts.indicator!,
      value: opts.value!,
      ...(opts.weight !== undefined ? { weight: opts.weight } : {}),
      ...(opts.at !== undefined ? { at: opts.at } : {}),
      labels: pairs(opts.label, '--label'),
      fields: pairs(opts.field, '--field'),
      ...(opts.id !== undefined ? { id: opts.id } : {}),
      ...(opts.supersedes !== undefined ? { supersedes: opts.supersedes } : {}),
    },
    systemClock,
    () => `r-${randomBytes(6).toString('hex')}`,
  )
  const result = await appendRecords(store, [observation])
  if (opts.pushgateway) await pushObservation(observation, { url: opts.pushgateway, processes })
  const what = result.added ? 'recorded' : 'already recorded'
  const correction = observation.supersedes ? `, superseding ${observation.supersedes}` : ''
  ctx.out(
    r.text(`${what} ${describe(process, observation)} in ${store.description} (id ${observation.id}${correction})\n`),
  )
  return ExitCode.ok
}

/** `steady health import`: history from git tags, GitHub Actions runs or GitLab pipelines. */
function registerImport(health: Command, ctx: CliContext, setExit: (code: number) => void): void {
  health
    .command('import')
    .description(
      'bring in history: releases from git tags, CI runs from GitHub Actions or GitLab API JSON saved to a file',
    )
    .configureHelp({ showGlobalOptions: true })
    .addArgument(new Argument('<source>', 'where the history comes from').choices(['git', 'github-actions', 'gitlab']))
    .argument('[path]', 'git: the repository folder (default .); github-actions, gitlab: the saved JSON file')
    .option('--tag-pattern <regex>', 'git: which tags are releases (default ^v?\\d+\\.\\d+(\\.\\d+)?$)')
    .option(
      '--label <key=value>',
      'a label every imported observation gets (service=checkout); repeatable',
      collect,
      [],
    )
    .option('--dry-run', 'read and check everything, write nothing')
    .addHelpText('after', importHelp)
    .action(async (source: ImportSource, path: string | undefined, _opts: unknown, command: Command) => {
      const opts = command.optsWithGlobals<ImportOptions>()
      if (opts.process.length > 1) {
        throw new SteadyError(
          'STEADY_USAGE',
          `steady health import takes one --process, got ${opts.process.join(', ')}`,
          {
            hint: 'import into one process at a time: --process dora',
            details: { option: '--process' },
          },
        )
      }
      const { health: section, processes, dir } = await project(ctx, opts.config)
      const store = openStore(section, processes, { store: opts.store, dir })
      const result = await runImport(source, path, opts, processes)
      const r = new Redactor()
      const from = source === 'git' ? `git tags in ${path ?? '.'}` : path
      const unit = source === 'git' ? 'releases' : 'runs'
      const summary = `${result.observations.length} observations from ${result.read} ${unit} (${from})`
      if (opts.dryRun) {
        ctx.out(r.text(`would import ${summary}; nothing written (--dry-run)\n${skippedLines(result)}`))
        return setExit(ExitCode.ok)
      }
      const added = await appendRecords(store, result.observations)
      const already = added.duplicates ? `; ${added.duplicates} were already stored` : ''
      ctx.out(
        r.text(`imported ${summary} into ${store.description}: ${added.added} new${already}\n${skippedLines(result)}`),
      )
      setExit(ExitCode.ok)
    })
}

interface RecordOptions {
  process: string[]
  indicator?: string
  value?: string
  at?: string
  label: string[]
  field: string[]
  weight?: number
  id?: string
  supersedes?: string
  from?: string
  store?: string
  pushgateway?: string
  config?: string
}

type ImportSource = 'git' | 'github-actions' | 'gitlab'

interface ImportOptions {
  process: string[]
  tagPattern?: string
  label: string[]
  dryRun?: boolean
  store?: string
  config?: string
}

const importHelp = [
  '',
  'Ids come from the source (tag and commit, run id, pipeline id): importing the same history again adds nothing.',
  '',
  'git (into dora): each version tag is a deployment, at the tag date (tagger date, or the commit date of a',
  'lightweight tag). Lead time: tag date - committer date of each first-parent commit since the previous',
  'version tag (the first tag has none). A release that shipped a commit later reverted by a "Revert \"...\""',
  'commit is a failed change (change_failure_rate 1, others 0), restored by the release that ships the revert:',
  "time_to_restore = its date - the failed release's date. A revert in the same release is no failure.",
  '',
  'github-actions (into ci): the JSON of GET /repos/{owner}/{repo}/actions/runs (gh api ... > runs.json).',
  'Completed runs only; success passes, failure/timed_out/startup_failure fail, other conclusions are left out;',
  'cycle_time = updated_at - created_at, queue_time = run_started_at - created_at (first attempts only).',
  '',
  'gitlab (into ci): the JSON of GET /projects/:id/pipelines (or single pipelines). success passes, failed',
  'fails, other statuses are left out; cycle_time = finished_at (else updated_at) - created_at; queue_time =',
  'queued_duration, else started_at - created_at.',
  '',
  'CI branches are stored as main/master/develop/trunk, release/* or other (the name goes in a field).',
  '',
  'Examples:',
  '  steady health import git . --label service=checkout',
  '  gh api --paginate --slurp repos/OWNER/REPO/actions/runs > runs.json',
  '  steady health import github-actions runs.json',
  '  steady health import gitlab pipelines.json --dry-run',
  '',
].join('\n')

async function readText(file: string, option: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    throw new SteadyError(
      'STEADY_USAGE',
      `${option} ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      {
        hint: 'check the path',
        details: { option, file },
      },
    )
  }
}

async function runImport(
  source: ImportSource,
  path: string | undefined,
  opts: ImportOptions,
  processes: readonly ProcessDefinition[],
): Promise<ImportResult> {
  const labels = pairs(opts.label, '--label')
  const process = opts.process[0]
  if (source === 'git') {
    let tagPattern: RegExp | undefined
    if (opts.tagPattern !== undefined) {
      try {
        tagPattern = new RegExp(opts.tagPattern)
      } catch (error) {
        throw new SteadyError(
          'STEADY_USAGE',
          `--tag-pattern ${JSON.stringify(opts.tagPattern)} is not a regular expression: ${(error as Error).message}`,
          {
            hint: "write a JavaScript regular expression, e.g. --tag-pattern '^release-\\d+$'",
            details: { option: '--tag-pattern' },
          },
        )
      }
    }
    return importGit(processes, {
      repo: resolve(path ?? '.'),
      labels,
      ...(process ? { process } : {}),
      ...(tagPattern ? { tagPattern } : {}),
    })
  }
  if (path === undefined) {
    throw new SteadyError('STEADY_USAGE', `steady health import ${source} needs the JSON file`, {
      hint: `steady health import ${source} ${source === 'gitlab' ? 'pipelines.json' : 'runs.json'}`,
      details: { option: 'path' },
    })
  }
  const text = await readText(resolve(path), source)
  const options = { labels, ...(process ? { process } : {}) }
  return source === 'gitlab'
    ? importGitlabPipelines(text, path, processes, options)
    : importGithubRuns(text, path, processes, options)
}

function skippedLines(result: ImportResult): string {
  return result.skipped.map((s) => `  left out: ${s}\n`).join('')
}

/** Pushes the latest observation of each series in a batch (each push replaces its series' group). */
async function pushLatest(
  records: readonly RecordedObservation[],
  url: string,
  processes: readonly ProcessDefinition[],
): Promise<void> {
  const latest = new Map<string, RecordedObservation>()
  for (const o of [...records].sort((a, b) => a.at - b.at)) {
    latest.set(JSON.stringify([o.process, o.indicator, boundedLabels(o.labels ?? {})]), o)
  }
  for (const o of latest.values()) await pushObservation(o, { url, processes })
}
