/**
 * The tables: per scenario (iterations, pass rate, flaky or onset) and per
 * step (p50/p95/p99 per phase, now against the baseline, with the change).
 * Plain HTML: they read without JavaScript and print.
 */
import type { RunRecord } from '@steady/record'
import { html, join, type Html } from '../escape.ts'
import { change, ms, num, offset, pct, plural } from '../format.ts'
import type { ClassifiedSeries, Quantiles, StepSeries } from '../series.ts'
import type { SignatureTimeline } from './failures.ts'
import type { BaselineView, ScenarioJudgement } from '../judgement.ts'
import { median } from '@steady/kernel'

/** How a scenario behaved, in one word and a sentence. */
interface ScenarioMarker {
  word: 'passed' | 'flaky' | 'onset' | 'failing' | 'no iterations'
  tone: 'good' | 'bad' | 'warn' | 'none'
  detail: string
}

/** Marks a scenario from its counts and failure timeline (or from the verdict, when it says). */
function scenarioMarker(
  s: RunRecord['scenarios'][number],
  timelines: SignatureTimeline[],
  judged?: ScenarioJudgement,
): ScenarioMarker {
  if (judged)
    return {
      word: judged.word,
      tone: judged.word === 'passed' ? 'good' : judged.word === 'flaky' ? 'warn' : 'bad',
      detail: judged.sentence,
    }
  if (s.iterations === 0) return { word: 'no iterations', tone: 'none', detail: 'the probe loop never ran it' }
  if (s.failed === 0) return { word: 'passed', tone: 'good', detail: 'passed in every iteration' }
  if (s.passed === 0) return { word: 'failing', tone: 'bad', detail: 'failed in every iteration' }
  const mine = timelines.filter((t) => t.group.signature.scenario === s.name)
  if (mine.length && mine.every((t) => t.shape === 'from-then-on')) {
    const at = Math.min(...mine.map((t) => t.group.firstAtMs))
    return { word: 'onset', tone: 'bad', detail: `passed, then failed from ${offset(at)} on` }
  }
  return {
    word: 'flaky',
    tone: 'warn',
    detail: `both passed and failed (${pct(s.failed / s.iterations)} of iterations failed)`,
  }
}

/** The per-scenario table. */
export function scenariosTable(
  record: RunRecord,
  timelines: SignatureTimeline[],
  judged: Map<string, ScenarioJudgement>,
): Html {
  if (!record.scenarios.length) return html`<p class="muted">The record has no probe scenarios.</p>`
  const rows = record.scenarios.map((s) => {
    const m = scenarioMarker(s, timelines, judged.get(s.name))
    const byPhase = new Map<string, number>()
    for (const t of timelines) {
      if (t.group.signature.scenario !== s.name) continue
      for (const [p, n] of Object.entries(t.group.byPhase)) byPhase.set(p, (byPhase.get(p) ?? 0) + n)
    }
    const phases = [...byPhase.entries()].map(([p, n]) => `${p || 'no phase'} ${n}`).join(', ')
    const where = s.file
      ? html`<div class="small muted">${s.file}${s.tags.length ? ` · ${s.tags.join(', ')}` : ''}</div>`
      : ''
    return html`<tr>
<td class="name">${s.name}${where}</td>
<td class="n">${s.iterations.toLocaleString('en-US')}</td>
<td class="n">${s.passed.toLocaleString('en-US')}</td>
<td class="n">${s.failed.toLocaleString('en-US')}</td>
<td class="n">${s.iterations ? pct(s.passed / s.iterations, 4) : '–'}</td>
<td><span class="tag ${m.tone}">${m.word}</span> <span class="small">${m.detail}</span></td>
<td class="small">${phases || '–'}</td>
</tr>`
  })
  return html`<div class="scroll"><table>
<thead><tr><th>scenario</th><th class="n">iterations</th><th class="n">passed</th><th class="n">failed</th>\
<th class="n">pass rate</th><th>behaviour</th><th>failures by phase</th></tr></thead>
<tbody>${join(rows)}</tbody></table></div>`
}

function cell(now: number | undefined, base: number[] | undefined): Html {
  const b = base?.length ? median(base) : undefined
  if (b === undefined) return html`<td class="n">${ms(now)}</td>`
  const ratio = now !== undefined && b > 0 ? now / b - 1 : undefined
  const cls = ratio === undefined ? '' : ratio > 0.1 ? 'up' : ratio < -0.1 ? 'down' : ''
  const baseline = html`<div class="small muted">${ms(b)} <span class="${cls}">${change(ratio)}</span></div>`
  return html`<td class="n">${ms(now)}${baseline}</td>`
}

const PAIRED_NOTE =
  'A paired run: each step’s row is the candidate, the grey row under it the control in the same run. ' +
  'Whether a difference is a finding is the verdict’s call (it compares the sides window by window).'
const NO_BASELINE = html`No baseline was given, so there is nothing to compare with: \
pass <code>--baseline baselines/&lt;name&gt;.json</code> to see the change against earlier accepted runs.`

/**
 * The per-step table: a row per step with its whole-run quantiles and its p95
 * in each phase (the statistic gates judge), against the baseline; then, folded,
 * every quantile of every phase.
 */

export function stepsTable(record: RunRecord, classified: ClassifiedSeries, baseline?: BaselineView): Html {
  if (!classified.steps.length)
    return html`<p class="muted">The record has no per-step latency series from the probe loop.</p>`
  const phases = record.phases
  const rows: Html[] = []
  let scenario: string | undefined
  for (const st of classified.steps) {
    if (st.scenario !== scenario) {
      scenario = st.scenario
      rows.push(html`<tr class="group"><td colspan="${6 + phases.length}">${st.scenario || 'steps'}</td></tr>`)
    }
    const t = st.total
    rows.push(html`<tr>
<td class="name">${st.step}</td>
<td class="n">${t.count.toLocaleString('en-US')}</td><td class="n">${errorsCell(t)}</td>
<td class="n">${ms(t.p50)}</td><td class="n">${ms(t.p95)}</td><td class="n">${ms(t.p99)}</td>
${join(phases.map((p) => phaseP95(st, p.name, baseline)))}</tr>`)
    // A paired run: the control's numbers of the same step, in the same run, under the candidate's.
    const k = st.control
    if (k) {
      rows.push(html`<tr class="muted">
<td class="name">control</td>
<td class="n">${k.total.count.toLocaleString('en-US')}</td><td class="n">${errorsCell(k.total)}</td>
<td class="n">${ms(k.total.p50)}</td><td class="n">${ms(k.total.p95)}</td><td class="n">${ms(k.total.p99)}</td>
${join(phases.map((p) => html`<td class="n">${ms(k.byPhase[p.name]?.p95)}</td>`))}</tr>`)
    }
  }
  const paired = classified.steps.some((st) => st.control)
  const note = paired
    ? html`<p class="small muted">${PAIRED_NOTE}</p>`
    : baseline
      ? html`<p class="small muted">Per phase: the p95 now and, under it, the baseline’s median over its \
${plural(baseline.runs, 'comparable run')} with the change. Changes beyond ±10% are coloured; \
whether a change is a finding is the verdict’s call (it weighs the spread between baseline runs).</p>`
      : html`<p class="small muted">${NO_BASELINE}</p>`
  const phaseHeads = join(
    phases.map((p) => {
      const rate =
        p.load?.targetRate !== undefined ? html`<div class="small muted">${num(p.load.targetRate)} it/s</div>` : ''
      return html`<th class="n">${p.name}${rate}</th>`
    }),
  )
  const all = html`p50, p95 and p99 of every step in every phase${baseline ? ', against the baseline' : ''}`
  return html`<div class="scroll"><table class="steps">
<thead><tr><th rowspan="2">step</th><th class="n" rowspan="2">requests</th><th class="n" rowspan="2">failed</th>\
<th class="n" colspan="3">whole run</th><th class="n" colspan="${phases.length}">p95 per phase</th></tr>
<tr><th class="n">p50</th><th class="n">p95</th><th class="n">p99</th>${phaseHeads}</tr></thead>
<tbody>${join(rows)}</tbody></table></div>${note}
<details class="all-quantiles"><summary>${all}</summary>${stepsByPhaseTable(record, classified, baseline)}</details>`
}

/** A step's p95 in one phase, against the baseline's for that phase; a dash where the step did not run. */
function phaseP95(st: StepSeries, phase: string, baseline: BaselineView | undefined): Html {
  const q = st.byPhase[phase]
  return q ? cell(q.p95, baseline?.phaseStats(st.series.key, phase)?.p95) : html`<td class="n">–</td>`
}

/** Every quantile of every step in every phase: a row per step, then its phases. */
function stepsByPhaseTable(record: RunRecord, classified: ClassifiedSeries, baseline?: BaselineView): Html {
  if (!classified.steps.length)
    return html`<p class="muted">The record has no per-step latency series from the probe loop.</p>`
  const rows: Html[] = []
  for (const st of classified.steps) {
    const t = st.total
    rows.push(html`<tr class="group">
<td class="name">${st.scenario ? `${st.scenario} › ` : ''}${st.step}</td><td>whole run</td>
<td class="n">${t.count.toLocaleString('en-US')}</td><td class="n">${errorsCell(t)}</td>
<td class="n">${ms(t.p50)}</td><td class="n">${ms(t.p95)}</td><td class="n">${ms(t.p99)}</td></tr>`)
    for (const p of record.phases) {
      const q = st.byPhase[p.name]
      if (!q) continue
      const base = baseline?.phaseStats(st.series.key, p.name)
      const load = p.load?.targetRate !== undefined ? `${num(p.load.targetRate)} it/s` : 'loaded'
      rows.push(html`<tr>
<td></td><td>${p.name}${p.load ? html` <span class="small muted">(${load})</span>` : ''}</td>
<td class="n">${q.count.toLocaleString('en-US')}</td><td class="n">${errorsCell(q)}</td>
${cell(q.p50, base?.p50)}${cell(q.p95, base?.p95)}${cell(q.p99, base?.p99)}</tr>`)
    }
  }
  const note = baseline
    ? html`<p class="small muted">Under each value: the baseline’s median over its \
${plural(baseline.runs, 'comparable run')} for the same step and phase, and the change.</p>`
    : ''
  return html`<div class="scroll"><table>
<thead><tr><th>step</th><th>phase</th><th class="n">requests</th><th class="n">failed</th>\
<th class="n">p50</th><th class="n">p95</th><th class="n">p99</th></tr></thead>
<tbody>${join(rows)}</tbody></table></div>${note}`
}

function errorsCell(q: Quantiles): Html {
  if (!q.errors) return html`0`
  const kinds = Object.entries(q.errorKinds)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')
  const share = html`<div class="small muted">${pct(q.errors / Math.max(1, q.count))}</div>`
  return html`<span class="up" title="${kinds}">${q.errors.toLocaleString('en-US')}</span>${share}`
}
