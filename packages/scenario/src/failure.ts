/**
 * Failure samples: what a person needs to understand a failed iteration,
 * redacted before anyone stores or prints it.
 */
import { REDACTED } from '@steady/record/internal'
import type { FailureSample as RecordFailureSample, Redactor } from '@steady/record'
import { toCurl } from './http/curl.ts'
import type { Exchange } from './http/client.ts'

/** What kind of failure ended an iteration. */
export type FailureKind = 'assertion' | 'request' | 'timeout' | 'aborted' | 'error' | 'setup'

/** A request as a failure shows it (redacted). */
export interface SampleRequest {
  method: string
  url: string
  headers: Record<string, string>
  /** The first 2 KiB of the body. */
  body?: string
}

/** A response as a failure shows it (redacted). */
export interface SampleResponse {
  status: number
  headers: Record<string, string>
  /** The first 2 KiB of the body (or `<N bytes>` for binary). */
  body?: string
  durationMs: number
}

/**
 * One failed iteration, redacted, with what it takes to replay it: the run
 * record's failure sample (`@steady/record`) plus where and how it failed.
 */
export interface FailureSample extends RecordFailureSample {
  scenario: string
  /** The scenario file, relative to the working directory when the runner knows it. */
  file?: string
  /** The line in the scenario file where it failed (from the stack), when known. */
  line?: number
  /** The step path it failed in (`''` outside any step). */
  step: string
  kind: FailureKind
  /** The matcher's short form (`toHaveStatus`, `eventually(toMatchObject)`), or the kind for non-assertions. */
  assertion: string
  /** For request failures: `ECONNREFUSED`, `timeout`, `tls`... */
  errorKind?: string
  /** The request the failure is about (the asserted response's, else the last one). */
  request?: SampleRequest
  response?: SampleResponse
  /** Lines the scenario logged with `ctx.log`. */
  logs?: string[]
  /** Run it again: `steady run --replay <run> --scenario <scenario> --iteration <iteration>` (same seed, same data). */
  replay: { seed: string; scenario: string; iteration: number }
}

const excerptLimit = 2048

function excerpt(body: string | Uint8Array | undefined, contentType: string | undefined): string | undefined {
  if (body === undefined) return undefined
  if (typeof body === 'string')
    return body.length > excerptLimit ? body.slice(0, excerptLimit) + `… (${body.length} chars)` : body
  if (body.length === 0) return undefined
  if (contentType && !/json|text|xml|form|javascript/i.test(contentType))
    return `<${body.length} bytes of ${contentType}>`
  const s = Buffer.from(body.buffer, body.byteOffset, Math.min(body.length, excerptLimit)).toString('utf8')
  return body.length > excerptLimit ? s + `… (${body.length} bytes)` : s
}

function flat(headers: Record<string, string | string[]>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(headers)) out[k] = Array.isArray(v) ? v.join(', ') : v
  return out
}

/** The raw parts of a failure before redaction. */
export interface RawFailure {
  scenario: string
  file?: string
  line?: number
  step: string
  kind: FailureKind
  assertion: string
  errorKind?: string
  message: string
  diff?: string
  exchange?: Exchange
  logs: string[]
  /** ms since the run started. */
  atMs: number
  replay: { seed: string; scenario: string; iteration: number }
}

/**
 * Builds the stored sample. The redactor first sees the headers of every
 * request of the iteration (so a token sent earlier is known and masked
 * wherever it shows up), then the sample, then the curl command.
 */
export function buildFailureSample(raw: RawFailure, seen: readonly Exchange[], redactor: Redactor): FailureSample {
  for (const e of seen) {
    redactor.headers(e.requestHeaders)
    redactor.headers(flat(e.responseHeaders))
  }
  const ex = raw.exchange
  const sample: FailureSample = {
    atMs: Math.round(raw.atMs),
    scenario: raw.scenario,
    file: raw.file,
    line: raw.line,
    step: raw.step,
    kind: raw.kind,
    assertion: raw.assertion,
    errorKind: raw.errorKind,
    message: raw.message,
    diff: raw.diff,
    replay: raw.replay,
  }
  if (raw.logs.length) sample.logs = raw.logs
  if (ex) {
    sample.request = {
      method: ex.method,
      url: ex.url,
      headers: { ...ex.requestHeaders },
      body: excerpt(ex.requestBody, ex.requestHeaders['content-type']),
    }
    if (ex.status > 0) {
      const headers = flat(ex.responseHeaders)
      sample.response = {
        status: ex.status,
        headers,
        body: excerpt(ex.responseBody, headers['content-type']),
        durationMs: Math.round(ex.timings.total * 10) / 10,
      }
    }
  }
  const redacted = redactor.value(sample)
  for (const k of Object.keys(redacted) as (keyof FailureSample)[]) if (redacted[k] === undefined) delete redacted[k]
  if (ex) {
    // Masked headers become shell variables (toCurl); a value masked inside the URL or body cannot, so say so.
    const headers = redactor.headers(ex.requestHeaders)
    const curl = redactor.text(toCurl({ method: ex.method, url: ex.url, headers, body: ex.requestBody }))
    const note = `# replace each ${REDACTED} (a value masked in the URL or body) before running`
    redacted.curl = curl.includes(REDACTED) ? `${note}\n${curl}` : curl
  }
  // The scenario name and replay coordinates must survive redaction untouched to be replayable.
  redacted.scenario = raw.scenario
  redacted.replay = raw.replay
  return redacted
}
