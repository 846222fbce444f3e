/**
 * The soak's progress output: a saturated load generator is one line per
 * phase with a count (not a line per window), and the live line carries the
 * count so far. Deterministic inputs, a clock that never moves.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { formatSaturation, Progress } from '../src/progress.ts'

function capture(isTTY: boolean): { progress: Progress; lines: () => string[]; raw: string[] } {
  const raw: string[] = []
  const progress = new Progress({ write: (t) => raw.push(t), isTTY, now: () => 0 })
  const lines = () =>
    raw
      .join('')
      .split(/\r\u001b\[2K|\n/)
      .filter(Boolean)
  return { progress, lines, raw }
}

const lateness = (ms: number) => `startLateness p99 ${ms}ms ≥ 50ms`

test('a generator saturated in 7 of 30 windows of peak is one line at the end of peak, with the count and why', () => {
  const { progress, lines } = capture(false)
  for (let i = 0; i < 12; i++) progress.loadWindow('nominal', false)
  assert.is(progress.endPhase('nominal')?.saturated, 0)
  for (let i = 0; i < 30; i++) progress.loadWindow('peak', i % 4 === 1 && i < 28, i % 4 === 1 ? [lateness(60 + i)] : [])
  const counted = progress.endPhase('peak')
  assert.equal(counted, { phase: 'peak', windows: 30, saturated: 7, reasons: ['startLateness p99 ≥ 50ms'] })
  const said = lines()
  assert.equal(said, ['generator saturated in 7 of 30 windows of peak (startLateness p99 ≥ 50ms)'])
})

test('no line for a phase without saturation, nor for a phase that never loaded', () => {
  const { progress, raw } = capture(false)
  for (let i = 0; i < 5; i++) progress.loadWindow('warm', false)
  assert.is(progress.endPhase('warm')?.windows, 5)
  assert.is(progress.endPhase('quiet'), undefined)
  assert.equal(raw, [])
})

test('on a terminal the live line shows the count so far; the phase line moves the live line out of the way', () => {
  const { progress, raw } = capture(true)
  progress.loadWindow('peak', true, ['eventLoopUtilization 0.97 ≥ 0.9'])
  progress.loadWindow('peak', false)
  progress.update({ phase: 'peak', elapsedMs: 20_000, totalMs: 60_000, iterations: 10, passed: 10 })
  assert.match(
    raw.at(-1)!,
    /phase peak · .* · generator saturated in 1 of 2 windows of peak \(eventLoopUtilization ≥ 0\.9\) so far$/,
  )
  progress.loadWindow('peak', true, ['eventLoopUtilization 0.95 ≥ 0.9'])
  progress.endPhase('peak')
  assert.is(raw.at(-1), '\r\u001b[2Kgenerator saturated in 2 of 3 windows of peak (eventLoopUtilization ≥ 0.9)\n')
  assert.is(
    formatSaturation({ phase: 'a', windows: 1, saturated: 1, reasons: [] }),
    'generator saturated in 1 of 1 window of a',
  )
})

test('a message from the service or a scenario name reaches the terminal escaped: no raw escape, no :: line', () => {
  const { progress, raw } = capture(true)
  progress.log('iteration failed: got "\u001b[31mred\u001b[0m"\n::error::pwned')
  const printed = raw.join('').replace(/^\r\u001b\[2K/, '')
  assert.not.ok(printed.includes('\u001b'), printed)
  assert.not.ok(
    printed.split('\n').some((l) => l.startsWith('::')),
    printed,
  )
  assert.ok(printed.includes('\\::error::pwned'), printed)
})

test.run()
