/**
 * The signed-in user's cart: `GET /api/cart`, `POST /api/cart/items`
 * {productId, quantity?}, `PATCH /api/cart/items/:productId` {quantity},
 * `DELETE /api/cart/items/:productId`. Every answer is the whole cart.
 */
import { MAX_QUANTITY } from '../cart.ts'
import { HttpError, json, notFound, validateBody, validationError } from '../http.ts'
import type { Route, Services } from './types.ts'

const QUANTITY_MESSAGE = `must be an integer from 1 to ${MAX_QUANTITY}`
const checkQuantity = (v: number) => (v >= 1 && v <= MAX_QUANTITY ? undefined : QUANTITY_MESSAGE)

export function cartRoutes(s: Services): Route[] {
  return [
    {
      method: 'GET',
      template: '/api/cart',
      handle: ({ req }) => json(200, s.carts.view(s.auth.authenticate(req).id)),
    },
    {
      method: 'POST',
      template: '/api/cart/items',
      handle: async ({ req, body }) => {
        const user = s.auth.authenticate(req)
        const input = validateBody(await body(), {
          productId: {
            type: 'string',
            required: true,
            check: (v: string) => (s.productsById.has(v) ? undefined : 'names no product'),
          },
          quantity: { type: 'integer', required: false, check: checkQuantity },
        })
        const product = s.productsById.get(input.productId)!
        if (!product.inStock)
          throw new HttpError(409, 'out_of_stock', `${product.name} (${product.id}) is out of stock`, {
            productId: product.id,
          })
        const quantity = s.carts.quantity(user.id, product.id) + (input.quantity ?? 1)
        if (quantity > MAX_QUANTITY) {
          throw validationError([
            {
              field: 'quantity',
              message: `would make ${quantity}: a cart holds at most ${MAX_QUANTITY} of one product`,
            },
          ])
        }
        s.carts.set(user.id, product.id, quantity)
        return json(201, s.carts.view(user.id))
      },
    },
    {
      method: 'PATCH',
      template: '/api/cart/items/:productId',
      handle: async ({ req, params, body }) => {
        const user = s.auth.authenticate(req)
        const { quantity } = validateBody(await body(), {
          quantity: { type: 'integer', required: true, check: checkQuantity },
        })
        if (s.carts.quantity(user.id, params.productId) === 0)
          throw notFound(`the cart holds no ${JSON.stringify(params.productId)}`)
        s.carts.set(user.id, params.productId, quantity)
        return json(200, s.carts.view(user.id))
      },
    },
    {
      method: 'DELETE',
      template: '/api/cart/items/:productId',
      handle: ({ req, params }) => {
        const user = s.auth.authenticate(req)
        if (!s.carts.remove(user.id, params.productId))
          throw notFound(`the cart holds no ${JSON.stringify(params.productId)}`)
        return json(200, s.carts.view(user.id))
      },
    },
  ]
}
