/**
 * `steady init`: what it writes into an empty folder, that it never overwrites
 * without --force, that the generated TypeScript type-checks with tsc against
 * the steady packages, that every config section passes its package's
 * validation, and that the generated scenario and environment run through the
 * CLI against a small service that follows the example's API.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { spawn, spawnSync } from 'node:child_process'
import { loadConfig, main } from '@steady/cli'
import { resolveLoadConfig } from '@steady/load'
import { resolvePlan, type SoakPlan } from '@steady/soak'
import { selectGate, type GateConfig } from '@steady/baseline'
import { commandProvider, processProvider } from '@steady/env'
import { readRunRecord } from '@steady/record'

const repoRoot = join(import.meta.dirname, '../../..')
const files = [
  'steady.config.ts',
  'scenarios/example.scenario.ts',
  '.github/workflows/steady.yml',
  'baselines/.gitattributes',
]

function emptyDir(): string {
  return mkdtempSync(join(tmpdir(), 'steady-init-'))
}

async function steady(argv: string[], cwd: string) {
  let out = ''
  let err = ''
  const code = await main(argv, {
    cwd,
    env: { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '' },
    out: (s) => void (out += s),
    err: (s) => void (err += s),
    isTTY: false,
  })
  return { code, out, err }
}

const serviceFile = join(import.meta.dirname, 'fixtures/init/items-service.mjs')

/** The small service with the API the example scenario assumes, as its own process; `broken` answers 500 on create. */
async function startService(broken = false): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [serviceFile], {
    env: { ...process.env, PORT: '0', ITEMS_BROKEN: broken ? '1' : '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m) resolve(m[1])
    })
    child.on('exit', (code) => reject(new Error(`the service exited with ${code}: ${out}`)))
  })
  return { url, stop: () => void child.kill('SIGTERM') }
}

/** A feature repo as steady init leaves it, plus node_modules (the repo's) and the small service. */
async function initialisedProject(extra: string[] = []): Promise<string> {
  const dir = emptyDir()
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: '@acme/items-api', type: 'module', scripts: { start: 'node server.mjs' } }, null, 2),
  )
  copyFileSync(serviceFile, join(dir, 'server.mjs'))
  const r = await steady(['init', ...extra], dir)
  assert.is(r.code, 0, r.err)
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir')
  return dir
}

test('in an empty folder it writes the config, an example scenario and a workflow, and says what to do next', async () => {
  const dir = emptyDir()
  const r = await steady(['init'], dir)
  assert.is(r.code, 0, r.err)
  for (const f of files) assert.ok(existsSync(join(dir, f)), `${f} written`)
  for (const f of files) assert.match(r.out, `created     ${f}`)
  assert.match(r.out, 'Next:')
  assert.match(r.out, 'npm init -y && npm pkg set type=module && npm install --save-dev @steady/cli @steady/scenario')
  assert.match(r.out, 'npx steady run --env local')
  for (const p of guidePaths(r.out, dir)) assert.ok(existsSync(p), `${p} exists`)
  const config = readFileSync(join(dir, 'steady.config.ts'), 'utf8')
  assert.match(config, "import { defineConfig } from '@steady/cli'")
  assert.match(config, "local: 'http://localhost:8080'")
  const scenario = readFileSync(join(dir, 'scenarios/example.scenario.ts'), 'utf8')
  assert.match(scenario, "from '@steady/scenario'")
  assert.match(scenario, 'eventually(')
  assert.match(scenario, 'data.commerce.productName()')
  // The service's name defaults to the folder's, made a slug.
  const slug = dir
    .split('/')
    .pop()!
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
  assert.match(readFileSync(join(dir, '.github/workflows/steady.yml'), 'utf8'), `SERVICE: ${slug}`)
})

/** The guide paths the "Guides:" line names, resolved from where steady ran. */
function guidePaths(out: string, cwd: string): string[] {
  const line = out.split('\n').find((l) => l.startsWith('Guides: '))
  assert.ok(line, out)
  return line!
    .slice('Guides: '.length)
    .split(' and ')
    .map((p) => resolve(cwd, p))
}

test('Next names only the packages that are missing, and guides at paths that exist', async () => {
  // Both installed (the repo's node_modules has them) in an ES module package: no install step at all.
  const both = emptyDir()
  writeFileSync(join(both, 'package.json'), '{ "name": "shop", "type": "module" }\n')
  symlinkSync(join(repoRoot, 'node_modules'), join(both, 'node_modules'), 'dir')
  const r = await steady(['init'], both)
  assert.is(r.code, 0, r.err)
  assert.not.match(r.out, 'npm install')
  assert.not.match(r.out, 'npm pkg set')
  assert.match(r.out, '  1. point steady.config.ts at shop')
  const guides = guidePaths(r.out, both)
  assert.equal(
    guides.map((p) => p.split('/').pop()),
    ['guide-scenario-authors.md', 'guide-gate-owners.md'],
  )
  for (const p of guides) assert.ok(existsSync(p), `${p} exists`)
  // Only @steady/cli installed, in the folder above: only @steady/scenario is to install.
  const parent = emptyDir()
  mkdirSync(join(parent, 'node_modules', '@steady', 'cli'), { recursive: true })
  writeFileSync(join(parent, 'node_modules', '@steady', 'cli', 'package.json'), '{ "name": "@steady/cli" }\n')
  const one = join(parent, 'app')
  mkdirSync(one)
  writeFileSync(join(one, 'package.json'), '{ "name": "app" }\n')
  const partial = await steady(['init'], one)
  assert.match(partial.out, '  1. npm pkg set type=module && npm install --save-dev @steady/scenario\n')
  // Installed, but not an ES module yet: the one step that is left.
  const cjs = emptyDir()
  writeFileSync(join(cjs, 'package.json'), '{ "name": "legacy" }\n')
  symlinkSync(join(repoRoot, 'node_modules'), join(cjs, 'node_modules'), 'dir')
  const typeOnly = await steady(['init'], cjs)
  assert.match(typeOnly.out, '  1. npm pkg set type=module\n')
  assert.not.match(typeOnly.out, 'npm install')
})

test('it refuses to overwrite any existing file, writing nothing, unless --force', async () => {
  const dir = emptyDir()
  mkdirSync(join(dir, '.github/workflows'), { recursive: true })
  writeFileSync(join(dir, '.github/workflows/steady.yml'), 'mine\n')
  const r = await steady(['init'], dir)
  assert.is(r.code, 2)
  assert.match(r.err, 'not overwriting .github/workflows/steady.yml')
  assert.match(r.err, '--force')
  assert.not.ok(existsSync(join(dir, 'steady.config.ts')), 'nothing written when one file exists')
  assert.is(readFileSync(join(dir, '.github/workflows/steady.yml'), 'utf8'), 'mine\n')

  const forced = await steady(['init', '--force'], dir)
  assert.is(forced.code, 0, forced.err)
  assert.match(forced.out, 'overwritten .github/workflows/steady.yml')
  assert.match(forced.out, 'created     steady.config.ts')
  assert.match(readFileSync(join(dir, '.github/workflows/steady.yml'), 'utf8'), 'name: steady')

  const again = await steady(['init'], dir)
  assert.is(again.code, 2)
  assert.match(
    again.err,
    'steady.config.ts, scenarios/example.scenario.ts, .github/workflows/steady.yml, baselines/.gitattributes',
  )
  assert.match(readFileSync(join(dir, 'baselines/.gitattributes'), 'utf8'), '*.json merge=union')
})

test('--service, --url and --start fill the templates; a folder argument is created; bad values exit 2', async () => {
  const parent = emptyDir()
  const r = await steady(
    [
      'init',
      'svc/orders',
      '--service',
      '@acme/Orders API',
      '--url',
      'http://127.0.0.1:3000/',
      '--start',
      'node "dist/my server.js" --port-from-env',
    ],
    parent,
  )
  assert.is(r.code, 0, r.err)
  assert.match(r.out, 'wrote 4 files in svc/orders')
  assert.match(r.out, 'cd svc/orders && ')
  const config = readFileSync(join(parent, 'svc/orders/steady.config.ts'), 'utf8')
  assert.match(config, "local: 'http://127.0.0.1:3000'")
  assert.match(config, '"orders-api": {')
  assert.match(config, "command: 'node',\n          args: ['dist/my server.js', '--port-from-env'],")
  assert.match(config, "service: { name: 'orders-api' }")

  const badUrl = await steady(['init', '--url', 'localhost:3000'], emptyDir())
  assert.is(badUrl.code, 2)
  assert.match(badUrl.err, 'not an http(s) URL')
  const shell = await steady(['init', '--start', 'npm run build && npm start'], emptyDir())
  assert.is(shell.code, 2)
  assert.match(shell.err, 'shell operators')
})

test('the service name defaults to package.json name without its scope', async () => {
  const dir = emptyDir()
  writeFileSync(join(dir, 'package.json'), '{ "name": "@acme/billing-service" }\n')
  const r = await steady(['init'], dir)
  assert.is(r.code, 0, r.err)
  assert.match(r.out, '1. npm pkg set type=module && npm install --save-dev')
  assert.not.match(r.out, 'npm init -y')
  assert.match(readFileSync(join(dir, 'steady.config.ts'), 'utf8'), "service: { name: 'billing-service' }")
})

test('every section of the generated config passes the validation of the package that reads it', async () => {
  const dir = await initialisedProject()
  const { config } = await loadConfig(dir)
  const c = config as Record<string, unknown> & { plans: Record<string, SoakPlan>; gates: Record<string, GateConfig> }
  const profiles = resolveLoadConfig(c.load)
  assert.equal([...profiles.keys()], ['nominal', 'peak'])
  for (const p of profiles.values()) assert.is(p.exec, 'an item is created and gets processed')
  const plan = resolvePlan('default', c.plans.default, { profiles: Object.fromEntries(profiles) })
  assert.equal(
    plan.phases.map((p) => p.name),
    ['warmup', 'quiet', 'nominal', 'peak', 'recovery'],
  )
  assert.is(plan.environment, 'local')
  for (const name of ['integration', 'staging', 'production']) assert.is(selectGate(c.gates, name).name, name)
  assert.equal(selectGate(c.gates, 'integration').require, ['working'])
  assert.is(selectGate(c.gates, 'production').onInconclusive, 'fail')
  const envs = c.environments as Record<string, unknown>
  processProvider.validate(envs.local, 'local')
  commandProvider.validate(envs.preview, 'preview')
  assert.is((config.targets as Record<string, string>).local, 'http://localhost:8080')
})

test('the generated workflow runs steady run, then a soak judged by steady verdict (its YAML is validated in test/workflow.test.ts)', async () => {
  const dir = emptyDir()
  await steady(['init', '--service', 'items-api'], dir)
  const wf = readFileSync(join(dir, '.github/workflows/steady.yml'), 'utf8')
  assert.match(wf, 'SERVICE: items-api')
  assert.match(wf, 'npx steady run --env "$STEADY_ENV"')
  assert.match(wf, 'npx steady soak --env "$STEADY_ENV" --duration-scale "$DURATION_SCALE"')
  assert.match(wf, 'npx steady verdict reports/soak/run.json --baseline "baselines/$SERVICE.json"')
  assert.match(wf, 'echo "::error::steady: inconclusive verdict')
})

test('the generated config and scenario type-check with tsc against the steady packages', async () => {
  const dir = await initialisedProject()
  // A feature repo resolves @steady/* to the packed dist/ types; here the steady-source condition points at the sources.
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        customConditions: ['steady-source'],
        allowImportingTsExtensions: true,
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
      },
      include: ['steady.config.ts', 'wrong.config.ts', 'scenarios'],
    }),
  )
  // The check has teeth: a copy with a wrong field in a typed section is checked in the same run and must fail, alone.
  const config = readFileSync(join(dir, 'steady.config.ts'), 'utf8')
  writeFileSync(join(dir, 'wrong.config.ts'), config.replace("port: 'auto'", "port: 'any'"))
  const tsc = spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], {
    cwd: dir,
    encoding: 'utf8',
  })
  const errors = tsc.stdout.split('\n').filter((l) => /error TS\d+/.test(l))
  assert.ok(errors.length > 0, `the wrong copy fails:\n${tsc.stdout}${tsc.stderr}`)
  assert.equal(
    errors.filter((l) => !l.startsWith('wrong.config.ts(')),
    [],
    'only the wrong copy has errors',
  )
})

test('steady run runs the generated scenario against the service: exit 0 when it works, 1 when it does not', async () => {
  const dir = await initialisedProject()
  const good = await startService()
  const broken = await startService(true)
  try {
    const ok = await steady(
      ['run', '--target', good.url, '--reporter', 'json', '--out', 'reports/ok', '--seed', '7'],
      dir,
    )
    assert.is(ok.code, 0, ok.out + ok.err)
    const record = await readRunRecord(join(dir, 'reports/ok/run.json'))
    assert.equal(
      record.scenarios.map((s) => [s.name, s.passed]),
      [['an item is created and gets processed', 1]],
    )

    const fail = await steady(['run', '--target', broken.url, '--reporter', 'pretty', '--out', 'reports/fail'], dir)
    assert.is(fail.code, 1)
    assert.match(fail.out, 'create item')
    assert.match(fail.out, 'database unavailable')
  } finally {
    good.stop()
    broken.stop()
  }
})

test('steady run --env local starts the service with the generated environment (npm start, PORT, /health) and stops it', async () => {
  const dir = await initialisedProject()
  const r = await steady(['run', '--env', 'local', '--reporter', 'json', '--out', 'reports/env'], dir)
  assert.is(r.code, 0, r.out + r.err)
  assert.match(r.err, 'items-api: ready at http://127.0.0.1:')
  assert.match(r.err, 'torn down')
  const record = await readRunRecord(join(dir, 'reports/env/run.json'))
  assert.is(record.scenarios[0].passed, 1)
  assert.is(record.subject.environment?.name, 'local')
})

test.run()
