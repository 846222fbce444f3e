/**
 * Where the soak is in its plan: the running phase, when each phase began,
 * and the load achieved in it. The phase driver moves it; the probe loop,
 * the window ticker and the PromQL fill read it.
 */
export class PhaseTracker {
  /** The running phase (the plan's first before any began). */
  name: string
  /** Its index in the plan. */
  index = 0
  /** The candidate's achieved load in the running phase (iterations/s), for the progress line. */
  loadRate: number | undefined
  readonly #first: string
  /** When each phase started (soak ms), in order. */
  readonly #starts: { name: string; startMs: number }[] = []

  constructor(firstPhase: string) {
    this.name = firstPhase
    this.#first = firstPhase
  }

  /** Phase `name` (index `index` of the plan) starts at `startMs`. */
  begin(name: string, index: number, startMs: number): void {
    this.name = name
    this.index = index
    this.#starts.push({ name, startMs })
  }

  /** The phase a point in the past belongs to: the last one started at or before `atMs`. */
  at(atMs: number): string {
    // A loop, not findLast: the guides' type check compiles these sources against ES2022's library.
    for (let i = this.#starts.length - 1; i >= 0; i--) if (this.#starts[i].startMs <= atMs) return this.#starts[i].name
    return this.#first
  }
}
