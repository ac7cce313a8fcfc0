import type { MessageMap, Socket, SocketEvents } from '@lifeline/core'
import { type ShallowRef, shallowRef, triggerRef } from 'vue'
import { resolveSocket } from './provideSocket.js'
import { useSocketEvent } from './useSocketEvent.js'

/**
 * The payload of the latest `type` message, `undefined` before the first one. A repeated equal
 * payload still notifies watchers of the ref, so each message can be reacted to.
 *
 * @param socket - the socket to listen to; by default the one from `useSocket()`.
 * @example
 * ```ts
 * const presence = useLastMessage('presence', socket)
 * const online = computed(() => presence.value?.online ?? [])
 * ```
 */
export function useLastMessage<
  In extends MessageMap<In> = Record<string, unknown>,
  Out = Record<string, unknown>,
  K extends keyof SocketEvents<In> & string = keyof SocketEvents<In> & string,
>(type: K, socket?: Socket<In, Out>): Readonly<ShallowRef<SocketEvents<In>[K] | undefined>> {
  const target = resolveSocket(socket, 'useLastMessage')
  const last = shallowRef<SocketEvents<In>[K] | undefined>()
  useSocketEvent(
    type,
    (payload) => {
      if (last.value === payload) triggerRef(last)
      else last.value = payload
    },
    target,
  )
  return last
}
