import type { MessageMap, Socket, SocketEvents } from '@lifeline/core'
import { type AnySocket, messageLog, noMessages } from '@lifeline/core/adapters'
import { useState, useSyncExternalStore } from 'react'
import { useTargetSocket } from './SocketContext.js'
import type { EventName } from './types.js'

/** Options of {@link useMessages}. */
export interface UseMessagesOptions {
  /**
   * How many messages to keep; older ones fall off the front. A whole number >= 1, or `Infinity`.
   * @default 100
   */
  limit?: number
}

/** The message log behind `useMessages` and `useLastMessage`. */
export function useMessageLog(socket: AnySocket | undefined, type: string, limit: number, hook: string) {
  const target = useTargetSocket(socket, hook)
  const [kept, keep] = useState(() => messageLog(target, type, limit))
  let log = kept
  if (log.socket !== target || log.type !== type || log.limit !== limit) {
    log = messageLog(target, type, limit) // a new socket, type or limit starts a new log
    keep(log)
  }
  return useSyncExternalStore(log.subscribe, log.getSnapshot, noMessages)
}

/**
 * The latest `type` payloads received while the component is mounted, oldest first. A new
 * array per message; none is lost when many arrive in one tick.
 *
 * @param type - a message type of `In` (or a lifecycle event such as `error`).
 * @param options - `{ limit }`, how many to keep (default 100).
 * @param socket - the socket to listen to; defaults to the nearest `SocketProvider`'s.
 * @example
 * ```tsx
 * function ChatLog({ socket }: { socket: Socket<Incoming, Outgoing> }) {
 *   const lines = useMessages('chat', { limit: 50 }, socket)
 *   return <ul>{lines.map((msg, i) => <li key={i}>{msg.from}: {msg.text}</li>)}</ul>
 * }
 * ```
 */
export function useMessages<
  In extends MessageMap<In> = Record<string, unknown>,
  Out = Record<string, unknown>,
  K extends EventName<In> = EventName<In>,
>(type: K, options?: UseMessagesOptions, socket?: Socket<In, Out>): ReadonlyArray<SocketEvents<In>[K]> {
  return useMessageLog(socket, type, options?.limit ?? 100, 'useMessages') as ReadonlyArray<SocketEvents<In>[K]>
}
