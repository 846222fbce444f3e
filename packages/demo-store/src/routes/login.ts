/** `POST /api/login` {email, password} → `{ token, tokenType, user }`. */
import { isWellFormedEmail } from '../auth.ts'
import { json, validateBody } from '../http.ts'
import type { Route, Services } from './types.ts'

export function loginRoutes(s: Services): Route[] {
  return [
    {
      method: 'POST',
      template: '/api/login',
      handle: async ({ body }) => {
        const { email, password } = validateBody(await body(), {
          email: {
            type: 'string',
            required: true,
            check: (v: string) => (isWellFormedEmail(v) ? undefined : 'must be a well-formed email address'),
          },
          password: {
            type: 'string',
            required: true,
            check: (v: string) =>
              v.length === 0 ? 'must not be empty' : v.length > 200 ? 'must be at most 200 characters' : undefined,
          },
        })
        const { token, user } = s.auth.login(email, password)
        return json(200, { token, tokenType: 'Bearer', user })
      },
    },
  ]
}
