/**
 * Failures grouped by signature (scenario, step, assertion, status, error
 * code: whatever the caller's key says makes two failures the same). Each
 * group counts its failures, by phase, spans the earliest and latest time,
 * and keeps samples from both ends: the first few, which say how it started,
 * and the last few, which say what it looked like at the end. A run of a
 * million identical failures stays a few samples big.
 */

/** A group as a run record keeps it. */
export interface FailureTally<Signature, Sample> {
  signature: Signature
  count: number
  /** The earliest and latest failure, ms since the run started. */
  firstAtMs: number
  lastAtMs: number
  /** Failures per phase. */
  byPhase: Record<string, number>
  /** The first `keep` samples, then the last `keep`, in the order they were added. */
  samples: Sample[]
}

/** Failures grouped by signature, with samples from both ends of each group. */
export class FailureBook<Signature, Sample extends { atMs: number }> {
  readonly #keyOf: (signature: Signature) => string
  readonly #keep: number
  readonly #groups = new Map<string, FailureTally<Signature, Sample> & { tail: Sample[] }>()
  readonly #changed = new Set<string>()

  /** `keyOf` says which signatures are the same group; `keep` samples are kept at each end (default 3). */
  constructor(keyOf: (signature: Signature) => string, keep = 3) {
    this.#keyOf = keyOf
    this.#keep = keep
  }

  /** One failure with its signature and sample, in `phase`. */
  add(signature: Signature, sample: Sample, phase: string): void {
    const key = this.#keyOf(signature)
    let g = this.#groups.get(key)
    if (!g) {
      g = { signature, count: 0, firstAtMs: sample.atMs, lastAtMs: sample.atMs, byPhase: {}, samples: [], tail: [] }
      this.#groups.set(key, g)
    }
    g.count++
    g.firstAtMs = Math.min(g.firstAtMs, sample.atMs)
    g.lastAtMs = Math.max(g.lastAtMs, sample.atMs)
    g.byPhase[phase] = (g.byPhase[phase] ?? 0) + 1
    if (g.samples.length < this.#keep) g.samples.push(sample)
    else {
      g.tail.push(sample)
      if (g.tail.length > this.#keep) g.tail.shift()
    }
    this.#changed.add(key)
  }

  /** Every group, in the order each first failed. */
  groups(): FailureTally<Signature, Sample>[] {
    return this.#snapshot(this.#groups.keys())
  }

  /** The groups changed since the last call (for an append-only log of a long run), and forgets them. */
  takeChanged(): FailureTally<Signature, Sample>[] {
    const out = this.#snapshot(this.#changed)
    this.#changed.clear()
    return out
  }

  #snapshot(keys: Iterable<string>): FailureTally<Signature, Sample>[] {
    const out: FailureTally<Signature, Sample>[] = []
    for (const key of keys) {
      const g = this.#groups.get(key)
      if (!g) continue
      const { tail, ...rest } = g
      out.push({ ...rest, byPhase: { ...rest.byPhase }, samples: [...rest.samples, ...tail] })
    }
    return out
  }
}
