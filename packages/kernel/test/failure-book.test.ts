import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { FailureBook } from '@steady/kernel'

type Sig = { step: string; status?: number }
const book = () => new FailureBook<Sig, { atMs: number; n: number }>((s) => `${s.step}|${s.status ?? ''}`, 2)

test('failures group by signature, counted by phase, spanning the earliest and latest time', () => {
  const b = book()
  b.add({ step: 'pay', status: 500 }, { atMs: 30, n: 1 }, 'peak')
  b.add({ step: 'pay', status: 500 }, { atMs: 10, n: 2 }, 'nominal')
  b.add({ step: 'pay' }, { atMs: 20, n: 3 }, 'peak')
  const [a, c] = b.groups()
  assert.equal(a.signature, { step: 'pay', status: 500 })
  assert.equal([a.count, a.firstAtMs, a.lastAtMs, a.byPhase], [2, 10, 30, { peak: 1, nominal: 1 }])
  assert.equal([c.count, c.signature], [1, { step: 'pay' }])
})

test('a group keeps its first samples and its last ones, however many failures it has', () => {
  const b = book()
  for (let n = 1; n <= 1000; n++) b.add({ step: 'login' }, { atMs: n, n }, 'run')
  const [g] = b.groups()
  assert.is(g.count, 1000)
  assert.equal(
    g.samples.map((s) => s.n),
    [1, 2, 999, 1000],
  )
})

test('takeChanged gives the groups changed since it was last called, once', () => {
  const b = book()
  b.add({ step: 'a' }, { atMs: 1, n: 1 }, 'run')
  b.add({ step: 'b' }, { atMs: 2, n: 2 }, 'run')
  assert.equal(
    b.takeChanged().map((g) => g.signature.step),
    ['a', 'b'],
  )
  assert.equal(b.takeChanged(), [])
  b.add({ step: 'b' }, { atMs: 3, n: 3 }, 'run')
  const changed = b.takeChanged()
  assert.equal([changed.length, changed[0].count], [1, 2])
  // A snapshot is a copy: later failures do not change what was taken.
  b.add({ step: 'b' }, { atMs: 4, n: 4 }, 'run')
  assert.is(changed[0].count, 2)
})

test.run()
