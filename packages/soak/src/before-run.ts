/**
 * What happens before the soak's phases: each file's setup hook on each
 * side, then the preflight (each scenario once: a version that does not work
 * is not worth soaking). Either can stop the soak with a record that says
 * why; the teardown hooks of whatever was set up run then, and at the end.
 */
import type { Redactor } from '@steady/record'
import { runIteration } from '@steady/scenario'
import { runSetup, runTeardown } from '@steady/load/internal'
import { writePreflightRecord, type PreflightOutcome } from './preflight.ts'
import type { Progress } from './progress.ts'
import { soakHeader } from './soak-record.ts'
import { sideSuffix, type ProbeTask, type SideRun } from './sides.ts'
import type { SoakOptions, SoakResult } from './soak.ts'

/** What the steps before the run share. */
export interface BeforeRun {
  o: SoakOptions
  sides: SideRun[]
  tasks: ProbeTask[]
  redactor: Redactor
  progress: Progress
  /** The soak's stop signal (Ctrl-C, SIGTERM). */
  signal: AbortSignal
}

/** Runs each file's setup hook on each side; a hook that throws stops the soak (the result says why). */
export async function setUpSides(c: BeforeRun): Promise<SoakResult | undefined> {
  const { o } = c
  for (const side of c.sides) {
    for (const file of o.files) {
      try {
        const opts = { target: side.target, seed: o.seed, signal: c.signal, redactor: c.redactor }
        side.setup.set(file, await runSetup(file, { ...opts, file: file.relativePath }))
      } catch (error) {
        const setupError = `${side.side ? `${side.side}: ` : ''}${(error as Error).message}`
        return stopAtPreflight(
          c,
          file.scenarios.map((scenario) => ({ scenario, file: file.relativePath, setupError })),
        )
      }
    }
  }
  return undefined
}

/** Runs each scenario once on each side (unless the options turn preflight off); a failure stops the soak. */
export async function preflight(c: BeforeRun): Promise<SoakResult | undefined> {
  const { o } = c
  if (o.preflight === false) return undefined
  c.progress.log(`preflight: running each of ${c.tasks.length} scenarios once${o.control ? ' on each side' : ''}`)
  const outcomes: PreflightOutcome[] = []
  for (const side of c.sides) {
    for (const t of c.tasks) {
      if (c.signal.aborted) break
      const r = await runIteration(t.scenario, {
        baseUrl: side.target,
        seed: o.seed,
        iteration: 0,
        signal: c.signal,
        redactor: c.redactor,
        headers: o.headers,
        setupData: side.setup.get(t.file),
        timeout: o.plan.probeTimeoutMs,
        file: t.file.relativePath,
      })
      // A control that does not work is named as such: the candidate is not the one to fix.
      const file = side.side === 'control' ? `${t.file.relativePath} (control)` : t.file.relativePath
      if (!r.aborted) outcomes.push({ scenario: t.scenario, file, result: r })
    }
  }
  if (outcomes.some((x) => !x.result?.passed)) return stopAtPreflight(c, outcomes)
  return undefined
}

/** Runs each file's teardown hook on each side after the run; a problem is a warning of the record. */
export async function tearDownSides(c: Pick<BeforeRun, 'o' | 'sides' | 'redactor'>, warn: (text: string) => void) {
  const { o } = c
  for (const side of c.sides) {
    for (const file of o.files) {
      const opts = { target: side.target, seed: o.seed, redactor: c.redactor }
      const problem = await runTeardown(file, side.setup.get(file), opts)
      if (problem) warn(`${file.relativePath}${sideSuffix(side)}: ${problem}`)
    }
  }
}

/**
 * Stops the soak before it began: writes a record that says why, then tears
 * down what was set up. The gate's verdict step finds a record (complete:
 * false), not a missing file.
 */
async function stopAtPreflight(c: BeforeRun, outcomes: PreflightOutcome[]): Promise<SoakResult> {
  const { o } = c
  const header = soakHeader(o, new Date())
  const windowMs = o.plan.windowMs
  const record = writePreflightRecord({ dir: o.outDir, header, windowMs, seed: o.seed, outcomes, redactor: c.redactor })
  for (const side of c.sides) {
    for (const [file, data] of side.setup) {
      const problem = await runTeardown(file, data, { target: side.target, seed: o.seed, redactor: c.redactor })
      if (problem) c.progress.log(`${file.relativePath}${sideSuffix(side)}: ${problem}`)
    }
  }
  const preflightFailures = outcomes
    .filter((x) => x.setupError !== undefined || (x.result && !x.result.passed))
    .map((x) => ({
      scenario: x.scenario.name,
      file: x.file,
      message: x.setupError ?? x.result?.failure?.message ?? 'failed',
    }))
  return { record, preflightFailures }
}
