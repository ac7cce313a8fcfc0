import { backoffDelay } from './backoff.js'
import { defaultShouldReconnect, TRY_AGAIN_LATER } from './closeCodes.js'
import type { ReconnectSettings } from './options.js'
import type { CloseInfo } from './types.js'

/**
 * The longest wait after a server's 1013 (try again later), in ms, unless `maxDelay` is longer:
 * a server that sheds load gets its clients back 15–30 s later, spread out.
 */
export const TRY_AGAIN_LATER_WAIT = 30_000

/**
 * The wait before retry number `attempt`, or `null` to stop: the reconnect settings' limits,
 * then `shouldReconnect` (or the default policy) for a close the server made, then the backoff.
 * 1013 (try again later) waits uniformly in `[later / 2, later]`, where `later` is the larger of
 * `maxDelay` and {@link TRY_AGAIN_LATER_WAIT}: much later than an ordinary retry, and spread out.
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
  if (close?.code === TRY_AGAIN_LATER) {
    const later = Math.max(retry.maxDelay, TRY_AGAIN_LATER_WAIT)
    return Math.round((later / 2) * (1 + Math.random()))
  }
  return backoffDelay(attempt, retry, Math.random, elapsed)
}
