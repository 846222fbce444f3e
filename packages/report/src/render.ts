/**
 * Renders the stability report: one self-contained HTML file. The verdict,
 * tables and failure timeline are server-rendered HTML (readable without
 * JavaScript, printable); the charts are drawn by inlined uPlot from JSON
 * embedded in the page. A Content-Security-Policy allows only the report's own
 * two scripts (by hash) and no network at all: even text that slipped through
 * escaping could not run or fetch anything.
 */
import { createHash } from 'node:crypto'
import { Redactor, type RedactionOptions, type RunRecord } from '@steady/record'
import { loadAssets, type Assets } from './assets.ts'
import { buildCharts, type ChartSpec } from './charts.ts'
import { clientScript } from './client-script.ts'
import { html, join, jsonForScript, type Html } from './escape.ts'
import { inUnit, num, span, wallClock } from './format.ts'
import type { BaselineView, FindingView, VerdictView } from './judgement.ts'
import { classify, windowCount, type ClassifiedSeries } from './series.ts'
import { eventsHtml, samplesHtml, signatureTimelines, timelineHtml } from './sections/failures.ts'
import { figureHtml, figuresHtml } from './sections/figures.ts'
import { factsHtml, runHtml, verdictHtml, warningsHtml } from './sections/overview.ts'
import { scenariosTable, stepsTable } from './sections/tables.ts'
import { styles } from './styles.ts'

/** What the page is built from, after the verdict and baseline files are read into views. */
export interface PageInput {
  record: RunRecord
  verdict?: VerdictView
  baseline?: BaselineView
  /** Expected p95 ranges from the verdict, by series and phase; they replace the baseline's min–max band. */
  bandOverrides?: Map<string, Record<string, { lo: number; hi: number }>>
  redaction?: RedactionOptions
  /** Version of steady that renders, for the footer. */
  toolVersion?: string
}

/**
 * Masks secrets in every string the page can show. Failure samples go first
 * so that credentials seen there are masked wherever else they appear; window
 * data (numbers and encoded histograms) is left as it is.
 */
function redactRecord(record: RunRecord, options: RedactionOptions = {}): RunRecord {
  const r = new Redactor(options)
  // Field by field: the redactor treats a field named "signature" as a secret and would mask it whole.
  const failures = record.failures.map((g) => ({
    ...g,
    signature: {
      ...g.signature,
      scenario: r.text(g.signature.scenario),
      step: r.text(g.signature.step),
      assertion: r.text(g.signature.assertion),
      ...(g.signature.errorCode !== undefined ? { errorCode: r.text(g.signature.errorCode) } : {}),
    },
    byPhase: r.value(g.byPhase),
    samples: r.value(g.samples),
  }))
  const { series, failures: _f, ...rest } = record
  const safeRest = r.value(rest)
  const safeSeries = series.map((s) => ({
    ...s,
    key: r.text(s.key),
    name: r.text(s.name),
    unit: r.text(s.unit),
    tags: r.value(s.tags),
  }))
  return { ...safeRest, failures, series: safeSeries }
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64')

type Charts = ReturnType<typeof buildCharts>

/** Builds the page. */
export function renderPage(input: PageInput): string {
  const record = redactRecord(input.record, input.redaction)
  const assets = loadAssets()
  const classified = classify(record)
  const windows = windowCount(record)
  const timelines = signatureTimelines(record, classified, windows)
  const bands = new Map(input.baseline?.bands ?? [])
  for (const [key, phases] of input.bandOverrides ?? []) bands.set(key, { ...bands.get(key), ...phases })
  const charts = buildCharts({
    record,
    classified,
    ...(bands.size ? { bands, bandsFromVerdict: Boolean(input.bandOverrides?.size) } : {}),
    ...(input.baseline ? { baselineLoad: input.baseline.loadPoints } : {}),
    ...(input.verdict ? { lines: input.verdict.lines } : {}),
  })
  const verdict = input.verdict && linkFindings(input.verdict, figureIds(classified, charts))
  const latency = latencySectionHtml(charts, classified, verdict, bands.size > 0)
  const body: Html = html`<main>
${headerHtml(record)}
${verdictHtml(verdict, input.baseline)}
${warningsHtml(record)}
${factsHtml(record, timelines)}
<section id="run"><h2>Run</h2>${runHtml(record, input.baseline)}</section>
<section id="scenarios"><h2>Scenarios</h2>
<p class="small muted">${SCENARIOS_NOTE}</p>
${scenariosTable(record, timelines, verdict?.scenarios ?? new Map())}</section>
<section id="steps"><h2>Steps</h2>
<p class="small muted">${STEPS_NOTE}</p>
${stepsTable(record, classified, input.baseline)}</section>
<section id="failures-over-time"><h2>Failures over time</h2>${timelineHtml(record, timelines, windows)}</section>
<section id="latency"><h2>Latency over time</h2>
${latency}</section>
<section id="load"><h2>Load, errors and dropped iterations</h2>
${figuresHtml([...charts.load, ...charts.underLoad], NO_LOAD)}</section>
<section id="service"><h2>Service indicators</h2>
<p class="small muted">${SERVICE_NOTE}</p>
${serviceChartsHtml(charts)}</section>
<section id="generator"><h2>Load generator</h2>
${figuresHtml(charts.generator, 'The record has no series about the load generator’s own health.')}</section>
<section id="failures"><h2>Failure samples</h2>
<p class="small muted">${SAMPLES_NOTE}</p>
${samplesHtml(timelines, record.id)}</section>
<section id="events"><h2>Events</h2>${eventsHtml(record.events)}</section>
${footerHtml(record, assets, input.toolVersion)}
</main>`
  return documentHtml(titleOf(record), body, jsonForScript(chartData(record, charts)), assets)
}

const NO_LOAD = 'The record has no load series: the run applied no load.'
const SCENARIOS_NOTE =
  'Each scenario is an end-to-end user flow the probe loop ran again and again through every phase. ' +
  'Flaky: it both passed and failed. Onset: it passed, then failed from some time on.'
const STEPS_NOTE =
  'Latency of each step of each scenario as the probe loop measured it ' +
  '(failed requests left out, so a version that fails fast does not look faster), for the whole run and per phase.'
const SERVICE_NOTE =
  'The service’s own numbers, scraped while the run went on. Restarts are marked with a red dashed line.'
const SAMPLES_NOTE =
  'Requests and responses are excerpts, with secrets masked. The curl line reproduces the request; ' +
  'the steady run line replays the whole iteration with the same seed and prints every exchange.'

/** The JSON the client script draws from: the phases (shaded behind every chart) and every chart's spec. */
function chartData(record: RunRecord, charts: Charts): { phases: unknown[]; charts: ChartSpec[] } {
  const maxRate = Math.max(0, ...record.phases.map((p) => p.load?.targetRate ?? p.load?.achievedRate ?? 0))
  return {
    phases: record.phases.map((p) => {
      const rate = p.load?.targetRate ?? p.load?.achievedRate
      return {
        name: p.name,
        start: p.startMs / 1000,
        end: p.endMs / 1000,
        loaded: Boolean(p.load),
        intensity: p.load && maxRate > 0 ? (rate ?? maxRate) / maxRate : 0,
        label: rate !== undefined && p.load ? `${p.name} · ${num(rate)}/s` : p.name,
      }
    }),
    charts: [
      ...charts.scenarios.filter((g) => g.steps.length > 1).map((g) => g.overview),
      ...charts.latency,
      ...charts.load,
      ...charts.underLoad,
      ...charts.service,
      ...charts.generator,
    ].map((f) => f.spec),
  }
}

/** The id of the figure that draws each series: steps' latency and service indicators. */
function figureIds(classified: ClassifiedSeries, charts: Charts): Map<string, string> {
  const figureOf = new Map<string, string>()
  for (const st of classified.steps) {
    const fig = charts.latency.find((f) => f.title === (st.scenario ? `${st.scenario} › ${st.step}` : st.step))
    if (fig) figureOf.set(st.series.key, `${fig.spec.id}-figure`)
  }
  classified.indicators.forEach((ind, i) => {
    const fig = charts.service[i]
    if (fig) figureOf.set(ind.series.key, `${fig.spec.id}-figure`)
  })
  return figureOf
}

/** The verdict with each finding linked to the chart of its series, so the verdict box can point at the evidence. */
function linkFindings(verdict: VerdictView, figureOf: Map<string, string>): VerdictView {
  const link = (list: FindingView[]) =>
    list.map((f) => (f.series && figureOf.has(f.series) ? { ...f, chart: figureOf.get(f.series)! } : f))
  return {
    ...verdict,
    decisive: link(verdict.decisive),
    criticalSecondary: link(verdict.criticalSecondary),
    secondary: link(verdict.secondary),
    inconclusive: link(verdict.inconclusive),
    acceptedOrMuted: link(verdict.acceptedOrMuted),
    info: link(verdict.info),
    notJudged: link(verdict.notJudged),
    passed: link(verdict.passed),
  }
}

/**
 * Latency per scenario: an overview of its steps' p95, then each step's own chart, folded
 * unless one of its steps failed or has a finding.
 */
function latencySectionHtml(
  charts: Charts,
  classified: ClassifiedSeries,
  verdict: VerdictView | undefined,
  withBands: boolean,
): Html {
  if (!charts.scenarios.length) return html`<p class="muted">The record has no per-step latency series.</p>`
  const changed = [...(verdict?.decisive ?? []), ...(verdict?.criticalSecondary ?? []), ...(verdict?.secondary ?? [])]
  const flagged = new Set(changed.map((f) => f.series).filter(Boolean))
  return join(
    charts.scenarios.map((g) => {
      const heading = html`<h3>${g.scenario || 'steps'}</h3>`
      if (g.steps.length === 1)
        return html`<div class="scenario-charts">${heading}<div class="charts">${figureHtml(g.steps[0])}</div></div>`
      const steps = classified.steps.filter((st) => st.scenario === g.scenario)
      const open = steps.some((st) => st.total.errors > 0 || flagged.has(st.series.key))
      const summary = html`Each of its ${g.steps.length} steps on its own: p50, p95, p99${
        withBands ? ' and the expected range' : ''
      }`
      return html`<div class="scenario-charts">${heading}<div class="charts one">${figureHtml(g.overview)}</div>
<details class="step-charts"${open ? html` open` : ''}><summary>${summary}</summary>\
<div class="charts">${join(g.steps.map(figureHtml))}</div></details></div>`
    }),
  )
}

/** Service indicators that changed, drawn; those that did not, listed in one line with their value. */
function serviceChartsHtml(charts: Charts): Html {
  const none = 'The record has no service indicators (no /metrics endpoint was scraped and no process was sampled).'
  const drawn = charts.service.length || !charts.flat.length ? figuresHtml(charts.service, none) : ''
  if (!charts.flat.length) return html`${drawn}`
  const values = join(
    charts.flat.map((f, i) => html`${i ? '; ' : ''}${f.label} <strong>${inUnit(f.value, f.unit)}</strong>`),
  )
  return html`${drawn}<p class="flat muted">Did not change during the run, so not drawn: ${values}.</p>`
}

const titleOf = (record: RunRecord) =>
  `${record.subject.service ?? 'service'}${record.subject.version ? ` ${record.subject.version}` : ''}`

/** The page header: what was run, where it came from, and the table of contents. */
function headerHtml(record: RunRecord): Html {
  const s = record.subject
  const subtitle = [
    s.commit ? `commit ${s.commit.slice(0, 12)}` : undefined,
    s.branch ? `branch ${s.branch}` : undefined,
    s.environment ? `environment ${s.environment.name}` : undefined,
    `${record.kind} of ${span(record.durationMs)} from ${wallClock(record.startedAt)}`,
  ]
    .filter(Boolean)
    .join(' · ')
  const sections: [string, string][] = [
    ['verdict', 'Verdict'],
    ['run', 'Run'],
    ['scenarios', 'Scenarios'],
    ['steps', 'Steps'],
    ['failures-over-time', 'Failures over time'],
    ['latency', 'Latency'],
    ['load', 'Load'],
    ['service', 'Service'],
    ['generator', 'Generator'],
    ['failures', 'Failure samples'],
    ['events', 'Events'],
  ]
  return html`<header>
<p class="muted small" style="margin:0">steady stability report</p>
<h1>${titleOf(record)}</h1>
<p class="subtitle">${subtitle}</p>
<nav class="toc" aria-label="sections">${join(sections.map(([id, label]) => html`<a href="#${id}">${label}</a>`))}</nav>
</header>`
}

function footerHtml(record: RunRecord, assets: Assets, toolVersion: string | undefined): Html {
  const made = `Made by steady ${toolVersion ?? record.tool.version} from run record ${record.id} (${record.schema}).`
  return html`<footer>${made} Charts: uPlot ${assets.uplotVersion}, inlined. \
This file is self-contained: it loads nothing from the network.</footer>`
}

/**
 * The document around the body: a Content-Security-Policy that lets only the report's own
 * two scripts run (by hash) and nothing load, the inlined styles, the data and the scripts.
 */
function documentHtml(title: string, body: Html, dataJson: string, assets: Assets): string {
  const policy = [
    "default-src 'none'",
    `script-src 'sha256-${sha256(assets.uplotJs)}' 'sha256-${sha256(clientScript)}'`,
    "style-src 'unsafe-inline'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<meta name="generator" content="steady">
<title>${html`${title}: stability report`}</title>
<style>${assets.uplotCss}</style>
<style>${styles}</style>
</head>
<body>
${body}
<script type="application/json" id="steady-data">${dataJson}</script>
<script>${assets.uplotJs}</script>
<script>${clientScript}</script>
</body>
</html>
`
}
