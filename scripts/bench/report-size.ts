/**
 * The report of a one-hour soak: how big the HTML file is, how long it takes
 * to render, and how soon after navigation its charts are drawn in headless
 * Chromium. Targets: under 1.5 MB, charts drawn within 1 s.
 *
 *   node --conditions=steady-source --import tsx scripts/bench/report-size.ts [--hours 1] [--runs 7] [--verdict]
 *
 * With --verdict the report also carries a baseline of 4 runs (one made on another machine) and the verdict
 * of the real judge (@steady/baseline) on this run: every finding, grouped.
 *
 * The record is the report tests' simulated soak (warmup, quiet, nominal, peak,
 * recovery; 3 scenarios with 9 steps, 24 load routes, service gauges and
 * histograms, generator health: 100 series at 10 s windows), written with
 * RunRecordWriter and SeriesAggregator exactly as a soak writes it.
 */
import { mkdtempSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { readRunRecord } from '@steady/record'
import { renderReport, type ReportInput } from '@steady/report'
import { judge, selectGate } from '@steady/baseline'
import { makeBaseline, makeRecord } from '@steady/report/testing'
import {
  chartsDrawn,
  chartsWithPixels,
  chromiumAvailable,
  launch,
  openReport,
} from '../../packages/report/test/fixtures/browser.ts'

const { values } = parseArgs({
  options: {
    hours: { type: 'string', default: '1' },
    runs: { type: 'string', default: '7' },
    verdict: { type: 'boolean', default: false },
  },
})
const hours = Number(values.hours)
const runs = Number(values.runs)
const dir = mkdtempSync(join(tmpdir(), 'steady-report-bench-'))

const t0 = performance.now()
makeRecord({ dir, durationMs: hours * 3_600_000 })
const made = performance.now() - t0
const recordBytes = statSync(join(dir, 'run.json')).size
const record = await readRunRecord(join(dir, 'run.json'))
const input: ReportInput = { record }
if (values.verdict) {
  const baseline = makeBaseline({ durationMs: hours * 3_600_000 }, 4)
  input.baseline = baseline
  input.verdict = judge({ record, baseline, gate: selectGate(undefined, undefined) })
}

// Render a few times: the first pays for reading uPlot from disk and warming up.
const renders: number[] = []
let html = ''
for (let i = 0; i < 5; i++) {
  const s = performance.now()
  html = renderReport(input)
  renders.push(performance.now() - s)
}
const file = join(dir, 'report.html')
writeFileSync(file, html)
const bytes = statSync(file).size
const part = (re: RegExp) => Buffer.byteLength(html.match(re)?.[1] ?? '')
const dataBytes = part(/<script type="application\/json" id="steady-data">([\s\S]*?)<\/script>/)
const uplotBytes = part(/<script>([\s\S]*?)<\/script>\s*<script>/)
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MB`
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

console.log(
  `record: ${hours} h soak${input.verdict ? ` with a baseline of 4 runs (one on another machine) and the judge's verdict (${input.verdict.findings.length} findings)` : ''}, ${record.series.length} series, ${Math.ceil(record.durationMs / record.window.sizeMs)} windows of ${record.window.sizeMs / 1000} s; run.json ${mb(recordBytes)} (made in ${(made / 1000).toFixed(1)} s)`,
)
console.log(
  `report: ${mb(bytes)} (${bytes.toLocaleString('en-US')} bytes; target < 1.5 MB: ${bytes < 1.5 * 1024 * 1024 ? 'met' : 'MISSED'})`,
)
console.log(
  `  chart data ${mb(dataBytes)}, uPlot ${mb(uplotBytes)}, HTML and styles ${mb(bytes - dataBytes - uplotBytes)}`,
)
console.log(`render: median ${median(renders).toFixed(0)} ms (first ${renders[0].toFixed(0)} ms)`)

if (chromiumAvailable('the report speed benchmark')) {
  const browser = await launch()
  const drawn: number[] = []
  const loaded: number[] = []
  let charts = 0
  for (let i = 0; i < runs; i++) {
    const { page, errors } = await openReport(browser, file, { width: 1280, height: 900 })
    const at = await chartsDrawn(page)
    const load = Number(await page.evaluate('performance.getEntriesByType("navigation")[0].loadEventStart'))
    drawn.push(at)
    loaded.push(load)
    if (i === 0) {
      const c = await chartsWithPixels(page)
      charts = c.length
      const blank = c.filter((x) => !x.drawn).length
      if (blank || errors.length) console.log(`  warning: ${blank} blank charts, ${errors.length} console errors`)
    }
    await page.context().close()
  }
  await browser.close()
  const afterLoad = drawn.map((d, i) => d - loaded[i])
  console.log(
    `browser: ${charts} charts drawn ${median(drawn).toFixed(0)} ms after navigation start (median of ${runs}; max ${Math.max(...drawn).toFixed(0)} ms); ` +
      `load event at ${median(loaded).toFixed(0)} ms, so charts drawn ${median(afterLoad).toFixed(0)} ms after it (target < 1000 ms: ${Math.max(...drawn) < 1000 ? 'met' : 'MISSED'})`,
  )
}
