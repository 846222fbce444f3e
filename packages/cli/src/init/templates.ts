/**
 * The files `steady init` writes into a team's repo: a `steady.config.ts`, one
 * example scenario, a GitHub Actions workflow, and `baselines/.gitattributes`
 * (the folder baselines live in, with the merge rule their format relies on).
 * Each is a plain string built from a few answers (service name, URL, start
 * command), so the published CLI carries them without extra files. Tests
 * type-check the generated TypeScript with `tsc` against the steady packages
 * and run it against a real server.
 */

/** What the templates are filled with. */
export interface TemplateValues {
  /** The service's name: a slug (`orders-api`), used in plans, baselines and the workflow. */
  service: string
  /** Where the service answers on a developer's machine (`http://localhost:8080`). */
  url: string
  /** The command that starts the service (with `PORT` set), split into executable and arguments. */
  start: { command: string; args: string[] }
  /** The name of the example scenario (the load profiles' `exec` names it). */
  scenarioName: string
}

/** The example scenario's name: the load profiles name it in `exec`. */
export const EXAMPLE_SCENARIO_NAME = 'an item is created and gets processed'

/** Where each generated file goes, relative to the project root. */
export const INIT_FILES = {
  config: 'steady.config.ts',
  scenario: 'scenarios/example.scenario.ts',
  workflow: '.github/workflows/steady.yml',
  gitattributes: 'baselines/.gitattributes',
} as const

const q = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`

/** `steady.config.ts`: targets, environments, load profiles, a soak plan and gates. */
export function configTemplate(v: TemplateValues): string {
  return (
    configHeader(v) + scenariosSection(v) + environmentsSection(v) + loadSection(v) + plansSection(v) + gatesSection()
  )
}

/** The head of the config: what it holds and how to run it, the import, the opening of `defineConfig`. */
function configHeader(v: TemplateValues): string {
  return `/**
 * steady config for ${v.service}: where the scenarios run (targets and
 * ephemeral environments), the load that makes the conditions (profiles), how
 * long and in which phases a soak runs (plans), and what a release gate
 * requires (gates). Written by \`steady init\`; every section is yours to edit.
 *
 *   npx steady run                           scenarios against targets.local (does it work?)
 *   npx steady run --env local               the same on a fresh copy of the service, torn down after
 *   npx steady soak --env local --duration-scale 0.1   a short soak (is it stable?)
 */
import { defineConfig } from '@steady/cli'

export default defineConfig({
`
}

/** Scenarios, targets, headers, redaction and `steady run` output. */
function scenariosSection(v: TemplateValues): string {
  return `  // ── scenarios (steady run) ───────────────────────────────────────────────
  scenarios: ['scenarios/**/*.scenario.ts'],
  // \`--target <name>\` or \`--target <url>\`; without it, defaultTarget.
  targets: {
    // Your service on your machine.
    local: ${q(v.url)},
    // A shared environment, from the environment (e.g. a CI variable), when set.
    ...(process.env.STAGING_URL ? { staging: process.env.STAGING_URL } : {}),
  },
  defaultTarget: 'local',
  // Sent with every request. Secrets belong in the environment, read here.
  headers: { 'user-agent': 'steady (${v.service})' },
  // Masked in every output, on top of Authorization, Cookie and password/token/secret fields.
  redaction: { fields: ['email'] },
  run: { reporters: ['pretty', 'json'], out: 'reports' },

`
}

/** A fresh copy of the service per run: a local process, and a Kubernetes release as an example. */
function environmentsSection(v: TemplateValues): string {
  const args = v.start.args.map(q).join(', ')
  return `  // ── environments (steady env up | run --env | soak --env) ──────────────
  // A fresh environment per run, named by an id, always torn down.
  environments: {
    // Your service as a local process: steady picks a free port, passes it as
    // PORT, waits until /health answers 2xx, and stops it afterwards.
    local: {
      provider: 'process',
      services: {
        ${JSON.stringify(v.service)}: {
          command: ${q(v.start.command)},
          args: [${args}],
          port: 'auto',
          readiness: { path: '/health', timeout: '60s' },
        },
      },
    },
    // The same service in Kubernetes, one release per environment id. The
    // commands see STEADY_ENV_ID and STEADY_BRANCH as environment variables
    // (never pasted into the command text).
    preview: {
      provider: 'command',
      up: '${helmUp(v.service)}',
      down: '${helmDown(v.service)}',
      url: 'https://{id}.preview.example.com',
      readiness: { path: '/health', timeout: '5m' },
    },
  },

`
}

/** The preview environment's install: one Helm release and namespace per environment id. */
function helmUp(service: string): string {
  return (
    `helm upgrade --install "${service}-$STEADY_ENV_ID" ./chart --namespace "steady-$STEADY_ENV_ID" ` +
    '--create-namespace --set image.tag="$STEADY_BRANCH" --wait'
  )
}

function helmDown(service: string): string {
  return (
    `helm uninstall "${service}-$STEADY_ENV_ID" --namespace "steady-$STEADY_ENV_ID" ` +
    '&& kubectl delete namespace "steady-$STEADY_ENV_ID"'
  )
}

/** Two k6 load profiles, nominal and peak, both running the example scenario. */
function loadSection(v: TemplateValues): string {
  return `  // ── load profiles (steady load, soak phases) ──────────────────────────────
  // k6 \`options.scenarios\` entries; \`exec\` names a steady scenario. Arrival-rate
  // executors keep their schedule when the service slows down (an open model).
  load: {
    profiles: {
      nominal: {
        executor: 'constant-arrival-rate',
        exec: ${q(v.scenarioName)},
        rate: 5,
        timeUnit: '1s',
        duration: '5m',
        preAllocatedVUs: 5,
        maxVUs: 20,
      },
      peak: {
        executor: 'ramping-arrival-rate',
        exec: ${q(v.scenarioName)},
        startRate: 5,
        timeUnit: '1s',
        stages: [
          { duration: '30s', target: 20 },
          { duration: '1m30s', target: 20 },
        ],
        preAllocatedVUs: 10,
        maxVUs: 50,
      },
    },
  },

`
}

/** One soak plan through quiet, nominal, peak and recovery, on the local environment. */
function plansSection(v: TemplateValues): string {
  return `  // ── soak plans (steady soak) ─────────────────────────────────────────────
  // The scenarios run in a loop through every phase; the phases change the load
  // around them. \`--duration-scale 0.2\` runs the same plan five times faster.
  plans: {
    default: {
      environment: 'local',
      window: '10s',
      service: { name: ${q(v.service)} },
      probe: { concurrency: 2 },
      // The service's own indicators: its Prometheus /metrics (set path: false
      // if it has none); a local process is also sampled from /proc.
      scrape: { path: '/metrics', interval: '5s' },
      phases: [
        { name: 'warmup', duration: '30s' },
        { name: 'quiet', duration: '2m' },
        { name: 'nominal', duration: '5m', load: 'nominal' },
        { name: 'peak', duration: '2m', load: 'peak' },
        { name: 'recovery', duration: '1m' },
      ],
    },
  },

`
}

/** Three gates, stricter closer to production; the close of `defineConfig`. */
function gatesSection(): string {
  return `  // ── gates (steady verdict --gate <name>) ─────────────────────────────────
  // Stricter closer to production. An inconclusive verdict never passes.
  gates: {
    integration: { require: ['working'] },
    staging: {
      require: ['working', 'stable'],
      minBaselineRuns: 3,
      objectives: ['p95 < 500ms', 'failure rate < 1%'],
    },
    production: {
      require: ['working', 'stable'],
      minBaselineRuns: 5,
      tolerance: { level: 0.05, tail: 0.15 },
      objectives: ['p95 < 300ms', 'failure rate < 0.1%'],
      onInconclusive: 'fail',
      notJudged: 'inconclusive',
    },
  },
})
`
}

/** The example flow's parameters, apart so its first line fits the source's width. */
const FLOW_PARAMS = 'async ({ http, step, data, eventually })'

/** `scenarios/example.scenario.ts`: one flow with seeded data, polling and an expected error. */
export function scenarioTemplate(v: TemplateValues): string {
  return `/**
 * An example scenario: one user flow of ${v.service}. \`steady run\` runs it once
 * to say whether the flow works; \`steady soak\` runs it again and again, under
 * load, to say whether it stays that way.
 *
 * It assumes a JSON API like this one; replace the paths and bodies with one
 * real flow of your service:
 *
 *   GET  /health              → 200
 *   POST /api/items {name}    → 201 {id, name, state: 'pending'}
 *   GET  /api/items/:id       → 200 {id, name, state}; state becomes 'ready' once processed
 *   GET  /api/items/<unknown> → 404
 */
import { scenario, expect } from '@steady/scenario'

export default scenario(${q(v.scenarioName)}, { tags: ['example', 'smoke'] }, ${FLOW_PARAMS} => {
  const health = await step('health', () => http.get('/health'))
  expect(health).toHaveStatus(200)

  // Seeded test data: the run seed (printed by every run, or --seed) makes the
  // same names again, so a failing iteration can be replayed exactly with
  // \`steady run --replay <run> --scenario <name> --iteration <n>\`.
  const name = \`\${data.commerce.productName()} \${data.string.alphanumeric(8)}\`

  const created = await step('create item', () => http.post('/api/items', { json: { name } }))
  expect(created).toHaveStatus(201)
  expect(created).toHaveJson({ name })
  const { id } = created.json<{ id: string }>()

  // The work finishes in the background: poll until it is done. When it never
  // is, the failure shows the last response and how long steady waited.
  await step('item is processed', () =>
    eventually(
      async () => {
        const res = await http.get(\`/api/items/\${encodeURIComponent(id)}\`)
        expect(res).toHaveStatus(200)
        expect(res).toHaveJson({ id, name, state: 'ready' })
      },
      { timeout: '30s', every: '500ms', message: 'item processed' },
    ),
  )

  // Asserting an error status makes it an expected response, not an error, in every metric.
  const missing = await step('unknown item', () => http.get(\`/api/items/missing-\${data.string.alphanumeric(8)}\`))
  expect(missing).toHaveStatus(404)
})
`
}

/**
 * `.github/workflows/steady.yml`: on every pull request, the scenarios on a fresh environment, then a soak
 * judged by a gate, with the report uploaded and the verdict posted; only a passing verdict passes the job.
 * `docs/examples/steady-gate.yml` is this template for the demo store (`scripts/gen-workflow-example.ts`).
 */
export function workflowTemplate(v: TemplateValues): string {
  return workflowHead(v) + workingJob() + soakSteps() + verdictStep() + publishSteps() + commentStep() + gateStep()
}

/** The workflow's the trigger, permissions, concurrency and the four values a team sets. */
function workflowHead(v: TemplateValues): string {
  return `# steady for ${v.service}, written by \`steady init\`.
# On every pull request: the scenarios on a fresh environment (does it work?),
# then a soak of a fresh environment judged against the committed baseline (is
# it stable?), with the HTML report uploaded and the verdict posted to the job
# summary and as a pull request comment. Only a passing verdict passes the job.
#
# Set the four values under \`env:\`. What it needs in your repo:
#   - steady.config.ts with the environment (\`environments.<STEADY_ENV>\`), a
#     soak plan named \`default\`, and the gate (\`gates.<GATE>\`);
#   - baselines/<SERVICE>.json, made from soaks of accepted versions run the same
#     way (same runner type, same --duration-scale):
#       npx steady baseline add reports/soak/run.json --baseline baselines/<SERVICE>.json
#     Runs that differ in CPU, cores, Node.js, plan or duration scale are not
#     comparable, and the verdict is then inconclusive, which fails this job.
# Exit codes of \`steady verdict\`: 0 passed, 1 failed, 2 could not judge,
# 3 inconclusive. Only 0 passes the gate.
name: steady

on:
  pull_request:
  workflow_dispatch:

permissions:
  contents: read
  pull-requests: write # the verdict comment

concurrency:
  group: steady-\${{ github.event.pull_request.number || github.ref }}
  cancel-in-progress: true

env:
  SERVICE: ${v.service} # baselines/$SERVICE.json
  STEADY_ENV: local # environments.<name> in steady.config.ts: a fresh environment per run
  GATE: staging # gates.<name> in steady.config.ts
  DURATION_SCALE: '0.2' # the default plan, five times faster; baselines must use the same scale
  NO_COLOR: '1'

`
}

/** The workflow's the first job: the scenarios on a fresh environment. */
function workingJob(): string {
  return `jobs:
  working:
    name: scenarios on a fresh environment
    runs-on: ubuntu-latest
    timeout-minutes: 15
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      - run: npm ci
      - name: Run the scenarios
        env:
          BRANCH: \${{ github.head_ref || github.ref_name }}
        run: npx steady run --env "$STEADY_ENV" --branch "$BRANCH" --reporter pretty,junit,github --out reports/run
      - uses: actions/upload-artifact@v4
        if: \${{ !cancelled() }}
        with:
          name: steady-run-\${{ github.run_id }}-\${{ github.run_attempt }}
          path: reports/run
          if-no-files-found: ignore

`
}

/** The workflow's the second job up to its soak of a fresh environment. */
function soakSteps(): string {
  return `  gate:
    name: steady soak and verdict
    needs: working
    runs-on: ubuntu-latest
    timeout-minutes: 30
    steps:
      - uses: actions/checkout@v4

      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm

      - run: npm ci

      # Brings the environment up (ephemeral, named after the branch), runs the
      # plan's phases with the scenarios probing throughout, tears it down, and
      # writes reports/soak/run.json. Exit 1 when a scenario fails its preflight.
      - name: Soak a fresh environment
        id: soak
        env:
          BRANCH: \${{ github.head_ref || github.ref_name }}
          COMMIT: \${{ github.event.pull_request.head.sha || github.sha }}
        run: >-
          npx steady soak --env "$STEADY_ENV" --duration-scale "$DURATION_SCALE"
          --out reports/soak --branch "$BRANCH"
          --tag "service=$SERVICE" --tag "commit=$COMMIT"

`
}

/** The workflow's the verdict as Markdown and JSON, its exit code kept for the last step. */
function verdictStep(): string {
  return `      # The verdict as Markdown (for people) and JSON (for the report). Its exit
      # code is kept for the last step, so the report and the summary are
      # published whatever the verdict says.
      - name: Judge the run against the baseline
        id: verdict
        if: \${{ !cancelled() && hashFiles('reports/soak/run.json') != '' }}
        run: |
          set +e
          npx steady verdict reports/soak/run.json --baseline "baselines/$SERVICE.json" --gate "$GATE" \\
            --format markdown > reports/soak/verdict.md
          code=$?
          npx steady verdict reports/soak/run.json --baseline "baselines/$SERVICE.json" --gate "$GATE" \\
            --format json > reports/soak/verdict.json
          set -e
          echo "code=$code" >> "$GITHUB_OUTPUT"
          echo "steady verdict exited with $code"

`
}

/** The workflow's the HTML report, the artifact and the job summary. */
function publishSteps(): string {
  return `      - name: Write the HTML report
        if: \${{ !cancelled() && hashFiles('reports/soak/run.json') != '' }}
        run: |
          if [ -s reports/soak/verdict.json ]; then
            npx steady report reports/soak/run.json --baseline "baselines/$SERVICE.json" \\
              --verdict reports/soak/verdict.json -o reports/soak/report.html
          else
            npx steady report reports/soak/run.json --baseline "baselines/$SERVICE.json" -o reports/soak/report.html
          fi

      # run.json, verdict.md, verdict.json, report.html and the service logs (env/).
      - name: Upload the report
        if: \${{ !cancelled() }}
        uses: actions/upload-artifact@v4
        with:
          name: steady-report-\${{ github.run_id }}-\${{ github.run_attempt }}
          path: reports/soak/
          if-no-files-found: warn
          retention-days: 30

      - name: Post the summary
        if: \${{ !cancelled() }}
        run: |
          if [ -s reports/soak/verdict.md ]; then
            cat reports/soak/verdict.md
          else
            echo "### steady: no verdict"
            echo
            echo "The soak wrote no run record to judge (a scenario failed its preflight,"
            echo "or the environment did not come up). See the log of the soak step."
          fi >> "$GITHUB_STEP_SUMMARY"

`
}

/** The workflow's one pull request comment, updated on every push. */
function commentStep(): string {
  return `      # One comment per pull request, updated on every push. Pull requests from
      # forks get a read-only token, so they only get the job summary.
      - name: Comment on the pull request
        if: \${{ !cancelled() && github.event.pull_request.head.repo.full_name == github.repository }}
        uses: actions/github-script@v7
        with:
          script: |
            const fs = require('node:fs')
            const marker = '<!-- steady-gate -->'
            const file = 'reports/soak/verdict.md'
            const verdict = fs.existsSync(file) && fs.statSync(file).size > 0
              ? fs.readFileSync(file, 'utf8')
              : '### steady: no verdict\\n\\nThe soak wrote no run record to judge; see the job log.'
            const run = \`\${context.serverUrl}/\${context.repo.owner}/\${context.repo.repo}\` +
              \`/actions/runs/\${context.runId}\`
            const link = \`Report: the \\\`steady-report-*\\\` artifact of [this run](\${run}).\`
            // A comment holds at most 65,536 characters.
            const body = \`\${marker}\\n\${verdict.slice(0, 60000)}\\n\\n\${link}\`
            const pr = { ...context.repo, issue_number: context.issue.number }
            const comments = await github.paginate(github.rest.issues.listComments, { ...pr, per_page: 100 })
            const mine = comments.find((c) => c.user?.type === 'Bot' && c.body?.startsWith(marker))
            if (mine) await github.rest.issues.updateComment({ ...context.repo, comment_id: mine.id, body })
            else await github.rest.issues.createComment({ ...pr, body })

`
}

/** The workflow's the last step: only exit code 0 passes the job. */
function gateStep(): string {
  return `      # Only exit code 0 passes. 3 (inconclusive: too little baseline,
      # incomparable runs, too little data) fails the job like a negative verdict.
      - name: Gate on the verdict
        if: \${{ !cancelled() }}
        env:
          SOAK: \${{ steps.soak.outcome }}
          CODE: \${{ steps.verdict.outputs.code }}
        run: |
          if [ "$SOAK" != success ]; then
            echo "::error::steady soak did not finish its plan (outcome: $SOAK); nothing was judged"
            exit 1
          fi
          case "$CODE" in
            0) echo "steady: gate $GATE passed" ;;
            1)
              echo "::error::steady: gate $GATE failed; the findings are in the job summary and the report"
              exit 1 ;;
            3)
              echo "::error::steady: inconclusive verdict (too little baseline, incomparable runs, too little data)"
              echo "An inconclusive verdict never passes the gate."
              exit 1 ;;
            *)
              echo "::error::steady verdict could not judge the run (exit \${CODE:-none}): see the verdict step's log"
              exit 1 ;;
          esac
`
}

/**
 * `baselines/.gitattributes`: a baseline file adds one line per run, so git's
 * union merge lets two branches that each add a run merge without a conflict.
 */
export function gitattributesTemplate(): string {
  return `# Baselines (steady baseline add) add one line per run: two branches that each
# add runs merge without a conflict with git's union driver.
*.json merge=union
`
}
