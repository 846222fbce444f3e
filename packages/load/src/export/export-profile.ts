/**
 * `steady export` as functions: trace the profile's scenario, write the k6
 * script, and wrap it in a k6-operator TestRun.
 */
import type { Redactor } from '@steady/record'
import type { ResolvedProfile } from '../profile.ts'
import { findScenario } from '../engine/scenario-iteration.ts'
import { generateK6Script, type K6Script } from './k6-script.ts'
import { buildTestRun, type TestRunManifest, type TestRunOptions } from './k6-operator.ts'
import { traceRequestSequence, type TracedRequest } from './trace.ts'

export interface ExportK6Options {
  profile: ResolvedProfile
  /** Scenario file patterns (absolute or relative to `cwd`). */
  scenarios: readonly string[]
  cwd: string
  /** The running target the scenario is traced against (and the script's default BASE_URL). */
  target: string
  language?: 'ts' | 'js'
  redactor?: Redactor
  seed?: string
}

/** Traces the profile's scenario against the target and writes the k6 script for it. */
export async function exportK6Script(
  o: ExportK6Options,
): Promise<{ script: K6Script; requests: TracedRequest[]; scenario: string; file: string }> {
  const found = await findScenario(o.scenarios, o.profile.exec, o.cwd, `load.profiles.${o.profile.name}`)
  const requests = await traceRequestSequence(found.scenario, o.target, o.seed)
  const script = generateK6Script({
    profile: o.profile,
    scenario: { name: found.scenario.name, file: found.file },
    requests,
    target: o.target,
    language: o.language,
    redactor: o.redactor,
  })
  return { script, requests, scenario: found.scenario.name, file: found.file }
}

/** The k6-operator TestRun (with its ConfigMap) for a profile. */
export async function exportTestRun(
  o: Omit<ExportK6Options, 'language'> & Omit<TestRunOptions, 'script' | 'profile' | 'target'>,
): Promise<TestRunManifest & { requests: TracedRequest[] }> {
  const { script, requests } = await exportK6Script({ ...o, language: 'js' })
  return { ...buildTestRun({ ...o, script }), requests }
}
