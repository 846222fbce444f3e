/**
 * Who an environment is: an id that fits a Helm release name (and a k8s
 * namespace, a compose project, a terraform workspace), the branch it was made
 * for, and its tags.
 */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { SteadyError } from '@steady/record'

/** Longest id: Helm's release name limit, so `helm install "$STEADY_ENV_ID"` always works. */
export const MAX_ID_LENGTH = 53
const SUFFIX_LENGTH = 4
const idRule = /^[a-z]([-a-z0-9]*[a-z0-9])?$/

/**
 * A branch name as an id prefix: lower case, runs of anything but `a-z0-9`
 * become one `-`, starts with a letter (`env-` is put in front otherwise), at
 * most `max` chars, no `-` at either end. `US-56782/support-google-login` →
 * `us-56782-support-google-login`.
 */
export function slugify(text: string, max = MAX_ID_LENGTH - SUFFIX_LENGTH - 1): string {
  let slug = text
    .normalize('NFKD')
    // Accents come apart under NFKD; dropping the marks keeps the letter (Ç → c).
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
  if (slug === '') slug = 'env'
  if (!/^[a-z]/.test(slug)) slug = `env-${slug}`
  return slug.slice(0, max).replace(/-+$/, '')
}

/** Throws unless `id` is a valid environment id (Helm release name rules, ≤ 53 chars). */
export function validateId(id: string, field = '--id'): string {
  if (id.length > MAX_ID_LENGTH || !idRule.test(id)) {
    throw new SteadyError('STEADY_ENV_ID_INVALID', `${field}: "${id}" is not a valid environment id`, {
      hint:
        "use lower-case letters, digits and '-', starting with a letter and ending with a letter or digit, " +
        `at most ${MAX_ID_LENGTH} chars (e.g. ${slugify(id || 'my-env')})`,
      details: { field, value: id },
    })
  }
  return id
}

/** A new id for `branch`: its slug plus a short random suffix (`us-56782-support-google-login-7f3a`). */
export function deriveId(branch: string, random: () => string = () => randomBytes(2).toString('hex')): string {
  return `${slugify(branch)}-${random().slice(0, SUFFIX_LENGTH)}`
}

/** The two sides of a paired soak: the version under test and the one it is compared with. */
export type EnvironmentSide = 'candidate' | 'control'

/**
 * The id of one side of a paired soak: `<base>-candidate` / `<base>-control`,
 * so both sides of one soak share a base (`steady env down <base>` removes
 * both). A derived base gives up the end of its branch slug to stay within
 * {@link MAX_ID_LENGTH}; a given base must fit as it is.
 */
export function sideId(base: string | undefined, branch: string, side: EnvironmentSide): string {
  if (base !== undefined) return validateId(`${validateId(base)}-${side}`, '--id')
  const room = MAX_ID_LENGTH - SUFFIX_LENGTH - side.length - 2
  const derived = deriveId(slugify(branch, room) || 'env')
  return validateId(`${derived}-${side}`)
}

/**
 * What `steady env down <id>` tears down: the id itself when it is up, else
 * the sides of the paired soak whose base it is (`<id>-candidate`,
 * `<id>-control`), else the id (so the error says it is not up).
 */
export function expandPairedId(id: string, up: readonly string[]): string[] {
  if (up.includes(id)) return [id]
  const sides = (['candidate', 'control'] as const).map((side) => `${id}-${side}`).filter((x) => up.includes(x))
  return sides.length ? sides : [id]
}

/** Where the branch came from. */
export interface BranchInfo {
  branch: string
  source: 'option' | 'git' | 'ci' | 'detached' | 'none'
}

function git(args: string[], cwd: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, timeout: 10_000 }, (error, stdout) => resolve(error ? undefined : stdout.trim()))
  })
}

/** CI variables that name the branch when the checkout is detached (GitHub, GitLab, Jenkins, Buildkite). */
const ciBranchVars = ['GITHUB_HEAD_REF', 'GITHUB_REF_NAME', 'CI_COMMIT_REF_NAME', 'BRANCH_NAME', 'BUILDKITE_BRANCH']

/**
 * The current branch: `git rev-parse --abbrev-ref HEAD` in `cwd`. A detached
 * HEAD (CI checkouts) uses the CI's branch variable, else `detached-<sha>`;
 * no git at all gives `local`.
 */
export async function currentBranch(cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<BranchInfo> {
  const name = await git(['rev-parse', '--abbrev-ref', 'HEAD'], cwd)
  if (name && name !== 'HEAD') return { branch: name, source: 'git' }
  for (const v of ciBranchVars) {
    const value = env[v]?.trim()
    if (value) return { branch: value, source: 'ci' }
  }
  if (name === 'HEAD') {
    const sha = await git(['rev-parse', '--short', 'HEAD'], cwd)
    if (sha) return { branch: `detached-${sha}`, source: 'detached' }
  }
  return { branch: 'local', source: 'none' }
}

const tagKeyRule = /^[A-Za-z][A-Za-z0-9_.-]{0,62}$/
const MAX_TAG_VALUE = 256

/**
 * The environment variable a tag reaches commands and services as:
 * `STEADY_TAG_<KEY>` (upper case, `_` for anything else).
 */
export function tagEnvName(key: string): string {
  return `STEADY_TAG_${key.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`
}

/**
 * Parses `--tag key=value` options into tags. Keys: a letter, then letters,
 * digits, `_ . -` (≤ 63 chars). Values: ≤ 256 chars, no control characters.
 */
export function parseTags(items: readonly string[], field = '--tag'): Record<string, string> {
  // Without a prototype, `constructor` or `__proto__` is not "given twice" before it is given.
  const tags: Record<string, string> = Object.create(null) as Record<string, string>
  for (const item of items) {
    const eq = item.indexOf('=')
    if (eq <= 0) {
      throw new SteadyError('STEADY_ENV_TAG_INVALID', `${field}: "${item}" is not key=value`, {
        hint: 'write tags as --tag key=value, e.g. --tag team=checkout',
        details: { field, value: item },
      })
    }
    const key = item.slice(0, eq)
    if (key in tags) {
      throw new SteadyError('STEADY_ENV_TAG_INVALID', `${field}: tag "${key}" is given twice`, {
        hint: 'give each tag key once',
        details: { field, key },
      })
    }
    tags[key] = item.slice(eq + 1)
  }
  return validateTags(tags, field)
}

/** Checks tag keys and values (see {@link parseTags}); returns a copy. */
export function validateTags(tags: Record<string, string>, field = 'tags'): Record<string, string> {
  const out: Array<[string, string]> = []
  const envNames = new Map<string, string>()
  for (const [key, value] of Object.entries(tags)) {
    if (!tagKeyRule.test(key)) {
      throw new SteadyError('STEADY_ENV_TAG_INVALID', `${field}: tag key "${key}" is not valid`, {
        hint: "start a tag key with a letter and use letters, digits, '_', '.' or '-' (at most 63 chars)",
        details: { field, key },
      })
    }
    if (typeof value !== 'string' || value.length > MAX_TAG_VALUE || /[\u0000-\u001f\u007f]/.test(value)) {
      throw new SteadyError('STEADY_ENV_TAG_INVALID', `${field}: the value of tag "${key}" is not valid`, {
        hint: `a tag value is text of at most ${MAX_TAG_VALUE} chars without control characters (newlines, tabs)`,
        details: { field, key },
      })
    }
    const envName = tagEnvName(key)
    const other = envNames.get(envName)
    if (other !== undefined) {
      throw new SteadyError('STEADY_ENV_TAG_INVALID', `${field}: tags "${other}" and "${key}" both become ${envName}`, {
        hint: 'rename one of them so they differ in more than punctuation or case',
        details: { field, key },
      })
    }
    envNames.set(envName, key)
    out.push([key, value])
  }
  // fromEntries defines own properties, so no key reaches the prototype.
  return Object.fromEntries(out)
}
