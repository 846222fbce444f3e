/**
 * `steady run`: run scenarios against a target and say whether every flow
 * works (exit 0), some failed (exit 1), or it could not run (exit 2). The
 * command body (run/command.ts) is imported when the command runs.
 */
import type { Command } from 'commander'
import type { CliContext } from '../context.ts'
import type { RunFlags } from '../run/command.ts'

export function registerRun(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  program
    .command('run')
    .argument('[paths...]', 'scenario files, folders or globs (default: `scenarios` in steady.config.ts)')
    .description('run scenarios against a target: does every user flow work?')
    .option('--target <url|name>', 'base URL, or a target name from steady.config.ts')
    .option(
      '--grep <pattern>',
      'only scenarios whose "name @tag…" matches (RegExp, case-insensitive); @smoke selects a tag',
    )
    .option('--iterations <n>', 'iterations per scenario (default 1)')
    .option('--concurrency <n>', 'iterations running at once (default 1)')
    .option('--seed <seed>', 'run seed for seeded test data (default: random, printed)')
    .option('--timeout <duration>', 'iteration timeout, k6 notation (default 60s)')
    .option('--bail [n]', 'stop starting iterations after the first (or n-th) failure')
    .option(
      '--reporter <list>',
      'comma-separated: pretty, json, junit, github (default pretty,json; +github on GitHub Actions)',
    )
    .option('--out <dir>', 'run folder for run.json and junit.xml (default reports/<run-id>)')
    .option(
      '--replay <run>',
      're-run one recorded iteration (a run.json, run folder or run id) with every request and response printed',
    )
    .option('--scenario <name>', "with --replay: the scenario (default: the run's first failure)")
    .option('--iteration <n>', 'with --replay: the iteration, from 0 (default: the first failed one)')
    .option('--config <file>', 'the config file (default: the nearest steady.config.ts)')
    .option('--env <name>', 'bring environment <name> from steady.config.ts up, run against it, tear it down')
    .option('--keep', 'with --env: leave the environment running (steady env down <id> removes it)')
    .option('--id <id>', 'with --env: the environment id (default: branch slug + random suffix)')
    .option('--branch <branch>', 'with --env: the branch (STEADY_BRANCH; default: the current git branch)')
    .option(
      '--tag <key=value>',
      'with --env: an environment tag, carried into the run record; repeatable',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .addHelpText(
      'after',
      `
Examples:
  steady run --target http://localhost:3000
  steady run --env local scenarios/store --tag team=checkout
  steady run scenarios/store --target staging --grep @smoke
  steady run --target http://localhost:3000 --iterations 20 --concurrency 4 --seed 42
  steady run --reporter pretty,json,junit --out reports/ci
  steady run --replay reports/<run-id>/run.json --scenario "checkout ships the order" --iteration 3

` +
        'Exit codes: 0 every scenario passed, 1 a scenario failed, ' +
        '2 could not run (usage, config, scenario load error), 130/143 interrupted.\n',
    )
    .action(async (paths: string[], flags: RunFlags) => {
      const { runCommand } = await import('../run/command.ts')
      setExit(await runCommand(ctx, paths, flags))
    })
}
