/**
 * A k6-operator `TestRun` (k6.io/v1alpha1) for a profile: the generated k6
 * script in a ConfigMap, `parallelism` runners (k6 splits the profile with
 * execution segments), `separate` nodes, `cleanup: post`, and Prometheus
 * remote-write output so every runner's results land in one place (each
 * runner judges thresholds on its own segment only; judge the whole run from
 * Prometheus).
 */
import { createRequire } from 'node:module'
import { SteadyError } from '@steady/record'
import { stringify } from 'yaml'
import type { ErrorObject, ValidateFunction } from 'ajv'
import type { ResolvedProfile } from '../profile.ts'
import { maxVusOf } from '../schedule.ts'
import type { K6Script } from './k6-script.ts'
import { configMapSchema, testRunCrdVersion, testRunSchema } from './testrun-schema.ts'

export interface TestRunOptions {
  profile: ResolvedProfile
  /** The JavaScript script (ConfigMap file `test.js`). */
  script: K6Script
  /** Runners (k6 instances); the profile is split across them. */
  parallelism: number
  /** Object names (default `steady-<profile>`). */
  name?: string
  namespace?: string
  /** BASE_URL for the runners. */
  target: string
  /** Prometheus remote-write endpoint (default `http://prometheus:9090/api/v1/write`). */
  prometheusUrl?: string
  /** Trend stats sent to Prometheus (default `p(95),p(99),avg,max`). */
  trendStats?: string
  /** Runners on different nodes (default true). */
  separate?: boolean
  /** Runner image (default: the operator's). */
  image?: string
}

export interface TestRunManifest {
  configMap: Record<string, unknown>
  testRun: Record<string, unknown>
  /** Both documents as one YAML file. */
  yaml: string
}

/** Kubernetes names are DNS-1123: lower case, digits, dashes. */
function kubernetesName(s: string): string {
  const n = s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
  return n || 'steady'
}

const configMapLimit = 1024 * 1024

/** Builds the ConfigMap and TestRun for a profile, validated against the transcribed CRD schema. */
export function buildTestRun(o: TestRunOptions): TestRunManifest {
  const where = `load.profiles.${o.profile.name}`
  if (!Number.isInteger(o.parallelism) || o.parallelism < 1 || o.parallelism > 2147483647) {
    throw new SteadyError(
      'STEADY_EXPORT_USAGE',
      `--parallelism ${o.parallelism}: expected a whole number of at least 1`,
      { hint: 'e.g. --parallelism 4' },
    )
  }
  const vus = maxVusOf(o.profile)
  if (vus < o.parallelism) {
    throw new SteadyError(
      'STEADY_EXPORT_USAGE',
      `${where}: ${vus} VUs cannot be split over ${o.parallelism} runners (k6 gives each runner a share)`,
      {
        hint: `use --parallelism ${Math.max(1, vus)} or fewer, or give the profile more VUs`,
      },
    )
  }
  const name = kubernetesName(o.name ?? `steady-${o.profile.name}`)
  const metadata = {
    name,
    ...(o.namespace ? { namespace: o.namespace } : {}),
    labels: { 'app.kubernetes.io/managed-by': 'steady', 'steady.dev/profile': kubernetesName(o.profile.name) },
  }
  if (Buffer.byteLength(o.script.text) > configMapLimit) {
    throw new SteadyError(
      'STEADY_EXPORT_TOO_LARGE',
      `the script for ${o.profile.name} is over 1 MiB, the ConfigMap limit`,
      { hint: 'put it on a volume (script.volumeClaim) instead' },
    )
  }
  const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: { 'test.js': o.script.text } }
  const env: Record<string, unknown>[] = [
    { name: 'BASE_URL', value: o.target },
    { name: 'K6_PROMETHEUS_RW_SERVER_URL', value: o.prometheusUrl ?? 'http://prometheus:9090/api/v1/write' },
    { name: 'K6_PROMETHEUS_RW_TREND_STATS', value: o.trendStats ?? 'p(95),p(99),avg,max' },
    { name: 'K6_PROMETHEUS_RW_PUSH_INTERVAL', value: '5s' },
    ...o.script.secretEnv.map((s) => ({
      name: s.name,
      valueFrom: { secretKeyRef: { name: `${name}-secrets`, key: s.name } },
    })),
  ]
  const testRun = {
    apiVersion: 'k6.io/v1alpha1',
    kind: 'TestRun',
    metadata,
    spec: {
      parallelism: o.parallelism,
      separate: o.separate ?? true,
      cleanup: 'post',
      script: { configMap: { name, file: 'test.js' } },
      // testid tags every series of this run in Prometheus; runners add instance_id themselves.
      arguments: `-o experimental-prometheus-rw --tag testid=${name}`,
      runner: { ...(o.image ? { image: o.image } : {}), env },
    },
  }
  validateManifest([configMap, testRun])
  const header = [
    `# k6-operator TestRun for steady load profile "${o.profile.name}" (${o.profile.executor}), ` +
      'written by `steady export k6-operator`.',
    `# ${o.parallelism} runner(s) split the profile with k6 execution segments; results go to Prometheus remote write`,
    '# (tagged testid). Each runner evaluates thresholds on its own segment only: judge the whole run from Prometheus.',
    ...(o.script.secretEnv.length
      ? [`# Secrets: create Secret ${name}-secrets with keys ${o.script.secretEnv.map((s) => s.name).join(', ')}.`]
      : []),
    `# Validated against ${testRunCrdVersion}.`,
  ].join('\n')
  const yaml = `${header}\n---\n${stringify(configMap, { lineWidth: 0 })}---\n${stringify(testRun, { lineWidth: 0 })}`
  return { configMap, testRun, yaml }
}

let validators: { testRun: ValidateFunction; configMap: ValidateFunction } | undefined

function compile(): { testRun: ValidateFunction; configMap: ValidateFunction } {
  if (!validators) {
    // ajv is CommonJS; createRequire keeps its default export usable under NodeNext.
    const Ajv = createRequire(import.meta.url)('ajv') as new (o: object) => { compile(s: object): ValidateFunction }
    const ajv = new Ajv({ allErrors: true, strict: false })
    validators = { testRun: ajv.compile(testRunSchema), configMap: ajv.compile(configMapSchema) }
  }
  return validators
}

function describe(e: ErrorObject): string {
  const at = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : '(root)'
  const extra =
    e.keyword === 'additionalProperties' ? ` (${(e.params as { additionalProperty: string }).additionalProperty})` : ''
  return `${at}: ${e.message}${extra}`
}

/**
 * Validates ConfigMap and TestRun documents against the schemas transcribed
 * from k6-operator's CRD; throws `STEADY_EXPORT_INVALID_MANIFEST` listing the
 * problems, or returns quietly.
 */
export function validateManifest(docs: readonly unknown[]): void {
  const v = compile()
  const problems: string[] = []
  for (const doc of docs) {
    const kind = (doc as { kind?: unknown })?.kind
    const validate = kind === 'TestRun' ? v.testRun : kind === 'ConfigMap' ? v.configMap : undefined
    if (!validate) {
      problems.push(`a document of kind ${JSON.stringify(kind)} (expected TestRun or ConfigMap)`)
      continue
    }
    if (!validate(doc)) problems.push(...(validate.errors ?? []).map((e) => `${kind} ${describe(e)}`))
  }
  if (problems.length) {
    throw new SteadyError(
      'STEADY_EXPORT_INVALID_MANIFEST',
      `the manifest does not match k6-operator's TestRun CRD: ${problems.join('; ')}`,
      {
        hint: `checked against ${testRunCrdVersion}`,
        details: { problems },
      },
    )
  }
}
