/**
 * Verdicts for people and tools: text (the terminal, a CI log; `text.ts`),
 * markdown (a PR comment; `markdown.ts`), JUnit XML (CI test reports) and JSON
 * (`steady.verdict/1`). Text and markdown list what decided the verdict and
 * count the rest; JSON and JUnit stay complete. Every output passes through
 * the one redaction step of @steady/record.
 */
import { Redactor, type Finding, type Verdict } from '@steady/record'
import { markdown } from './markdown.ts'
import { plain } from './text.ts'

export type VerdictFormat = 'text' | 'json' | 'markdown' | 'junit'
export const VERDICT_FORMATS: VerdictFormat[] = ['text', 'json', 'markdown', 'junit']

export interface RenderOptions {
  /** ANSI colours (text only). */
  color?: boolean
  /**
   * Text: list every check with its sentence instead of counting the passed
   * and not-judged ones. Markdown: fold the passing checks into the details too.
   */
  all?: boolean
  /** The redactor to use (default: a fresh one with the default rules). */
  redactor?: Redactor
}

const failing = (f: Finding) => f.status === 'fail'

/** Renders a verdict in one of the formats. */
export function renderVerdict(v: Verdict, format: VerdictFormat, options: RenderOptions = {}): string {
  const redactor = options.redactor ?? new Redactor()
  if (format === 'json') return JSON.stringify(redactor.value(v), null, 2) + '\n'
  const text =
    format === 'markdown'
      ? markdown(v, { all: options.all })
      : format === 'junit'
        ? junit(v)
        : plain(v, { color: options.color, all: options.all })
  return redactor.text(text)
}

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

function junit(v: Verdict): string {
  const cases = v.findings.filter((f) => f.primary || failing(f))
  const failures = cases.filter((f) => failing(f) && f.primary).length
  const skipped = cases.filter((f) => f.status === 'not-judged' || f.status === 'inconclusive').length
  const lines: string[] = []
  lines.push('<?xml version="1.0" encoding="UTF-8"?>')
  lines.push(`<testsuites name="steady ${v.mode}" tests="${cases.length}" failures="${failures}" skipped="${skipped}">`)
  for (const q of ['working', 'stable'] as const) {
    const mine = cases.filter((f) => f.question === q)
    lines.push(
      `  <testsuite name="${q} (gate ${xml(v.gate.name)})" tests="${mine.length}" ` +
        `failures="${mine.filter((f) => failing(f) && f.primary).length}" ` +
        `skipped="${mine.filter((f) => f.status === 'not-judged' || f.status === 'inconclusive').length}">`,
    )
    lines.push(
      `    <properties><property name="result" value="${v[q].status}"/><property name="run" ` +
        `value="${xml(v.run.id)}"/></properties>`,
    )
    for (const f of mine) {
      const name = xml(f.id)
      const cls = xml(`steady.${f.kind}${f.scenario ? `.${f.scenario}` : ''}`)
      if (failing(f) && f.primary)
        lines.push(
          `    <testcase classname="${cls}" name="${name}"><failure message="${xml(f.message)}" ` +
            `type="${f.severity ?? 'minor'}">${xml(f.message)}</failure></testcase>`,
        )
      else if (f.status === 'not-judged' || f.status === 'inconclusive')
        lines.push(`    <testcase classname="${cls}" name="${name}"><skipped message="${xml(f.message)}"/></testcase>`)
      else
        lines.push(
          `    <testcase classname="${cls}" name="${name}"><system-out>${xml(f.message)}</system-out></testcase>`,
        )
    }
    lines.push('  </testsuite>')
  }
  lines.push('</testsuites>')
  return lines.join('\n') + '\n'
}
