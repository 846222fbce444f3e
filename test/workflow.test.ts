/**
 * The GitHub Actions workflow steady ships — the one `steady init` writes,
 * and docs/examples/steady-gate.yml, which is that file for the demo store —
 * parses as YAML, has the structure GitHub requires, passes `bash -n`, and
 * every `steady ...` command in it names a real command with real options of
 * the CLI (read from `createProgram()`).
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { parseDocument } from 'yaml'
import { main } from '@steady/cli'
import { checkInvocation, referenceProgram, steadyInvocations } from '../scripts/gen-cli-reference.ts'
import { renderWorkflowExample, WORKFLOW_EXAMPLE_PATH } from '../scripts/gen-workflow-example.ts'

const root = join(import.meta.dirname, '..')

interface Step {
  id?: string
  name?: string
  uses?: string
  run?: string
  with?: Record<string, unknown>
  env?: Record<string, unknown>
  if?: string
  shell?: string
}
interface Job {
  'runs-on': unknown
  needs?: string | string[]
  steps: Step[]
  env?: Record<string, unknown>
  'timeout-minutes'?: number
}
interface Workflow {
  name?: string
  on: Record<string, unknown>
  jobs: Record<string, Job>
  env?: Record<string, unknown>
  permissions?: Record<string, string>
}

/** Parses YAML strictly: any error or warning (duplicate keys, bad indentation) fails. */
function parseWorkflow(text: string, file: string): Workflow {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true })
  assert.equal(doc.errors.map(String), [], `${file}: YAML errors`)
  assert.equal(doc.warnings.map(String), [], `${file}: YAML warnings`)
  return doc.toJS() as Workflow
}

const stepKeys = new Set([
  'id',
  'name',
  'uses',
  'run',
  'with',
  'env',
  'if',
  'shell',
  'working-directory',
  'continue-on-error',
  'timeout-minutes',
])
const jobKeys = new Set([
  'name',
  'runs-on',
  'needs',
  'steps',
  'env',
  'if',
  'timeout-minutes',
  'permissions',
  'outputs',
  'strategy',
  'services',
  'container',
  'concurrency',
  'defaults',
  'environment',
  'continue-on-error',
])
const topKeys = new Set(['name', 'run-name', 'on', 'permissions', 'env', 'defaults', 'concurrency', 'jobs'])
const events = new Set([
  'pull_request',
  'pull_request_target',
  'push',
  'workflow_dispatch',
  'schedule',
  'workflow_call',
  'merge_group',
])

/** Every string value inside a parsed YAML value. */
function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v]
  if (Array.isArray(v)) return v.flatMap(strings)
  if (v && typeof v === 'object') return Object.values(v).flatMap(strings)
  return []
}

/** The structure GitHub requires of a workflow, and a few mistakes it would only show at run time. */
function checkStructure(wf: Workflow, file: string): void {
  for (const k of Object.keys(wf)) assert.ok(topKeys.has(k), `${file}: unknown top-level key ${k}`)
  assert.ok(wf.on && typeof wf.on === 'object', `${file}: on: is a map of events`)
  for (const e of Object.keys(wf.on)) assert.ok(events.has(e), `${file}: unknown event ${e}`)
  assert.ok(wf.jobs && Object.keys(wf.jobs).length > 0, `${file}: jobs`)
  for (const [id, job] of Object.entries(wf.jobs)) {
    const at = `${file}: jobs.${id}`
    assert.match(id, /^[A-Za-z_][A-Za-z0-9_-]*$/, `${at}: job id`)
    for (const k of Object.keys(job)) assert.ok(jobKeys.has(k), `${at}: unknown key ${k}`)
    assert.ok(typeof job['runs-on'] === 'string' && job['runs-on'].length > 0, `${at}: runs-on`)
    for (const need of [job.needs ?? []].flat()) assert.ok(need in wf.jobs, `${at}: needs ${need}, which is not a job`)
    assert.ok(Array.isArray(job.steps) && job.steps.length > 0, `${at}: steps`)
    const ids = new Set<string>()
    for (const [i, step] of job.steps.entries()) {
      const where = `${at}.steps[${i}]${step.name ? ` (${step.name})` : ''}`
      for (const k of Object.keys(step)) assert.ok(stepKeys.has(k), `${where}: unknown key ${k}`)
      assert.ok((step.uses === undefined) !== (step.run === undefined), `${where}: exactly one of uses and run`)
      if (step.uses !== undefined)
        assert.match(
          step.uses,
          /^([\w.-]+\/[\w./-]+@[\w.-]+|\.\/[\w./-]+|docker:\/\/\S+)$/,
          `${where}: uses owner/repo@ref`,
        )
      if (step.with !== undefined) assert.ok(step.uses !== undefined, `${where}: with: goes with uses:`)
      // Expressions may only name steps that ran before this one.
      const text = strings(step).join('\n')
      for (const m of text.matchAll(/steps\.([A-Za-z_][\w-]*)\./g))
        assert.ok(ids.has(m[1]), `${where}: refers to step ${m[1]}, which is not an earlier step of the job`)
      for (const m of text.matchAll(/\$\{\{([^}]*)\}\}/g))
        assert.ok(m[1].trim().length > 0, `${where}: empty expression`)
      assert.not.match(text.replace(/\$\{\{[^}]*\}\}/g, ''), /\$\{\{|\}\}/, `${where}: unbalanced \${{ }}`)
      if (step.id !== undefined) {
        assert.not.ok(ids.has(step.id), `${where}: step id ${step.id} twice`)
        ids.add(step.id)
      }
      if (step.run !== undefined) {
        // Untrusted text from the event must reach scripts through env:, never pasted into them.
        assert.not.match(
          step.run,
          /\$\{\{\s*github\.(event|head_ref)/,
          `${where}: pastes event data into the script; pass it through env:`,
        )
        const bash = spawnSync('bash', ['-n', '-c', step.run.replace(/\$\{\{[^}]*\}\}/g, 'X')], { encoding: 'utf8' })
        assert.is(bash.status, 0, `${where}: bash -n: ${bash.stderr}`)
      }
      if (step.uses?.startsWith('actions/github-script@')) {
        const script = String(step.with?.script ?? '')
        const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => unknown
        try {
          new AsyncFunction('require', 'github', 'context', 'core', 'glob', 'io', 'exec', 'fetch', script)
        } catch (e) {
          assert.unreachable(`${where}: the github-script does not parse: ${(e as Error).message}`)
        }
      }
    }
  }
}

function steadyCommands(wf: Workflow): { job: string; step: string; args: string[] }[] {
  return Object.entries(wf.jobs).flatMap(([job, j]) =>
    j.steps.flatMap((s, i) =>
      s.run ? steadyInvocations(s.run).map((args) => ({ job, step: s.name ?? `steps[${i}]`, args })) : [],
    ),
  )
}

// ── the tests ──────────────────────────────────────────────────────────────

test('the invocation checker knows real commands and options, and catches wrong ones', () => {
  const program = referenceProgram()
  assert.equal(
    checkInvocation(program, ['soak', '--env', 'local', '--duration-scale', '0.2', '--out', 'reports/soak']),
    [],
  )
  assert.equal(
    checkInvocation(program, ['health', 'record', '--process', 'ci', '--indicator', 'x', '--value', '1']),
    [],
    'parent options count',
  )
  assert.match(checkInvocation(program, ['soke'])[0], 'not a command')
  assert.match(checkInvocation(program, ['soak', '--duration', '2'])[0], 'unknown option --duration')
  assert.match(checkInvocation(program, ['report'])[0], 'needs 1 argument')
  assert.match(checkInvocation(program, ['env'])[0], 'needs a subcommand')
  assert.match(
    checkInvocation(program, ['baseline', 'mute', 'x', '--until', '2027-01-01', '--reason', 'noisy'])[0],
    'missing required option --owner',
  )
  assert.equal(
    steadyInvocations(
      'set +e\nnpx steady verdict a.json --gate "$GATE" --format markdown > out.md\ncode=$?\nnpx --no-install steady report a.json \\\n  -o r.html && echo done',
    ),
    [
      ['verdict', 'a.json', '--gate', '$GATE', '--format', 'markdown'],
      ['report', 'a.json', '-o', 'r.html'],
    ],
  )
})

test('docs/examples/steady-gate.yml is what steady init writes for the demo store (npm run docs:workflow)', async () => {
  const committed = readFileSync(join(root, WORKFLOW_EXAMPLE_PATH), 'utf8')
  assert.fixture(committed, await renderWorkflowExample())
})

test('docs/examples/steady-gate.yml: valid workflow YAML with the structure GitHub requires', () => {
  const file = 'docs/examples/steady-gate.yml'
  const wf = parseWorkflow(readFileSync(join(root, file), 'utf8'), file)
  checkStructure(wf, file)
  assert.ok('pull_request' in wf.on, 'runs on pull requests')
  assert.is(wf.permissions?.['pull-requests'], 'write', 'may comment')
})

test('docs/examples/steady-gate.yml: checkout, Node 20, npm ci, soak, verdict, upload, summary, comment, and the exit code gates', () => {
  const file = 'docs/examples/steady-gate.yml'
  const wf = parseWorkflow(readFileSync(join(root, file), 'utf8'), file)
  const steps = wf.jobs.gate.steps
  const uses = (prefix: string) => steps.find((s) => s.uses?.startsWith(prefix))
  const index = (pred: (s: Step) => boolean) => steps.findIndex(pred)
  assert.ok(uses('actions/checkout@'))
  assert.is(String(uses('actions/setup-node@')?.with?.['node-version']), '20')
  assert.ok(steps.some((s) => s.run?.trim() === 'npm ci'))
  const soak = steps.find((s) => s.id === 'soak')!
  assert.match(soak.run!, /npx steady soak --env "\$STEADY_ENV" --duration-scale "\$DURATION_SCALE"/)
  const verdict = steps.find((s) => s.id === 'verdict')!
  assert.match(
    verdict.run!.replace(/\\\n\s*/g, ''),
    'npx steady verdict reports/soak/run.json --baseline "baselines/$SERVICE.json" --gate "$GATE" --format markdown',
  )
  assert.is(wf.env?.GATE, 'staging')
  assert.match(verdict.run!, 'echo "code=$code" >> "$GITHUB_OUTPUT"')
  const upload = uses('actions/upload-artifact@')!
  assert.is(upload.with?.path, 'reports/soak/')
  assert.ok(steps.some((s) => s.run?.includes('>> "$GITHUB_STEP_SUMMARY"')))
  const comment = uses('actions/github-script@')!
  assert.match(String(comment.with?.script), 'github.rest.issues.createComment')
  // The gate step runs last, whatever happened before, and passes only on 0.
  const gate = steps[steps.length - 1]
  assert.is(gate.if, '${{ !cancelled() }}')
  assert.is(gate.env?.CODE, '${{ steps.verdict.outputs.code }}')
  const exit = (code: string) =>
    spawnSync('bash', ['-e', '-c', gate.run!], {
      env: { ...process.env, SOAK: 'success', CODE: code, GATE: 'staging' },
      encoding: 'utf8',
    }).status
  assert.is(exit('0'), 0)
  assert.is(exit('1'), 1)
  assert.is(exit('3'), 1, 'inconclusive fails the job')
  assert.is(exit('2'), 1)
  assert.is(exit(''), 1, 'no verdict fails the job')
  assert.is(
    spawnSync('bash', ['-e', '-c', gate.run!], { env: { ...process.env, SOAK: 'failure', CODE: '0' } }).status,
    1,
    'a failed soak fails the job',
  )
  // Publishing comes before the gate, and only the soak and verdict before publishing.
  assert.ok(index((s) => s.id === 'soak') < index((s) => s.id === 'verdict'))
  assert.ok(index((s) => s.id === 'verdict') < index((s) => s.uses?.startsWith('actions/upload-artifact@') ?? false))
  for (const s of steps.slice(index((s) => s.id === 'verdict')))
    assert.ok(s.if?.includes('!cancelled()'), `${s.name ?? s.uses} runs after a failed step`)
})

test('docs/examples/steady-gate.yml: every steady command names a real command and real options', () => {
  const program = referenceProgram()
  const wf = parseWorkflow(readFileSync(join(root, 'docs/examples/steady-gate.yml'), 'utf8'), 'steady-gate.yml')
  const found = steadyCommands(wf)
  assert.equal([...new Set(found.map((f) => f.args[0]))].sort(), ['report', 'run', 'soak', 'verdict'])
  for (const f of found)
    assert.equal(checkInvocation(program, f.args), [], `${f.job} / ${f.step}: steady ${f.args.join(' ')}`)
})

test('the workflow steady init writes: valid, and its steady commands are real', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'steady-wf-'))
  const code = await main(['init', '--service', 'items-api'], { cwd: dir, out: () => {}, err: () => {}, isTTY: false })
  assert.is(code, 0)
  const file = '.github/workflows/steady.yml'
  const wf = parseWorkflow(readFileSync(join(dir, file), 'utf8'), file)
  checkStructure(wf, file)
  const program = referenceProgram()
  const found = steadyCommands(wf)
  assert.equal([...new Set(found.map((f) => f.args[0]))].sort(), ['report', 'run', 'soak', 'verdict'])
  for (const f of found)
    assert.equal(checkInvocation(program, f.args), [], `${f.job} / ${f.step}: steady ${f.args.join(' ')}`)
})

test.run()
