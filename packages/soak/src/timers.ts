/**
 * Waiting and repeating on an injected {@link Clock}: the soak runs on the
 * real clock, its units' tests on a virtual one.
 */
import type { Clock } from '@steady/kernel'

/**
 * Resolves `ms` later on `clock`, or at once when `signal` aborts (never
 * rejects). It always waits for a timer, also for 0 ms, as `setTimeout` does.
 */
export function sleepFor(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve()
    const cancel = clock.setTimer(clock.now() + ms, done)
    function done() {
      cancel()
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}

/**
 * Calls `fn` every `ms` on `clock`, each time `ms` after the previous call
 * (what `setInterval` does), until the returned function is called.
 */
export function every(clock: Clock, ms: number, fn: () => void): () => void {
  let stopped = false
  let cancel = () => {}
  const arm = () => {
    cancel = clock.setTimer(clock.now() + ms, () => {
      if (stopped) return
      arm()
      fn()
    })
  }
  arm()
  return () => {
    stopped = true
    cancel()
  }
}
