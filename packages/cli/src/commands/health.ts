/**
 * `steady health`: the health of the team's processes (CI, delivery, this
 * gate) against their own history; `steady health record`: one observation,
 * in one line of any CI system's YAML. Process definitions come from the
 * `health` section of steady.config.ts, plus the ready-made `ci`, `dora` and
 * `e2e-gate`. Exit 0 healthy, 1 degraded, 3 unknown, 2 bad input.
 */
import { Option, type Command } from 'commander'
import { ExitCode, Redactor, SteadyError } from '@steady/record'
import {
  HealthMetrics,
  checkHealth,
  fixedClock,
  formatDurationMs,
  implicitProcessNames,
  openStore,
  parseInstant,
  pushMetrics,
  pushObservation,
  recordObservation,
  renderHealth,
  resolveProcesses,
  systemClock,
  type Clock,
  type HealthConfig,
  type HealthFormat,
  type Observation,
  type ProcessDefinition,
} from '@steady/process-health'
import type { CliContext } from '../context.ts'

/** Collects a repeatable option (`--label a=1 --label b=2`). */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}

/** Reads `k=v` pairs of a repeatable option into an object. */
function pairs(list: readonly string[], option: string): Record<string, string> {
  const out: Record<string, string> = {}
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
      ? `${formatDurationMs(o.value * { ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 }[indicator.unit])} (${o.value} ${indicator.unit})`
      : indicator?.kind === 'rate'
        ? `${o.value}${o.weight !== undefined ? ` × ${o.weight} trials` : ''}`
        : `${o.value}${indicator?.kind === 'count' ? ` ${indicator.unit}` : ''}`
  const labels = Object.entries(o.labels ?? {}).map(([k, v]) => `${k}=${v}`)
  return `${o.process}.${o.indicator} = ${value} at ${new Date(o.at).toISOString()}${labels.length ? ` {${labels.join(', ')}}` : ''}`
}

/** Registers `steady health` and `steady health record`. */
export function registerHealth(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  // The options both `health` and `health record` take live on `health`: the program's options are
  // not positional, so `health` would take them even after `record`; `record` reads them with
  // optsWithGlobals().
  const health = program
    .command('health')
    .description("judge the team's processes (CI, delivery, this gate) against their own history")
    .option('--process <name>', 'the process: for health, only this one (repeatable; default: every declared process, and ready-made ones with history); for record, the one recorded', collect, [])
    .addOption(new Option('--format <format>', 'output format of health').choices(['text', 'json', 'markdown']).default('text'))
    .option('--store <path>', 'the history folder (default: health.store in steady.config.ts, else .steady/health)')
    .option('--at <time>', 'ISO 8601, epoch seconds ($(date +%s)) or "2h ago": for health, judge as of then (default now); for record, when it happened (default now)')
    .option('--pushgateway <url>', 'also push to this Prometheus Pushgateway (health: the health gauges; record: the observation)')
    .option('--config <file>', 'the config file (default: the nearest steady.config.ts)')
    .addHelpText(
      'after',
      [
        '',
        'Each indicator is judged against its own baseline (the 28 days before the last 3, by default):',
        'the recent median against the baseline median and MAD, an EWMA for sustained shifts, rates by',
        'their binomial tail, and objectives or SLO burn rates where declared. Too little data is unknown.',
        '',
        'Exit codes: 0 healthy, 1 a process is degraded, 3 a process is unknown (too little data), 2 bad input.',
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
    .action(async (opts: { process: string[]; format: HealthFormat; store?: string; at?: string; pushgateway?: string; config?: string }) => {
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
    })

  health
    .command('record')
    .description('record one observation of a process indicator (one line in any CI YAML)')
    .configureHelp({ showGlobalOptions: true })
    .requiredOption('--indicator <name>', 'the indicator (cycle_time, success_rate, ...)')
    .requiredOption('--value <value>', 'a number in the unit; durations also 12m30s; rates also pass/fail or hits/total (3/200)')
    .option('--label <key=value>', 'a low-cardinality label (branch, runner); repeatable', collect, [])
    .option('--field <key=value>', 'an id or detail kept with the observation (commit, run id); repeatable', collect, [])
    .option('--weight <n>', 'for rates: how many trials the value summarises', (v: string) => Number(v))
    .addHelpText(
      'after',
      [
        '',
        'Needs --process (ci, dora, e2e-gate, or one declared in steady.config.ts).',
        'Labels take values from a small set; ids (commit SHAs, run ids, PR numbers) go in --field.',
        '',
        'Examples:',
        '  steady health record --process ci --indicator cycle_time --value 9m41s --label branch=main --field commit=$GITHUB_SHA',
        '  steady health record --process ci --indicator success_rate --value pass --at 2024-05-01T10:00:00Z',
        '  steady health record --process ci --indicator flaky_rate --value 3/200',
        '  steady health record --process dora --indicator deployments --value 1 --label service=checkout',
        '',
      ].join('\n'),
    )
    .action(async (_opts: unknown, command: Command) => {
      const opts = command.optsWithGlobals<{
        process: string[]
        indicator: string
        value: string
        at?: string
        label: string[]
        field: string[]
        weight?: number
        store?: string
        pushgateway?: string
        config?: string
      }>()
      if (opts.process.length !== 1) {
        throw new SteadyError('STEADY_USAGE', opts.process.length ? `steady health record takes one --process, got ${opts.process.join(', ')}` : 'steady health record needs --process', {
          hint: 'name the process the observation belongs to: --process ci',
          details: { option: '--process' },
        })
      }
      const { health: section, processes, dir } = await project(ctx, opts.config)
      const store = openStore(section, processes, { store: opts.store, dir })
      const observation = await recordObservation(store, processes, {
        process: opts.process[0],
        indicator: opts.indicator,
        value: opts.value,
        ...(opts.weight !== undefined ? { weight: opts.weight } : {}),
        ...(opts.at !== undefined ? { at: opts.at } : {}),
        labels: pairs(opts.label, '--label'),
        fields: pairs(opts.field, '--field'),
      })
      if (opts.pushgateway) await pushObservation(observation, { url: opts.pushgateway, processes })
      const process = processes.find((p) => p.name === observation.process)!
      ctx.out(new Redactor().text(`recorded ${describe(process, observation)} in ${store.description}\n`))
      setExit(ExitCode.ok)
    })
}
