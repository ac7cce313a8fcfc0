import type { Snapshot } from '@lifeline/core'
import { useSyncExternalStore } from 'react'
import { useTargetSocket } from './SocketContext.js'
import { getServerSnapshot } from './serverSocket.js'
import type { AnySocket } from './types.js'

/**
 * The socket's state (`status`, `attempt`, `queued`, `latency`, `lastClose`, `lastError`,
 * `nextRetryAt`); re-renders when it changes. On the server and while hydrating it is the
 * idle snapshot, so server HTML always says `idle`.
 *
 * @param socket - the socket to watch; defaults to the nearest `SocketProvider`'s.
 * @example
 * ```tsx
 * function ConnectionBanner() {
 *   const { status, attempt } = useSocketState()
 *   return status === 'reconnecting' ? <p>Reconnecting (attempt {attempt})…</p> : null
 * }
 * ```
 */
export function useSocketState(socket?: AnySocket): Snapshot {
  const target = useTargetSocket(socket, 'useSocketState')
  return useSyncExternalStore(target.subscribe, target.getSnapshot, getServerSnapshot)
}
