import { idleSnapshot, LifelineError } from '@lifeline/core'
import { useSyncExternalStore } from 'react'
import type { AnySocket } from './types.js'

const noop = () => {}
const getIdle = () => idleSnapshot
const unsubscribed = () => noop

/**
 * What `useSocket(url)` returns during a server render and hydration: an inert stand-in that
 * reports the core's `idleSnapshot` and never connects, so `connect()` runs only in the browser.
 */
export const serverSocket: AnySocket = Object.freeze({
  on: unsubscribed,
  once: unsubscribed,
  off: noop,
  send: () => 'dropped' as const,
  sendRaw: () => 'dropped' as const,
  request: () => Promise.reject(new LifelineError('REQUEST_LOST', 'no requests during a server render')),
  handle: unsubscribed,
  open: noop,
  close: noop,
  reconnect: noop,
  dispose: noop,
  getSnapshot: getIdle,
  subscribe: unsubscribed,
})

/** The server snapshot of {@link useSocketState}: always the core's `idleSnapshot`, on the server and while hydrating. */
export const getServerSnapshot = getIdle

/** `true` during a server render and while hydrating, `false` once rendering in the browser. */
export function useIsServer(): boolean {
  return useSyncExternalStore(
    unsubscribed,
    () => false,
    () => true,
  )
}
