/**
 * The one place the load package touches hdr-histogram-js. Values are
 * recorded in microseconds with pinned parameters, so histograms from any
 * window, worker or run merge exactly. (When @steady/record's histogram helper
 * lands, this file becomes a re-export of it.)
 */
import * as hdr from 'hdr-histogram-js'
import type { Histogram } from 'hdr-histogram-js'

/** Pinned: 1 µs to 1 hour, 3 significant digits. */
export const histogramParameters = {
  unit: 'us',
  lowestDiscernibleValue: 1,
  highestTrackableValue: 3_600_000_000,
  numberOfSignificantValueDigits: 3,
} as const

export type LatencyHistogram = Histogram

/** A new, empty histogram with the pinned parameters. */
export function createHistogram(): LatencyHistogram {
  return hdr.build({
    bitBucketSize: 32,
    autoResize: false,
    lowestDiscernibleValue: histogramParameters.lowestDiscernibleValue,
    highestTrackableValue: histogramParameters.highestTrackableValue,
    numberOfSignificantValueDigits: histogramParameters.numberOfSignificantValueDigits,
    useWebAssembly: false,
  })
}

/** Records a duration given in milliseconds (clamped into the pinned range). */
export function recordMs(h: LatencyHistogram, ms: number): void {
  let us = Math.round(ms * 1000)
  if (!(us >= 0)) us = 0
  if (us > histogramParameters.highestTrackableValue) us = histogramParameters.highestTrackableValue
  h.recordValue(us)
}

/** The compressed base64 form HdrHistogram's tools read. */
export function encodeHistogram(h: LatencyHistogram): string {
  return hdr.encodeIntoCompressedBase64(h)
}

/** Reads a histogram written by {@link encodeHistogram}. */
export function decodeHistogram(encoded: string): LatencyHistogram {
  const h = createHistogram()
  const decoded = hdr.decodeFromCompressedBase64(encoded, 32, false)
  h.add(decoded)
  decoded.destroy()
  return h
}

/** Summary numbers of a histogram, in milliseconds (k6's unit for time trends). */
export interface TrendStats {
  count: number
  avg: number
  min: number
  med: number
  max: number
  'p(90)': number
  'p(95)': number
  'p(99)': number
}

/** The value at percentile `p` (0–100), in ms. */
export function percentileMs(h: LatencyHistogram, p: number): number {
  if (h.totalCount === 0) return 0
  return h.getValueAtPercentile(p) / 1000
}

/** k6's default trend stats (plus p(99)) of a histogram, in ms. */
export function trendStats(h: LatencyHistogram): TrendStats {
  const empty = h.totalCount === 0
  return {
    count: h.totalCount,
    avg: empty ? 0 : h.mean / 1000,
    min: empty ? 0 : h.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 0 : Math.min(h.minNonZeroValue, h.getValueAtPercentile(0)) / 1000,
    med: percentileMs(h, 50),
    max: empty ? 0 : h.maxValue / 1000,
    'p(90)': percentileMs(h, 90),
    'p(95)': percentileMs(h, 95),
    'p(99)': percentileMs(h, 99),
  }
}
