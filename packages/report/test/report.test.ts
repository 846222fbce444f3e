/** The report's HTML and its parts, without a browser: escaping, redaction, self-containment, charts' data. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RunRecord } from '@steady/record'
import { escapeHtml, jsonForScript } from '../src/escape.ts'
import { renderReport, writeReport } from '@steady/report'
import { makeRecord, PAYLOADS, SECRET } from '../src/testing/make-record.ts'
import { makeBaseline, makeVerdict } from '../src/testing/make-verdict.ts'
import { judge, selectGate } from '@steady/baseline'
import { SteadyError, type Finding, type Verdict } from '@steady/record'
import { bucketQuantile, fold } from '../src/stats.ts'
import { buildCharts, MAX_POINTS } from '../src/charts.ts'
import { classify, readableSeries } from '../src/series.ts'
import { findingSentence } from '../src/verdict-view.ts'

const tmp = () => mkdtempSync(join(tmpdir(), 'steady-report-'))
let plainRecord: RunRecord | undefined
const plain = () => (plainRecord ??= makeRecord({ dir: tmp(), durationMs: 20 * 60_000 }))
let hostileRecord: RunRecord | undefined
const hostile = () => (hostileRecord ??= makeRecord({ dir: tmp(), durationMs: 10 * 60_000, hostile: true }))

/** The JSON embedded for the charts, parsed back. */
function embedded(page: string): {
  phases: unknown[]
  charts: { id: string; x: number[]; lines: { label: string; values: (number | null)[] }[] }[]
} {
  const m = page.match(/<script type="application\/json" id="steady-data">([\s\S]*?)<\/script>/)
  assert.ok(m, 'the page embeds its data')
  return JSON.parse(m[1])
}

/** The page without its three script elements and styles: the server-rendered markup. */
function markup(page: string): string {
  return page.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<style>[\s\S]*?<\/style>/g, '')
}

test('escapeHtml escapes markup and quotes; jsonForScript round-trips without <, >, & or line separators', () => {
  assert.is(
    escapeHtml(`<img src=x onerror="a('b')">&` + '`'),
    '&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;&#96;',
  )
  assert.is(escapeHtml(undefined), '')
  const value = { s: PAYLOADS.closeScript, t: PAYLOADS.separators, u: '<!-- x -->', n: [1, null, 2.5] }
  const text = jsonForScript(value)
  assert.not.match(text, /[<>&\u2028\u2029]/)
  assert.equal(JSON.parse(text), value)
})

test('a report is one self-contained document: uPlot and data inlined, nothing loaded, a CSP that allows no network', () => {
  const page = renderReport({ record: plain() })
  assert.match(page, /^<!doctype html>/)
  assert.match(page, 'uPlot')
  // No external resources of any kind.
  assert.not.match(page, /<link\b/i)
  assert.not.match(markup(page), /\ssrc=/i)
  assert.not.match(page, /url\(\s*['"]?https?:/i)
  assert.not.match(page, /@import/i)
  const csp = page.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/)
  assert.ok(csp)
  assert.match(csp[1], "default-src 'none'")
  assert.match(csp[1], /script-src 'sha256-[^']+' 'sha256-[^']+'(;|$)/)
  assert.not.match(csp[1], 'unsafe-eval')
  // Exactly three script elements: the data, uPlot, and the page's own.
  assert.is(page.match(/<script\b/g)?.length, 3)
})

test('without a verdict the report says so plainly, and still shows the facts, tables and every part', () => {
  const page = renderReport({ record: plain() })
  assert.match(page, 'No verdict: this report was built without one')
  assert.match(page, 'working? not judged')
  for (const id of [
    'verdict',
    'run',
    'scenarios',
    'steps',
    'failures-over-time',
    'latency',
    'load',
    'service',
    'generator',
    'failures',
    'events',
  ]) {
    assert.match(page, `id="${id}"`, `section ${id}`)
  }
  assert.match(page, 'browse catalogue')
  assert.match(page, 'checkout › pay')
  assert.match(page, 'toHaveStatus(200), got status 502')
  assert.match(page, 'No baseline was given')
  // The flaky step under peak load and the late onset are told apart.
  assert.match(page, '<span class="tag warn">flaky</span>')
  assert.match(page, '<span class="tag bad">onset</span>')
})

test('charts: one per probe step, load, errors, latency against load, each service indicator, the generator', () => {
  const record = plain()
  const data = embedded(renderReport({ record }))
  const ids = data.charts.map((c) => c.id.replace(/-\d+$/, ''))
  assert.is(ids.filter((i) => i === 'latency').length, 9)
  for (const id of ['load', 'errors', 'underload', 'generator']) assert.ok(ids.includes(id), id)
  assert.ok(ids.filter((i) => i === 'service').length >= 8)
  for (const c of data.charts) {
    assert.ok(c.x.length > 0, `${c.id} has points`)
    for (const l of c.lines) assert.is(l.values.length, c.x.length, `${c.id} ${l.label}`)
    assert.ok(
      c.lines.some((l) => l.values.some((v) => v !== null)),
      `${c.id} has data`,
    )
  }
  // Heap used gets its window minimum and a trend per phase, split at the restart.
  const heap = data.charts.find((c) => c.lines.some((l) => l.label === 'window minimum (after GC)'))
  assert.ok(heap)
  assert.ok(heap.lines.some((l) => l.label === 'trend per phase (Theil–Sen)'))
  assert.match(renderReport({ record }), 'nominal (before the restart)')
})

test('every string from the service under test is escaped: no payload survives as markup, data JSON cannot end its element', () => {
  const page = renderReport({ record: hostile() })
  const html = markup(page)
  assert.not.match(html, '<script>window.__xss')
  assert.not.match(html, '<img src=x')
  assert.not.match(html, 'onmouseover="')
  assert.match(html, '&lt;script&gt;window.__xss')
  assert.match(html, '&lt;img src=x onerror=&quot;')
  const json = page.match(/<script type="application\/json" id="steady-data">([\s\S]*?)<\/script>/)![1]
  assert.not.match(json, /<|>|\u2028|\u2029/)
  // The embedded labels still carry the exact original text.
  assert.ok(embedded(page).charts.some((c) => c.lines.some((l) => l.label.includes(PAYLOADS.closeScript))))
})

test('secrets are redacted even when the record was written without redaction', async () => {
  const record = structuredClone(plain())
  const group = record.failures[0]
  group.samples[0] = {
    ...group.samples[0],
    message: `login failed for token=${SECRET}`,
    request: {
      method: 'POST',
      url: `http://user:${SECRET}@127.0.0.1/api/login?api_key=${SECRET}`,
      headers: { Authorization: `Bearer ${SECRET}`, cookie: `sid=${SECRET}` },
      body: JSON.stringify({ password: SECRET }),
    },
    response: { status: 401, headers: { 'set-cookie': `sid=${SECRET}` }, body: `{"token":"${SECRET}"}` },
    curl: `curl -H 'Authorization: Bearer ${SECRET}' http://127.0.0.1/api/login`,
  }
  record.subject.environment!.tags.deploy_token = SECRET
  const page = renderReport({ record })
  assert.not.match(page, SECRET)
  assert.match(page, '[REDACTED]')
  const extra = renderReport({ record: plain(), redaction: { patterns: [/demo-(store)/] } })
  assert.not.match(markup(extra), 'demo-store')
})

test('writeReport writes the file atomically and it reads back the same', async () => {
  const dir = tmp()
  const path = join(dir, 'sub', 'report.html')
  const record = plain()
  assert.is(await writeReport(path, { record }), path)
  assert.is(readFileSync(path, 'utf8'), renderReport({ record }))
})

test('a plain steady run record (no phases, no series) renders without charts and says why', () => {
  const record: RunRecord = {
    ...plain(),
    kind: 'run',
    phases: [],
    series: [],
    events: [],
    failures: [],
    warnings: [],
    scenarios: [{ name: 'smoke', tags: [], iterations: 1, passed: 1, failed: 0 }],
  }
  const page = renderReport({ record })
  assert.match(page, 'The record has no per-step latency series.')
  assert.match(page, 'No probe iteration failed during the run')
  assert.is(embedded(page).charts.length, 1, 'only the errors chart, flat at zero')
})

test('long runs are folded to at most MAX_POINTS points per line, keeping the highest latency', () => {
  const windows = 8640
  const base = plain()
  const spike = 5000
  const record: RunRecord = {
    ...base,
    durationMs: windows * 10_000,
    phases: [{ name: 'soak', startMs: 0, endMs: windows * 10_000 }],
    events: [],
    failures: [],
    series: [
      {
        key: 'probe/http_req_duration{name=a,scenario=s}',
        source: 'probe',
        name: 'http_req_duration',
        kind: 'histogram',
        unit: 'ms',
        tags: { scenario: 's', name: 'a' },
        windows: Array.from({ length: windows }, (_, i) => ({
          i,
          count: 3,
          p50: 10,
          p95: i === spike ? 900 : 20,
          p99: 30,
        })),
        phases: {},
      },
      {
        key: 'service/nodejs_heap_size_used_bytes',
        source: 'service',
        name: 'nodejs_heap_size_used_bytes',
        kind: 'gauge',
        unit: 'bytes',
        tags: {},
        windows: Array.from({ length: windows }, (_, i) => ({
          i,
          count: 2,
          value: 1e8 + i * 1000,
          min: 9e7 + i * 1000,
        })),
        phases: {},
      },
    ],
  }
  const charts = buildCharts({ record, classified: classify(record) })
  const lat = charts.latency[0].spec
  assert.ok(lat.x.length <= MAX_POINTS, `${lat.x.length} points`)
  assert.is(Math.max(...(lat.lines.find((l) => l.label === 'p95')!.values as number[])), 900)
  const heap = charts.service[0]
  assert.ok(heap.spec.x.length <= MAX_POINTS)
  // 1000 bytes per 10 s window is 360,000 bytes per hour.
  assert.ok(Math.abs(heap.slopes![0].perHour - 360_000) < 1, String(heap.slopes![0].perHour))
})

test('stats: bucket quantiles interpolate like PromQL; fold keeps gaps', () => {
  const b: [number | '+Inf', number][] = [
    [0.1, 50],
    [0.2, 90],
    [0.5, 100],
    ['+Inf', 100],
  ]
  assert.is(bucketQuantile(b, 0.5), 0.1)
  assert.ok(Math.abs(bucketQuantile(b, 0.7)! - 0.15) < 1e-9)
  assert.is(
    bucketQuantile(
      [
        [1, 0],
        ['+Inf', 0],
      ],
      0.5,
    ),
    undefined,
  )
  assert.is(
    bucketQuantile(
      [
        [1, 1],
        ['+Inf', 10],
      ],
      0.99,
    ),
    1,
  )
  assert.equal(fold([1, null, 3, null, null, null], 2, 'max'), [1, 3, null])
  assert.equal(fold([1, 3, 5, 7], 2, 'mean'), [2, 6])
})

let baselineFile: ReturnType<typeof makeBaseline> | undefined
const baseline = () => (baselineFile ??= makeBaseline({ durationMs: 20 * 60_000 }, 4))

test('a verdict is at the top: the answers, what fails the gate grouped by kind, what was not judged, comparability', () => {
  const record = plain()
  const verdict = makeVerdict(record, baseline())
  const page = renderReport({ record, verdict, baseline: baseline(), baselineName: 'baselines/demo-store.json' })
  const top = page.slice(page.indexOf('id="verdict"'), page.indexOf('id="run"'))
  assert.match(top, 'Failed against the staging gate')
  assert.match(top, 'working? no')
  assert.match(top, 'stable? no')
  assert.match(top, 'What fails the gate (5)')
  assert.match(
    top,
    'In short: failures from a point on (1), flaky scenario (1), service restart (1), memory growth (1), latency level (1).',
  )
  assert.match(top, 'heap used after GC grew 40 MB per hour')
  // Numbers in the finding's unit; the fitted line is drawn, not listed.
  assert.match(top, 'now <strong>38.1 MB/h</strong>')
  assert.not.match(top, 'slope per hour')
  assert.match(top, 'Primary checks not judged (1)')
  assert.match(top, 'recovery is too short')
  // Secondary checks not judged are counted by reason, not listed.
  assert.match(
    top,
    '1 secondary check not judged as well (counted, not listed; they never decide the gate): 1 too few values.',
  )
  assert.not.match(top, 'secondary tail check the report must not list')
  assert.match(top, '3 of 4 baseline runs compared; 1 left out as not comparable')
  assert.match(top, 'saturated load generator')
  assert.match(top, '2 checks judged and passed')
  assert.not.match(top, 'No verdict')
  // Findings link to the chart of their series.
  const heapFigure = page.match(/<figure id="([^"]+)">\s*<h3>Heap used/)
  assert.ok(heapFigure)
  assert.match(top, `href="#${heapFigure[1]}"`)
})

test('with a verdict, charts draw its fitted lines and its prediction intervals; tables compare with the baseline', () => {
  const record = plain()
  const verdict = makeVerdict(record, baseline())
  const page = renderReport({ record, verdict, baseline: baseline() })
  const data = embedded(page)
  const heap = data.charts.find((c) => c.lines.some((l) => l.label === 'window minimum (after GC)'))!
  assert.ok(heap.lines.some((l) => l.label === 'fitted slope per phase (verdict)'))
  assert.match(page, 'Fitted slopes (from the verdict)')
  const level = verdict.findings.find((f) => f.kind === 'level')!
  const payChart = data.charts.find(
    (c) =>
      c.lines.some((l) => l.label === 'expected p95 (baseline)') &&
      page.includes(`<figure id="${c.id}-figure">\n<h3>${escapeHtml(`${level.scenario} › ${level.step}`)}</h3>`),
  )
  assert.ok(payChart, 'the step of the level finding has a band')
  const upper = payChart.lines.find((l) => l.label === 'expected p95 (baseline)')!.values
  assert.ok(
    upper.some((v) => v !== null && Math.abs(v - level.interval![1]) < 0.01),
    'the band in peak is the prediction interval',
  )
  assert.match(page, 'the baseline’s median over its 3 comparable runs')
  assert.match(page, 'Intel Xeon Platinum 8375C there')
})

/** The fixture verdict turned into a pass whose only change is a critical secondary RSS growth (an off-heap leak, once). */
function passWithCriticalSecondary(record: RunRecord): Verdict {
  const v = makeVerdict(record, baseline())
  const rss = record.series.find((s) => s.name === 'process_resident_memory_bytes')!
  const pass = { status: 'pass' as const, reason: 'no primary check changed beyond the tolerance', findings: [] }
  const leak: Finding = {
    id: `leak:${rss.key}`,
    kind: 'leak',
    question: 'stable',
    status: 'fail',
    primary: false,
    severity: 'critical',
    series: rss.key,
    stat: 'growth per hour',
    unit: 'bytes/h',
    baseline: 2.04e8,
    current: 6.12e10,
    change: 6.1e10,
    changeKind: 'absolute',
    pValue: 3.9e-6,
    message: 'resident memory growth per hour: 194.5 MiB/h → 56.97 GiB/h (+56.78 GiB/h), p = 3.9e-6',
  }
  return {
    ...v,
    result: 'pass',
    exitCode: 0,
    summary: 'PASS (gate staging)',
    working: pass,
    stable: pass,
    findings: [...v.findings.filter((f) => f.status === 'pass'), leak],
  }
}

test('a pass with a critical secondary change is a warning box that opens with it, never a green box hiding it', () => {
  const record = plain()
  const page = renderReport({ record, verdict: passWithCriticalSecondary(record), baseline: baseline() })
  const top = markup(page.slice(page.indexOf('<section class="verdict'), page.indexOf('id="run"')))
  assert.match(top, '<section class="verdict warn" id="verdict"')
  assert.not.match(top, 'verdict good')
  assert.match(top, '<p class="headline">Passed against the staging gate, but: 1 critical change not gated</p>')
  const list = top.indexOf('Critical changes not gated (1)')
  assert.ok(list > 0)
  // Above the fold: before every folded list, and not inside the folded "secondary change" list.
  assert.ok(list < top.indexOf('<details'), 'the critical change comes before anything folded')
  assert.ok(top.indexOf('resident memory growth per hour') > list)
  assert.match(top, 'changed (secondary, critical)')
  assert.not.match(top, /secondary changes?<\/summary>|secondary change, reported only/)
  // A pass without it stays green.
  const clean = passWithCriticalSecondary(record)
  clean.findings = clean.findings.filter((f) => f.status === 'pass')
  const green = markup(renderReport({ record, verdict: clean, baseline: baseline() }))
  assert.match(green, '<section class="verdict good" id="verdict"')
  assert.match(green, '<p class="headline">Passed against the staging gate</p>')
})

test('a failing verdict opens with what fails, then the critical changes not gated, before comparability', () => {
  const record = plain()
  const failing = makeVerdict(record, baseline())
  const critical = passWithCriticalSecondary(record).findings.find((f) => f.kind === 'leak' && !f.primary)!
  failing.findings = [...failing.findings, critical]
  const top = markup(renderReport({ record, verdict: failing, baseline: baseline() }).split('id="run"')[0])
  assert.match(top, '<p class="headline">Failed against the staging gate (and 1 critical change not gated)</p>')
  assert.match(top, '<section class="verdict bad" id="verdict"')
  const fails = top.indexOf('What fails the gate (5)')
  const notGated = top.indexOf('Critical changes not gated (1)')
  assert.ok(fails > 0 && notGated > fails, 'what fails first')
  assert.ok(notGated < top.indexOf('baseline runs compared'), 'comparability after what failed')
})

test('a baseline without a verdict: the top says there is no verdict and whether the baseline is comparable', () => {
  const page = renderReport({ record: plain(), baseline: baseline(), baselineName: 'baselines/demo-store.json' })
  const top = page.slice(page.indexOf('id="verdict"'), page.indexOf('id="run"'))
  assert.match(top, 'No verdict')
  assert.match(top, '3 of 4 baseline runs have this run’s comparability key; 1 differs (cpuModel')
  assert.match(page, 'the baseline’s median over its 3 comparable runs')
})

test('a verdict about another run is refused with what to do', () => {
  const record = plain()
  const verdict = { ...makeVerdict(record, baseline()), run: { ...makeVerdict(record, baseline()).run, id: 'other' } }
  try {
    renderReport({ record, verdict })
    assert.unreachable()
  } catch (e) {
    assert.ok(e instanceof SteadyError)
    assert.is((e as SteadyError).code, 'STEADY_REPORT_MISMATCH')
    assert.is((e as SteadyError).exitCode, 2)
  }
})

test('a verdict from the real judge renders: every listed finding is on the page in its own words; secondary checks not judged are counted', () => {
  const record = plain()
  const verdict = judge({
    record,
    baseline: baseline(),
    baselineFile: 'baselines/demo-store.json',
    gate: selectGate(undefined, undefined),
    now: new Date('2026-11-26T07:00:00Z'),
  })
  const page = renderReport({ record, verdict, baseline: baseline() })
  const top = page.slice(page.indexOf('id="verdict"'), page.indexOf('id="run"'))
  for (const f of verdict.findings) {
    if (f.status === 'pass' || !f.message || (f.status === 'not-judged' && !f.primary)) continue
    const said = findingSentence(f).sentence
    assert.ok(page.includes(escapeHtml(said)), said)
    // The tag says "not judged": the sentence beside it does not say it again.
    if (f.status === 'not-judged') assert.not.match(said, /^not judged/)
  }
  const primary = verdict.findings.filter((f) => f.status === 'not-judged' && f.primary).length
  const secondary = verdict.findings.filter((f) => f.status === 'not-judged' && !f.primary).length
  if (primary) assert.match(top, `Primary checks not judged (${primary})`)
  if (secondary) assert.match(top, `${secondary} secondary check${secondary === 1 ? '' : 's'} not judged as well`)
  assert.not.match(top, /Not judged \(/)
  assert.match(
    page,
    verdict.result === 'fail'
      ? 'Failed against'
      : verdict.result === 'pass'
        ? 'Passed against'
        : 'Inconclusive against',
  )
})

test('findings read as sentences: no series key as a heading, "not judged" said once, no per-hour rate from a check not judged', () => {
  assert.is(readableSeries('service/nodejs_heap_size_used_bytes{service=store}'), 'Heap used (service store)')
  assert.is(
    readableSeries('probe/http_req_duration{name=login,scenario=checkout}'),
    'checkout › login (probe requests)',
  )
  assert.is(readableSeries('load/http_req_duration'), 'load requests')
  const record = plain()
  const heap = record.series.find((s) => s.name === 'nodejs_heap_size_used_bytes')!
  const verdict = makeVerdict(record, baseline())
  verdict.findings.push({
    id: `leak:${heap.key}@short`,
    kind: 'leak',
    question: 'stable',
    status: 'not-judged',
    primary: true,
    series: heap.key,
    stat: 'growth per hour',
    unit: 'bytes/h',
    baseline: 1.5e8,
    current: -4.73e8,
    change: -6.2e8,
    changeKind: 'absolute',
    tolerance: 20971520,
    detectable: 3.5e8,
    evidence: { slopePerHour: -4.73e8, judgedMs: 27_000 },
    message: 'heap used after GC: not judged: the run is too short to see a leak of 20.0 MiB/h',
  })
  const page = renderReport({ record, verdict, baseline: baseline() })
  const top = markup(page.slice(page.indexOf('id="verdict"'), page.indexOf('id="run"')))
  assert.match(
    top,
    'Heap used (service store) growth per hour</span>: heap used after GC: the run is too short to see a leak of 20.0 MiB/h',
  )
  // The key is only in the folded "how it was judged" detail, never where a finding is named.
  assert.not.match(top, `finding-kind">${heap.key}`)
  assert.not.match(top, `<strong>${heap.key}`)
  assert.not.match(top, /not judged: [^<]*not judged/)
  // The numbers say what it was fitted on, and no rate extrapolated from 27 s.
  assert.match(top, 'fitted on <strong>27s</strong>')
  assert.not.match(top, '−473')
  assert.not.match(top, '-473')
})

test('an inconclusive verdict: a deterministic headline, the cause first in the answer line and in the list', () => {
  const record = plain()
  const verdict = makeVerdict(record, baseline())
  verdict.result = 'inconclusive'
  verdict.exitCode = 3
  verdict.findings = verdict.findings.map((f) =>
    f.status === 'fail' && f.question === 'stable'
      ? {
          ...f,
          status: 'inconclusive' as const,
          message: `${f.message} — inconclusive: the load generator was saturated in peak`,
        }
      : f,
  )
  verdict.findings = verdict.findings.map((f) => (f.kind === 'generator-saturated' ? { ...f, primary: true } : f))
  verdict.stable = { status: 'inconclusive', reason: 'a long sentence from the judge', findings: [] }
  const a = renderReport({ record, verdict, baseline: baseline() })
  const b = renderReport({ record, verdict, baseline: baseline() })
  assert.is(a, b, 'the same inputs give the same page')
  const top = markup(a.slice(a.indexOf('id="verdict"'), a.indexOf('id="run"')))
  assert.match(top, '<p class="headline">Inconclusive against the staging gate</p>')
  assert.match(
    top,
    /stable\? inconclusive<\/span> <span class="small">the load generator was saturated in 21 of 72 windows of peak \(event-loop utilisation above 90%\) \(3 primary checks inconclusive, 1 primary check not judged\)/,
  )
  assert.match(top, 'Inconclusive (4)')
  // The cause is the first inconclusive finding listed; the affected ones say "because", not "inconclusive" again.
  const section = top.slice(top.indexOf('Inconclusive (4)'))
  assert.ok(section.indexOf('saturated load generator') < section.indexOf('memory growth'))
  assert.match(section, '— because the load generator was saturated in peak')
  assert.not.match(section, '— inconclusive:')
})

test('the page says what ran and when, compares steps with the baseline, shades phases, draws dropped iterations and baseline points, and shows failure samples with curl', () => {
  const record = plain()
  const page = renderReport({ record, verdict: makeVerdict(record, baseline()), baseline: baseline() })
  const run = markup(page.slice(page.indexOf('id="run"'), page.indexOf('id="scenarios"')))
  // Subject and times.
  assert.match(run, '<dt>version</dt><dd>1.4.0-rc.2</dd>')
  assert.match(run, 'title="3f9c2d1e8b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d">3f9c2d1e8b7a</dd>')
  assert.match(run, 'local (process, id local-5e1a)')
  assert.match(run, 'pr=1234')
  assert.match(run, 'note=soak')
  assert.match(run, `<dt>started</dt><dd>${escapeHtml(new Date(record.startedAt).toISOString().slice(0, 10))}`)
  assert.match(run, '<dt>duration</dt><dd>20m</dd>')
  // Scenario pass rates; step p95 per phase with the baseline's value and the change.
  const scenarios = markup(page.slice(page.indexOf('id="scenarios"'), page.indexOf('id="steps"')))
  const account = record.scenarios.find((sc) => sc.name === 'account')!
  assert.match(scenarios, `<td class="n">${account.iterations}</td>`)
  assert.match(scenarios, '<td class="n">98%</td>')
  const steps = markup(page.slice(page.indexOf('id="steps"'), page.indexOf('id="failures-over-time"')))
  assert.ok(
    (steps.match(/<div class="small muted">[0-9.]+(ms|µs|s) <span class="(up|)">[+−][0-9.]+%<\/span><\/div>/g) ?? [])
      .length >=
      9 * 5,
    'every step has its baseline p95 and change in every phase',
  )
  const data = embedded(page) as unknown as {
    phases: { name: string; start: number; end: number; loaded: boolean }[]
    charts: { id: string; lines: { label: string; values: (number | null)[] }[] }[]
  }
  // Phase shading: every phase of the record with its bounds (seconds).
  assert.equal(
    data.phases.map((ph) => [ph.name, ph.start, ph.end]),
    record.phases.map((ph) => [ph.name, ph.startMs / 1000, ph.endMs / 1000]),
  )
  assert.ok(data.phases.some((ph) => ph.loaded))
  const errors = data.charts.find((c) => c.lines.some((l) => l.label === 'dropped iterations/s'))!
  assert.ok(errors, 'the errors chart has a dropped-iterations line')
  const dropped = record.phases.reduce((a, ph) => a + (ph.load?.droppedIterations ?? 0), 0)
  if (dropped)
    assert.ok(errors.lines.find((l) => l.label === 'dropped iterations/s')!.values.some((v) => v !== null && v > 0))
  const underLoad = data.charts.find((c) => c.id.startsWith('underload'))!
  const points = underLoad.lines.filter((l) => l.label.endsWith('(baseline runs)'))
  assert.ok(points.length >= 1)
  assert.ok(
    points.every((l) => l.values.some((v) => v !== null)),
    'baseline points are in the latency-under-load data',
  )
  // Failure samples: the request and response excerpts, redacted, and the curl line.
  const failures = markup(page.slice(page.indexOf('id="failures"'), page.indexOf('id="events"')))
  assert.match(failures, '<div class="label">Response: status 502</div>')
  assert.match(failures, '&lt;h1&gt;502 Bad Gateway&lt;/h1&gt;upstream payment service timed out')
  assert.match(
    failures,
    '<div class="label">Reproduce with curl</div><pre>curl -X POST -H &#39;Authorization: Bearer [REDACTED]&#39; &#39;http://127.0.0.1:41234/api/orders&#39;</pre>',
  )
  assert.match(failures, 'GET http://127.0.0.1:41234/api/me')
  assert.not.match(page, SECRET)
})

test.run()
