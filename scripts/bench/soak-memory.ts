/**
 * The soak runner's own memory over a long soak: a one-request scenario at a
 * fixed 200 iterations/s (embedded engine, open model) plus the probe loop,
 * against a tiny server in its own process. Reports resident-memory growth
 * of the runner after warm-up (target: under 10 MB over 10 minutes).
 *
 *   npx tsx --conditions=steady-source scripts/bench/soak-memory.ts [--minutes 10] [--rate 200]
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { loadScenarioFiles } from '@steady/scenario'
import { resolveProfile } from '@steady/load'
import { resolvePlan, soak } from '@steady/soak'

const { values } = parseArgs({
  options: { minutes: { type: 'string', default: '10' }, rate: { type: 'string', default: '200' } },
})
const minutes = Number(values.minutes)
const rate = Number(values.rate)
const here = import.meta.dirname

const server = spawn(process.execPath, [join(here, 'fixtures', 'tiny-server.mjs')], {
  stdio: ['ignore', 'pipe', 'inherit'],
})
const url = await new Promise<string>((resolve) =>
  server.stdout!.on('data', (d: Buffer) => resolve(d.toString().match(/http:\/\/\S+/)![0])),
)

const profile = resolveProfile('steady', {
  executor: 'constant-arrival-rate',
  exec: 'one request',
  rate,
  timeUnit: '1s',
  duration: `${minutes}m`,
  preAllocatedVUs: 20,
  maxVUs: 200,
})
const plan = resolvePlan(
  'bench',
  { window: '10s', scrape: { path: false }, phases: [{ name: 'steady', duration: `${minutes}m`, load: 'steady' }] },
  { profiles: { steady: {} } },
)
const patterns = [join(here, 'fixtures', 'one-request.scenario.ts')]
const files = await loadScenarioFiles({ patterns })
const out = mkdtempSync(join(tmpdir(), 'steady-soak-mem-'))

const samples: { atS: number; rssMb: number; heapMb: number }[] = []
const t0 = Date.now()
const sampler = setInterval(() => {
  const m = process.memoryUsage()
  samples.push({ atS: (Date.now() - t0) / 1000, rssMb: m.rss / 1e6, heapMb: m.heapUsed / 1e6 })
}, 10_000)

const result = await soak({
  plan,
  files,
  scenarioPatterns: patterns,
  cwd: process.cwd(),
  profiles: new Map([['steady', profile]]),
  target: url,
  services: [{ name: 'tiny', url, pid: server.pid }],
  outDir: out,
  runId: 'bench',
  seed: '1',
  subject: { service: 'tiny' },
  configHash: 'bench',
  toolVersion: '0.0.0',
  write: (s) => process.stderr.write(s),
  isTTY: false,
})
clearInterval(sampler)
server.kill('SIGTERM')
const r = result.record!
const load = r.phases[0].load!
const warm = samples.filter((s) => s.atS >= 60)
const first = warm[0] ?? samples[0]
const last = warm.at(-1) ?? samples.at(-1)!
const peak = Math.max(...warm.map((s) => s.rssMb))
console.log(
  `soak ${minutes} min at ${rate} it/s: ${load.iterations} load iterations (achieved ${load.achievedRate} it/s, dropped ${load.droppedIterations}), ${r.scenarios[0]?.iterations ?? 0} probe iterations`,
)
console.log(
  `runner RSS after warm-up (1 min): ${first.rssMb.toFixed(1)} MB → ${last.rssMb.toFixed(1)} MB at the end (peak ${peak.toFixed(1)} MB): growth ${(last.rssMb - first.rssMb).toFixed(1)} MB (target < 10 MB)`,
)
console.log(`heap used: ${first.heapMb.toFixed(1)} MB → ${last.heapMb.toFixed(1)} MB`)
console.log(`samples (s: RSS MB): ${samples.map((s) => `${s.atS.toFixed(0)}:${s.rssMb.toFixed(0)}`).join(' ')}`)
rmSync(out, { recursive: true, force: true })
