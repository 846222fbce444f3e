/**
 * The command line of `npm run store`: flags, falling back to env vars, into
 * the settings `main.ts` starts a store with. Pure, so tests can call it.
 */
import { parseArgs } from 'node:util'
import { FAULT_ENV, FaultConfigError, parseFaults, type FaultConfig } from './faults.ts'
import { DEFAULT_ORDER_DELAY_MS } from './orders.ts'

export const STORE_USAGE = `usage: npm run store -- [options]

Starts the steady demo store and prints "demo-store listening on <url>".

options (each falls back to the env var in brackets):
  --port <n>                 port, 0 for any free one (PORT; default 3000)
  --host <addr>              address to listen on (HOST; default 127.0.0.1)
  --order-delay <time>       time per order step, pending → paid → shipped,
                             e.g. 300ms or 1s (STORE_ORDER_DELAY; default 300ms)
  --service-time <time>      time each API request waits, as on a database call,
                             0.5 to 1.5 times this, seeded: e.g. 2ms (STORE_SERVICE_TIME;
                             default 0). Gives +P% latency and the tail something to multiply
  --fault-latency <spec>     extra latency per route: /api/products/:id=150ms,/api/cart=+50%
                             (STORE_FAULT_LATENCY)
  --fault-errors <spec>      error rate per route: /api/checkout=0.2 or =20%:503
                             (STORE_FAULT_ERRORS)
  --fault-leak-bytes <n>     bytes retained per API request (STORE_FAULT_LEAK_BYTES)
  --fault-offheap-leak-bytes <n>
                             bytes retained per API request in Buffers, outside the
                             V8 heap: resident memory grows, heap used does not
                             (STORE_FAULT_OFFHEAP_LEAK_BYTES)
  --fault-tail <share>x<k>   a share of API requests take k times as long: 3%x8
                             (STORE_FAULT_TAIL)
  --fault-inflight <rate>    latency per API request in flight above n: 1.5ms/inflight:2
                             (STORE_FAULT_INFLIGHT)
  --fault-drift <rate>       latency per order created so far: 0.5ms/order (STORE_FAULT_DRIFT)
  --fault-contention <pool>  a shared pool too small for the load: each API request
                             holds one of N slots for H, waiting its turn when all
                             are busy, so waits grow with the request rate: 2x4ms
                             (N x H; 3ms is one slot: a lock) (STORE_FAULT_CONTENTION)
  --fault-crash-after <n>    exit abruptly when API request n+1 arrives (STORE_FAULT_CRASH_AFTER)
  --fault-seed <n>           seed for which requests the error rate and the tail pick (STORE_FAULT_SEED)
  --fault-side <side>        in a paired soak, the fault switches act on this side only
                             (candidate or control, as steady sets STEADY_SIDE); the other
                             side runs clean: one version with the bug, one without
                             (STORE_FAULT_SIDE)
  -h, --help                 this text

See packages/demo-store/README.md for what each switch does and reports.`

/** What `npm run store` was asked to do. */
export interface CliSettings {
  readonly help: boolean
  readonly port: number
  readonly host: string
  readonly orderDelayMs: number
  /** See `StoreOptions.serviceTimeMs`. */
  readonly serviceTimeMs: number
  readonly faults: FaultConfig
}

/** A flag or env var `main.ts` cannot use; it prints the message and the usage, and exits 2. */
export class CliUsageError extends Error {
  readonly code = 'STORE_USAGE'
}

const DEFAULT_PORT = 3000

/** Flag name → the env var it overrides. */
const faultFlags = {
  'fault-latency': FAULT_ENV.latency,
  'fault-errors': FAULT_ENV.errors,
  'fault-leak-bytes': FAULT_ENV.leakBytes,
  'fault-offheap-leak-bytes': FAULT_ENV.offheapLeakBytes,
  'fault-tail': FAULT_ENV.tail,
  'fault-inflight': FAULT_ENV.inflight,
  'fault-drift': FAULT_ENV.driftMsPerOrder,
  'fault-contention': FAULT_ENV.contention,
  'fault-crash-after': FAULT_ENV.crashAfter,
  'fault-seed': FAULT_ENV.seed,
} as const

/** Parses `300ms`, `1.5s` or a bare number of milliseconds. */
function parseDelayMs(text: string, source: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text.trim())
  if (!m) throw new CliUsageError(`${source}: ${JSON.stringify(text)} is not a time; write e.g. 300ms or 1s`)
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1)
}

/**
 * Reads the flags (`argv` without node and the script) and env vars into
 * settings; flags win over env vars. Throws `CliUsageError` or
 * `FaultConfigError` with a message naming the flag or variable.
 */
export function parseCliArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): CliSettings {
  let values
  try {
    ;({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'order-delay': { type: 'string' },
        'service-time': { type: 'string' },
        'fault-side': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(Object.keys(faultFlags).map((k) => [k, { type: 'string' as const }])),
      },
    }))
  } catch (err) {
    throw new CliUsageError((err as Error).message)
  }
  const flag = (name: string): string | undefined =>
    (values as Record<string, string | boolean | undefined>)[name] as string | undefined

  const portText = flag('port') ?? env.PORT
  let port = DEFAULT_PORT
  if (portText !== undefined && portText !== '') {
    port = /^\d+$/.test(portText) ? Number(portText) : NaN
    if (!(port >= 0 && port <= 65535))
      throw new CliUsageError(
        `${flag('port') !== undefined ? '--port' : 'PORT'}: ${JSON.stringify(portText)} is not a port (0-65535)`,
      )
  }
  const host = flag('host') || env.HOST || '127.0.0.1'
  const delayText = flag('order-delay') ?? env.STORE_ORDER_DELAY
  const orderDelayMs = delayText
    ? parseDelayMs(delayText, flag('order-delay') !== undefined ? '--order-delay' : 'STORE_ORDER_DELAY')
    : DEFAULT_ORDER_DELAY_MS
  const serviceText = flag('service-time') ?? env.STORE_SERVICE_TIME
  const serviceSource = flag('service-time') !== undefined ? '--service-time' : 'STORE_SERVICE_TIME'
  const serviceTimeMs = serviceText ? parseDelayMs(serviceText, serviceSource) : 0
  if (serviceTimeMs > 60_000) {
    throw new CliUsageError(`${serviceSource}: ${JSON.stringify(serviceText)} is more than 60s; write e.g. 2ms`)
  }

  // Flags become the env vars they stand for, so both go through one parser
  // and an error names the variable a person can look up in the README.
  const faultEnv: Record<string, string | undefined> = {}
  for (const name of Object.values(FAULT_ENV)) faultEnv[name] = env[name]
  for (const [flagName, envName] of Object.entries(faultFlags)) {
    const v = flag(flagName)
    if (v !== undefined) faultEnv[envName] = v
  }
  let faults: FaultConfig
  try {
    faults = parseFaults(faultEnv)
  } catch (err) {
    if (err instanceof FaultConfigError) {
      const flagName = Object.entries(faultFlags).find(([f, e]) => e === err.source && flag(f) !== undefined)?.[0]
      if (flagName) err.message = `--${flagName} (${err.message})`
    }
    throw err
  }
  const sideText = flag('fault-side') ?? env.STORE_FAULT_SIDE
  if (sideText !== undefined && sideText !== '' && sideText !== 'candidate' && sideText !== 'control') {
    const source = flag('fault-side') !== undefined ? '--fault-side' : 'STORE_FAULT_SIDE'
    throw new CliUsageError(`${source}: ${JSON.stringify(sideText)} is not a side; write candidate or control`)
  }
  // The switches are parsed on both sides (a typo fails either way) and act on the named one only.
  if (sideText && env.STEADY_SIDE !== sideText) faults = {}
  return { help: values.help === true, port, host, orderDelayMs, serviceTimeMs, faults }
}
