/**
 * One measurement of the run-overhead benchmark in a process of its own, so
 * that one tool's heap and garbage do not slow another's: warms up, then
 * prints the client CPU per iteration (µs) of `n` iterations as JSON.
 *
 *   node --import tsx scripts/bench/run-overhead-peer.ts <steady|stepci|newman> <n> <url> [peers folder]
 *
 * Started by run-overhead.ts, which runs the tools in interleaved rounds.
 */
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { chosenFlow, cpuMs, measure, newmanCollection, stepciWorkflow } from './fixtures/overhead-flow.ts'

const [tool, nText, url, peers = ''] = process.argv.slice(2)
const n = Number(nText)
const flow = chosenFlow()
/**
 * Warm-up: at least 100 iterations and 2 s of CPU, so the JIT has compiled the
 * hot paths of the cheapest client too (100 steady iterations are 20 ms of work,
 * and measured after them steady looked 5× slower than in a warm process).
 */
async function warmUp(iteration: (i: number) => Promise<void>): Promise<void> {
  const start = cpuMs()
  for (let i = 0; i < 100 || cpuMs() - start < 2000; i++) await iteration(i)
}

async function steadyUs(): Promise<number> {
  const { createDispatcher, expect, runIteration, scenario } = await import('@steady/scenario')
  const measured = scenario(`${flow.length} requests`, async ({ http, step }) => {
    await step('flow', async () => {
      for (const q of flow) {
        const options = { ...(q.query ? { query: q.query } : {}), ...(q.json ? { json: q.json } : {}) }
        const call = { GET: http.get, POST: http.post, PUT: http.put, DELETE: http.delete }[q.method]
        expect(await call.call(http, q.path, options)).toHaveStatus(q.status)
      }
    })
  })
  const dispatcher = createDispatcher({ keepAlive: '60s' })
  const iteration = async (i: number) => {
    const r = await runIteration(measured, { baseUrl: url, seed: 1, iteration: i, dispatcher, onRequest: () => {} })
    if (!r.passed) throw new Error(r.failure?.message)
  }
  await warmUp(iteration)
  const us = await measure(n, iteration)
  await dispatcher.close()
  return us
}

async function stepciUs(): Promise<number> {
  const stepci = createRequire(join(peers, 'package.json'))('@stepci/runner') as {
    run(w: unknown): Promise<{ result: { passed: boolean } }>
  }
  const workflow = stepciWorkflow(flow, url)
  // One run() per iteration: what a CI step that runs the workflow once pays per flow.
  const iteration = async () => {
    if (!(await stepci.run(workflow)).result.passed) throw new Error('Step CI flow failed')
  }
  await warmUp(iteration)
  return measure(n, iteration)
}

async function newmanUs(): Promise<number> {
  type Newman = { run(o: unknown, cb: (err: Error | null, summary: { run: { failures: unknown[] } }) => void): void }
  const newman = createRequire(join(peers, 'package.json'))('newman') as Newman
  const collection = newmanCollection(flow, url)
  // One run of N iterations (its setup shared by all of them), reporters off.
  const run = (iterations: number) =>
    new Promise<number>((res, rej) => {
      const start = cpuMs()
      newman.run({ collection, iterationCount: iterations, reporters: [] }, (err, summary) => {
        if (err) return rej(err)
        if (summary.run.failures.length) return rej(new Error(`newman: ${summary.run.failures.length} failures`))
        res(((cpuMs() - start) / iterations) * 1000)
      })
    })
  // Newman runs its iterations inside one run: warm it up with a run of its own of at least 2 s of CPU.
  const perIteration = await run(20)
  await run(Math.max(20, Math.ceil(2_000_000 / perIteration)))
  return run(n)
}

const measurers: Record<string, () => Promise<number>> = { steady: steadyUs, stepci: stepciUs, newman: newmanUs }
if (!measurers[tool] || !(n > 0) || !url) {
  console.error('usage: run-overhead-peer.ts <steady|stepci|newman> <n> <url> [peers folder]')
  process.exit(2)
}
console.log(JSON.stringify({ tool, us: await measurers[tool]() }))
