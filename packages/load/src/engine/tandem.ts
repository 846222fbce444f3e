/**
 * Two arrival-rate runs on one schedule. A paired soak loads the candidate
 * and the control with the same profile from one process; two independent
 * schedulers would each start on their own instant, so one side's arrivals
 * would always come a little before the other's, and its requests would
 * always meet the generator (and the machine) in the same state. That is a
 * bias no number of windows averages away.
 *
 * A tandem owns the clock loop instead: at each arrival it starts every
 * member's iteration in the same tick, and which member goes first follows
 * `first(k)`, which the caller balances (ABBA over arrivals). Each member
 * keeps its own VUs, iterations and metrics; only the when and the order
 * are shared.
 */
import type { Clock } from '@steady/kernel'

/** One run riding a tandem. */
export interface TandemMember {
  /** Starts arrival `k`, due at `due` on the clock, now (`now` is when the tandem got to it). */
  arrive(k: number, due: number, now: number): void
  /** Aborted when the member's run stops: it gets no arrival after that. */
  signal: AbortSignal
}

export interface ArrivalTandemOptions {
  /** How many members to wait for before the first arrival. */
  members: number
  /** The index of the member that starts first at arrival `k`. */
  first: (k: number) => number
}

/** A run's place in a tandem: the tandem, and which member the run is. */
export interface TandemSeat {
  tandem: ArrivalTandem
  index: number
}

/** The arrivals of a schedule as the runner iterates them: index and offset from the start. */
export type Arrivals = Iterator<[number, number]>

/**
 * Starts its members' arrivals together. Every member either rides (with
 * the same schedule) or leaves; the loop starts once all have done one or
 * the other, from the latest start any rider asked for (arrivals already
 * due then start at once, their lateness measured).
 */
export class ArrivalTandem {
  readonly #o: ArrivalTandemOptions
  readonly #riders = new Map<number, TandemMember>()
  readonly #settled = new Set<number>()
  #arrivals: Arrivals | undefined
  #clock: Clock | undefined
  #start = -Infinity
  #loop: Promise<number> | undefined
  #release: (() => void) | undefined
  readonly #allSettled: Promise<void>

  constructor(options: ArrivalTandemOptions) {
    if (!Number.isInteger(options.members) || options.members < 1) {
      throw new RangeError(`ArrivalTandem: members must be a whole number ≥ 1, got ${options.members}`)
    }
    this.#o = options
    this.#allSettled = new Promise((resolve) => (this.#release = resolve))
  }

  /**
   * Member `index` rides from `start` on `clock` (or later, when another
   * member asks for later) with `arrivals`; every member gives the same
   * schedule and clock. Resolves with the start the tandem used once its
   * loop has ended, or at once when the member is stopped.
   */
  async ride(index: number, member: TandemMember, arrivals: Arrivals, start: number, clock: Clock): Promise<number> {
    this.#check(index)
    this.#riders.set(index, member)
    this.#arrivals ??= arrivals
    this.#clock ??= clock
    this.#start = Math.max(this.#start, start)
    this.#settle(index)
    await Promise.race([this.#allSettled, aborted(member.signal)])
    if (member.signal.aborted && !this.#loop) return this.#start
    this.#loop ??= this.#run()
    const until = await Promise.race([this.#loop, aborted(member.signal).then(() => this.#start)])
    return until
  }

  /** Member `index` will not ride (its run failed or ended before its schedule): nobody waits for it. Idempotent. */
  leave(index: number): void {
    if (index < 0 || index >= this.#o.members || this.#settled.has(index)) return
    this.#settle(index)
  }

  #check(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.#o.members) {
      throw new RangeError(`ArrivalTandem: member ${index} is not one of 0..${this.#o.members - 1}`)
    }
    if (this.#settled.has(index)) throw new Error(`ArrivalTandem: member ${index} already rode or left`)
  }

  #settle(index: number): void {
    this.#settled.add(index)
    if (this.#settled.size === this.#o.members) this.#release?.()
  }

  /** The clock loop: resolves with the start once the schedule ends or every rider stopped. */
  async #run(): Promise<number> {
    const clock = this.#clock!
    const start = this.#start
    const allStopped = new AbortController()
    const stopWhenAll = () => {
      if ([...this.#riders.values()].every((m) => m.signal.aborted)) allStopped.abort()
    }
    for (const m of this.#riders.values()) m.signal.addEventListener('abort', stopWhenAll, { once: true })
    stopWhenAll()
    const order = [...this.#riders.keys()].sort((a, b) => a - b)
    const riders = order.map((index) => this.#riders.get(index)!)
    // Each rider's turn at the head, built once: the loop allocates nothing per arrival, and a lone run
    // (a tandem of one) never asks first(k).
    const turns = new Map(order.map((head, i) => [head, [...riders.slice(i), ...riders.slice(0, i)]]))
    const it = this.#arrivals!
    let next = it.next()
    while (!next.done && !allStopped.signal.aborted) {
      const due = start + next.value[1]
      if (due > clock.now()) {
        await clock.sleepUntil(due, allStopped.signal)
        continue
      }
      // Every arrival due by now starts now, each member's in the order first(k) gives.
      let now = clock.now()
      while (!next.done && start + next.value[1] <= now) {
        const [k, offset] = next.value
        const turn = riders.length === 1 ? riders : (turns.get(this.#o.first(k)) ?? riders)
        for (const m of turn) if (!m.signal.aborted) m.arrive(k, start + offset, clock.now())
        next = it.next()
        now = clock.now()
      }
    }
    return start
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
}
