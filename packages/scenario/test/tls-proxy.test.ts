/**
 * Custom CA, client certificates (mTLS) and proxies, through the dispatcher
 * options, against real servers. Certificates are generated with openssl into
 * a temp folder.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import { createServer, request as httpRequest, type Server } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDispatcher, expect, runIteration, scenario, RequestError } from '@steady/scenario'
import { startServer, type TestServer } from './helpers/server.ts'

const hasOpenssl = spawnSync('openssl', ['version']).status === 0
const dir = mkdtempSync(join(tmpdir(), 'steady-tls-'))

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
}

function makeCerts(): void {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=steady test CA',
  )
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n')
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=localhost',
  )
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'server.ext',
  )
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'client.key',
    '-out',
    'client.csr',
    '-subj',
    '/CN=steady-client',
  )
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n')
  openssl(
    'x509',
    '-req',
    '-in',
    'client.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'client.pem',
    '-days',
    '2',
    '-extfile',
    'client.ext',
  )
}

async function httpsServer(requireClientCert: boolean): Promise<{ url: string; server: HttpsServer }> {
  const server = createHttpsServer(
    {
      key: readFileSync(join(dir, 'server.key')),
      cert: readFileSync(join(dir, 'server.pem')),
      ca: readFileSync(join(dir, 'ca.pem')),
      requestCert: requireClientCert,
      rejectUnauthorized: requireClientCert,
    },
    (req, res) => {
      const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate?.()
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ secure: true, client: peer?.subject?.CN ?? null }))
    },
  )
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, server }
}

const closeServer = (s: Server | HttpsServer) =>
  new Promise<void>((r) => {
    s.closeAllConnections()
    s.close(() => r())
  })

test('custom CA: trusted with tls.ca (a file path), refused without it; TLS time is measured', async () => {
  if (!hasOpenssl) {
    if (process.env.CI === 'true') throw new Error('openssl is missing: apt-get install -y openssl')
    console.log('[note] openssl not found: skipping TLS tests')
    return
  }
  makeCerts()
  const { url, server } = await httpsServer(false)
  const trusted = createDispatcher({ tls: { ca: 'ca.pem' }, baseDir: dir })
  const plain = createDispatcher()
  try {
    const s = scenario('tls', async ({ http }) => {
      const r = await http.get('/')
      expect(r).toHaveJson({ secure: true })
      expect(r.timings.tls).toBeGreaterThan(0)
    })
    const ok = await runIteration(s, { baseUrl: url, seed: 1, iteration: 0, dispatcher: trusted })
    assert.ok(ok.passed, ok.failure?.message)
    const refused = await runIteration(s, { baseUrl: url, seed: 1, iteration: 0, dispatcher: plain })
    assert.is(refused.failure!.kind, 'request')
    assert.is(refused.failure!.errorKind, 'tls')
  } finally {
    await trusted.close()
    await plain.close()
    await closeServer(server)
  }
})

test('mTLS: the client certificate is presented; without it the server refuses', async () => {
  if (!hasOpenssl) return
  const { url, server } = await httpsServer(true)
  const withCert = createDispatcher({
    tls: { ca: readFileSync(join(dir, 'ca.pem'), 'utf8'), cert: join(dir, 'client.pem'), key: join(dir, 'client.key') },
  })
  const without = createDispatcher({ tls: { ca: join(dir, 'ca.pem') } })
  try {
    const s = scenario('mtls', async ({ http }) => expect(await http.get('/')).toHaveJson({ client: 'steady-client' }))
    const ok = await runIteration(s, { baseUrl: url, seed: 1, iteration: 0, dispatcher: withCert })
    assert.ok(ok.passed, ok.failure?.message)
    const no = await runIteration(s, { baseUrl: url, seed: 1, iteration: 0, dispatcher: without })
    assert.not.ok(no.passed)
    assert.is(no.failure!.kind, 'request')
  } finally {
    await withCert.close()
    await without.close()
    await closeServer(server)
  }
})

test('an unreadable PEM path is a clear error', () => {
  try {
    createDispatcher({ tls: { ca: 'nope/ca.pem' }, baseDir: dir })
    assert.unreachable()
  } catch (e) {
    assert.match((e as Error).message, 'tls.ca[0]: cannot read')
  }
})

/** A proxy that forwards absolute-form requests and tunnels CONNECT. */
async function startProxy(): Promise<{
  url: string
  server: Server
  forwarded: string[]
  tunnels: string[]
  auth: string[]
}> {
  const forwarded: string[] = []
  const tunnels: string[] = []
  const auth: string[] = []
  const server = createServer((req, res) => {
    forwarded.push(`${req.method} ${req.url}`)
    auth.push(String(req.headers['proxy-authorization'] ?? ''))
    const target = new URL(req.url!)
    const headers = { ...req.headers }
    delete headers['proxy-authorization']
    const up = httpRequest(
      { host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers },
      (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.headers)
        ur.pipe(res)
      },
    )
    req.pipe(up)
  })
  server.on('connect', (req, socket, head) => {
    tunnels.push(req.url!)
    auth.push(String(req.headers['proxy-authorization'] ?? ''))
    const [host, port] = req.url!.split(':')
    const up = connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      up.write(head)
      up.pipe(socket)
      socket.pipe(up)
    })
    up.on('error', () => socket.destroy())
    socket.on('error', () => up.destroy())
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, forwarded, tunnels, auth }
}

test('proxy: plain HTTP is forwarded, HTTPS is tunnelled with CONNECT; proxy credentials are sent', async () => {
  const proxy = await startProxy()
  const srv: TestServer = await startServer()
  const viaProxy = createDispatcher({ proxy: proxy.url.replace('http://', 'http://pxuser:pxpass@') })
  try {
    const s = scenario('proxied', async ({ http }) => expect(await http.get('/items')).toHaveStatus(200))
    const r = await runIteration(s, { baseUrl: srv.url, seed: 1, iteration: 0, dispatcher: viaProxy })
    assert.ok(r.passed, r.failure?.message)
    assert.equal(proxy.forwarded, [`GET ${srv.url}/items`])
    assert.is(proxy.auth[0], 'Basic ' + Buffer.from('pxuser:pxpass').toString('base64'))
    if (hasOpenssl) {
      const { url, server } = await httpsServer(false)
      const tunnel = createDispatcher({ proxy: proxy.url, tls: { ca: join(dir, 'ca.pem') } })
      try {
        const t = await runIteration(
          scenario('tunnelled', async ({ http }) => expect(await http.get('/')).toHaveJson({ secure: true })),
          { baseUrl: url, seed: 1, iteration: 0, dispatcher: tunnel },
        )
        assert.ok(t.passed, t.failure?.message)
        assert.equal(proxy.tunnels, [url.replace('https://', '')])
      } finally {
        await tunnel.close()
        await closeServer(server)
      }
    }
    const down = createDispatcher({ proxy: 'http://127.0.0.1:1' })
    const e = await runIteration(s, { baseUrl: srv.url, seed: 1, iteration: 0, dispatcher: down })
    assert.is(e.failure!.kind, 'request')
    await down.close()
    void RequestError
  } finally {
    await viaProxy.close()
    await srv.close()
    await closeServer(proxy.server)
  }
})

test.after(() => rmSync(dir, { recursive: true, force: true }))

test.run()
