/**
 * Runs one profile's share of work (one execution segment) on one thread:
 * the arrival-rate scheduler (open model: iterations start on schedule, an
 * iteration that finds no free VU is dropped, never queued), the VU loops of
 * the closed executors, VU allocation, gracefulStop / gracefulRampDown, and
 * the k6-named metrics of each iteration.
 */
import type { Clock } from '@steady/kernel'
import type { ResolvedProfile } from '../profile.ts'
import {
  activeDurationOf,
  arrivalSchedule,
  inSegment,
  rampingVuSteps,
  shareOf,
  wholeSegment,
  type Segment,
} from '../schedule.ts'
import { seriesKey } from '../metrics/metrics.ts'
import type { WindowCollector } from '../metrics/windows.ts'
import { ArrivalTandem, type TandemSeat } from './tandem.ts'

/** One HTTP request an iteration made, as the engines record it (k6's `http_req_*`). */
export interface RequestSample {
  /** k6's `name` tag: the step name (or the URL when a step has none). */
  name: string
  method: string
  /** HTTP status, 0 when no response came back. */
  status: number
  /** k6's http_req_duration: sending + waiting + receiving, in ms. */
  durationMs: number
  /** k6's `expected_response`: the status was one the step expects (default 2xx/3xx). */
  expected: boolean
  /** Why no response came back (`ECONNREFUSED`, `timeout`, ...). */
  error?: string
  /** k6's timing breakdown, in ms, where known. */
  timings?: {
    blocked?: number
    connecting?: number
    tlsHandshaking?: number
    sending?: number
    waiting?: number
    receiving?: number
  }
  bytesSent?: number
  bytesReceived?: number
}

/** What an iteration reports besides its own duration. */
export interface IterationMetrics {
  /** One HTTP request (recorded at the moment it is reported: k6 stamps requests at their end). */
  request(sample: RequestSample): void
  /** One check (a steady `expect`): a failed one counts as a fail in `checks`. */
  check(name: string, pass: boolean): void
  /** Checks counted by the iteration itself (a steady iteration reports how many `expect`s passed and failed). */
  checks(passed: number, failed: number): void
}

/** What one iteration gets from the engine. */
export interface IterationContext<V> {
  /** k6's `__VU`: 1-based, unique across workers. */
  vu: number
  /** k6's `__ITER`: this VU's iteration count in this profile, 0-based. */
  iterationInVu: number
  /** The iteration's index in the profile (k6's `iterationInScenario` for shared and arrival executors). */
  iteration: number
  /** Aborted when the iteration is cut short (end of stage, gracefulStop, abortOnFail, a signal). */
  signal: AbortSignal
  /** The VU's own state (its HTTP dispatcher: each VU has its own connections). */
  state: V
  metrics: IterationMetrics
}

/** The work of one iteration. A rejection ends the iteration; it still counts as complete (it was not cut short). */
export type IterationFn<V> = (ctx: IterationContext<V>) => Promise<void>

/** Creates and frees a VU's state (one per VU, reused across its iterations). */
export interface VuFactory<V> {
  create(id: number): V
  destroy(state: V): Promise<void> | void
}

export interface RunnerOptions<V> {
  profile: ResolvedProfile
  clock: Clock
  /** The share of the work this runner does (default: all of it). */
  segment?: Segment
  iterate: IterationFn<V>
  vus: VuFactory<V>
  collector: WindowCollector
  /** The run's start on the clock's timeline (the profile's startTime counts from here). */
  t0: number
  /** Aborting stops the runner: no new iterations, running ones are interrupted. */
  signal?: AbortSignal
  /** How long to wait for an interrupted iteration that ignores its signal (default 2s). */
  abandonAfterMs?: number
  /**
   * An arrival-rate run that shares its schedule with other runs (a paired
   * soak's two sides): the tandem decides when each arrival starts and which
   * member goes first; this runner is member `index`. Other executors leave it.
   */
  tandem?: TandemSeat
}

/** What a runner did. */
export interface RunnerResult {
  /** Iterations the schedule planned for this segment (arrival-rate and iteration-count executors). */
  planned: number | undefined
  started: number
  completed: number
  interrupted: number
  dropped: number
  /** Iteration starts more than {@link lateStartMs} behind schedule (arrival-rate). */
  lateStarts: number
  /** VUs this segment initialised (k6's vus_max). */
  vusAllocated: number
  /** True when the signal stopped the run early. */
  aborted: boolean
}

interface Vu<V> {
  id: number
  state: V
  iterations: number
  /** Aborts the VU's running iteration; replaced after each abort (one per VU, not per iteration). */
  controller: AbortController
  /** The running iteration, if any: marked when it is cut short. */
  current: { interrupted: boolean } | undefined
  /** The running iteration, if any. */
  running: Promise<void> | undefined
  /** Ramping-vus: finish the current iteration, then stop. */
  retiring: boolean
  cancelRetire: (() => void) | undefined
  loop: Promise<void> | undefined
  /** What its iterations report through (one object per VU, not per iteration). */
  metrics: IterationMetrics
}

const emptyTags: Record<string, string> = {}

/** A start further behind schedule than this counts in `lateStarts` (timers alone are ~1 ms late). */
export const lateStartMs = 5

/**
 * Runs a profile's segment to its end and resolves with counts; metrics go
 * to the collector as they happen.
 */
export class Runner<V> {
  readonly #o: RunnerOptions<V>
  readonly #p: ResolvedProfile
  readonly #clock: Clock
  readonly #seg: Segment
  readonly #c: WindowCollector
  readonly #stop = new AbortController()
  readonly #vus: Vu<V>[] = []
  readonly #free: Vu<V>[] = []
  readonly #busy = new Set<Vu<V>>()
  #active = 0
  readonly #result: RunnerResult = {
    planned: undefined,
    started: 0,
    completed: 0,
    interrupted: 0,
    dropped: 0,
    lateStarts: 0,
    vusAllocated: 0,
    aborted: false,
  }
  // Precomputed series keys: the hot path must not build strings per sample.
  readonly #scenarioTags: Record<string, string>
  readonly #keys: Record<string, string>
  readonly #requestKeys = new Map<string, RequestKeys>()
  readonly #checkKeys = new Map<string, { tags: Record<string, string>; key: string }>()
  readonly #errorKeys = new Map<string, { tags: Record<string, string>; key: string }>()
  readonly #metrics: IterationMetrics
  /** An arrival-rate iteration has ended: its VU is free again. */
  readonly #release = (vu: Vu<V>) => {
    this.#active--
    this.#gaugeVus()
    this.#free.push(vu)
  }

  constructor(options: RunnerOptions<V>) {
    this.#o = options
    this.#p = options.profile
    this.#clock = options.clock
    this.#seg = options.segment ?? wholeSegment
    this.#c = options.collector
    this.#scenarioTags = { ...this.#p.tags, scenario: this.#p.name }
    const k = (m: string) => seriesKey(m, this.#scenarioTags)
    this.#keys = {
      iterations: k('iterations'),
      iteration_duration: k('iteration_duration'),
      dropped_iterations: k('dropped_iterations'),
      interrupted_iterations: k('interrupted_iterations'),
      checks: k('checks'),
      vus: seriesKey('vus', emptyTags),
      vus_max: seriesKey('vus_max', emptyTags),
    }
    this.#metrics = {
      request: (sample) => this.#request(sample),
      check: (name, pass) => this.#check(name, pass),
      checks: (passed, failed) => this.#c.rateCounts('checks', this.#scenarioTags, passed, failed, this.#keys.checks),
    }
    if (options.signal) {
      if (options.signal.aborted) this.#abortAll()
      else options.signal.addEventListener('abort', () => this.#abortAll(), { once: true })
    }
  }

  /** Runs to the end (or until stopped) and frees every VU. */
  async run(): Promise<RunnerResult> {
    const p = this.#p
    const start = this.#o.t0 + p.startTimeMs
    // Only an arrival-rate run rides a shared schedule: any other leaves it at once.
    if (!p.executor.endsWith('arrival-rate')) this.#o.tandem?.tandem.leave(this.#o.tandem.index)
    try {
      if (p.startTimeMs > 0) await this.#clock.sleepUntil(start, this.#stop.signal)
      if (!this.#stop.signal.aborted) {
        switch (p.executor) {
          case 'constant-arrival-rate':
          case 'ramping-arrival-rate':
            await this.#arrivalRate(start)
            break
          case 'constant-vus':
            await this.#constantVus(start)
            break
          case 'shared-iterations':
            await this.#sharedIterations(start)
            break
          case 'per-vu-iterations':
            await this.#perVuIterations(start)
            break
          case 'ramping-vus':
            await this.#rampingVus(start)
            break
        }
      }
    } finally {
      // A run that never rode (another executor, stopped before its start) must not hold the others back.
      this.#o.tandem?.tandem.leave(this.#o.tandem.index)
      this.#gaugeVus()
      await Promise.all(this.#vus.map((vu) => this.#o.vus.destroy(vu.state)))
    }
    this.#result.aborted = this.#stop.signal.aborted
    return this.#result
  }

  // ── VUs ──

  #allocate(id: number): Vu<V> {
    const vu: Vu<V> = {
      id,
      state: this.#o.vus.create(id),
      iterations: 0,
      controller: new AbortController(),
      current: undefined,
      running: undefined,
      retiring: false,
      cancelRetire: undefined,
      loop: undefined,
      metrics: this.#metrics,
    }
    this.#vus.push(vu)
    this.#result.vusAllocated++
    return vu
  }

  #gaugeMax(): void {
    this.#c.gauge('vus_max', emptyTags, this.#vus.length, this.#keys.vus_max)
  }

  #gaugeVus(): void {
    this.#c.gauge('vus', emptyTags, this.#active, this.#keys.vus)
  }

  // ── one iteration ──

  /**
   * Runs one iteration on `vu`; `after` runs when it has settled (before the
   * returned promise resolves). One promise and one closure per iteration:
   * at thousands of iterations per second, allocations are CPU.
   */
  #runIteration(vu: Vu<V>, iteration: number, after?: (vu: Vu<V>) => void): Promise<void> {
    const token = { interrupted: false }
    vu.current = token
    this.#busy.add(vu)
    this.#result.started++
    const began = this.#clock.now()
    let work: Promise<void>
    try {
      work = this.#o.iterate({
        vu: vu.id,
        iterationInVu: vu.iterations++,
        iteration,
        signal: vu.controller.signal,
        state: vu.state,
        metrics: vu.metrics,
      })
    } catch (error) {
      work = Promise.reject(error)
    }
    const settle = () => {
      if (vu.current === token) vu.current = undefined
      this.#busy.delete(vu)
      vu.running = undefined
      // An interrupted iteration was counted as such when it was cut short.
      if (!token.interrupted) {
        this.#result.completed++
        this.#c.count('iterations', this.#scenarioTags, 1, this.#keys.iterations)
        this.#c.trend(
          'iteration_duration',
          this.#scenarioTags,
          this.#clock.now() - began,
          this.#keys.iteration_duration,
        )
      }
      after?.(vu)
    }
    const done = work.then(settle, settle)
    vu.running = done
    return done
  }

  /** Cuts the VU's running iteration short; it counts as interrupted. */
  #interrupt(vu: Vu<V>): void {
    const c = vu.current
    if (!c || c.interrupted) return
    c.interrupted = true
    vu.controller.abort(new Error('iteration interrupted'))
    // The VU's next iteration needs a signal that is not aborted.
    vu.controller = new AbortController()
    this.#result.interrupted++
    this.#c.count('interrupted_iterations', this.#scenarioTags, 1, this.#keys.interrupted_iterations)
  }

  #abortAll(): void {
    if (this.#stop.signal.aborted) return
    this.#stop.abort()
    for (const vu of this.#busy) this.#interrupt(vu)
  }

  /**
   * After the active period: let running iterations finish until `deadline`,
   * then interrupt what is left, and wait (bounded) for those to settle.
   */
  async #drain(deadline: number): Promise<void> {
    if (this.#busy.size && !this.#stop.signal.aborted) await this.#waitIdle(deadline, this.#stop.signal)
    for (const vu of this.#busy) this.#interrupt(vu)
    // Interrupted iterations get a moment to notice their signal; one that ignores it is abandoned.
    if (this.#busy.size) await this.#waitIdle(this.#clock.now() + (this.#o.abandonAfterMs ?? 2000))
  }

  /** Waits until no iteration runs, the clock reaches `deadline`, or `signal` aborts. */
  async #waitIdle(deadline: number, signal?: AbortSignal): Promise<void> {
    let wake!: () => void
    const timeUp = new Promise<void>((r) => (wake = r))
    let over = false
    const end = () => {
      over = true
      wake()
    }
    const cancel = this.#clock.setTimer(deadline, end)
    signal?.addEventListener('abort', end, { once: true })
    try {
      while (this.#busy.size && !over) {
        await Promise.race([...[...this.#busy].map((vu) => vu.running), timeUp])
      }
    } finally {
      cancel()
      signal?.removeEventListener('abort', end)
    }
  }

  // ── samples from iterations ──

  #request(s: RequestSample): void {
    const id = `${s.name}\u0000${s.method}\u0000${s.status}\u0000${s.expected}`
    let keys = this.#requestKeys.get(id)
    if (!keys) this.#requestKeys.set(id, (keys = requestKeys(this.#scenarioTags, s)))
    const c = this.#c
    const t = keys.tags
    c.count('http_reqs', t, 1, keys.http_reqs)
    c.trend('http_req_duration', t, s.durationMs, keys.http_req_duration)
    c.rate('http_req_failed', t, !s.expected, keys.http_req_failed)
    const tm = s.timings
    if (tm) {
      if (tm.blocked !== undefined) c.trend('http_req_blocked', t, tm.blocked, keys.http_req_blocked)
      if (tm.connecting !== undefined) c.trend('http_req_connecting', t, tm.connecting, keys.http_req_connecting)
      if (tm.tlsHandshaking !== undefined)
        c.trend('http_req_tls_handshaking', t, tm.tlsHandshaking, keys.http_req_tls_handshaking)
      if (tm.sending !== undefined) c.trend('http_req_sending', t, tm.sending, keys.http_req_sending)
      if (tm.waiting !== undefined) c.trend('http_req_waiting', t, tm.waiting, keys.http_req_waiting)
      if (tm.receiving !== undefined) c.trend('http_req_receiving', t, tm.receiving, keys.http_req_receiving)
    }
    if (s.bytesSent) c.count('data_sent', this.#scenarioTags, s.bytesSent)
    if (s.bytesReceived) c.count('data_received', this.#scenarioTags, s.bytesReceived)
    if (s.error) {
      let e = this.#errorKeys.get(s.error)
      if (!e) {
        const tags = { ...this.#scenarioTags, error: s.error }
        this.#errorKeys.set(s.error, (e = { tags, key: seriesKey('http_req_errors', tags) }))
      }
      c.count('http_req_errors', e.tags, 1, e.key)
    }
  }

  #check(name: string, pass: boolean): void {
    let k = this.#checkKeys.get(name)
    if (!k) {
      const tags = { ...this.#scenarioTags, check: name }
      this.#checkKeys.set(name, (k = { tags, key: seriesKey('checks', tags) }))
    }
    this.#c.rate('checks', k.tags, pass, k.key)
  }

  // ── arrival-rate executors (open model) ──

  async #arrivalRate(start: number): Promise<void> {
    const p = this.#p
    if (p.executor !== 'constant-arrival-rate' && p.executor !== 'ramping-arrival-rate') return
    const schedule = arrivalSchedule(p)
    this.#result.planned = shareOf(schedule.planned, this.#seg)
    const maxVus = shareOf(p.maxVUs, this.#seg)
    const pre = shareOf(p.preAllocatedVUs, this.#seg)
    const idOf = (local: number) => this.#seg.index + local * this.#seg.count + 1
    for (let i = 0; i < pre; i++) this.#free.push(this.#allocate(idOf(i)))
    this.#gaugeMax()
    this.#gaugeVus()
    const it = schedule.iterations(this.#seg)
    const stop = this.#stop.signal
    const arrive = (k: number, due: number, now: number) => this.#arrive(k, due, now, maxVus, idOf)
    // Alone, the runner rides a tandem of one: the same loop starts every arrival on time.
    const { tandem, index } = this.#o.tandem ?? { tandem: new ArrivalTandem({ members: 1, first: () => 0 }), index: 0 }
    const begin = await tandem.ride(index, { arrive, signal: stop }, it, start, this.#clock)
    if (!stop.aborted) await this.#clock.sleepUntil(begin + schedule.durationMs, stop)
    await this.#drain(begin + schedule.durationMs + p.gracefulStopMs)
  }

  /** Starts arrival-rate iteration `k`, due at `due`: on a free VU, a new one within maxVUs, or dropped. */
  #arrive(k: number, due: number, now: number, maxVus: number, idOf: (local: number) => number): void {
    const late = now - due
    this.#c.lateness(late)
    if (late > lateStartMs) this.#result.lateStarts++
    let vu = this.#free.pop()
    if (!vu && this.#vus.length < maxVus) {
      vu = this.#allocate(idOf(this.#vus.length))
      this.#gaugeMax()
    }
    if (!vu) {
      this.#result.dropped++
      this.#c.count('dropped_iterations', this.#scenarioTags, 1, this.#keys.dropped_iterations)
    } else {
      this.#active++
      this.#gaugeVus()
      void this.#runIteration(vu, k, this.#release)
    }
  }

  // ── closed executors (VU loops) ──

  /** Starts VU `vu`'s loop: iterations back to back while `more()` gives an iteration index. */
  #loop(vu: Vu<V>, more: (vu: Vu<V>) => number | undefined): Promise<void> {
    const run = async () => {
      this.#active++
      this.#gaugeVus()
      try {
        while (!this.#stop.signal.aborted && !vu.retiring) {
          const k = more(vu)
          if (k === undefined) break
          await this.#runIteration(vu, k)
        }
      } finally {
        this.#active--
        this.#gaugeVus()
        vu.loop = undefined
      }
    }
    vu.loop = run()
    return vu.loop
  }

  async #constantVus(start: number): Promise<void> {
    const p = this.#p
    if (p.executor !== 'constant-vus') return
    const end = start + p.durationMs
    this.#result.planned = undefined
    let k = 0
    const loops: Promise<void>[] = []
    const vus: Vu<V>[] = []
    for (let j = 0; j < p.vus; j++) if (inSegment(j, this.#seg)) vus.push(this.#allocate(j + 1))
    this.#gaugeMax()
    for (const vu of vus) loops.push(this.#loop(vu, () => (this.#clock.now() < end ? k++ : undefined)))
    await this.#closedEnd(loops, end)
  }

  async #sharedIterations(start: number): Promise<void> {
    const p = this.#p
    if (p.executor !== 'shared-iterations') return
    const end = start + p.maxDurationMs
    // Iteration k belongs to VU slot k mod vus, and so to that slot's segment.
    const mine: number[] = []
    for (let k = 0; k < p.iterations; k++) if (inSegment(k % p.vus, this.#seg)) mine.push(k)
    this.#result.planned = mine.length
    let i = 0
    const vus: Vu<V>[] = []
    for (let j = 0; j < p.vus; j++) if (inSegment(j, this.#seg)) vus.push(this.#allocate(j + 1))
    this.#gaugeMax()
    const loops = vus.map((vu) =>
      this.#loop(vu, () => (i < mine.length && this.#clock.now() < end ? mine[i++] : undefined)),
    )
    await this.#closedEnd(loops, end)
  }

  async #perVuIterations(start: number): Promise<void> {
    const p = this.#p
    if (p.executor !== 'per-vu-iterations') return
    const end = start + p.maxDurationMs
    const vus: Vu<V>[] = []
    for (let j = 0; j < p.vus; j++) if (inSegment(j, this.#seg)) vus.push(this.#allocate(j + 1))
    this.#gaugeMax()
    this.#result.planned = vus.length * p.iterations
    const loops = vus.map((vu) =>
      this.#loop(vu, (v) =>
        v.iterations < p.iterations && this.#clock.now() < end ? (v.id - 1) * p.iterations + v.iterations : undefined,
      ),
    )
    await this.#closedEnd(loops, end)
  }

  async #rampingVus(start: number): Promise<void> {
    const p = this.#p
    if (p.executor !== 'ramping-vus') return
    const steps = rampingVuSteps(p.startVUs, p.stages)
    const end = start + activeDurationOf(p)
    const mine: Vu<V>[] = []
    const max = Math.max(p.startVUs, ...p.stages.map((s) => s.target))
    // k6 initialises every VU the stages can need before the start.
    for (let j = 0; j < max; j++) if (inSegment(j, this.#seg)) mine[j] = this.#allocate(j + 1)
    this.#gaugeMax()
    let k = 0
    const more = () => (this.#clock.now() < end ? k++ : undefined)
    const loops = new Set<Promise<void>>()
    const apply = (target: number) => {
      for (let j = 0; j < max; j++) {
        const vu = mine[j]
        if (!vu) continue
        if (j < target) {
          if (vu.retiring) {
            vu.retiring = false
            vu.cancelRetire?.()
            vu.cancelRetire = undefined
          }
          if (!vu.loop) {
            const l = this.#loop(vu, more)
            loops.add(l)
            void l.then(() => loops.delete(l))
          }
        } else if (vu.loop && !vu.retiring) {
          // Ramped down: finish the iteration within gracefulRampDown, else it is interrupted.
          vu.retiring = true
          const running = vu.current
          if (running) {
            vu.cancelRetire = this.#clock.setTimer(this.#clock.now() + p.gracefulRampDownMs, () => {
              if (vu.retiring && vu.current === running) this.#interrupt(vu)
            })
          }
        }
      }
    }
    for (const step of steps) {
      if (this.#stop.signal.aborted) break
      await this.#clock.sleepUntil(start + step.atMs, this.#stop.signal)
      if (this.#stop.signal.aborted) break
      if (start + step.atMs >= end && step.atMs > 0) {
        // The last step lands on the end of the stages: ramped-down VUs stop like the rest, with gracefulStop.
        break
      }
      apply(step.vus)
    }
    await this.#closedEnd([...loops], end)
    for (const vu of mine) vu?.cancelRetire?.()
  }

  /** The end of a closed executor: wait for the active period, then gracefulStop, then interrupt. */
  async #closedEnd(loops: Promise<void>[], end: number): Promise<void> {
    const all = Promise.all(loops)
    let finished = false
    void all.then(() => (finished = true))
    // Loops end by themselves when they run out of iterations; otherwise the clock ends them.
    const endReached = new AbortController()
    const cancel = this.#clock.setTimer(end, () => endReached.abort())
    await Promise.race([
      all,
      new Promise<void>((r) => endReached.signal.addEventListener('abort', () => r(), { once: true })),
      abortPromise(this.#stop.signal),
    ])
    cancel()
    if (!finished) await this.#drain(end + this.#p.gracefulStopMs)
    await Promise.race([all, abortPromise(this.#stop.signal)])
  }
}

function abortPromise(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise((r) => signal.addEventListener('abort', () => r(), { once: true }))
}

interface RequestKeys {
  tags: Record<string, string>
  http_reqs: string
  http_req_duration: string
  http_req_failed: string
  http_req_blocked: string
  http_req_connecting: string
  http_req_tls_handshaking: string
  http_req_sending: string
  http_req_waiting: string
  http_req_receiving: string
}

/** The tags k6 puts on an HTTP sample: scenario, name, method, status, expected_response. */
function requestKeys(scenarioTags: Record<string, string>, s: RequestSample): RequestKeys {
  const tags = {
    ...scenarioTags,
    name: s.name,
    method: s.method,
    status: String(s.status),
    expected_response: String(s.expected),
  }
  const k = (m: string) => seriesKey(m, tags)
  return {
    tags,
    http_reqs: k('http_reqs'),
    http_req_duration: k('http_req_duration'),
    http_req_failed: k('http_req_failed'),
    http_req_blocked: k('http_req_blocked'),
    http_req_connecting: k('http_req_connecting'),
    http_req_tls_handshaking: k('http_req_tls_handshaking'),
    http_req_sending: k('http_req_sending'),
    http_req_waiting: k('http_req_waiting'),
    http_req_receiving: k('http_req_receiving'),
  }
}
