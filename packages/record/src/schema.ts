/**
 * JSON Schemas of the files steady writes, and validation on read: a
 * truncated or foreign file gets an error naming the file, the field and what
 * was expected, never a crash or a silent partial read.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import { SteadyError } from '@steady/kernel'
import { describeNonFinite, findNonFinite } from './finite.ts'
import { HISTOGRAM_PARAMETERS } from './histogram.ts'
import { RUN_SCHEMA } from './run-record.ts'

const num = { type: 'number' } as const
const int = { type: 'integer', minimum: 0 } as const
const str = { type: 'string' } as const
const counts = { type: 'object', additionalProperties: { type: 'number' } } as const
const strings = { type: 'object', additionalProperties: { type: 'string' } } as const

const buckets = {
  type: 'array',
  items: {
    type: 'array',
    minItems: 2,
    maxItems: 2,
    items: [{ anyOf: [{ type: 'number' }, { const: '+Inf' }] }, { type: 'number' }],
  },
} as const

const window = {
  type: 'object',
  required: ['i', 'count'],
  properties: {
    i: int,
    count: { type: 'number', minimum: 0 },
    errors: counts,
    passed: int,
    failed: int,
    p50: num,
    p95: num,
    p99: num,
    max: num,
    hist: str,
    value: num,
    min: num,
    delta: num,
    buckets,
    sum: num,
  },
  additionalProperties: false,
} as const

const phaseAggregate = {
  type: 'object',
  required: ['count'],
  properties: {
    count: { type: 'number', minimum: 0 },
    errors: counts,
    passed: int,
    failed: int,
    hist: str,
    p50: num,
    p95: num,
    p99: num,
    max: num,
    first: num,
    last: num,
    min: num,
    delta: num,
    buckets,
    sum: num,
  },
  additionalProperties: false,
} as const

const httpExcerpt = {
  type: 'object',
  properties: { method: str, url: str, status: num, headers: strings, body: str },
} as const

/** The JSON Schema of `run.json` (`steady.run/1`). */
const side = { enum: ['candidate', 'control'] } as const

const subject = {
  type: 'object',
  properties: {
    service: str,
    version: str,
    commit: str,
    branch: str,
    target: str,
    environment: {
      type: 'object',
      required: ['id', 'name', 'provider', 'tags'],
      properties: { id: str, name: str, provider: str, url: str, tags: strings },
    },
  },
} as const

const phaseLoad = {
  type: 'object',
  required: ['profile', 'engine', 'executor', 'iterations', 'droppedIterations'],
  properties: {
    profile: str,
    engine: str,
    executor: str,
    targetRate: num,
    achievedRate: num,
    iterations: int,
    droppedIterations: int,
    maxVUs: int,
  },
} as const

export const runRecordSchema = {
  $id: 'https://steady.dev/schema/steady.run-1.json',
  title: 'steady run record',
  type: 'object',
  required: [
    'schema',
    'kind',
    'id',
    'complete',
    'startedAt',
    'endedAt',
    'durationMs',
    'tool',
    'subject',
    'seed',
    'configHash',
    'comparability',
    'window',
    'histogram',
    'phases',
    'scenarios',
    'series',
    'events',
    'failures',
    'warnings',
  ],
  properties: {
    schema: { const: RUN_SCHEMA },
    kind: { enum: ['run', 'load', 'soak'] },
    id: { type: 'string', minLength: 1 },
    complete: { type: 'boolean' },
    incompleteReason: str,
    startedAt: { type: 'string', format: 'date-time' },
    endedAt: { type: 'string', format: 'date-time' },
    durationMs: { type: 'number', minimum: 0 },
    tool: { type: 'object', required: ['name', 'version'], properties: { name: { const: 'steady' }, version: str } },
    subject,
    paired: {
      type: 'object',
      required: ['candidate', 'control', 'design', 'seed'],
      properties: {
        candidate: subject,
        control: subject,
        design: { const: 'abba' },
        seed: str,
        pinned: { type: 'object', required: ['candidate', 'control'], properties: { candidate: str, control: str } },
      },
    },
    seed: str,
    configHash: str,
    comparability: {
      type: 'object',
      required: ['cpuModel', 'cores', 'node', 'platform', 'planHash', 'durationScale', 'engine'],
      properties: {
        cpuModel: str,
        cores: int,
        node: str,
        platform: str,
        planHash: { type: ['string', 'null'] },
        durationScale: { type: 'number', exclusiveMinimum: 0 },
        engine: { type: ['string', 'null'] },
        paired: { const: true },
      },
    },
    window: { type: 'object', required: ['sizeMs'], properties: { sizeMs: { type: 'number', exclusiveMinimum: 0 } } },
    histogram: {
      type: 'object',
      required: ['unit', 'lowest', 'highest', 'digits', 'encoding'],
      properties: {
        unit: { const: HISTOGRAM_PARAMETERS.unit },
        lowest: { const: HISTOGRAM_PARAMETERS.lowest },
        highest: { const: HISTOGRAM_PARAMETERS.highest },
        digits: { const: HISTOGRAM_PARAMETERS.digits },
        encoding: { const: HISTOGRAM_PARAMETERS.encoding },
      },
    },
    phases: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'startMs', 'endMs'],
        properties: {
          name: str,
          startMs: { type: 'number', minimum: 0 },
          endMs: { type: 'number', minimum: 0 },
          warmupMs: { type: 'number', minimum: 0 },
          load: phaseLoad,
          controlLoad: phaseLoad,
        },
      },
    },
    scenarios: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'tags', 'iterations', 'passed', 'failed'],
        properties: {
          name: str,
          file: str,
          tags: { type: 'array', items: str },
          iterations: int,
          passed: int,
          failed: int,
          straddling: int,
          side,
        },
      },
    },
    series: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'source', 'name', 'kind', 'unit', 'tags', 'windows', 'phases'],
        properties: {
          key: str,
          source: { enum: ['probe', 'load', 'service', 'generator'] },
          name: str,
          kind: { enum: ['histogram', 'counter', 'gauge'] },
          unit: str,
          tags: strings,
          windows: { type: 'array', items: window },
          phases: { type: 'object', additionalProperties: phaseAggregate },
        },
      },
    },
    events: {
      type: 'array',
      items: {
        type: 'object',
        required: ['atMs', 'kind', 'message'],
        properties: { atMs: num, kind: str, message: str, data: { type: 'object' } },
      },
    },
    failures: {
      type: 'array',
      items: {
        type: 'object',
        required: ['signature', 'count', 'firstAtMs', 'lastAtMs', 'byPhase', 'samples'],
        properties: {
          signature: {
            type: 'object',
            required: ['scenario', 'step', 'assertion'],
            properties: { scenario: str, step: str, assertion: str, status: num, errorCode: str, side },
          },
          count: int,
          firstAtMs: num,
          lastAtMs: num,
          byPhase: counts,
          samples: {
            type: 'array',
            items: {
              type: 'object',
              required: ['atMs', 'message', 'replay'],
              properties: {
                atMs: num,
                phase: str,
                message: str,
                diff: str,
                request: httpExcerpt,
                response: httpExcerpt,
                curl: str,
                replay: {
                  type: 'object',
                  required: ['seed', 'scenario', 'iteration'],
                  properties: { seed: str, scenario: str, iteration: int },
                },
              },
            },
          },
        },
      },
    },
    warnings: { type: 'array', items: str },
  },
} as const

const ajv = new Ajv({ allErrors: false, strict: false })
// RFC 3339 date-times, without pulling in ajv-formats for one format.
ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/)

const compiled = new Map<object, ValidateFunction>()

/** Compiles (once) and returns a validator for a schema. */
export function validatorFor(schema: object): ValidateFunction {
  let v = compiled.get(schema)
  if (!v) compiled.set(schema, (v = ajv.compile(schema)))
  return v
}

/** One readable line for the first validation error: `series[3].windows[0].count: must be >= 0`. */
function describeSchemaError(e: ErrorObject): string {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
    .join('')
    .replace(/^\./, '')
  const where = path || '(top level)'
  if (e.keyword === 'required')
    return `${where}: missing field "${(e.params as { missingProperty: string }).missingProperty}"`
  if (e.keyword === 'const')
    return `${where}: expected ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`
  if (e.keyword === 'enum') {
    const allowed = (e.params as { allowedValues: unknown[] }).allowedValues
    return `${where}: expected one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`
  }
  if (e.keyword === 'additionalProperties')
    return `${where}: unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"`
  return `${where}: ${e.message ?? 'invalid'}`
}

/**
 * Validates a parsed document against a schema; throws a SteadyError with the
 * file and the first offending field. Every number must be finite.
 */
export function assertValid<T>(schema: object, value: unknown, file: string, what: string, hint: string): T {
  // JSON Schema's `number` admits Infinity (what JSON.parse makes of 1e999): checked first, for every number.
  const bad = findNonFinite(value)
  if (bad) {
    throw new SteadyError(
      'STEADY_RECORD_NOT_FINITE',
      `${file}: ${bad.path} must be a finite number, got ${describeNonFinite(bad.value)}`,
      {
        hint: `${hint}; the ${what} was written by another tool or edited by hand`,
        details: { file, field: bad.path },
      },
    )
  }
  const validate = validatorFor(schema)
  if (!validate(value)) {
    const first = validate.errors?.[0]
    throw new SteadyError(
      'STEADY_RECORD_INVALID',
      `${file} is not a valid ${what}: ${first ? describeSchemaError(first) : 'invalid'}`,
      {
        hint,
        details: { file, errors: validate.errors },
      },
    )
  }
  return value as T
}
