import type { ConnectOptions, MessageMap, Socket, UrlOption } from '@lifeline/core'
import { useContext } from 'react'
import { noSocket, SocketContext } from './SocketContext.js'
import { useSharedSocket } from './useSharedSocket.js'

/**
 * The socket of the nearest {@link SocketProvider}.
 *
 * @typeParam In - incoming message types, as `{ type: payload }`.
 * @typeParam Out - outgoing message types, as `{ type: payload }`.
 * @typeParam Replies - reply types of requests, keyed by the outgoing type asked.
 * @throws `LifelineError` (`NO_SOCKET`) when no `SocketProvider` is above the component.
 * @example
 * ```tsx
 * function SendButton() {
 *   const socket = useSocket<Incoming, Outgoing>()
 *   return <button onClick={() => socket.send('chat', { text: 'hi' })}>Say hi</button>
 * }
 * ```
 */
export function useSocket<
  In extends MessageMap<In> = Record<string, unknown>,
  Out = Record<string, unknown>,
  Replies = {},
>(): Socket<In, Out, Replies>
/**
 * A socket shared by every mounted component that passes the same `url` and `options`
 * (compared by contents; functions and constructors by identity, so hoist them or wrap them
 * in `useCallback`). It connects once the first user has mounted, never during a server
 * render, and is disposed on the next macrotask after the last user unmounts, which lets
 * StrictMode's unmount/remount keep a single connection.
 *
 * @param url - as for `connect`: a URL, or a function returning one (hoist it: its identity is part of the key).
 * @param options - as for `connect`; `autoConnect: false` leaves opening to you.
 * @example
 * ```tsx
 * function Chat() {
 *   const socket = useSocket<Incoming, Outgoing>('wss://example.com/live', { heartbeat: true })
 *   const { status } = useSocketState(socket)
 *   return <button onClick={() => socket.send('chat', { text: 'hi' })}>{status}</button>
 * }
 * ```
 */
export function useSocket<
  In extends MessageMap<In> = Record<string, unknown>,
  Out = Record<string, unknown>,
  Replies = {},
>(url: UrlOption, options?: ConnectOptions<In, Out>): Socket<In, Out, Replies>
export function useSocket(url?: UrlOption, options?: ConnectOptions): Socket {
  const provided = useContext(SocketContext)
  const shared = useSharedSocket(url, options)
  const socket = shared ?? provided
  if (!socket) throw noSocket('useSocket()', 'give it a url: useSocket(url, options)')
  return socket
}
