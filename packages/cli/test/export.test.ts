/** `steady export k6|k6-operator <profile>` through the real CLI entry, against a real local server. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseAllDocuments } from 'yaml'
import { main } from '@steady/cli'
import { validateManifest } from '@steady/load/internal'

const scenarioFile = fileURLToPath(new URL('../../load/test/fixtures/export.scenario.ts', import.meta.url))
let server: Server
let target = ''

test.before(async () => {
  server = createServer((req, res) => {
    const path = req.url!.split('?')[0]
    const status = path === '/cart' ? 201 : path === '/products/none' ? 404 : 200
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(path === '/token' ? JSON.stringify({ token: lettersToken() }) : '{}')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
test.after(async () => {
  server.closeAllConnections()
  await new Promise((r) => server.close(r))
})

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'steady-export-cli-'))
  const load = {
    profiles: {
      peak: {
        executor: 'constant-arrival-rate',
        rate: 100,
        duration: '5m',
        preAllocatedVUs: 20,
        maxVUs: 100,
        exec: 'browse and add',
        thresholds: { http_req_failed: ['rate<0.01'] },
      },
      dep: { executor: 'constant-vus', vus: 2, duration: '1m', exec: 'login then profile' },
    },
  }
  writeFileSync(
    join(dir, 'steady.config.ts'),
    `export default ${JSON.stringify({ scenarios: [scenarioFile], load })}\n`,
  )
  return dir
}

async function run(argv: string[], cwd: string) {
  let out = ''
  let err = ''
  const code = await main(argv, { cwd, out: (s) => (out += s), err: (s) => (err += s), isTTY: false })
  return { code, out, err }
}

test('export k6 writes a typed k6 script for the profile', async () => {
  const dir = project()
  const r = await run(['export', 'k6', 'peak', '--target', target, '-o', 'peak.k6.ts'], dir)
  assert.is(r.code, 0, r.err)
  const text = readFileSync(join(dir, 'peak.k6.ts'), 'utf8')
  assert.match(text, "import type { Options } from 'k6/options'")
  assert.match(text, '"rate": 100')
  assert.match(text, 'group("add to cart"')
  const js = await run(['export', 'k6', 'peak', '--target', target, '--js'], dir)
  assert.is(js.code, 0)
  assert.not.match(js.out, 'import type')
})

test('export k6-operator writes a TestRun manifest that validates against the CRD schema', async () => {
  const dir = project()
  const r = await run(
    [
      'export',
      'k6-operator',
      'peak',
      '--parallelism',
      '4',
      '--target',
      target,
      '-o',
      'testrun.yaml',
      '--namespace',
      'load',
    ],
    dir,
  )
  assert.is(r.code, 0, r.err)
  const docs = parseAllDocuments(readFileSync(join(dir, 'testrun.yaml'), 'utf8')).map((d) => d.toJSON())
  validateManifest(docs)
  assert.is(docs[1].spec.parallelism, 4)
  assert.is(docs[1].metadata.namespace, 'load')
  const tooMany = await run(['export', 'k6-operator', 'peak', '--parallelism', '150', '--target', target], dir)
  assert.is(tooMany.code, 2)
  assert.match(tooMany.err, '100 VUs cannot be split over 150 runners')
  const none = await run(['export', 'k6-operator', 'peak', '--target', target], dir)
  assert.is(none.code, 2)
  assert.match(none.err, '--parallelism')
})

test('a scenario that is not a plain request sequence is refused (exit 2)', async () => {
  const r = await run(['export', 'k6', 'dep', '--target', target], project())
  assert.is(r.code, 2)
  assert.match(r.err, 'not a plain request sequence')
})

/** A fresh token of letters only (the hardest kind to tell from a word: the export must still see it come back). */
function lettersToken(): string {
  return (
    'tok-' + Array.from({ length: 10 }, () => 'abcdefghijklmnopqrstuvwxyz'[Math.floor(Math.random() * 26)]).join('')
  )
}

test.run()
