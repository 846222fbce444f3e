/**
 * URL templates (`https://{id}.preview.example.com`), expanded by steady from
 * known values, never by a shell: a branch named `$(rm -rf ~)` stays text.
 */
import { httpUrlProblem } from '@steady/kernel'
import { SteadyError } from '@steady/record'
import { configError, fieldPath, type Where } from './config-check.ts'

/** The values a template may use. */
export interface TemplateValues {
  id: string
  name: string
  branch: string
  tags: Record<string, string>
}

const placeholder = /\{([^{}]*)\}/g
const known = /^(id|name|branch|tag\.[A-Za-z][A-Za-z0-9_.-]*)$/

/** Throws when a template uses a placeholder steady does not know. */
export function checkTemplate(template: string, where: Where, field: string): void {
  for (const m of template.matchAll(placeholder)) {
    if (!known.test(m[1])) {
      throw configError(
        where,
        field,
        `unknown placeholder {${m[1]}} in ${field}`,
        'use {id}, {name}, {branch} or {tag.<key>}',
      )
    }
  }
}

/**
 * Throws unless every `{tag.<key>}` in `template` names a given tag. Called
 * for each template before the environment starts, so a missing `--tag` is
 * found before `up` runs (and has to be undone by `down`).
 */
export function checkTemplateTags(
  template: string,
  tags: Readonly<Record<string, string>>,
  where: Where,
  field: string,
): void {
  for (const m of template.matchAll(placeholder)) {
    const key = m[1]!
    if (key.startsWith('tag.') && !Object.hasOwn(tags, key.slice('tag.'.length))) throw missingTag(key, where, field)
  }
}

function missingTag(key: string, where: Where, field: string): SteadyError {
  const tag = key.slice('tag.'.length)
  const place = `environment "${where.environment}": ${fieldPath(where, field)}`
  return new SteadyError('STEADY_ENV_TAG_MISSING', `${place} uses {${key}} but no tag "${tag}" was given`, {
    hint: `pass --tag ${tag}=<value>`,
    details: { environment: where.environment, field: fieldPath(where, field) },
  })
}

/**
 * Expands `{id}`, `{name}`, `{branch}` and `{tag.<key>}`. Values are
 * URL-encoded except the id and name, which are already safe in a host name.
 */
export function expandTemplate(template: string, values: TemplateValues, where: Where, field: string): string {
  return template.replace(placeholder, (_m, key: string) => {
    if (key === 'id') return values.id
    if (key === 'name') return values.name
    if (key === 'branch') return encodeURIComponent(values.branch)
    // Own keys only: a tag named `constructor` that was not given is missing, not Object's constructor.
    const tag = key.slice('tag.'.length)
    if (!Object.hasOwn(values.tags, tag)) throw missingTag(key, where, field)
    return encodeURIComponent(values.tags[tag]!)
  })
}

/** The URL templates of a `command` or `url` environment, by field path. */
export function urlTemplates(config: {
  url?: string | undefined
  urls: Readonly<Record<string, string>>
}): Record<string, string> {
  const out: Record<string, string> = {}
  if (config.url !== undefined) out.url = config.url
  for (const [k, v] of Object.entries(config.urls)) out[`urls.${k}`] = v
  return out
}

/** Throws unless `url` is an absolute http(s) URL. */
export function checkHttpUrl(url: string, where: Where, field: string): string {
  const problem = httpUrlProblem(url)
  if (problem) throw configError(where, field, problem, 'write an absolute URL like http://127.0.0.1:8080')
  return url.replace(/\/+$/, '')
}
