import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Random, fnv1a, mean, mulberry32, sd } from '@steady/kernel'

test('mulberry32: the exact stream the demo store, fixtures and the health replay are built on', () => {
  // Reference values of the published algorithm; a change here changes every number built on it.
  const one = mulberry32(1)
  assert.equal([one(), one(), one()], [0.6270739405881613, 0.002735721180215478, 0.5274470399599522])
  const answer = mulberry32(42)
  assert.equal([answer(), answer(), answer()], [0.6011037519201636, 0.44829055899754167, 0.8524657934904099])
  // Seeds are 32-bit: 2^32 + 1 is seed 1.
  const wrapped = mulberry32(2 ** 32 + 1)
  assert.is(wrapped(), 0.6270739405881613)
  const r = mulberry32(7)
  for (let i = 0; i < 10_000; i++) {
    const v = r()
    assert.ok(v >= 0 && v < 1)
  }
})

test('fnv1a: the 32-bit FNV-1a hash of a string', () => {
  // Reference values of FNV-1a (32 bit).
  assert.is(fnv1a(''), 0x811c9dc5)
  assert.is(fnv1a('a'), 0xe40c292c)
  assert.is(fnv1a('foobar'), 0xbf9cf968)
})

test('Random: the same seed repeats, another seed differs, a number seed reads as its string', () => {
  const draw = (seed: number | string) => {
    const r = new Random(seed)
    return [r.next(), r.next(), r.normal(), r.int(10), r.gamma(2), r.poisson(3), r.binomial(50, 0.2)]
  }
  assert.equal(draw('synthetic:1'), draw('synthetic:1'))
  assert.not.equal(draw('synthetic:1'), draw('synthetic:2'))
  assert.equal(draw(7), draw('7'))
})

test('Random: uniform, integer and normal draws have their range and moments', () => {
  const r = new Random('kernel-moments')
  const u: number[] = []
  const z: number[] = []
  for (let i = 0; i < 20_000; i++) {
    const v = r.next()
    assert.ok(v >= 0 && v < 1)
    u.push(v)
    z.push(r.normal())
    const k = r.int(6)
    assert.ok(Number.isInteger(k) && k >= 0 && k < 6)
  }
  assert.ok(Math.abs(mean(u) - 0.5) < 0.01, `uniform mean ${mean(u)}`)
  assert.ok(Math.abs(mean(z)) < 0.03, `normal mean ${mean(z)}`)
  assert.ok(Math.abs(sd(z) - 1) < 0.03, `normal sd ${sd(z)}`)
})

test('Random: gamma, Poisson and binomial means, and their edges', () => {
  const r = new Random('kernel-counts')
  const n = 20_000
  let g = 0
  let gs = 0
  let p = 0
  let pl = 0
  let b = 0
  for (let i = 0; i < n; i++) {
    g += r.gamma(3)
    gs += r.gamma(0.5)
    p += r.poisson(4)
    pl += r.poisson(80)
    b += r.binomial(200, 0.3)
  }
  assert.ok(Math.abs(g / n - 3) < 0.06, `gamma(3) ${g / n}`)
  assert.ok(Math.abs(gs / n - 0.5) < 0.03, `gamma(0.5) ${gs / n}`)
  assert.ok(Math.abs(p / n - 4) < 0.06, `poisson(4) ${p / n}`)
  assert.ok(Math.abs(pl / n - 80) < 0.3, `poisson(80) ${pl / n}`)
  assert.ok(Math.abs(b / n - 60) < 0.3, `binomial(200, 0.3) ${b / n}`)
  assert.is(r.poisson(0), 0)
  assert.is(r.binomial(0, 0.5), 0)
  assert.is(r.binomial(10, 0), 0)
  assert.is(r.binomial(10, 1), 10)
})

test.run()
