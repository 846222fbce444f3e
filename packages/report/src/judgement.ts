/**
 * What the report shows from a verdict and a baseline, in the report's own
 * terms, so the sections do not depend on the files' exact layout.
 */
import type { BandsBySeries, BaselineLoadPoint } from './charts.ts'
import type { FittedLine } from './stats.ts'

/** A scenario's behaviour as the verdict names it. */
export interface ScenarioJudgement {
  word: 'passed' | 'flaky' | 'onset' | 'failing'
  sentence: string
}

/** The baseline, as the tables and charts use it. */
export interface BaselineView {
  /** Where it came from (path or name), for the page. */
  name: string
  /** Baseline runs used. */
  runs: number
  /** Each baseline run's p50/p95/p99 (ms) for a series and phase. */
  phaseStats(key: string, phase: string): { p50: number[]; p95: number[]; p99: number[] } | undefined
  /** p95 ranges per step series and phase, for the latency charts' bands. */
  bands: BandsBySeries
  /** Baseline runs' (achieved rate, p95) per loaded phase, for the latency-under-load chart. */
  loadPoints: BaselineLoadPoint[]
  /** The baseline runs: id, date, and how each one's comparability key differs from this run's. */
  runList: { id: string; date?: string; version?: string; differs: string[] }[]
}

/** The verdict, as the top of the page shows it. */
export interface VerdictView {
  /** The answers to the two questions, each with the sentence that says why. */
  answers: { question: 'working' | 'stable'; answer: 'yes' | 'no' | 'inconclusive' | 'not judged'; why?: string }[]
  /** The overall outcome, one word. */
  outcome: 'pass' | 'fail' | 'inconclusive'
  /** What a person reads first (the verdict's own summary). */
  summary: string
  /** The gate the verdict was judged under. */
  gate?: string
  /** `verdict` against a baseline, `compare` between two runs, or `paired`: candidate against control in one run. */
  mode: 'verdict' | 'compare' | 'paired'
  /** For `paired`: the sides, `candidate 1.4.0 against control 1.3.2 in the same run (paired)`. */
  sides?: string
  /** Primary findings that failed: they decide the gate. */
  decisive: FindingView[]
  /** Secondary findings that changed critically (far past the tolerance): not gated, but shown at the top. */
  criticalSecondary: FindingView[]
  /** Other secondary findings that changed: reported only (unless the gate names them). */
  secondary: FindingView[]
  /** Primary findings that could not be decided: they keep the gate from a yes or no. */
  inconclusive: FindingView[]
  /** Changes recorded as intended, or on a muted series. */
  acceptedOrMuted: FindingView[]
  /** Informative findings and secondary ones that could not be decided. */
  info: FindingView[]
  /** Primary checks that were not judged, with why (the run could not have seen a change of the tolerance). */
  notJudged: FindingView[]
  /** The primary checks not judged, counted by reason, largest first. */
  notJudgedReasons: [string, number][]
  /** The primary checks not judged, by question (the answers' lines count them so). */
  notJudgedByQuestion: { working: number; stable: number }
  /** Secondary checks not judged: counted by reason, not listed. */
  notJudgedSecondary: { count: number; reasons: [string, number][] }
  /** Checks that were judged and passed. */
  passed: FindingView[]
  /** Whether the run was comparable with its baseline, and what differs. */
  comparable?: { ok: boolean; sentence: string }
  /** Scenario behaviours by scenario name. */
  scenarios: Map<string, ScenarioJudgement>
  /** Fitted lines by series key. */
  lines: Map<string, FittedLine[]>
  /** Anything else the verdict wants a reader to know. */
  notes: string[]
}

export interface FindingView {
  severity: 'fail' | 'warn' | 'info'
  /** The label in front: fails the gate, inconclusive, accepted, muted, passed. */
  tag: string
  /** Short kind in words: latency level, memory growth, failure rate, ... */
  kind: string
  /** Where the kind comes in the page's order (working first, then stability by weight). */
  kindOrder: number
  /** For ordering within a kind: severity (0 critical … 3 none), then the size of the change. */
  rank: number
  magnitude: number
  /** Where: scenario › step, phase, statistic. */
  place: string
  /** The sentence a person understands, with the numbers (without the place, when it starts with it). */
  sentence: string
  /** Whether the sentence goes on from the place (`… p95 in peak` `is 34 ms`) rather than after a colon. */
  continues: boolean
  /** Baseline, current, change, expected interval, p-value, tolerance, smallest detectable change: label → text. */
  numbers: [string, string][]
  /** How it was judged: series, method, evidence (label → text), folded away on the page. */
  detail: [string, string][]
  /** Primary findings fail gates; secondary ones are reported only. */
  primary: boolean
  /** The series key, so the page can link the finding to its chart. */
  series?: string
  /** The chart's element id, filled in when the page has a chart of the series. */
  chart?: string
}
