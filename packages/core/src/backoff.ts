import { MAX_TIMER_DELAY } from './clock.js'

export { MAX_TIMER_DELAY }

/** How the retry delay is spread between clients, so they do not return in lockstep. */
export type Jitter = 'full' | 'equal' | 'none'

/** The numbers {@link backoffDelay} needs. */
export interface BackoffOptions {
  /** Delay cap for the first retry, in ms. */
  initialDelay: number
  /** Largest delay, in ms. */
  maxDelay: number
  /** Growth per attempt (at least 1). */
  factor: number
  /** `'full'`: uniform in [0, cap]; `'equal'`: uniform in [cap/2, cap]; `'none'`: cap. */
  jitter: Jitter
}

/**
 * The delay before reconnect attempt `attempt` (1 for the first retry). A pure function:
 * `cap = min(maxDelay, initialDelay * factor ** (attempt - 1))`, then jitter is drawn
 * inside `[0, cap]`, after capping, so clients at the cap still spread out. The exponent
 * is bounded, so no attempt number gives NaN, a 0 from overflow, or (without `elapsed`) more
 * than `maxDelay`.
 *
 * With full jitter and `elapsed` (ms since the first failure of this run of attempts), attempt n
 * happens at a moment drawn uniformly over its own window of the timeline,
 * `[cap(1) + … + cap(n-1), cap(1) + … + cap(n)]` after the first failure, whatever moment the
 * attempt before it drew: clients whose first retries were refused at once (a server still down)
 * come back spread over each window, at every attempt, however long the outage lasts. The wait is
 * then the time to that moment: at most `cap(n-1) + cap(n)`, so at most twice `maxDelay`.
 *
 * @param random - a source of numbers in [0, 1), `Math.random` unless you pass one.
 * @param elapsed - ms since the run of failed attempts began; without it, full jitter is plain.
 * @example
 * ```ts
 * backoffDelay(3, { initialDelay: 1000, maxDelay: 30_000, factor: 2, jitter: 'none' }) // 4000
 * ```
 */
export function backoffDelay(
  attempt: number,
  { initialDelay, maxDelay, factor, jitter }: BackoffOptions,
  random: () => number = Math.random,
  elapsed?: number,
): number {
  // A bounded exponent keeps 1 ** n finite; `initialDelay &&` keeps 0 * Infinity from being NaN.
  const cap = (n: number) =>
    Math.min(
      maxDelay,
      MAX_TIMER_DELAY,
      initialDelay && initialDelay * factor ** Math.min(1e4, Math.max(0, Math.floor(n) - 1)),
    )
  const high = cap(attempt)
  let low = jitter === 'none' ? high : jitter === 'equal' ? high / 2 : 0
  let top = high
  if (elapsed !== undefined && jitter === 'full') {
    // Where the attempt's window starts: the caps before it (past a few dozen attempts, each is the last cap).
    let start = Math.max(0, attempt - 64) * high
    for (let n = 1; n < Math.min(attempt, 64); n++) start += cap(n)
    // A client inside or just before its window draws its moment over what is left of it; one
    // behind it (slow failures) or far ahead of it draws plain full jitter.
    if (start + high > elapsed && start - elapsed <= high) {
      low = Math.max(0, start - elapsed)
      top = Math.min(MAX_TIMER_DELAY, start + high - elapsed)
    }
  }
  return Math.round(low + (top - low) * random())
}
