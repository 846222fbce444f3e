/**
 * The steady config of this repo: the demo store's scenarios, its `local`
 * ephemeral environment, load profiles, soak plans and gates. A team's feature
 * repo has one like it (`steady init` writes a starting point).
 *
 * Each section is owned by the package that reads it; keep them in this order.
 */
import { defineConfig } from '@steady/cli'

export default defineConfig({
  // ── scenarios (packages/scenario, steady run) ────────────────────────────
  scenarios: ['scenarios/**/*.scenario.ts'],
  // `steady run --target local` (or `--target <url>`); `npm run store -- --port 3000` serves it.
  targets: {
    local: 'http://127.0.0.1:3000',
  },
  // Sent with every request; secrets belong in the environment, read here.
  headers: { 'x-client': 'steady' },
  // On top of the defaults (Authorization, Cookie, Set-Cookie, password/token/secret fields).
  redaction: { fields: ['email'] },
  run: { reporters: ['pretty', 'json'], out: 'reports' },

  // ── environments (packages/env) ──────────────────────────────────────────
  // `steady env up local` / `steady run --env local`: the demo store as a local
  // process on a free port (it binds port 0 and prints its URL, which steady
  // reads), ready when /health answers 2xx. See docs/environments.md.
  environments: {
    local: {
      provider: 'process',
      services: {
        store: {
          command: 'node',
          args: ['--conditions=steady-source', '--import', 'tsx', 'packages/demo-store/src/main.ts', '--port', '0'],
          port: 0,
          readiness: { path: '/health', timeout: '30s' },
          stopGracePeriod: '10s',
        },
      },
    },
  },

  // ── load profiles (packages/load) ────────────────────────────────────────
  // k6 `options.scenarios` entries: `steady load <name> --target local`, soak
  // phases by name, `steady export k6 <name>`. Arrival-rate executors (open
  // model): iterations start on schedule whatever the service does, so a slow
  // service shows as latency and dropped_iterations, not as less load. `exec`
  // names a scenario; thresholds are k6's. See docs/load.md.
  load: {
    profiles: {
      quiet: {
        executor: 'constant-arrival-rate',
        exec: 'login and browse the catalogue',
        rate: 1,
        timeUnit: '1s',
        duration: '2m',
        preAllocatedVUs: 2,
        maxVUs: 10,
      },
      nominal: {
        executor: 'constant-arrival-rate',
        exec: 'login and browse the catalogue',
        rate: 10,
        timeUnit: '1s',
        duration: '5m',
        preAllocatedVUs: 10,
        maxVUs: 50,
      },
      peak: {
        executor: 'ramping-arrival-rate',
        exec: 'cart, checkout, and the order ships',
        startRate: 5,
        timeUnit: '1s',
        stages: [
          { duration: '30s', target: 25 },
          { duration: '1m30s', target: 25 },
        ],
        preAllocatedVUs: 25,
        maxVUs: 150,
        thresholds: {
          'http_req_duration{scenario:peak}': ['p(95)<1000'],
          dropped_iterations: ['count<25'],
        },
      },
    },
    // Every profile: no failed requests to speak of, expects hold.
    thresholds: {
      http_req_failed: [{ threshold: 'rate<0.01', abortOnFail: true, delayAbortEval: '30s' }],
      checks: ['rate>0.99'],
    },
  },

  // ── soak plans (packages/soak) ───────────────────────────────────────────
  // `steady soak --env local` runs `default`; `--duration-scale 0.1` runs it ten
  // times faster. The probe loop runs the scenarios throughout; phases change
  // the load around it. See docs/soak.md.
  plans: {
    default: {
      environment: 'local',
      window: '10s',
      service: { name: 'demo-store' },
      probe: { concurrency: 2 },
      scrape: {
        interval: '5s',
        // The demo store's own report of injected faults, on top of the default indicators.
        extraSeries: [
          'store_fault_leak_retained_bytes',
          'store_fault_injected_total',
          'http_requests_in_flight',
          'store_orders_created_total',
        ],
      },
      phases: [
        { name: 'warmup', duration: '30s' },
        { name: 'quiet', duration: '2m' },
        { name: 'nominal', duration: '5m', load: 'nominal' },
        { name: 'peak', duration: '2m', load: 'peak' },
        { name: 'recovery', duration: '1m' },
      ],
    },
    // `npm run demo`: the same shape in 90 seconds. Windows of 1 s (scrapes every
    // half second) give each phase twenty or more windows after its warm-up, so
    // trend findings (a leak, a drift) have points to fit even in so short a soak.
    demo: {
      environment: 'local',
      window: '1s',
      service: { name: 'demo-store' },
      probe: { concurrency: 2 },
      scrape: {
        interval: '500ms',
        extraSeries: [
          'store_fault_leak_retained_bytes',
          'store_fault_injected_total',
          'http_requests_in_flight',
          'store_orders_created_total',
        ],
      },
      phases: [
        { name: 'warmup', duration: '5s' },
        { name: 'quiet', duration: '25s' },
        { name: 'nominal', duration: '30s', load: 'nominal' },
        { name: 'peak', duration: '25s', load: 'peak' },
        { name: 'recovery', duration: '5s' },
      ],
    },
  },

  // ── gates (packages/baseline) ────────────────────────────────────────────
  // `steady verdict <run> --gate <name>`: stricter closer to production. An
  // inconclusive verdict never passes (exit 3, or 1 where the gate says so).
  // See docs/verdict.md.
  gates: {
    // Every pull request: do the flows work? No baseline needed.
    integration: { require: ['working'] },
    // A release candidate: working, and stable against the last accepted runs.
    staging: {
      require: ['working', 'stable'],
      minBaselineRuns: 3,
      objectives: ['p95 < 500ms', 'failure rate < 1%'],
    },
    // Production: tighter tolerances and objectives, more baseline runs, every
    // primary check must be judged, and an inconclusive verdict fails.
    production: {
      require: ['working', 'stable'],
      minBaselineRuns: 5,
      tolerance: { level: 0.08, tail: 0.2, failureRateFloor: 0.001 },
      objectives: ['p95 < 300ms', 'p99 < 1s', 'failure rate < 0.1%'],
      notJudged: 'inconclusive',
      onInconclusive: 'fail',
    },
  },

  // ── process health (packages/process-health) ─────────────────────────────
})
