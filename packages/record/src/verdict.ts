/**
 * The verdict (`schema: "steady.verdict/1"`): what `steady verdict` and
 * `steady compare` write, what gates act on (through the exit code) and what
 * people and the HTML report read. Every finding carries its numbers (series,
 * baseline, current, change, interval or p-value, the smallest change the run
 * could have detected) and one sentence a person understands.
 */
import type { ComparabilityKey, PairedRun, Subject } from './run-record.ts'

export const VERDICT_SCHEMA = 'steady.verdict/1'

/** The gate's answer: `pass` exits 0, `fail` 1, `inconclusive` 3 (or 1 when the gate says so; never 0). */
export type GateResult = 'pass' | 'fail' | 'inconclusive'

/** The answer to one of the two questions (working, stable). */
export type QuestionStatus = 'pass' | 'fail' | 'inconclusive' | 'not-required'

/** Severity of a failing finding, from how far past the tolerance it is. */
export type Severity = 'minor' | 'major' | 'critical'

export type FindingKind =
  // working
  | 'failing'
  | 'flaky'
  | 'onset'
  // stable: levels, tails, failures
  | 'level'
  | 'tail'
  | 'failure-rate'
  | 'new-error'
  | 'load-failures'
  | 'objective'
  // stable: over time and under load
  | 'drift'
  | 'leak'
  | 'indicator-trend'
  | 'load-latency'
  | 'load-slope'
  | 'dropped-iterations'
  | 'start-lateness'
  | 'restart'
  | 'crash'
  | 'recovery'
  // about the judgement itself
  | 'comparability'
  | 'baseline'
  | 'missing-series'
  | 'incomplete-run'
  | 'generator-saturated'
  | 'open-model'

/**
 * - `fail`: a change past the gate's tolerance that the test confirms;
 * - `pass`: judged, no such change;
 * - `not-judged`: the run could not have seen a change of the tolerance (too few iterations, too short);
 * - `inconclusive`: could not be judged (no or incomparable baseline);
 * - `accepted`: a failing change recorded as intended (`steady baseline accept`);
 * - `muted`: a failing change on a series muted until a date (`steady baseline mute`);
 * - `info`: reported, never gating.
 */
export type FindingStatus = 'fail' | 'pass' | 'not-judged' | 'inconclusive' | 'accepted' | 'muted' | 'info'

export interface Finding {
  /**
   * Stable across runs: what `steady baseline accept <finding>` names, e.g.
   * `level:p95:probe/http_req_duration{name=login,scenario=checkout}@peak`.
   */
  id: string
  kind: FindingKind
  question: 'working' | 'stable'
  status: FindingStatus
  /** Primary findings decide the gate; secondary ones are reported only (unless the gate names them). */
  primary: boolean
  severity?: Severity
  series?: string
  scenario?: string
  step?: string
  phase?: string
  /** What was measured: `p50`, `p95`, `p99`, `failure rate`, `heap slope`, ... */
  stat?: string
  /** Unit of `baseline`, `current` and `interval`: `ms`, `ratio`, `rate`, `count`, `bytes/h`, ... */
  unit?: string
  /** The baseline's value (centre of the baseline runs; for two-run compares, run A). */
  baseline?: number
  current?: number
  /**
   * The change: relative (0.15 = +15%) when `changeKind` is `relative`, a
   * difference otherwise (0.005 = +0.5 percentage points).
   */
  change?: number
  changeKind?: 'relative' | 'absolute'
  /** Where the current value was expected to fall if nothing changed (same unit as `current`). */
  interval?: [number, number]
  /** One-sided p-value of "no change", and after Holm's correction over the gate's family. */
  pValue?: number
  pAdjusted?: number
  /** The gate's tolerance for this kind (same scale as `change`). */
  tolerance?: number
  /** The smallest change this run could have detected (same scale as `change`). */
  detectable?: number
  /** How it was judged, e.g. `log-scale prediction interval, t on 9 df`. */
  method?: string
  /** When it started or happened (ms since the run started): onsets, restarts. */
  atMs?: number
  /** Further numbers behind the finding (a fitted line, a ratio, the other steps' change). */
  evidence?: Record<string, number | string | boolean | null>
  /** One sentence a person understands. */
  message: string
  accepted?: { by: string; reason: string; at: string }
  muted?: { owner: string; until: string; reason: string }
}

export interface QuestionVerdict {
  status: QuestionStatus
  /** The sentence that says why. */
  reason: string
  /** Ids of the findings that decided it. */
  findings: string[]
}

export interface VerdictRunRef {
  id: string
  file?: string
  startedAt: string
  durationMs: number
  complete: boolean
  subject: Subject
  comparability: ComparabilityKey
  /** On a paired run: both sides (the run record's `paired`), so a reader names the control without the record. */
  paired?: PairedRun
}

export interface VerdictBaselineRun {
  id: string
  startedAt: string
  version?: string
  commit?: string
  pinned?: boolean
  comparable: boolean
  /** The comparability fields that differ from the current run (`cores: 2 vs 8`). */
  differs?: string[]
}

export interface VerdictBaselineRef {
  file?: string
  service?: string
  runs: VerdictBaselineRun[]
  /** Runs compared with (comparable, or differing only in relaxed keys). */
  comparableRuns: number
  excluded: { id: string; reason: string }[]
}

/** The gate policy as resolved (defaults filled in), so a verdict explains itself. */
export interface VerdictGate {
  name: string
  require: ('working' | 'stable')[]
  onInconclusive: 'exit-3' | 'fail'
  failOn: Severity
  alpha: number
  minBaselineRuns: number
  notJudged: 'inconclusive' | 'warn'
  relax: string[]
  bootstrap: boolean
  flakeBudget: number
  tolerance: Record<string, number>
}

export interface Verdict {
  schema: typeof VERDICT_SCHEMA
  /**
   * `verdict` against a baseline; `compare` between two runs (never for
   * gates); `paired`: candidate against control in one paired run.
   */
  mode: 'verdict' | 'compare' | 'paired'
  result: GateResult
  exitCode: 0 | 1 | 3
  /** What a person reads first: the result and the findings that decided it. */
  summary: string
  judgedAt: string
  tool: { name: 'steady'; version: string }
  gate: VerdictGate
  run: VerdictRunRef
  baseline: VerdictBaselineRef | null
  working: QuestionVerdict
  stable: QuestionVerdict
  /** Every judged check, failing or not (the report plots them; text output shows what matters). */
  findings: Finding[]
  warnings: string[]
}

const num = { type: 'number' } as const
const str = { type: 'string' } as const
const question = {
  type: 'object',
  required: ['status', 'reason', 'findings'],
  properties: {
    status: { enum: ['pass', 'fail', 'inconclusive', 'not-required'] },
    reason: str,
    findings: { type: 'array', items: str },
  },
  additionalProperties: false,
} as const

const findingKinds: FindingKind[] = [
  'failing',
  'flaky',
  'onset',
  'level',
  'tail',
  'failure-rate',
  'new-error',
  'load-failures',
  'objective',
  'drift',
  'leak',
  'indicator-trend',
  'load-latency',
  'load-slope',
  'dropped-iterations',
  'start-lateness',
  'restart',
  'crash',
  'recovery',
  'comparability',
  'baseline',
  'missing-series',
  'incomplete-run',
  'generator-saturated',
  'open-model',
]

/** The JSON Schema of a verdict (`steady.verdict/1`). */
export const verdictSchema = {
  $id: 'https://steady.dev/schema/steady.verdict-1.json',
  title: 'steady verdict',
  type: 'object',
  required: [
    'schema',
    'mode',
    'result',
    'exitCode',
    'summary',
    'judgedAt',
    'tool',
    'gate',
    'run',
    'baseline',
    'working',
    'stable',
    'findings',
    'warnings',
  ],
  properties: {
    schema: { const: VERDICT_SCHEMA },
    mode: { enum: ['verdict', 'compare', 'paired'] },
    result: { enum: ['pass', 'fail', 'inconclusive'] },
    exitCode: { enum: [0, 1, 3] },
    summary: str,
    judgedAt: { type: 'string', format: 'date-time' },
    tool: { type: 'object', required: ['name', 'version'], properties: { name: { const: 'steady' }, version: str } },
    gate: {
      type: 'object',
      required: [
        'name',
        'require',
        'onInconclusive',
        'failOn',
        'alpha',
        'minBaselineRuns',
        'notJudged',
        'relax',
        'bootstrap',
        'flakeBudget',
        'tolerance',
      ],
      properties: {
        name: str,
        require: { type: 'array', items: { enum: ['working', 'stable'] } },
        onInconclusive: { enum: ['exit-3', 'fail'] },
        failOn: { enum: ['minor', 'major', 'critical'] },
        alpha: { type: 'number', exclusiveMinimum: 0, maximum: 0.5 },
        minBaselineRuns: { type: 'integer', minimum: 1 },
        notJudged: { enum: ['inconclusive', 'warn'] },
        relax: { type: 'array', items: str },
        bootstrap: { type: 'boolean' },
        flakeBudget: { type: 'number', minimum: 0, maximum: 1 },
        tolerance: { type: 'object', additionalProperties: num },
      },
    },
    run: {
      type: 'object',
      required: ['id', 'startedAt', 'durationMs', 'complete', 'subject', 'comparability'],
      properties: {
        id: str,
        file: str,
        startedAt: str,
        durationMs: { type: 'number', minimum: 0 },
        complete: { type: 'boolean' },
        subject: { type: 'object' },
        comparability: { type: 'object' },
        paired: { type: 'object', required: ['candidate', 'control'] },
      },
    },
    baseline: {
      anyOf: [
        { type: 'null' },
        {
          type: 'object',
          required: ['runs', 'comparableRuns', 'excluded'],
          properties: {
            file: str,
            service: str,
            comparableRuns: { type: 'integer', minimum: 0 },
            runs: {
              type: 'array',
              items: {
                type: 'object',
                required: ['id', 'startedAt', 'comparable'],
                properties: {
                  id: str,
                  startedAt: str,
                  version: str,
                  commit: str,
                  pinned: { type: 'boolean' },
                  comparable: { type: 'boolean' },
                  differs: { type: 'array', items: str },
                },
              },
            },
            excluded: {
              type: 'array',
              items: { type: 'object', required: ['id', 'reason'], properties: { id: str, reason: str } },
            },
          },
        },
      ],
    },
    working: question,
    stable: question,
    findings: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'kind', 'question', 'status', 'primary', 'message'],
        properties: {
          id: str,
          kind: { enum: findingKinds },
          question: { enum: ['working', 'stable'] },
          status: { enum: ['fail', 'pass', 'not-judged', 'inconclusive', 'accepted', 'muted', 'info'] },
          primary: { type: 'boolean' },
          severity: { enum: ['minor', 'major', 'critical'] },
          series: str,
          scenario: str,
          step: str,
          phase: str,
          stat: str,
          unit: str,
          baseline: num,
          current: num,
          change: num,
          changeKind: { enum: ['relative', 'absolute'] },
          interval: { type: 'array', items: num, minItems: 2, maxItems: 2 },
          pValue: { type: 'number', minimum: 0, maximum: 1 },
          pAdjusted: { type: 'number', minimum: 0, maximum: 1 },
          tolerance: num,
          detectable: num,
          method: str,
          atMs: num,
          evidence: { type: 'object', additionalProperties: { type: ['number', 'string', 'boolean', 'null'] } },
          message: str,
          accepted: { type: 'object', required: ['by', 'reason', 'at'], properties: { by: str, reason: str, at: str } },
          muted: {
            type: 'object',
            required: ['owner', 'until', 'reason'],
            properties: { owner: str, until: str, reason: str },
          },
        },
        additionalProperties: false,
      },
    },
    warnings: { type: 'array', items: str },
  },
} as const
