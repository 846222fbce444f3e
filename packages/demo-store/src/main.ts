/**
 * `npm run store -- --port 0`: starts the demo store and prints
 *
 *   demo-store listening on http://127.0.0.1:43125
 *
 * on stdout (an environment provider reads the URL from that line), then one
 * `demo-store fault: ...` line per active switch. SIGTERM or SIGINT stops it
 * cleanly: it stops accepting, answers what is in flight, and exits 0. A
 * second signal exits at once (1).
 */
import { FaultConfigError, describeFaults } from './faults.ts'
import { CliUsageError, STORE_USAGE, parseCliArgs, type CliSettings } from './cli.ts'
import { createStore } from './store.ts'

let settings: CliSettings
try {
  settings = parseCliArgs(process.argv.slice(2), process.env)
} catch (err) {
  if (err instanceof CliUsageError || err instanceof FaultConfigError) {
    process.stderr.write(`demo-store: ${err.message}\n`)
    process.stderr.write(err instanceof FaultConfigError ? `  ${err.hint}\n` : `  run with --help for the options\n`)
    process.exit(2)
  }
  throw err
}
if (settings.help) {
  process.stdout.write(`${STORE_USAGE}\n`)
  process.exit(0)
}

const store = createStore({
  faults: settings.faults,
  orderDelayMs: settings.orderDelayMs,
  serviceTimeMs: settings.serviceTimeMs,
})
let url: string
try {
  ;({ url } = await store.listen(settings.port, settings.host))
} catch (err) {
  process.stderr.write(`demo-store: cannot listen on ${settings.host}:${settings.port}: ${(err as Error).message}\n`)
  process.stderr.write(`  pick another port (--port 0 picks a free one)\n`)
  process.exit(2)
}
process.stdout.write(`demo-store listening on ${url}\n`)
for (const line of describeFaults(store.faults)) process.stdout.write(`demo-store fault: ${line}\n`)

let stopping = false
function stop(signal: NodeJS.Signals): void {
  if (stopping) {
    process.stderr.write(`demo-store: ${signal} again, exiting without waiting\n`)
    process.exit(1)
  }
  stopping = true
  process.stdout.write(`demo-store: ${signal} received, finishing in-flight requests\n`)
  store.close().then(
    () => {
      process.stdout.write('demo-store stopped\n')
      process.exit(0)
    },
    (err: unknown) => {
      process.stderr.write(`demo-store: error while stopping: ${(err as Error).message}\n`)
      process.exit(1)
    },
  )
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
