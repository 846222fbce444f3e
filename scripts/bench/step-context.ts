/**
 * What step attribution costs (a benchmark, not a test). Steps find their
 * place through an AsyncLocalStorage, so that steps running in parallel get
 * their own requests; on Node 20 that turns on async hooks for the process,
 * about 0.1 µs per await. This runs the same two requests per iteration as a
 * flat scenario and as one with two steps, in separate processes (the hooks,
 * once on, stay on for the process), 20 VUs, against a local server in its
 * own process, and prints client CPU per request and the ratio.
 *
 *   node --conditions=steady-source --import tsx scripts/bench/step-context.ts [--iterations 20000] [--rounds 3]
 */
import { spawn, spawnSync } from 'node:child_process'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '3' },
    child: { type: 'string' },
    url: { type: 'string' },
  },
})
const iterations = Number(values.iterations)

if (values.child) {
  const { runIteration, scenario, expect } = await import('@steady/scenario')
  const stepped = values.child === 'stepped'
  const s = scenario(values.child, async ({ http, step }) => {
    const one = async () => expect(await http.get('/a')).toHaveStatus(200)
    const two = async () => expect(await http.get('/b')).toHaveStatus(200)
    if (stepped) {
      await step('one', one)
      await step('two', two)
    } else {
      await one()
      await two()
    }
  })
  const run = async (n: number) => {
    let next = 0
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (next < n) await runIteration(s, { baseUrl: values.url!, seed: 1, iteration: next++ })
      }),
    )
  }
  await run(1000) // warm-up: JIT, connections
  const c0 = process.cpuUsage()
  await run(iterations)
  const c = process.cpuUsage(c0)
  process.stdout.write(String((c.user + c.system) / iterations / 2))
  process.exit(0)
}

const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end('{"ok":true}')
})
// The server in this process; each client in its own, so only the client pays for its hooks.
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
const client = (kind: string) =>
  new Promise<number>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, import.meta.filename, '--child', kind, '--url', url, '--iterations', String(iterations)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d))
    child.on('close', (code) =>
      code === 0 ? resolve(Number(out)) : reject(new Error(`${kind} client exited ${code}`)),
    )
  })
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const flat: number[] = []
const stepped: number[] = []
for (let r = 0; r < Number(values.rounds); r++) {
  flat.push(await client('flat'))
  stepped.push(await client('stepped'))
  console.log(
    `round ${r + 1}: flat ${flat[r].toFixed(1)} µs, stepped ${stepped[r].toFixed(1)} µs per request (${(stepped[r] / flat[r]).toFixed(2)}×)`,
  )
}
console.log(
  `median: flat ${median(flat).toFixed(1)} µs, stepped ${median(stepped).toFixed(1)} µs per request, ${(median(stepped) / median(flat)).toFixed(2)}× (node ${process.version}, load average ${spawnSync('cat', ['/proc/loadavg']).stdout.toString().split(' ').slice(0, 3).join(' ')})`,
)
server.close()
