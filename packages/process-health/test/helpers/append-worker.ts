/**
 * A separate writer process for the concurrency test: waits for the `go`
 * file, then appends observations one call at a time, so its appends
 * interleave with the other workers' under the store's lock.
 *
 *   node --conditions=steady-source --import tsx append-worker.ts <store> <worker> <count>
 */
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { FileStore } from '@steady/process-health'

const [dir, worker, countText] = process.argv.slice(2)
const count = Number(countText)
const store = new FileStore(dir)
writeFileSync(join(dir, `ready-${worker}`), '')
const deadline = Date.now() + 30_000
while (!existsSync(join(dir, 'go'))) {
  if (Date.now() > deadline) throw new Error('no go file within 30s')
  await new Promise((r) => setTimeout(r, 5))
}
const base = Date.parse('2025-03-01T00:00:00Z')
for (let i = 0; i < count; i++) {
  // Alternate between two months, so two files see contention.
  const at = base + (i % 2 ? 40 : 0) * 86_400_000 + i * 1000
  await store.append({
    process: 'ci',
    indicator: 'cycle_time',
    value: i,
    at,
    labels: { runner: `w${worker}` },
    fields: { writer: Number(worker), seq: i, pad: 'x'.repeat(200 + ((i * 37) % 500)) },
  })
}
