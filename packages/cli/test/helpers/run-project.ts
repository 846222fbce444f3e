/** Temp projects for `steady run` tests: files, a node_modules link to the repo's, and an in-process CLI. */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { main } from '@steady/cli'

export const repoRoot = resolve(import.meta.dirname, '../../../..')

export function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'steady-run-'))
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir')
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n')
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true })
    writeFileSync(join(dir, name), text)
  }
  return dir
}

export async function steady(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  let out = ''
  let err = ''
  const code = await main(argv, {
    cwd,
    env: { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '', ...env },
    out: (s) => void (out += s),
    err: (s) => void (err += s),
    isTTY: false,
  })
  return { code, out, err }
}
