import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SteadyError } from '@steady/record'
import { resolvePlan, type SoakPlan } from '@steady/soak'
import { planHash } from '../src/plan.ts'
import { Progress, formatProgress } from '../src/progress.ts'
import { LiveMetrics } from '../src/live-metrics.ts'

const plan: SoakPlan = {
  window: '10s',
  phases: [
    { name: 'warmup', duration: '30s' },
    { name: 'quiet', duration: '2m' },
    { name: 'nominal', duration: '5m', load: 'nominal' },
    { name: 'peak', duration: '2m', load: 'peak', warmup: '10s' },
  ],
}
const profiles = { nominal: {}, peak: {} }

test('resolves durations and scales every one of them', () => {
  const r = resolvePlan('default', plan, { profiles, durationScale: 0.1 })
  assert.equal(
    r.phases.map((p) => p.durationMs),
    [3000, 12_000, 30_000, 12_000],
  )
  assert.is(r.windowMs, 1000)
  assert.is(r.totalMs, 57_000)
  assert.is(r.phases[3].warmupMs, 1000)
  assert.is(r.phases[2].warmupMs, 6000) // 20% of the phase by default
  assert.is(r.durationScale, 0.1)
  assert.is(r.hash, resolvePlan('default', plan, { profiles }).hash, 'the scale is not part of the plan hash')
  assert.is.not(planHash({ ...plan, window: '5s' }, profiles), r.hash)
})

function error(fn: () => unknown): SteadyError {
  try {
    fn()
  } catch (e) {
    return e as SteadyError
  }
  throw new Error('did not throw')
}

test('bad plans name the plan, the phase and the field', () => {
  let e = error(() => resolvePlan('ci', { phases: [{ name: 'quiet', duration: '2 minutes' }] }))
  assert.is(e.code, 'STEADY_DURATION_INVALID')
  assert.match(e.message, 'plans.ci.phases[0].duration')
  e = error(() => resolvePlan('ci', { phases: [{ name: 'peak', duration: '1m', load: 'peek' }] }, { profiles }))
  assert.is(e.code, 'STEADY_PLAN_INVALID')
  assert.match(e.message, 'plans.ci.phases[0].load: no load profile named "peek" (known: nominal, peak)')
  e = error(() =>
    resolvePlan('ci', {
      phases: [
        { name: 'a', duration: '1m' },
        { name: 'a', duration: '1m' },
      ],
    }),
  )
  assert.match(e.message, 'phases[1].name')
  e = error(() => resolvePlan('ci', { phases: [] }))
  assert.match(e.message, 'at least one phase')
  e = error(() => resolvePlan('ci', { phases: [{ name: 'a', duration: '10s', warmup: '20s' }] }))
  assert.match(e.message, 'phases[0].warmup')
  e = error(() => resolvePlan('nope', undefined, { available: ['default', 'ci'] }))
  assert.is(e.code, 'STEADY_PLAN_NOT_FOUND')
  assert.match(e.message, 'known plans: default, ci')
  e = error(() => resolvePlan('ci', plan, { profiles, durationScale: 0 }))
  assert.match(e.message, '--duration-scale')
})

test("a plan's control: one of env, ref or url; outside the plan's hash", () => {
  const paired = resolvePlan('ci', { ...plan, control: { ref: 'origin/main', pin: true } }, { profiles })
  assert.equal(paired.control, { ref: 'origin/main', pin: true })
  assert.is(paired.hash, resolvePlan('ci', plan, { profiles }).hash, 'the control is not part of the plan hash')
  const bad: [unknown, string][] = [
    [{ env: 'a', url: 'http://x' }, 'plans.ci.control: a control is one of env, ref or url; got env and url together'],
    [{ version: '1' }, 'plans.ci.control: a control is one of env, ref or url; got none of them'],
    [{ ref: '' }, 'plans.ci.control.ref: expected a non-empty string'],
    [{ ref: 'main', pinned: true }, 'plans.ci.control.pinned: unknown field'],
    [{ env: 'a', pin: 'yes' }, 'plans.ci.control.pin: expected true or false'],
    ['origin/main', 'plans.ci.control: expected an object'],
    [{ url: 'localhost:3000' }, 'plans.ci.control.url: "localhost:3000" is not an http(s) URL'],
    [{ url: 'ftp://ci:pw@files.example.test/' }, 'plans.ci.control.url: "ftp://ci:***@files.example.test/" is not'],
    [{ url: 'http://127.0.0.1:3001', pin: true }, 'plans.ci.control.pin: a control already running at a URL'],
  ]
  for (const [control, message] of bad) {
    const e = error(() => resolvePlan('ci', { ...plan, control: control as never }, { profiles }))
    assert.is(e.code, 'STEADY_PLAN_INVALID')
    assert.match(e.message, message)
  }
})

test('progress: a live line on a terminal, a plain line every 10 s elsewhere', () => {
  const out: string[] = []
  let now = 0
  const snap = { phase: 'quiet', elapsedMs: 5000, totalMs: 60_000, iterations: 10, passed: 9, p95Ms: 42, loadRate: 100 }
  assert.is(
    formatProgress(snap),
    'phase quiet · 5s/1m (8%) · 10 probe iterations, 90.0% pass · probe p95 42ms · load 100.0 it/s',
  )
  const plain = new Progress({ write: (s) => out.push(s), isTTY: false, now: () => now })
  plain.update(snap)
  now = 5000
  plain.update(snap)
  now = 10_000
  plain.update(snap)
  assert.is(out.length, 2)
  assert.ok(out.every((l) => l.endsWith('\n') && !l.includes('\r')))
  const tty: string[] = []
  const live = new Progress({ write: (s) => tty.push(s), isTTY: true })
  live.update(snap)
  live.update(snap)
  live.log('phase peak started')
  live.done()
  assert.ok(tty[0].startsWith('\r\u001b[2K'))
  assert.is(tty.length, 4)
})

test('the soak serves its own /metrics', async () => {
  const m = new LiveMetrics('default')
  m.setPhase('default', 'quiet')
  m.iterations.labels('checkout', 'passed').inc(3)
  const url = await m.listen(0)
  try {
    const text = await (await fetch(url)).text()
    assert.match(text, 'steady_soak_phase{plan="default",phase="quiet"} 1')
    assert.match(text, 'steady_soak_probe_iterations_total{scenario="checkout",result="passed"} 3')
    assert.is((await fetch(url.replace('/metrics', '/'))).status, 404)
  } finally {
    await m.close()
  }
})

test.run()
