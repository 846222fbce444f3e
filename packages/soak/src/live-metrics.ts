/**
 * The soak's own /metrics (prom-client), so a Prometheus/Grafana setup can
 * watch a long soak while it runs: phase, elapsed time, probe iterations and
 * their durations, load achieved, dropped iterations, service events.
 */
import { createServer, type Server } from 'node:http'
import client from 'prom-client'

export class LiveMetrics {
  readonly registry = new client.Registry()
  readonly phase = new client.Gauge({
    name: 'steady_soak_phase',
    help: 'The running phase (1 for the current one)',
    labelNames: ['plan', 'phase'] as const,
    registers: [this.registry],
  })
  readonly elapsed = new client.Gauge({
    name: 'steady_soak_elapsed_seconds',
    help: 'Seconds since the soak started',
    registers: [this.registry],
  })
  readonly total = new client.Gauge({
    name: 'steady_soak_planned_seconds',
    help: 'Planned length of the soak in seconds',
    registers: [this.registry],
  })
  readonly iterations = new client.Counter({
    name: 'steady_soak_probe_iterations_total',
    help: 'Probe iterations by scenario and result',
    labelNames: ['scenario', 'result'] as const,
    registers: [this.registry],
  })
  readonly probeDuration = new client.Histogram({
    name: 'steady_soak_probe_request_duration_seconds',
    help: 'Probe request durations by scenario and step',
    labelNames: ['scenario', 'step'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  })
  readonly loadRate = new client.Gauge({
    name: 'steady_soak_load_rate',
    help: 'Achieved load iterations per second in the current phase',
    registers: [this.registry],
  })
  readonly dropped = new client.Counter({
    name: 'steady_soak_dropped_iterations_total',
    help: 'Load iterations dropped for want of a free VU',
    registers: [this.registry],
  })
  readonly events = new client.Counter({
    name: 'steady_soak_events_total',
    help: 'Run events by kind (service-restart, scrape-failed, ...)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  })
  #server: Server | undefined

  constructor(plan: string) {
    this.phase.labels(plan, 'none').set(0)
  }

  setPhase(plan: string, name: string, previous?: string): void {
    if (previous) this.phase.labels(plan, previous).set(0)
    this.phase.labels(plan, name).set(1)
  }

  /** Serves the registry on `port` (0 picks one) at 127.0.0.1 unless `host` says otherwise; resolves to the URL. */
  async listen(port: number, host = '127.0.0.1'): Promise<string> {
    this.#server = createServer(async (req, res) => {
      if (req.url !== '/metrics') {
        res.statusCode = 404
        return res.end('see /metrics\n')
      }
      res.setHeader('content-type', this.registry.contentType)
      res.end(await this.registry.metrics())
    })
    await new Promise<void>((resolve, reject) => {
      this.#server!.once('error', reject)
      this.#server!.listen(port, host, () => resolve())
    })
    const address = this.#server.address() as { port: number }
    return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}/metrics`
  }

  async close(): Promise<void> {
    const s = this.#server
    this.#server = undefined
    if (s) await new Promise<void>((r) => s.close(() => r()))
  }
}
