/**
 * The product catalogue: ~50 products generated from a fixed seed, so every
 * store, on every machine, has the same products with the same ids, names and
 * prices, and scenarios can name them.
 */
import { mulberry32 } from '@steady/kernel'

export interface Product {
  /** `p-001` … `p-050`. */
  readonly id: string
  readonly name: string
  readonly category: string
  readonly description: string
  /** Price in cents (integer), in `currency`. */
  readonly priceCents: number
  readonly currency: 'EUR'
  /** Out-of-stock products cannot be added to a cart (409). */
  readonly inStock: boolean
}

const adjectives = [
  'Sturdy',
  'Compact',
  'Classic',
  'Bright',
  'Quiet',
  'Rugged',
  'Slim',
  'Cosy',
  'Swift',
  'Modern',
  'Vintage',
  'Handy',
]
const materials = ['Oak', 'Steel', 'Linen', 'Bamboo', 'Ceramic', 'Wool', 'Copper', 'Glass', 'Leather', 'Cotton']
const categories: Record<string, string[]> = {
  kitchen: ['Kettle', 'Teapot', 'Mug', 'Cutting Board', 'Pan'],
  home: ['Lamp', 'Chair', 'Blanket', 'Shelf', 'Clock'],
  outdoor: ['Backpack', 'Water Bottle', 'Tent', 'Lantern', 'Hammock'],
  office: ['Notebook', 'Desk Mat', 'Pen Holder', 'Monitor Stand', 'Stapler'],
}

/** The seed the catalogue is built from. Changing it changes every product: don't. */
const CATALOGUE_SEED = 20_240_601
/** How many products the catalogue holds. */
export const CATALOGUE_SIZE = 50

/** Builds the catalogue (pure: the same call gives the same products). */
export function buildCatalogue(size: number = CATALOGUE_SIZE, seed: number = CATALOGUE_SEED): Product[] {
  const rand = mulberry32(seed)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]
  const names = new Set<string>()
  const products: Product[] = []
  const categoryNames = Object.keys(categories)
  for (let i = 1; products.length < size; i++) {
    const category = categoryNames[(i - 1) % categoryNames.length]
    const name = `${pick(adjectives)} ${pick(materials)} ${pick(categories[category])}`
    // Names are unique so a search for one finds exactly one product.
    if (names.has(name)) continue
    names.add(name)
    const id = `p-${String(products.length + 1).padStart(3, '0')}`
    products.push({
      id,
      name,
      category,
      description: `A ${name.toLowerCase()} for the ${category}.`,
      priceCents: 199 + Math.floor(rand() * 200) * 50,
      currency: 'EUR',
      // About one in ten is out of stock, so a flow can meet a 409.
      inStock: rand() >= 0.1,
    })
  }
  return products
}
