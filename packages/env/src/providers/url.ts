/**
 * The `url` provider: an environment that already exists. steady points at
 * it (optionally checking that it answers) and never creates or destroys it.
 */
import type { EnvironmentProvider, ProviderUpContext, ProviderUpResult } from '../types.ts'
import {
  configError,
  isRecord,
  onlyKeys,
  readinessOf,
  stringRecord,
  type Readiness,
  type Where,
} from '../config-check.ts'
import { checkHttpUrl, checkTemplate, expandTemplate, urlTemplates } from '../templates.ts'
import { waitForUrl } from './command.ts'

/** A `url` environment after its config was checked. */
export interface CheckedUrlConfig {
  environment: string
  url: string
  urls: Record<string, string>
  readiness: Readiness | undefined
}

/** Checks a `provider: 'url'` entry. */
function checkUrlConfig(input: unknown, environment: string): CheckedUrlConfig {
  const where: Where = { environment }
  if (!isRecord(input))
    throw configError(
      where,
      '',
      'the environment must be an object',
      "write { provider: 'url', url: 'https://staging.example.com' }",
    )
  onlyKeys(input, ['provider', 'url', 'urls', 'readiness'], where)
  const url = input.url
  if (typeof url !== 'string' || url === '')
    throw configError(where, 'url', 'url is missing', "write url: 'https://staging.example.com'")
  checkTemplate(url, where, 'url')
  const urls = stringRecord(input, 'urls', where)
  for (const [k, v] of Object.entries(urls)) checkTemplate(v, where, `urls.${k}`)
  return { environment, url, urls, readiness: readinessOf(input, where) }
}

async function up(config: CheckedUrlConfig, ctx: ProviderUpContext): Promise<ProviderUpResult> {
  const where: Where = { environment: config.environment }
  const values = { id: ctx.id, name: ctx.name, branch: ctx.branch, tags: ctx.tags }
  const url = checkHttpUrl(expandTemplate(config.url, values, where, 'url'), where, 'url')
  const urls: Record<string, string> = {}
  for (const [k, v] of Object.entries(config.urls))
    urls[k] = checkHttpUrl(expandTemplate(v, values, where, `urls.${k}`), where, `urls.${k}`)
  if (config.readiness) await waitForUrl(url, config.readiness, config.environment, ctx.signal)
  return { url, urls, services: [], state: { url } }
}

/** The `url` provider. */
export const urlProvider: EnvironmentProvider<CheckedUrlConfig> = {
  name: 'url',
  validate: checkUrlConfig,
  templates: urlTemplates,
  up,
  async down() {
    // An existing environment: nothing to tear down.
  },
}
