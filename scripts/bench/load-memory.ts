/**
 * The embedded engine's memory over a long run (a benchmark, not a test):
 * a fixed arrival rate against a server in its own process, RSS and heap
 * sampled every 10 s (after a GC when --expose-gc is on), first minute
 * against last. Default 2 minutes; `--minutes 10` for the recorded figure.
 *
 *   node --expose-gc --import tsx scripts/bench/load-memory.ts [--minutes 2] [--rate 1000]
 */
import { spawn } from 'node:child_process'
import os from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : fallback
}
const minutes = arg('minutes', 2)
const rate = arg('rate', 1000)
const root = resolve(import.meta.dirname, '../..')
const { loadScenarioFiles } = await import('@steady/scenario')
const { resolveProfile, runEmbedded } = await import('@steady/load')

const server = spawn(process.execPath, [join(import.meta.dirname, 'fixtures/load-server.mjs')], {
  stdio: ['ignore', 'pipe', 'inherit'],
})
const url = await new Promise<string>((res) => server.stdout!.once('data', (d: Buffer) => res(d.toString().trim())))
const file = fileURLToPath(new URL('./fixtures/load-ping.scenario.ts', import.meta.url))
await loadScenarioFiles({ patterns: [file] })
const gc = (globalThis as { gc?: () => void }).gc
const samples: { atS: number; rssMb: number; heapMb: number; externalMb: number }[] = []
const t0 = performance.now()
const sample = () => {
  gc?.()
  const m = process.memoryUsage()
  samples.push({
    atS: (performance.now() - t0) / 1000,
    rssMb: m.rss / 1e6,
    heapMb: m.heapUsed / 1e6,
    externalMb: (m.external + m.arrayBuffers) / 1e6,
  })
}
console.log(
  `load memory: ${rate} it/s for ${minutes} min, one request + one check, 10 s windows; ${os.cpus().length} cores; node ${process.versions.node}; load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}; gc ${gc ? 'forced before each sample' : 'not exposed'}`,
)
sample()
const timer = setInterval(sample, 10_000)
const profile = resolveProfile('memory', {
  executor: 'constant-arrival-rate',
  rate,
  duration: `${minutes}m`,
  preAllocatedVUs: 50,
  maxVUs: 500,
  exec: 'ping',
  window: '10s',
})
const r = await runEmbedded({ profile, target: url, scenario: { file, name: 'ping' }, seed: 'memory' })
clearInterval(timer)
sample()
server.kill('SIGTERM')
const firstMinute = samples.filter((s) => s.atS >= 10 && s.atS <= 70)
const lastMinute = samples.filter((s) => s.atS >= samples[samples.length - 1].atS - 60)
const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)
console.log('\n| at | RSS | heap used | external + buffers |')
console.log('|---|---|---|---|')
for (const s of samples.filter((_, i) => i % 6 === 0 || i === samples.length - 1))
  console.log(
    `| ${s.atS.toFixed(0)} s | ${s.rssMb.toFixed(1)} MB | ${s.heapMb.toFixed(1)} MB | ${s.externalMb.toFixed(1)} MB |`,
  )
console.log(
  `\nrequests ${r.totals.counter('http_reqs')}, dropped ${r.counts.dropped}, windows ${r.windows.length} (${r.windows.filter((w) => w.generator.saturated).length} saturated)`,
)
console.log(
  `heap used: first minute ${avg(firstMinute.map((s) => s.heapMb)).toFixed(1)} MB, last minute ${avg(lastMinute.map((s) => s.heapMb)).toFixed(1)} MB`,
)
console.log(
  `RSS: first minute ${avg(firstMinute.map((s) => s.rssMb)).toFixed(1)} MB, last minute ${avg(lastMinute.map((s) => s.rssMb)).toFixed(1)} MB, max ${Math.max(...samples.map((s) => s.rssMb)).toFixed(1)} MB`,
)
console.log(
  `(the result keeps every window's encoded histograms: ${(JSON.stringify(r.windows).length / 1e6).toFixed(2)} MB of JSON for ${r.windows.length} windows)`,
)
void root
