/**
 * Progress of a long soak: on a terminal, one live line rewritten in place;
 * elsewhere (CI logs), a plain line every `plainEveryMs` (default 10 s).
 */
import { formatDuration, terminalLine, terminalText } from '@steady/record/internal'

export interface ProgressSnapshot {
  phase: string
  elapsedMs: number
  totalMs: number
  iterations: number
  passed: number
  /** p95 of the probe requests over the last window, ms. */
  p95Ms?: number
  /** Achieved load rate (iterations/s) in the current phase. */
  loadRate?: number
  /** On a paired soak: each side's probe iterations (the totals above are both sides'). */
  sides?: { side: string; iterations: number; passed: number }[]
}

export interface ProgressOptions {
  write: (text: string) => void
  isTTY: boolean
  plainEveryMs?: number
  /** Wall-clock ms, injectable for tests. */
  now?: () => number
}

export function formatProgress(s: ProgressSnapshot): string {
  const pct = s.totalMs > 0 ? Math.min(100, Math.floor((100 * s.elapsedMs) / s.totalMs)) : 0
  const rate = s.iterations > 0 ? `${((100 * s.passed) / s.iterations).toFixed(1)}% pass` : 'no iterations yet'
  const parts = [
    `phase ${s.phase}`,
    `${formatDuration(s.elapsedMs)}/${formatDuration(s.totalMs)} (${pct}%)`,
    `${s.iterations} probe iterations, ${rate}`,
  ]
  // Briefly, both sides: `candidate 12 (100%) / control 12 (100%)`.
  if (s.sides?.length) {
    const pct = (x: { iterations: number; passed: number }) =>
      x.iterations ? ` (${((100 * x.passed) / x.iterations).toFixed(0)}%)` : ''
    parts.push(s.sides.map((x) => `${x.side} ${x.iterations}${pct(x)}`).join(' / '))
  }
  if (s.p95Ms !== undefined && Number.isFinite(s.p95Ms)) parts.push(`probe p95 ${formatDuration(s.p95Ms)}`)
  if (s.loadRate !== undefined) parts.push(`load ${s.loadRate.toFixed(1)} it/s`)
  return parts.join(' · ')
}

/** Load windows of one phase, and how many of them the generator was saturated in. */
export interface SaturationCount {
  phase: string
  windows: number
  saturated: number
  /** Why, without the window's own numbers (`event-loop utilisation ≥ 0.9`), in order first seen. */
  reasons: string[]
}

/** `generator saturated in 7 of 30 windows of peak`: one line per phase, not one per window. */
export function formatSaturation(c: SaturationCount): string {
  const why = c.reasons.length ? ` (${c.reasons.join(', ')})` : ''
  return `generator saturated in ${c.saturated} of ${c.windows} window${c.windows === 1 ? '' : 's'} of ${c.phase}${why}`
}

export class Progress {
  readonly #o: ProgressOptions
  #lastPlain = -Infinity
  #live = false
  #phases = new Map<string, SaturationCount>()

  constructor(options: ProgressOptions) {
    this.#o = options
  }

  update(s: ProgressSnapshot): void {
    const c = this.#phases.get(s.phase)
    // Scenario names and messages come from the team's files and the service: escaped for the terminal.
    const line = terminalLine(formatProgress(s) + (c?.saturated ? ` · ${formatSaturation(c)} so far` : ''))
    if (this.#o.isTTY) {
      this.#o.write(`\r\u001b[2K${line}`)
      this.#live = true
      return
    }
    const now = (this.#o.now ?? Date.now)()
    if (now - this.#lastPlain >= (this.#o.plainEveryMs ?? 10_000)) {
      this.#lastPlain = now
      this.#o.write(line + '\n')
    }
  }

  /** Prints a message on its own line (moving the live line out of the way). */
  log(message: string): void {
    this.#o.write((this.#live ? '\r\u001b[2K' : '') + terminalText(message) + '\n')
  }

  /**
   * Counts a load window of a phase. A saturated generator is reported once per
   * phase, with the count, by {@link endPhase} (a line per window buries the log).
   */
  loadWindow(phase: string, saturated: boolean, reasons: readonly string[] = []): void {
    let c = this.#phases.get(phase)
    if (!c) this.#phases.set(phase, (c = { phase, windows: 0, saturated: 0, reasons: [] }))
    c.windows++
    if (!saturated) return
    c.saturated++
    for (const r of reasons) {
      // The window's own measurement varies; the kind of limit is what a reader needs.
      const kind = r.replace(/ [\d.]+(ms)? ≥/, ' ≥')
      if (!c.reasons.includes(kind)) c.reasons.push(kind)
    }
  }

  /** Ends a phase: one line with how many of its load windows the generator was saturated in, if any. */
  endPhase(phase: string): SaturationCount | undefined {
    const c = this.#phases.get(phase)
    if (c?.saturated) this.log(formatSaturation(c))
    return c
  }

  /** Ends the live line. */
  done(): void {
    if (this.#live) this.#o.write('\n')
    this.#live = false
  }
}
