/**
 * The undici dispatcher a scenario's client sends through: keep-alive
 * connection reuse, custom CA, client certificates (mTLS) and an HTTP proxy,
 * all as undici options. One dispatcher is shared by a run (or one per virtual
 * user in the load engine); the connector is wrapped so connect and TLS times
 * show up in every request's timings.
 */
import { readFileSync } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'
import { Agent, ProxyAgent, type Dispatcher } from 'undici'
import { SteadyError } from '@steady/record'
import { maskUrlPassword, splitUrlCredentials } from '@steady/kernel'
import { parseDuration, type Duration } from '@steady/record/internal'
import { timedConnector, type ConnectorOptions } from './timings.ts'

/** PEM text, or a path to a PEM file (relative to `baseDir`). */
export type Pem = string | Buffer

/** TLS settings for the target (and proxy). */
export interface TlsOptions {
  /** Extra CA certificate(s) to trust, as PEM text or file paths. */
  ca?: Pem | Pem[]
  /** Client certificate for mTLS (PEM text or file path). */
  cert?: Pem
  /** Client private key for mTLS (PEM text or file path). */
  key?: Pem
  /** Passphrase of an encrypted `key`. */
  passphrase?: string
  /** Set false to accept any server certificate (never in a gate you trust). Default true. */
  rejectUnauthorized?: boolean
  /** SNI server name, when the target is reached by IP. */
  servername?: string
}

/** How the HTTP client connects: pool, TLS, proxy. */
export interface DispatcherOptions {
  /** TLS material for HTTPS targets (custom CA, mTLS). */
  tls?: TlsOptions
  /**
   * An HTTP proxy URL (`http://user:pass@proxy:3128`). HTTPS targets are
   * tunnelled with CONNECT; plain HTTP targets are forwarded unless `tunnel` is true.
   */
  proxy?: string | { url: string; tunnel?: boolean; tls?: TlsOptions }
  /** Maximum connections per origin. Default: unlimited (one per concurrent request). */
  connections?: number
  /** How long an idle keep-alive connection is kept. Default `'4s'`. */
  keepAlive?: Duration
  /** TCP connect timeout. Default `'10s'`. */
  connectTimeout?: Duration
  /** Folder that relative PEM file paths are resolved against. Default: the working directory. */
  baseDir?: string
}

function pem(value: Pem, baseDir: string, field: string): string | Buffer {
  if (typeof value !== 'string' || value.includes('-----BEGIN')) return value
  const path = isAbsolute(value) ? value : resolve(baseDir, value)
  try {
    return readFileSync(path)
  } catch (error) {
    throw new SteadyError('STEADY_SCENARIO_TLS', `${field}: cannot read ${path}: ${(error as Error).message}`, {
      hint: 'give PEM text or a readable PEM file path (relative to the config file)',
      details: { field, file: path },
    })
  }
}

/** Node TLS connection options from steady's {@link TlsOptions}. */
function tlsConnectOptions(tls: TlsOptions | undefined, baseDir: string, field = 'tls'): ConnectorOptions {
  if (!tls) return {}
  const out: Record<string, unknown> = {}
  if (tls.ca !== undefined) {
    const list = Array.isArray(tls.ca) ? tls.ca : [tls.ca]
    out.ca = list.map((c, i) => pem(c, baseDir, `${field}.ca[${i}]`))
  }
  if (tls.cert !== undefined) out.cert = pem(tls.cert, baseDir, `${field}.cert`)
  if (tls.key !== undefined) out.key = pem(tls.key, baseDir, `${field}.key`)
  if (tls.passphrase !== undefined) out.passphrase = tls.passphrase
  if (tls.rejectUnauthorized !== undefined) out.rejectUnauthorized = tls.rejectUnauthorized
  if (tls.servername !== undefined) out.servername = tls.servername
  return out as ConnectorOptions
}

/**
 * Builds the dispatcher a run's clients share: an undici `Agent` with
 * keep-alive and a timed connector, or a `ProxyAgent` when `proxy` is set.
 * Close it when the run ends (`await dispatcher.close()`).
 */
export function createDispatcher(options: DispatcherOptions = {}): Dispatcher {
  const baseDir = options.baseDir ?? process.cwd()
  const connectTimeout = parseDuration(options.connectTimeout ?? '10s', 'connectTimeout')
  const keepAliveTimeout = parseDuration(options.keepAlive ?? '4s', 'keepAlive')
  const tls = { ...tlsConnectOptions(options.tls, baseDir), timeout: connectTimeout } as ConnectorOptions
  if (options.proxy) {
    const proxy = typeof options.proxy === 'string' ? { url: options.proxy } : options.proxy
    if (!URL.canParse(proxy.url)) {
      throw new SteadyError('STEADY_SCENARIO_PROXY', `proxy: "${maskUrlPassword(proxy.url)}" is not a URL`, {
        hint: 'write the proxy as http://host:port (user:password@ allowed)',
        details: { field: 'proxy' },
      })
    }
    // user:password@ goes to the proxy as its Basic authorization.
    const { url, authorization } = splitUrlCredentials(proxy.url)
    return new ProxyAgent({
      uri: url,
      token: authorization,
      requestTls: tls,
      proxyTls: { ...tlsConnectOptions(proxy.tls, baseDir, 'proxy.tls'), timeout: connectTimeout } as never,
      proxyTunnel: proxy.tunnel ?? false,
      keepAliveTimeout,
      connections: options.connections,
    } as ProxyAgent.Options)
  }
  return new Agent({
    connect: timedConnector(tls),
    keepAliveTimeout,
    connections: options.connections ?? null,
  })
}
