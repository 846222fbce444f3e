/**
 * renderVerdict on verdicts of the paired judge (candidate and control in one
 * run): the text and markdown name the two sides where an unpaired verdict
 * names its baseline, and paired checks read as what they are (candidate
 * against control window by window), never as a step's values before and after.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { judgePaired, renderVerdict, resolveGate } from '@steady/baseline'
import type { Verdict } from '@steady/record'
import { pairedRecord, type PairedBuildOptions } from '@steady/baseline/testing'

const now = new Date('2026-12-06T12:00:00Z')
const gate = resolveGate('staging', {})
const verdictOf = (o: PairedBuildOptions): Verdict => judgePaired({ record: pairedRecord(o), gate, now })

// A short loaded phase: too few paired windows for the all-steps, drift and per-step checks there.
const short = verdictOf({ seed: 6, peakWindows: 6 })
const slow = verdictOf({ seed: 22, fault: { step: { name: 'checkout/pay', factor: 1.3 } } })

test('the text names candidate and control in the same run instead of "baseline: none"', () => {
  for (const v of [short, slow]) {
    const text = renderVerdict(v, 'text')
    assert.is(v.mode, 'paired')
    assert.match(text, /\ncandidate \S+ against control \S+ in the same run \(paired\)\n/)
    assert.not.match(text, /baseline: none/)
  }
})

test('paired checks not judged say "paired windows", not "too few for a p50" of all steps', () => {
  for (const all of [false, true]) {
    const text = renderVerdict(short, 'text', { all })
    assert.not.match(text, /too few for a p\d+/)
    assert.not.match(text, /all steps p50/)
    assert.match(text, /drift of the side difference in peak: only \d+ paired windows?; not judged/)
    assert.match(text, /over all 4 steps in peak: only \d+ paired windows with enough requests on both sides/)
  }
  assert.match(renderVerdict(short, 'text'), /\d+ too few paired windows \(/)
})

test('secondary paired findings read candidate against control, not before → after', () => {
  const text = renderVerdict(slow, 'text')
  assert.is(slow.result, 'fail')
  const secondary = text.slice(text.indexOf('secondary, reported, not gating'))
  assert.ok(secondary.length < text.length, text)
  assert.match(secondary, /the candidate's p50 of checkout › pay \(\w+\) was 1\.\d\d× the control's in peak/)
  assert.not.match(secondary.split('\n\n')[0], /→/)
})

test('the markdown names the sides and heads its numbers control and candidate', () => {
  const md = renderVerdict(short, 'markdown')
  assert.match(md, /candidate \S+ against control \S+ in the same run \(paired\)/)
  assert.match(md, /\| \| finding \| phase \| control \| candidate \|/)
  assert.not.match(md, /too few for a p\d+/)
})

test.run()
