import type { Frame } from './codec.js'
import type { RequestArgs as ArgsWithOptions, ReplyOf, SendArgs } from './protocol/messageMap.js'
import type { RequestOptions } from './requests.js'
import type { MessageMap, SendResult, Snapshot, SocketEvents } from './types.js'

export type { ReplyOf, SendArgs }

/** The arguments of `request(type, data, options)`: `send`'s, then the request's options. */
export type RequestArgs<Out, K extends keyof Out> = ArgsWithOptions<Out, K, RequestOptions>

/**
 * A WebSocket that stays alive. Made by {@link connect}.
 *
 * Two channels: **events** (`on`, typed by `In` plus the lifecycle events) and **state**
 * (`getSnapshot` / `subscribe`, an immutable snapshot for frameworks).
 *
 * @typeParam In - incoming message types, as `{ type: payload }`.
 * @typeParam Out - outgoing message types, as `{ type: payload }`.
 * @typeParam Replies - reply types of requests, keyed by the outgoing type asked.
 */
export interface Socket<
  In extends MessageMap<In> = Record<string, unknown>,
  Out = Record<string, unknown>,
  Replies = {},
> {
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
  /**
   * Sends a request and resolves with the server's reply (`{ "re": id, "data": … }`). It is
   * sent like `send` (queued while not open) and settles exactly once: the reply's `data`; or it
   * rejects with `REQUEST_FAILED` (an error reply, the server's error as `cause`),
   * `REQUEST_TIMEOUT`, `REQUEST_ABORTED` (the signal, also before the call) or `REQUEST_LOST`
   * (dropped from the queue, the link lost with `resend: false`, or the socket closed for good).
   * When the link drops before the reply, it is written again with the same id on the next link.
   *
   * @throws `ENCODE_FAILED` for a payload the codec cannot encode, `QUEUE_FULL` with
   * `overflow: 'error'`, `DISPOSED` after `dispose()`.
   * @example
   * ```ts
   * interface Replies { getUser: { name: string } }
   * const socket = connect<Incoming, Outgoing, Replies>(url)
   * const user = await socket.request('getUser', { id: '42' }, { timeout: 5000 }) // { name: string }
   * ```
   */
  request<K extends keyof Out & string>(type: K, ...args: RequestArgs<Out, K>): Promise<ReplyOf<Replies, K>>
  /**
   * Answers the server's requests of `type` (envelopes with an `id`): the handler's return value,
   * awaited, goes back as the reply; a throw or rejection as an error reply. One handler per
   * type; returns the function that removes it.
   *
   * @throws `INVALID_OPTIONS` when `type` has a handler already.
   * @example
   * ```ts
   * socket.handle('confirm', async (data: { text: string }) => window.confirm(data.text))
   * ```
   */
  handle<K extends keyof In & string>(type: K, handler: (data: In[K]) => unknown): () => void
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
