import { LifelineError, type WebSocketConstructor } from '@lifeline/core'
import { getCurrentScope, hasInjectionContext, inject, onScopeDispose, ssrContextKey } from 'vue'

/**
 * Whether this runs inside a server render. `renderToString` provides Vue's SSR context to the
 * app it renders, so component setups and Pinia stores (which run with the app's context) see it.
 */
export function isServerRender(): boolean {
  return hasInjectionContext() && inject(ssrContextKey, null) != null
}

/** Takes the place of a missing `WebSocket` during a server render; nothing opens there. */
const serverWebSocket = function ServerWebSocket() {
  throw new LifelineError('NO_WEBSOCKET', 'a socket was opened during a server render; open it on the client')
} as unknown as WebSocketConstructor

/**
 * The WebSocket constructor to give `connect()` when none was passed: during a server render in
 * a runtime without one (Node 20), a stand-in, so the socket can exist there and stay `idle`.
 */
export function serverFallback(server: boolean): WebSocketConstructor | undefined {
  const missing = typeof (globalThis as { WebSocket?: unknown }).WebSocket !== 'function'
  return server && missing ? serverWebSocket : undefined
}

/** Runs `fn` when the current effect scope is disposed; does nothing outside a scope. */
export function tryOnScopeDispose(fn: () => void): void {
  if (getCurrentScope()) onScopeDispose(fn)
}
