/**
 * The report of a paired run (candidate and control in one record): every
 * step's latency chart and every service indicator chart draws both sides,
 * the control muted and named as such, with the candidate divided by the
 * control per window; the verdict box says the run was judged against its
 * control, and the paired findings' sentences name the side difference.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { judgePaired, resolveGate } from '@steady/baseline'
import { pairedRecord, PAIRED_STEPS } from '@steady/baseline/testing'
import { renderReport } from '@steady/report'
import { COLORS } from '../src/charts.ts'

interface Line {
  label: string
  values: (number | null)[]
  color: string
  scale?: string
}
interface Chart {
  id: string
  lines: Line[]
  y2?: { label: string }
}

function charts(page: string): Chart[] {
  const m = page.match(/<script type="application\/json" id="steady-data">([\s\S]*?)<\/script>/)
  assert.ok(m, 'the page embeds its data')
  return (JSON.parse(m[1]) as { charts: Chart[] }).charts
}

/** The server-rendered figure (title and caption) of a chart. */
function figure(page: string, id: string): string {
  const start = page.indexOf(`<figure id="${id}-figure">`)
  assert.ok(start >= 0, `figure ${id}`)
  return page.slice(start, page.indexOf('</figure>', start))
}

const record = pairedRecord({ seed: 41, fault: { step: { name: 'checkout/pay', factor: 1.3 } } })
const verdict = judgePaired({ record, gate: resolveGate('staging', {}), now: new Date('2026-12-06T12:00:00Z') })
const page = renderReport({ record, verdict })
const all = charts(page)

const values = (l: Line | undefined) => (l?.values ?? []).filter((v): v is number => v !== null)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

test('each step has one latency chart with both sides, the control grey and named, and their ratio', () => {
  const latency = all.filter((c) => c.id.startsWith('latency-'))
  assert.is(latency.length, PAIRED_STEPS.length, 'one chart per step, not one per side')
  for (const c of latency) {
    const control = c.lines.find((l) => l.label === 'control p95')
    const candidate = c.lines.find((l) => l.label === 'candidate p95')
    const ratio = c.lines.find((l) => /^candidate ÷ control p95/.test(l.label))
    assert.ok(control && candidate && ratio, c.lines.map((l) => l.label).join(', '))
    assert.is(control.color, COLORS.control)
    assert.is.not(candidate.color, COLORS.control)
    assert.is(ratio.scale, 'y2')
    assert.is(c.y2?.label, 'candidate ÷ control')
    assert.ok(values(control).length > 20 && values(ratio).length > 20)
    assert.match(figure(page, c.id), /the control in grey, the candidate in colour/)
  }
})

test('the ratio is the candidate divided by the control per window, highest for the slowed step', () => {
  const medians = new Map<string, number>()
  for (const step of PAIRED_STEPS) {
    const c = all.find(
      (x) => x.id.startsWith('latency-') && figure(page, x.id).includes(`${step.scenario} › ${step.name}`),
    )
    const line = (label: string) => c?.lines.find((l) => l.label.startsWith(label))?.values ?? []
    const [ratio, candidate, control] = [line('candidate ÷ control p95'), line('candidate p95'), line('control p95')]
    ratio.forEach((r, i) => {
      const [a, b] = [candidate[i], control[i]]
      if (a === null || b === null || b === 0) assert.is(r, null)
      else assert.ok(r !== null && Math.abs(r - a / b) <= 0.005 * (a / b), `window ${i}: ${r} against ${a} / ${b}`)
    })
    medians.set(step.name, median(values(c?.lines.find((l) => l.label.startsWith('candidate ÷ control p95')))))
  }
  // Only pay is slower on the candidate; the machine effect hits both sides and cancels in the ratio. A probe
  // window's p95 comes from few requests, so the comparison is between steps, not against a fixed bound.
  const pay = medians.get('pay')!
  for (const [name, m] of medians) if (name !== 'pay') assert.ok(pay > m, `pay ${pay} against ${name} ${m}`)
})

test('the steps table lists the control under each candidate step', () => {
  const html = page.replace(/<script[\s\S]*?<\/script>/g, '')
  const controls = html.match(/<tr class="muted">\s*<td class="name">control<\/td>/g) ?? []
  assert.is(controls.length, PAIRED_STEPS.length)
  assert.match(html, /the grey row under it the control in the same run/)
})

test('service indicators draw both sides under one name, with their ratio', () => {
  const service = all.filter((c) => c.id.startsWith('service-'))
  assert.ok(service.length >= 1)
  for (const c of service) {
    assert.ok(
      c.lines.some((l) => l.label.startsWith('control') && l.color === COLORS.control),
      c.lines.map((l) => l.label).join(),
    )
    assert.ok(c.lines.some((l) => l.label.startsWith('candidate ÷ control')))
    assert.not.match(figure(page, c.id).match(/<h3>.*<\/h3>/)?.[0] ?? '', /side=/)
  }
})

test('throughput and errors draw each side: the control grey and named, the candidate in colour', () => {
  for (const id of ['load-', 'errors-']) {
    const c = all.find((x) => x.id.startsWith(id))
    assert.ok(c, `a chart ${id}`)
    const labels = c!.lines.map((l) => l.label).join(', ')
    const control = c!.lines.filter((l) => l.label.startsWith('control '))
    const candidate = c!.lines.filter((l) => l.label.startsWith('candidate '))
    assert.ok(control.length >= 1 && control.every((l) => l.color === COLORS.control), labels)
    assert.ok(candidate.length === control.length && candidate.every((l) => l.color !== COLORS.control), labels)
    assert.match(figure(page, c!.id), 'the control in grey under the candidate in colour')
  }
  // The same schedule went to each side: neither side's line is the two sides summed.
  const load = all.find((x) => x.id.startsWith('load-'))!
  const rate = (side: string) => values(load.lines.find((l) => l.label === `${side} load requests/s`))
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
  const [cand, ctrl] = [sum(rate('candidate')), sum(rate('control'))]
  assert.ok(cand > 0 && ctrl > 0 && Math.abs(cand - ctrl) / (cand + ctrl) < 0.2, `candidate ${cand}, control ${ctrl}`)
})

test("latency against load and each scenario's step overview draw the control grey under the candidate", () => {
  const under = all.find((c) => c.id.startsWith('underload-'))
  assert.ok(under, 'a latency-against-load chart')
  const labels = under!.lines.map((l) => l.label).join(', ')
  const control = under!.lines.filter((l) => l.label.endsWith('p95 (control)'))
  const candidate = under!.lines.filter((l) => l.label.endsWith('p95 (candidate)'))
  assert.ok(control.length >= 1 && control.length === candidate.length, labels)
  assert.ok(
    control.every((l) => l.color === COLORS.control && values(l).length > 0),
    labels,
  )
  assert.ok(
    candidate.every((l) => l.color !== COLORS.control && values(l).length > 0),
    labels,
  )
  assert.match(figure(page, under!.id), 'Grey dots are the control’s windows')
  for (const c of all.filter((x) => x.id.startsWith('scenario-'))) {
    const grey = c.lines.filter((l) => l.color === COLORS.control)
    assert.ok(grey.length >= 1 && grey.every((l) => l.label.endsWith('(control)')), c.lines.map((l) => l.label).join())
    assert.is(grey.length, c.lines.length / 2, 'one control line per candidate step')
  }
  // Each side's probe iterations come from its own series (one scenario's two sides are two series).
  const load = all.find((x) => x.id.startsWith('load-'))!
  for (const side of ['candidate', 'control'])
    assert.ok(
      values(load.lines.find((l) => l.label === `${side} probe iterations/s`)).some((v) => v > 0),
      side,
    )
})

test('the verdict box says the candidate was judged against its control; findings name the side difference', () => {
  assert.match(page, /candidate \S+ against control \S+ in the same run/)
  assert.match(
    page,
    /the candidate’s p95 of checkout › pay|the candidate&#39;s p95 of checkout › pay|the candidate's p95 of checkout › pay/,
  )
  assert.not.match(page, /compared with another run \(not a gate\)/)
  assert.match(page, /candidate and control ran on this machine at the same time/)
  // Sharing the machine is said in the box and in the warnings, with each side's CPU.
  assert.match(page, /the candidate(’|&#39;|')s own CPU use, which slows its control too/)
  assert.match(page, /the candidate(’|&#39;|')s services used [\d.]+ s of CPU, the control(’|&#39;|')s [\d.]+ s/)
  // Pinned sides, and a control at a URL: the box says what still links the sides.
  const gate = resolveGate('staging', {})
  const pinned = structuredClone(record)
  pinned.paired!.pinned = { candidate: '0', control: '1' }
  assert.match(
    renderReport({ record: pinned, verdict: judgePaired({ record: pinned, gate }) }),
    'each side on its own CPUs',
  )
  const atUrl = structuredClone(record)
  delete atUrl.paired!.control.environment
  const urlPage = renderReport({ record: atUrl, verdict: judgePaired({ record: atUrl, gate }) })
  assert.match(urlPage, 'as far as the control, already running at its URL, shares this machine')
  assert.not.match(page, /comparability was not checked/)
  assert.not.match(page, /https?:\/\/(?!127\.0\.0\.1)[^\s"'<>]*\.(js|css)/, 'no script or style from the network')
})

test.run()
