/**
 * `steady verdict <run.json> --baseline <file> --gate <name>`: is the run
 * working and stable, against the service's baseline, under a gate? Prints
 * the findings with their numbers and exits 0 (pass), 1 (fail), 2 (bad
 * input) or 3 (inconclusive; the gate may turn it into 1, never into 0).
 * The work is `judge()` in @steady/baseline.
 */
import type { Command } from 'commander'
import { existsSync, readdirSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import {
  ExitCode,
  readRunRecord,
  Redactor,
  SteadyError,
  writeFileAtomic,
  type RedactionOptions,
  type RunRecord,
  type Verdict,
} from '@steady/record'
import { terminalSafe } from '@steady/record/internal'
import { isPairedRecord } from '@steady/baseline/internal'
import {
  judge,
  judgePaired,
  readBaseline,
  renderVerdict,
  selectGate,
  VERDICT_FORMATS,
  type BaselineFile,
  type GateConfig,
  type ResolvedGate,
  type VerdictFormat,
} from '@steady/baseline'
import type { CliContext } from '../context.ts'
import type { LoadedConfig } from '../config.ts'
import { version } from '../version.ts'
import { afterVerdict, type VerdictOutputFlags } from '../verdict-outputs.ts'

interface VerdictFlags extends VerdictOutputFlags {
  baseline?: string
  gate?: string
  format: string
  output?: string
  config?: string
  all?: boolean
}

/** Checks `--format`. */
export function verdictFormat(value: string): VerdictFormat {
  if (!(VERDICT_FORMATS as string[]).includes(value)) {
    throw new SteadyError('STEADY_USAGE', `--format ${value} is not one of ${VERDICT_FORMATS.join(', ')}`, {
      hint: 'e.g. --format json',
    })
  }
  return value as VerdictFormat
}

/** The gate named on the command line, from the config's `gates` section (exit 2 when unknown or invalid). */
export function gateFrom(loaded: LoadedConfig, name: string | undefined): ResolvedGate {
  return selectGate(loaded.config.gates as Record<string, GateConfig> | undefined, name)
}

/** The redactor with the config's rules. */
export function redactorFrom(loaded: LoadedConfig): Redactor {
  return new Redactor((loaded.config.redaction as RedactionOptions | undefined) ?? {})
}

/**
 * The baseline file: `--baseline`, else `baselines/<service>.json` beside the
 * config, else the only file in `baselines/`. Undefined when none can be named.
 */
export function baselinePath(
  ctx: CliContext,
  loaded: LoadedConfig,
  explicit: string | undefined,
  service: string | undefined,
): string | undefined {
  if (explicit) return resolve(ctx.cwd, explicit)
  const dir = join(loaded.dir, 'baselines')
  if (service) return join(dir, `${service.replace(/[^A-Za-z0-9_.-]/g, '-')}.json`)
  if (!existsSync(dir)) return undefined
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'))
  return files.length === 1 ? join(dir, files[0]) : undefined
}

/** Who a baseline change is recorded as: `--by`, else the git author, else the user. */
export function who(ctx: CliContext, explicit: string | undefined): string {
  return explicit ?? ctx.env.STEADY_USER ?? ctx.env.GIT_AUTHOR_NAME ?? ctx.env.USER ?? ctx.env.USERNAME ?? 'unknown'
}

/** A path as people read it: relative to the working directory when inside it. */
export function shown(ctx: CliContext, path: string): string {
  const r = relative(ctx.cwd, path)
  return r && !r.startsWith('..') ? r : path
}

/**
 * Reads the baseline for a verdict. Verdicts fail closed: a missing or
 * unreadable baseline is not an error but a reason (the verdict is then
 * inconclusive), never a pass.
 */
export async function baselineForVerdict(
  path: string | undefined,
): Promise<{ baseline: BaselineFile | null; problem?: string }> {
  if (!path) return { baseline: null, problem: 'no --baseline given and no baselines/<service>.json to use' }
  if (!existsSync(path)) return { baseline: null, problem: 'the file does not exist' }
  try {
    return { baseline: await readBaseline(path) }
  } catch (error) {
    return { baseline: null, problem: error instanceof SteadyError ? error.message : String(error) }
  }
}

/** Writes the rendered verdict to `-o` or stdout. */
export async function emitVerdict(
  ctx: CliContext,
  verdict: Verdict,
  format: VerdictFormat,
  output: string | undefined,
  redactor: Redactor,
  all: boolean,
): Promise<void> {
  // The text form is for a terminal or a CI log: names and messages from the run cannot drive either.
  const text = renderVerdict(format === 'text' ? terminalSafe(verdict) : verdict, format, {
    color: ctx.color && !output && format === 'text',
    all,
    redactor,
  })
  if (output) {
    const path = resolve(ctx.cwd, output)
    await writeFileAtomic(path, text)
    ctx.err(`${verdict.summary.split('\n')[0]}\nwrote ${shown(ctx, path)}\n`)
  } else ctx.out(text)
}

/** The baseline file a verdict of this run reads: for a paired run only one named, else the service's. */
function baselineFileOf(
  ctx: CliContext,
  loaded: LoadedConfig,
  record: RunRecord,
  flags: { baseline?: string },
): string | undefined {
  if (isPairedRecord(record)) return flags.baseline ? resolve(ctx.cwd, flags.baseline) : undefined
  return baselinePath(ctx, loaded, flags.baseline, record.subject.service)
}

/** Judges a run record (already read) the way `steady verdict` does. */
export async function verdictOf(
  ctx: CliContext,
  loaded: LoadedConfig,
  record: RunRecord,
  runFile: string,
  flags: { baseline?: string; gate?: string },
): Promise<Verdict> {
  const gate = gateFrom(loaded, flags.gate)
  if (isPairedRecord(record)) {
    // A paired run carries its own reference (the control side): a baseline is read only when named, for its
    // acceptances and mutes.
    const named = baselineFileOf(ctx, loaded, record, flags)
    const paired = named ? await baselineForVerdict(named) : { baseline: null }
    if (named && !paired.baseline) {
      throw new SteadyError('STEADY_VERDICT_BASELINE', `--baseline ${flags.baseline}: ${paired.problem}`, {
        hint: 'a paired run needs no baseline; leave --baseline out, or name a readable baseline file',
      })
    }
    const baselineFile = named ? { baselineFile: shown(ctx, named) } : {}
    return judgePaired({
      record,
      runFile: shown(ctx, runFile),
      baseline: paired.baseline,
      ...baselineFile,
      gate,
      toolVersion: version,
    })
  }
  const path = baselineFileOf(ctx, loaded, record, flags)
  const { baseline, problem } = await baselineForVerdict(path)
  return judge({
    record,
    runFile: shown(ctx, runFile),
    baseline,
    ...(path ? { baselineFile: shown(ctx, path) } : {}),
    ...(problem ? { baselineProblem: problem } : {}),
    gate,
    toolVersion: version,
  })
}

export function registerVerdict(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  program
    .command('verdict')
    .argument('<run>', 'a run.json, or the run folder holding one')
    .description(
      "judge a run against the service's baseline under a gate: working? stable? with the findings and their " +
        'numbers (a paired run: its candidate against its control, no baseline needed)',
    )
    .option(
      '--baseline <file>',
      'the baseline (default: baselines/<service>.json beside the config; for a paired run, none unless named: ' +
        'its A/A runs calibrate, its acceptances and mutes apply)',
    )
    .option(
      '--gate <name>',
      'the gate from steady.config.ts `gates` (default: the gate named "default", else built-in defaults)',
    )
    .option('--format <format>', `output: ${VERDICT_FORMATS.join(', ')}`, 'text')
    .option('-o, --output <file>', 'write the verdict to a file instead of stdout')
    .option('--all', 'list every check with its sentence (passed and not judged too), not only the reasons and counts')
    .option('--config <file>', 'the steady.config.ts to read gates from (default: the nearest one)')
    .option('--report [file]', 'also write the HTML report with this verdict (default: report.html beside run.json)')
    .option('--no-record-health', "do not record this gate decision into steady health's e2e-gate process")
    .addHelpText(
      'after',
      `
Exit codes: 0 pass, 1 fail, 2 bad input, 3 inconclusive (no or too little
baseline, incomparable runs, too little data). No setting turns an
inconclusive verdict into 0; a gate may turn it into 1 (onInconclusive: 'fail').

Examples:
  steady verdict reports/ci/run.json --baseline baselines/demo-store.json --gate staging
  steady verdict reports/ci --gate production --format json -o reports/ci/verdict.json
  steady verdict reports/ci --gate staging --format markdown >> "$GITHUB_STEP_SUMMARY"
  steady verdict reports/ci --gate staging --format junit -o reports/ci/verdict.xml
  steady verdict reports/paired --gate staging          a paired run (steady soak --paired): no baseline
`,
    )
    .action(async (run: string, flags: VerdictFlags) => {
      const format = verdictFormat(flags.format)
      const loaded = await ctx.config(flags.config)
      const runFile = resolve(ctx.cwd, run)
      const record = await readRunRecord(runFile)
      const verdict = await verdictOf(ctx, loaded, record, runFile, flags)
      await emitVerdict(ctx, verdict, format, flags.output, redactorFrom(loaded), Boolean(flags.all))
      // The report shows the baseline the verdict used.
      const usedBaseline = baselineFileOf(ctx, loaded, record, flags)
      await afterVerdict(ctx, loaded, {
        record,
        verdict,
        runFile,
        flags,
        ...(usedBaseline ? { baselinePath: usedBaseline } : {}),
      })
      setExit(verdict.exitCode === 0 ? ExitCode.ok : verdict.exitCode === 1 ? ExitCode.failed : ExitCode.inconclusive)
    })
}
