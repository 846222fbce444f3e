/**
 * The report's stylesheet: readable on a laptop, on a phone-width window and
 * on paper. Colours carry meaning (green passed, red failed, amber
 * inconclusive) but never alone: every status is also a word.
 */
export const styles = `
:root {
  --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #ffffff; --soft: #f6f8fa;
  --good: #1a7f37; --good-bg: #dafbe1; --bad: #cf222e; --bad-bg: #ffebe9;
  --warn: #9a6700; --warn-bg: #fff8c5; --none: #57606a; --none-bg: #eaeef2; --accent: #0969da;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; color: var(--fg); background: var(--bg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
main { max-width: 1180px; margin: 0 auto; padding: 16px 20px 48px; }
h1 { font-size: 1.45rem; margin: 0 0 4px; line-height: 1.25; word-break: break-word; }
h2 { font-size: 1.2rem; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.02rem; margin: 22px 0 6px; word-break: break-word; }
p { margin: 6px 0; }
a { color: var(--accent); }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.86em; }
pre {
  background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px;
  overflow-x: auto; white-space: pre-wrap; word-break: break-all; max-height: 24em;
}
.muted { color: var(--muted); }
.small { font-size: 0.87rem; }
.subtitle { color: var(--muted); margin: 0 0 14px; word-break: break-word; }
nav.toc { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 0.9rem; margin: 10px 0 0; }
nav.toc a { text-decoration: none; }

/* The verdict banner */
.verdict {
  border: 2px solid var(--none); background: var(--none-bg); border-radius: 10px;
  padding: 14px 18px; margin: 12px 0 8px;
}
.verdict.good { border-color: var(--good); background: var(--good-bg); }
.verdict.bad { border-color: var(--bad); background: var(--bad-bg); }
.verdict.warn { border-color: var(--warn); background: var(--warn-bg); }
.verdict .headline { font-size: 1.35rem; font-weight: 700; margin: 0 0 6px; }
.verdict ul.answers {
  list-style: none; padding: 0; margin: 6px 0 8px; display: flex; flex-direction: column; gap: 4px;
}
.verdict ul.answers li { margin: 0; }
.verdict ul.answers.row { flex-direction: row; flex-wrap: wrap; gap: 8px; }
.verdict h3 { margin: 14px 0 4px; }
.verdict .numbers { margin-top: 2px; }
.verdict .numbers strong { color: var(--fg); font-weight: 600; }
details.passed, details.more-findings { background: #fff; margin-top: 8px; }
.finding-group h4 { margin: 10px 0 2px; font-size: 0.95rem; }
ul.findings { margin: 2px 0; padding-left: 1.2em; }
ul.findings li, .verdict li { overflow-wrap: anywhere; }
details.evidence { border: 0; padding: 0; margin: 0; }
details.evidence > summary { font-weight: 400; font-size: 0.8rem; color: var(--muted); padding: 0; }
details.evidence[open] > summary { border: 0; margin: 0; }
.answer {
  display: inline-block; border-radius: 999px; padding: 2px 12px; font-weight: 600;
  border: 1px solid currentColor; background: #fff;
}
.answer.good { color: var(--good); }
.answer.bad { color: var(--bad); }
.answer.warn { color: var(--warn); }
.answer.none { color: var(--none); }
.verdict ul { margin: 6px 0 0; padding-left: 1.2em; }
.verdict li { margin: 3px 0; }
.finding-kind { font-weight: 600; }
.tag {
  display: inline-block; font-size: 0.78rem; font-weight: 600; border-radius: 4px; padding: 0 6px;
  margin-right: 4px; border: 1px solid currentColor; white-space: nowrap;
}
.tag.bad { color: var(--bad); background: var(--bad-bg); } .tag.warn { color: var(--warn); background: var(--warn-bg); }
.tag.good { color: var(--good); background: var(--good-bg); }
.tag.none { color: var(--none); background: var(--none-bg); }

/* Facts at a glance */
.facts { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 8px; margin: 10px 0; }
.fact { border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; background: var(--soft); }
.fact .k { font-size: 0.8rem; color: var(--muted); }
.fact .v { font-size: 1.15rem; font-weight: 650; word-break: break-word; }
.fact.bad .v { color: var(--bad); } .fact.good .v { color: var(--good); } .fact.warn .v { color: var(--warn); }

/* Tables */
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; margin: 8px 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--soft); font-weight: 600; white-space: nowrap; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.name { word-break: break-word; min-width: 9em; }
tr.group td { background: #fbfbfc; font-weight: 600; word-break: break-word; }
table.steps td.name { padding-left: 1.2em; }
table.steps th[colspan] { text-align: center; border-bottom: 1px solid var(--line); }
details.all-quantiles { margin-top: 10px; }
.scenario-charts { margin: 18px 0 6px; }
.scenario-charts > h3 { margin: 0 0 4px; font-size: 1.08rem; }
.charts.one { grid-template-columns: minmax(0, 1fr); }
details.step-charts { padding-bottom: 6px; }
.flat { font-size: 0.85rem; }
.up { color: var(--bad); } .down { color: var(--good); }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 6px 0; }
dl.kv dt { color: var(--muted); } dl.kv dd { margin: 0; word-break: break-word; }

/* Charts */
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 520px), 1fr)); gap: 14px 22px; }
figure { margin: 0; min-width: 0; break-inside: avoid; page-break-inside: avoid; }
figure h3 { margin: 10px 0 2px; }
figcaption { font-size: 0.85rem; color: var(--muted); margin: 2px 0 6px; }
.chart { min-height: 200px; width: 100%; }
.nojs { font-size: 0.85rem; color: var(--muted); border: 1px dashed var(--line); padding: 8px; border-radius: 6px; }
.js .nojs { display: none; }
.chart-error { color: var(--bad); }
.slopes { font-size: 0.85rem; margin: 4px 0 0; }
.uplot { font-family: inherit; max-width: 100%; }
.u-legend { max-width: 100%; }
.u-legend .u-series { max-width: 100%; }
.u-legend .u-label { white-space: normal; overflow-wrap: anywhere; max-width: 100%; }
.u-legend { font-size: 0.8rem; text-align: left; }
.u-legend .u-series > * { padding: 1px 3px; }

/* Failure timeline */
.timeline { border: 1px solid var(--line); border-radius: 8px; padding: 8px 10px; }
.tl-row {
  display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 3fr); gap: 4px 12px;
  align-items: center; padding: 4px 0; border-top: 1px solid #eef0f2;
}
.tl-row:first-child { border-top: 0; }
.tl-label { font-size: 0.85rem; word-break: break-word; }
.tl-label .when { color: var(--muted); font-size: 0.8rem; display: block; }
.tl-row svg { width: 100%; height: 22px; display: block; }
.tl-scale { position: relative; height: 30px; }
.tl-scale svg { height: 30px; position: absolute; inset: 0; }
.tl-phase, .tl-tick {
  position: absolute; font-size: 10px; line-height: 1; color: #444; white-space: nowrap;
  overflow: hidden;
}
.tl-phase { top: 3px; padding-left: 3px; }
.tl-tick { top: 19px; padding-left: 2px; color: #666; }
.tl-tick.last { transform: translateX(-100%); padding-right: 2px; }

/* Failure samples */
details { border: 1px solid var(--line); border-radius: 8px; margin: 8px 0; padding: 0 12px; }
details > summary { cursor: pointer; padding: 8px 0; font-weight: 600; word-break: break-word; }
details[open] > summary { border-bottom: 1px solid var(--line); margin-bottom: 8px; }
.sample { border-left: 3px solid var(--bad); padding: 2px 0 2px 10px; margin: 10px 0 14px; }
.sample h4 { margin: 0 0 4px; font-size: 0.92rem; }
.sample .label { font-weight: 600; font-size: 0.82rem; color: var(--muted); margin: 8px 0 2px; }

footer {
  margin-top: 40px; font-size: 0.8rem; color: var(--muted); border-top: 1px solid var(--line);
  padding-top: 10px;
}

@media (max-width: 640px) {
  main { padding: 10px 10px 32px; }
  body { font-size: 14px; }
  .tl-row { grid-template-columns: 1fr; }
  .verdict { padding: 10px 12px; }
  dl.kv { grid-template-columns: 1fr; }
  dl.kv dt { margin-top: 4px; }
}
@media print {
  @page { margin: 14mm 12mm; }
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  nav.toc, .nojs, .u-cursor-x, .u-cursor-y, .u-select { display: none !important; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2 { break-after: avoid; page-break-after: avoid; }
  .charts { display: block; }
  figure, .sample, tr { break-inside: avoid; page-break-inside: avoid; }
  pre { max-height: none; }
  details { border: 0; padding: 0; }
  details > summary { list-style: none; }
  a { color: inherit; text-decoration: none; }
}
`
