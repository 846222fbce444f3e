/**
 * `--replay`: find a recorded run, the seed that makes one of its
 * iterations generate exactly the same data again, and the setup results
 * the recorded run kept.
 */
import { existsSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'
import { readRunRecord, SteadyError, type RunRecord } from '@steady/record'
import { recordedSetups, type RecordedSetup } from './setup-record.ts'

/** What a replay needs from a recorded run. */
export interface ReplayPlan {
  record: RunRecord
  /** The record's file. */
  path: string
  seed: string
  scenario: string
  iteration: number
  /** The scenario's file as recorded (relative to where the run started). */
  file?: string
  /** The recorded setup results by file, for `runScenarios({ recordedSetups })`. */
  setups: Map<string, RecordedSetup>
}

/**
 * Resolves `ref` (a run id under `reportsDir`, a run folder, or a `run.json`
 * path) and checks that `scenario` ran there with at least `iteration + 1`
 * iterations. Errors are exit 2 with a hint.
 */
export async function planReplay(
  ref: string,
  scenario: string | undefined,
  iteration: number | undefined,
  options: { cwd: string; reportsDir: string },
): Promise<ReplayPlan> {
  const candidates = [isAbsolute(ref) ? ref : resolve(options.cwd, ref), join(options.reportsDir, ref)]
  const path = candidates.find((c) => existsSync(c))
  if (!path) {
    throw new SteadyError(
      'STEADY_RUN_REPLAY_NOT_FOUND',
      `--replay ${ref}: no run.json, run folder or run id ${ref} (looked in ${options.reportsDir})`,
      {
        hint:
          'pass the run.json a run wrote (its path is printed at the end of steady run), ' +
          'or the run id under reports/',
        details: { ref },
      },
    )
  }
  const record = await readRunRecord(path)
  const names = record.scenarios.map((s) => s.name)
  const pick = scenario ?? (names.length === 1 ? names[0] : record.failures[0]?.signature.scenario)
  if (!pick) {
    throw new SteadyError(
      'STEADY_RUN_REPLAY_SCENARIO',
      `--replay ${ref}: say which scenario with --scenario <name> (the run has ${names.length})`,
      {
        hint: `one of: ${names.map((n) => JSON.stringify(n)).join(', ')}`,
      },
    )
  }
  const rec = record.scenarios.find((s) => s.name === pick)
  if (!rec) {
    throw new SteadyError(
      'STEADY_RUN_REPLAY_SCENARIO',
      `--replay ${ref}: the run has no scenario ${JSON.stringify(pick)}`,
      {
        hint: `one of: ${names.map((n) => JSON.stringify(n)).join(', ')}`,
        details: { scenario: pick },
      },
    )
  }
  // Without --iteration: the first failed one the record kept, else 0.
  const failed = record.failures.flatMap((g) => g.samples).find((s) => s.replay.scenario === pick)
  const it = iteration ?? failed?.replay.iteration ?? 0
  if (
    !Number.isInteger(it) ||
    it < 0 ||
    (rec.iterations > 0 && it >= Math.max(rec.iterations, (failed?.replay.iteration ?? -1) + 1))
  ) {
    throw new SteadyError(
      'STEADY_RUN_REPLAY_ITERATION',
      `--replay ${ref}: ${JSON.stringify(pick)} ran iterations 0..${rec.iterations - 1}; there is no iteration ${it}`,
      {
        hint: 'iterations count from 0; the failure output shows the one to replay',
      },
    )
  }
  return {
    record,
    path: existsSync(join(path, 'run.json')) ? join(path, 'run.json') : path,
    seed: record.seed,
    scenario: pick,
    iteration: it,
    file: rec.file,
    setups: recordedSetups(record),
  }
}
