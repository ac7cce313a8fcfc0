import { LifelineError, type MessageMap, type Socket, type SocketEvents } from '@lifeline/core'
import { type ShallowRef, shallowRef } from 'vue'
import { resolveSocket } from './provideSocket.js'
import { useSocketEvent } from './useSocketEvent.js'

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
   * Most messages kept; when full, the oldest goes first. `Infinity` keeps them all.
   * @default 100
   */
  limit?: number
}

/**
 * The payloads of `type` messages as they arrive, oldest first, at most `limit` of them. Every
 * message makes a new array, so none is lost when many arrive in one tick.
 *
 * @param socket - the socket to listen to; by default the one from `useSocket()`.
 * @throws `INVALID_OPTIONS` when `limit` is not a number >= 1.
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
  const limit = Math.floor(options.limit ?? 100)
  if (!(limit >= 1)) {
    throw new LifelineError('INVALID_OPTIONS', `useMessages: limit must be a number >= 1, got ${String(options.limit)}`)
  }
  const target = resolveSocket(socket, 'useMessages')
  const messages = shallowRef<readonly SocketEvents<In>[K][]>([])
  useSocketEvent(
    type,
    (payload) => {
      const current = messages.value
      const kept = current.length < limit ? current : current.slice(current.length - limit + 1)
      messages.value = [...kept, payload]
    },
    target,
  )
  return messages
}
