/**
 * `runScenarios`: what `steady run` does, callable from any program. Loads
 * nothing itself (give it `loadScenarioFiles` output), runs every selected
 * scenario for `iterations` iterations on `concurrency` workers, runs each
 * file's setup before its first iteration and its teardown after its last
 * (always, even after Ctrl-C), feeds reporters, and builds the run record.
 */
import { createRequire } from 'node:module'
import {
  comparabilityKey,
  newRunId,
  parseDuration,
  Redactor,
  RUN_SCHEMA,
  HISTOGRAM_PARAMETERS,
  SeriesAggregator,
  signatureKey,
  type Duration,
  type FailureGroup,
  type RedactionOptions,
  type RunRecord,
  type Subject,
} from '@steady/record'
import type { Dispatcher } from 'undici'
import { randomSeed, type Seed } from './data.ts'
import { fillMasked, formatPath, recordSetup, setupEventData, type RecordedSetup } from './setup-record.ts'
import type { Scenario } from './define.ts'
import { kScenario } from './symbols.ts'
import type { FailureSample } from './failure.ts'
import type { Exchange, HeadersInit, ResponseValidator } from './http/client.ts'
import { createDispatcher, type DispatcherOptions } from './http/dispatcher.ts'
import { runIteration, type IterationResult, type RequestEvent } from './iteration.ts'
import type { ScenarioFile } from './loader.ts'
import { loadOpenApi, OpenApiValidator } from './openapi.ts'
import { createMultiplexer, type ReporterError } from './reporters/multiplexer.ts'
import type { Reporter, RunResult, RunStartInfo, ScenarioSummary, SetupOutcome, StepSummary } from './reporters/types.ts'

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

interface Tally {
  scenario: Scenario
  file: ScenarioFile
  summary: ScenarioSummary
  remaining: number
  steps: Map<string, StepSummary & { totalMs: number }>
  ended: boolean
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
  const validator =
    options.openapi === undefined ? undefined : typeof options.openapi === 'string' ? await loadOpenApi(options.openapi) : isValidator(options.openapi) ? options.openapi : new OpenApiValidator(options.openapi)
  const ownDispatcher = options.dispatcher ? undefined : createDispatcher(options.http)
  const dispatcher = options.dispatcher ?? ownDispatcher!
  const mux = createMultiplexer(options.reporters ?? [], options.onReporterError)
  const signal = options.signal

  // Work list: (scenario, iteration) jobs, file by file.
  const tallies = new Map<Scenario, Tally>()
  const jobs: { tally: Tally; iteration: number }[] = []
  for (const file of options.files) {
    for (const scenario of file.scenarios) {
      if (options.only && scenario.name !== options.only.scenario) continue
      const skip = scenario.options.skip
      const tally: Tally = {
        scenario,
        file,
        remaining: 0,
        steps: new Map(),
        ended: false,
        summary: {
          name: scenario.name,
          file: file.relativePath,
          line: scenario.line,
          tags: scenario.tags,
          status: skip ? 'skipped' : 'passed',
          ...(skip ? { skipReason: typeof skip === 'string' ? skip : 'skip: true' } : {}),
          iterations: 0,
          passed: 0,
          failed: 0,
          durationMs: 0,
          meanMs: 0,
          maxMs: 0,
          steps: [],
          requests: 0,
          unexpectedRequests: 0,
          checks: { passed: 0, failed: 0 },
          failures: [],
        },
      }
      tallies.set(scenario, tally)
      if (skip) continue
      const list = options.only ? [options.only.iteration] : Array.from({ length: iterations }, (_, i) => i)
      for (const iteration of list) {
        jobs.push({ tally, iteration })
        tally.remaining++
      }
    }
  }

  const info: RunStartInfo = {
    runId,
    seed: seedText(seed),
    target: options.baseUrl,
    targetName: options.targetName,
    iterations: options.only ? 1 : iterations,
    concurrency,
    scenarios: [...tallies.values()].map((t) => ({ name: t.scenario.name, file: t.file.relativePath, tags: t.scenario.tags })),
    startedAt: startedAt.toISOString(),
    ...(options.only ? { replay: options.only } : {}),
  }
  await mux.onRunStart(info)

  const groups = new Map<string, FailureGroup & { tail: FailureSample[] }>()
  const hookFailures: FailureSample[] = []
  const addFailure = (sample: FailureSample, status: number | undefined) => {
    const signature = { scenario: sample.scenario, step: sample.step, assertion: sample.assertion, ...(status ? { status } : {}), ...(sample.errorKind ? { errorCode: sample.errorKind } : {}) }
    const key = signatureKey(signature)
    let g = groups.get(key)
    if (!g) groups.set(key, (g = { signature, count: 0, firstAtMs: sample.atMs, lastAtMs: sample.atMs, byPhase: {}, samples: [], tail: [] }))
    g.count++
    g.lastAtMs = Math.max(g.lastAtMs, sample.atMs)
    g.byPhase.run = (g.byPhase.run ?? 0) + 1
    if (g.samples.length < 3) g.samples.push(sample)
    else {
      g.tail.push(sample)
      if (g.tail.length > 3) g.tail.shift()
    }
  }

  const endScenario = async (tally: Tally) => {
    if (tally.ended) return
    tally.ended = true
    const s = tally.summary
    s.meanMs = s.iterations ? s.durationMs / s.iterations : 0
    s.steps = [...tally.steps.values()].map(({ totalMs, ...rest }) => ({ ...rest, meanMs: rest.count ? totalMs / rest.count : 0 }))
    await mux.onScenarioEnd(s)
  }

  // Per-file setup (once, lazily) and teardown (after the file's last iteration).
  const setups = new Map<ScenarioFile, Promise<{ ok: boolean; data?: unknown; failure?: FailureSample }>>()
  const pendingByFile = new Map<ScenarioFile, number>()
  for (const j of jobs) pendingByFile.set(j.tally.file, (pendingByFile.get(j.tally.file) ?? 0) + 1)
  const teardowns: Promise<void>[] = []
  const setupNotes: RunRecord['events'] = []
  const setupResults: RunResult['setups'] = []
  const hookScenario = (name: string, fn: Scenario['fn'], file: ScenarioFile): Scenario => ({ [kScenario]: true, name, tags: [], options: {}, fn, file: file.path })
  const common = {
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
  const runSetupFn = (file: ScenarioFile) =>
    runIteration(hookScenario(`${file.relativePath} setup`, file.setup as Scenario['fn'], file), { ...common, iteration: 0, signal, file: file.relativePath })
  const runSetup = (file: ScenarioFile) => {
    let p = setups.get(file)
    if (!p) {
      p = file.setup ? setupFor(file) : Promise.resolve({ ok: true })
      setups.set(file, p)
    }
    return p
  }
  const setupFor = async (file: ScenarioFile): Promise<{ ok: boolean; data?: unknown; failure?: FailureSample }> => {
    const recorded = options.recordedSetups?.get(file.relativePath)
    const masked = recorded?.masked ?? []
    // The recorded result stands in whole: the replayed iteration gets exactly what the recorded one got, and setup does not touch the service.
    if (recorded?.kept && masked.length === 0 && !file.teardown) {
      setupNotes.push({ atMs: now(), kind: 'note', message: `setup of ${file.relativePath} (recorded result reused)`, data: setupEventData(recorded) })
      setupResults.push({ file: file.relativePath, fingerprint: recorded.fingerprint, replay: { source: 'recorded', recordedFingerprint: recorded.fingerprint } })
      return { ok: true, data: recorded.result }
    }
    const r = await runSetupFn(file)
    if (!r.passed) {
      const failure = { ...r.failure!, kind: 'setup' as const }
      hookFailures.push(failure)
      return { ok: false, failure }
    }
    // What the record keeps: the redacted result and where redaction masked it (`--replay` reuses it).
    const kept = recordSetup(file.relativePath, r.value, redactor)
    setupNotes.push({ atMs: now(), kind: 'note', message: `setup of ${file.relativePath}`, data: setupEventData(kept) })
    const outcome: SetupOutcome = { file: file.relativePath, fingerprint: kept.fingerprint }
    setupResults.push(outcome)
    if (!options.recordedSetups) return { ok: true, data: r.value }
    const replay: NonNullable<SetupOutcome['replay']> = { source: 'fresh', freshFingerprint: kept.fingerprint, ...(recorded ? { recordedFingerprint: recorded.fingerprint } : {}) }
    outcome.replay = replay
    if (!recorded) replay.reason = 'the recorded run has no setup result for this file'
    else if (!recorded.kept) replay.reason = recorded.notKept ?? 'the recorded run did not keep the setup result'
    else if (file.teardown) replay.reason = "the file's teardown removed what the recorded setup made, so its result would point at nothing"
    else {
      // Masked parts (a token) cannot be reused: take them from the re-run, everything else from the record.
      const filled = fillMasked(recorded.result, r.value, masked)
      replay.source = 'recorded+fresh'
      replay.masked = masked.map(formatPath)
      if (filled.unfilled.length) replay.unfilled = filled.unfilled.map(formatPath)
      outcome.fingerprint = recorded.fingerprint
      return { ok: true, data: filled.value }
    }
    return { ok: true, data: r.value }
  }
  const runTeardown = async (file: ScenarioFile) => {
    const setup = await setups.get(file)
    if (!file.teardown || !setup?.ok) return
    // Teardown runs even after an interrupt: give it its own time budget.
    const fn = file.teardown
    const r = await runIteration(hookScenario(`${file.relativePath} teardown`, (ctx) => fn(ctx, ctx.setupData), file), {
      ...common,
      iteration: 0,
      setupData: setup.data,
      timeout: '30s',
      file: file.relativePath,
    })
    if (!r.passed) {
      const failure = { ...r.failure!, kind: 'setup' as const }
      hookFailures.push(failure)
      addFailure(failure, failure.response?.status)
    }
  }

  let failures = 0
  const bailAfter = options.bail === true ? 1 : typeof options.bail === 'number' && options.bail > 0 ? options.bail : Infinity
  let stopReason: 'bail' | 'interrupt' | undefined
  let next = 0

  const worker = async (vu: number) => {
    for (;;) {
      if (signal?.aborted) stopReason ??= 'interrupt'
      if (stopReason || next >= jobs.length) return
      const job = jobs[next++]
      const { tally } = job
      const setup = await runSetup(tally.file)
      let result: IterationResult
      if (!setup.ok) {
        result = { scenario: tally.scenario.name, iteration: job.iteration, vu, seed: 0, passed: false, aborted: false, durationMs: 0, startedAt: Date.now(), steps: [], requests: 0, unexpectedRequests: 0, checks: { passed: 0, failed: 0 }, failure: { ...setup.failure!, scenario: tally.scenario.name, replay: { ...setup.failure!.replay, scenario: tally.scenario.name, iteration: job.iteration } } }
      } else {
        result = await runIteration(tally.scenario, {
          ...common,
          iteration: job.iteration,
          vu,
          signal,
          setupData: setup.data,
          file: tally.file.relativePath,
          onRequest: (ev) => {
            agg.duration('probe', 'http_req_duration', { scenario: ev.scenario, step: ev.step }, ev.durationMs, {
              error: ev.expected ? undefined : (ev.error ?? `status_${ev.status}`),
            })
            options.onRequest?.(ev)
          },
        })
      }
      record(tally, result)
      await mux.onIterationEnd(result)
      if (!result.passed && !result.aborted && ++failures >= bailAfter) stopReason ??= 'bail'
      tally.remaining--
      if (tally.remaining === 0) await endScenario(tally)
      const left = (pendingByFile.get(tally.file) ?? 1) - 1
      pendingByFile.set(tally.file, left)
      if (left === 0) teardowns.push(runTeardown(tally.file))
    }
  }

  const record = (tally: Tally, r: IterationResult) => {
    const s = tally.summary
    if (r.aborted) {
      s.status = 'interrupted'
      return
    }
    s.iterations++
    s.durationMs += r.durationMs
    s.maxMs = Math.max(s.maxMs, r.durationMs)
    s.requests += r.requests
    s.unexpectedRequests += r.unexpectedRequests
    s.checks.passed += r.checks.passed
    s.checks.failed += r.checks.failed
    agg.outcome('probe', 'iterations', { scenario: r.scenario }, r.passed, { error: r.failure?.kind })
    agg.duration('probe', 'iteration_duration', { scenario: r.scenario }, r.durationMs, { error: r.passed ? undefined : r.failure?.kind })
    if (r.checks.passed + r.checks.failed > 0) agg.outcome('probe', 'checks', { scenario: r.scenario }, r.checks.failed === 0)
    for (const st of r.steps) {
      let t = tally.steps.get(st.path)
      if (!t) tally.steps.set(st.path, (t = { path: st.path, depth: st.depth, count: 0, failed: 0, meanMs: 0, maxMs: 0, totalMs: 0 }))
      t.count++
      if (!st.passed) t.failed++
      t.totalMs += st.durationMs
      t.maxMs = Math.max(t.maxMs, st.durationMs)
    }
    if (r.passed) s.passed++
    else {
      s.failed++
      s.status = 'failed'
      if (r.failure) {
        if (s.failures.length < 3) s.failures.push(r.failure)
        addFailure(r.failure, r.failure.response?.status)
      }
    }
  }

  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, jobs.length)) }, (_, vu) => worker(vu)))
  } finally {
    // Teardown of files whose iterations did not all run (bail, interrupt).
    for (const [file, left] of pendingByFile) if (left > 0 && setups.has(file)) teardowns.push(runTeardown(file))
    await Promise.all(teardowns)
    await ownDispatcher?.close().catch(() => {})
  }
  if (signal?.aborted) stopReason = 'interrupt'
  for (const tally of tallies.values()) {
    if (tally.ended) continue
    if (tally.summary.status === 'passed' && tally.summary.iterations === 0) {
      tally.summary.status = stopReason === 'interrupt' ? 'interrupted' : 'skipped'
      tally.summary.skipReason ??= stopReason === 'bail' ? `--bail: stopped after ${failures} failed iteration${failures === 1 ? '' : 's'}` : undefined
    } else if (stopReason === 'interrupt' && tally.remaining > 0 && tally.summary.status === 'passed') tally.summary.status = 'interrupted'
    await endScenario(tally)
  }

  const durationMs = now()
  agg.closeAll()
  const scenarios = [...tallies.values()].map((t) => t.summary)
  const interrupted = stopReason === 'interrupt'
  const failed = scenarios.some((s) => s.status === 'failed') || hookFailures.length > 0
  const runRecord: RunRecord = {
    schema: RUN_SCHEMA,
    kind: 'run',
    id: runId,
    complete: !interrupted,
    ...(interrupted ? { incompleteReason: typeof signal?.reason === 'string' ? signal.reason : 'interrupted' } : {}),
    startedAt: startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    durationMs,
    tool: { name: 'steady', version },
    subject: { ...options.subject, target: options.baseUrl },
    seed: seedText(seed),
    configHash: options.configHash ?? 'none',
    comparability: comparabilityKey({ planHash: null, engine: null }),
    window: { sizeMs: agg.windowMs },
    histogram: HISTOGRAM_PARAMETERS,
    phases: [{ name: 'run', startMs: 0, endMs: durationMs }],
    scenarios: scenarios.map((s) => ({ name: s.name, file: s.file, tags: [...s.tags], iterations: s.iterations, passed: s.passed, failed: s.failed })),
    series: agg.series(),
    events: [...setupNotes, ...(interrupted ? [{ atMs: durationMs, kind: 'interrupted' as const, message: `interrupted by ${String(signal?.reason ?? 'a signal')}` }] : [])],
    failures: [...groups.values()].map(({ tail, ...g }) => ({ ...g, samples: [...g.samples, ...tail] })),
    warnings: [],
  }
  if (stopReason === 'bail') runRecord.events.push({ atMs: durationMs, kind: 'note', message: `--bail: stopped after ${failures} failed iteration(s)` })
  const result: RunResult = {
    record: runRecord,
    status: interrupted ? 'interrupted' : failed ? 'failed' : 'passed',
    scenarios,
    hookFailures,
    setups: setupResults,
    reporterErrors: mux.errors,
    outputs: mux.outputs,
  }
  await mux.onRunEnd(result)
  return result
}

function isValidator(v: unknown): v is ResponseValidator {
  return typeof v === 'object' && v !== null && typeof (v as ResponseValidator).validate === 'function'
}
