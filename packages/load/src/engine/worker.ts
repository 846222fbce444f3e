/**
 * A worker thread of the embedded engine: loads the scenario, runs its
 * segment of the profile, and posts each window (and iteration outcomes) to
 * the parent, which merges them.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { performance } from 'node:perf_hooks'
import { isSteadyError } from '@steady/record'
import { loadScenarioFiles } from '@steady/scenario'
import { realClock } from '@steady/kernel'
import { eventLoopMonitor } from '../metrics/self.ts'
import { WindowCollector } from '../metrics/windows.ts'
import { Runner } from './runner.ts'
import { scenarioIterations } from './scenario-iteration.ts'
import type { OutcomeBatch, ParentMessage, WorkerInput, WorkerMessage } from './worker-protocol.ts'

const input = workerData as WorkerInput
const port = parentPort!
const post = (m: WorkerMessage) => port.postMessage(m)

async function main(): Promise<void> {
  const stop = new AbortController()
  let start: (epoch: number) => void = () => {}
  const started = new Promise<number>((resolve) => (start = resolve))
  port.on('message', (m: ParentMessage) => {
    if (m.type === 'stop') {
      stop.abort('stop')
      start(performance.timeOrigin + performance.now())
    } else if (m.type === 'start') start(m.startEpoch)
  })
  const files = await loadScenarioFiles({ patterns: [input.scenario.file] })
  const scenario = files.flatMap((f) => f.scenarios).find((s) => s.name === input.scenario.name)
  if (!scenario) throw new Error(`no scenario "${input.scenario.name}" in ${input.scenario.file}`)
  let outcomes: OutcomeBatch[] = []
  const { iterate, vus, warmup } = scenarioIterations(scenario, {
    target: input.target,
    seed: input.seed,
    setupData: input.setupData,
    timeout: input.timeout,
    onResult: (r) => outcomes.push({ passed: r.passed, aborted: r.aborted, failure: r.failure }),
  })
  if (input.warmup) await warmup()
  post({ type: 'ready' })
  const t0 = (await started) - performance.timeOrigin
  const collector = new WindowCollector({
    clock: realClock,
    t0,
    windowMs: input.profile.windowMs,
    monitor: input.selfMonitor ? eventLoopMonitor() : undefined,
    onWindow: (window) => {
      if (outcomes.length) {
        post({ type: 'outcome', results: outcomes })
        outcomes = []
      }
      post({ type: 'window', window })
    },
  })
  const runner = new Runner({
    profile: input.profile,
    clock: realClock,
    t0,
    segment: input.segment,
    collector,
    iterate,
    vus,
    signal: stop.signal,
  })
  const result = await runner.run()
  await collector.flush()
  if (outcomes.length) post({ type: 'outcome', results: outcomes })
  post({ type: 'done', result })
}

main().then(
  () => port.close(),
  (error: unknown) => {
    post({
      type: 'error',
      message: error instanceof Error ? error.message : String(error),
      code: isSteadyError(error) ? error.code : undefined,
      hint: isSteadyError(error) ? error.hint : undefined,
    })
    port.close()
  },
)
