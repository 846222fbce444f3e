/**
 * Users and bearer tokens. The rule is deliberately simple so any scenario can
 * log in: any well-formed email with a non-empty password logs in (the first
 * login creates the user), except the one rejected password (`'wrong'` by
 * default), which answers 401, so a flow can test a failed login.
 */
import { randomBytes } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { HttpError } from './http.ts'
import { BoundedMap } from './bounded-map.ts'

export interface User {
  /** `u-0001`, in order of first login. */
  readonly id: string
  /** Lower-cased. */
  readonly email: string
}

/** The password that never logs in, unless configured otherwise. */
export const DEFAULT_REJECTED_PASSWORD = 'wrong'

const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/

/** Checks an email's shape (the only check a login makes). */
export function isWellFormedEmail(email: string): boolean {
  return email.length <= 254 && EMAIL.test(email)
}

const CHALLENGE = 'Bearer realm="demo-store"'

export class Auth {
  readonly #users: BoundedMap<string, User>
  readonly #tokens: BoundedMap<string, User>
  readonly #rejectedPassword: string
  #nextUser = 1

  constructor(rejectedPassword: string, maxRecords: number) {
    this.#rejectedPassword = rejectedPassword
    this.#users = new BoundedMap(maxRecords)
    this.#tokens = new BoundedMap(maxRecords)
  }

  /** Logs in (creating the user on first login); 401 for the rejected password. Shapes are validated by the route. */
  login(email: string, password: string): { token: string; user: User } {
    if (password === this.#rejectedPassword) {
      throw new HttpError(
        401,
        'invalid_credentials',
        'the email or password is wrong',
        {},
        { 'www-authenticate': CHALLENGE },
      )
    }
    const key = email.toLowerCase()
    let user = this.#users.get(key)
    if (!user) {
      user = { id: `u-${String(this.#nextUser++).padStart(4, '0')}`, email: key }
      this.#users.set(key, user)
    }
    const token = `st_${randomBytes(24).toString('base64url')}`
    this.#tokens.set(token, user)
    return { token, user }
  }

  /** The user a request's `Authorization: Bearer <token>` names, or a 401 with `WWW-Authenticate: Bearer`. */
  authenticate(req: IncomingMessage): User {
    const header = req.headers.authorization
    if (!header) {
      throw new HttpError(
        401,
        'unauthorized',
        'log in first: POST /api/login, then send Authorization: Bearer <token>',
        {},
        { 'www-authenticate': CHALLENGE },
      )
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header)
    const user = m ? this.#tokens.get(m[1]) : undefined
    if (!user) {
      throw new HttpError(
        401,
        'unauthorized',
        m ? 'the token is unknown or has expired: log in again' : 'the Authorization header must be Bearer <token>',
        {},
        {
          'www-authenticate': `${CHALLENGE}, error="invalid_token"`,
        },
      )
    }
    return user
  }
}
