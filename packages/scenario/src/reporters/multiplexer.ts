import type { Reporter, RunResult, RunStartInfo, ScenarioSummary } from './types.ts'
import type { IterationResult } from '../iteration.ts'

/** A reporter failure, as the multiplexer collects it. */
export interface ReporterError {
  reporter: string
  hook: string
  message: string
}

/**
 * Fans hooks out to several reporters, in order. A reporter that throws (or
 * rejects) is recorded in `errors` and `onError` is told; the others and the
 * run carry on (the Playwright multiplexer shape).
 */
export function createMultiplexer(reporters: readonly Reporter[], onError?: (error: ReporterError) => void) {
  const errors: ReporterError[] = []
  const outputs: string[] = []
  async function call<H extends keyof Reporter>(hook: H, arg: unknown): Promise<void> {
    for (const r of reporters) {
      const fn = r[hook] as ((a: unknown) => unknown) | undefined
      if (typeof fn !== 'function') continue
      try {
        const out = await fn.call(r, arg)
        if (hook === 'onRunEnd' && Array.isArray(out)) outputs.push(...(out as string[]))
      } catch (error) {
        const e = { reporter: r.name, hook, message: error instanceof Error ? error.message : String(error) }
        errors.push(e)
        onError?.(e)
      }
    }
  }
  return {
    errors,
    outputs,
    onRunStart: (info: RunStartInfo) => call('onRunStart', info),
    onIterationEnd: (result: IterationResult) => call('onIterationEnd', result),
    onScenarioEnd: (summary: ScenarioSummary) => call('onScenarioEnd', summary),
    onRunEnd: (result: RunResult) => call('onRunEnd', result),
  }
}
