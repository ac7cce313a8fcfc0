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

/** The largest delay a timer can wait for in browsers and Node (about 24.8 days). */
export const MAX_TIMER_DELAY = 2 ** 31 - 1

/**
 * The delay before reconnect attempt `attempt` (1 for the first retry). A pure function:
 * `cap = min(maxDelay, initialDelay * factor ** (attempt - 1))`, then jitter is drawn
 * inside `[0, cap]`, after capping, so clients at the cap still spread out. The exponent
 * is bounded, so no attempt number gives NaN, a 0 from overflow, or more than `maxDelay`.
 *
 * @param random - a source of numbers in [0, 1), `Math.random` unless you pass one.
 * @example
 * ```ts
 * backoffDelay(3, { initialDelay: 1000, maxDelay: 30_000, factor: 2, jitter: 'none' }) // 4000
 * ```
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const { initialDelay, maxDelay, factor, jitter } = options
  const ceiling = Math.min(maxDelay, MAX_TIMER_DELAY)
  // A huge exponent saturates to Infinity, which the cap absorbs; 0 * Infinity and 1 ** Infinity
  // would be NaN, hence the two shortcuts.
  const exponent = Math.max(0, Math.floor(attempt) - 1)
  const grown = initialDelay === 0 || factor === 1 ? initialDelay : initialDelay * factor ** exponent
  const cap = Math.min(ceiling, grown)
  if (jitter === 'none') return Math.round(cap)
  const low = jitter === 'equal' ? cap / 2 : 0
  return Math.round(low + (cap - low) * random())
}
