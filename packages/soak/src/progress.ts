/**
 * Progress of a long soak: on a terminal, one live line rewritten in place;
 * elsewhere (CI logs), a plain line every `plainEveryMs` (default 10 s).
 */
import { formatDuration } from '@steady/record'

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
  if (s.p95Ms !== undefined && Number.isFinite(s.p95Ms)) parts.push(`probe p95 ${formatDuration(s.p95Ms)}`)
  if (s.loadRate !== undefined) parts.push(`load ${s.loadRate.toFixed(1)} it/s`)
  return parts.join(' · ')
}

export class Progress {
  readonly #o: ProgressOptions
  #lastPlain = -Infinity
  #live = false

  constructor(options: ProgressOptions) {
    this.#o = options
  }

  update(s: ProgressSnapshot): void {
    const line = formatProgress(s)
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
    this.#o.write((this.#live ? '\r\u001b[2K' : '') + message + '\n')
  }

  /** Ends the live line. */
  done(): void {
    if (this.#live) this.#o.write('\n')
    this.#live = false
  }
}
