/**
 * The parts of a paired soak that do not depend on the soak loop: the ABBA
 * order of the probe iterations and the side tag on every series.
 *
 * Both sides share the machine, so whatever slows one moment of the run
 * (a neighbour, a GC of the generator) should fall on both sides alike. The
 * probe loop therefore alternates between them in balanced blocks (ABBA or
 * BAAB, chosen per block from a seed) rather than strictly A, B, A, B: a
 * strict alternation would give one side every "first after a pause".
 */
import type { RunEvent, SeriesAggregator, Side } from '@steady/record'
import { hashSeed } from '@steady/scenario/internal'

/** One probe slot of a paired soak: which side runs, and which pair of iterations it belongs to. */
export interface PairedSlot {
  side: Side
  /** Index of the pair (0, 1, ...): both iterations of a pair use the same scenario and the same iteration data. */
  pair: number
}

/** Iterations in a block: ABBA / BAAB covers two pairs. */
export const ABBA_BLOCK = 4

const ABBA: readonly Side[] = ['candidate', 'control', 'control', 'candidate']
const BAAB: readonly Side[] = ['control', 'candidate', 'candidate', 'control']

/**
 * The side and pair of probe slot `slot` (0, 1, 2, ... in the order the probe
 * loop starts them). The block order comes from `seed`, so a run is
 * reproducible from its record's `paired.seed`. Every complete block gives
 * each side two iterations: after `n` slots the sides differ by at most two.
 */
export function abbaSlot(seed: string, slot: number): PairedSlot {
  const block = Math.floor(slot / ABBA_BLOCK)
  const pos = slot % ABBA_BLOCK
  const order = ((hashSeed(seed, 'abba-block', block) >>> 11) & 1) === 0 ? ABBA : BAAB
  // A B | B A: the first pair is the block's first two slots, the second its last two.
  return { side: order[pos], pair: 2 * block + (pos < 2 ? 0 : 1) }
}

/**
 * Which side starts first at load arrival `k` of a paired soak. Both sides
 * ride one arrival schedule and each arrival starts both; the probe slots'
 * ABBA order, laid over the two starts of each arrival, alternates the lead
 * (arrivals 2b and 2b+1 of a block have opposite leads).
 */
export function arrivalLead(seed: string, k: number): Side {
  return abbaSlot(seed, 2 * k).side
}

// The aggregator's recording methods: each takes (source, name, tags, ...).
const RECORDING = new Set<string | symbol>([
  'duration',
  'outcome',
  'count',
  'mergeHistogram',
  'rate',
  'bucketDelta',
  'gauge',
])

/**
 * A view of `agg` that adds the tag `side` to every series recorded through
 * it, so the scrapers, the load's window feed and the probe loop need not
 * know about sides. Windows, phases and closing stay the shared aggregator's:
 * window i of both sides covers the same time.
 */
export function sideAggregator(agg: SeriesAggregator, side: Side): SeriesAggregator {
  return new Proxy(agg, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target)
      if (typeof value !== 'function') return value
      const method = value as (...args: unknown[]) => unknown
      if (!RECORDING.has(prop)) return method.bind(target)
      return (source: unknown, name: unknown, tags: Record<string, string>, ...rest: unknown[]) =>
        method.call(target, source, name, { ...tags, side }, ...rest)
    },
  })
}

/** An event handler that marks each event with its side (`data.side`). */
export function sideEvents(onEvent: (e: RunEvent) => void, side: Side): (e: RunEvent) => void {
  return (e) => onEvent({ ...e, data: { ...(e.data ?? {}), side } })
}
