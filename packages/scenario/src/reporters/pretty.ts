/**
 * The console reporter: one line per scenario as it ends, then each failure
 * in full (diff, request, response, curl, replay command), then a summary.
 * Colour only on a terminal without `NO_COLOR`.
 */
import { formatDuration, terminalLine as line } from '@steady/record/internal'
import type { IterationResult } from '../iteration.ts'
import { colours, formatFailure, plain } from './format.ts'
import type { Reporter, RunResult, RunStartInfo, ScenarioSummary } from './types.ts'

/** Options of {@link prettyReporter}. */
export interface PrettyReporterOptions {
  /** Where to print (stdout). */
  write: (text: string) => void
  /** Use ANSI colours. */
  color?: boolean
}

/** The human console reporter. */
export function prettyReporter(options: PrettyReporterOptions): Reporter {
  const st = options.color ? colours : plain
  const out = options.write
  let start: RunStartInfo | undefined
  let done = 0
  let total = 0
  return {
    name: 'pretty',
    onRunStart(info) {
      start = info
      total = info.scenarios.length * info.iterations
      const target = line(info.targetName ? `${info.targetName} (${info.target})` : info.target)
      if (info.replay) {
        const { scenario, iteration } = info.replay
        const what = `${line(scenario)} · iteration ${iteration} · seed ${info.seed} · ${target}`
        out(st.bold(`steady run --replay · ${what}\n\n`))
      } else {
        const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
        const work = `${plural(info.scenarios.length, 'scenario')} × ${plural(info.iterations, 'iteration')}`
        out(st.dim(`steady run · ${work} · concurrency ${info.concurrency} · seed ${info.seed} · ${target}\n\n`))
      }
    },
    onIterationEnd(_r: IterationResult) {
      done++
      void total
    },
    onScenarioEnd(s: ScenarioSummary) {
      const mark =
        s.status === 'passed'
          ? st.green('✓')
          : s.status === 'failed'
            ? st.red('✗')
            : s.status === 'interrupted'
              ? st.yellow('■')
              : st.yellow('-')
      let detail: string
      if (s.status === 'skipped') detail = `skipped${s.skipReason ? `: ${line(s.skipReason)}` : ''}`
      else {
        const its = s.iterations === 1 ? '1 iteration' : `${s.iterations} iterations`
        const times =
          s.iterations > 1
            ? `mean ${formatDuration(s.meanMs)}, max ${formatDuration(s.maxMs)}`
            : formatDuration(s.durationMs)
        const ran = s.failed ? `${s.failed} of ${its} failed` : its
        detail = `${ran}, ${times}${s.status === 'interrupted' ? ', interrupted' : ''}`
      }
      out(`  ${mark} ${line(s.name)}  ${st.dim(`(${detail})`)}\n`)
    },
    onRunEnd(result: RunResult) {
      const record = result.outputs.find((p) => p.endsWith('run.json'))
      const failures = [...result.hookFailures, ...result.scenarios.flatMap((s) => s.failures)]
      const unique = [...new Set(failures)]
      if (unique.length) {
        out(`\n${st.bold(st.red('Failures'))}\n`)
        for (const f of unique) {
          const hook = f.kind === 'setup' ? st.dim(' (setup/teardown)') : ''
          out(`\n  ${st.red('✗')} ${st.bold(line(f.scenario))}${hook}\n`)
          out(formatFailure(f, { style: st, record }).replace(/^/gm, '    ') + '\n')
        }
      }
      const count = (status: ScenarioSummary['status']) => result.scenarios.filter((s) => s.status === status).length
      const parts = [st.green(`${count('passed')} passed`)]
      if (count('failed')) parts.push(st.red(`${count('failed')} failed`))
      if (count('skipped')) parts.push(st.yellow(`${count('skipped')} skipped`))
      if (count('interrupted')) parts.push(st.yellow(`${count('interrupted')} interrupted`))
      const { durationMs, seed, id } = result.record
      const about = `(${formatDuration(durationMs)}) · seed ${line(seed)} · run ${line(id)}`
      out(`\n${parts.join(', ')} ${st.dim(about)}\n`)
      if (result.outputs.length) out(st.dim(line(`wrote ${result.outputs.join(', ')}`) + '\n'))
      for (const e of result.reporterErrors) {
        out(st.yellow(line(`warning: reporter ${e.reporter} failed in ${e.hook}: ${e.message}`)) + '\n')
      }
      void start
      void done
    },
  }
}
