/**
 * Ports: a free one for `port: 'auto'`, and whether a fixed one is taken.
 */
import { createServer } from 'node:net'

/**
 * A port that was free a moment ago (the OS picks it). Another process may
 * take it before the service binds it; `port: 0` with the URL read from the
 * service's output avoids that race.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.once('error', reject)
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address()
      server.close(() =>
        address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}

/** True when nothing listens on `port` (checked by binding it on all interfaces, then 127.0.0.1). */
export async function portIsFree(port: number): Promise<boolean> {
  for (const host of ['0.0.0.0', '127.0.0.1']) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer()
      server.unref()
      server.once('error', () => resolve(false))
      server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)))
    })
    if (!free) return false
  }
  return true
}
