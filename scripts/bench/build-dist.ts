/**
 * Builds the `dist/` of steady packages for a benchmark that measures them as
 * a team installs them (not from sources through tsx): the packages asked
 * for and every `@steady/*` package they depend on, dependencies first, read
 * from each package.json, so a new dependency between packages cannot leave
 * a benchmark importing a `dist/` that was never built.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '../..')

/** `pkgs` (folder names under packages/) and their steady dependencies, each after what it imports. */
function withDependencies(pkgs: readonly string[]): string[] {
  const order: string[] = []
  const visit = (pkg: string): void => {
    if (order.includes(pkg)) return
    const manifest = JSON.parse(readFileSync(join(root, 'packages', pkg, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>
    }
    for (const dep of Object.keys(manifest.dependencies ?? {}))
      if (dep.startsWith('@steady/')) visit(dep.slice('@steady/'.length))
    order.push(pkg)
  }
  for (const pkg of pkgs) visit(pkg)
  return order
}

/**
 * Builds `dist/` of `pkgs` and their steady dependencies with `tsc -p tsconfig.build.json`: every one
 * (`rebuild`), or only those without a `dist/index.js`. Returns the `dist/` folders that did not exist
 * before, so a benchmark can remove what it made; they are also added to `options.created` as they are
 * made, so a build that fails half-way still says what to remove.
 */
export function buildDist(pkgs: readonly string[], options: { rebuild: boolean; created?: string[] }): string[] {
  const created = options.created ?? []
  for (const pkg of withDependencies(pkgs)) {
    const dist = join(root, 'packages', pkg, 'dist')
    if (!options.rebuild && existsSync(join(dist, 'index.js'))) continue
    if (!existsSync(dist)) created.push(dist)
    const tsc = join(root, 'node_modules/typescript/bin/tsc')
    const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'packages', pkg, 'tsconfig.build.json')], {
      stdio: 'inherit',
    })
    if (r.status !== 0) throw new Error(`building @steady/${pkg} failed`)
  }
  return created
}
