import type { RunRecord } from '@steady/record'
import type { FailureSample } from '../failure.ts'
import type { IterationResult } from '../iteration.ts'

/** What reporters learn when a run starts. */
export interface RunStartInfo {
  runId: string
  /** The run seed (give it back with `--seed` to reproduce the data). */
  seed: string
  /** Base URL the scenarios run against. */
  target: string
  /** The named target from the config, if one was used. */
  targetName?: string
  iterations: number
  concurrency: number
  scenarios: { name: string; file: string; tags: readonly string[] }[]
  startedAt: string
  /** Set when the run replays one recorded iteration. */
  replay?: { scenario: string; iteration: number }
}

/** Step timings of a scenario over its iterations. */
export interface StepSummary {
  path: string
  depth: number
  count: number
  failed: number
  meanMs: number
  maxMs: number
}

/** One scenario's outcome over all its iterations. */
export interface ScenarioSummary {
  name: string
  /** File path relative to the working directory. */
  file: string
  /** The line of the `scenario(...)` call, when known. */
  line?: number
  tags: readonly string[]
  status: 'passed' | 'failed' | 'skipped' | 'interrupted'
  /** Why it was skipped (`skip` option, `--bail`). */
  skipReason?: string
  iterations: number
  passed: number
  failed: number
  /** Sum of iteration durations. */
  durationMs: number
  meanMs: number
  maxMs: number
  steps: StepSummary[]
  requests: number
  /** Requests that were neither < 400 nor asserted. */
  unexpectedRequests: number
  checks: { passed: number; failed: number }
  /** The first failure samples (at most 3), redacted. */
  failures: FailureSample[]
}

/** One file's setup in a run. */
export interface SetupOutcome {
  file: string
  /** Fingerprint of the result the iterations got (the recorded one when it was reused). */
  fingerprint: string
  /** On a replay (`recordedSetups` given): how the iterations' setup result was made. */
  replay?: {
    /**
     * `recorded`: setup did not run, the iterations got the recorded result.
     * `recorded+fresh`: setup re-ran (same seed) only for what redaction masked in the recorded result; the
     * rest is the recorded result.
     * `fresh`: setup re-ran and its result was used (see `reason`).
     */
    source: 'recorded' | 'recorded+fresh' | 'fresh'
    /** Why the recorded result was not used whole. */
    reason?: string
    /** The recorded fingerprint (absent when the record has none for this file). */
    recordedFingerprint?: string
    /** Fingerprint of the re-run's own result (for `recorded+fresh` and `fresh`). */
    freshFingerprint?: string
    /** Paths redaction masked in the recorded result (`token`, `user.apiKey`). */
    masked?: string[]
    /** Masked paths the re-run's result did not have: they stay masked. */
    unfilled?: string[]
  }
}

/** What `runScenarios` resolves with (and reporters receive at the end). */
export interface RunResult {
  /** The run record (`steady.run/1`, kind `run`) the JSON reporter writes. */
  record: RunRecord
  status: 'passed' | 'failed' | 'interrupted'
  scenarios: ScenarioSummary[]
  /** Every setup/teardown failure (they fail the scenarios of their file). */
  hookFailures: FailureSample[]
  /**
   * Each file's setup result, fingerprinted after redaction (see `setupFingerprint`), and on a replay where
   * it came from.
   */
  setups: SetupOutcome[]
  /** Reporters that threw (the run went on without them). */
  reporterErrors: { reporter: string; hook: string; message: string }[]
  /** Files reporters wrote (`run.json`, `junit.xml`), for the last line of output. */
  outputs: string[]
}

type Awaitable<T> = T | Promise<T>

/**
 * A reporter: a name and optional hooks. Reporters are fanned out by
 * {@link createMultiplexer}: one that throws is reported and dropped from that
 * hook, the run goes on.
 */
export interface Reporter {
  readonly name: string
  onRunStart?(info: RunStartInfo): Awaitable<void>
  /** Every iteration, as it ends (progress). */
  onIterationEnd?(result: IterationResult): Awaitable<void>
  /** A scenario's last iteration ended (or it was skipped). */
  onScenarioEnd?(summary: ScenarioSummary): Awaitable<void>
  /** The run ended; files are written here. Return paths written, for the summary line. */
  onRunEnd?(result: RunResult): Awaitable<void | string[]>
}
