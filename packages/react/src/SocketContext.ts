import { LifelineError } from '@lifeline/core'
import { createContext, useContext } from 'react'
import type { AnySocket } from './types.js'

/** The socket a {@link SocketProvider} gives its descendants. */
export const SocketContext = createContext<AnySocket | null>(null)
SocketContext.displayName = 'LifelineSocket'

/** The error for a hook that has neither a socket argument nor a provider above it. */
export function noSocket(hook: string, instead: string): LifelineError {
  return new LifelineError(
    'NO_SOCKET',
    `${hook} found no socket: render it inside <SocketProvider socket={socket}> or <SocketProvider url="…">, or ${instead}.`,
  )
}

/** The socket a hook works on: the one passed, else the nearest provider's. */
export function useTargetSocket(socket: AnySocket | undefined, hook: string): AnySocket {
  const provided = useContext(SocketContext)
  const target = socket ?? provided
  if (!target) throw noSocket(`${hook}()`, 'pass a socket as its last argument')
  return target
}
