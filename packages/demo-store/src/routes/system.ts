/** `GET /health` and `GET /metrics` (Prometheus text format). */
import { describeFaults } from '../faults.ts'
import { json } from '../http.ts'
import type { Route, Services } from './types.ts'

export function systemRoutes(s: Services): Route[] {
  return [
    {
      method: 'GET',
      template: '/health',
      handle: () =>
        json(200, {
          status: 'ok',
          uptimeSeconds: Math.round((Date.now() - s.startedAt.getTime()) / 10) / 100,
          startedAt: s.startedAt.toISOString(),
          // The process to signal: under `npm run store` the pid npm reports is npm's, not the store's.
          pid: process.pid,
          // The switches that are on, so a person can see at once that this store misbehaves on purpose.
          faults: describeFaults(s.faults),
        }),
    },
    {
      method: 'GET',
      template: '/metrics',
      handle: async () => ({
        status: 200,
        text: await s.metrics.registry.metrics(),
        headers: { 'content-type': s.metrics.registry.contentType },
      }),
    },
  ]
}
