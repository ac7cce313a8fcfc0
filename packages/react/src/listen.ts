import { isLifelineError } from '@lifeline/core'
import type { AnySocket } from './types.js'

const noop = () => {}

/**
 * `socket.on(type, handler)` for hooks. A disposed socket will never emit again, so listening
 * to one does nothing (as `subscribe` does) instead of throwing `DISPOSED` inside React.
 */
export function listen(socket: AnySocket, type: string, handler: (payload: unknown) => void): () => void {
  try {
    return socket.on(type, handler)
  } catch (error) {
    if (isLifelineError(error) && error.code === 'DISPOSED') return noop
    throw error
  }
}
