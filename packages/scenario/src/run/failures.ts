/**
 * The failure groups of a `steady run`: failures grouped by signature
 * (scenario, step, assertion, status, error code), each group counting its
 * failures and keeping its first three samples and its last three.
 *
 * The record writer of `@steady/record` keeps a book like this one for
 * soaks, but not the same: it is internal to that package, takes each
 * sample's own phase (here every failure is of the one phase, `run`) and
 * keeps the earliest time as the group's first. This one keeps the time of
 * the first failure added, as `steady run` always has.
 */
import { signatureKey } from '@steady/record/internal'
import type { FailureGroup } from '@steady/record'
import type { FailureSample } from '../failure.ts'

/** Samples kept at each end of a group. */
const KEEP = 3

export class RunFailures {
  readonly #groups = new Map<string, FailureGroup & { tail: FailureSample[] }>()

  /** One failure; `status` is its response's, when it had one. */
  add(sample: FailureSample, status: number | undefined): void {
    const signature = {
      scenario: sample.scenario,
      step: sample.step,
      assertion: sample.assertion,
      ...(status ? { status } : {}),
      ...(sample.errorKind ? { errorCode: sample.errorKind } : {}),
    }
    const key = signatureKey(signature)
    let g = this.#groups.get(key)
    if (!g) {
      g = { signature, count: 0, firstAtMs: sample.atMs, lastAtMs: sample.atMs, byPhase: {}, samples: [], tail: [] }
      this.#groups.set(key, g)
    }
    g.count++
    g.lastAtMs = Math.max(g.lastAtMs, sample.atMs)
    g.byPhase.run = (g.byPhase.run ?? 0) + 1
    if (g.samples.length < KEEP) g.samples.push(sample)
    else {
      g.tail.push(sample)
      if (g.tail.length > KEEP) g.tail.shift()
    }
  }

  /** The groups as the record keeps them, in the order they first failed. */
  groups(): FailureGroup[] {
    return [...this.#groups.values()].map(({ tail, ...g }) => ({ ...g, samples: [...g.samples, ...tail] }))
  }
}
