import type { BrowserEventTarget } from './environment.js'

/** What a socket does when the page's network or visibility changes. */
export interface BrowserHandlers {
  /** The browser says it is online again. */
  online(): void
  /** The browser says it went offline (often wrong: a reason to check, not a verdict). */
  offline(): void
  /** The page is visible again, or came back from the back-forward cache. */
  resume(): void
}

/**
 * Listens to `online`, `offline`, `pageshow` and `visibilitychange` (to visible) on a
 * window-like target; returns the function that stops listening.
 */
export function watchBrowser(target: BrowserEventTarget, handlers: BrowserHandlers): () => void {
  const resume = () => {
    if (target.document?.visibilityState !== 'hidden') handlers.resume()
  }
  const each = (method: 'addEventListener' | 'removeEventListener') => {
    target[method]('online', handlers.online)
    target[method]('offline', handlers.offline)
    target[method]('pageshow', resume)
    target.document?.[method]('visibilitychange', resume)
  }
  each('addEventListener')
  return () => each('removeEventListener')
}
