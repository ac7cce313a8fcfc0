import type { UrlOption } from '@lifeline/core'
import { createElement, type ReactElement, type ReactNode } from 'react'
import { SocketContext } from './SocketContext.js'
import type { AnyOptions, AnySocket } from './types.js'
import { useSharedSocket } from './useSharedSocket.js'

/**
 * Props of {@link SocketProvider}: either a `socket` you own, or a `url` (and `options`)
 * for a socket the provider owns.
 */
export type SocketProviderProps = {
  /** The components that use the socket. */
  children?: ReactNode
} & (
  | {
      /** A socket you made with `connect` and dispose yourself; the provider never closes it. */
      socket: AnySocket
      /** Not with `socket`. */
      url?: never
      /** Not with `socket`. */
      options?: never
    }
  | {
      /** Where to connect; the provider shares the socket exactly like `useSocket(url, options)`. */
      url: UrlOption
      /** Options for `connect`; compared by contents, functions by identity. */
      options?: AnyOptions
      /** Not with `url`. */
      socket?: never
    }
)

/**
 * Gives its descendants a socket, for `useSocket()` and every hook called without a socket.
 * With `socket`, the app owns it and the provider never disposes it. With `url`, the provider
 * connects once mounted (never on the server), shares the socket with `useSocket(url, options)`
 * and releases it on unmount. The nearest provider wins.
 *
 * @example
 * ```tsx
 * // A socket the app owns (made once, outside React):
 * const socket = connect<Incoming, Outgoing>('wss://example.com/live')
 * createRoot(el).render(<SocketProvider socket={socket}><App /></SocketProvider>)
 *
 * // A socket the provider owns:
 * <SocketProvider url="wss://example.com/live" options={{ heartbeat: true }}>
 *   <App />
 * </SocketProvider>
 * ```
 */
export function SocketProvider(props: SocketProviderProps): ReactElement {
  const owned = useSharedSocket(props.socket ? undefined : props.url, props.options)
  return createElement(SocketContext.Provider, { value: props.socket ?? owned }, props.children)
}
