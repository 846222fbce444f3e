/**
 * Runs steady scenarios as load iterations: each VU has its own undici
 * dispatcher (its own keep-alive connections, as each k6 VU has its own), and
 * each iteration is one `runIteration` of the scenario, its requests recorded
 * as k6's `http_req_*` samples and its `expect`s as `checks`.
 */
import {
  createDispatcher,
  loadScenarioFiles,
  runIteration,
  scenario,
  type IterationResult,
  type RequestEvent,
  type Scenario,
  type ScenarioContext,
} from '@steady/scenario'
import { SteadyError, type Redactor } from '@steady/record'
import type { IterationFn, RequestSample, VuFactory } from './runner.ts'

/** A VU's state: its own connection pool. */
export interface ScenarioVu {
  dispatcher: ReturnType<typeof createDispatcher>
}

/** What the engine needs to run a scenario's iterations. */
export interface ScenarioSource {
  /** The scenario file (absolute path). */
  file: string
  /** The scenario's name (the profile's `exec`). */
  name: string
}

export interface ScenarioIterationOptions {
  /** The target's base URL. */
  target: string
  /** The run seed. */
  seed: string
  /** The file's setup data (run once before the load, as k6 runs `setup()`). */
  setupData?: unknown
  /** Iteration timeout. */
  timeout?: string
  redactor?: Redactor
  /** Every iteration's result (for scenario pass/fail counts and failure samples). */
  onResult?: (result: IterationResult) => void
}

/** The k6 `name` tag of a request: its step path; requests outside steps are named after the scenario. */
function requestSample(e: RequestEvent): RequestSample {
  return {
    name: e.step || e.scenario,
    method: e.method,
    status: e.status,
    durationMs: e.durationMs,
    expected: e.expected,
    error: e.error,
    timings: {
      blocked: e.timings.blocked,
      connecting: e.timings.connect,
      tlsHandshaking: e.timings.tls,
      waiting: e.timings.waiting,
      receiving: e.timings.receiving,
    },
  }
}

/** The iteration function and VU factory that run `scenario` for the engine. */
export function scenarioIterations(
  scenario: Scenario,
  options: ScenarioIterationOptions,
): { iterate: IterationFn<ScenarioVu>; vus: VuFactory<ScenarioVu>; warmup: () => Promise<void> } {
  return {
    // One unrecorded iteration before the clock starts: the first run of a scenario loads and
    // compiles its code (modules, JSON schemas), which would otherwise block the scheduler for
    // a few hundred ms and read as a saturated generator in the first window.
    warmup: async () => {
      const dispatcher = createDispatcher({})
      try {
        await runIteration(scenario, {
          baseUrl: options.target,
          seed: `${options.seed}-warmup`,
          iteration: 0,
          vu: 0,
          dispatcher,
          setupData: options.setupData,
          timeout: options.timeout,
          redactor: options.redactor,
        })
      } catch {
        // The run itself will show what is wrong.
      } finally {
        await dispatcher.destroy().catch(() => undefined)
      }
    },
    vus: {
      create: () => ({ dispatcher: createDispatcher({}) }),
      destroy: async (vu) => {
        await vu.dispatcher.destroy().catch(() => undefined)
      },
    },
    iterate: async (ctx) => {
      const result = await runIteration(scenario, {
        baseUrl: options.target,
        seed: options.seed,
        iteration: ctx.iteration,
        vu: ctx.vu,
        signal: ctx.signal,
        dispatcher: ctx.state.dispatcher,
        setupData: options.setupData,
        timeout: options.timeout,
        redactor: options.redactor,
        onRequest: (e) => ctx.metrics.request(requestSample(e)),
      })
      ctx.metrics.checks(result.checks.passed, result.checks.failed)
      // An iteration that failed without any failed expect (an exception, a timeout) fails a check too,
      // so `checks` tells every failed iteration; one cut short by the engine is not a failure of the service.
      if (!result.passed && !result.aborted && result.checks.failed === 0) ctx.metrics.checks(0, 1)
      options.onResult?.(result)
    },
  }
}

/** Finds the scenario a profile's `exec` names among scenario files (patterns relative to `cwd`). */
export async function findScenario(
  patterns: readonly string[],
  name: string,
  cwd: string,
  where: string,
): Promise<{ scenario: Scenario; file: string; hooks: ScenarioHooks }> {
  const files = await loadScenarioFiles({ patterns, cwd })
  const names: string[] = []
  for (const f of files) {
    for (const s of f.scenarios) {
      if (s.name === name)
        return {
          scenario: s,
          file: f.path,
          hooks: { setup: f.setup as ScenarioHooks['setup'], teardown: f.teardown as ScenarioHooks['teardown'] },
        }
      names.push(s.name)
    }
  }
  throw new SteadyError('STEADY_LOAD_EXEC_NOT_FOUND', `${where}.exec: no scenario named "${name}"`, {
    hint: names.length
      ? `name one of: ${names.map((n) => JSON.stringify(n)).join(', ')}`
      : "add scenario files (scenarios/**/*.scenario.ts) or fix the config's scenarios patterns",
    details: { field: `${where}.exec`, value: name },
  })
}

/** The file-level hooks of a scenario file, as the loader returns them. */
export interface ScenarioHooks {
  setup?: (ctx: ScenarioContext<undefined>) => unknown
  teardown?: (ctx: ScenarioContext<unknown>, data: unknown) => unknown
}

/**
 * Runs a scenario file's `setup` once before the load, as k6 runs `setup()`:
 * its return value is every iteration's `setupData`. A failing setup stops
 * the run (exit 1), and its teardown is then not run, as in k6.
 */
export async function runSetup(
  hooks: ScenarioHooks,
  options: { target: string; seed: string; signal?: AbortSignal; redactor?: Redactor; file?: string },
): Promise<unknown> {
  if (!hooks.setup) return undefined
  const setup = hooks.setup
  const r = await runIteration(
    scenario('setup', (ctx) => setup(ctx as ScenarioContext<undefined>) as Promise<void>),
    {
      baseUrl: options.target,
      seed: options.seed,
      iteration: 0,
      signal: options.signal,
      redactor: options.redactor,
    },
  )
  if (!r.passed) {
    throw new SteadyError(
      'STEADY_LOAD_SETUP_FAILED',
      `setup of ${options.file ?? 'the scenario file'} failed: ${r.failure?.message ?? 'unknown error'}`,
      {
        hint: 'run the scenario with `steady run` to see the failure in full',
        exitCode: 1,
      },
    )
  }
  return r.value
}

/** Runs a scenario file's `teardown` once after the load with the setup data (failures are reported, not thrown). */
export async function runTeardown(
  hooks: ScenarioHooks,
  data: unknown,
  options: { target: string; seed: string; redactor?: Redactor },
): Promise<string | undefined> {
  if (!hooks.teardown) return undefined
  const teardown = hooks.teardown
  const r = await runIteration(
    scenario('teardown', (ctx) => teardown(ctx, data) as Promise<void>),
    {
      baseUrl: options.target,
      seed: options.seed,
      iteration: 0,
      setupData: data,
      redactor: options.redactor,
    },
  )
  return r.passed ? undefined : `teardown failed: ${r.failure?.message ?? 'unknown error'}`
}
