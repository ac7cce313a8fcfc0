import { backoffDelay, type Jitter } from './backoff.js'
import { defaultShouldReconnect, TRY_AGAIN_LATER } from './closeCodes.js'
import type { CloseInfo } from './types.js'

/** How Lifeline retries after a link drops or an attempt fails. */
export interface ReconnectOptions {
  /**
   * Delay cap for the first retry, in ms. 1.8 s spreads a herd of clients dropped together
   * (a server restart) so that at most about 10 % of them are back in any 100 ms, with half of
   * them back within about a second of the server's return.
   * @default 1800
   */
  initialDelay?: number
  /**
   * Largest delay cap, in ms. 3 s brings a client back about 1.5 s (median) after the server's
   * return, however long the outage, while each retry stays spread over its own 3 s window.
   * @default 3000
   */
  maxDelay?: number
  /**
   * How much the delay cap grows per attempt (at least 1).
   * @default 2
   */
  factor?: number
  /**
   * How the delay is spread: `'full'` draws in [0, cap], `'equal'` in [cap/2, cap], `'none'` waits exactly cap.
   * @default 'full'
   */
  jitter?: Jitter
  /**
   * Retries before giving up (the socket then becomes `closed`).
   * @default Infinity
   */
  maxAttempts?: number
  /**
   * How long a link must stay open, in ms, before the attempt counter returns to 0.
   * @default 5000
   */
  stableAfter?: number
  /**
   * Decides whether a close from the server is retried, replacing the default policy
   * ({@link defaultShouldReconnect}). It never overrides your own `close()`, `maxAttempts`
   * or the longer wait after 1013.
   */
  shouldReconnect?: (close: CloseInfo) => boolean
}

/** Reconnect settings with defaults applied. */
export type ReconnectSettings = Required<Omit<ReconnectOptions, 'shouldReconnect'>> &
  Pick<ReconnectOptions, 'shouldReconnect'>

/**
 * The wait before retry number `attempt`, or `null` to stop: the reconnect settings' limits,
 * then `shouldReconnect` (or the default policy) for a close the server made, then the backoff.
 * 1013 (try again later) waits uniformly in `[maxDelay / 2, maxDelay]`: later, and spread out.
 *
 * @param elapsed - ms since the run of failed attempts began (see {@link backoffDelay}).
 * @param failed - called with what `shouldReconnect` threw; the default policy decides then.
 */
export function retryDelay(
  retry: ReconnectSettings | null,
  attempt: number,
  close: CloseInfo | null,
  elapsed: number,
  failed: (cause: unknown) => void,
): number | null {
  if (!retry || attempt > retry.maxAttempts) return null
  if (close) {
    let again: boolean
    try {
      again = (retry.shouldReconnect ?? defaultShouldReconnect)(close)
    } catch (cause) {
      failed(cause)
      again = defaultShouldReconnect(close)
    }
    if (!again) return null
  }
  if (close?.code === TRY_AGAIN_LATER) return Math.round((retry.maxDelay / 2) * (1 + Math.random()))
  return backoffDelay(attempt, retry, Math.random, elapsed)
}
