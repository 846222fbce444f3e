/**
 * The feature-repo path: the packages are packed (`npm pack`, which builds
 * dist/ on prepack), installed from the tarballs into a fresh project
 * outside this repo with its own scenario and steady.config.ts, and
 * `npx steady run` runs there against the demo store.
 *
 * Packing happens on copies of the packages in a temp folder, so no dist/
 * appears in the working tree (the repo's bin would pick it up). The
 * project's scenario is also type-checked (tsc --noEmit) against the
 * installed `dist/index.d.ts`.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import {
  cpSync,
  renameSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createStore } from '@steady/demo-store'
import { repoRoot } from './helpers/run-project.ts'

/** What cli depends on, and cli. */
function packagesToPack(): string[] {
  const cli = JSON.parse(readFileSync(join(repoRoot, 'packages/cli/package.json'), 'utf8')) as {
    dependencies: Record<string, string>
  }
  return [
    ...Object.keys(cli.dependencies)
      .filter((d) => d.startsWith('@steady/'))
      .map((d) => d.slice('@steady/'.length)),
    'cli',
  ]
}

function sh(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd,
      env: { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '', npm_config_update_notifier: 'false', ...env },
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.on('close', (code) => resolve({ code, out, err }))
  })
}

test('npm pack → install into a fresh project → npx steady run against the demo store', async () => {
  const work = mkdtempSync(join(tmpdir(), 'steady-pack-'))
  const src = join(work, 'src')
  const tarballs = join(work, 'tarballs')
  mkdirSync(join(src, 'packages'), { recursive: true })
  mkdirSync(tarballs)
  cpSync(join(repoRoot, 'tsconfig.base.json'), join(src, 'tsconfig.base.json'))
  // tsc in the copies finds types and dependencies through the repo's node_modules.
  symlinkSync(join(repoRoot, 'node_modules'), join(src, 'node_modules'), 'dir')
  const store = createStore({ orderDelayMs: 20 })
  const { url } = await store.listen(0)
  try {
    const deps: Record<string, string> = {}
    for (const pkg of packagesToPack()) {
      const from = join(repoRoot, 'packages', pkg)
      const to = join(src, 'packages', pkg)
      cpSync(from, to, { recursive: true, filter: (p) => !/[/\\](node_modules|dist|test)$/.test(p) })
      const r = await sh('npm', ['pack', '--pack-destination', tarballs, '--silent'], to)
      assert.is(r.code, 0, `npm pack ${pkg}: ${r.out}${r.err}`)
      const tgz = readdirSync(tarballs).find((f) => f.startsWith(`steady-${pkg}-`))
      assert.ok(tgz, `tarball of ${pkg}`)
      deps[`@steady/${pkg}`] = `file:${join(tarballs, tgz!)}`
    }

    // The team's repo: its own package.json, config and scenario, nothing from this repo.
    const project = join(work, 'shop')
    mkdirSync(join(project, 'e2e'), { recursive: true })
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'shop', private: true, type: 'module', devDependencies: deps, overrides: deps }, null, 2),
    )
    writeFileSync(
      join(project, 'steady.config.ts'),
      `import { defineConfig } from '@steady/cli'
export default defineConfig({
  scenarios: ['e2e/**/*.scenario.ts'],
  targets: { store: process.env.STORE_URL! },
  defaultTarget: 'store',
})
`,
    )
    writeFileSync(
      join(project, 'e2e/shop.scenario.ts'),
      `import { scenario, expect, bearer } from '@steady/scenario'

export default scenario('a shopper logs in and sees a product', { tags: ['smoke'] }, async ({ http, step, data }) => {
  const login = await step('login', () => http.post('/api/login', { json: { email: data.internet.email(), password: 'pw' } }))
  expect(login).toHaveStatus(200)
  const api = http.with({ auth: bearer(login.json<{ token: string }>().token) })
  const product = await step('product', () => api.get('/api/products/p-001'))
  expect(product).toHaveJson({ id: 'p-001' })
  const cart = await step('cart', () => api.get('/api/cart'))
  expect(cart).toHaveJson({ itemCount: 0 })
})

export const broken = scenario('a product that does not exist', { tags: ['broken'] }, async ({ http }) => {
  expect(await http.get('/api/products/p-999')).toHaveStatus(200)
})
`,
    )
    const install = await sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], project)
    assert.is(install.code, 0, `npm install: ${install.out}${install.err}`)
    assert.ok(existsSync(join(project, 'node_modules/@steady/scenario/dist/index.js')))
    assert.ok(!existsSync(join(project, 'node_modules/@steady/scenario/src')), 'the package ships dist/, not sources')
    for (const pkg of packagesToPack()) {
      assert.ok(
        existsSync(join(project, `node_modules/@steady/${pkg}/dist/index.d.ts`)),
        `@steady/${pkg} ships dist/index.d.ts`,
      )
    }

    // The team's scenario and config type-check against the installed .d.ts (TypeScript from this repo,
    // as a team has its own; @types/node likewise), strict, as a team's editor and CI would see them.
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          noEmit: true,
          skipLibCheck: false,
          typeRoots: [join(repoRoot, 'node_modules/@types')],
          types: ['node'],
        },
        include: ['steady.config.ts', 'e2e/**/*.ts'],
      }),
    )
    const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc')
    const typecheck = await sh(process.execPath, [tsc, '-p', 'tsconfig.json'], project)
    assert.is(typecheck.code, 0, `tsc --noEmit in the team's project: ${typecheck.out}${typecheck.err}`)
    // And the check has teeth: a misspelt matcher and a wrong setupData type are errors.
    writeFileSync(
      join(project, 'e2e/typo.scenario.ts'),
      `import { scenario, expect } from '@steady/scenario'
export default scenario<{ id: string }>('typo', async ({ http, setupData }) => {
  expect(await http.get('/api/products')).toHaveStatuss(200)
  const n: number = setupData.id
})
`,
    )
    const typo = await sh(process.execPath, [tsc, '-p', 'tsconfig.json'], project)
    assert.is(typo.code, 2, typo.out + typo.err)
    assert.match(typo.out, /e2e\/typo\.scenario\.ts\(3,\d+\): error TS2551: Property 'toHaveStatuss' does not exist/)
    assert.match(
      typo.out,
      /e2e\/typo\.scenario\.ts\(4,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/,
    )
    rmSync(join(project, 'e2e/typo.scenario.ts'))
    rmSync(join(project, 'tsconfig.json'))

    const env = { STORE_URL: url }
    const ok = await sh(
      'npx',
      ['--no-install', 'steady', 'run', '--grep', '@smoke', '--reporter', 'pretty,json,junit', '--out', 'out'],
      project,
      env,
    )
    assert.is(ok.code, 0, ok.out + ok.err)
    assert.match(ok.out, '✓ a shopper logs in and sees a product')
    assert.ok(existsSync(join(project, 'out/run.json')))
    assert.ok(existsSync(join(project, 'out/junit.xml')))

    const failing = await sh('npx', ['--no-install', 'steady', 'run', '--reporter', 'pretty'], project, env)
    assert.is(failing.code, 1, failing.out + failing.err)
    assert.match(failing.out, '✗ a product that does not exist')
    assert.match(failing.out, 'e2e/shop.scenario.ts:14 · outside any step · iteration 0')

    const bad = await sh('npx', ['--no-install', 'steady', 'run', 'e2e/missing.scenario.ts'], project, env)
    assert.is(bad.code, 2)

    // A CommonJS project (no "type": "module", the npm default): .mts config and scenarios run;
    // a .ts config there fails with a hint that says exactly that.
    const cjs = join(work, 'legacy')
    mkdirSync(join(cjs, 'e2e'), { recursive: true })
    writeFileSync(
      join(cjs, 'package.json'),
      JSON.stringify({ name: 'legacy', private: true, devDependencies: deps, overrides: deps }, null, 2),
    )
    writeFileSync(
      join(cjs, 'steady.config.ts'),
      `import { defineConfig } from '@steady/cli'
export default defineConfig({ scenarios: ['e2e/**/*.scenario.mts'], targets: { store: process.env.STORE_URL! }, defaultTarget: 'store' })
`,
    )
    const cjsInstall = await sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], cjs)
    assert.is(cjsInstall.code, 0, `npm install: ${cjsInstall.out}${cjsInstall.err}`)
    const tsConfig = await sh('npx', ['--no-install', 'steady', 'run', '--reporter', 'pretty'], cjs, env)
    if (tsConfig.code !== 0) {
      assert.is(tsConfig.code, 2, tsConfig.out + tsConfig.err)
      assert.match(tsConfig.err, 'steady.config.mts')
      assert.match(tsConfig.err, '"type": "module"')
    }
    renameSync(join(cjs, 'steady.config.ts'), join(cjs, 'steady.config.mts'))
    writeFileSync(
      join(cjs, 'e2e/legacy.scenario.mts'),
      `import { scenario, expect } from '@steady/scenario'
export default scenario('the catalogue answers', async ({ http, step }) => {
  expect(await step('list', () => http.get('/api/products'))).toHaveStatus(200)
})
`,
    )
    const legacy = await sh('npx', ['--no-install', 'steady', 'run', '--reporter', 'pretty'], cjs, env)
    assert.is(legacy.code, 0, legacy.out + legacy.err)
    assert.match(legacy.out, '✓ the catalogue answers')
  } finally {
    await store.close()
    rmSync(work, { recursive: true, force: true })
  }
})

test.run()
