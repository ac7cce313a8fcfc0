import type { MessageMap, Socket, SocketEvents } from '@lifeline/core'
import { messageLog } from '@lifeline/core/adapters'
import { type ShallowRef, shallowRef } from 'vue'
import { isServerRender, tryOnScopeDispose } from './environment.js'
import { resolveSocket } from './provideSocket.js'

/**
 * Options of {@link useMessages}.
 *
 * @example
 * ```ts
 * const log = useMessages('chat', { limit: 500 } satisfies UseMessagesOptions, socket)
 * ```
 */
export interface UseMessagesOptions {
  /**
   * Most messages kept; when full, the oldest goes first. A whole number >= 1, or `Infinity`.
   * @default 100
   */
  limit?: number
}

/** A ref of the core's message log of `type`, following it until the scope is disposed. */
export function useMessageLog<T>(socket: Socket | undefined, type: string, limit: number, caller: string) {
  const log = messageLog<T>(resolveSocket(socket, caller), type, limit)
  const messages = shallowRef(log.getSnapshot())
  if (!isServerRender()) tryOnScopeDispose(log.subscribe(() => (messages.value = log.getSnapshot())))
  return messages
}

/**
 * The payloads of `type` messages as they arrive, oldest first, at most `limit` of them. Every
 * message makes a new array, so none is lost when many arrive in one tick.
 *
 * @param socket - the socket to listen to; by default the one from `useSocket()`.
 * @throws `INVALID_OPTIONS` when `limit` is not a whole number >= 1 or `Infinity`.
 * @example
 * ```ts
 * const messages = useMessages('chat', { limit: 50 }, socket)
 * // <li v-for="msg in messages">{{ msg.from }}: {{ msg.text }}</li>
 * ```
 */
export function useMessages<
  In extends MessageMap<In> = Record<string, unknown>,
  Out = Record<string, unknown>,
  K extends keyof SocketEvents<In> & string = keyof SocketEvents<In> & string,
>(
  type: K,
  options: UseMessagesOptions = {},
  socket?: Socket<In, Out>,
): Readonly<ShallowRef<readonly SocketEvents<In>[K][]>> {
  return useMessageLog<SocketEvents<In>[K]>(socket as Socket | undefined, type, options.limit ?? 100, 'useMessages')
}
