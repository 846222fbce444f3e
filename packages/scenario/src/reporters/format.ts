/** Plain-text pieces shared by the console, JUnit and GitHub reporters. */
import { formatDuration, shellCommand, terminalLine, terminalText } from '@steady/record/internal'
import type { FailureSample } from '../failure.ts'

/** ANSI styling that becomes a no-op without colour. */
export interface Style {
  red(s: string): string
  green(s: string): string
  yellow(s: string): string
  dim(s: string): string
  bold(s: string): string
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`
/** Colours for a terminal. */
export const colours: Style = {
  red: wrap(31, 39),
  green: wrap(32, 39),
  yellow: wrap(33, 39),
  dim: wrap(2, 22),
  bold: wrap(1, 22),
}
/** No colours (NO_COLOR, pipes, files). */
export const plain: Style = { red: (s) => s, green: (s) => s, yellow: (s) => s, dim: (s) => s, bold: (s) => s }

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((l) => (l ? by + l : l))
    .join('\n')
}

/** How to run a failed iteration again: a line to paste into a shell, every argument quoted for it. */
function replayCommand(sample: FailureSample, record: string): string {
  const { scenario, replay } = sample
  return shellCommand(['steady', 'run', '--replay', record, '--scenario', scenario, '--iteration', replay.iteration])
}

/**
 * A failure as text: where, what, the diff, the last request and response,
 * curl, and the replay command. Input is already redacted. The service and
 * the scenario author control most of it, so every piece is made safe for a
 * terminal (control characters escaped, no line starting with `::`).
 */
export function formatFailure(sample: FailureSample, options: { style?: Style; record?: string } = {}): string {
  const st = options.style ?? plain
  const line = terminalLine
  const lines: string[] = []
  const where = [
    sample.file ? `${sample.file}${sample.line ? `:${sample.line}` : ''}` : undefined,
    sample.step ? `step "${sample.step}"` : 'outside any step',
    `iteration ${sample.replay.iteration}`,
  ]
    .filter(Boolean)
    .join(' · ')
  lines.push(st.dim(line(where)))
  lines.push(st.red(terminalText(sample.message)))
  if (sample.diff) {
    lines.push('')
    for (const l of terminalText(sample.diff).split('\n')) {
      lines.push(l.startsWith('- ') ? st.green(l) : l.startsWith('+ ') ? st.red(l) : st.dim(l))
    }
  }
  if (sample.logs?.length) {
    lines.push('', st.dim('log:'))
    for (const l of sample.logs) lines.push('  ' + line(l))
  }
  if (sample.request) {
    const r = sample.request
    lines.push('', st.bold(line(`→ ${r.method} ${r.url}`)))
    for (const [k, v] of Object.entries(r.headers)) lines.push(st.dim(line(`  ${k}: ${v}`)))
    if (r.body) lines.push(indent(terminalText(r.body), '  '))
  }
  if (sample.response) {
    const r = sample.response
    lines.push(st.bold(`← ${r.status} (${formatDuration(r.durationMs)})`))
    for (const [k, v] of Object.entries(r.headers)) lines.push(st.dim(line(`  ${k}: ${v}`)))
    if (r.body) lines.push(indent(terminalText(r.body), '  '))
  }
  if (sample.curl) lines.push('', st.dim('reproduce:'), terminalText(sample.curl))
  if (options.record) lines.push(st.dim('replay:'), line(replayCommand(sample, options.record)))
  else lines.push(st.dim(`data seed: --seed ${line(sample.replay.seed)}`))
  return lines.join('\n')
}
