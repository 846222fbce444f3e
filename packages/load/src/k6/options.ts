/**
 * A resolved profile back in k6's own option shape (`options.scenarios` entry
 * and `options.thresholds`), for k6 config files and exported scripts.
 */
import type { Options, Scenario, Threshold } from 'k6/options'
import type { ResolvedProfile, ResolvedThresholdItem } from '../profile.ts'

/** Milliseconds as a Go duration string k6 parses exactly: `1m1s500ms`, `30s`, `0s`. */
export function k6Duration(ms: number): string {
  if (ms === 0) return '0s'
  let rest = Math.round(ms * 1000) // µs
  const parts: string[] = []
  const units: [string, number][] = [
    ['h', 3_600_000_000],
    ['m', 60_000_000],
    ['s', 1_000_000],
    ['ms', 1000],
    ['us', 1],
  ]
  for (const [u, size] of units) {
    const n = Math.floor(rest / size)
    if (n > 0) parts.push(`${n}${u}`)
    rest -= n * size
  }
  return parts.join('')
}

function thresholdItem(t: ResolvedThresholdItem): Threshold {
  if (!t.abortOnFail && t.delayAbortEvalMs === 0) return t.threshold
  return {
    threshold: t.threshold,
    ...(t.abortOnFail ? { abortOnFail: true } : {}),
    ...(t.delayAbortEvalMs ? { delayAbortEval: k6Duration(t.delayAbortEvalMs) } : {}),
  }
}

/** The profile as a k6 `options.scenarios` entry; `exec` is the function the script exports for it. */
function toK6Scenario(p: ResolvedProfile, exec?: string): Scenario {
  const common = {
    ...(p.startTimeMs ? { startTime: k6Duration(p.startTimeMs) } : {}),
    gracefulStop: k6Duration(p.gracefulStopMs),
    ...(exec ? { exec } : {}),
    ...(Object.keys(p.env).length ? { env: { ...p.env } } : {}),
    ...(Object.keys(p.tags).length ? { tags: { ...p.tags } } : {}),
  }
  const stages = (s: { durationMs: number; target: number }[]) =>
    s.map((x) => ({ duration: k6Duration(x.durationMs), target: x.target }))
  switch (p.executor) {
    case 'shared-iterations':
    case 'per-vu-iterations':
      return {
        executor: p.executor,
        ...common,
        vus: p.vus,
        iterations: p.iterations,
        maxDuration: k6Duration(p.maxDurationMs),
      }
    case 'constant-vus':
      return { executor: p.executor, ...common, vus: p.vus, duration: k6Duration(p.durationMs) }
    case 'ramping-vus':
      return {
        executor: p.executor,
        ...common,
        startVUs: p.startVUs,
        stages: stages(p.stages),
        gracefulRampDown: k6Duration(p.gracefulRampDownMs),
      }
    case 'constant-arrival-rate':
      return {
        executor: p.executor,
        ...common,
        rate: p.rate,
        timeUnit: k6Duration(p.timeUnitMs),
        duration: k6Duration(p.durationMs),
        preAllocatedVUs: p.preAllocatedVUs,
        maxVUs: p.maxVUs,
      }
    case 'ramping-arrival-rate':
      return {
        executor: p.executor,
        ...common,
        startRate: p.startRate,
        timeUnit: k6Duration(p.timeUnitMs),
        stages: stages(p.stages),
        preAllocatedVUs: p.preAllocatedVUs,
        maxVUs: p.maxVUs,
      }
  }
}

/** k6 options running just this profile, with its thresholds. */
export function toK6Options(p: ResolvedProfile, exec?: string): Options {
  const thresholds: Record<string, Threshold[]> = {}
  for (const [k, items] of Object.entries(p.thresholds)) thresholds[k] = items.map(thresholdItem)
  return {
    scenarios: { [p.name]: toK6Scenario(p, exec) },
    ...(Object.keys(thresholds).length ? { thresholds } : {}),
  }
}
