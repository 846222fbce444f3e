/**
 * `steady export`: scenarios are traced against a real local server; the k6
 * script for a plain request sequence type-checks with tsc against
 * @types/k6; dependent sequences are refused; secrets stay out; the
 * k6-operator TestRun validates against the schema transcribed from the CRD.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { tmpdir } from 'node:os'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { parseAllDocuments } from 'yaml'
import { resolveProfile } from '../src/profile.ts'
import { exportK6Script, exportTestRun } from '../src/export/export-profile.ts'
import { buildTestRun, validateManifest } from '../src/export/k6-operator.ts'
import { isSteadyError } from '@steady/record'

const file = fileURLToPath(new URL('./fixtures/export.scenario.ts', import.meta.url))
const k6Types = dirname(createRequire(import.meta.url).resolve('@types/k6/package.json'))
let server: Server
let target = ''

test.before(async () => {
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      const send = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(JSON.stringify(value))
      }
      const path = req.url!.split('?')[0]
      if (path === '/products') return send(200, [{ sku: 'sku-1', name: 'Lamp', price: 19 }])
      if (path === '/cart' && req.method === 'POST') return send(201, { ok: true })
      if (path === '/login') return send(200, { user: 'ana' })
      if (path === '/token') return send(200, { token: lettersToken() })
      if (path === '/me')
        return req.headers.authorization?.startsWith('Bearer tok-') ? send(200, { user: 'ana' }) : send(401, {})
      send(404, { error: 'not found' })
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
test.after(async () => {
  server.closeAllConnections()
  await new Promise((r) => server.close(r))
})

const profile = (exec: string, extra: Record<string, unknown> = {}) =>
  resolveProfile('peak', {
    executor: 'ramping-arrival-rate',
    startRate: 5,
    timeUnit: '1s',
    preAllocatedVUs: 10,
    maxVUs: 50,
    stages: [
      { duration: '30s', target: 50 },
      { duration: '1m30s', target: 50 },
    ],
    gracefulStop: '10s',
    exec,
    thresholds: {
      'http_req_duration{scenario:peak}': ['p(95)<500'],
      checks: [{ threshold: 'rate>0.99', abortOnFail: true, delayAbortEval: '10s' }],
    },
    ...extra,
  })

/** Type-checks k6 script text with tsc against @types/k6 (grafana's template settings: strict, noEmit). */
function typecheck(text: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'steady-k6-tsc-'))
  const path = join(dir, 'script.k6.ts')
  writeFileSync(path, text)
  const program = ts.createProgram([path], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2020,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    baseUrl: dir,
    typeRoots: [dirname(k6Types)],
    types: ['k6'],
    paths: { k6: [join(k6Types, 'index.d.ts')], 'k6/*': [join(k6Types, '*')] },
  })
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
}

test('a plain request sequence becomes a k6 script that type-checks against @types/k6', async () => {
  const { script, requests } = await exportK6Script({
    profile: profile('browse and add'),
    scenarios: [file],
    cwd: process.cwd(),
    target,
  })
  assert.equal(
    requests.map((r) => `${r.step} ${r.method} ${r.path.split('?')[0]} ${r.status}`),
    ['list products GET /products 200', 'add to cart POST /cart 201', 'missing product GET /products/none 404'],
  )
  const text = script.text
  assert.match(text, "import type { Options } from 'k6/options'")
  assert.match(text, '"executor": "ramping-arrival-rate"')
  assert.match(text, '"duration": "1m30s"')
  assert.match(text, '"abortOnFail": true')
  assert.match(text, 'export function peak(): void')
  assert.match(text, 'tags: { name: "add to cart" }')
  assert.match(text, 'http.expectedStatuses({ min: 200, max: 399 }, 404)')
  assert.match(text, '"x-client": "steady"')
  assert.equal(typecheck(text), [])
  // A broken script is caught by the same check (the check is real).
  assert.ok(typecheck(text.replace('http.request(', 'http.requestt(')).length > 0)
})

test('secrets in headers and bodies are read from __ENV, never written into the script', async () => {
  const { script } = await exportK6Script({
    profile: profile('login with secrets'),
    scenarios: [file],
    cwd: process.cwd(),
    target,
  })
  assert.not.match(script.text, 'hunter2-secret')
  assert.not.match(script.text, 'key-123456789')
  assert.match(script.text, '__ENV.STEADY_HEADER_X_API_KEY')
  assert.ok(script.secretEnv.some((s) => s.name.startsWith('STEADY_BODY_LOGIN')))
  assert.equal(typecheck(script.text), [])
})

test('a sequence that uses an earlier response is refused, naming the request and the value', async () => {
  try {
    await exportK6Script({ profile: profile('login then profile'), scenarios: [file], cwd: process.cwd(), target })
    assert.unreachable()
  } catch (e) {
    assert.ok(isSteadyError(e))
    assert.is((e as { code: string }).code, 'STEADY_EXPORT_NOT_PLAIN')
    assert.match((e as Error).message, 'GET /me (step "profile") sends "tok-')
    assert.match((e as Error).message, 'POST /token')
  }
})

test('k6-operator: a TestRun with ConfigMap script, parallelism, separate, cleanup post and Prometheus remote write, valid against the CRD schema', async () => {
  const m = await exportTestRun({
    profile: profile('browse and add'),
    scenarios: [file],
    cwd: process.cwd(),
    target,
    parallelism: 4,
    prometheusUrl: 'http://prom:9090/api/v1/write',
  })
  const docs = parseAllDocuments(m.yaml).map((d) => d.toJSON() as Record<string, unknown>)
  assert.equal(
    docs.map((d) => d.kind),
    ['ConfigMap', 'TestRun'],
  )
  const tr = docs[1] as {
    apiVersion: string
    spec: Record<string, unknown> & {
      runner: { env: { name: string; value?: string }[] }
      script: { configMap: { name: string; file: string } }
    }
  }
  assert.is(tr.apiVersion, 'k6.io/v1alpha1')
  assert.is(tr.spec.parallelism, 4)
  assert.is(tr.spec.separate, true)
  assert.is(tr.spec.cleanup, 'post')
  assert.equal(tr.spec.script.configMap, { name: 'steady-peak', file: 'test.js' })
  assert.match(String(tr.spec.arguments), '-o experimental-prometheus-rw')
  assert.is(
    tr.spec.runner.env.find((e) => e.name === 'K6_PROMETHEUS_RW_SERVER_URL')?.value,
    'http://prom:9090/api/v1/write',
  )
  const cm = docs[0] as { data: Record<string, string> }
  assert.not.match(cm.data['test.js'], 'import type')
  assert.match(cm.data['test.js'], 'export function peak() {')
  validateManifest(docs)
})

test('the CRD schema rejects what the operator would not take', () => {
  const good = buildTestRun({
    profile: profile('browse and add'),
    script: { text: 'export default function () {}\n', secretEnv: [] },
    parallelism: 2,
    target,
  })
  const bad = (
    mutate: (t: { spec: Record<string, unknown>; metadata: Record<string, unknown> }) => void,
    message: string,
  ) => {
    const t = structuredClone(good.testRun) as { spec: Record<string, unknown>; metadata: Record<string, unknown> }
    mutate(t)
    try {
      validateManifest([t])
      assert.unreachable(message)
    } catch (e) {
      assert.is((e as { code?: string }).code, 'STEADY_EXPORT_INVALID_MANIFEST', message)
    }
  }
  bad((t) => delete t.spec.parallelism, 'parallelism is required')
  bad((t) => delete t.spec.script, 'script is required')
  bad((t) => (t.spec.parallelism = '4'), 'parallelism is an int32')
  bad((t) => (t.spec.cleanup = 'pre'), 'cleanup is post only')
  bad((t) => (t.spec.parallelizm = 2), 'unknown spec field')
  bad((t) => (t.spec.separate = 'yes'), 'separate is a boolean')
  bad((t) => (t.metadata.name = 'Peak_Test'), 'names are DNS-1123')
  bad((t) => ((t.spec.runner as Record<string, unknown>).env = [{ value: 'x' }]), 'env entries need a name')
  bad((t) => ((t.spec.runner as Record<string, unknown>).resources = { limits: { cpu: 'two' } }), 'quantities')
  try {
    buildTestRun({
      profile: profile('browse and add', { preAllocatedVUs: 2, maxVUs: 2 }),
      script: { text: '', secretEnv: [] },
      parallelism: 4,
      target,
    })
    assert.unreachable()
  } catch (e) {
    assert.match((e as Error).message, '2 VUs cannot be split over 4 runners')
  }
})

/** A fresh token of letters only (the hardest kind to tell from a word: the export must still see it come back). */
function lettersToken(): string {
  return (
    'tok-' + Array.from({ length: 10 }, () => 'abcdefghijklmnopqrstuvwxyz'[Math.floor(Math.random() * 26)]).join('')
  )
}

test.run()
