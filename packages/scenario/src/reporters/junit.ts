/**
 * JUnit XML as CI systems read it (Jenkins, GitLab, GitHub test reporters):
 * one `<testsuite>` per scenario file, one `<testcase>` per scenario, a
 * one-line summary in `message=` and the whole failure text in the body
 * (message, diff, request, response, curl; already redacted).
 */
import { join } from 'node:path'
import { terminalLine } from '@steady/record/internal'
import { writeFileAtomic, Redactor } from '@steady/record'
import type { FailureSample } from '../failure.ts'
import { formatFailure } from './format.ts'
import type { Reporter, RunResult, ScenarioSummary } from './types.ts'

/** Options of {@link junitReporter}. */
export interface JunitReporterOptions {
  /** The run folder; the report goes to `<dir>/junit.xml` unless `file` is given. */
  dir: string
  /** Full path of the XML file. */
  file?: string
  redactor?: Redactor
}

// XML 1.0 forbids most control characters even when escaped.
const invalidXml = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g

/** Escapes text for XML attributes and content. */
function xmlEscape(s: string): string {
  return s
    .replace(invalidXml, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
}

const secs = (ms: number) => (ms / 1000).toFixed(3)

/** Longest `message=` attribute: CI tools show it on one line beside the test name. */
const summaryLimit = 300

/**
 * The `message=` of a `<failure>`: the step and every line of the message on
 * one line (an assertion's detail is often on its second line), control
 * characters escaped, cut with an ellipsis; the body has the whole text.
 */
function failureSummary(f: FailureSample, scenario?: ScenarioSummary): string {
  const text = f.message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' · ')
  const cut = text.length > summaryLimit ? `${text.slice(0, summaryLimit - 1)}…` : text
  const several = scenario && scenario.iterations > 1
  const tally = several ? ` (${scenario.failed} of ${scenario.iterations} iterations failed)` : ''
  return terminalLine(`${f.step ? `[${f.step}] ` : ''}${cut}${tally}`)
}

/** Renders the JUnit document for a run. */
function renderJunit(result: RunResult, options: { record?: string } = {}): string {
  const byFile = new Map<string, ScenarioSummary[]>()
  for (const s of result.scenarios) {
    const list = byFile.get(s.file) ?? []
    list.push(s)
    byFile.set(s.file, list)
  }
  const count = (list: ScenarioSummary[], st: ScenarioSummary['status']) => list.filter((s) => s.status === st).length
  // JUnit has no "interrupted": an interrupted scenario did not finish, so it counts as skipped.
  const counts = (list: ScenarioSummary[]) =>
    `tests="${list.length}" failures="${count(list, 'failed')}" errors="0" ` +
    `skipped="${count(list, 'skipped') + count(list, 'interrupted')}"`
  const property = (name: string, value: string) => `<property name="${name}" value="${xmlEscape(value)}"/>`
  const properties = [
    property('seed', result.record.seed),
    property('target', result.record.subject.target ?? ''),
    property('run', result.record.id),
  ].join('')
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="steady run" ${counts(result.scenarios)} time="${secs(result.record.durationMs)}">`,
  ]
  for (const [file, list] of byFile) {
    const time = list.reduce((t, s) => t + s.durationMs, 0)
    const timestamp = xmlEscape(result.record.startedAt)
    lines.push(`  <testsuite name="${xmlEscape(file)}" ${counts(list)} time="${secs(time)}" timestamp="${timestamp}">`)
    lines.push(`    <properties>${properties}</properties>`)
    for (const s of list) {
      const where = s.line ? ` file="${xmlEscape(file)}" line="${s.line}"` : ''
      const attrs = `classname="${xmlEscape(file)}" name="${xmlEscape(s.name)}" time="${secs(s.durationMs)}"${where}`
      if (s.status === 'passed') {
        lines.push(`    <testcase ${attrs}/>`)
        continue
      }
      lines.push(`    <testcase ${attrs}>`)
      if (s.status === 'skipped' || s.status === 'interrupted')
        lines.push(`      <skipped message="${xmlEscape(s.skipReason ?? s.status)}"/>`)
      else {
        const first = s.failures[0]
        const message = first ? failureSummary(first, s) : `${s.failed} of ${s.iterations} iterations failed`
        const text = [
          `${s.failed} of ${s.iterations} iteration(s) failed`,
          ...s.failures.map((f) => formatFailure(f, { record: options.record })),
        ].join('\n\n')
        const type = xmlEscape(first?.kind ?? 'failure')
        lines.push(`      <failure message="${xmlEscape(message)}" type="${type}">${xmlEscape(text)}</failure>`)
      }
      lines.push('    </testcase>')
    }
    lines.push('  </testsuite>')
  }
  if (result.hookFailures.length) {
    const n = result.hookFailures.length
    lines.push(`  <testsuite name="setup and teardown" tests="${n}" failures="${n}" errors="0" skipped="0" time="0">`)
    for (const f of result.hookFailures) {
      lines.push(`    <testcase classname="${xmlEscape(f.file ?? '')}" name="${xmlEscape(f.scenario)}" time="0">`)
      const summary = xmlEscape(failureSummary(f))
      lines.push(`      <failure message="${summary}" type="setup">${xmlEscape(formatFailure(f))}</failure>`)
      lines.push('    </testcase>')
    }
    lines.push('  </testsuite>')
  }
  lines.push('</testsuites>', '')
  return lines.join('\n')
}

/** Writes `junit.xml`. */
export function junitReporter(options: JunitReporterOptions): Reporter {
  return {
    name: 'junit',
    async onRunEnd(result: RunResult) {
      const path = options.file ?? join(options.dir, 'junit.xml')
      const redactor = options.redactor ?? new Redactor()
      await writeFileAtomic(path, redactor.text(renderJunit(result, { record: join(options.dir, 'run.json') })))
      return [path]
    },
  }
}
