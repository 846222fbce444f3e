/**
 * A small real HTTP server for the scenario tests (127.0.0.1, port 0):
 * echo, statuses, cookies, slow responses, a bearer-protected API, an OAuth2
 * token endpoint, an order that ships after a few polls.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface TestServer {
  url: string
  server: Server
  /** Connections accepted so far. */
  connections: () => number
  /** Requests seen, by path. */
  hits: Map<string, number>
  close: () => Promise<void>
}

export const TOKEN = 'tok-SECRET-abcdef123456'
export const PASSWORD = 'hunter2-secret-pw'
export const SESSION = 'SESSIONSECRET987654'

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = ''
    req.on('data', (d: Buffer) => (s += d.toString()))
    req.on('end', () => resolve(s))
  })
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string, url: URL) => boolean | Promise<boolean>

function json(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string | string[]> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify(value))
}

export async function startServer(extra?: Handler): Promise<TestServer> {
  let connections = 0
  const hits = new Map<string, number>()
  const polls = new Map<string, number>()
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1)
    const body = await readBody(req)
    if (extra && (await extra(req, res, body, url))) return
    const p = url.pathname
    if (p === '/echo')
      return json(res, 200, {
        method: req.method,
        path: p,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body,
        port: req.socket.remotePort,
      })
    if (p.startsWith('/status/')) return json(res, Number(p.slice(8)), { status: Number(p.slice(8)) })
    if (p === '/items')
      return json(res, 200, {
        items: [
          { id: 'a1', price: 10, name: 'apple' },
          { id: 'b2', price: 20, name: 'pear' },
        ],
        total: 2,
      })
    if (p === '/text') {
      res.writeHead(200, { 'content-type': 'text/plain', 'x-custom': 'yes' })
      return res.end('hello world')
    }
    if (p === '/slow') {
      const t = setTimeout(() => json(res, 200, { slow: true }), Number(url.searchParams.get('ms') ?? 1000))
      res.on('close', () => clearTimeout(t))
      return
    }
    if (p === '/set-cookie') {
      res.writeHead(200, { 'set-cookie': [`session=${SESSION}; Path=/; HttpOnly`, 'theme=dark; Path=/prefs'] })
      return res.end('ok')
    }
    if (p === '/login') {
      const b = body ? JSON.parse(body) : {}
      if (b.password !== PASSWORD) return json(res, 401, { error: 'bad credentials' })
      return json(res, 200, { token: TOKEN, user: b.email }, { 'set-cookie': `session=${SESSION}; Path=/` })
    }
    if (p === '/me') {
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return json(res, 401, { error: 'unauthorized' })
      return json(res, 200, { me: true, echo: `your token is ${TOKEN}` })
    }
    if (p === '/basic') {
      const expected = 'Basic ' + Buffer.from('ann:pw-basic-123').toString('base64')
      return req.headers.authorization === expected ? json(res, 200, { ok: true }) : json(res, 401, { error: 'no' })
    }
    if (p === '/oauth/token') {
      const form = new URLSearchParams(body)
      const auth = req.headers.authorization ?? ''
      const [id, secret] = Buffer.from(auth.replace(/^Basic /, ''), 'base64')
        .toString()
        .split(':')
      if (form.get('grant_type') !== 'client_credentials' || id !== 'client-1' || secret !== 'client-secret-xyz')
        return json(res, 401, { error: 'invalid_client' })
      return json(res, 200, {
        access_token: `oauth-${form.get('scope') ?? 'none'}-TOKEN-${hits.get(p)}`,
        token_type: 'Bearer',
        expires_in: 3600,
      })
    }
    if (p === '/oauth/api') {
      const ok = /^Bearer oauth-/.test(req.headers.authorization ?? '')
      return ok ? json(res, 200, { via: req.headers.authorization }) : json(res, 401, { error: 'no token' })
    }
    if (p.startsWith('/orders/')) {
      const id = p.slice(8)
      const n = (polls.get(id) ?? 0) + 1
      polls.set(id, n)
      return json(res, 200, { id, state: n >= 3 ? 'shipped' : 'pending', polls: n })
    }
    json(res, 404, { error: 'not found', path: p })
  })
  server.on('connection', () => connections++)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    connections: () => connections,
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}
