/**
 * k6's exit codes (grafana/k6 `errext/exitcodes`, v2.2) and what steady makes
 * of each, in one table. steady's codes: 0 passed, 1 the run failed, 2 could
 * not run, `interrupted` → 130/143 after a signal.
 */

/** What a k6 exit code means to steady. */
type K6Outcome = 0 | 1 | 2 | 'interrupted'

export interface K6ExitCode {
  code: number
  /** k6's name for it. */
  name: string
  meaning: string
  steady: K6Outcome
}

/** Every documented k6 exit code. Codes not listed map to 2 (could not run). */
export const k6ExitCodes: readonly K6ExitCode[] = [
  { code: 0, name: 'OK', meaning: 'the run finished and every threshold passed', steady: 0 },
  {
    code: 97,
    name: 'CloudTestRunFailed',
    meaning: 'the cloud run failed (in v2 also cloud aborts not caused by thresholds)',
    steady: 2,
  },
  { code: 98, name: 'CloudFailedToGetProgress', meaning: "the cloud run's progress could not be read", steady: 2 },
  { code: 99, name: 'ThresholdsHaveFailed', meaning: 'thresholds failed (including abortOnFail aborts)', steady: 1 },
  { code: 100, name: 'SetupTimeout', meaning: 'setup() did not finish within setupTimeout', steady: 2 },
  { code: 101, name: 'TeardownTimeout', meaning: 'teardown() did not finish within teardownTimeout', steady: 2 },
  { code: 102, name: 'GenericTimeout', meaning: 'a timeout (e.g. handleSummary)', steady: 2 },
  { code: 103, name: 'GenericEngine', meaning: 'the run was stopped through the REST API', steady: 'interrupted' },
  { code: 104, name: 'InvalidConfig', meaning: 'the options or config are invalid', steady: 2 },
  { code: 105, name: 'ExternalAbort', meaning: 'stopped by a signal (SIGINT/SIGTERM)', steady: 'interrupted' },
  { code: 106, name: 'CannotStartRESTAPI', meaning: 'the REST API server could not start', steady: 2 },
  { code: 107, name: 'ScriptException', meaning: 'the script threw (init, setup or teardown)', steady: 2 },
  {
    code: 108,
    name: 'ScriptAborted',
    meaning: 'the script called exec.test.abort(): it judged the run failed',
    steady: 1,
  },
  { code: 109, name: 'GoPanic', meaning: 'k6 crashed (Go panic)', steady: 2 },
  { code: 110, name: 'MarkedAsFailed', meaning: 'the script called exec.test.fail() (the run went on)', steady: 1 },
  { code: 255, name: 'Unknown', meaning: 'any other error', steady: 2 },
]

/** Looks a k6 exit code up (unknown codes: `steady: 2`). */
export function mapK6ExitCode(code: number): K6ExitCode {
  return (
    k6ExitCodes.find((c) => c.code === code) ?? {
      code,
      name: 'Undocumented',
      meaning: `k6 exited with an undocumented code ${code}`,
      steady: 2,
    }
  )
}
