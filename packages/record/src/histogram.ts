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
import { inflateSync } from 'node:zlib'
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

const V2_COOKIE_BASE = 0x1c849303
const V2_COMPRESSED_COOKIE_BASE = 0x1c849304
/** Bytes of a V2 encoding's header: cookie, payload length, index offset, digits, lowest, highest, ratio. */
const V2_HEADER_BYTES = 40

/** Index arithmetic of a histogram with the pinned parameters (hdr-histogram-js's JavaScript histogram). */
interface IndexMath {
  valueFromIndex(index: number): number
  highestEquivalentValue(value: number): number
}

let pinnedMath: IndexMath | undefined
function indexMath(): IndexMath {
  return (pinnedMath ??= create() as unknown as IndexMath)
}

/** One ZigZag LEB128 long (up to 9 bytes, the 9th with all 8 bits), as HdrHistogram's V2 encoding writes it. */
function zigZag(buf: Uint8Array, at: { pos: number }): number {
  let value = 0
  let scale = 1
  for (let i = 0; i < 9; i++) {
    const b = buf[at.pos++]
    if (i === 8) {
      value += b * scale
      break
    }
    value += (b & 0x7f) * scale
    scale *= 128
    if (!(b & 0x80)) break
  }
  return value % 2 === 0 ? value / 2 : -(value + 1) / 2
}

/**
 * The non-zero counts of an encoded histogram, by counts-array index, read from its compressed V2 encoding;
 * a histogram with other parameters than the pinned ones is refused (its indices would mean other values).
 */
function sparseCounts(encoded: string): [number, number][] {
  const data = Buffer.from(encoded.trim(), 'base64')
  if ((data.readInt32BE(0) & ~0xf0) !== V2_COMPRESSED_COOKIE_BASE) {
    throw new Error('not an HdrHistogram compressed V2 encoding')
  }
  const raw = inflateSync(data.subarray(8, 8 + data.readInt32BE(4)))
  if ((raw.readInt32BE(0) & ~0xf0) !== V2_COOKIE_BASE) throw new Error('not an HdrHistogram V2 encoding')
  const pinned =
    raw.readInt32BE(12) === HISTOGRAM_PARAMETERS.digits &&
    Number(raw.readBigInt64BE(16)) === HISTOGRAM_PARAMETERS.lowest &&
    Number(raw.readBigInt64BE(24)) === HISTOGRAM_PARAMETERS.highest
  if (!pinned) throw new Error('a histogram with other parameters than the pinned ones')
  const at = { pos: V2_HEADER_BYTES }
  const end = V2_HEADER_BYTES + raw.readInt32BE(4)
  const out: [number, number][] = []
  let index = 0
  while (at.pos < end) {
    const count = zigZag(raw, at)
    if (count < 0) index += -count
    else {
      if (count > 0) out.push([index, count])
      index++
    }
  }
  return out
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

  /**
   * The values of an encoded histogram, ascending, in ms, each as {@link quantile} reports it (its bucket's
   * highest equivalent value): for windows of a few requests, where a quantile of merged windows or a mean
   * of logs needs the values themselves. It reads the encoding's run-length counts directly instead of
   * filling a histogram's whole counts array (tens of kB), so it costs what the values cost.
   */
  static decodeValues(encoded: string): number[] {
    const counts = sparseCounts(encoded)
    const out: number[] = []
    const math = indexMath()
    for (const [index, count] of counts) {
      const v = math.highestEquivalentValue(math.valueFromIndex(index)) / 1000
      for (let k = 0; k < count; k++) out.push(v)
    }
    return out
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
