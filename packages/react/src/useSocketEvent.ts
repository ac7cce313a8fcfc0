import type { MessageMap, Socket, SocketEvents } from '@lifeline/core'
import { listen } from '@lifeline/core/adapters'
import { useCallback, useEffect, useInsertionEffect, useRef } from 'react'
import { useTargetSocket } from './SocketContext.js'
import type { EventName } from './types.js'

/**
 * Calls `handler` for every `type` event of the socket: a message type or a lifecycle event,
 * with the same payload as `socket.on(type)`. Subscribes once per socket and type; a new
 * handler on each render does not resubscribe, and the latest one is always called.
 *
 * @param type - a message type of `In`, or `open`, `close`, `error`, `reconnecting`, `state`, `message`, `drop`, `latency`.
 * @param handler - called with the event's payload.
 * @param socket - the socket to listen to; defaults to the nearest `SocketProvider`'s.
 * @returns a function that stops listening before the component unmounts (a new socket or type
 * listens again), the same for every render; as in `@lifeline/vue`.
 * @example
 * ```tsx
 * // Typed by the socket passed:
 * useSocketEvent('chat', (msg) => addLine(`${msg.from}: ${msg.text}`), socket)
 * // Or, for the provider's socket, by generics:
 * useSocketEvent<Incoming, Outgoing, 'presence'>('presence', (p) => setOnline(p.online))
 * useSocketEvent('close', ({ code, willReconnect }) => log(code, willReconnect))
 * ```
 */
export function useSocketEvent<
  In extends MessageMap<In> = Record<string, unknown>,
  Out = Record<string, unknown>,
  K extends EventName<In> = EventName<In>,
>(type: K, handler: (payload: SocketEvents<In>[K]) => void, socket?: Socket<In, Out>): () => void {
  const target = useTargetSocket(socket, 'useSocketEvent')
  const latest = useRef(handler)
  const off = useRef<(() => void) | null>(null)
  // Runs before any other effect of the commit, so no event can reach a stale handler.
  useInsertionEffect(() => {
    latest.current = handler
  })
  useEffect(() => {
    const stop = listen(target, type, (payload) => latest.current(payload as SocketEvents<In>[K]))
    off.current = stop
    return () => {
      stop()
      off.current = null
    }
  }, [target, type])
  return useCallback(() => {
    off.current?.()
    off.current = null
  }, [])
}
