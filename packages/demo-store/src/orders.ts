/**
 * Orders and the background worker that fulfils them: an order is created
 * `pending`, becomes `paid` after `delayMs`, then `shipped` after another
 * `delayMs`, so a scenario has to poll `GET /api/orders/:id` for it, as it
 * would against a real shop with a payment provider and a warehouse.
 */
import type { CartLine } from './cart.ts'
import { BoundedMap } from './bounded-map.ts'

export const ORDER_STATES = ['pending', 'paid', 'shipped'] as const
export type OrderState = (typeof ORDER_STATES)[number]

export interface Order {
  /** `o-000001`, in order of creation. */
  readonly id: string
  readonly userId: string
  state: OrderState
  readonly items: readonly CartLine[]
  readonly itemCount: number
  readonly totalCents: number
  readonly currency: 'EUR'
  readonly createdAt: string
  updatedAt: string
  /** Every state the order has been in, with when. */
  readonly history: Array<{ state: OrderState; at: string }>
}

/** Default time per fulfilment step (pending → paid, paid → shipped). */
export const DEFAULT_ORDER_DELAY_MS = 300

export class Orders {
  readonly #orders: BoundedMap<string, Order>
  readonly #timers = new Map<string, NodeJS.Timeout>()
  /** Each user's orders, oldest first: listing costs the user's orders, not everyone's. */
  readonly #byUser = new Map<string, Order[]>()
  readonly #counts: Record<OrderState, number> = { pending: 0, paid: 0, shipped: 0 }
  readonly #delayMs: number
  readonly #now: () => Date
  #created = 0
  #stopped = false

  constructor(delayMs: number, maxRecords: number, now: () => Date = () => new Date()) {
    this.#delayMs = delayMs
    this.#now = now
    // An order forgotten past the bound also stops being worked on.
    this.#orders = new BoundedMap(maxRecords, (id, order) => this.#forget(id, order))
  }

  /** Orders created since the store started (the drift switch multiplies this). */
  get created(): number {
    return this.#created
  }

  /** Orders held now, by state (for `/metrics`). */
  countByState(): Record<OrderState, number> {
    return { ...this.#counts }
  }

  /** Creates a `pending` order from cart lines and hands it to the worker. */
  create(userId: string, items: readonly CartLine[]): Order {
    this.#created++
    const at = this.#now().toISOString()
    const order: Order = {
      id: `o-${String(this.#created).padStart(6, '0')}`,
      userId,
      state: 'pending',
      items,
      itemCount: items.reduce((s, l) => s + l.quantity, 0),
      totalCents: items.reduce((s, l) => s + l.lineTotalCents, 0),
      currency: 'EUR',
      createdAt: at,
      updatedAt: at,
      history: [{ state: 'pending', at }],
    }
    this.#counts.pending++
    const mine = this.#byUser.get(userId)
    if (mine) mine.push(order)
    else this.#byUser.set(userId, [order])
    this.#orders.set(order.id, order)
    this.#schedule(order)
    return order
  }

  /** A user's order; undefined for unknown ids and for other users' orders alike. */
  get(userId: string, id: string): Order | undefined {
    const order = this.#orders.get(id)
    return order && order.userId === userId ? order : undefined
  }

  /** A user's orders, newest first. */
  list(userId: string): Order[] {
    return [...(this.#byUser.get(userId) ?? [])].reverse()
  }

  #schedule(order: Order): void {
    if (this.#stopped || order.state === 'shipped') return
    const timer = setTimeout(() => {
      this.#timers.delete(order.id)
      const next = ORDER_STATES[ORDER_STATES.indexOf(order.state) + 1]
      const at = this.#now().toISOString()
      this.#counts[order.state]--
      this.#counts[next]++
      order.state = next
      order.updatedAt = at
      order.history.push({ state: next, at })
      this.#schedule(order)
    }, this.#delayMs)
    this.#timers.set(order.id, timer)
  }

  #forget(id: string, order: Order): void {
    this.#cancelTimer(id)
    this.#counts[order.state]--
    const mine = this.#byUser.get(order.userId)
    // The oldest order overall is also its user's oldest.
    if (mine && mine[0] === order) mine.shift()
    if (mine && mine.length === 0) this.#byUser.delete(order.userId)
  }

  #cancelTimer(id: string): void {
    clearTimeout(this.#timers.get(id))
    this.#timers.delete(id)
  }

  /** Stops the worker (on shutdown): orders keep the state they reached. */
  stop(): void {
    this.#stopped = true
    for (const id of [...this.#timers.keys()]) this.#cancelTimer(id)
  }
}
