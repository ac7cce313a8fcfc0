import { LifelineError, type MessageMap, type Socket } from '@lifeline/core'
import { hasInjectionContext, type InjectionKey, inject, markRaw, provide, toRaw } from 'vue'

/**
 * Where `createLifeline` and `provideSocket` put the socket. `Symbol.for`, so two bundled copies
 * of this package (ESM and CJS) still find each other's socket.
 */
export const socketKey: InjectionKey<Socket> = Symbol.for('lifeline.socket')

/**
 * Gives `socket` to this component's descendants: their `useSocket()` and every composable
 * called without a socket use it. The nearest provider wins. The socket is not disposed when
 * the component unmounts: whoever created it owns it. It is marked raw, so reactive state and
 * Pinia stores can hold it without wrapping it in a proxy (which its private fields refuse).
 *
 * @returns the same socket, to use in this component (`inject` does not see its own provides).
 * @example
 * ```ts
 * // Room.vue <script setup>
 * const socket = provideSocket(connect<Incoming, Outgoing>(`wss://example.com/rooms/${props.id}`))
 * onUnmounted(() => socket.dispose())
 * ```
 */
export function provideSocket<In extends MessageMap<In>, Out>(socket: Socket<In, Out>): Socket<In, Out> {
  provide(socketKey, markRaw(socket) as unknown as Socket)
  return socket
}

/**
 * The socket a composable works on: the one passed (unwrapped, should it sit in reactive state),
 * else the nearest provided one. Throws an error that says how to provide one.
 */
export function resolveSocket<In extends MessageMap<In>, Out>(
  given: Socket<In, Out> | undefined,
  caller: string,
): Socket<In, Out> {
  if (given) return toRaw(given)
  const socket = hasInjectionContext() ? inject(socketKey, null) : null
  if (!socket) {
    throw new LifelineError(
      'NO_SOCKET',
      `${caller}() found no socket. Install one for the whole app with app.use(createLifeline(socket)), ` +
        'or give one to a subtree with provideSocket(socket) in a parent component; ' +
        `${caller === 'useSocket' ? 'or pass a url: useSocket(url)' : 'or pass the socket as the last argument'}. ` +
        'Without a socket argument it must run inside setup() or app.runWithContext().',
    )
  }
  return socket as unknown as Socket<In, Out>
}
