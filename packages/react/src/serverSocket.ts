import type { Snapshot } from '@lifeline/core'
import { useSyncExternalStore } from 'react'
import type { AnySocket } from './types.js'

/** The state rendered on the server and while hydrating: nothing has connected. */
export const IDLE: Snapshot = Object.freeze({
  status: 'idle',
  attempt: 0,
  queued: 0,
  latency: null,
  lastClose: null,
  lastError: null,
  nextRetryAt: null,
})

const noop = () => {}
const getIdle = () => IDLE
const unsubscribed = () => noop

/**
 * What `useSocket(url)` returns during a server render and hydration: an inert stand-in that
 * reports {@link IDLE} and never connects, so `connect()` runs only in the browser.
 */
export const serverSocket: AnySocket = Object.freeze({
  on: unsubscribed,
  once: unsubscribed,
  off: noop,
  send: () => 'dropped' as const,
  sendRaw: () => 'dropped' as const,
  open: noop,
  close: noop,
  reconnect: noop,
  dispose: noop,
  getSnapshot: getIdle,
  subscribe: unsubscribed,
})

/** The server snapshot of {@link useSocketState}: always {@link IDLE}, on the server and while hydrating. */
export const getServerSnapshot = getIdle

/** `true` during a server render and while hydrating, `false` once rendering in the browser. */
export function useIsServer(): boolean {
  return useSyncExternalStore(
    unsubscribed,
    () => false,
    () => true,
  )
}
