/**
 * What the next probe iteration runs. Unpaired: round robin over the
 * scenarios, each scenario counting its own iterations. Paired: each pair
 * (same scenario, same iteration data) goes to both sides, in ABBA/BAAB
 * blocks. Iteration 0 was the preflight's: the probe loop starts at 1, so
 * every iteration (every pair) has its own data.
 */
import { abbaSlot } from './paired.ts'

/** The next iteration: on which side, which task, and its iteration number. */
export interface NextProbe<S, T> {
  side: S
  t: T
  iteration: number
}

export class ProbeOrder<S, T extends { scenario: { name: string } }> {
  readonly #tasks: readonly T[]
  readonly #sides: readonly S[]
  readonly #pairSeed: string | undefined
  readonly #counters = new Map<string, number>()
  #next = 0

  /**
   * `sides` is the candidate alone, or the candidate and the control; a
   * paired soak gives `pairSeed`, the seed of its block order.
   */
  constructor(tasks: readonly T[], sides: readonly S[], pairSeed?: string) {
    this.#tasks = tasks
    this.#sides = sides
    this.#pairSeed = pairSeed
  }

  next(): NextProbe<S, T> {
    const tasks = this.#tasks
    if (this.#pairSeed !== undefined) {
      const slot = abbaSlot(this.#pairSeed, this.#next++)
      const side = slot.side === 'candidate' ? this.#sides[0] : this.#sides[1]
      return { side, t: tasks[slot.pair % tasks.length], iteration: Math.floor(slot.pair / tasks.length) + 1 }
    }
    const t = tasks[this.#next++ % tasks.length]
    const n = this.#counters.get(t.scenario.name) ?? 0
    this.#counters.set(t.scenario.name, n + 1)
    return { side: this.#sides[0], t, iteration: n + 1 }
  }
}
