/** Seeded data: the same run seed, scenario and iteration generate the same data; others differ. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { iterationSeed, seededFaker } from '../src/data.ts'
import { runIteration, scenario } from '@steady/scenario'
import { startServer } from './helpers/server.ts'

test('faker seeded from run seed + scenario + iteration is reproducible', () => {
  const a = seededFaker(iterationSeed(42, 'checkout', 3))
  const b = seededFaker(iterationSeed(42, 'checkout', 3))
  const c = seededFaker(iterationSeed(42, 'checkout', 4))
  const d = seededFaker(iterationSeed(43, 'checkout', 3))
  const pick = (f: typeof a) => [f.internet.email(), f.person.fullName(), f.string.uuid(), f.number.int({ max: 1e9 })]
  const pa = pick(a)
  assert.equal(pick(b), pa)
  assert.not.equal(pick(c), pa)
  assert.not.equal(pick(d), pa)
  assert.is(
    iterationSeed('42', 'checkout', 3),
    iterationSeed(42, 'checkout', 3),
    'a seed given as text or number is the same seed',
  )
})

test('ctx.data in a scenario: replaying an iteration sends exactly the same data', async () => {
  const srv = await startServer()
  try {
    const sent: string[] = []
    const s = scenario('signup', async ({ http, data }) => {
      const r = await http.post('/echo', {
        json: { email: data.internet.email(), name: data.person.fullName(), qty: data.number.int({ min: 1, max: 9 }) },
      })
      sent.push(r.json<{ body: string }>().body)
    })
    for (const it of [0, 1, 2]) await runIteration(s, { baseUrl: srv.url, seed: 'run-7', iteration: it })
    await runIteration(s, { baseUrl: srv.url, seed: 'run-7', iteration: 1 })
    assert.is(sent[3], sent[1], 'iteration 1 replayed with the run seed sends the same body')
    assert.is(new Set(sent.slice(0, 3)).size, 3, 'iterations differ')
  } finally {
    await srv.close()
  }
})

test.run()
