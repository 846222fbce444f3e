/**
 * The load package's view of latency histograms: @steady/record's
 * {@link LatencyHistogram} (hdr-histogram-js with pinned parameters:
 * microseconds, 1 µs to 1 h, 3 digits, one encoding), so histograms from any
 * window, worker or run merge exactly. The API speaks milliseconds.
 */
import { LatencyHistogram } from '@steady/record'

export { LatencyHistogram }

/** A new, empty histogram with the pinned parameters. */
export function createHistogram(): LatencyHistogram {
  return new LatencyHistogram()
}

/** The compressed base64 form HdrHistogram's tools read. */
export function encodeHistogram(h: LatencyHistogram): string {
  return h.encode()
}

/** Reads a histogram written by {@link encodeHistogram}. */
export function decodeHistogram(encoded: string): LatencyHistogram {
  return LatencyHistogram.decode(encoded)
}

/** The value at percentile `p` (0–100), in ms; 0 when empty (k6 shows 0 for an empty trend). */
function percentileMs(h: LatencyHistogram, p: number): number {
  return h.count === 0 ? 0 : h.quantile(p / 100)
}

/** Summary numbers of a histogram in ms, with k6's stat names. */
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

/** k6's default trend stats (plus p(99)) of a histogram, in ms; zeros when empty. */
export function trendStats(h: LatencyHistogram): TrendStats {
  const empty = h.count === 0
  return {
    count: h.count,
    avg: empty ? 0 : h.mean,
    min: empty ? 0 : h.quantile(0),
    med: percentileMs(h, 50),
    max: empty ? 0 : h.max,
    'p(90)': percentileMs(h, 90),
    'p(95)': percentileMs(h, 95),
    'p(99)': percentileMs(h, 99),
  }
}

/** A k6 trend stat by name (`avg`, `min`, `med`, `max`, `p(N)`), in ms. */
export function trendStat(h: LatencyHistogram, stat: string): number {
  if (h.count === 0) return 0
  switch (stat) {
    case 'avg':
      return h.mean
    case 'min':
      return h.quantile(0)
    case 'max':
      return h.max
    case 'med':
      return h.quantile(0.5)
    case 'count':
      return h.count
  }
  const m = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat)
  return m ? h.quantile(Number(m[1]) / 100) : Number.NaN
}
