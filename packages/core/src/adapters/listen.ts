import { isLifelineError } from '@lifeline/core'
import type { AnySocket } from './types.js'

const noop = () => {}

/**
 * `socket.on(type, handler)` for framework adapters. A disposed socket will never emit again,
 * so listening to one does nothing (as `subscribe` does) instead of throwing `DISPOSED` inside
 * a render or a component's setup.
 *
 * @example
 * ```ts
 * const off = listen(socket, 'chat', (msg) => console.log(msg))
 * ```
 */
// biome-ignore lint/suspicious/noExplicitAny: a handler for any event's payload.
export function listen(socket: AnySocket, type: string, handler: (payload: any) => void): () => void {
  try {
    return socket.on(type, handler)
  } catch (error) {
    if (isLifelineError(error) && error.code === 'DISPOSED') return noop
    throw error
  }
}
