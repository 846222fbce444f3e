/**
 * Latency histograms with pinned parameters, so that records and baselines
 * made months apart, in different workers or on different machines, still
 * merge: HdrHistogram (hdr-histogram-js), values in integer microseconds, a
 * fixed range and precision, and one encoding (HdrHistogram's compressed V2
 * format, base64), which other HdrHistogram implementations can read too.
 *
 * Memory is constant whatever the number of values (a few tens of kB per
 * histogram), which is what keeps a 24-hour soak flat.
 */
import hdr from 'hdr-histogram-js'
import type { Histogram as HdrHistogram } from 'hdr-histogram-js'

/** The pinned parameters, written into the run record's schema. */
export const HISTOGRAM_PARAMETERS = {
  /** Values are recorded in integer microseconds. */
  unit: 'us',
  /** Lowest value told apart from zero: 1 µs. */
  lowest: 1,
  /** Highest trackable value: one hour in µs; larger values are clamped to it. */
  highest: 3_600_000_000,
  /** Significant decimal digits kept: 3 (0.1% relative precision). */
  digits: 3,
  /** HdrHistogram compressed V2 encoding (deflate), base64. */
  encoding: 'hdr-v2-deflate-base64',
} as const

function create(): HdrHistogram {
  return hdr.build({
    bitBucketSize: 32,
    autoResize: false,
    lowestDiscernibleValue: HISTOGRAM_PARAMETERS.lowest,
    highestTrackableValue: HISTOGRAM_PARAMETERS.highest,
    numberOfSignificantValueDigits: HISTOGRAM_PARAMETERS.digits,
    useWebAssembly: false,
  })
}

/**
 * A mergeable latency histogram. The API speaks milliseconds (what people
 * read); storage is microseconds.
 */
export class LatencyHistogram {
  readonly #h: HdrHistogram

  constructor(inner?: HdrHistogram) {
    this.#h = inner ?? create()
  }

  /** Records one duration in milliseconds (negative values count as 0; above an hour, clamped). */
  record(ms: number, count = 1): void {
    const us = Math.min(HISTOGRAM_PARAMETERS.highest, Math.max(0, Math.round(ms * 1000)))
    if (count === 1) this.#h.recordValue(us)
    else this.#h.recordValueWithCount(us, count)
  }

  /** Adds every value of `other` into this histogram. */
  merge(other: LatencyHistogram): this {
    if (other.count > 0) this.#h.add(other.#h)
    return this
  }

  /**
   * Decodes an encoded histogram straight into this one (one temporary
   * allocation instead of two); returns how many values it added.
   */
  mergeEncoded(encoded: string): number {
    const decoded = hdr.decodeFromCompressedBase64(encoded, 32, false)
    const n = decoded.totalCount
    if (n > 0) this.#h.add(decoded)
    decoded.destroy()
    return n
  }

  /** Number of recorded values. */
  get count(): number {
    return this.#h.totalCount
  }

  /** The value at quantile `q` (0..1), in ms; NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return Number.NaN
    return this.#h.getValueAtPercentile(q * 100) / 1000
  }

  get min(): number {
    return this.count === 0 ? Number.NaN : this.#h.minNonZeroValue / 1000
  }

  get max(): number {
    return this.count === 0 ? Number.NaN : this.#h.maxValue / 1000
  }

  get mean(): number {
    return this.count === 0 ? Number.NaN : this.#h.mean / 1000
  }

  get stdDev(): number {
    return this.count === 0 ? Number.NaN : this.#h.stdDeviation / 1000
  }

  /** The usual summary, in ms. */
  summary(): HistogramSummary {
    return {
      count: this.count,
      min: this.min,
      mean: this.mean,
      p50: this.quantile(0.5),
      p90: this.quantile(0.9),
      p95: this.quantile(0.95),
      p99: this.quantile(0.99),
      max: this.max,
    }
  }

  /** Encodes in the pinned format (HdrHistogram compressed V2, base64). */
  encode(): string {
    return hdr.encodeIntoCompressedBase64(this.#h)
  }

  /** Decodes a histogram written by {@link encode} (or any HdrHistogram V2 encoder). */
  static decode(encoded: string): LatencyHistogram {
    const decoded = hdr.decodeFromCompressedBase64(encoded, 32, false)
    // Re-home it into a histogram with the pinned parameters so merges always line up.
    const pinned = create()
    pinned.add(decoded)
    decoded.destroy()
    return new LatencyHistogram(pinned)
  }

  /** Merges many histograms (encoded or not) into a new one. */
  static mergeAll(parts: Iterable<LatencyHistogram | string>): LatencyHistogram {
    const out = new LatencyHistogram()
    for (const p of parts) out.merge(typeof p === 'string' ? LatencyHistogram.decode(p) : p)
    return out
  }

  /** Empties it for reuse (a window's histogram after the window is written). */
  reset(): void {
    this.#h.reset()
  }
}

export interface HistogramSummary {
  count: number
  min: number
  mean: number
  p50: number
  p90: number
  p95: number
  p99: number
  max: number
}
