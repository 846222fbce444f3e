/**
 * A Map that forgets its oldest entries past a size. The store has no
 * database: without a bound, a long healthy soak (a fresh user and order per
 * iteration) would grow the heap, and steady would rightly call that a leak.
 * With it, a healthy store's memory stays flat and only the leak switch leaks.
 */
export class BoundedMap<K, V> {
  readonly #map = new Map<K, V>()
  readonly #max: number
  readonly #onEvict: ((key: K, value: V) => void) | undefined

  constructor(max: number, onEvict?: (key: K, value: V) => void) {
    this.#max = max
    this.#onEvict = onEvict
  }

  get size(): number {
    return this.#map.size
  }

  get(key: K): V | undefined {
    return this.#map.get(key)
  }

  /** Sets (or replaces) `key`; past the bound, the oldest entry goes. */
  set(key: K, value: V): void {
    this.#map.set(key, value)
    while (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next()
      if (oldest.done) break
      const old = this.#map.get(oldest.value) as V
      this.#map.delete(oldest.value)
      this.#onEvict?.(oldest.value, old)
    }
  }

  delete(key: K): boolean {
    return this.#map.delete(key)
  }

  values(): IterableIterator<V> {
    return this.#map.values()
  }

  clear(): void {
    this.#map.clear()
  }
}
