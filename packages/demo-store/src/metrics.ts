/**
 * The store's `/metrics`: one prom-client registry per store (never the global
 * one, so several stores can run in one process), with the default process
 * metrics, the request-duration histogram labelled by route template, and
 * what the fault switches injected.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { FAULT_NAMES, type FaultName } from './faults.ts'
import { ORDER_STATES, type OrderState } from './orders.ts'

/** Buckets (seconds) from 1 ms to 10 s: the store's own answers are sub-millisecond, injected faults reach seconds. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

export interface StoreMetricsSources {
  /** Orders held now, by state. */
  readonly ordersByState: () => Record<OrderState, number>
  /** Requests left before the crash switch fires; undefined when it is off. */
  readonly crashRemaining: () => number | undefined
  /** The contention pool now (requests waiting for a slot, slots busy); undefined when the switch is off. */
  readonly contention?: () => { waiting: number; busy: number } | undefined
}

export class StoreMetrics {
  readonly registry = new Registry()
  readonly requestDuration: Histogram<'method' | 'route' | 'status_code'>
  readonly inflight: Gauge
  readonly faultInjected: Counter<'fault'>
  readonly faultSeconds: Counter<'fault'>
  readonly leakRetained: Gauge
  readonly offheapRetained: Gauge
  readonly ordersCreated: Counter

  constructor(sources: StoreMetricsSources) {
    const registers = [this.registry]
    collectDefaultMetrics({ register: this.registry })
    this.requestDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from a request arriving to its response being sent, by method, route template and status code.',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: DURATION_BUCKETS,
      registers,
    })
    this.inflight = new Gauge({
      name: 'http_requests_in_flight',
      help:
        'API requests (/api/*) being handled now, ' +
        "including those waiting for a slot of the contention switch's pool.",
      registers,
    })
    this.faultInjected = new Counter({
      name: 'store_fault_injected_total',
      help: `Requests a fault switch acted on, by switch (${FAULT_NAMES.join(', ')}).`,
      labelNames: ['fault'] as const,
      registers,
    })
    this.faultSeconds = new Counter({
      name: 'store_fault_injected_seconds_total',
      help:
        'Delay the latency, drift, contention, tail and inflight switches added, in seconds ' +
        '(contention: hold plus wait for a slot).',
      labelNames: ['fault'] as const,
      registers,
    })
    // Zero series for every switch, so a scrape shows 0 rather than nothing.
    for (const fault of FAULT_NAMES) this.faultInjected.inc({ fault }, 0)
    for (const fault of ['latency', 'drift', 'contention', 'tail', 'inflight'] as const) {
      this.faultSeconds.inc({ fault }, 0)
    }
    this.leakRetained = new Gauge({
      name: 'store_fault_leak_retained_bytes',
      help: 'Bytes the leak switch has retained and will never free.',
      registers,
    })
    this.offheapRetained = new Gauge({
      name: 'store_fault_offheap_retained_bytes',
      help: 'Bytes the off-heap leak switch has retained in Buffers (outside the V8 heap) and will never free.',
      registers,
    })
    this.ordersCreated = new Counter({
      name: 'store_orders_created_total',
      help: 'Orders created by checkout since the store started.',
      registers,
    })
    new Gauge({
      name: 'store_orders',
      help: 'Orders the store holds, by state.',
      labelNames: ['state'] as const,
      registers,
      collect() {
        const counts = sources.ordersByState()
        for (const state of ORDER_STATES) this.set({ state }, counts[state])
      },
    })
    if (sources.contention?.() !== undefined) {
      new Gauge({
        name: 'store_fault_contention_waiting',
        help:
          "API requests waiting now for a slot of the contention switch's pool " +
          '(present only when the switch is on).',
        registers,
        collect() {
          this.set(sources.contention?.()?.waiting ?? 0)
        },
      })
      new Gauge({
        name: 'store_fault_contention_busy_slots',
        help: "Slots of the contention switch's pool busy now (present only when the switch is on).",
        registers,
        collect() {
          this.set(sources.contention?.()?.busy ?? 0)
        },
      })
    }
    if (sources.crashRemaining() !== undefined) {
      new Gauge({
        name: 'store_fault_crash_requests_remaining',
        help: 'API requests the store will still answer before the crash switch makes it exit.',
        registers,
        collect() {
          this.set(sources.crashRemaining() ?? 0)
        },
      })
    }
  }

  /** Counts one request a switch acted on, and the delay it added. */
  injected(fault: FaultName, delayMs?: number): void {
    this.faultInjected.inc({ fault })
    if (delayMs !== undefined) this.faultSeconds.inc({ fault }, delayMs / 1000)
  }
}
