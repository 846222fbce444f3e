/**
 * The E2E gate as a process: steady's own release gate, judged like any
 * other process, so a team sees its gate's health: how often it passes, how
 * often it cannot decide, how flaky it is, how long its soaks take.
 */
import { createObservation, defineProcess } from '../define.ts'
import { parseInstant, systemClock, type Clock } from '../time.ts'
import type { Fields, IndicatorDefinition, Labels, Observation, ProcessDefinition } from '../types.ts'
import type { HealthStore } from '../store/types.ts'
import { withObjectives, type ReadyMadeOptions } from './options.ts'

/** Label names gate observations may carry by default. */
const e2eGateLabels: readonly string[] = ['gate', 'environment']

/**
 * The ready-made E2E gate process (`e2e-gate`):
 * - `pass_rate` (rate, higher): conclusive decisions that passed
 * - `inconclusive_rate` (rate, lower): decisions that were inconclusive
 * - `flaky_rate` (rate, lower): decisions that flipped when the same version was judged again
 * - `duration` (duration, s, lower): how long the gate took, soak included
 */
export function e2eGateProcess(options: ReadyMadeOptions = {}): ProcessDefinition {
  const name = options.name ?? 'e2e-gate'
  const labels = options.labels ?? e2eGateLabels
  const indicators: IndicatorDefinition[] = [
    {
      name: 'pass_rate',
      kind: 'rate',
      better: 'higher',
      labels,
      description: 'conclusive gate decisions that passed (1) or failed (0)',
    },
    {
      name: 'inconclusive_rate',
      kind: 'rate',
      better: 'lower',
      labels,
      description: 'gate decisions that were inconclusive (1) or conclusive (0)',
    },
    {
      name: 'flaky_rate',
      kind: 'rate',
      better: 'lower',
      labels,
      description: 'decisions that flipped (1) or held (0) when the same version was judged again',
    },
    {
      name: 'duration',
      kind: 'duration',
      unit: 's',
      better: 'lower',
      labels,
      description: 'how long the gate took from start to verdict, soak included',
    },
  ]
  return defineProcess({
    name,
    owner: options.owner ?? 'unassigned',
    description: "steady's release gate: its verdicts, how often it is inconclusive or flaky, how long it takes",
    indicators: withObjectives(indicators, options.objectives, name),
    ...(options.judge ? { judge: options.judge } : {}),
  })
}

/** One gate decision, as `steady verdict` knows it. */
export interface GateDecision {
  /** The gate's name (a label: keep it to a small set). */
  gate: string
  /** The verdict. */
  verdict: 'pass' | 'fail' | 'inconclusive'
  /** How long the gate took, soak included (ms). */
  durationMs: number
  /** When the decision was made. Default: the clock's now. */
  at?: number | string | Date
  /**
   * True when this conclusive verdict differs from the last conclusive verdict
   * the same gate gave the same version (in the same environment), false when
   * it agrees. Left out, {@link recordGateDecision} derives it from the store's
   * history when `version` is given (see {@link gateFlakiness}); an
   * inconclusive decision, or a version judged for the first time, records no
   * flaky outcome.
   */
  flaky?: boolean
  /** The environment judged (a label), e.g. `staging`. */
  environment?: string
  /** The version judged (a field, never a label). */
  version?: string
  /** The run id (a field). */
  runId?: string
  /** More fields (commit, URLs). */
  fields?: Fields
}

/** Options of {@link recordGateDecision}. */
export interface RecordGateDecisionOptions {
  /** The gate process definition. Default: {@link e2eGateProcess}(). */
  process?: ProcessDefinition
  /** The clock for a decision without `at`. */
  clock?: Clock
}

/**
 * Whether a conclusive decision flipped: it is compared with the last
 * conclusive decision (`pass_rate` observation) before it with the same gate,
 * environment and version, read from the store. Returns `true` when the
 * verdict differs, `false` when it agrees, `undefined` when it cannot tell:
 * the decision is inconclusive, has no version, or the version was never
 * judged conclusively before (a store that keeps no fields, such as
 * Prometheus, never knows the version of a past decision).
 */
export async function gateFlakiness(
  store: HealthStore,
  decision: Pick<GateDecision, 'gate' | 'verdict' | 'version' | 'environment'> & { at: number },
  process: ProcessDefinition = e2eGateProcess(),
): Promise<boolean | undefined> {
  if (decision.verdict === 'inconclusive' || !decision.version) return undefined
  const history = await store.read({ process: process.name, indicator: 'pass_rate', to: decision.at })
  let last: Observation | undefined
  for (const o of history) {
    if (o.at > decision.at || o.labels?.gate !== decision.gate) continue
    if ((o.labels?.environment ?? '') !== (decision.environment ?? '')) continue
    if (String(o.fields?.version ?? '') !== decision.version) continue
    if (!last || o.at >= last.at) last = o
  }
  if (!last) return undefined
  return (last.value >= 0.5 ? 'pass' : 'fail') !== decision.verdict
}

/**
 * Records a gate decision into the E2E-gate process: its duration, whether it
 * was inconclusive, whether a conclusive one passed, and whether it flipped
 * (given, or derived from the store with {@link gateFlakiness}).
 * `steady verdict` calls this for each decision; the opt-out is the caller's.
 * Returns the observations appended.
 */
export async function recordGateDecision(
  store: HealthStore,
  decision: GateDecision,
  options: RecordGateDecisionOptions = {},
): Promise<Observation[]> {
  const process = options.process ?? e2eGateProcess()
  const clock = options.clock ?? systemClock
  const at = decision.at ?? clock.now()
  const flaky =
    decision.flaky ?? (await gateFlakiness(store, { ...decision, at: parseInstant(at, 'at', clock.now()) }, process))
  const labels: Labels = { gate: decision.gate }
  if (decision.environment) labels.environment = decision.environment
  const fields: Fields = { verdict: decision.verdict, ...decision.fields }
  if (decision.version) fields.version = decision.version
  if (decision.runId) fields.run_id = decision.runId
  const base = { process: process.name, at, labels, fields }
  const inputs = [
    { ...base, indicator: 'duration', value: `${Math.max(0, decision.durationMs)}ms` as number | string },
    { ...base, indicator: 'inconclusive_rate', value: decision.verdict === 'inconclusive' ? 1 : 0 },
  ]
  if (decision.verdict !== 'inconclusive') {
    inputs.push({ ...base, indicator: 'pass_rate', value: decision.verdict === 'pass' ? 1 : 0 })
  }
  if (flaky !== undefined) inputs.push({ ...base, indicator: 'flaky_rate', value: flaky ? 1 : 0 })
  const observations = inputs.map((input) => createObservation(process, input, clock))
  await store.append(observations)
  return observations
}
