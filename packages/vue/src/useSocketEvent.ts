import type { MessageMap, Socket, SocketEvents } from '@lifeline/core'
import { listen } from '@lifeline/core/adapters'
import { isServerRender, tryOnScopeDispose } from './environment.js'
import { resolveSocket } from './provideSocket.js'

const noop = () => {}

/**
 * Calls `handler` for every `type` message or lifecycle event (`open`, `close`, `error`, …),
 * with the same payload as `socket.on(type)`, until the scope is disposed. Listens to nothing
 * during a server render.
 *
 * @param socket - the socket to listen to; by default the one from `useSocket()`.
 * @returns a function that stops listening earlier.
 * @example
 * ```ts
 * useSocketEvent('chat', (msg) => notify(`${msg.from}: ${msg.text}`), socket)
 * useSocketEvent('close', ({ code, willReconnect }) => console.log(code, willReconnect))
 * ```
 */
export function useSocketEvent<
  In extends MessageMap<In> = Record<string, unknown>,
  Out = Record<string, unknown>,
  K extends keyof SocketEvents<In> & string = keyof SocketEvents<In> & string,
>(type: K, handler: (payload: SocketEvents<In>[K]) => void, socket?: Socket<In, Out>): () => void {
  const target = resolveSocket(socket, 'useSocketEvent')
  if (isServerRender()) return noop
  const off = listen(target, type, handler)
  tryOnScopeDispose(off)
  return off
}
