/**
 * Each file's setup and teardown hooks in a `steady run`: setup once, lazily,
 * before the file's first iteration (or, on `--replay`, the recorded result
 * in its place when it can stand in); teardown after the file's last
 * iteration, and after a bail or an interrupt for every file that was set
 * up. A hook that fails is a hook failure; a failed teardown is also a
 * failure group of the record.
 */
import type { Redactor, RunRecord } from '@steady/record'
import type { Scenario } from '../define.ts'
import type { FailureSample } from '../failure.ts'
import { runIteration, type IterationOptions } from '../iteration.ts'
import type { ScenarioFile } from '../loader.ts'
import type { RunResult, SetupOutcome } from '../reporters/types.ts'
import { fillMasked, formatPath, recordSetup, setupEventData, type RecordedSetup } from '../setup-record.ts'
import { kScenario } from '../symbols.ts'
import type { RunFailures } from './failures.ts'
import type { Job } from './tally.ts'

/** A file's setup as its iterations see it. */
export interface SetupState {
  ok: boolean
  data?: unknown
  failure?: FailureSample
}

/** What every hook and iteration of the run is given (all but the iteration's own options). */
export type IterationCommon = Omit<IterationOptions, 'iteration'>

export interface FileHooksOptions {
  common: IterationCommon
  redactor: Redactor
  /** Interrupts setup hooks (teardown runs even after an interrupt). */
  signal?: AbortSignal
  /** `--replay`: the recorded run's setup results by file. */
  recordedSetups?: ReadonlyMap<string, RecordedSetup>
  /** Run time, ms since the run started. */
  now: () => number
  failures: RunFailures
}

export class FileHooks {
  /** Every setup/teardown failure (they fail the scenarios of their file). */
  readonly hookFailures: FailureSample[] = []
  /** The record's notes on each setup (what it made, or that the recorded result was reused). */
  readonly notes: RunRecord['events'] = []
  /** Each file's setup outcome, in the order they ended. */
  readonly outcomes: RunResult['setups'] = []
  readonly #o: FileHooksOptions
  readonly #setups = new Map<ScenarioFile, Promise<SetupState>>()
  readonly #pending = new Map<ScenarioFile, number>()
  readonly #teardowns: Promise<void>[] = []

  /** `jobs`: the run's work list, so each file's teardown runs after its last job. */
  constructor(o: FileHooksOptions, jobs: readonly Job[]) {
    this.#o = o
    for (const j of jobs) this.#pending.set(j.tally.file, (this.#pending.get(j.tally.file) ?? 0) + 1)
  }

  /** The file's setup, run once (the first caller starts it, later ones wait for the same result). */
  setup(file: ScenarioFile): Promise<SetupState> {
    let p = this.#setups.get(file)
    if (!p) {
      p = file.setup ? this.#runSetup(file) : Promise.resolve({ ok: true })
      this.#setups.set(file, p)
    }
    return p
  }

  /** One of the file's jobs is done: after its last, its teardown starts. */
  jobDone(file: ScenarioFile): void {
    const left = (this.#pending.get(file) ?? 1) - 1
    this.#pending.set(file, left)
    if (left === 0) this.#teardowns.push(this.#teardown(file))
  }

  /** Tears down every file set up whose jobs did not all run (bail, interrupt), and waits for every teardown. */
  async tearDownRest(): Promise<void> {
    for (const [file, left] of this.#pending) {
      if (left > 0 && this.#setups.has(file)) this.#teardowns.push(this.#teardown(file))
    }
    await Promise.all(this.#teardowns)
  }

  async #runSetup(file: ScenarioFile): Promise<SetupState> {
    const { recordedSetups, redactor, now } = this.#o
    const recorded = recordedSetups?.get(file.relativePath)
    const masked = recorded?.masked ?? []
    // The recorded result stands in whole: the replayed iteration gets exactly what the recorded one got, and setup
    // does not touch the service.
    if (recorded?.kept && masked.length === 0 && !file.teardown) {
      const message = `setup of ${file.relativePath} (recorded result reused)`
      this.notes.push({ atMs: now(), kind: 'note', message, data: setupEventData(recorded) })
      const replay = { source: 'recorded' as const, recordedFingerprint: recorded.fingerprint }
      this.outcomes.push({ file: file.relativePath, fingerprint: recorded.fingerprint, replay })
      return { ok: true, data: recorded.result }
    }
    const hook = hookScenario(`${file.relativePath} setup`, file.setup as Scenario['fn'], file)
    const opts = { ...this.#o.common, iteration: 0, signal: this.#o.signal, file: file.relativePath }
    const r = await runIteration(hook, opts)
    if (!r.passed) {
      const failure = { ...r.failure!, kind: 'setup' as const }
      this.hookFailures.push(failure)
      return { ok: false, failure }
    }
    // What the record keeps: the redacted result and where redaction masked it (`--replay` reuses it).
    const kept = recordSetup(file.relativePath, r.value, redactor)
    this.notes.push({ atMs: now(), kind: 'note', message: `setup of ${file.relativePath}`, data: setupEventData(kept) })
    const outcome: SetupOutcome = { file: file.relativePath, fingerprint: kept.fingerprint }
    this.outcomes.push(outcome)
    if (!recordedSetups) return { ok: true, data: r.value }
    return replayedSetup(file, outcome, recorded, r.value, kept.fingerprint)
  }

  async #teardown(file: ScenarioFile): Promise<void> {
    const setup = await this.#setups.get(file)
    if (!file.teardown || !setup?.ok) return
    // Teardown runs even after an interrupt: give it its own time budget.
    const fn = file.teardown
    const hook = hookScenario(`${file.relativePath} teardown`, (ctx) => fn(ctx, ctx.setupData), file)
    const r = await runIteration(hook, {
      ...this.#o.common,
      iteration: 0,
      setupData: setup.data,
      timeout: '30s',
      file: file.relativePath,
    })
    if (!r.passed) {
      const failure = { ...r.failure!, kind: 'setup' as const }
      this.hookFailures.push(failure)
      this.#o.failures.add(failure, failure.response?.status)
    }
  }
}

/**
 * On a replay, after setup re-ran: the recorded result with only its masked
 * parts taken from the re-run when it can, else the re-run's result;
 * `outcome.replay` says which and why.
 */
function replayedSetup(
  file: ScenarioFile,
  outcome: SetupOutcome,
  recorded: RecordedSetup | undefined,
  fresh: unknown,
  freshFingerprint: string,
): SetupState {
  const replay: NonNullable<SetupOutcome['replay']> = {
    source: 'fresh',
    freshFingerprint,
    ...(recorded ? { recordedFingerprint: recorded.fingerprint } : {}),
  }
  outcome.replay = replay
  if (!recorded) replay.reason = 'the recorded run has no setup result for this file'
  else if (!recorded.kept) replay.reason = recorded.notKept ?? 'the recorded run did not keep the setup result'
  else if (file.teardown) {
    replay.reason = "the file's teardown removed what the recorded setup made, so its result would point at nothing"
  } else {
    // Masked parts (a token) cannot be reused: take them from the re-run, everything else from the record.
    const masked = recorded.masked ?? []
    const filled = fillMasked(recorded.result, fresh, masked)
    replay.source = 'recorded+fresh'
    replay.masked = masked.map(formatPath)
    if (filled.unfilled.length) replay.unfilled = filled.unfilled.map(formatPath)
    outcome.fingerprint = recorded.fingerprint
    return { ok: true, data: filled.value }
  }
  return { ok: true, data: fresh }
}

/** A setup or teardown hook run as a scenario of its file. */
function hookScenario(name: string, fn: Scenario['fn'], file: ScenarioFile): Scenario {
  return { [kScenario]: true, name, tags: [], options: {}, fn, file: file.path }
}
