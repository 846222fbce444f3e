/**
 * GitHub Actions: an `::error` annotation per failed scenario (on the
 * scenario file and line, so it shows in the PR diff) and a Markdown table
 * appended to `$GITHUB_STEP_SUMMARY`.
 */
import { appendFileSync } from 'node:fs'
import { formatDuration, terminalLine, terminalText } from '@steady/record/internal'
import { Redactor } from '@steady/record'
import { formatFailure } from './format.ts'
import type { Reporter, RunResult, ScenarioSummary } from './types.ts'

/** Options of {@link githubReporter}. */
export interface GithubReporterOptions {
  /** Where workflow commands go (stdout). */
  write: (text: string) => void
  /** The step summary file (`$GITHUB_STEP_SUMMARY`); no summary when unset. */
  summaryPath?: string
  redactor?: Redactor
  /** The run record path, for replay commands. */
  record?: string
}

/** Escapes a workflow command's message. */
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

/** Escapes a workflow command's property value. */
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C')
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ')
}

const runStatus: Record<RunResult['status'], string> = {
  passed: '✅ passed',
  failed: '❌ failed',
  interrupted: '⏹️ interrupted',
}

/** Renders the step summary Markdown. */
function renderGithubSummary(result: RunResult, record?: string): string {
  const icon = (s: ScenarioSummary) => (s.status === 'passed' ? '✅' : s.status === 'failed' ? '❌' : '⏭️')
  const status = runStatus[result.status]
  const { subject, seed, id, durationMs } = result.record
  const lines = [
    `### steady run: ${status}`,
    '',
    `Target \`${subject.target ?? ''}\` · seed \`${seed}\` · run \`${id}\` · ${formatDuration(durationMs)}`,
    '',
    '| | Scenario | File | Iterations | Failed | Mean | Max |',
    '|---|---|---|---:|---:|---:|---:|',
  ]
  for (const s of result.scenarios) {
    const times = `${formatDuration(s.meanMs)} | ${formatDuration(s.maxMs)}`
    lines.push(`| ${icon(s)} | ${cell(s.name)} | \`${cell(s.file)}\` | ${s.iterations} | ${s.failed} | ${times} |`)
  }
  const failures = [...result.hookFailures, ...result.scenarios.flatMap((s) => s.failures.slice(0, 1))]
  for (const f of failures) {
    const step = f.step ? ` — step “${cell(f.step)}”` : ''
    lines.push(
      '',
      `<details><summary>❌ ${cell(f.scenario)}${step}: ${cell(f.message.split('\n')[0].slice(0, 200))}</summary>`,
      '',
      '```text',
      formatFailure(f, { record }).replace(/```/g, "'''"),
      '```',
      '',
      '</details>',
    )
  }
  return lines.join('\n') + '\n'
}

/** Annotations and a step summary for GitHub Actions. */
export function githubReporter(options: GithubReporterOptions): Reporter {
  const redactor = options.redactor ?? new Redactor()
  return {
    name: 'github',
    onRunEnd(result: RunResult) {
      const annotate = (file: string | undefined, line: number | undefined, title: string, message: string) => {
        const where = [file ? `file=${escapeProperty(file)}` : '', line ? `line=${line}` : '']
        const props = [...where, `title=${escapeProperty(terminalLine(title))}`].filter(Boolean).join(',')
        // The log shows the annotation line too: escapes and other controls are written out, newlines encoded.
        options.write(`::error ${props}::${escapeData(terminalText(redactor.text(message)))}\n`)
      }
      for (const s of result.scenarios) {
        if (s.status !== 'failed') continue
        const f = s.failures[0]
        const message = f
          ? [
              `${f.step ? `[${f.step}] ` : ''}${f.message}`,
              f.diff ?? '',
              `seed ${f.replay.seed}, iteration ${f.replay.iteration}`,
            ]
              .filter(Boolean)
              .join('\n')
          : `${s.failed} of ${s.iterations} iterations failed`
        annotate(f?.file ?? s.file, f?.line ?? s.line, `steady: ${s.name}`, message)
      }
      for (const f of result.hookFailures) annotate(f.file, f.line, `steady: ${f.scenario}`, f.message)
      if (options.summaryPath) {
        appendFileSync(options.summaryPath, redactor.text(renderGithubSummary(result, options.record)))
        return [options.summaryPath]
      }
      return []
    },
  }
}
