/**
 * `runScenarios`: what `steady run` does, callable from any program. Loads
 * nothing itself (give it `loadScenarioFiles` output), runs every selected
 * scenario for `iterations` iterations on `concurrency` workers, runs each
 * file's setup before its first iteration and its teardown after its last
 * (always, even after Ctrl-C), feeds reporters, and builds the run record.
 *
 * `runScenarios()` composes the units under `run/`: the work list and each
 * scenario's tally (`tally.ts`), the workers (`work.ts`), the files' setup
 * and teardown hooks (`hooks.ts`), the failure groups (`failures.ts`) and
 * the record (`record.ts`).
 */
import { createRequire } from 'node:module'
import { newRunId, parseDuration, type Duration } from '@steady/record/internal'
import { Redactor, SeriesAggregator, type RedactionOptions, type Subject } from '@steady/record'
import type { Dispatcher } from 'undici'
import { randomSeed, type Seed } from './data.ts'
import type { RecordedSetup } from './setup-record.ts'
import type { Exchange, HeadersInit, ResponseValidator } from './http/client.ts'
import { createDispatcher, type DispatcherOptions } from './http/dispatcher.ts'
import type { RequestEvent } from './iteration.ts'
import type { ScenarioFile } from './loader.ts'
import { loadOpenApi, OpenApiValidator } from './openapi.ts'
import { createMultiplexer, type ReporterError } from './reporters/multiplexer.ts'
import type { Reporter, RunResult, RunStartInfo } from './reporters/types.ts'
import { RunFailures } from './run/failures.ts'
import { FileHooks, type IterationCommon } from './run/hooks.ts'
import { runRecordOf } from './run/record.ts'
import { endTally, planJobs, settleUnfinished, type Tally } from './run/tally.ts'
import { Work } from './run/work.ts'

const version = (createRequire(import.meta.url)('../package.json') as { version: string }).version

/** Options of {@link runScenarios}. */
export interface RunScenariosOptions {
  /** Loaded scenario files (from `loadScenarioFiles`). */
  files: readonly ScenarioFile[]
  /** The target's base URL. */
  baseUrl: string
  /** The config's name for the target, if one was used (shown, recorded). */
  targetName?: string
  /** Extra facts about what is tested (an environment from @steady/env, a version). */
  subject?: Subject
  /** Iterations per scenario. Default 1. */
  iterations?: number
  /** Iterations running at once (across scenarios). Default 1. */
  concurrency?: number
  /** Run seed; default a random one (printed, recorded). */
  seed?: Seed
  /** Iteration timeout. Default `'60s'`. */
  timeout?: Duration
  /** Default request timeout. Default `'30s'`. */
  requestTimeout?: Duration
  /** Stop starting iterations after the first failure (`true`) or after N failures. */
  bail?: boolean | number
  /** Reporters, called in order (put the console one last: it prints the files the others wrote). */
  reporters?: readonly Reporter[]
  /** Interrupt: running iterations are aborted, teardowns still run, the record is marked incomplete. */
  signal?: AbortSignal
  /** Headers sent with every request (config `headers`). */
  headers?: HeadersInit
  /** Redaction rules (config `redaction`), or a redactor to share. */
  redaction?: RedactionOptions | Redactor
  /** Connection options (TLS, proxy) for a dispatcher the run creates and closes. */
  http?: DispatcherOptions
  /** A dispatcher to use instead (not closed by the run). */
  dispatcher?: Dispatcher
  /** Validate every response against an OpenAPI document (path, object or loaded validator). */
  openapi?: string | Record<string, unknown> | ResponseValidator
  /** Run only this iteration of this scenario (`--replay`). */
  only?: { scenario: string; iteration: number }
  /**
   * `--replay`: the recorded run's setup results by file (`recordedSetups(record)`).
   * A file's setup does not run when its recorded result can stand in whole
   * (stored, nothing masked, and no teardown in the file that would have
   * removed what it made); otherwise it re-runs with the same seed, and the
   * iterations get the recorded result with only the masked parts taken from
   * the re-run (or, with a teardown, the re-run's result). `RunResult.setups` says which.
   */
  recordedSetups?: ReadonlyMap<string, RecordedSetup>
  /** Every exchange as it ends, with the run's redactor (for verbose `--replay` output). */
  onExchange?: (exchange: Exchange, redactor: Redactor) => void
  /** Every request event (metrics). */
  onRequest?: (event: RequestEvent) => void
  /** Run id; default a new time-sortable one. */
  runId?: string
  /** sha256 prefix of the config used (recorded for comparability). */
  configHash?: string
  /** Window size of the record's series. Default `'10s'`. */
  window?: Duration
  /** Told when a reporter throws (the run goes on). */
  onReporterError?: (error: ReporterError) => void
}

/** The seed as the record keeps it. */
function seedText(seed: Seed): string {
  return String(seed)
}

/**
 * Runs scenarios and resolves with the result (never rejects for a failing
 * scenario; rejects only for bad options). See the module docs.
 */
export async function runScenarios(options: RunScenariosOptions): Promise<RunResult> {
  const iterations = Math.max(1, Math.floor(options.iterations ?? 1))
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1))
  const seed: Seed = options.seed ?? randomSeed()
  const redactor = options.redaction instanceof Redactor ? options.redaction : new Redactor(options.redaction)
  const runId = options.runId ?? newRunId()
  const startedAt = new Date()
  const runStart = performance.now()
  const now = () => performance.now() - runStart
  const agg = new SeriesAggregator({ now, windowMs: parseDuration(options.window ?? '10s', 'window') })
  agg.setPhase('run')
  const validator = await validatorOf(options.openapi)
  const ownDispatcher = options.dispatcher ? undefined : createDispatcher(options.http)
  const dispatcher = options.dispatcher ?? ownDispatcher!
  const mux = createMultiplexer(options.reporters ?? [], options.onReporterError)
  const signal = options.signal

  // Work list: (scenario, iteration) jobs, file by file.
  const { tallies, jobs } = planJobs(options.files, iterations, options.only)
  await mux.onRunStart(startInfo(options, { runId, seed, iterations, concurrency, startedAt }, tallies.values()))

  const failures = new RunFailures()
  const endScenario = async (tally: Tally) => {
    if (endTally(tally)) await mux.onScenarioEnd(tally.summary)
  }
  const common: IterationCommon = {
    baseUrl: options.baseUrl,
    seed,
    dispatcher,
    headers: options.headers,
    redactor,
    validator,
    runStart,
    timeout: options.timeout,
    requestTimeout: options.requestTimeout,
    onExchange: options.onExchange ? (e: Exchange) => options.onExchange!(e, redactor) : undefined,
  }
  // Per-file setup (once, lazily) and teardown (after the file's last iteration).
  const recordedSetups = options.recordedSetups
  const hooks = new FileHooks({ common, redactor, signal, recordedSetups, now, failures }, jobs)
  const work = new Work({
    jobs,
    concurrency,
    signal,
    bail: options.bail,
    hooks,
    common,
    agg,
    failures,
    onRequest: options.onRequest,
    iterationEnded: (result) => mux.onIterationEnd(result),
    scenarioEnded: endScenario,
  })
  try {
    await work.run()
  } finally {
    // Teardown of files whose iterations did not all run (bail, interrupt).
    await hooks.tearDownRest()
    await ownDispatcher?.close().catch(() => {})
  }
  if (signal?.aborted) work.stopReason = 'interrupt'
  for (const tally of tallies.values()) {
    if (tally.ended) continue
    settleUnfinished(tally, work.stopReason, work.failed)
    await endScenario(tally)
  }

  const durationMs = now()
  agg.closeAll()
  const scenarios = [...tallies.values()].map((t) => t.summary)
  const record = runRecordOf({
    runId,
    startedAt,
    durationMs,
    toolVersion: version,
    subject: { ...options.subject, target: options.baseUrl },
    seed: seedText(seed),
    configHash: options.configHash ?? 'none',
    agg,
    scenarios,
    notes: hooks.notes,
    failures: failures.groups(),
    stopReason: work.stopReason,
    failed: work.failed,
    signal,
  })
  const interrupted = work.stopReason === 'interrupt'
  const failed = scenarios.some((s) => s.status === 'failed') || hooks.hookFailures.length > 0
  const result: RunResult = {
    record,
    status: interrupted ? 'interrupted' : failed ? 'failed' : 'passed',
    scenarios,
    hookFailures: hooks.hookFailures,
    setups: hooks.outcomes,
    reporterErrors: mux.errors,
    outputs: mux.outputs,
  }
  await mux.onRunEnd(result)
  return result
}

/** What reporters are told when the run starts. */
function startInfo(
  options: RunScenariosOptions,
  run: { runId: string; seed: Seed; iterations: number; concurrency: number; startedAt: Date },
  tallies: Iterable<Tally>,
): RunStartInfo {
  return {
    runId: run.runId,
    seed: seedText(run.seed),
    target: options.baseUrl,
    targetName: options.targetName,
    iterations: options.only ? 1 : run.iterations,
    concurrency: run.concurrency,
    scenarios: [...tallies].map((t) => ({ name: t.scenario.name, file: t.file.relativePath, tags: t.scenario.tags })),
    startedAt: run.startedAt.toISOString(),
    ...(options.only ? { replay: options.only } : {}),
  }
}

/** The response validator the options ask for: an OpenAPI document loaded from a path, given, or a validator. */
async function validatorOf(openapi: RunScenariosOptions['openapi']): Promise<ResponseValidator | undefined> {
  if (openapi === undefined) return undefined
  if (typeof openapi === 'string') return loadOpenApi(openapi)
  return isValidator(openapi) ? openapi : new OpenApiValidator(openapi)
}

function isValidator(v: unknown): v is ResponseValidator {
  return typeof v === 'object' && v !== null && typeof (v as ResponseValidator).validate === 'function'
}
