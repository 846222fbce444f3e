/**
 * Matches a method and path to a route template. A path that matches a
 * template with another method is a 405 with `Allow`; one that matches none
 * is a 404. `HEAD` is served by the `GET` route.
 */
import { HttpError } from './http.ts'
import type { Method, Route } from './routes/types.ts'
import type { RouteTemplate } from './routes/templates.ts'

interface Compiled {
  readonly template: RouteTemplate
  readonly pattern: RegExp
  readonly params: readonly string[]
  readonly byMethod: Map<Method, Route>
}

export type Match =
  | { readonly kind: 'route'; readonly route: Route; readonly params: Record<string, string> }
  | { readonly kind: 'method-not-allowed'; readonly template: RouteTemplate; readonly allow: string }
  | { readonly kind: 'not-found' }

export class Router {
  readonly #compiled: Compiled[] = []

  constructor(routes: readonly Route[]) {
    const byTemplate = new Map<RouteTemplate, Compiled>()
    for (const route of routes) {
      let c = byTemplate.get(route.template)
      if (!c) {
        const params: string[] = []
        const source = route.template.replace(/:([A-Za-z]+)/g, (_, name: string) => {
          params.push(name)
          return '([^/]+)'
        })
        c = { template: route.template, pattern: new RegExp(`^${source}$`), params, byMethod: new Map() }
        byTemplate.set(route.template, c)
        this.#compiled.push(c)
      }
      if (c.byMethod.has(route.method)) throw new Error(`two routes for ${route.method} ${route.template}`)
      c.byMethod.set(route.method, route)
    }
  }

  /** The templates served, in table order. */
  get templates(): RouteTemplate[] {
    return this.#compiled.map((c) => c.template)
  }

  /** Finds the route for a request; throws a 400 for a path whose %-escapes do not decode. */
  match(method: string, path: string): Match {
    for (const c of this.#compiled) {
      const m = c.pattern.exec(path)
      if (!m) continue
      const route = c.byMethod.get((method === 'HEAD' ? 'GET' : method) as Method)
      if (!route) {
        const allow: string[] = [...c.byMethod.keys()]
        if (allow.includes('GET')) allow.push('HEAD')
        return { kind: 'method-not-allowed', template: c.template, allow: allow.join(', ') }
      }
      const params: Record<string, string> = {}
      c.params.forEach((name, i) => {
        try {
          params[name] = decodeURIComponent(m[i + 1])
        } catch {
          throw new HttpError(400, 'bad_request', `the path ${JSON.stringify(path)} has a malformed %-escape`)
        }
      })
      return { kind: 'route', route, params }
    }
    return { kind: 'not-found' }
  }
}
