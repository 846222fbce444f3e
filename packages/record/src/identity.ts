import { cpus, platform, arch } from 'node:os'
import { randomBytes } from 'node:crypto'
import type { ComparabilityKey } from './run-record.ts'

/**
 * The comparability key of this machine and run: runs are compared only when
 * it matches (host CPU and cores, Node.js, plan, duration scale, load engine).
 */
export function comparabilityKey(run: {
  planHash?: string | null
  durationScale?: number
  engine?: string | null
}): ComparabilityKey {
  const list = cpus()
  return {
    cpuModel: (list[0]?.model ?? 'unknown').replace(/\s+/g, ' ').trim(),
    cores: list.length,
    node: process.versions.node,
    platform: `${platform()}-${arch()}`,
    planHash: run.planHash ?? null,
    durationScale: run.durationScale ?? 1,
    engine: run.engine ?? null,
  }
}

/**
 * The fields of two keys that differ, by name, e.g. `["cores: 2 vs 8"]`. A field
 * either key has counts, so an optional one (`paired`) set on one side only differs.
 */
export function comparabilityDiff(
  a: ComparabilityKey,
  b: ComparabilityKey,
): { field: keyof ComparabilityKey; a: unknown; b: unknown }[] {
  const out: { field: keyof ComparabilityKey; a: unknown; b: unknown }[] = []
  const fields = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof ComparabilityKey>
  for (const field of fields) {
    if (a[field] !== b[field]) out.push({ field, a: a[field], b: b[field] })
  }
  return out
}

/** A run id that sorts by time and is safe in paths: `2026-11-26T06-40-12Z-7f3a`. */
export function newRunId(at: Date = new Date()): string {
  return `${at
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-')}-${randomBytes(2).toString('hex')}`
}
