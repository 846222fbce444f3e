/**
 * The shapes of the six executors as pure functions of time: when each
 * arrival-rate iteration is due, how many VUs a ramping-vus profile has at each
 * instant, and how work splits across execution segments (worker threads).
 * The engine follows these; tests check them exactly.
 */
import type { ResolvedProfile, ResolvedStage } from './profile.ts'

/**
 * One share of a profile's work, as k6's execution segments split it: this worker takes every index ≡ `index`
 * (mod `count`).
 */
export interface Segment {
  /** 0-based position of this worker. */
  index: number
  /** How many workers share the profile. */
  count: number
}

export const wholeSegment: Segment = { index: 0, count: 1 }

/** How many of `total` striped indices (0..total-1) fall into `segment`. */
export function shareOf(total: number, segment: Segment): number {
  if (total <= segment.index) return 0
  return Math.floor((total - 1 - segment.index) / segment.count) + 1
}

/** True when global index `i` belongs to `segment`. */
export function inSegment(i: number, segment: Segment): boolean {
  return i % segment.count === segment.index
}

// Floating-point sums of rates land a hair below whole numbers (9.999999999 for 10).
const epsilon = 1e-9

/**
 * A piece of the arrival-rate curve: the rate (iterations per ms) goes linearly from r0 to r1
 * over [start, start+duration).
 */
interface RatePiece {
  startMs: number
  durationMs: number
  r0: number
  r1: number
  /** Iterations due before this piece starts. */
  before: number
}

function ratePieces(startRate: number, stages: readonly ResolvedStage[], timeUnitMs: number): RatePiece[] {
  const pieces: RatePiece[] = []
  let from = startRate / timeUnitMs
  let at = 0
  let before = 0
  for (const s of stages) {
    const to = s.target / timeUnitMs
    if (s.durationMs > 0) {
      pieces.push({ startMs: at, durationMs: s.durationMs, r0: from, r1: to, before })
      before += ((from + to) / 2) * s.durationMs
      at += s.durationMs
    }
    from = to
  }
  return pieces
}

/** The arrival-rate schedule of a profile: how many iterations are due, and when each one is. */
export interface ArrivalSchedule {
  /** How long iterations may start (the executor's duration, or the sum of its stages). */
  durationMs: number
  /** Iterations planned over the whole profile (all segments). */
  planned: number
  /** Start offset (ms from the profile's start) of iteration `k` (0-based, global). */
  startOf(k: number): number
  /** The iterations of `segment`, in order: `[k, offsetMs]`. */
  iterations(segment?: Segment): IterableIterator<[number, number]>
}

/**
 * The schedule of an arrival-rate profile. Iteration `k` (0-based) starts
 * when the integral of the rate since the start reaches `k`, so a constant
 * rate of `rate` per `timeUnit` starts one at 0, then one every
 * `timeUnit/rate`, and a ramp starts them ever closer together. Planned
 * iterations are the whole numbers `k` below the integral over the whole
 * duration: `rate × duration / timeUnit` for a constant rate.
 */
export function arrivalSchedule(profile: ResolvedProfile): ArrivalSchedule {
  if (profile.executor !== 'constant-arrival-rate' && profile.executor !== 'ramping-arrival-rate') {
    throw new Error(`arrivalSchedule: ${profile.executor} is not an arrival-rate executor`)
  }
  const pieces =
    profile.executor === 'constant-arrival-rate'
      ? ratePieces(profile.rate, [{ durationMs: profile.durationMs, target: profile.rate }], profile.timeUnitMs)
      : ratePieces(profile.startRate, profile.stages, profile.timeUnitMs)
  const last = pieces[pieces.length - 1]
  const durationMs = last ? last.startMs + last.durationMs : 0
  const total = last ? last.before + ((last.r0 + last.r1) / 2) * last.durationMs : 0
  const planned = Math.max(0, Math.ceil(total - epsilon))
  const end = (p: RatePiece) => p.before + ((p.r0 + p.r1) / 2) * p.durationMs
  let cursor = 0
  const startOf = (k: number): number => {
    // Iterators ask in increasing order; a lookup further back starts over.
    if (cursor >= pieces.length || pieces[cursor].before > k + epsilon) cursor = 0
    // Iteration k starts at the first instant the integral exceeds k: skip pieces that end at or below k.
    while (cursor < pieces.length - 1 && k >= end(pieces[cursor]) - epsilon) cursor++
    const p = pieces[cursor]
    const n = k - p.before
    if (n <= epsilon) return p.startMs
    const a = (p.r1 - p.r0) / (2 * p.durationMs)
    const b = p.r0
    // Solve a·t² + b·t = n for the smallest t ≥ 0, in the form that stays exact when a → 0.
    const disc = Math.max(0, b * b + 4 * a * n)
    const t = (2 * n) / (b + Math.sqrt(disc))
    return p.startMs + Math.min(t, p.durationMs)
  }
  return {
    durationMs,
    planned,
    startOf,
    *iterations(segment: Segment = { index: 0, count: 1 }) {
      for (let k = segment.index; k < planned; k += segment.count) yield [k, startOf(k)]
    },
  }
}

/** A change of the VU count at `atMs` (ms from the profile's start). */
export interface VuStep {
  atMs: number
  vus: number
}

/**
 * The VU count of a ramping-vus profile over time: it starts at `startVUs`,
 * and in each stage follows the straight line to the stage's target, stepping
 * by one VU each time the line crosses a whole number (a stage of 0s jumps).
 * The last step is at the end of the stages. Steps at the same instant are merged.
 */
export function rampingVuSteps(startVUs: number, stages: readonly ResolvedStage[]): VuStep[] {
  const steps: VuStep[] = [{ atMs: 0, vus: startVUs }]
  let at = 0
  let from = startVUs
  const push = (atMs: number, vus: number) => {
    const prev = steps[steps.length - 1]
    if (prev.atMs === atMs) prev.vus = vus
    else if (prev.vus !== vus) steps.push({ atMs, vus })
  }
  for (const s of stages) {
    const diff = s.target - from
    if (s.durationMs === 0 || diff === 0) {
      push(at, s.target)
    } else {
      const n = Math.abs(diff)
      const dir = Math.sign(diff)
      for (let j = 1; j <= n; j++) push(at + (j * s.durationMs) / n, from + dir * j)
    }
    at += s.durationMs
    from = s.target
  }
  return steps
}

/** The VU count a step list gives at `atMs`. */
export function vusAt(steps: readonly VuStep[], atMs: number): number {
  let v = steps[0]?.vus ?? 0
  for (const s of steps) {
    if (s.atMs > atMs) break
    v = s.vus
  }
  return v
}

/** The most VUs a profile can have at once (what k6 initialises before the start). */
export function maxVusOf(profile: ResolvedProfile): number {
  switch (profile.executor) {
    case 'shared-iterations':
    case 'per-vu-iterations':
    case 'constant-vus':
      return profile.vus
    case 'ramping-vus':
      return Math.max(profile.startVUs, ...profile.stages.map((s) => s.target))
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate':
      return profile.maxVUs
  }
}

/** How long a profile may start iterations, before `gracefulStop` (k6's "max duration" minus the graceful part). */
export function activeDurationOf(profile: ResolvedProfile): number {
  switch (profile.executor) {
    case 'shared-iterations':
    case 'per-vu-iterations':
      return profile.maxDurationMs
    case 'constant-vus':
    case 'constant-arrival-rate':
      return profile.durationMs
    case 'ramping-vus':
    case 'ramping-arrival-rate':
      return profile.stages.reduce((a, s) => a + s.durationMs, 0)
  }
}

/**
 * The longest a profile can run: start time + active duration + gracefulStop
 * (k6's "max duration incl. graceful stop").
 */
export function maxDurationOf(profile: ResolvedProfile): number {
  return profile.startTimeMs + activeDurationOf(profile) + profile.gracefulStopMs
}
