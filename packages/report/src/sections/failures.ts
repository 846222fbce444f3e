/**
 * Failures: when each failure signature started and stopped (a timeline drawn
 * as SVG on the server, so it needs no script and prints), and each
 * signature's samples with step, assertion, request and response excerpts,
 * and the curl line that reproduces it. All text here is already redacted and
 * is escaped as it is written.
 */
import { shellCommand } from '@steady/record/internal'
import type { FailureGroup, FailureSample, RunEvent, RunRecord } from '@steady/record'
import { html, join, type Html } from '../escape.ts'
import { offset, plural, span } from '../format.ts'
import type { ClassifiedSeries } from '../series.ts'

/** Longest excerpt of a body shown; the rest is cut with a note. */
const BODY_EXCERPT = 2000

export interface SignatureTimeline {
  group: FailureGroup
  /** Failures per window where the record says so (from the step's or scenario's error counts). */
  perWindow: Map<number, number>
  /** How the pattern looks: for the label only, not a judgement. */
  shape: 'once' | 'burst' | 'from-then-on' | 'intermittent'
}

/** A readable name for a signature: scenario › step — assertion (status or error code). */
function signatureTitle(g: FailureGroup): string {
  const s = g.signature
  const what = s.errorCode
    ? `${s.assertion === 'error' ? 'error' : s.assertion} ${s.errorCode}`
    : s.status !== undefined
      ? `${s.assertion}, got status ${s.status}`
      : s.assertion
  return `${s.scenario} › ${s.step} — ${what}`
}

/** Per-window counts for each failure signature, and the shape of its occurrences. */
export function signatureTimelines(
  record: RunRecord,
  classified: ClassifiedSeries,
  windows: number,
): SignatureTimeline[] {
  const ms = record.window.sizeMs
  return [...record.failures]
    .sort((a, b) => a.firstAtMs - b.firstAtMs)
    .map((group) => {
      const sig = group.signature
      const kinds = [
        sig.errorCode,
        sig.status !== undefined ? `status_${sig.status}` : undefined,
        sig.assertion === 'error' ? undefined : 'assertion',
      ].filter((k): k is string => Boolean(k))
      const perWindow = new Map<number, number>()
      // A paired run's control-side failures are counted in the control's series.
      const control = sig.side === 'control'
      const step = classified.steps.find((s) => s.scenario === sig.scenario && s.step === sig.step)
      const outcome = (control ? classified.control : classified)?.outcomes.get(sig.scenario)
      for (const series of [control ? step?.control?.series : step?.series, outcome]) {
        if (!series || perWindow.size) continue
        for (const w of series.windows) {
          let n = 0
          for (const k of kinds) n += w.errors?.[k] ?? 0
          // Only windows inside the signature's known span: another signature may share the kind.
          const t0 = w.i * ms
          if (n > 0 && t0 + ms > group.firstAtMs && t0 <= group.lastAtMs) perWindow.set(w.i, n)
        }
      }
      if (!perWindow.size) {
        for (const s of group.samples)
          perWindow.set(Math.floor(s.atMs / ms), (perWindow.get(Math.floor(s.atMs / ms)) ?? 0) + 1)
        perWindow.set(Math.floor(group.firstAtMs / ms), perWindow.get(Math.floor(group.firstAtMs / ms)) ?? 1)
        perWindow.set(Math.floor(group.lastAtMs / ms), perWindow.get(Math.floor(group.lastAtMs / ms)) ?? 1)
      }
      const first = Math.floor(group.firstAtMs / ms)
      const last = Math.floor(group.lastAtMs / ms)
      const spanWindows = last - first + 1
      const endsAtEnd = last >= windows - Math.max(2, Math.ceil(windows * 0.03))
      const dense = perWindow.size / spanWindows
      const shape: SignatureTimeline['shape'] =
        group.count === 1
          ? 'once'
          : spanWindows <= 3
            ? 'burst'
            : endsAtEnd && dense > 0.5
              ? 'from-then-on'
              : dense > 0.8
                ? 'burst'
                : 'intermittent'
      return { group, perWindow, shape }
    })
}

const shapeWords: Record<SignatureTimeline['shape'], string> = {
  once: 'once',
  burst: 'in one stretch',
  'from-then-on': 'from then on, to the end of the run',
  intermittent: 'on and off',
}

/** The failures-over-time section: a row per signature on a shared time axis. */
export function timelineHtml(record: RunRecord, timelines: SignatureTimeline[], windows: number): Html {
  const restarts = record.events.filter((e) => e.kind === 'service-restart' || e.kind === 'service-crash')
  if (!timelines.length && !restarts.length) {
    return html`<p class="good-text">No probe iteration failed during the run, and the service did not restart.</p>`
  }
  const axis = new TimeAxis(record, windows * record.window.sizeMs)
  const max = Math.max(1, ...timelines.flatMap((t) => [...t.perWindow.values()]))
  const rows = timelines.map((t) => signatureRow(t, axis, record.window.sizeMs, max))
  const restartRow = restarts.length ? restartsRow(restarts, axis) : ''
  return html`<div class="timeline">${axisRow(record, axis)}${join(rows)}${restartRow}</div>
<p class="small muted">Each row is one failure signature (scenario, step, assertion and status or error); \
each red mark is a window of ${record.window.sizeMs / 1000}s with failures (darker: more). \
A row that starts late and runs to the end is an onset; marks scattered among passing windows are flakiness.</p>`
}

/** Run time mapped onto the timeline's SVG width, and the phases shaded behind every row. */
class TimeAxis {
  /** SVG user units across; the SVG stretches to the row. */
  readonly W = 1000
  readonly total: number
  readonly #phases: RunRecord['phases']

  constructor(record: RunRecord, total: number) {
    this.total = total
    this.#phases = record.phases
  }

  x(t: number): number {
    return Math.max(0, Math.min(this.W, (t / this.total) * this.W))
  }

  /** Where a label goes, in percent: text inside a stretched SVG would be squeezed, so labels are HTML. */
  pct(t: number): string {
    return `${((this.x(t) / this.W) * 100).toFixed(2)}%`
  }

  /** The phases as shaded rectangles `h` units high: loaded phases orange, the others striped grey. */
  phaseRects(h: number): Html {
    return join(
      this.#phases.map((p, i) => {
        const fill = p.load ? 'rgba(255,140,0,0.10)' : i % 2 ? 'rgba(0,0,0,0.04)' : 'rgba(0,0,0,0.015)'
        const width = Math.max(0, this.x(p.endMs) - this.x(p.startMs)).toFixed(1)
        return html`<rect x="${this.x(p.startMs).toFixed(1)}" y="0" width="${width}" height="${h}" fill="${fill}">\
<title>${`${p.name}: ${offset(p.startMs)}–${offset(p.endMs)}`}</title></rect>`
      }),
    )
  }
}

/** The time axis: phases shaded and named, ticks at a round step. */
function axisRow(record: RunRecord, axis: TimeAxis): Html {
  const ticks: number[] = []
  const stepMs = niceStep(axis.total)
  for (let t = 0; t <= axis.total; t += stepMs) ticks.push(t)
  const tickLines = join(
    ticks.map((t) => {
      const x = axis.x(t).toFixed(1)
      return html`<line x1="${x}" x2="${x}" y1="20" y2="30" stroke="#888" stroke-width="1" \
vector-effect="non-scaling-stroke"/>`
    }),
  )
  const phaseNames = join(
    record.phases.map((p) => {
      const width = (((axis.x(p.endMs) - axis.x(p.startMs)) / axis.W) * 100).toFixed(2)
      return html`<span class="tl-phase" style="left:${axis.pct(p.startMs)};max-width:${width}%">${p.name}</span>`
    }),
  )
  const tickLabels = join(
    ticks.map((t, i) => {
      const last = i === ticks.length - 1 && t > 0 ? ' last' : ''
      return html`<span class="tl-tick${last}" style="left:${axis.pct(t)}">${offset(t)}</span>`
    }),
  )
  const svg = html`<svg viewBox="0 0 ${axis.W} 30" preserveAspectRatio="none" role="img" \
aria-label="time axis with phases">${axis.phaseRects(30)}${tickLines}</svg>`
  const label = html`<div class="tl-label muted">run time (phases shaded; loaded phases orange)</div>`
  return html`<div class="tl-row tl-axis">${label}<div class="tl-scale">${svg}${phaseNames}${tickLabels}</div></div>`
}

/** One signature's row: when it failed, in words and as red marks per window (darker: more of the run's most). */
function signatureRow(t: SignatureTimeline, axis: TimeAxis, ms: number, max: number): Html {
  const g = t.group
  const phases = Object.entries(g.byPhase)
    .filter(([, n]) => n > 0)
    .map(([p, n]) => `${p || 'no phase'} ${n}`)
    .join(', ')
  const when =
    g.count === 1
      ? `at ${offset(g.firstAtMs)}`
      : `${offset(g.firstAtMs)} → ${offset(g.lastAtMs)} (${span(g.lastAtMs - g.firstAtMs)}), ${shapeWords[t.shape]}`
  const marks = [...t.perWindow.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([i, n]) => {
      const opacity = (0.35 + 0.65 * (n / max)).toFixed(2)
      const title = `${offset(i * ms)}: ${plural(n, 'failure')}`
      return html`<rect class="fail" x="${axis.x(i * ms).toFixed(1)}" y="3" \
width="${Math.max(2, axis.x(ms)).toFixed(1)}" height="16" fill="#cf222e" fill-opacity="${opacity}">\
<title>${title}</title></rect>`
    })
  const x1 = axis.x(g.firstAtMs).toFixed(1)
  const x2 = Math.max(axis.x(g.firstAtMs) + 1, axis.x(g.lastAtMs)).toFixed(1)
  const stretch = html`<line x1="${x1}" x2="${x2}" y1="11" y2="11" \
stroke="#cf222e" stroke-width="1" stroke-opacity="0.6"/>`
  return html`<div class="tl-row">
<div class="tl-label">${signatureTitle(g)}<span class="when">${plural(g.count, 'failure')}, ${when}\
${phases ? ` · ${phases}` : ''}</span></div>
<svg viewBox="0 0 ${axis.W} 22" preserveAspectRatio="none" role="img" \
aria-label="${`${signatureTitle(g)}: failures over time`}">${axis.phaseRects(22)}${stretch}${join(marks)}</svg>
</div>`
}

/** The service's restarts and crashes, as purple marks on the same axis. */
function restartsRow(restarts: RunEvent[], axis: TimeAxis): Html {
  const when = join(
    restarts.map((e, i) => html`${i ? ', ' : ''}${offset(e.atMs)} ${e.kind === 'service-crash' ? 'crash' : 'restart'}`),
  )
  const marks = join(
    restarts.map(
      (e) =>
        html`<rect class="restart" x="${(axis.x(e.atMs) - 1.5).toFixed(1)}" y="0" width="3" height="22" fill="#6e40c9">\
<title>${`${offset(e.atMs)}: ${e.message}`}</title></rect>`,
    ),
  )
  const label = html`<div class="tl-label">Service restarts and crashes<span class="when">${when}</span></div>`
  return html`<div class="tl-row">${label}<svg viewBox="0 0 ${axis.W} 22" preserveAspectRatio="none" role="img" \
aria-label="service restarts over time">\
${axis.phaseRects(22)}${marks}</svg></div>`
}

function niceStep(totalMs: number): number {
  const candidates = [
    10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000,
  ]
  return candidates.find((c) => totalMs / c <= 8) ?? 21_600_000
}

function excerpt(body: string | undefined): Html {
  if (body === undefined || body === '') return html`<p class="muted small">(no body)</p>`
  const cut = body.length > BODY_EXCERPT
  if (!cut) return html`<pre>${body}</pre>`
  const shown = `first ${BODY_EXCERPT.toLocaleString('en-US')} of ${body.length.toLocaleString('en-US')} characters`
  return html`<pre>${body.slice(0, BODY_EXCERPT)}</pre><p class="muted small">(${shown})</p>`
}

function headers(h: Record<string, string> | undefined): Html {
  const entries = Object.entries(h ?? {})
  if (!entries.length) return html``
  return html`<pre>${entries.map(([k, v]) => `${k}: ${v}`).join('\n')}</pre>`
}

function sampleHtml(s: FailureSample, n: number, total: number, runId: string): Html {
  const { scenario, iteration } = s.replay
  const replay = shellCommand(['steady', 'run', '--replay', runId, '--scenario', scenario, '--iteration', iteration])
  const request = s.request
    ? html`<div class="label">Request</div><pre>${`${s.request.method} ${s.request.url}`}</pre>\
${headers(s.request.headers)}${s.request.body !== undefined ? excerpt(s.request.body) : ''}`
    : ''
  const response = s.response
    ? html`<div class="label">Response: status ${s.response.status}</div>\
${headers(s.response.headers)}${excerpt(s.response.body)}`
    : ''
  return html`<div class="sample">
<h4>Sample ${n} of ${total} · at ${offset(s.atMs)}${s.phase ? ` in ${s.phase}` : ''}</h4>
<p>${s.message}</p>
${s.diff ? html`<div class="label">Expected and received</div><pre>${s.diff}</pre>` : ''}
${request}
${response}
${s.curl ? html`<div class="label">Reproduce with curl</div><pre>${s.curl}</pre>` : ''}
<div class="label">Replay the whole iteration (seed ${s.replay.seed})</div><pre>${replay}</pre>
</div>`
}

/** The failure samples, one collapsible block per signature (the first one open). */
export function samplesHtml(timelines: SignatureTimeline[], runId: string): Html {
  if (!timelines.length) return html`<p class="muted">No failure samples: nothing failed.</p>`
  return join(
    timelines.map((t, i) => {
      const g = t.group
      const samples = [...g.samples].sort((a, b) => a.atMs - b.atMs)
      const kept =
        samples.length < g.count
          ? html`<p class="small muted">The record keeps the first and last few samples of each signature: \
${samples.length} of ${plural(g.count, 'failure')} are shown.</p>`
          : ''
      const when = `${plural(g.count, 'failure')}, first at ${offset(g.firstAtMs)}, last at ${offset(g.lastAtMs)}`
      const rest = samples.slice(1).map((s, k) => sampleHtml(s, k + 2, samples.length, runId))
      const more =
        samples.length > 1
          ? html`<details class="more"><summary>${plural(samples.length - 1, 'more sample')} \
(up to ${offset(samples[samples.length - 1].atMs)})</summary>${join(rest)}</details>`
          : ''
      return html`<details${i === 0 ? html` open` : ''}>
<summary>${signatureTitle(g)} <span class="muted">· ${when}</span></summary>
${kept}${samples.length ? sampleHtml(samples[0], 1, samples.length, runId) : ''}${more}
</details>`
    }),
  )
}

const NOTHING_HAPPENED =
  'Nothing happened besides the phase changes: no restart, no failed scrape, no saturated generator.'

/** Events a reader should know about (restarts, scrape failures, saturation, notes), phase changes left out. */
export function eventsHtml(events: RunEvent[]): Html {
  const shown = events.filter((e) => e.kind !== 'phase-start' && e.kind !== 'phase-end')
  if (!shown.length) return html`<p class="muted">${NOTHING_HAPPENED}</p>`
  const words: Record<string, string> = {
    'service-restart': 'service restarted',
    'service-crash': 'service crashed',
    'scrape-failed': 'metrics scrape failed',
    'scrape-recovered': 'metrics scrape recovered',
    'generator-saturated': 'load generator saturated',
    interrupted: 'run interrupted',
    note: 'note',
  }
  const cap = 200
  const rows = shown.slice(0, cap).map(
    (e) =>
      html`<tr><td class="n">${offset(e.atMs)}</td><td>${words[e.kind] ?? e.kind}</td>\
<td class="name">${e.message}</td></tr>`,
  )
  const more =
    shown.length > cap ? html`<p class="small muted">${shown.length - cap} more events are in the run record.</p>` : ''
  return html`<div class="scroll"><table><thead><tr><th>at</th><th>what</th><th>details</th></tr></thead>\
<tbody>${join(rows)}</tbody></table></div>${more}`
}
