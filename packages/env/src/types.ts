/**
 * The shapes of @steady/env: what a `steady.config.ts` writes under
 * `environments:`, what a running environment looks like to the rest of
 * steady, and the small interface every provider implements.
 */
import type { Duration } from '@steady/record/internal'

// ── config ────────────────────────────────────────────────────────────────

/** A readiness check: an HTTP path that must answer 2xx, or a TCP connect. */
export interface ReadinessConfig {
  /** HTTP path (e.g. `/health`) that must answer 2xx. Without it, a TCP connect to the port is the check. */
  path?: string
  /** Check with a TCP connect instead of HTTP (the default when `path` is not given). */
  tcp?: boolean
  /** How long to wait for the check to pass, from the service's start. Default `30s`. */
  timeout?: Duration
  /** Pause between attempts. Default `100ms`. */
  interval?: Duration
}

/** One service of a `process` environment: a command steady starts, watches and stops. */
export interface ServiceConfig {
  /** The executable (found on PATH like a shell would, but never run through a shell). */
  command: string
  /** Arguments; `{port}` and `{dataDir}` are replaced by the service's port and data folder. */
  args?: string[]
  /**
   * Extra environment variables (on top of steady's own and the parent's);
   * `{port}` and `{dataDir}` are replaced here too.
   */
  env?: Record<string, string>
  /** Working directory, relative to the project root (the config's folder). Default: the project root. */
  cwd?: string
  /**
   * How the service gets its port:
   * - `'auto'`: steady picks a free port and passes it as `PORT` and `{port}`;
   * - `0`: the service binds port 0 and prints its URL, which steady reads from its output (see `urlPattern`);
   * - a number: a fixed port, which must be free when the environment starts.
   * Without `port`, the service has no URL (a worker); its readiness is only that it keeps running.
   */
  port?: 'auto' | number
  /**
   * With `port: 0`: the pattern that finds the URL in the service's output (its first
   * match; a capture group named `url`, else the whole match). Default: the first `http://host:port`.
   */
  urlPattern?: string | RegExp
  /** When the service counts as ready. Default for a service with a port: a TCP connect within 30s. */
  readiness?: ReadinessConfig
  /** Services that must be ready before this one starts (and are stopped after it). */
  dependsOn?: string[]
  /** Time between SIGTERM to the service's process group and SIGKILL. Default `10s`. */
  stopGracePeriod?: Duration
}

/** An environment of local processes: the embedded default, works on any machine with the service's runtime. */
export interface ProcessEnvironmentConfig {
  provider?: 'process'
  /** The services, by name, like docker compose's `services:`. */
  services: Record<string, ServiceConfig>
  /** The service whose URL is the environment's URL. Default: the last one started that has a port. */
  main?: string
}

/**
 * An environment made by any infrastructure-as-code tool (helm, terraform,
 * docker compose). `up` and `down` run with `/bin/sh -c`; values (id, branch,
 * tags) reach them ONLY as environment variables, never pasted into the text.
 */
export interface CommandEnvironmentConfig {
  provider: 'command'
  /** Shell command that creates the environment. Sees `STEADY_ENV_ID`, `STEADY_BRANCH`, `STEADY_TAG_<KEY>`, ... */
  up: string
  /** Shell command that destroys it (runs even when `up` failed halfway). Also sees `STEADY_URL`. */
  down: string
  /** URL template expanded by steady (not the shell): `{id}`, `{name}`, `{branch}`, `{tag.<key>}`. */
  url?: string
  /** Shell command whose last line of stdout is the URL (instead of `url`). */
  urlCommand?: string
  /** More named URLs (templates like `url`). */
  urls?: Record<string, string>
  /** Working directory of the commands, relative to the project root. */
  cwd?: string
  /** Extra environment variables for the commands (static strings). */
  env?: Record<string, string>
  /** Limit for `up` (and `urlCommand`). Default `15m`. */
  timeout?: Duration
  /** Limit for `down`. Default `15m`. */
  downTimeout?: Duration
  /** Optional check against the URL after `up` (an HTTP path answering 2xx, or TCP). */
  readiness?: ReadinessConfig
}

/** An environment that already exists: steady only points at it, with no lifecycle. */
export interface UrlEnvironmentConfig {
  provider: 'url'
  /** The environment's URL (templates like the command provider's: `{id}`, `{branch}`, `{tag.<key>}`). */
  url: string
  /** More named URLs. */
  urls?: Record<string, string>
  /** Optional check that it answers before it is used. */
  readiness?: ReadinessConfig
}

/** One entry of `environments:` in `steady.config.ts`. */
export type EnvironmentConfig = ProcessEnvironmentConfig | CommandEnvironmentConfig | UrlEnvironmentConfig

// ── running environments ──────────────────────────────────────────────────

/** A service process that is part of a running environment (process provider). */
export interface ServiceInfo {
  /** The service's name in the config. */
  name: string
  /** PID of the process steady started; read `/proc/<pid>` for its memory, CPU time and fds. */
  pid: number
  /** Its process group (it leads its own group and session, so this equals `pid`). */
  pgid: number
  /** When the process started (ISO 8601). */
  startTime: string
  /** Opaque identity of the process start (boot time + start ticks on Linux), so a reused PID is never taken for it. */
  startToken: string
  /** Its URL, when it has a port. */
  url: string | undefined
  /** The file its stdout and stderr go to. */
  logFile: string
  /** Its temporary data folder (`STEADY_DATA_DIR`), removed at teardown. */
  dataDir: string
}

/** An environment that is up: what a run, a soak or a person needs to use it. */
export interface RunningEnvironment {
  /** Unique id (`--id`, else the branch slug plus a random suffix); at most 53 chars, a valid Helm release name. */
  id: string
  /** The environment's name in the config (`local`). */
  name: string
  /** `process`, `command`, `url` or a custom provider's name. */
  provider: string
  /** The URL scenarios run against. */
  url: string
  /** URLs by name (process: one per service with a port; command/url: the `urls` config). */
  urls: Record<string, string>
  /** Tags (`--tag key=value`), carried into the run record. */
  tags: Record<string, string>
  /** The branch the id was derived from (or given with `--branch`). */
  branch: string
  /** Service processes (process provider); empty for others. */
  services: ServiceInfo[]
  /** Folder holding the environment's logs (`<outDir>/env`). */
  logDir: string
  /** When it came up (ISO 8601). */
  startedAt: string
}

// ── providers ─────────────────────────────────────────────────────────────

/** What a provider's `up` is given. */
export interface ProviderUpContext {
  id: string
  name: string
  branch: string
  tags: Record<string, string>
  /** One side of a paired soak (`STEADY_SIDE`), when it is one. */
  side?: 'candidate' | 'control'
  /** The version to run (`STEADY_VERSION`), when the run names one. */
  version?: string
  /** CPUs to pin the services to (a `taskset -c` list, `STEADY_CPUS`), when the run pins them. */
  cpus?: string
  /** The project root (the config's folder); relative paths in the config resolve against it. */
  projectDir: string
  /** Where logs go (created). */
  logDir: string
  /** Aborted on SIGINT/SIGTERM: stop waiting and throw; steady then calls `down` with the last saved state. */
  signal: AbortSignal
  /** Progress lines for a person. */
  log: (line: string) => void
  /**
   * Persists the provider's teardown state (JSON). Call it as soon as there is
   * something to tear down (after each process started), so a crash midway still
   * leaves a record that `steady env down` can clean up.
   */
  save: (state: unknown) => Promise<void>
}

/** What a provider's `up` returns. */
export interface ProviderUpResult {
  url: string
  urls: Record<string, string>
  services: ServiceInfo[]
  /** Everything `down` needs, as JSON (also saved in `.steady/envs/<id>.json`). */
  state: unknown
}

/** What a provider's `down` is given. */
export interface ProviderDownContext {
  id: string
  name: string
  projectDir: string
  log: (line: string) => void
  /** The environment's config as it is now, when known (a command provider's `env` values). */
  config: unknown
}

/**
 * An environment provider: a small interface in the shape of undici's
 * Dispatcher. `down` must work from the saved state alone, in another process
 * (`steady env down`), and must be safe to call twice.
 */
export interface EnvironmentProvider<Config = unknown> {
  /** The `provider:` name in the config. */
  readonly name: string
  /**
   * Checks an `environments.<name>` entry and returns it typed; throws a
   * SteadyError naming environment, service and field.
   */
  validate(input: unknown, environment: string): Config
  /**
   * The config's URL templates, field path → template (`url`, `urls.admin`):
   * steady checks their `{tag.<key>}` placeholders against the given tags
   * before anything starts.
   */
  templates?(config: Config): Readonly<Record<string, string>>
  /** Brings the environment up. On a throw, steady calls `down` with the last saved state. */
  up(config: Config, ctx: ProviderUpContext): Promise<ProviderUpResult>
  /** Tears it down from the saved state. */
  down(state: unknown, ctx: ProviderDownContext): Promise<void>
  /** Synchronous last resort when the process exits without a teardown (a forced exit): kill what can be killed. */
  killSync?(state: unknown): void
  /** Whether the environment's processes still run (for `steady env ls`); undefined when the provider cannot tell. */
  alive?(state: unknown): boolean | undefined
}
