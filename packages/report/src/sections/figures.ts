/**
 * A chart's place on the page: title, caption, the element the script draws
 * into (with a line saying what to do without JavaScript), and for
 * indicators the fitted slopes as text, so they print and read without it.
 */
import { html, join, type Html } from '../escape.ts'
import { inUnit, num, span } from '../format.ts'
import type { Figure } from '../charts.ts'

/** One `<figure>` for a chart. */
export function figureHtml(fig: Figure): Html {
  const nojs = 'This chart is drawn by JavaScript, which is off or blocked here. The tables above hold the numbers.'
  return html`<figure id="${fig.spec.id}-figure">
<h3>${fig.title}</h3>
<figcaption>${fig.caption}</figcaption>
<div class="chart" data-chart="${fig.spec.id}" role="img" aria-label="${`Chart: ${fig.title}`}">\
<p class="nojs">${nojs}</p></div>
${fig.slopes?.length ? slopesHtml(fig, fig.slopes) : ''}
</figure>`
}

type Slope = NonNullable<Figure['slopes']>[number]

/** The slopes drawn on an indicator's chart, as text: each phase's change over the span it was fitted on. */
function slopesHtml(fig: Figure, slopes: Slope[]): Html {
  const source =
    slopes[0].source === 'verdict'
      ? 'Fitted slopes (from the verdict)'
      : 'Trend per phase (drawn by the report, not judged)'
  const items = slopes.map((s, i) => {
    // Per hour only where the fit spans ten minutes or more:
    // a slope from seconds of data, scaled to an hour, misleads.
    const hourly = s.spanMs >= 600_000 ? `, ${perHour(s.perHour, fig.unit)}` : ''
    const over = `${delta(s.to - s.from, fig.unit)} over ${span(s.spanMs)}${hourly}`
    const change = html`<span class="${rising(s) ? 'up' : ''}">${over}</span>`
    return html`${i ? '; ' : ''}${s.phase}: ${inUnit(s.from, fig.unit)} → ${inUnit(s.to, fig.unit)} (${change})`
  })
  return html`<p class="slopes"><strong>${source}:</strong> ${join(items)}</p>`
}

/** A grid of figures, or a sentence saying why there are none. */
export function figuresHtml(figs: Figure[], none: string): Html {
  if (!figs.length) return html`<p class="muted">${none}</p>`
  return html`<div class="charts">${join(figs.map(figureHtml))}</div>`
}

function perHour(v: number, unit: string): string {
  const sign = v > 0 ? '+' : v < 0 ? '−' : '±'
  const abs = Math.abs(v)
  if (unit === 'bytes' || unit === 'ms' || unit === 'rate' || unit === 'ratio') return `${sign}${inUnit(abs, unit)}/h`
  return `${sign}${num(abs)}/h`
}

/** Coloured only when the line rises by more than 5% of its level over its stretch: a visible climb, not noise. */
function rising(s: { from: number; to: number }): boolean {
  const level = Math.max(Math.abs(s.from), Math.abs(s.to))
  return level > 0 && (s.to - s.from) / level > 0.05
}

function delta(v: number, unit: string): string {
  const sign = v > 0 ? '+' : v < 0 ? '−' : '±'
  return `${sign}${unit === 'count' ? num(Math.abs(v)) : inUnit(Math.abs(v), unit)}`
}
