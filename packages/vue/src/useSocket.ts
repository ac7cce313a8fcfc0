import { type ConnectOptions, connect, type MessageMap, type Socket } from '@lifeline/core'
import {
  getCurrentInstance,
  getCurrentScope,
  type MaybeRefOrGetter,
  markRaw,
  onMounted,
  toValue,
  warn,
  watch,
} from 'vue'
import { isServerRender, serverFallback, tryOnScopeDispose } from './environment.js'
import { resolveSocket } from './provideSocket.js'

/**
 * Options of {@link useSocket}: every option of `connect()`; only `autoConnect` reads differently.
 *
 * @example
 * ```ts
 * const options: UseSocketOptions<Incoming, Outgoing> = { heartbeat: true, autoConnect: false }
 * const socket = useSocket('wss://example.com/live', options)
 * onMounted(() => auth.ready.then(() => socket.open()))
 * ```
 * @typeParam In - incoming message types, as `{ type: payload }`.
 * @typeParam Out - outgoing message types, as `{ type: payload }`.
 */
export interface UseSocketOptions<In extends MessageMap<In> = Record<string, unknown>, Out = Record<string, unknown>>
  extends ConnectOptions<In, Out> {
  /**
   * Open without waiting for `socket.open()`: once the component is mounted when called while a
   * component sets up (so a hydrated page first shows the server's `idle`), at once elsewhere.
   * Never during a server render.
   * @default true
   */
  autoConnect?: boolean
}

/**
 * The socket given to `createLifeline` or the nearest `provideSocket`.
 *
 * @throws `LifelineError` (`NO_SOCKET`) when none was provided; the message says how to provide one.
 * @example
 * ```ts
 * const socket = useSocket<Incoming, Outgoing>()
 * socket.send('chat', { text: 'hi' })
 * ```
 */
export function useSocket<
  In extends MessageMap<In> = Record<string, unknown>,
  Out = Record<string, unknown>,
  Replies = {},
>(): Socket<In, Out, Replies>
/**
 * A socket owned by the current effect scope (a component, a Pinia store, an `effectScope()`):
 * one stable Socket, reconnected when the url changes, disposed with the scope. Nothing opens
 * during a server render.
 *
 * It is marked raw, and typed so: reactive state and Pinia stores hold it as it is, never
 * wrapped in a proxy, its message types kept.
 *
 * @param url - a URL, or a ref or getter of one; a change reconnects the same socket once.
 * @example
 * ```ts
 * const room = ref('lobby')
 * const socket = useSocket<Incoming, Outgoing>(() => `wss://example.com/rooms/${room.value}`, { heartbeat: true })
 * ```
 */
export function useSocket<
  In extends MessageMap<In> = Record<string, unknown>,
  Out = Record<string, unknown>,
  Replies = {},
>(url: MaybeRefOrGetter<string | URL>, options?: UseSocketOptions<In, Out>): Socket<In, Out, Replies>
export function useSocket<In extends MessageMap<In>, Out, Replies>(
  url?: MaybeRefOrGetter<string | URL>,
  options: UseSocketOptions<In, Out> = {},
): Socket<In, Out, Replies> {
  if (url === undefined) return resolveSocket<In, Out>(undefined, 'useSocket') as Socket<In, Out, Replies>
  if (!getCurrentScope()) {
    warn(
      '[lifeline] useSocket(url) was called outside an effect scope (component setup, Pinia store, effectScope().run()): ' +
        'its socket will never be disposed. Call socket.dispose() yourself, or use connect() from @lifeline/core.',
    )
  }
  const server = isServerRender()
  const { autoConnect = true, WebSocket, ...rest } = options
  let used: string | undefined // the url of the attempt under way or of the open link
  // Called before every attempt, so a retry always uses the latest url.
  const readUrl = () => {
    const value = toValue(url)
    used = String(value)
    return value
  }
  // Raw: a proxy (a Pinia store, `reactive()`) would break the socket's private fields.
  const socket = markRaw(
    connect<In, Out, Replies>(readUrl, { ...rest, autoConnect: false, WebSocket: WebSocket ?? serverFallback(server) }),
  )
  watch(
    () => String(toValue(url)),
    (next) => {
      const { status } = socket.getSnapshot()
      // Idle or closed, the next open() reads the url; otherwise the attempt or link under way is stale.
      if (status !== 'idle' && status !== 'closed' && next !== used) socket.reconnect({ force: true })
    },
  )
  if (autoConnect && !server) {
    const open = () => {
      if (socket.getSnapshot().status === 'idle') socket.open()
    }
    const instance = getCurrentInstance()
    if (instance && !instance.isMounted) onMounted(open)
    else open()
  }
  tryOnScopeDispose(() => socket.dispose())
  return socket
}
