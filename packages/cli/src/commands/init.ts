/**
 * `steady init [dir]`: write a starting `steady.config.ts`, an example
 * scenario and a CI workflow into a team's repo, and say what to do next.
 * Wiring only: the work is `initProject()` in ../init/init.ts.
 */
import type { Command } from 'commander'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, isAbsolute, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ExitCode } from '@steady/record'
import type { CliContext } from '../context.ts'
import { initProject, type InitResult } from '../init/init.ts'

/** The options `steady init` takes. */
export interface InitFlags {
  service?: string
  url?: string
  start?: string
  force?: boolean
}

const what: Record<string, string> = {
  'steady.config.ts': 'targets, environments, load profiles, a soak plan and gates',
  'scenarios/example.scenario.ts': 'one flow: seeded data, polling with eventually, an expected 404',
  '.github/workflows/steady.yml': 'scenarios on every pull request, then a short soak and a verdict',
  'baselines/.gitattributes': 'where baselines go; runs added on two branches merge without conflicts',
}

/** The lines `steady init` prints after writing: the files and the next steps. */
export function describeInit(result: InitResult, cwd: string): string {
  const rel = relative(cwd, result.dir)
  const where = rel === '' ? '.' : rel.startsWith('..') ? result.dir : rel
  const width = Math.max(...result.files.map((f) => f.path.length))
  const v = result.values
  const lines = [`steady init: wrote ${result.files.length} files in ${where}`]
  for (const f of result.files)
    lines.push(`  ${f.action.padEnd(11)} ${f.path.padEnd(width)}  ${what[f.path] ?? ''}`.trimEnd())
  const cd = where === '.' ? '' : `cd ${where} && `
  const pkgPath = join(result.dir, 'package.json')
  const hasPackage = existsSync(pkgPath)
  let esm = false
  try {
    esm = hasPackage && (JSON.parse(readFileSync(pkgPath, 'utf8')) as { type?: unknown }).type === 'module'
  } catch {
    // An unreadable package.json gets the step that sets the type.
  }
  // steady loads .ts scenarios as ES modules: the package must say it is one.
  const setup = `${hasPackage ? '' : 'npm init -y && '}${esm ? '' : 'npm pkg set type=module && '}`
  const missing = ['@steady/cli', '@steady/scenario'].filter((name) => !installedFrom(result.dir, name))
  const guides = guidesDir()
  const guide = (file: string) =>
    guides ? shownPath(join(guides, file), cwd) : `docs/${file} in the steady repository`
  const steps: string[][] = []
  if (missing.length) {
    steps.push([
      `${cd}${setup}npm install --save-dev ${missing.join(' ')}`,
      `(steady is not on the public npm registry: ${guide('guide-scenario-authors.md')} says how to install it` +
        ' from a checkout)',
    ])
  } else if (setup) {
    steps.push([`${cd}${setup.replace(/ && $/, '')}`])
  }
  steps.push(
    [
      `point steady.config.ts at ${v.service}: targets.local (now ${v.url}), and the local environment's`,
      `start command (now ${[v.start.command, ...v.start.args].join(' ')}, given PORT)` +
        ' and readiness path (now /health)',
    ],
    ['rewrite scenarios/example.scenario.ts as one real flow of your service'],
    [
      'npx steady run                   does every flow work against targets.local?',
      'npx steady run --env local       the same on a fresh copy, started and stopped by steady',
    ],
    [
      'npx steady soak --env local --duration-scale 0.1',
      '                                 a short soak; its run.json starts a baseline',
    ],
    ['add .steady/ and reports/ to .gitignore; commit the rest'],
  )
  lines.push('', 'Next:')
  steps.forEach(([first, ...rest], i) => lines.push(`  ${i + 1}. ${first}`, ...rest.map((l) => `     ${l}`)))
  lines.push(`Guides: ${guide('guide-scenario-authors.md')} and ${guide('guide-gate-owners.md')}`)
  return lines.join('\n') + '\n'
}

/** Whether `name` resolves from `dir` as Node would find it: a node_modules/<name> in `dir` or a folder above. */
function installedFrom(dir: string, name: string): boolean {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, 'node_modules', name, 'package.json'))) return true
    if (dirname(d) === d) return false
  }
}

/**
 * The folder holding the user guides: `docs/` of the installed @steady/cli
 * (copied in on prepack) or, running from the steady repository, its docs/.
 * Undefined when neither is there, so init never prints a path that does not exist.
 */
function guidesDir(): string | undefined {
  let d = dirname(fileURLToPath(import.meta.url))
  for (let up = 0; up < 5; up++, d = dirname(d)) {
    const docs = join(d, 'docs')
    if (['guide-scenario-authors.md', 'guide-gate-owners.md'].every((g) => existsSync(join(docs, g)))) return docs
  }
  return undefined
}

/** A path as the user can open it from `cwd`: relative below it, absolute elsewhere. */
function shownPath(path: string, cwd: string): string {
  const rel = relative(cwd, path)
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel
}

export function registerInit(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  program
    .command('init')
    .argument('[dir]', 'the project folder (default: the working directory)')
    .description(
      'start using steady in a repo: write steady.config.ts, an example scenario, a CI workflow and baselines/, ' +
        'ready to point at your service',
    )
    .option(
      '--service <name>',
      "the service's name, used for plans, baselines and the workflow " +
        '(default: package.json name, else the folder name)',
    )
    .option('--url <url>', 'where the service answers on your machine (default http://localhost:8080)')
    .option(
      '--start <command>',
      'the command that starts the service with PORT set, for the local environment (default "npm start")',
    )
    .option('--force', 'overwrite files that exist')
    .addHelpText(
      'after',
      `
Writes steady.config.ts, scenarios/example.scenario.ts, .github/workflows/steady.yml
and baselines/.gitattributes.
Files that exist are not touched (nothing is written) unless --force.

Examples:
  steady init
  steady init services/orders --service orders-api --url http://localhost:3000 --start "node dist/server.js"
  steady init --force

Exit codes: 0 written, 2 a file exists (without --force) or bad usage.`,
    )
    .action(async (dir: string | undefined, flags: InitFlags) => {
      const result = await initProject({ dir: resolve(ctx.cwd, dir ?? '.'), ...flags })
      ctx.out(describeInit(result, ctx.cwd))
      setExit(ExitCode.ok)
    })
}
