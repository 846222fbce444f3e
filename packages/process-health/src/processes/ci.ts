/**
 * CI as a process: how long a pipeline takes from trigger to finish, how long
 * it waits for a runner, how often it succeeds, and how often it is flaky,
 * counted directly (a run with a test that failed then passed on retry, or a
 * commit that both passed and failed), never multiplied out from per-job pass
 * rates, which assumes independence and gives wrong answers.
 */
import { defineProcess } from '../define.ts'
import type { IndicatorDefinition, ProcessDefinition } from '../types.ts'
import { withObjectives, type ReadyMadeOptions } from './options.ts'

/** Label names CI observations may carry by default. */
const ciLabels: readonly string[] = ['branch', 'workflow', 'runner', 'stage']

/**
 * The ready-made CI process (`ci`):
 * - `cycle_time` (duration, s, lower is better): pipeline finished − created, queue included
 * - `queue_time` (duration, s, lower): started − created (GitLab's `queued_duration`)
 * - `success_rate` (rate, higher): 1 for a successful run, 0 for a failed one
 * - `flaky_rate` (rate, lower): 1 for a run with a flaky test (failed, then passed on retry), 0 otherwise; or
 *   flaky/total tests as `3/200`
 */
export function ciProcess(options: ReadyMadeOptions = {}): ProcessDefinition {
  const name = options.name ?? 'ci'
  const labels = options.labels ?? ciLabels
  const indicators: IndicatorDefinition[] = [
    {
      name: 'cycle_time',
      kind: 'duration',
      unit: 's',
      better: 'lower',
      labels,
      description: 'pipeline finished − pipeline created (trigger to result, queue included), one per pipeline run',
    },
    {
      name: 'queue_time',
      kind: 'duration',
      unit: 's',
      better: 'lower',
      labels,
      description: 'first job started − pipeline created (waiting for a runner), one per pipeline run',
    },
    {
      name: 'success_rate',
      kind: 'rate',
      better: 'higher',
      labels,
      description: 'successful runs / all runs: record 1 (or pass) for a successful run, 0 (or fail) for a failed one',
    },
    {
      name: 'flaky_rate',
      kind: 'rate',
      better: 'lower',
      labels,
      description:
        'flaky runs / all runs, counted directly: 1 for a run where a test failed and then passed on retry ' +
        '(or whose commit both passed and failed), 0 otherwise; or flaky/total tests as 3/200',
    },
  ]
  return defineProcess({
    name,
    owner: options.owner ?? 'unassigned',
    description: 'continuous integration: how long pipelines take and wait, how often they pass, how flaky they are',
    indicators: withObjectives(indicators, options.objectives, name),
    ...(options.judge ? { judge: options.judge } : {}),
  })
}
