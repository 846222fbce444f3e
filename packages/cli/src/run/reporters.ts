/**
 * `--reporter pretty,json,junit,github` → reporter objects. The console
 * reporter goes last so it can name the files the others wrote.
 */
import { join } from 'node:path'
import { SteadyError, type Redactor } from '@steady/record'
import { githubReporter, jsonReporter, junitReporter, prettyReporter, type Reporter } from '@steady/scenario'
import type { CliContext } from '../context.ts'

const reporterNames = ['pretty', 'json', 'junit', 'github'] as const

/** Splits and checks a `--reporter` list. */
export function parseReporters(list: string | readonly string[]): string[] {
  const names = (Array.isArray(list) ? list : String(list).split(',')).map((s: string) => s.trim()).filter(Boolean)
  for (const n of names) {
    if (!(reporterNames as readonly string[]).includes(n)) {
      throw new SteadyError('STEADY_RUN_REPORTER', `--reporter: unknown reporter "${n}"`, {
        hint: `use a comma-separated list of: ${reporterNames.join(', ')}`,
      })
    }
  }
  return [...new Set(names)]
}

/** Builds the reporters; `dir` is the run folder (`run.json`, `junit.xml`). */
export function buildReporters(names: readonly string[], ctx: CliContext, dir: string, redactor: Redactor): Reporter[] {
  const out: Reporter[] = []
  if (names.includes('json')) out.push(jsonReporter({ dir, redactor }))
  if (names.includes('junit')) out.push(junitReporter({ dir, redactor }))
  if (names.includes('github'))
    out.push(
      githubReporter({
        write: ctx.out,
        summaryPath: ctx.env.GITHUB_STEP_SUMMARY || undefined,
        redactor,
        record: names.includes('json') ? join(dir, 'run.json') : undefined,
      }),
    )
  if (names.includes('pretty')) out.push(prettyReporter({ write: (s) => ctx.out(redactor.text(s)), color: ctx.color }))
  return out
}
