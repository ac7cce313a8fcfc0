import { backoffDelay } from './backoff.js'
import { defaultShouldReconnect, TRY_AGAIN_LATER } from './closeCodes.js'
import type { ReconnectSettings } from './options.js'
import type { CloseInfo } from './types.js'

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
