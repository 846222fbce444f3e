/**
 * Writes a k6 script (TypeScript typed with @types/k6, or plain JavaScript
 * for k6-operator ConfigMaps) that replays a plain request sequence under the
 * profile's own k6 options. Requests are grouped and named by steady's step
 * (k6's `name` tag), so metrics from k6 and from the embedded engine line up.
 * Secrets never land in the script: secret headers and bodies holding a
 * secret are read from `__ENV` at run time.
 */
import { Redactor } from '@steady/record'
import type { ResolvedProfile } from '../profile.ts'
import { toK6Options } from '../k6/options.ts'
import type { TracedRequest } from './trace.ts'

export interface K6ScriptOptions {
  profile: ResolvedProfile
  /** The steady scenario the requests came from. */
  scenario: { name: string; file?: string }
  requests: readonly TracedRequest[]
  /** Default for `__ENV.BASE_URL`. */
  target: string
  /** TypeScript (`.ts`, default) or JavaScript. */
  language?: 'ts' | 'js'
  redactor?: Redactor
  /** For the header comment (default now). */
  generatedAt?: Date
}

/** The script and the environment variables it reads besides BASE_URL (withheld secrets). */
export interface K6Script {
  text: string
  secretEnv: { name: string; what: string }[]
}

/** A JavaScript identifier for the profile's exec function. */
function execFunctionName(profile: string): string {
  const id = profile.replace(/[^A-Za-z0-9_$]/g, '_')
  return /^[A-Za-z_$]/.test(id) ? id : `profile_${id}`
}

function envName(prefix: string, s: string): string {
  return `${prefix}_${s
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_|_$/g, '')}`
}

/** Renders the k6 script for a traced request sequence. */
export function generateK6Script(o: K6ScriptOptions): K6Script {
  const ts = (o.language ?? 'ts') === 'ts'
  const redactor = o.redactor ?? new Redactor()
  const fn = execFunctionName(o.profile.name)
  const options = toK6Options(o.profile, fn)
  const secretEnv: K6Script['secretEnv'] = []
  const lines: string[] = []
  const at = (o.generatedAt ?? new Date()).toISOString()
  const file = o.scenario.file ? ` (${o.scenario.file.split('/').slice(-2).join('/')})` : ''
  const scriptFile = ts ? `${o.profile.name}.k6.ts   (k6 ≥ 0.57 runs TypeScript)` : `${o.profile.name}.k6.js`
  lines.push(
    '/**',
    ` * k6 script for steady load profile "${o.profile.name}" (${o.profile.executor}), written by`,
    ` * \`steady export k6 ${o.profile.name}\` on ${at} from steady scenario "${o.scenario.name}"${file}.`,
    ' * The scenario is a plain request sequence: no request uses an earlier response, so this',
    ' * script replays it as traced; test data from seeded generators is fixed to the traced values.',
    ' *',
    ` *   k6 run -e BASE_URL=${redactor.text(o.target)} ${scriptFile}`,
    ' *',
    " * Metrics keep steady's names: requests are tagged `name:<step>` and grouped by step.",
    ' * Regenerate it rather than editing it, so it stays what the profile says.',
    ' */',
    "import http from 'k6/http'",
    "import { check, group } from 'k6'",
  )
  if (ts) lines.push("import type { Options } from 'k6/options'")
  lines.push('')
  lines.push(`export const options${ts ? ': Options' : ''} = ${JSON.stringify(options, null, 2)}`)
  lines.push('')
  lines.push(`const BASE_URL${ts ? ': string' : ''} = __ENV.BASE_URL || ${JSON.stringify(redactor.text(o.target))}`)
  lines.push('')
  lines.push(`export function ${fn}()${ts ? ': void' : ''} {`)
  // Consecutive requests of one step share a group.
  let i = 0
  while (i < o.requests.length) {
    const step = o.requests[i].step
    lines.push(`  group(${JSON.stringify(step)}, () => {`)
    for (; i < o.requests.length && o.requests[i].step === step; i++) {
      const r = o.requests[i]
      const headers: string[] = []
      for (const [k, v] of Object.entries(r.headers)) {
        if (redactor.isSecretHeader(k)) {
          const name = envName('STEADY_HEADER', k)
          if (!secretEnv.some((s) => s.name === name))
            secretEnv.push({ name, what: `the ${k} header (withheld: it is a secret)` })
          headers.push(`${JSON.stringify(k)}: __ENV.${name}`)
        } else headers.push(`${JSON.stringify(k)}: ${JSON.stringify(v)}`)
      }
      let body = 'null'
      if (r.body !== undefined) {
        if (redactor.text(r.body) !== r.body) {
          const name = envName('STEADY_BODY', `${step}_${i}`)
          secretEnv.push({
            name,
            what: `the body of ${r.method} ${r.path} in step "${step}" (withheld: it holds a secret)`,
          })
          body = `__ENV.${name}`
        } else body = JSON.stringify(r.body)
      }
      const params = [
        headers.length ? `headers: { ${headers.join(', ')} }` : 'headers: {}',
        `tags: { name: ${JSON.stringify(step)} }`,
      ]
      if (r.status >= 400 && r.asserted)
        params.push(`responseCallback: http.expectedStatuses({ min: 200, max: 399 }, ${r.status})`)
      const url = `BASE_URL + ${JSON.stringify(r.path)}`
      lines.push(
        `    const res${i} = http.request(${JSON.stringify(r.method)}, ${url}, ${body}, { ${params.join(', ')} })`,
      )
      lines.push(
        `    check(res${i}, { ${JSON.stringify(`${step}: status is ${r.status}`)}: (r) => r.status === ${r.status} })`,
      )
    }
    lines.push('  })')
  }
  lines.push('}')
  lines.push('')
  lines.push(`export default ${fn}`)
  lines.push('')
  return { text: lines.join('\n'), secretEnv }
}
