/**
 * The top of the page: the verdict (or a plain statement that there is none),
 * the run's facts at a glance, the subject, the times, the phases and the
 * comparability key.
 */
import type { RunRecord } from '@steady/record'
import { html, join, type Html } from '../escape.ts'
import { num, offset, pct, plural, span, wallClock } from '../format.ts'
import type { BaselineView, FindingView, VerdictView } from '../judgement.ts'
import type { SignatureTimeline } from './failures.ts'

const toneOf = (a: string) => (a === 'yes' ? 'good' : a === 'no' ? 'bad' : a === 'inconclusive' ? 'warn' : 'none')

/** A paired run's comparability key: both sides share it, so no baseline is needed to compare them. */
const PAIRED_KEY =
  'A paired run: candidate and control ran on this machine at the same time, so this key is the same for both ' +
  'sides and no baseline was needed to compare them. Other paired runs are compared with it only when these match.'

/** The verdict banner: the answers, each finding in a sentence, and what was not judged. */
export function verdictHtml(verdict: VerdictView | undefined, baseline: BaselineView | undefined): Html {
  if (!verdict) return noVerdictHtml(baseline)
  const critical = verdict.criticalSecondary.length
  // A pass with critical changes the gate does not judge is a warning, not a green box.
  const tone = verdict.outcome === 'pass' ? (critical ? 'warn' : 'good') : verdict.outcome === 'fail' ? 'bad' : 'warn'
  const answers = join(
    verdict.answers.map((a) => {
      const why = a.why ? html` <span class="small">${a.why}</span>` : ''
      return html`<li><span class="answer ${toneOf(a.answer)}">${a.question}? ${a.answer}</span>${why}</li>`
    }),
  )
  const notes = verdict.notes.length
    ? html`<h3>Notes</h3><ul class="small">${join(verdict.notes.map((n) => html`<li>${n}</li>`))}</ul>`
    : ''
  return html`<section class="verdict ${tone}" id="verdict" aria-label="verdict">
<p class="headline">${headlineOf(verdict)}</p>
${verdict.answers.every((a) => a.why) ? '' : html`<p>${verdict.summary}</p>`}
<ul class="answers">${answers}</ul>
${decisiveHtml(verdict)}${criticalHtml(verdict)}${comparableHtml(verdict)}${otherFindingsHtml(verdict)}\
${secondaryHtml(verdict)}${notJudgedHtml(verdict)}${passedHtml(verdict)}${notes}
</section>`
}

/** Without a verdict the banner says so, and how to get one. */
function noVerdictHtml(baseline: BaselineView | undefined): Html {
  const given = baseline ? ', although a baseline was given (its numbers and ranges are shown for comparison)' : ''
  const answers = html`<li><span class="answer none">working? not judged</span></li>\
<li><span class="answer none">stable? not judged</span></li>`
  return html`<section class="verdict none" id="verdict" aria-label="verdict">
<p class="headline">No verdict: this report was built without one</p>
<ul class="answers row">${answers}</ul>
${baseline ? baselineLine(baseline) : ''}
<p>It shows what the run measured; it does not say whether the version is working or stable${given}. ${HOW_TO_JUDGE}</p>
</section>`
}

const HOW_TO_JUDGE = html`To judge it, run \
<code>steady verdict &lt;run.json&gt; --baseline &lt;baseline.json&gt; --gate &lt;gate&gt; --report</code>, \
or pass <code>--verdict &lt;verdict.json&gt;</code> to <code>steady report</code>.`

/** The banner's first line: the outcome, against what, and critical changes the gate does not judge. */
function headlineOf(verdict: VerdictView): string {
  const critical = verdict.criticalSecondary.length
  const word = verdict.outcome === 'pass' ? 'Passed' : verdict.outcome === 'fail' ? 'Failed' : 'Inconclusive'
  const gate = verdict.gate ? ` against the ${verdict.gate} gate` : ''
  const against =
    verdict.mode === 'compare'
      ? `${word}: compared with another run (not a gate)`
      : verdict.mode === 'paired'
        ? `${word}${gate}: ${verdict.sides ?? 'candidate against control in the same run (paired)'}`
        : `${word}${gate}`
  const notGated = `${plural(critical, 'critical change')} not gated`
  return !critical
    ? against
    : verdict.outcome === 'pass'
      ? `${against}, but: ${notGated}`
      : `${against} (and ${notGated})`
}

const severityTone = (f: FindingView) => (f.severity === 'fail' ? 'bad' : f.severity === 'warn' ? 'warn' : 'none')
const chartLink = (f: FindingView) => (f.chart ? html` <a class="small" href="#${f.chart}">chart ↓</a>` : '')

/** A finding in full: its sentence, its numbers, and how it was judged (folded). */
function findingItem(f: FindingView): Html {
  // The kind is the group's heading: each item starts with where it is.
  const place = f.place ? html`<span class="finding-kind">${f.place}</span>` : ''
  const secondary = f.primary ? '' : html` <span class="small muted">secondary</span>`
  const separator = f.continues && f.primary ? ' ' : f.place || !f.primary ? ': ' : ''
  const pairs = join(f.numbers.map(([k, v], i) => html`${i ? ' · ' : ''}${k} <strong>${v}</strong>`))
  const numbers = f.numbers.length ? html`<div class="small muted numbers">${pairs}</div>` : ''
  const terms = join(f.detail.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`))
  const detail = f.detail.length
    ? html`<details class="evidence"><summary>how it was judged</summary><dl class="kv small">${terms}</dl></details>`
    : ''
  const tag = html`<span class="tag ${severityTone(f)}">${f.tag}</span>`
  return html`<li>${tag}${place}${secondary}${separator}${f.sentence}${chartLink(f)}${numbers}${detail}</li>`
}

/** Folded lists keep only the sentence (it carries the numbers): hundreds of findings stay light to load. */
function briefItem(f: FindingView): Html {
  const place = f.place ? html`<strong>${f.place}</strong>${f.continues ? ' ' : ': '}` : ''
  return html`<li>${place}${f.sentence}${chartLink(f)}</li>`
}

const NOTHING_FAILS = 'no primary check changed beyond the gate’s tolerances.'

function decisiveHtml(verdict: VerdictView): Html {
  const n = verdict.decisive.length
  if (!n) return html`<p><strong>Nothing fails the gate</strong>: ${NOTHING_FAILS}</p>`
  return html`<h3>What fails the gate (${n})</h3><p class="small">In short: ${kindCounts(verdict.decisive)}.</p>\
${groups(verdict.decisive, findingItem, 5, briefItem)}`
}

function criticalHtml(verdict: VerdictView): Html | '' {
  const critical = verdict.criticalSecondary.length
  if (!critical) return ''
  const why =
    `Secondary checks: they do not decide ${verdict.gate ? `the ${verdict.gate} gate` : 'the gate'}, ` +
    'but each changed far past its tolerance. Read them before shipping, or make the check primary in the gate.'
  return html`<h3 class="critical-secondary">Critical changes not gated (${critical})</h3><p class="small">${why}</p>\
${groups(verdict.criticalSecondary, findingItem, 5, briefItem)}`
}

function comparableHtml(verdict: VerdictView): Html | '' {
  const c = verdict.comparable
  if (!c) return ''
  const tag = html`<span class="tag ${c.ok ? 'good' : 'warn'}">${c.ok ? 'comparable' : 'not comparable'}</span>`
  return html`<p class="small">${tag} ${c.sentence}</p>`
}

/** Inconclusive findings, accepted or muted ones, and those for information only (folded). */
function otherFindingsHtml(verdict: VerdictView): Html {
  const { inconclusive, acceptedOrMuted, info } = verdict
  const open = inconclusive.length
    ? html`<h3>Inconclusive (${inconclusive.length})</h3>\
<p class="small">What keeps the gate from a yes or no: ${kindCounts(inconclusive)}.</p>\
${groups(inconclusive, findingItem, 3, briefItem)}`
    : ''
  const accepted = acceptedOrMuted.length
    ? html`<h3>Accepted or muted (${acceptedOrMuted.length})</h3>${groups(acceptedOrMuted, findingItem, 5, briefItem)}`
    : ''
  const summary = html`${plural(info.length, 'finding')} for information (secondary, or not deciding anything)`
  const forInformation = info.length ? folded(summary, groups(info, briefItem, 5, briefItem)) : ''
  return html`${open}${accepted}${forInformation}`
}

function secondaryHtml(verdict: VerdictView): Html | '' {
  const list = verdict.secondary
  if (!list.length) return ''
  const summary = html`${plural(list.length, 'secondary change')}, reported only (they do not fail this gate)`
  return folded(summary, groups(list, briefItem, 5, briefItem))
}

const folded = (summary: Html, body: Html) =>
  html`<details class="more-findings"><summary>${summary}</summary>${body}</details>`

const reasons = (list: [string, number][]) => list.map(([r, n]) => `${n} ${r}`).join(', ')

/** Primary checks not judged, listed with why; secondary ones only counted. */
function notJudgedHtml(verdict: VerdictView): Html {
  const secondary = verdict.notJudgedSecondary
  const secondaryNotJudged = secondary.count
    ? html`<p class="small not-judged-secondary">${plural(secondary.count, 'secondary check')} not judged as well \
(counted, not listed; they never decide the gate): ${reasons(secondary.reasons)}.</p>`
    : ''
  if (!verdict.notJudged.length) return html`<p class="small">Every primary check was judged.</p>${secondaryNotJudged}`
  const nj = verdict.notJudgedByQuestion
  const byQuestion = nj.working && nj.stable ? `${nj.stable} for stable, ${nj.working} for working. ` : ''
  return html`<h3>Primary checks not judged (${verdict.notJudged.length})</h3><p class="small">${byQuestion}\
The run could not have seen a change of the gate’s tolerance here: these are not passes. \
Why: ${reasons(verdict.notJudgedReasons)}.</p>\
${groups(verdict.notJudged, findingItem, 3, briefItem)}${secondaryNotJudged}`
}

function passedHtml(verdict: VerdictView): Html | '' {
  const list = verdict.passed
  if (!list.length) return ''
  return html`<details class="passed"><summary>${plural(list.length, 'check')} judged and passed</summary>\
${groups(list, briefItem, 1000, briefItem)}</details>`
}

/** The facts at a glance: what the record shows, not a judgement. */
export function factsHtml(record: RunRecord, timelines: SignatureTimeline[]): Html {
  const iterations = record.scenarios.reduce((a, s) => a + s.iterations, 0)
  const failed = record.scenarios.reduce((a, s) => a + s.failed, 0)
  const failing = record.scenarios.filter((s) => s.failed > 0).length
  const restarts = record.events.filter((e) => e.kind === 'service-restart' || e.kind === 'service-crash').length
  const dropped = record.phases.reduce((a, p) => a + (p.load?.droppedIterations ?? 0), 0)
  const loadIterations = record.phases.reduce((a, p) => a + (p.load?.iterations ?? 0), 0)
  const saturated = record.events.filter((e) => e.kind === 'generator-saturated').length
  const fact = (k: string, v: string, tone = '') =>
    html`<div class="fact ${tone}"><div class="k">${k}</div><div class="v">${v}</div></div>`
  const passed = iterations
    ? `${pct((iterations - failed) / iterations, 4)} of ${iterations.toLocaleString('en-US')}`
    : 'none ran'
  const droppedShare = loadIterations ? ` (${pct(dropped / (loadIterations + dropped))})` : ''
  const droppedFact =
    loadIterations || dropped
      ? fact('load iterations dropped', `${dropped.toLocaleString('en-US')}${droppedShare}`, dropped ? 'warn' : 'good')
      : ''
  return html`<div class="facts" aria-label="facts at a glance">
${fact('probe iterations passed', passed, failed ? 'bad' : iterations ? 'good' : 'warn')}
${fact('scenarios with failures', `${failing} of ${record.scenarios.length}`, failing ? 'bad' : 'good')}
${fact('failure signatures', String(timelines.length), timelines.length ? 'bad' : 'good')}
${fact('service restarts', String(restarts), restarts ? 'bad' : 'good')}
${droppedFact}
${fact('generator saturated', saturated ? plural(saturated, 'time') : 'no', saturated ? 'warn' : 'good')}
${fact('run', record.complete ? 'complete' : 'incomplete', record.complete ? 'good' : 'bad')}
</div>`
}

/** Warnings the record carries, and an incomplete run, above everything else. */
export function warningsHtml(record: RunRecord): Html {
  const items: Html[] = []
  if (!record.complete) {
    const why = record.incompleteReason ?? 'no reason recorded'
    items.push(
      html`<li><strong>The run is incomplete</strong> (${why}): the data ends at ${offset(record.durationMs)}.</li>`,
    )
  }
  for (const w of record.warnings) items.push(html`<li>${w}</li>`)
  if (!items.length) return html``
  return html`<div class="verdict warn small" role="note"><strong>Read with care</strong><ul>${join(items)}</ul></div>`
}

/** Subject, times and comparability. */
export function runHtml(record: RunRecord, baseline: BaselineView | undefined): Html {
  const s = record.subject
  const env = s.environment
  const tags = env ? Object.entries(env.tags) : []
  const subject = html`<dl class="kv">
<dt>service</dt><dd>${s.service ?? '–'}</dd>
<dt>version</dt><dd>${s.version ?? '–'}</dd>
<dt>commit</dt><dd class="mono" title="${s.commit ?? ''}">${s.commit ? s.commit.slice(0, 12) : '–'}</dd>
<dt>branch</dt><dd>${s.branch ?? '–'}</dd>
<dt>environment</dt><dd>${env ? `${env.name} (${env.provider}, id ${env.id})` : '–'}</dd>
${tags.length ? html`<dt>environment tags</dt><dd>${tags.map(([k, v]) => `${k}=${v}`).join(', ')}</dd>` : ''}
${s.target ? html`<dt>target</dt><dd class="mono">${s.target}</dd>` : ''}
</dl>`
  const times = html`<dl class="kv">
<dt>run</dt><dd class="mono">${record.id}</dd>
<dt>kind</dt><dd>${record.kind}</dd>
<dt>started</dt><dd>${wallClock(record.startedAt)}</dd>
<dt>ended</dt><dd>${wallClock(record.endedAt)}</dd>
<dt>duration</dt><dd>${span(record.durationMs)}</dd>
<dt>window</dt><dd>${span(record.window.sizeMs)}</dd>
<dt>seed</dt><dd class="mono">${record.seed}</dd>
<dt>config</dt><dd class="mono">${record.configHash}</dd>
</dl>`
  const phases = phasesHtml(record)
  const c = record.comparability
  const keyRows: [string, string][] = [
    ['CPU', `${c.cpuModel} × ${c.cores}`],
    ['Node.js', c.node],
    ['platform', c.platform],
    ['plan', c.planHash ?? '–'],
    ['duration scale', String(c.durationScale)],
    ['load engine', c.engine ?? '–'],
  ]
  const comparability = html`<dl class="kv">${join(keyRows.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`))}</dl>${
    baseline
      ? baselineRunsHtml(baseline)
      : record.paired
        ? html`<p class="small muted">${PAIRED_KEY}</p>`
        : html`<p class="small muted">${NO_BASELINE}</p>`
  }`
  return html`<div class="charts"><div><h3>Subject</h3>${subject}</div><div><h3>Run</h3>${times}</div></div>
<h3>Phases</h3>${phases}
<h3>Comparability key</h3>${comparability}`
}

const NO_BASELINE = 'No baseline was given, so comparability was not checked. Runs are compared only when these match.'

const PHASE_HEAD = html`<tr><th>phase</th><th class="n">from</th><th class="n">to</th><th class="n">length</th>\
<th>load</th><th class="n">target</th><th class="n">achieved</th><th class="n">dropped</th></tr>`

/** The phases: when each ran and the load it planned, achieved and dropped. */
function phasesHtml(record: RunRecord): Html {
  if (!record.phases.length) return html`<p class="muted">The record has no phases.</p>`
  const rate = (r: number | undefined) => (r !== undefined ? `${num(r)}/s` : '–')
  const rows = record.phases.map((p) => {
    const load = p.load ? `${p.load.profile} · ${p.load.executor} · ${p.load.engine}` : 'none (probes only)'
    const dropped = p.load ? p.load.droppedIterations.toLocaleString('en-US') : '–'
    return html`<tr><td>${p.name}</td><td class="n">${offset(p.startMs)}</td><td class="n">${offset(p.endMs)}</td>\
<td class="n">${span(p.endMs - p.startMs)}</td><td class="small">${load}</td>\
<td class="n">${rate(p.load?.targetRate)}</td><td class="n">${rate(p.load?.achievedRate)}</td>\
<td class="n">${dropped}</td></tr>`
  })
  return html`<div class="scroll"><table><thead>${PHASE_HEAD}</thead><tbody>${join(rows)}</tbody></table></div>`
}

const BASELINE_HEAD = html`<tr><th>baseline run</th><th>date</th><th>version</th><th>comparability</th></tr>`

function baselineRunsHtml(b: BaselineView): Html {
  const rows = b.runList.map((r) => {
    const key = r.differs.length
      ? html`<span class="tag warn">differs</span> ${r.differs.join('; ')}`
      : html`<span class="tag good">same key</span>`
    return html`<tr><td class="mono">${r.id}</td><td>${r.date ? wallClock(r.date) : '–'}</td>\
<td>${r.version ?? '–'}</td><td>${key}</td></tr>`
  })
  const differing = b.runList.filter((r) => r.differs.length).length
  const keys = differing
    ? html`, <strong>${differing} with a different comparability key</strong>`
    : ', all with the same comparability key as this run'
  return html`<p class="small">Baseline <span class="mono">${b.name}</span>: ${plural(b.runs, 'run')}${keys}.</p>
<div class="scroll"><table><thead>${BASELINE_HEAD}</thead><tbody>${join(rows)}</tbody></table></div>`
}

/**
 * Findings grouped by kind, in the page's order: the first `top` of each
 * group (most severe, largest change) are shown with `item`, the rest fold
 * away, written with `rest`.
 */
function groups(
  list: FindingView[],
  item: (f: FindingView) => Html,
  top: number,
  rest: (f: FindingView) => Html,
): Html {
  const byKind = new Map<string, FindingView[]>()
  for (const f of [...list].sort((a, b) => a.kindOrder - b.kindOrder || a.rank - b.rank || b.magnitude - a.magnitude)) {
    const g = byKind.get(f.kind) ?? []
    g.push(f)
    byKind.set(f.kind, g)
  }
  return join(
    [...byKind.entries()].map(([kind, items]) => {
      const more =
        items.length > top
          ? folded(
              html`${items.length - top} more: ${kind}`,
              html`<ul class="findings">${join(items.slice(top).map(rest))}</ul>`,
            )
          : ''
      return html`<div class="finding-group"><h4>${kind} <span class="muted">(${items.length})</span></h4>\
<ul class="findings">${join(items.slice(0, top).map(item))}</ul>${more}</div>`
    }),
  )
}

/** `flaky scenario (1), latency level (41), ...` in the page's order. */
function kindCounts(list: FindingView[]): string {
  const counts = new Map<string, { n: number; order: number }>()
  for (const f of list) {
    const c = counts.get(f.kind) ?? { n: 0, order: f.kindOrder }
    c.n++
    counts.set(f.kind, c)
  }
  return [...counts.entries()]
    .sort((a, b) => a[1].order - b[1].order)
    .map(([kind, c]) => `${kind} (${c.n})`)
    .join(', ')
}

const KEY_PARTS = '(host CPU and cores, Node.js, plan, duration scale, load engine)'

/** Without a verdict: whether the baseline's runs were made under this run's comparability key. */
function baselineLine(b: BaselineView): Html {
  const differ = b.runList.filter((r) => r.differs.length)
  const none = differ.length === b.runList.length
  const tag = html`<span class="tag ${none ? 'warn' : 'good'}">${none ? 'not comparable' : 'comparable'}</span>`
  const one = differ.length === 1
  const sentence = differ.length
    ? `${b.runs} of ${plural(b.runList.length, 'baseline run')} have this run’s comparability key; ` +
      `${differ.length} ${one ? 'differs' : 'differ'} (${[...new Set(differ.flatMap((r) => r.differs))].join('; ')}) ` +
      `and ${one ? 'is' : 'are'} left out of the numbers`
    : `all ${plural(b.runList.length, 'baseline run')} have this run’s comparability key ${KEY_PARTS}`
  return html`<p class="small">${tag} ${sentence}</p>`
}
