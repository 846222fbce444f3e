/**
 * @steady/scenario: API flows in TypeScript, the HTTP client they use, and
 * the executors that run them.
 *
 * Writing scenarios:
 * - {@link scenario}`(name, options?, fn)` and `scenario.each(rows)(name, options?, fn)`
 *   (one scenario per row); export them from `*.scenario.ts` files, with optional
 *   `setup`/`teardown` exports ({@link defineSetup}, {@link defineTeardown}).
 * - The context ({@link ScenarioContext}): `http` (undici; json/form/body/query/headers,
 *   cookie jar per iteration, timeouts, keep-alive reuse, timings), `step`, `expect`,
 *   `eventually`, `data` (faker seeded from run seed + scenario + iteration),
 *   `signal`, `setupData`, `log`, `sleep`. Sub-flows are plain functions taking it.
 * - {@link expect}: status, headers, partial JSON, JSON path, JSON Schema (ajv) or any
 *   `safeParse` schema, duration bounds; readable diffs. Asserting a status makes the
 *   response an expected one in metrics (k6's `expected_response`).
 * - {@link eventually}, auth helpers {@link bearer}, {@link basic}, {@link oauth2ClientCredentials}.
 * - TLS (custom CA, mTLS) and proxies through {@link createDispatcher}; OpenAPI response
 *   validation through {@link loadOpenApi}.
 *
 * Running them (used by `steady run`, the load engine and the soak probe loop):
 * - {@link loadScenarioFiles}`({ patterns, cwd, grep })` → files with scenarios, setup, teardown.
 * - {@link runIteration}`(scenario, { baseUrl, seed, iteration, vu, signal, timeout, setupData,
 *   dispatcher, onRequest })` → {@link IterationResult}. Request events ({@link RequestEvent})
 *   are keyed by step, never by URL, and are delivered when the iteration ends, so `expected`
 *   already knows whether the scenario asserted the status.
 * - {@link runScenarios} → {@link RunResult} with the run record (`steady.run/1`, kind `run`),
 *   fanned out to {@link Reporter}s: {@link prettyReporter}, {@link jsonReporter},
 *   {@link junitReporter}, {@link githubReporter}, isolated by {@link createMultiplexer}.
 * - Failure samples ({@link FailureSample}) are redacted with `Redactor` from @steady/record
 *   before anything stores them, and carry replay coordinates (run seed, scenario, iteration).
 */
// Its error codes become valid `SteadyError` codes wherever this entry is imported (also from the built d.ts).
import './errors.ts'
import type { Dispatcher } from 'undici'
import { createStandaloneClient, type CreateClientOptions, type HttpClient } from './http/client.ts'
import { createDispatcher } from './http/dispatcher.ts'

export { scenario, /** @public */ defineSetup, /** @public */ defineTeardown } from './define.ts'
/** @public */
export type { Scenario, ScenarioFn, ScenarioOptions, RowFn, RowName, SetupFn, TeardownFn } from './define.ts'
export type { ScenarioContext } from './context.ts'
export { expect } from './expect/index.ts'
/** @public */
export type { Matchers, ExpectFunction, AsymmetricMatcher, StatusPattern } from './expect/index.ts'
export { ExpectationError, isExpectationError } from './expect/error.ts'
export { /** @public */ validateSchema } from './expect/schema.ts'
/** @public */
export type { JsonSchema, SafeParseSchema } from './expect/schema.ts'
export { eventually, EventuallyError } from './eventually.ts'
/** @public */
export type { EventuallyOptions, Clock } from './eventually.ts'
export { bearer, basic, oauth2ClientCredentials, /** @public */ auth } from './auth.ts'
/** @public */
export type { ClientCredentialsOptions, ClientCredentialsAuth } from './auth.ts'
export { HttpClient, /** @public */ HttpResponse, RequestError } from './http/client.ts'
/** @public */
export type {
  Auth,
  RequestOptions,
  ClientDefaults,
  HeadersInit,
  QueryInit,
  CreateClientOptions,
} from './http/client.ts'
export { /** @public */ CookieJar } from './http/cookies.ts'
/** @public */
export type { Cookie } from './http/cookies.ts'
/** @public */
export type { Timings } from './http/timings.ts'
export { createDispatcher } from './http/dispatcher.ts'
/** @public */
export type { DispatcherOptions, TlsOptions, Pem } from './http/dispatcher.ts'
/** @public */
export type { Seed, Faker } from './data.ts'
export { loadOpenApi, /** @public */ OpenApiValidator } from './openapi.ts'
/** @public */
export type { OpenApiOptions } from './openapi.ts'
export { runIteration } from './iteration.ts'
/** @public */
export type { IterationOptions, IterationResult, RequestEvent, StepResult } from './iteration.ts'
/** @public */
export type { FailureSample, FailureKind, SampleRequest, SampleResponse } from './failure.ts'
export { loadScenarioFiles } from './loader.ts'
/** @public */
export type { ScenarioFile, LoadOptions } from './loader.ts'
export { runScenarios } from './runner.ts'
/** @public */
export type { RunScenariosOptions } from './runner.ts'
/** @public */
export type {
  Reporter,
  RunStartInfo,
  RunResult,
  ScenarioSummary,
  SetupOutcome,
  StepSummary,
} from './reporters/types.ts'
export { /** @public */ createMultiplexer } from './reporters/multiplexer.ts'
/** @public */
export type { ReporterError } from './reporters/multiplexer.ts'
export { prettyReporter } from './reporters/pretty.ts'
/** @public */
export type { PrettyReporterOptions } from './reporters/pretty.ts'
export { jsonReporter } from './reporters/json.ts'
/** @public */
export type { JsonReporterOptions } from './reporters/json.ts'
export { junitReporter } from './reporters/junit.ts'
/** @public */
export type { JunitReporterOptions } from './reporters/junit.ts'
export { githubReporter } from './reporters/github.ts'
/** @public */
export type { GithubReporterOptions } from './reporters/github.ts'
/** @public */
export type { ScenarioConfig, TargetConfig } from './config.ts'
export { resolveTarget } from './config.ts'

/**
 * A standalone HTTP client (its own cookie jar and, unless given one, its own
 * dispatcher: close it with `close()`), for scripts and tests outside a run.
 */
export function createClient(options: CreateClientOptions): HttpClient & { close(): Promise<void> } {
  const own: Dispatcher | undefined = options.dispatcher ? undefined : createDispatcher()
  const client = createStandaloneClient(options, options.dispatcher ?? own!)
  return Object.assign(client, { close: async () => void (await own?.close()) })
}
