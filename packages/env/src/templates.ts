/**
 * URL templates (`https://{id}.preview.example.com`), expanded by steady from
 * known values, never by a shell: a branch named `$(rm -rf ~)` stays text.
 */
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
      throw configError(where, field, `unknown placeholder {${m[1]}} in ${field}`, 'use {id}, {name}, {branch} or {tag.<key>}')
    }
  }
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
    const tag = key.slice('tag.'.length)
    const value = values.tags[tag]
    if (value === undefined) {
      throw new SteadyError('STEADY_ENV_TAG_MISSING', `environment "${where.environment}": ${fieldPath(where, field)} uses {${key}} but no tag "${tag}" was given`, {
        hint: `pass --tag ${tag}=<value>`,
        details: { environment: where.environment, field: fieldPath(where, field) },
      })
    }
    return encodeURIComponent(value)
  })
}

/** Throws unless `url` is an absolute http(s) URL. */
export function checkHttpUrl(url: string, where: Where, field: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw configError(where, field, `"${url}" is not a URL`, 'write an absolute URL like http://127.0.0.1:8080')
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw configError(where, field, `"${url}" is not an http(s) URL`, 'write an absolute URL like http://127.0.0.1:8080')
  }
  return url.replace(/\/+$/, '')
}
