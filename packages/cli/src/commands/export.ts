/**
 * `steady export k6 <profile>` and `steady export k6-operator <profile>`: the
 * same load, for teams that run k6 themselves or need more than one machine.
 * The profile's scenario is traced against `--target` (it must be a plain
 * request sequence). Parsing and wiring only: the work is @steady/load's.
 */
import type { Command } from 'commander'
import { isAbsolute, join, resolve } from 'node:path'
import { ExitCode, Redactor, SteadyError, writeFileAtomic } from '@steady/record'
import { resolveTarget, type ScenarioConfig } from '@steady/scenario'
import { exportK6Script, exportTestRun, pickProfile } from '@steady/load'
import type { CliContext } from '../context.ts'

/** Options of both export subcommands. */
export interface ExportFlags {
  target?: string
  output?: string
  config?: string
  js?: boolean
  seed?: string
  parallelism?: string
  namespace?: string
  name?: string
  prometheusUrl?: string
  image?: string
  separate?: boolean
}

async function setup(ctx: CliContext, profileName: string, flags: ExportFlags) {
  const loaded = await ctx.config(flags.config)
  const config = loaded.config as ScenarioConfig & { load?: unknown }
  if (config.load === undefined) {
    throw new SteadyError('STEADY_LOAD_CONFIG_MISSING', `${loaded.path ?? 'steady.config.ts'} has no load section`, {
      hint: 'add load: { profiles: { ... } } to steady.config.ts',
    })
  }
  const profile = pickProfile(config.load, profileName)
  if (profile.engine === 'k6') {
    throw new SteadyError(
      'STEADY_EXPORT_USAGE',
      `load.profiles.${profile.name} already runs a k6 script (${profile.script})`,
      { hint: 'use that script directly' },
    )
  }
  const target = resolveTarget(config, flags.target)
  const fromConfig = config.scenarios ?? 'scenarios/**/*.scenario.ts'
  const scenarios = (Array.isArray(fromConfig) ? fromConfig : [fromConfig]).map((p) =>
    isAbsolute(p) ? p : join(loaded.dir, p),
  )
  return { profile, target: target.url, scenarios, redactor: new Redactor(config.redaction) }
}

async function emit(ctx: CliContext, text: string, output: string | undefined, what: string): Promise<void> {
  if (!output) {
    ctx.out(text)
    return
  }
  const path = resolve(ctx.cwd, output)
  await writeFileAtomic(path, text)
  ctx.err(`${what}: ${path}\n`)
}

export function registerExport(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  const exp = program
    .command('export')
    .description('write a load profile for k6 or k6-operator (plain request-sequence scenarios)')
  exp
    .command('k6')
    .argument('<profile>', 'a load profile from steady.config.ts')
    .description('write a typed k6 script (TypeScript, @types/k6) running the profile with its scenario')
    .option(
      '--target <url|name>',
      "a running target to trace the scenario against (also the script's default BASE_URL)",
    )
    .option('-o, --output <file>', 'write the script to this file (default: stdout)')
    .option('--js', 'write JavaScript instead of TypeScript')
    .option('--seed <seed>', 'seed of the traced iterations (fixes the test data in the script)')
    .option('--config <file>', 'the config file (default: the nearest steady.config.ts)')
    .addHelpText(
      'after',
      `
Examples:
  steady export k6 peak --target http://localhost:3000 -o load/peak.k6.ts
  k6 run -e BASE_URL=https://staging.example.com load/peak.k6.ts

The scenario runs twice against --target; it must make the same requests each time, none
using an earlier response (a token, an id). Secret headers and bodies become __ENV variables.
`,
    )
    .action(async (name: string, flags: ExportFlags) => {
      const s = await setup(ctx, name, flags)
      const r = await exportK6Script({ ...s, cwd: ctx.cwd, language: flags.js ? 'js' : 'ts', seed: flags.seed })
      await emit(ctx, r.script.text, flags.output, 'k6 script')
      for (const e of r.script.secretEnv) ctx.err(`set ${e.name}: ${e.what}\n`)
      setExit(ExitCode.ok)
    })
  exp
    .command('k6-operator')
    .argument('<profile>', 'a load profile from steady.config.ts')
    .description('write a k6-operator TestRun manifest (k6.io/v1alpha1) with the script in a ConfigMap')
    .requiredOption('--parallelism <n>', 'k6 runners; the profile is split across them (execution segments)')
    .option('--target <url|name>', "a running target to trace the scenario against (also the runners' BASE_URL)")
    .option('-o, --output <file>', 'write the manifest to this file (default: stdout)')
    .option('--name <name>', 'name of the TestRun and ConfigMap (default steady-<profile>)')
    .option('--namespace <ns>', 'namespace of both objects')
    .option('--prometheus-url <url>', 'Prometheus remote-write URL (default http://prometheus:9090/api/v1/write)')
    .option('--image <image>', "k6 runner image (default: the operator's)")
    .option('--no-separate', 'allow several runners on one node')
    .option('--seed <seed>', 'seed of the traced iterations')
    .option('--config <file>', 'the config file (default: the nearest steady.config.ts)')
    .addHelpText(
      'after',
      `
Examples:
  steady export k6-operator peak --parallelism 4 --target http://localhost:3000 -o k8s/peak-testrun.yaml
  kubectl apply -f k8s/peak-testrun.yaml

Each runner judges thresholds on its own share only; judge the whole run from Prometheus (testid tag).
`,
    )
    .action(async (name: string, flags: ExportFlags) => {
      const s = await setup(ctx, name, flags)
      const parallelism = Number(flags.parallelism)
      const m = await exportTestRun({
        ...s,
        cwd: ctx.cwd,
        seed: flags.seed,
        parallelism,
        name: flags.name,
        namespace: flags.namespace,
        prometheusUrl: flags.prometheusUrl,
        image: flags.image,
        separate: flags.separate,
      })
      await emit(ctx, m.yaml, flags.output, 'TestRun manifest')
      setExit(ExitCode.ok)
    })
}
