/**
 * `steady load <profile>`: run one load profile from steady.config.ts against
 * a target on its engine (embedded by default, k6 with `engine: 'k6'`), print
 * a k6-like end-of-test summary, and with `--out` write the run record
 * (`kind: load`). Parsing and wiring only: the work is @steady/load's `runLoad`.
 */
import type { Command } from 'commander'
import { isAbsolute, join, resolve } from 'node:path'
import { ExitCode, Redactor, SteadyError } from '@steady/record'
import { RECORD_FILE, writeRunRecordSync } from '@steady/record/internal'
import { resolveTarget, type ScenarioConfig } from '@steady/scenario'
import { formatHeader, formatK6Time, formatSummary, toRunRecord, type WindowSnapshot } from '@steady/load/internal'
import { pickProfile, runLoad } from '@steady/load'
import { escapedOutput, type CliContext } from '../context.ts'

/** The options `steady load` takes. */
export interface LoadFlags {
  target?: string
  workers?: string
  out?: string
  seed?: string
  timeout?: string
  config?: string
  quiet?: boolean
}

function progressLine(w: WindowSnapshot): string {
  let reqs = 0
  let iterations = 0
  let dropped = 0
  for (const c of Object.values(w.counters)) {
    if (c.metric === 'http_reqs') reqs += c.value
    else if (c.metric === 'iterations') iterations += c.value
    else if (c.metric === 'dropped_iterations') dropped += c.value
  }
  const secs = Math.max(0.001, (w.endMs - w.startMs) / 1000)
  const vus = w.gauges['vus']?.last
  const g = w.generator
  const late = g.scheduledStarts ? ` late p99 ${formatK6Time(g.startLatenessP99Ms)}` : ''
  const rates = `${(iterations / secs).toFixed(1)} it/s ${(reqs / secs).toFixed(1)} req/s`
  const extra = `${dropped ? ` dropped ${dropped}` : ''}${vus !== undefined ? ` vus ${vus}` : ''}`
  const generator = `elu ${g.eventLoopUtilization.toFixed(2)}${late}${g.saturated ? ' SATURATED' : ''}`
  return `[${formatK6Time(w.endMs)}] ${rates}${extra} ${generator}`
}

/** Runs `steady load` with parsed flags; resolves to the exit code. */
export async function loadCommand(ctx: CliContext, name: string, flags: LoadFlags): Promise<number> {
  const loaded = await ctx.config(flags.config)
  const config = loaded.config as ScenarioConfig & { load?: unknown }
  if (config.load === undefined) {
    throw new SteadyError('STEADY_LOAD_CONFIG_MISSING', `${loaded.path ?? 'steady.config.ts'} has no load section`, {
      hint:
        "add load: { profiles: { peak: { executor: 'constant-arrival-rate', rate: 50, duration: '1m', " +
        "preAllocatedVUs: 20, exec: '<scenario name>' } } }",
    })
  }
  const profile = pickProfile(config.load, name)
  let workers = (config.load as { workers?: number }).workers ?? 1
  if (flags.workers !== undefined) {
    workers = Number(flags.workers)
    if (!Number.isInteger(workers) || workers < 1) {
      throw new SteadyError('STEADY_LOAD_USAGE', `--workers ${flags.workers}: expected a whole number of at least 1`, {
        hint: 'e.g. --workers 2',
      })
    }
  }
  const target = resolveTarget(config, flags.target)
  const fromConfig = config.scenarios ?? 'scenarios/**/*.scenario.ts'
  const patterns = (Array.isArray(fromConfig) ? fromConfig : [fromConfig]).map((p) =>
    isAbsolute(p) ? p : join(loaded.dir, p),
  )
  const redactor = new Redactor(config.redaction)
  ctx.out(formatHeader(profile, profile.engine, redactor.text(target.url), workers) + '\n')
  const result = await runLoad({
    profile,
    target: target.url,
    scenarios: patterns,
    cwd: ctx.cwd,
    configDir: loaded.dir,
    workers,
    seed: flags.seed,
    signal: ctx.signal,
    redactor,
    timeout: flags.timeout,
    env: ctx.env,
    onWindow: flags.quiet ? undefined : (w) => ctx.err(progressLine(w) + '\n'),
    onLog: (line) => ctx.err(redactor.text(line) + '\n'),
  })
  // The run's last window is often a few ms long: its event-loop figures are noise.
  const judged = result.windows.filter((w) => w.endMs - w.startMs >= 1000)
  const generator =
    result.engine === 'embedded'
      ? {
          saturatedWindows: result.windows.filter((w) => w.generator.saturated).length,
          windows: result.windows.length,
          startLatenessP99Ms: Math.max(0, ...result.windows.map((w) => w.generator.startLatenessP99Ms)),
          maxEventLoopUtilization: Math.max(0, ...judged.map((w) => w.generator.eventLoopUtilization)),
          maxEventLoopLagMs: Math.max(0, ...judged.map((w) => w.generator.eventLoopLagMaxMs)),
          reasons: result.saturationReasons,
        }
      : undefined
  ctx.out(
    formatSummary({
      profile,
      totals: result.totals,
      thresholds: result.thresholds,
      completed: result.counts.completed,
      interrupted: result.counts.interrupted,
      durationMs: result.durationMs,
      stopReason: result.stopReason,
      generator,
    }),
  )
  if (result.saturated)
    ctx.err(
      `inconclusive: the load generator was saturated (${result.saturationReasons.join('; ')}); ` +
        'lower the rate or add --workers\n',
    )
  if (flags.out) {
    const dir = resolve(ctx.cwd, flags.out)
    const record = redactor.value(toRunRecord(result, { configHash: loaded.hash, subject: { target: target.url } }))
    writeRunRecordSync(join(dir, RECORD_FILE), record)
    ctx.err(`run record: ${join(dir, RECORD_FILE)}\n`)
  }
  return result.exitCode === 130 || result.exitCode === 143
    ? result.exitCode
    : result.exitCode === 3
      ? ExitCode.inconclusive
      : result.exitCode
}

export function registerLoad(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  // Scenario, step and check names come from the team's files: what is printed goes out escaped.
  ctx = escapedOutput(ctx)
  program
    .command('load')
    .argument('<profile>', 'a load profile from the load section of steady.config.ts (quiet, nominal, peak, ...)')
    .description('apply one load profile to a target (k6 executors; embedded engine or k6) and print a k6-like summary')
    .option('--target <url|name>', 'base URL, or a target name from steady.config.ts')
    .option('--workers <n>', 'worker threads for the embedded engine, split like k6 execution segments (default 1)')
    .option('--out <dir>', 'write the run record (run.json, kind load) into this folder')
    .option('--seed <seed>', 'run seed for seeded test data (default: random)')
    .option('--timeout <duration>', 'iteration timeout for steady scenarios, k6 notation (default 60s)')
    .option('--config <file>', 'the config file (default: the nearest steady.config.ts)')
    .option('--quiet', 'no progress line per window')
    .addHelpText(
      'after',
      `
Examples:
  steady load nominal --target http://localhost:3000
  steady load peak --target staging --workers 2 --out reports/peak
  K6_BIN=/usr/local/bin/k6 steady load peak-k6 --target http://localhost:3000   (a profile with engine: 'k6')

Exit codes: 0 thresholds passed, 1 a threshold failed (k6 99/110), 2 could not run (config, k6 104/107/...),
3 inconclusive (the load generator was saturated), 130/143 interrupted (k6 105).
`,
    )
    .action(async (name: string, flags: LoadFlags) => {
      setExit(await loadCommand(ctx, name, flags))
    })
}
