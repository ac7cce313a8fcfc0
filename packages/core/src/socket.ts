import type { Frame } from './codec.js'
import { resolveUrl } from './environment.js'
import { LifelineSocket } from './lifelineSocket.js'
import { type ConnectOptions, resolveOptions, type UrlOption } from './options.js'
import type { MessageMap, SendResult, Snapshot, SocketEvents } from './types.js'

/** The arguments of `send(type, data)`: `data` is optional only where the payload type allows `undefined`. */
export type SendArgs<Out, K extends keyof Out> = undefined extends Out[K] ? [data?: Out[K]] : [data: Out[K]]

/**
 * A WebSocket that stays alive. Made by {@link connect}.
 *
 * Two channels: **events** (`on`, typed by `In` plus the lifecycle events) and **state**
 * (`getSnapshot` / `subscribe`, an immutable snapshot for frameworks).
 *
 * @typeParam In - incoming message types, as `{ type: payload }`.
 * @typeParam Out - outgoing message types, as `{ type: payload }`.
 */
export interface Socket<In extends MessageMap<In> = Record<string, unknown>, Out = Record<string, unknown>> {
  /**
   * Listens to a message type or a lifecycle event; returns a function that stops listening.
   * A handler that throws is reported as an `error` event (`HANDLER_FAILED`).
   *
   * @example
   * ```ts
   * const off = socket.on('chat', (msg) => render(msg.from, msg.text))
   * socket.on('close', ({ code, willReconnect }) => console.log(code, willReconnect))
   * off()
   * ```
   */
  on<K extends keyof SocketEvents<In> & string>(type: K, handler: (payload: SocketEvents<In>[K]) => void): () => void
  /** Like {@link Socket.on}, for the next event only. */
  once<K extends keyof SocketEvents<In> & string>(type: K, handler: (payload: SocketEvents<In>[K]) => void): () => void
  /** Removes a handler added with `on`/`once`, or every handler of `type` when none is given. */
  off<K extends keyof SocketEvents<In> & string>(type: K, handler?: (payload: SocketEvents<In>[K]) => void): void
  /** The current state; the same object until a field changes. Works after `dispose()`. A bound function. */
  getSnapshot: () => Snapshot
  /**
   * Calls `listener` after every snapshot change; returns the unsubscribe function. A bound
   * function that fits `useSyncExternalStore(socket.subscribe, socket.getSnapshot)` as it is.
   */
  subscribe: (listener: () => void) => () => void
  /**
   * Sends a typed message. Open: written to the link (`'sent'`). Not open: kept in the queue
   * and flushed in order on open (`'queued'`), or `'dropped'` with a `drop` event.
   *
   * @throws `ENCODE_FAILED` when the codec cannot encode `data` (BigInt, cycles), `QUEUE_FULL`
   * with `overflow: 'error'`, `DISPOSED` after `dispose()`.
   * @example
   * ```ts
   * socket.send('chat', { text: 'hi' }) // 'sent' | 'queued' | 'dropped'
   * socket.send('typing', { active: true })
   * ```
   */
  send<K extends keyof Out & string>(type: K, ...args: SendArgs<Out, K>): SendResult
  /**
   * Sends a frame as it is, whatever the codec; queued like any send.
   *
   * @example
   * ```ts
   * socket.sendRaw(new Uint8Array([1, 2, 3]))
   * ```
   */
  sendRaw(frame: Frame): SendResult
  /** Connects, when `idle` (`autoConnect: false`) or `closed`. Does nothing while active. */
  open(): void
  /**
   * Closes for good: no reconnect; queued messages drop with reason `'closed'`. Idempotent.
   *
   * @param code - 1000 (the default) or 3000–4999, as browsers allow.
   * @param reason - sent to the server with the close frame.
   */
  close(code?: number, reason?: string): void
  /**
   * Drops the link and connects again now, with the backoff reset. Joins an attempt that
   * is already under way instead of starting a second one, unless `force` is set: then that
   * attempt is abandoned too, for when what it connects with is stale (a changed URL).
   *
   * @example
   * ```ts
   * retryButton.onclick = () => socket.reconnect()
   * watch(room, () => socket.reconnect({ force: true })) // the url function reads `room`
   * ```
   */
  reconnect(options?: { force?: boolean }): void
  /** Closes, then removes every listener and timer. Idempotent; later use throws `DISPOSED`. */
  dispose(): void
}

/**
 * Creates a {@link Socket} and, unless `autoConnect: false`, starts connecting.
 *
 * @param url - `ws:`/`wss:` (or `http:`/`https:`, relative to the page), or a function
 * returning one (sync or async) that is called before every attempt: the place for a fresh
 * auth token.
 * @throws `INVALID_URL` for a static URL that cannot be used, `INVALID_OPTIONS` for bad
 * options, `NO_WEBSOCKET` when the runtime has no WebSocket and none was passed.
 * @example
 * ```ts
 * import { connect } from '@lifeline/core'
 *
 * interface Incoming { chat: { from: string; text: string } }
 * interface Outgoing { chat: { text: string } }
 *
 * const socket = connect<Incoming, Outgoing>('wss://example.com/live', { heartbeat: true })
 * socket.on('chat', (msg) => console.log(msg.from, msg.text))
 * socket.send('chat', { text: 'hi' })
 * ```
 */
export function connect<In extends MessageMap<In> = Record<string, unknown>, Out = Record<string, unknown>>(
  url: UrlOption,
  options?: ConnectOptions<In, Out>,
): Socket<In, Out> {
  const target = typeof url === 'function' ? url : resolveUrl(url)
  const settings = resolveOptions(options)
  const socket = new LifelineSocket<In, Out>(target, settings)
  if (settings.autoConnect) socket.open()
  return socket
}
