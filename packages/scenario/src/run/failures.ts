/**
 * The failure groups of a `steady run`: failures grouped by signature
 * (scenario, step, assertion, status, error code), each group counting its
 * failures and keeping its first three samples and its last three, in the
 * same book the record writer keeps for soaks (`FailureBook` of
 * `@steady/kernel`). Every failure of a run is of its one phase, `run`.
 */
import { FailureBook } from '@steady/kernel'
import { signatureKey } from '@steady/record/internal'
import type { FailureGroup, FailureSignature } from '@steady/record'
import type { FailureSample } from '../failure.ts'

export class RunFailures {
  readonly #book = new FailureBook<FailureSignature, FailureSample>(signatureKey)

  /** One failure; `status` is its response's, when it had one. */
  add(sample: FailureSample, status: number | undefined): void {
    const signature = {
      scenario: sample.scenario,
      step: sample.step,
      assertion: sample.assertion,
      ...(status ? { status } : {}),
      ...(sample.errorKind ? { errorCode: sample.errorKind } : {}),
    }
    this.#book.add(signature, sample, 'run')
  }

  /** The groups as the record keeps them, in the order they first failed. */
  groups(): FailureGroup[] {
    return this.#book.groups()
  }
}
