/**
 * Trends over windows, in O(n log n): the Theil–Sen slope (the median of the
 * pairwise slopes within segments, robust to single spikes and to the
 * sawtooth of a garbage-collected heap) and the Mann–Kendall statistic (how
 * many later values rise above earlier ones, less how many fall below).
 *
 * A phase of a day-long soak has thousands of windows, so tens of millions of
 * pairs: listing and sorting them all costs seconds and hundreds of megabytes
 * for each series a judge fits. Beyond {@link LISTED_PAIRS} pairs the median
 * is selected instead, the way randomized slope selection does it (Matoušek
 * 1991; Dillencourt, Mount & Netanyahu 1992):
 *
 * - how many slopes lie below a value t is a count of ordered pairs: along
 *   x, the pair (a, b) has a slope above t exactly when y − t·x rises from a
 *   to b, and a merge sort counts those rises in O(n log n);
 * - slopes of random pairs bracket the wanted rank, and counts at the bracket
 *   confirm it (or narrow one side when the sample missed);
 * - once few slopes lie inside, they are listed (the pairs whose order by
 *   y − lo·x and by y − hi·x disagree, found by the same merge) and sorted.
 *
 * The answer is one of the pairs' own slopes, ties included, as the listing
 * gives; time O(n log n) and memory O(n) for the sizes soaks have.
 */
import { mulberry32 } from './random.ts'
import { median } from './stats.ts'

/** A point of a series: `x` is time (any unit; slopes are per this unit). */
export interface Point {
  /** Time (any unit; slopes are per this unit). */
  x: number
  y: number
}

/** Up to this many pairs (2 MiB of slopes) every slope is listed and sorted; beyond it the median is selected. */
const LISTED_PAIRS = 1 << 18
/** Random slopes drawn per round to bracket the rank, and the most draws a round may take to find them. */
const SAMPLE = 8192
const MAX_DRAWS = 1 << 22
/** Rounds after which the bracket is listed whatever its size (each round narrows it about fiftyfold). */
const MAX_ROUNDS = 64

/**
 * A segment sorted by x (ties by y, descending). The counts work on `xs` and
 * `ys`, the points moved so that the middle one is at 0: y − t·x of points far
 * from the origin (epoch milliseconds) would lose the digits that order them.
 * Slopes are taken from `x` and `y` as given, as the listing takes them.
 * `runs` are the [start, end) ranges of points sharing one x (their pairs
 * have no slope).
 */
interface Segment {
  x: Float64Array
  y: Float64Array
  xs: Float64Array
  ys: Float64Array
  runs: [number, number][]
  /** Pairs with a slope (different x). */
  pairs: number
}

function prepare(points: readonly Point[]): Segment {
  const sorted = [...points].sort((a, b) => a.x - b.x || b.y - a.y)
  const x = Float64Array.from(sorted, (p) => p.x)
  const y = Float64Array.from(sorted, (p) => p.y)
  const middle = x.length >> 1
  const xs = x.map((v) => v - x[middle])
  const ys = y.map((v) => v - y[middle])
  const runs: [number, number][] = []
  let pairs = (x.length * (x.length - 1)) / 2
  for (let i = 0; i < x.length;) {
    let j = i + 1
    while (j < x.length && x[j] === x[i]) j++
    if (j - i > 1) {
      runs.push([i, j])
      pairs -= ((j - i) * (j - i - 1)) / 2
    }
    i = j
  }
  return { x, y, xs, ys, runs, pairs }
}

/**
 * Theil–Sen slope over segments: the median of every within-segment pairwise
 * slope. Slopes are never taken across segments (phases under different
 * load), so a level change between them is not read as a trend. Points whose
 * x or y is not finite are left out; `NaN` when no two points of a segment
 * differ in `x`.
 */
export function theilSen(segments: readonly (readonly Point[])[]): number {
  return medianSlope(segments, LISTED_PAIRS)
}

/**
 * The median slope, listing every slope up to `listedPairs` pairs and
 * selecting it beyond (tests compare the two). Points whose x or y is not a
 * finite number are left out.
 */
export function medianSlope(given: readonly (readonly Point[])[], listedPairs: number): number {
  const finite = (p: Point) => Number.isFinite(p.x) && Number.isFinite(p.y)
  const segments = given.map((s) => (s.every(finite) ? s : s.filter(finite)))
  let pairs = 0
  for (const s of segments) pairs += (s.length * (s.length - 1)) / 2
  if (pairs <= listedPairs) return medianOfListed(segments, pairs)
  const segs = segments.map(prepare)
  const total = segs.reduce((a, s) => a + s.pairs, 0)
  if (!total) return Number.NaN
  const [low, high] = selectRanks(segs, total, Math.floor((total - 1) / 2), Math.floor(total / 2), listedPairs)
  return (low + high) / 2
}

/**
 * The Theil–Sen line through points: its slope (as {@link theilSen}) and the
 * intercept that halves the residuals (the median of `y − slope·x`), both
 * leaving out points that are not finite. Undefined when no two points
 * differ in `x`.
 */
export function theilSenLine(points: readonly Point[]): { slope: number; intercept: number } | undefined {
  const slope = theilSen([points])
  if (!Number.isFinite(slope)) return undefined
  const residuals = points.map((p) => p.y - slope * p.x).filter(Number.isFinite)
  return { slope, intercept: median(residuals) }
}

/**
 * The Mann–Kendall statistic S of a series: over every pair of values, +1
 * where the later one is higher, −1 where it is lower, 0 for a tie. Counted
 * by a merge sort rather than pair by pair.
 */
export function mannKendallS(values: ArrayLike<number>): number {
  const u = Float64Array.from(values)
  if (u.some(Number.isNaN)) return Number.NaN
  const { rises, falls } = risesAndFalls(u)
  return rises - falls
}

function medianOfListed(segments: readonly (readonly Point[])[], pairs: number): number {
  const slopes = new Float64Array(pairs)
  let k = 0
  for (const s of segments) {
    for (let i = 0; i < s.length; i++) {
      for (let j = i + 1; j < s.length; j++) {
        const dx = s[j].x - s[i].x
        if (dx !== 0) slopes[k++] = (s[j].y - s[i].y) / dx
      }
    }
  }
  return medianSorted(slopes.subarray(0, k).sort())
}

function medianSorted(a: Float64Array): number {
  const n = a.length
  if (!n) return Number.NaN
  return n % 2 ? a[(n - 1) >> 1] : (a[n / 2 - 1] + a[n / 2]) / 2
}

/**
 * The slopes of ranks `first` and `last` (0-based, ascending, `last` − `first` ≤ 1) among `total` slopes,
 * listing the bracket once it holds `listed` slopes.
 */
function selectRanks(
  segs: readonly Segment[],
  total: number,
  first: number,
  last: number,
  listed: number,
): [number, number] {
  const random = mulberry32(first + 1)
  const found = new Map<number, number>()
  const open = () => [first, last].filter((r) => !found.has(r))
  // The bracket (lo, hi), both ends left out, holds the ranks still open: `below` slopes are ≤ lo, `upTo` are < hi.
  let lo = Number.NEGATIVE_INFINITY
  let hi = Number.POSITIVE_INFINITY
  let below = 0
  let upTo = total
  let spread = 1.5
  for (let round = 0; round < MAX_ROUNDS && open().length && upTo - below > listed; round++) {
    const sample = sampleBetween(segs, lo, hi, random)
    if (!sample.length) break
    const width = upTo - below
    const at = (open()[0] - below + 0.5) / width
    const half = spread / Math.sqrt(sample.length)
    const candidates = [
      sample[Math.max(0, Math.floor((at - half) * sample.length))],
      sample[Math.min(sample.length - 1, Math.ceil((at + half) * sample.length))],
    ]
    for (const t of candidates) {
      const { less, notAbove } = rankOf(segs, total, t)
      for (const r of open()) if (less <= r && r < notAbove) found.set(r, t)
      const ranks = open()
      if (!ranks.length) break
      // A rank found at t (a block of equal slopes) leaves the other one just above or below that block.
      if (notAbove <= ranks[0] && notAbove > below) [lo, below] = [t, notAbove]
      else if (less > ranks[ranks.length - 1] && less < upTo) [hi, upTo] = [t, less]
    }
    // A sample that missed on both sides narrows nothing: widen the next round's pick.
    spread = upTo - below < width ? 1.5 : spread * 2
  }
  const ranks = open()
  if (ranks.length) {
    const inside = listBetween(segs, lo, hi).sort()
    // Counts and listing compare the same keys; should rounding still leave the listing empty, an end stands in.
    const end = Number.isFinite(hi) ? hi : lo
    for (const r of ranks)
      found.set(r, inside.length ? inside[Math.min(inside.length - 1, Math.max(0, r - below))] : end)
  }
  return [found.get(first)!, found.get(last)!]
}

/** Up to {@link SAMPLE} slopes of random pairs in (lo, hi), ends left out. */
function sampleBetween(segs: readonly Segment[], lo: number, hi: number, random: () => number): Float64Array {
  const weights = segs.map((s) => (s.x.length * (s.x.length - 1)) / 2)
  const sum = weights.reduce((a, b) => a + b, 0)
  const out = new Float64Array(SAMPLE)
  let n = 0
  for (let draw = 0; draw < MAX_DRAWS && n < SAMPLE; draw++) {
    let pick = random() * sum
    let si = 0
    while (si < segs.length - 1 && pick >= weights[si]) pick -= weights[si++]
    const { x, y } = segs[si]
    if (x.length < 2) continue
    const i = Math.floor(random() * x.length)
    let j = Math.floor(random() * (x.length - 1))
    if (j >= i) j++
    const dx = x[j] - x[i]
    if (dx === 0) continue
    const slope = (y[j] - y[i]) / dx
    if (slope > lo && slope < hi) out[n++] = slope
  }
  return out.subarray(0, n).sort()
}

/** How many slopes lie strictly below t (`less`) and how many at or below it (`notAbove`). */
function rankOf(segs: readonly Segment[], total: number, t: number): { less: number; notAbove: number } {
  let less = 0
  let above = 0
  for (const { xs, ys, runs } of segs) {
    const u = new Float64Array(xs.length)
    for (let i = 0; i < xs.length; i++) u[i] = ys[i] - t * xs[i]
    const counted = risesAndFalls(u)
    above += counted.rises
    less += counted.falls
    // Pairs sharing an x have no slope: take back what the merge counted for them.
    for (const [start, end] of runs) {
      const shared = risesAndFalls(u.subarray(start, end))
      above -= shared.rises
      less -= shared.falls
    }
  }
  return { less, notAbove: total - above }
}

/**
 * A bottom-up merge sort of the indices in `order` by `key` (ascending; equal
 * keys keep their order). As each index b of a right half is placed,
 * `placed(b, left, from, start, mid)` is told where the left half stands:
 * left[start..from) hold the keys below b's, left[from..mid) the keys at or
 * above it. Returns the sorted indices.
 */
function mergeByKey(
  order: Uint32Array,
  key: Float64Array,
  placed: (b: number, left: Uint32Array, from: number, start: number, mid: number) => void,
): Uint32Array {
  let src = order
  let dst: Uint32Array = new Uint32Array(order.length)
  for (let width = 1; width < order.length; width *= 2) {
    for (let start = 0; start < order.length; start += 2 * width) {
      const mid = Math.min(start + width, order.length)
      const end = Math.min(start + 2 * width, order.length)
      let i = start
      let k = start
      for (let j = mid; j < end; j++) {
        const b = src[j]
        while (i < mid && key[src[i]] < key[b]) dst[k++] = src[i++]
        placed(b, src, i, start, mid)
        dst[k++] = b
      }
      while (i < mid) dst[k++] = src[i++]
    }
    ;[src, dst] = [dst, src]
  }
  return src
}

function indices(n: number): Uint32Array {
  const order = new Uint32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
  return order
}

/** Pairs i < j of `u` with u[j] > u[i] (rises) and with u[j] < u[i] (falls); ties are neither. */
function risesAndFalls(u: Float64Array): { rises: number; falls: number } {
  let rises = 0
  const sorted = mergeByKey(indices(u.length), u, (_b, _left, from, start) => (rises += from - start))
  let ties = 0
  for (let i = 0; i < sorted.length;) {
    let j = i + 1
    while (j < sorted.length && u[sorted[j]] === u[sorted[i]]) j++
    ties += ((j - i) * (j - i - 1)) / 2
    i = j
  }
  return { rises, falls: (u.length * (u.length - 1)) / 2 - rises - ties }
}

/**
 * Every slope in (lo, hi), ends left out: the pairs whose order by y − lo·x
 * and by y − hi·x disagree. Points are ordered by the first key and
 * merge-sorted by the second; a point passed over by a later one with a lower
 * second key is such a pair, checked against the same keys the counts used.
 */
function listBetween(segs: readonly Segment[], lo: number, hi: number): Float64Array {
  const out: number[] = []
  for (const { x, y, xs, ys } of segs) {
    // At an infinite end the key's order is x's own (−∞) or its reverse (+∞), which the pair check agrees with.
    const keyLo = new Float64Array(x.length)
    const keyHi = new Float64Array(x.length)
    for (let i = 0; i < x.length; i++) {
      keyLo[i] = lo === Number.NEGATIVE_INFINITY ? xs[i] : ys[i] - lo * xs[i]
      keyHi[i] = hi === Number.POSITIVE_INFINITY ? -xs[i] : ys[i] - hi * xs[i]
    }
    const byLo = indices(x.length).sort((a, b) => keyLo[a] - keyLo[b] || keyHi[a] - keyHi[b])
    // The left half is sorted by keyHi: the points above b's key are its tail.
    mergeByKey(byLo, keyHi, (b, left, _from, start, mid) => {
      for (let p = mid - 1; p >= start && keyHi[left[p]] > keyHi[b]; p--) {
        const a = left[p]
        if (x[b] > x[a] && keyLo[b] > keyLo[a]) out.push((y[b] - y[a]) / (x[b] - x[a]))
      }
    })
  }
  return Float64Array.from(out)
}
