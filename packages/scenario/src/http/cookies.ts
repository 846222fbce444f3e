/**
 * A small cookie jar (RFC 6265 essentials): each iteration gets its own, so a
 * session cookie from a login flows into the requests after it and never leaks
 * into another iteration.
 */

interface StoredCookie {
  name: string
  value: string
  domain: string
  hostOnly: boolean
  path: string
  secure: boolean
  expires: number | undefined
}

/** A cookie as the jar shows it. */
export interface Cookie {
  name: string
  value: string
  domain: string
  path: string
}

export class CookieJar {
  readonly #cookies: StoredCookie[] = []

  /** Stores the cookies of `Set-Cookie` header values received from `url`. */
  store(url: URL, setCookie: string | string[] | undefined): void {
    if (!setCookie) return
    for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) this.#storeOne(url, line)
  }

  #storeOne(url: URL, line: string): void {
    const [pair, ...attrs] = line.split(';')
    const eq = pair.indexOf('=')
    if (eq <= 0) return
    const cookie: StoredCookie = {
      name: pair.slice(0, eq).trim(),
      value: pair.slice(eq + 1).trim(),
      domain: url.hostname.toLowerCase(),
      hostOnly: true,
      path: defaultPath(url.pathname),
      secure: false,
      expires: undefined,
    }
    for (const attr of attrs) {
      const i = attr.indexOf('=')
      const key = (i < 0 ? attr : attr.slice(0, i)).trim().toLowerCase()
      const val = i < 0 ? '' : attr.slice(i + 1).trim()
      if (key === 'path' && val.startsWith('/')) cookie.path = val
      else if (key === 'domain' && val) {
        const d = val.replace(/^\./, '').toLowerCase()
        // A server may only set cookies for its own domain or a parent of it.
        if (cookie.domain !== d && !cookie.domain.endsWith('.' + d)) return
        cookie.domain = d
        cookie.hostOnly = false
      } else if (key === 'secure') cookie.secure = true
      else if (key === 'max-age' && /^-?\d+$/.test(val)) cookie.expires = Date.now() + Number(val) * 1000
      else if (key === 'expires' && cookie.expires === undefined) {
        const t = Date.parse(val)
        if (!Number.isNaN(t)) cookie.expires = t
      }
    }
    const at = this.#cookies.findIndex(
      (c) => c.name === cookie.name && c.domain === cookie.domain && c.path === cookie.path,
    )
    if (at >= 0) this.#cookies.splice(at, 1)
    if (cookie.expires !== undefined && cookie.expires <= Date.now()) return
    this.#cookies.push(cookie)
  }

  /** The `Cookie` header value for a request to `url`, or undefined when none match. */
  header(url: URL): string | undefined {
    if (this.#cookies.length === 0) return undefined
    const now = Date.now()
    const host = url.hostname.toLowerCase()
    const parts: string[] = []
    for (const c of this.#cookies) {
      if (c.expires !== undefined && c.expires <= now) continue
      if (c.hostOnly ? host !== c.domain : host !== c.domain && !host.endsWith('.' + c.domain)) continue
      if (!pathMatches(url.pathname, c.path)) continue
      if (c.secure && url.protocol !== 'https:') continue
      parts.push(`${c.name}=${c.value}`)
    }
    return parts.length ? parts.join('; ') : undefined
  }

  /** Sets a cookie by hand, as if `url` had sent it. */
  set(url: string | URL, name: string, value: string, attributes = ''): void {
    this.#storeOne(new URL(url), `${name}=${value}${attributes ? '; ' + attributes : ''}`)
  }

  /** The cookies that would be sent to `url` (all cookies when omitted). */
  list(url?: string | URL): Cookie[] {
    const u = url === undefined ? undefined : new URL(url)
    return this.#cookies
      .filter((c) => !u || this.header(u)?.split('; ').includes(`${c.name}=${c.value}`))
      .map(({ name, value, domain, path }) => ({ name, value, domain, path }))
  }

  /** Removes every cookie. */
  clear(): void {
    this.#cookies.length = 0
  }
}

function defaultPath(pathname: string): string {
  if (!pathname.startsWith('/')) return '/'
  const i = pathname.lastIndexOf('/')
  return i <= 0 ? '/' : pathname.slice(0, i)
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true
  if (!requestPath.startsWith(cookiePath)) return false
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/'
}
