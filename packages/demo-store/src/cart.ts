/**
 * One cart per user: product ids and quantities, priced from the catalogue
 * when shown, so a cart always reflects the current catalogue.
 */
import type { Product } from './catalogue.ts'
import { BoundedMap } from './bounded-map.ts'

/** A cart line as the API shows it. */
export interface CartLine {
  readonly productId: string
  readonly name: string
  readonly unitPriceCents: number
  readonly quantity: number
  readonly lineTotalCents: number
}

export interface CartView {
  readonly items: CartLine[]
  /** Sum of the quantities. */
  readonly itemCount: number
  readonly totalCents: number
  readonly currency: 'EUR'
}

/** The most of one product a cart holds. */
export const MAX_QUANTITY = 99

export class Carts {
  readonly #carts: BoundedMap<string, Map<string, number>>
  readonly #products: ReadonlyMap<string, Product>

  constructor(products: ReadonlyMap<string, Product>, maxRecords: number) {
    this.#products = products
    this.#carts = new BoundedMap(maxRecords)
  }

  #cart(userId: string): Map<string, number> {
    let cart = this.#carts.get(userId)
    if (!cart) {
      cart = new Map()
      this.#carts.set(userId, cart)
    }
    return cart
  }

  /** The quantity of a product in a user's cart (0 when absent). */
  quantity(userId: string, productId: string): number {
    return this.#carts.get(userId)?.get(productId) ?? 0
  }

  /** Sets a product's quantity (≥ 1; the route checks bounds and the product). */
  set(userId: string, productId: string, quantity: number): void {
    this.#cart(userId).set(productId, quantity)
  }

  /** Removes a product; false when it was not in the cart. */
  remove(userId: string, productId: string): boolean {
    return this.#carts.get(userId)?.delete(productId) ?? false
  }

  /** Empties the cart (after checkout). */
  clear(userId: string): void {
    this.#carts.delete(userId)
  }

  view(userId: string): CartView {
    const items: CartLine[] = []
    for (const [productId, quantity] of this.#carts.get(userId) ?? []) {
      const p = this.#products.get(productId)
      if (!p) continue
      items.push({
        productId,
        name: p.name,
        unitPriceCents: p.priceCents,
        quantity,
        lineTotalCents: p.priceCents * quantity,
      })
    }
    return {
      items,
      itemCount: items.reduce((s, l) => s + l.quantity, 0),
      totalCents: items.reduce((s, l) => s + l.lineTotalCents, 0),
      currency: 'EUR',
    }
  }
}
