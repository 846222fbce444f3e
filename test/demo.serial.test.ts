/**
 * `npm run demo` (scripts/demo.ts), end to end on this machine at a small
 * scale: the scenarios on a fresh store, a baseline of three clean soaks built
 * once and then reused, a soak, the verdict and the report; every fault
 * switch judged not stable with its finding named; and Ctrl-C in the middle
 * of it leaves nothing running.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { comparisonRuns, readBaseline } from '@steady/baseline'
import type { Finding, Verdict } from '@steady/record'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')

function demo(args: string[], onOutput?: (text: string, pid: number) => void): Promise<{ code: number | null; out: string; pid: number }> {
  return new Promise((resolve) => {
    // Its own process group, as a terminal runs it (Ctrl-C goes to the whole group).
    const child = spawn(process.execPath, ['--conditions=steady-source', '--import', 'tsx', join(root, 'scripts', 'demo.ts'), ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    let out = ''
    const take = (d: Buffer) => {
      out += d.toString()
      onOutput?.(out, child.pid!)
    }
    child.stdout.on('data', take)
    child.stderr.on('data', take)
    const guard = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 8 * 60_000)
    child.on('close', (code) => {
      clearTimeout(guard)
      resolve({ code, out, pid: child.pid! })
    })
  })
}

/** True once no process of the group is left; esbuild's service (tsx) may need a moment after its parent. */
async function groupGone(pid: number): Promise<boolean> {
  for (let i = 0; i < 30; i++) {
    try {
      process.kill(-pid, 0)
    } catch {
      return true
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  return false
}

const state = mkdtempSync(join(tmpdir(), 'steady-demo-'))

/**
 * A load-dependent fault (latency, drift, contention) on a busy shared machine is never a pass: either not
 * stable (exit 1), or, when the load generator saturated in a phase that counts, inconclusive (exit 3) with
 * the saturation named. Which one a run shows depends on the machine, not on the product.
 */
function notStableOrSaturated(what: string, r: { code: number | null; out: string }): Verdict {
  const v = JSON.parse(readFileSync(join(state, 'latest', 'verdict.json'), 'utf8')) as Verdict
  assert.ok(r.code === 1 || r.code === 3, `${what}: exit ${r.code}\n${r.out.slice(-3000)}`)
  if (r.code === 1) assert.match(r.out, 'verdict: not stable')
  else assert.ok(v.findings.some((f) => f.kind === 'generator-saturated' && f.status === 'inconclusive'), `${what}: inconclusive, but not for a saturated generator\n${r.out.slice(-3000)}`)
  return v
}

test('the demo runs the scenarios, builds a baseline once, soaks, judges and writes the report', async () => {
  const first = await demo(['--scale', '0.3', '--state', state])
  const words: Record<number, string> = { 0: 'verdict: stable', 1: 'verdict: not stable', 3: 'verdict: inconclusive' }
  assert.ok(first.code !== null && first.code in words, `exit ${first.code}\n${first.out.slice(-3000)}`)
  assert.match(first.out, words[first.code!])
  assert.match(first.out, '$ steady run --env local scenarios/store')
  assert.match(first.out, 'first soaks the clean store 3 times')
  // Three runs added (on a busy machine a refused one is added again with --force and a reason).
  assert.is((first.out.match(/^\$ steady baseline add (?!.*--force)/gm) ?? []).length, 3)
  assert.match(first.out, '$ steady verdict')
  assert.match(first.out, 'npm run demo -- --fault leak')
  assert.is(comparisonRuns(await readBaseline(join(state, 'baseline.json'))).length, 3)
  assert.ok(existsSync(join(state, 'latest', 'report.html')), 'the report is written')
  assert.ok(existsSync(join(state, 'latest', 'verdict.json')))
  assert.ok(await groupGone(first.pid), 'nothing of the demo is left running')

  // The second time the baseline of this machine is reused, and a fault is named.
  const second = await demo(['--scale', '0.3', '--state', state, '--fault', 'latency'])
  assert.match(second.out, 'Reusing the baseline')
  assert.not.match(second.out, /^\$ steady baseline add/m)
  assert.match(second.out, 'with the latency fault on')
  notStableOrSaturated('--fault latency', second)

  // The leak switch: judged not stable, the leak named (`npm run demo -- --fault leak`).
  const leak = await demo(['--scale', '0.3', '--state', state, '--fault', 'leak'])
  assert.is(leak.code, 1, `the leaking store is judged not stable: exit ${leak.code}\n${leak.out.slice(-3000)}`)
  assert.match(leak.out, 'verdict: not stable')
  const leakVerdict = JSON.parse(readFileSync(join(state, 'latest', 'verdict.json'), 'utf8')) as Verdict
  assert.ok(
    leakVerdict.findings.some((f) => f.kind === 'leak' && f.primary && f.status === 'fail'),
    `a failing leak finding: ${leakVerdict.findings.filter((f) => f.kind === 'leak').map((f) => `${f.status} ${f.message}`).join('; ')}`,
  )

  // The other switches: each judged not stable, the finding named in the verdict (a failing primary finding
  // of the kind the switch causes) and in what the demo prints.
  const switches: [string, Finding['kind'][]][] = [
    ['errors', ['failure-rate', 'new-error', 'load-failures', 'objective']],
    ['drift', ['drift', 'level', 'tail', 'load-latency']],
    ['crash', ['crash']],
  ]
  for (const [name, kinds] of switches) {
    const r = await demo(['--scale', '0.3', '--state', state, '--fault', name])
    const v = name === 'drift' ? notStableOrSaturated(`--fault ${name}`, r) : (JSON.parse(readFileSync(join(state, 'latest', 'verdict.json'), 'utf8')) as Verdict)
    if (name === 'drift' && r.code === 3) continue
    assert.is(r.code, 1, `--fault ${name} is judged not stable: exit ${r.code}\n${r.out.slice(-3000)}`)
    assert.match(r.out, 'verdict: not stable')
    const named = v.findings.filter((f) => f.primary && f.status === 'fail' && kinds.includes(f.kind))
    assert.ok(named.length > 0, `--fault ${name}: a failing ${kinds.join('/')} finding; failing: ${v.findings.filter((f) => f.status === 'fail').map((f) => `${f.kind} ${f.message}`).join('; ')}`)
    const flat = (t: string) => t.replace(/\s+/g, ' ')
    assert.ok(flat(r.out).includes(flat(named[0].message.slice(0, 60))), `--fault ${name}: the demo prints the finding: ${named[0].message}`)
  }

  // A baseline made with another demo plan (its hash in the runs differs) is not reused: it is made again,
  // here with the contention switch on (a pool too small for the load: the waits grow with it).
  const file = join(state, 'baseline.json')
  const kept = JSON.parse(readFileSync(file, 'utf8')) as { runs: Record<string, { summary?: { comparability: { planHash: string } } }> }
  for (const run of Object.values(kept.runs)) if (run.summary) run.summary.comparability.planHash = 'an-older-plan'
  writeFileSync(file, JSON.stringify(kept))
  const third = await demo(['--scale', '0.3', '--state', state, '--fault', 'contention'])
  assert.match(third.out, 'the demo plan in steady.config.ts changed since it was made')
  assert.is((third.out.match(/^\$ steady baseline add (?!.*--force)/gm) ?? []).length, 3, third.out.slice(-3000))
  const contention = notStableOrSaturated('--fault contention', third)
  assert.ok(
    third.code === 3 ||
    contention.findings.some((f) => f.primary && f.status === 'fail' && ['load-latency', 'level', 'tail'].includes(f.kind)),
    `a failing latency-under-load finding: ${contention.findings.filter((f) => f.status === 'fail').map((f) => `${f.kind} ${f.message}`).join('; ')}`,
  )
})

test('an unknown fault switch is a usage error', async () => {
  const r = await demo(['--fault', 'gremlins', '--state', state])
  assert.is(r.code, 2)
  assert.match(r.out, 'use one of: latency, errors, leak, drift, contention, crash')
})

test('Ctrl-C during the demo tears everything down and exits 130', async () => {
  let sent = false
  const r = await demo(['--scale', '0.15', '--state', mkdtempSync(join(tmpdir(), 'steady-demo-'))], (text, pid) => {
    if (!sent && text.includes('clean soak 1 of 3') && text.includes('phase quiet started')) {
      sent = true
      process.kill(-pid, 'SIGINT')
    }
  })
  assert.ok(sent, r.out.slice(-2000))
  assert.is(r.code, 130, r.out.slice(-3000))
  assert.match(r.out, 'interrupted: everything the demo started has been torn down')
  assert.ok(await groupGone(r.pid), 'no process of the demo is left')
})

test.run()
