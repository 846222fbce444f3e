/**
 * The guides' code blocks, exercised. A ```ts block is preceded by a marker
 * that says what it is, and every ```ts block must have one:
 *
 *   <!-- test: scenario -->        a scenario file: type-checked, then run with
 *                                  `steady run` against the demo store (all must pass)
 *   <!-- test: module <path> -->   a module scenarios import (e.g. scenarios/flows.ts)
 *   <!-- test: config -->          a steady.config.ts: type-checked, loaded, and each
 *                                  section validated by the package that reads it
 *   <!-- test: typecheck -->       type-checked only (it needs a service we do not have)
 *
 * Every `steady ...` command in a ```sh block must name a real command with
 * real options (read from the CLI's own definitions).
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { parseDocument } from 'yaml'
import { loadConfig, main } from '@steady/cli'
import { createStore } from '@steady/demo-store'
import { readRunRecord } from '@steady/record'
import { resolveTarget } from '@steady/scenario'
import { builtinProviders } from '@steady/env'
import { resolveLoadConfig } from '@steady/load'
import { resolvePlan, type SoakPlan } from '@steady/soak'
import { selectGate, type GateConfig } from '@steady/baseline'
import { checkInvocation, referenceProgram, steadyInvocations } from '../scripts/gen-cli-reference.ts'

const root = join(import.meta.dirname, '..')
const guides = ['docs/guide-scenario-authors.md', 'docs/guide-gate-owners.md', 'docs/process-health.md']

interface Block {
  guide: string
  /** 1-based line of the opening fence. */
  line: number
  lang: string
  /** The marker's kind (`scenario`, `module`, `config`, `typecheck`), or undefined without one. */
  kind?: string
  arg?: string
  code: string
}

/** The fenced blocks of a Markdown file with the test marker on the line before each. */
function codeBlocks(markdown: string, guide: string): Block[] {
  const lines = markdown.split('\n')
  const out: Block[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i])
    if (!open) continue
    const end = lines.findIndex((l, j) => j > i && l.startsWith('```'))
    assert.ok(end > i, `${guide}:${i + 1}: unclosed code block`)
    const marker = /^<!-- test: (\w+)(?: (\S+))? -->$/.exec(lines[i - 1] ?? '')
    out.push({
      guide,
      line: i + 1,
      lang: open[1],
      kind: marker?.[1],
      arg: marker?.[2],
      code: lines.slice(i + 1, end).join('\n') + '\n',
    })
    i = end
  }
  return out
}

const all = guides.flatMap((g) => codeBlocks(readFileSync(join(root, g), 'utf8'), g))
const slug = (g: string) => g.replace(/^docs\/guide-/, '').replace(/\.md$/, '')

/** A project with every TypeScript block as a file, and the repo's node_modules. */
function writeProject(): { dir: string; files: Map<Block, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'steady-guides-'))
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir')
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n')
  const files = new Map<Block, string>()
  for (const b of all.filter((b) => b.lang === 'ts')) {
    const base = slug(b.guide)
    const path =
      b.kind === 'scenario'
        ? `${base}/scenarios/line-${b.line}.scenario.ts`
        : b.kind === 'module'
          ? `${base}/${b.arg}`
          : b.kind === 'config'
            ? `${base}/configs/line-${b.line}.config.ts`
            : `${base}/typecheck/line-${b.line}.ts`
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), b.code)
    files.set(b, path)
  }
  // In a feature repo @steady/* resolve to the packed dist/ types; here the steady-source condition points at the sources.
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
      include: ['**/*.ts'],
      exclude: ['node_modules'],
    }),
  )
  return { dir, files }
}

const project = writeProject()

test('every TypeScript block in the guides says how it is tested', () => {
  for (const b of all.filter((b) => b.lang === 'ts')) {
    assert.ok(
      ['scenario', 'module', 'config', 'typecheck'].includes(b.kind ?? ''),
      `${b.guide}:${b.line}: a ts block without <!-- test: scenario|module <path>|config|typecheck -->`,
    )
  }
  for (const b of all.filter((b) => b.kind))
    assert.is(b.lang, 'ts', `${b.guide}:${b.line}: a test marker on a ${b.lang || 'plain'} block`)
  assert.ok(
    all.filter((b) => b.guide.endsWith('scenario-authors.md') && b.kind === 'scenario').length >= 10,
    'the authors guide has runnable scenarios',
  )
})

test('every TypeScript block type-checks with tsc against the steady packages', () => {
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], {
    cwd: project.dir,
    encoding: 'utf8',
  })
  if (tsc.status !== 0) {
    // Point at the guide's line, not the temp file.
    const byPath = new Map([...project.files].map(([b, p]) => [p, b]))
    const located = tsc.stdout.replace(/^(\S+?\.ts)\((\d+),(\d+)\)/gm, (m, p: string, l: string) => {
      const b = byPath.get(p)
      return b ? `${b.guide}:${b.line + Number(l)}` : m
    })
    assert.unreachable(`tsc:\n${located}${tsc.stderr}`)
  }
})

test("the authors' guide scenarios pass against the demo store through steady run", async () => {
  const store = createStore({ orderDelayMs: 100, log: () => {} })
  const { url } = await store.listen(0)
  try {
    let out = ''
    let err = ''
    const code = await main(
      [
        'run',
        'scenario-authors/scenarios',
        '--target',
        url,
        '--reporter',
        'pretty,json',
        '--out',
        'reports/guide',
        '--seed',
        'guide',
      ],
      {
        cwd: project.dir,
        env: { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '' },
        out: (s) => void (out += s),
        err: (s) => void (err += s),
        isTTY: false,
      },
    )
    assert.is(code, 0, out + err)
    const record = await readRunRecord(join(project.dir, 'reports/guide/run.json'))
    const failed = record.scenarios.filter((s) => s.failed > 0)
    assert.equal(
      failed.map((s) => s.name),
      [],
    )
    const names = record.scenarios.map((s) => s.name)
    for (const n of [
      'a customer checks out and the order ships',
      'an order goes through every state',
      'the cart rejects a zero quantity with 422',
      'a shared login reads the cart',
    ]) {
      assert.ok(names.includes(n), `ran "${n}"`)
    }
    const skipped = record.scenarios.filter((s) => s.iterations === 0).map((s) => s.name)
    assert.equal(skipped, ['gift cards'], 'only the scenario marked skip is skipped')
  } finally {
    await store.close()
  }
})

test('every config block loads, and each section passes the validation of the package that reads it', async () => {
  for (const [b, path] of project.files) {
    if (b.kind !== 'config') continue
    const where = `${b.guide}:${b.line}`
    const { config } = await loadConfig(project.dir, path)
    const c = config as Record<string, unknown>
    for (const name of Object.keys(config.targets ?? {}))
      assert.ok(resolveTarget(config, name).url, `${where}: target ${name}`)
    for (const [name, env] of Object.entries((c.environments ?? {}) as Record<string, { provider?: string }>)) {
      const provider = builtinProviders[env.provider ?? 'process']
      assert.ok(provider, `${where}: provider of ${name}`)
      provider!.validate(env, name)
    }
    const profiles = c.load ? Object.fromEntries(resolveLoadConfig(c.load)) : {}
    for (const [name, plan] of Object.entries((c.plans ?? {}) as Record<string, SoakPlan>))
      resolvePlan(name, plan, { profiles })
    for (const name of Object.keys((c.gates ?? {}) as Record<string, GateConfig>))
      selectGate(c.gates as Record<string, GateConfig>, name)
  }
})

test('every steady command in the guides names a real command and real options (sh blocks, and run: steps of yaml blocks)', () => {
  const program = referenceProgram()
  let count = 0
  const scripts = (b: Block): string[] => {
    if (b.lang === 'sh') return [b.code]
    if (b.lang !== 'yaml') return []
    const doc = parseDocument(b.code, { uniqueKeys: true })
    assert.equal(doc.errors.map(String), [], `${b.guide}:${b.line}: YAML errors`)
    const wf = doc.toJS() as { jobs?: Record<string, { steps?: { run?: string }[] }> }
    return Object.values(wf.jobs ?? {}).flatMap((j) => (j.steps ?? []).map((s) => s.run ?? ''))
  }
  for (const b of all) {
    for (const script of scripts(b)) {
      for (const args of steadyInvocations(script)) {
        count++
        assert.equal(checkInvocation(program, args), [], `${b.guide}:${b.line}: steady ${args.join(' ')}`)
      }
    }
  }
  assert.ok(count >= 20, `found ${count} commands`)
})

test.run()
