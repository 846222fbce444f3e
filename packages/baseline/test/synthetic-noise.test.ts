/**
 * The synthetic generator's held-out noise models: the base model's draws are
 * untouched by them, and each one adds the noise it names.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SYNTHETIC_NOISE_MODELS, syntheticRun, type SyntheticNoise } from '@steady/baseline/testing'
import type { RunRecord } from '@steady/record'

const SCALE = 0.2

function run(seed: string, noise?: SyntheticNoise): RunRecord {
  return syntheticRun({ seed, durationScale: SCALE, ...(noise ? { noise } : {}) })
}

/** Phase p50 of every probe latency series, by series and phase. */
function p50s(r: RunRecord): Map<string, number> {
  const out = new Map<string, number>()
  for (const s of r.series) {
    if (s.source !== 'probe' || s.name !== 'http_req_duration') continue
    for (const [phase, v] of Object.entries(s.phases)) if (v.p50 !== undefined) out.set(`${s.key}@${phase}`, v.p50)
  }
  return out
}

/** Probe p50 per window of one series (10 s windows). */
function windowP50s(r: RunRecord, step: string): number[] {
  const s = r.series.find((x) => x.source === 'probe' && x.name === 'http_req_duration' && x.tags.name === step)!
  return s.windows.map((w) => w.p50!).filter((v) => v !== undefined)
}

test("'base' is the model as it was: the same record with or without the option", () => {
  assert.equal(run('n1', 'base'), run('n1'))
})

test("every held-out model changes latency and leaves the base model's other draws alone", () => {
  const base = p50s(run('n2'))
  for (const { name } of SYNTHETIC_NOISE_MODELS.filter((m) => m.name !== 'base' && m.name !== 'neighbour')) {
    const other = p50s(run('n2', name))
    assert.equal([...other.keys()], [...base.keys()], name)
    assert.ok(
      [...other].some(([k, v]) => v !== base.get(k)),
      `${name} moves some phase p50`,
    )
  }
  // Memory comes from the base model's draws only.
  const heap = (r: RunRecord) => r.series.find((s) => s.name === 'nodejs_heap_size_used_bytes')!
  const mem = (r: RunRecord) => heap(r).windows.map((w) => w.value)
  assert.equal(mem(run('n2', 'contention')), mem(run('n2')))
})

test('machine15: steps no longer move together (per-step wobble), unlike the base model', () => {
  // Ratio of each step's quiet p50 under machine15 to the base model's: one shared factor would make them equal.
  const ratios = (noise: SyntheticNoise) => {
    const a = p50s(run('n3', noise))
    const b = p50s(run('n3'))
    return [...a].filter(([k]) => k.endsWith('@quiet')).map(([k, v]) => v / b.get(k)!)
  }
  const r = ratios('machine15')
  const spread = Math.max(...r) / Math.min(...r)
  assert.ok(spread > 1.02, `per-step ratios ${r.map((x) => x.toFixed(3)).join(', ')} differ`)
})

test('neighbour: about 15% of runs have a phase slowed, the others are the base model', () => {
  let hit = 0
  const n = 40
  for (let i = 0; i < n; i++) {
    const a = p50s(run(`nb${i}`, 'neighbour'))
    const b = p50s(run(`nb${i}`))
    if ([...a].some(([k, v]) => v !== b.get(k))) hit++
  }
  // 15% of 40 is 6; a binomial(40, 0.15) is within 1..14 with probability > 0.99.
  assert.ok(hit >= 1 && hit <= 14, `${hit} of ${n} runs had a neighbour`)
})

test('contention: neighbouring windows move together far more than under the base model', () => {
  const lag1 = (xs: number[]) => {
    const l = xs.map(Math.log)
    const m = l.reduce((a, b) => a + b, 0) / l.length
    let num = 0
    let den = 0
    for (let i = 0; i < l.length; i++) {
      den += (l[i] - m) ** 2
      if (i > 0) num += (l[i] - m) * (l[i - 1] - m)
    }
    return num / den
  }
  // Long runs, so the window-to-window correlation is estimated well; the base model's is about 0.5 × its share.
  const long = (noise?: SyntheticNoise) => syntheticRun({ seed: 'n4', durationScale: 1, ...(noise ? { noise } : {}) })
  const base = lag1(windowP50s(long(), 'pay'))
  const cont = lag1(windowP50s(long('contention'), 'pay'))
  assert.ok(cont > base + 0.1, `lag-1 correlation ${cont.toFixed(2)} under contention vs ${base.toFixed(2)}`)
})

test.run()
