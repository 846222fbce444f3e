/**
 * `steady env`: ephemeral environments by hand — bring one up and leave it
 * running (`up`), see what is up (`ls`), tear one down (`down`). State lives in
 * `.steady/envs/` at the project root (the config's folder).
 */
import { Option, type Command } from 'commander'
import { relative } from 'node:path'
import { ExitCode, Redactor, SteadyError } from '@steady/record'
import { formatDuration, shellCommand, terminalLine, terminalText } from '@steady/record/internal'
import { expandPairedId, parseTags } from '@steady/env/internal'
import {
  listEnvironments,
  startEnvironment,
  stopEnvironment,
  type ListedEnvironment,
  type RunningEnvironment,
} from '@steady/env'
import type { CliContext } from '../context.ts'

/** Collects a repeatable option (`--tag a=1 --tag b=2`). */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}

const formatOption = () => new Option('--format <format>', 'output format').choices(['text', 'json']).default('text')

/** The environments section and the project root (the config's folder, else the working directory). */
async function project(ctx: CliContext, config: string | undefined) {
  const loaded = await ctx.config(config)
  return { environments: loaded.config.environments, dir: loaded.dir }
}

function show(path: string, from: string): string {
  const rel = relative(from, path)
  return rel && !rel.startsWith('..') ? rel : path
}

function describeUp(env: RunningEnvironment, projectDir: string): string {
  const rows: [string, string][] = [['url', env.url]]
  for (const s of env.services) rows.push([s.name, `${s.url ?? '(no port)'}  pid ${s.pid}`])
  if (env.services.length === 0) for (const [k, v] of Object.entries(env.urls)) rows.push([k, v])
  if (Object.keys(env.tags).length)
    rows.push([
      'tags',
      Object.entries(env.tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
    ])
  rows.push(['logs', show(env.logDir, projectDir)])
  const width = Math.max(...rows.map(([k]) => k.length))
  const down = `tear it down with: ${shellCommand(['steady', 'env', 'down', env.id])}`
  const lines = rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)
  return [`environment ${env.name} is up: ${env.id}`, ...lines, down].join('\n') + '\n'
}

function age(since: string): string {
  const ms = Date.now() - Date.parse(since)
  return Number.isFinite(ms) ? formatDuration(Math.max(0, Math.round(ms / 1000) * 1000)) : '?'
}

function table(envs: ListedEnvironment[]): string {
  // A SIDE column only when a paired soak's environments are up.
  const sided = envs.some((e) => e.tags.side)
  const rows = [['ID', 'NAME', ...(sided ? ['SIDE'] : []), 'PROVIDER', 'STATUS', 'AGE', 'URL']]
  for (const e of envs) {
    const status = e.heldBy ? `${e.status} (held by pid ${e.heldBy})` : e.status
    const side = sided ? [e.tags.side ?? '-'] : []
    rows.push([e.id, e.name, ...side, e.provider, status, age(e.startedAt), e.url || '-'])
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)))
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n') + '\n'
}

type SetExit = (code: number) => void

export function registerEnv(program: Command, ctx: CliContext, setExit: SetExit): void {
  const env = program
    .command('env')
    .description('ephemeral environments: bring one up, list them, tear one down')
    .addHelpText(
      'after',
      '\nEnvironments are defined under `environments:` in steady.config.ts (see docs/environments.md).\n' +
        'State is kept in .steady/envs/ at the project root.\n',
    )
  registerEnvUp(env, ctx, setExit)
  registerEnvLs(env, ctx, setExit)
  registerEnvDown(env, ctx, setExit)
}

type UpFlags = { id?: string; branch?: string; tag: string[]; out?: string; config?: string; format: string }

function registerEnvUp(env: Command, ctx: CliContext, setExit: SetExit): void {
  env
    .command('up')
    .argument('<name>', 'the environment in steady.config.ts (environments.<name>)')
    .description('bring an environment up and leave it running; prints its id and URLs')
    .option(
      '--id <id>',
      'the id to use (lower-case letters, digits and -, at most 53 chars); ' +
        'default: the branch slug plus a random suffix',
    )
    .option('--branch <branch>', 'the branch the environment is for (STEADY_BRANCH); default: the current git branch')
    .option('--tag <key=value>', 'a tag (STEADY_TAG_<KEY>), carried into run records; repeatable', collect, [])
    .option('--out <dir>', 'folder for the service logs (default: .steady/envs/<id>/, removed by env down)')
    .option('--config <file>', 'the config file (default: the nearest steady.config.ts)')
    .addOption(formatOption())
    .addHelpText(
      'after',
      '\nExamples:\n  steady env up local\n' +
        '  steady env up local --branch feature/login --tag team=checkout --format json\n' +
        '  steady env up preview --id pr-42\n',
    )
    .action(async (name: string, opts: UpFlags) => {
      await bringUp(ctx, name, opts)
      setExit(ExitCode.ok)
    })
}

/** `steady env up`: starts the environment, leaves it running and prints what it is. */
async function bringUp(ctx: CliContext, name: string, opts: UpFlags): Promise<void> {
  const { environments, dir } = await project(ctx, opts.config)
  const handle = await startEnvironment({
    config: environments,
    name,
    projectDir: dir,
    outDir: opts.out,
    id: opts.id,
    branch: opts.branch,
    tags: parseTags(opts.tag),
    // `env up` leaves it running: the services outlive this command.
    keep: true,
    signal: ctx.signal,
    log: (line) => ctx.err(terminalText(line) + '\n'),
    env: ctx.env,
  })
  const r = new Redactor()
  const json = opts.format === 'json'
  if (json) ctx.out(JSON.stringify(r.value(handle.env), null, 2) + '\n')
  else ctx.out(terminalText(r.text(describeUp(handle.env, dir))))
}

function registerEnvLs(env: Command, ctx: CliContext, setExit: SetExit): void {
  env
    .command('ls')
    .description('list the environments that are up (and those a killed run left behind)')
    .option('--config <file>', 'the config file (default: the nearest steady.config.ts)')
    .addOption(formatOption())
    .addHelpText(
      'after',
      '\nStatus: up, starting, stopping, orphaned (the run holding it died), exited (its processes are gone).\n' +
        '\nExamples:\n  steady env ls\n  steady env ls --format json\n',
    )
    .action(async (opts: { config?: string; format: string }) => {
      const { dir } = await project(ctx, opts.config)
      const { environments, errors } = await listEnvironments({ projectDir: dir })
      const r = new Redactor()
      if (opts.format === 'json') {
        ctx.out(
          JSON.stringify(
            r.value({ environments, errors: errors.map((e) => ({ code: e.code, message: e.message })) }),
            null,
            2,
          ) + '\n',
        )
      } else {
        ctx.out(terminalText(environments.length ? r.text(table(environments)) : `no environments are up in ${dir}\n`))
        for (const e of errors) ctx.err(`warning: ${terminalText(e.message)}\n`)
      }
      setExit(ExitCode.ok)
    })
}

function registerEnvDown(env: Command, ctx: CliContext, setExit: SetExit): void {
  env
    .command('down')
    .argument(
      '[ids...]',
      "ids of the environments to tear down (see steady env ls; a paired soak's base id: both sides)",
    )
    .description('tear environments down (each recorded process is checked by its start time before it is signalled)')
    .option('--all', 'tear down every environment of this project')
    .option('--config <file>', 'the config file (default: the nearest steady.config.ts)')
    .addHelpText('after', '\nExamples:\n  steady env down main-7f3a\n  steady env down --all\n')
    .action(async (ids: string[], opts: { all?: boolean; config?: string }) => {
      await tearDown(ctx, ids, opts)
      setExit(ExitCode.ok)
    })
}

/** `steady env down`: tears each environment down, going on past one that fails, and throws the first failure. */
async function tearDown(ctx: CliContext, given: string[], opts: { all?: boolean; config?: string }): Promise<void> {
  const { environments, dir } = await project(ctx, opts.config)
  const up = (await listEnvironments({ projectDir: dir })).environments.map((e) => e.id)
  // The base id of a paired soak (`<id>` of `<id>-candidate` and `<id>-control`) stands for both sides.
  let ids = given.flatMap((id) => expandPairedId(id, up))
  if (opts.all) ids = [...new Set([...ids, ...up])]
  if (ids.length === 0) {
    if (opts.all) {
      ctx.out(`no environments are up in ${dir}\n`)
      return
    }
    throw new SteadyError('STEADY_USAGE', 'steady env down needs an environment id', {
      hint: 'give one from `steady env ls`, or use --all',
    })
  }
  let failed: unknown
  for (const id of ids) {
    try {
      const log = (line: string) => ctx.err(terminalText(line) + '\n')
      await stopEnvironment(id, { projectDir: dir, config: environments, log })
      ctx.out(`torn down ${terminalLine(id)}\n`)
    } catch (error) {
      // Keep going: one stuck environment must not keep the others up.
      if (ids.length === 1) throw error
      ctx.err(terminalText(`error: ${id}: ${(error as Error).message}`) + '\n')
      failed ??= error
    }
  }
  if (failed) throw failed
}
