/**
 * `npm run demo [-- --fault <switch>]`: what steady is for, in a minute and a
 * half, on a fresh machine.
 *
 *   1. the example scenarios against a fresh demo store (an ephemeral environment)
 *   2. a paired soak (quiet → nominal → peak): two fresh demo stores side by
 *      side, the candidate (with the fault switch, if any) and the control (the
 *      store without it), driven by the same load and probed in turn
 *   3. the verdict of candidate against control under the `staging` gate, and the HTML report
 *
 * `--history` shows the other design instead: a baseline of this machine built
 * once from three clean soaks (kept in .steady/demo/), one soak of the
 * candidate, and the verdict against that baseline.
 *
 * Every step is a `steady` command (printed before it runs), so a reader can
 * run them by hand. Environments are torn down after each step and on Ctrl-C.
 * Exit code: the verdict's (0 stable, 1 not, 3 inconclusive), 130/143 when interrupted.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { comparisonRuns, readBaseline } from '@steady/baseline'
import { loadConfig, main } from '@steady/cli'
import { resolveLoadConfig } from '@steady/load'
import { resolvePlan, type SoakPlan } from '@steady/soak'

const root = join(import.meta.dirname, '..')
const plan = 'demo'
const gate = 'staging'
const baselineRuns = 3

/** The fault switches of the demo store, as `--fault` names them, and what each does. */
const faults: Record<string, { env: Record<string, string>; what: string }> = {
  latency: { env: { STORE_FAULT_LATENCY: '*=25ms' }, what: 'every API route answers 25 ms slower' },
  errors: { env: { STORE_FAULT_ERRORS: '/api/checkout=0.1' }, what: '10% of checkouts fail with a 500' },
  leak: { env: { STORE_FAULT_LEAK_BYTES: '65536' }, what: 'every API request keeps 64 KiB it never frees' },
  drift: { env: { STORE_FAULT_DRIFT: '0.2ms/order' }, what: 'latency grows with every order placed' },
  contention: {
    env: { STORE_FAULT_CONTENTION: '1x4ms' },
    what: 'API requests queue for a lock held 4 ms each: the waits grow with the load',
  },
  crash: { env: { STORE_FAULT_CRASH_AFTER: '1500' }, what: 'the store crashes after 1,500 API requests' },
  offheap: {
    env: { STORE_FAULT_OFFHEAP_LEAK_BYTES: '65536' },
    what: 'every API request keeps a 64 KiB Buffer it never frees (outside the V8 heap)',
  },
}

const { values } = parseArgs({
  options: {
    fault: { type: 'string' },
    history: { type: 'boolean', default: false },
    rebuild: { type: 'boolean', default: false },
    // For tests: every soak shorter by this factor, and the demo's state in another folder.
    scale: { type: 'string' },
    state: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
})
const stateDir = values.state ? resolve(values.state) : join(root, '.steady', 'demo')
const baselineFile = join(stateDir, 'baseline.json')
const machineFile = join(stateDir, 'machine.json')
const scaleArgs = values.scale ? ['--duration-scale', values.scale] : []
const rel = (p: string) => relative(root, p) || '.'

const say = (line = '') => process.stdout.write(line + '\n')
const bold = (s: string) => (process.stdout.isTTY && !process.env.NO_COLOR ? `\u001b[1m${s}\u001b[22m` : s)

if (values.help) {
  say('npm run demo [-- --fault <switch>] [-- --history [--rebuild]] [-- --scale 0.2] [-- --state <dir>]')
  say(`switches: ${Object.keys(faults).join(', ')}`)
  say('--history   judge against a baseline of this machine (three clean soaks, built once) instead of a paired soak')
  say('--rebuild   with --history: build the baseline of this machine again')
  process.exit(0)
}
const fault = values.fault === undefined ? undefined : faults[values.fault]
if (values.fault !== undefined && !fault) {
  process.stderr.write(
    `error: unknown fault switch "${values.fault}"\n  → use one of: ${Object.keys(faults).join(', ')}\n`,
  )
  process.exit(2)
}
if (values.rebuild && !values.history) {
  process.stderr.write(
    'error: --rebuild rebuilds the baseline of --history; a paired soak needs none\n  → npm run demo -- --history --rebuild\n',
  )
  process.exit(2)
}

/** Runs one steady command in this process, printing it first; stops the demo when it was interrupted. */
async function steady(args: string[], env: Record<string, string> = {}): Promise<number> {
  say(`\n$ steady ${args.join(' ')}`)
  const saved = { ...process.env }
  Object.assign(process.env, env)
  try {
    const code = await main(args, { cwd: root })
    if (code === 130 || code === 143) {
      say('\ninterrupted: everything the demo started has been torn down.')
      process.exit(code)
    }
    return code
  } finally {
    for (const k of Object.keys(env)) {
      if (saved[k] === undefined) delete process.env[k]
      else process.env[k] = saved[k]
    }
  }
}

/** A baseline is only comparable on the machine (CPU, cores, Node.js) that made it. */
function machineKey(): string {
  return JSON.stringify({
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.versions.node,
    scale: values.scale ?? '1',
  })
}

/**
 * The hash of the demo plan as `steady soak` resolves it now (its phases,
 * windows, scrapes and the load profiles they use), at the demo's scale: a
 * baseline made with another plan is not comparable, and the verdict would
 * say so instead of judging.
 */
async function planKey(): Promise<string> {
  const { config } = await loadConfig(root)
  const cfg = config as { plans?: Record<string, SoakPlan>; load?: unknown }
  const profiles = cfg.load ? resolveLoadConfig(cfg.load) : new Map()
  return resolvePlan(plan, cfg.plans?.[plan], {
    durationScale: Number(values.scale ?? 1),
    profiles: Object.fromEntries(profiles),
  }).hash
}

/** Why the kept baseline cannot be reused, or undefined when it can. */
async function baselineUnusable(): Promise<string | undefined> {
  if (values.rebuild) return 'asked to rebuild it'
  if (!existsSync(baselineFile) || !existsSync(machineFile)) return undefined
  if (readFileSync(machineFile, 'utf8') !== machineKey())
    return 'it was made on another machine or Node.js, or at another scale'
  const baseline = await readBaseline(baselineFile).catch(() => undefined)
  if (!baseline) return 'it cannot be read'
  const runs = comparisonRuns(baseline)
  if (runs.length < baselineRuns) return `it has ${runs.length} of ${baselineRuns} runs`
  const hash = await planKey()
  if (runs.some((r) => r.summary?.comparability?.planHash !== hash))
    return `the ${plan} plan in steady.config.ts changed since it was made`
  return ''
}

say(bold('steady demo'))
say('steady tells a release gate whether a new version of an HTTP service is working and stable.')
say('The demo store (packages/demo-store) stands in for your service; its scenarios are in scenarios/store/.')

say(bold('\n1. Working? The example scenarios against a fresh demo store'))
say('A fresh environment is brought up for the run and torn down after it (steady.config.ts: environments.local).')
const run = await steady([
  'run',
  '--env',
  'local',
  'scenarios/store',
  '--reporter',
  'pretty',
  '--out',
  rel(join(stateDir, 'run')),
])
if (run !== 0) {
  say('\nThe scenarios do not pass on this machine; there is nothing to soak. See the failures above.')
  process.exit(run)
}

/**
 * Steps 2–4 of `--history`: a baseline of this machine built once, one soak
 * of the candidate, the verdict against the baseline. Returns the verdict's exit code.
 */
async function historyDemo(): Promise<number> {
  say(bold('\n2. A baseline of this machine'))
  const unusable = await baselineUnusable()
  if (unusable === '') {
    say(
      `Reusing the baseline in ${rel(baselineFile)} (${baselineRuns}+ clean soaks made on this machine; --rebuild makes a new one).`,
    )
  } else {
    if (unusable !== undefined) say(`The baseline in ${rel(baselineFile)} is made again: ${unusable}.`)
    say(`Numbers mean something only against the same service's earlier runs on comparable hardware, so the demo`)
    say(
      `first soaks the clean store ${baselineRuns} times (about ${Math.ceil(baselineRuns * 1.6 * Number(values.scale ?? 1))} minutes, once) and keeps the baseline in ${rel(stateDir)}/.`,
    )
    rmSync(stateDir, { recursive: true, force: true })
    mkdirSync(stateDir, { recursive: true })
    for (let i = 1; i <= baselineRuns; i++) {
      say(bold(`\n   clean soak ${i} of ${baselineRuns}`))
      const out = rel(join(stateDir, 'baseline-runs', String(i)))
      const soaked = await steady([
        'soak',
        plan,
        '--env',
        'local',
        '--out',
        out,
        '--seed',
        `baseline-${i}`,
        ...scaleArgs,
      ])
      if (soaked !== 0) process.exit(soaked)
      const add = [
        'baseline',
        'add',
        out,
        '--baseline',
        rel(baselineFile),
        '--gate',
        'integration',
        '--by',
        'npm run demo',
      ]
      let added = await steady(add)
      if (added === 2) {
        // A busy machine: the run was refused as a baseline run (the reason is printed above). A real gate would
        // soak again on a quieter machine; the demo adds it with a reason, as a gate owner can, and goes on.
        say(
          'This machine is busy, so that soak does not show what normal looks like; the demo adds it anyway, with a reason.',
        )
        added = await steady([...add, '--force', '--reason', 'npm run demo on a busy machine'])
      }
      if (added !== 0) process.exit(added)
    }
    writeFileSync(machineFile, machineKey())
  }

  say(
    bold(
      `\n3. Stable? A short soak: quiet, nominal and peak load${fault ? `, with the ${values.fault} fault on: ${fault.what}` : ''}`,
    ),
  )
  const out = rel(join(stateDir, 'latest'))
  rmSync(join(root, out), { recursive: true, force: true })
  const soaked = await steady(['soak', plan, '--env', 'local', '--out', out, ...scaleArgs], fault?.env ?? {})
  if (soaked !== 0) process.exit(soaked)

  say(bold(`\n4. The verdict against the baseline, under the ${gate} gate, and the report`))
  await steady([
    'verdict',
    out,
    '--baseline',
    rel(baselineFile),
    '--gate',
    gate,
    '--format',
    'json',
    '-o',
    `${out}/verdict.json`,
  ])
  const verdict = await steady(['verdict', out, '--baseline', rel(baselineFile), '--gate', gate])
  await steady([
    'report',
    out,
    '--baseline',
    rel(baselineFile),
    '--verdict',
    `${out}/verdict.json`,
    '-o',
    `${out}/report.html`,
  ])
  return verdict
}

/**
 * Steps 2–3: one paired soak, the candidate beside its control, and the
 * verdict of one against the other. Returns the verdict's exit code.
 */
async function pairedDemo(): Promise<number> {
  const what = fault
    ? `the candidate with the ${values.fault} fault on (${fault.what})`
    : 'the candidate and the control the same version'
  say(bold(`\n2. Stable? A paired soak: quiet, nominal and peak load, ${what}`))
  say('Two fresh demo stores run side by side on this machine: the candidate and the control, the version last')
  say('accepted. Both get the same load at the same moments and the probe loop takes them in turn, so whatever')
  say('the machine does to one it does to the other; no baseline has to be built first.')
  const out = rel(join(stateDir, 'latest'))
  rmSync(join(root, out), { recursive: true, force: true })
  // The demo store runs its fault switches only on the side STORE_FAULT_SIDE names: the candidate.
  const env = fault ? { ...fault.env, STORE_FAULT_SIDE: 'candidate' } : {}
  const soakArgs = ['soak', plan, '--env', 'local', '--control-env', 'local', '--out', out, ...scaleArgs]
  const soaked = await steady(soakArgs, env)
  if (soaked !== 0) process.exit(soaked)

  say(bold(`\n3. The verdict of candidate against control, under the ${gate} gate, and the report`))
  await steady(['verdict', out, '--gate', gate, '--format', 'json', '-o', `${out}/verdict.json`])
  const verdict = await steady(['verdict', out, '--gate', gate])
  await steady(['report', out, '--verdict', `${out}/verdict.json`, '-o', `${out}/report.html`])
  return verdict
}

const verdict = values.history ? await historyDemo() : await pairedDemo()
const out = rel(join(stateDir, 'latest'))

say(bold('\nWhat happened'))
const words: Record<number, string> = {
  0: 'stable: the gate passes (exit 0)',
  1: 'not stable: the gate fails (exit 1)',
  3: 'inconclusive: the gate cannot say yes (exit 3)',
}
say(`verdict: ${words[verdict] ?? `exit ${verdict}`}`)
say(`report:  ${join(root, out, 'report.html')} (open it in a browser)`)
say(bold('\nTry next'))
const others = Object.keys(faults)
  .filter((f) => f !== 'leak')
  .join(', ')
const mode = values.history ? ' --history' : ''
if (!fault)
  say(
    `npm run demo --${mode} --fault leak          the same soak with a memory leak: judged not stable (also: ${others})`,
  )
else
  say(`npm run demo${mode ? ` --${mode}` : ''}                          the same soak without a fault: judged stable`)
if (values.history)
  say(
    'npm run demo                          a paired soak instead: the candidate beside its control, no baseline needed',
  )
else
  say(
    'npm run demo -- --history             judged against a baseline of this machine instead (three clean soaks, built once)',
  )
say('npx steady soak --env local           the full default plan (about 10 minutes)')
say('docs/guide-scenario-authors.md        write scenarios for your own service; docs/guide-gate-owners.md for gates')
process.exitCode = verdict
