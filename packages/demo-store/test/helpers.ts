/**
 * Test helpers: a started store (in-process or as a child process), a small
 * JSON client, and a /metrics reader. Not a test file itself.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { request as httpRequest } from 'node:http'
import { join } from 'node:path'
import { createStore, type Store, type StoreOptions } from '@steady/demo-store'

const repoRoot = join(import.meta.dirname, '..', '..', '..')
export const mainPath = join(repoRoot, 'packages', 'demo-store', 'src', 'main.ts')

export interface Started {
  store: Store
  url: string
  close: () => Promise<void>
}

/** Starts an in-process store on 127.0.0.1, any free port. */
export async function start(options: StoreOptions = {}): Promise<Started> {
  const store = createStore({ orderDelayMs: 20, ...options })
  const { url } = await store.listen(0)
  return { store, url, close: () => store.close() }
}

export interface Res {
  status: number
  headers: Headers
  text: string
  /** The parsed body; undefined when it is not JSON. */
  body: any
  /** `x-store-fault`, split into its items. */
  faults: string[]
}

export interface ReqOptions {
  token?: string
  /** JSON-encoded with Content-Type application/json. */
  json?: unknown
  /** Sent as is. */
  raw?: string
  headers?: Record<string, string>
}

/** One request with fetch; the body is read whole. */
export async function call(base: string, method: string, path: string, opts: ReqOptions = {}): Promise<Res> {
  const headers: Record<string, string> = { ...opts.headers }
  if (opts.token) headers.authorization = `Bearer ${opts.token}`
  let body: string | undefined
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json)
    headers['content-type'] ??= 'application/json'
  } else if (opts.raw !== undefined) body = opts.raw
  const res = await fetch(base + path, { method, headers, body })
  const text = await res.text()
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = undefined
  }
  const fault = res.headers.get('x-store-fault')
  return { status: res.status, headers: res.headers, text, body: parsed, faults: fault ? fault.split(', ') : [] }
}

/** Logs in a user (any well-formed email works) and returns the token. */
export async function login(
  base: string,
  email = `user-${Math.random().toString(36).slice(2)}@example.com`,
): Promise<string> {
  const res = await call(base, 'POST', '/api/login', { json: { email, password: 'secret' } })
  if (res.status !== 200) throw new Error(`login answered ${res.status}: ${res.text}`)
  return res.body.token
}

/** Reads /metrics into `value(name, labels)`; a missing series reads undefined. */
export async function scrape(
  base: string,
): Promise<{ text: string; value: (name: string, labels?: Record<string, string>) => number | undefined }> {
  const res = await fetch(`${base}/metrics`)
  const text = await res.text()
  const series = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const m = /^([a-zA-Z_:][\w:]*)(\{(.*)\})? (\S+)$/.exec(line)
    if (!m) continue
    const labels = [...(m[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => `${l[1]}=${l[2]}`).sort()
    series.set(`${m[1]}{${labels.join(',')}}`, Number(m[4]))
  }
  return {
    text,
    value: (name, labels = {}) => {
      const key = Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .sort()
      return series.get(`${name}{${key.join(',')}}`)
    },
  }
}

/** Waits for `check` to hold, polling up to `tries` times (a bound, not a timing assertion). */
export async function until(check: () => Promise<boolean>, what: string, tries = 200, everyMs = 25): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, everyMs))
  }
  throw new Error(`gave up waiting for ${what}`)
}

export interface Child {
  child: ChildProcess
  url: string
  stdout: () => string
  stderr: () => string
  /** Resolves with the exit code (or the signal) once the process has exited and its output is closed (children that share it included). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/**
 * Spawns a store process and waits for its "listening on <url>" line. `how`
 * is `npm` (npm run store, as a person runs it) or `node` (main.ts through
 * tsx, as the test runner runs files). `ownGroup` starts it in its own
 * process group, so a test can signal the whole group as a terminal would.
 */
export function spawnStore(
  args: string[],
  env: Record<string, string> = {},
  how: 'npm' | 'node' = 'node',
  ownGroup = false,
): Promise<Child> {
  const options = {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'],
    detached: ownGroup,
  }
  const child =
    how === 'npm'
      ? spawn('npm', ['run', '--silent', 'store', '--', ...args], options)
      : spawn(process.execPath, ['--conditions=steady-source', '--import', 'tsx', mainPath, ...args], options)
  let out = ''
  let err = ''
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  )
  return new Promise((resolve, reject) => {
    const giveUp = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`no "listening on" line within 30s\nstdout: ${out}\nstderr: ${err}`))
    }, 30_000)
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /demo-store listening on (http:\/\/\S+)/.exec(out)
      if (m) {
        clearTimeout(giveUp)
        resolve({ child, url: m[1], stdout: () => out, stderr: () => err, exited })
      }
    })
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
    exited.then(({ code, signal }) => {
      clearTimeout(giveUp)
      reject(new Error(`the store exited (${code ?? signal}) before listening\nstdout: ${out}\nstderr: ${err}`))
    })
  })
}

/** Runs a command to its end and collects its output. */
export function run(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

/**
 * Opens a POST whose body is not sent yet: the store has the request in
 * flight until `finish()` sends the body. Each one has its own connection.
 */
export function holdRequest(
  base: string,
  path: string,
  token: string,
): { finish: (body: unknown) => Promise<{ status: number; fault: string | undefined }>; abort: () => void } {
  const u = new URL(path, base)
  const req = httpRequest({
    host: u.hostname,
    port: u.port,
    path: u.pathname,
    method: 'POST',
    agent: false,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
  })
  const response = new Promise<{ status: number; fault: string | undefined }>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume()
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, fault: res.headers['x-store-fault'] as string | undefined }),
      )
    })
    req.on('error', reject)
  })
  req.flushHeaders()
  return {
    finish: (body) => {
      req.end(JSON.stringify(body))
      return response
    },
    abort: () => {
      response.catch(() => {})
      req.destroy()
    },
  }
}

/** Sends raw bytes on a fresh TCP connection and returns what came back before the server closed it. */
export async function rawExchange(base: string, bytes: string): Promise<string> {
  const { connect } = await import('node:net')
  const u = new URL(base)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname, () => socket.write(bytes))
    let got = ''
    socket.on('data', (d) => (got += d.toString()))
    socket.on('close', () => resolve(got))
    socket.on('error', reject)
  })
}
