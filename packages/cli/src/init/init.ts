/**
 * `steady init`: the starting point of a team's feature repo. Writes the
 * config, one example scenario and a CI workflow, never over an existing file
 * unless asked to (`force`), and all or nothing: existing files are checked
 * before anything is written.
 */
import { existsSync, readFileSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { SteadyError, writeFileAtomic } from '@steady/record'
import { httpUrlProblem } from '@steady/kernel'
import {
  EXAMPLE_SCENARIO_NAME,
  INIT_FILES,
  configTemplate,
  gitattributesTemplate,
  scenarioTemplate,
  workflowTemplate,
  type TemplateValues,
} from './templates.ts'

/** Options of {@link initProject}. */
export interface InitOptions {
  /** The project folder (created when missing). */
  dir: string
  /**
   * The service's name (default: the `name` in the folder's package.json
   * without its scope, else the folder's name), made a slug.
   */
  service?: string
  /** Where the service answers locally (default `http://localhost:8080`). */
  url?: string
  /** The command that starts the service with `PORT` set (default `npm start`); split on spaces, quotes group words. */
  start?: string
  /** Overwrite files that exist. */
  force?: boolean
}

/** One file `steady init` wrote. */
interface InitFile {
  /** Relative to the project folder, `/`-separated. */
  path: string
  /** `created`, or `overwritten` (with `force`). */
  action: 'created' | 'overwritten'
}

/** What {@link initProject} did. */
export interface InitResult {
  dir: string
  files: InitFile[]
  values: TemplateValues
}

/** A slug for file names, release names and baselines: lower-case letters, digits and `-`. */
function serviceSlug(name: string): string {
  const slug = name
    .replace(/^@[^/]+\//, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '')
  return slug || 'my-service'
}

/** Splits a start command like a shell would for plain words and quotes (no variables, no operators). */
function splitCommand(text: string): { command: string; args: string[] } {
  const words: string[] = []
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g
  for (const m of text.matchAll(re)) words.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3]))
  if (words.length === 0) {
    throw new SteadyError('STEADY_INIT_USAGE', '--start is empty', {
      hint: 'give the command that starts your service, e.g. --start "npm start" or --start "node dist/server.js"',
    })
  }
  if (words.some((w) => /^(&&|\|\||\||;|>|<)$/.test(w))) {
    throw new SteadyError(
      'STEADY_INIT_USAGE',
      `--start "${text}" uses shell operators; steady runs the command without a shell`,
      {
        hint: 'put the commands into an npm script and pass --start "npm run <script>"',
      },
    )
  }
  return { command: words[0], args: words.slice(1) }
}

function defaultService(dir: string): string {
  const pkg = join(dir, 'package.json')
  if (existsSync(pkg)) {
    try {
      const name = (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name
      if (typeof name === 'string' && name.trim()) return name
    } catch {
      // An unreadable package.json only loses the default name.
    }
  }
  return basename(dir)
}

function checkUrl(url: string): string {
  const problem = httpUrlProblem(url)
  if (problem)
    throw new SteadyError('STEADY_INIT_USAGE', `--url ${problem}`, { hint: 'e.g. --url http://localhost:8080' })
  return url.replace(/\/+$/, '')
}

/** The answers the templates are filled with, from the options and the folder. */
function initValues(options: InitOptions): TemplateValues {
  const dir = resolve(options.dir)
  return {
    service: serviceSlug(options.service ?? defaultService(dir)),
    url: checkUrl(options.url ?? 'http://localhost:8080'),
    start: splitCommand(options.start ?? 'npm start'),
    scenarioName: EXAMPLE_SCENARIO_NAME,
  }
}

/**
 * Writes `steady.config.ts`, `scenarios/example.scenario.ts`,
 * `.github/workflows/steady.yml` and `baselines/.gitattributes` into `options.dir`. Throws
 * `STEADY_INIT_EXISTS` (exit 2) naming every file that exists, before writing
 * anything, unless `force`.
 */
export async function initProject(options: InitOptions): Promise<InitResult> {
  const dir = resolve(options.dir)
  const values = initValues(options)
  const planned: [string, string][] = [
    [INIT_FILES.config, configTemplate(values)],
    [INIT_FILES.scenario, scenarioTemplate(values)],
    [INIT_FILES.workflow, workflowTemplate(values)],
    [INIT_FILES.gitattributes, gitattributesTemplate()],
  ]
  const existing = planned.map(([p]) => p).filter((p) => existsSync(join(dir, p)))
  if (existing.length && !options.force) {
    throw new SteadyError('STEADY_INIT_EXISTS', `not overwriting ${existing.join(', ')} in ${dir}`, {
      hint: 'move them aside, or pass --force to overwrite them',
      details: { files: existing },
    })
  }
  const files: InitFile[] = []
  for (const [path, text] of planned) {
    const action = existing.includes(path) ? 'overwritten' : 'created'
    await writeFileAtomic(join(dir, path), text)
    files.push({ path, action })
  }
  return { dir, files, values }
}
