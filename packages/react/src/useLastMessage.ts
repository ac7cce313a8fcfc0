import type { MessageMap, Socket, SocketEvents } from '@lifeline/core'
import type { EventName } from './types.js'
import { useMessageLog } from './useMessages.js'

/**
 * The latest `type` payload received while the component is mounted; `undefined` before the
 * first one.
 *
 * @param type - a message type of `In` (or a lifecycle event such as `close`).
 * @param socket - the socket to listen to; defaults to the nearest `SocketProvider`'s.
 * @example
 * ```tsx
 * function Online({ socket }: { socket: Socket<Incoming, Outgoing> }) {
 *   const presence = useLastMessage('presence', socket)
 *   return <p>{presence ? `${presence.online.length} online` : 'Loading…'}</p>
 * }
 * ```
 */
export function useLastMessage<
  In extends MessageMap<In> = Record<string, unknown>,
  Out = Record<string, unknown>,
  K extends EventName<In> = EventName<In>,
>(type: K, socket?: Socket<In, Out>): SocketEvents<In>[K] | undefined {
  const messages = useMessageLog(socket, type, 1, 'useLastMessage')
  return messages[messages.length - 1] as SocketEvents<In>[K] | undefined
}
