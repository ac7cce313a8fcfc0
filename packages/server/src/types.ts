import type { IncomingMessage } from 'node:http'
import type {
  CloseInfo,
  ErrorReply,
  ReplyOf,
  RequestArgs,
  MessageMap as ReservingMessageMap,
  SendArgs,
} from '@lifeline/core/protocol'

export type { ErrorReply, ReplyOf, SendArgs }

/**
 * The event names a peer reserves; a message type may not use one. (`ping` and `pong` are taken
 * by the protocol's heartbeat and never reach listeners either.)
 */
export type ReservedName = 'close' | 'message'

/**
 * A map from message type to payload type, as you declare for `attach<In, Out>`. A type whose
 * name is reserved (`close`, `message`) makes it a type error whose text says so: `Type '{ why:
 * string; }' is not assignable to type '"Error: 'close' is a reserved peer event name; rename this
 * message type"'`.
 */
export type MessageMap<T> = ReservingMessageMap<T, ReservedName, 'a reserved peer event name'>

/** Options of `peer.request()`. */
export interface PeerRequestOptions {
  /**
   * How long to wait for the client's reply, in ms; `Infinity` waits for as long as the peer is connected.
   * @default the hub's `requestTimeout` (10_000)
   */
  timeout?: number
  /** Aborts the request: it rejects with `REQUEST_ABORTED`. */
  signal?: AbortSignal
}

/** The arguments of `peer.request(type, data, options)`: `send`'s, then the request's options. */
export type PeerRequestArgs<Out, K extends keyof Out> = RequestArgs<Out, K, PeerRequestOptions>

/** The request a `handle` handler is answering. */
export interface RequestInfo<K extends string = string> {
  /** The request's type. */
  type: K
  /**
   * The request's id, the same on every resend: a natural idempotency key for what the
   * handler does elsewhere (a payment, a database write).
   */
  id: string
}

/** What a `handle` handler is told of the request it answers: its type and id, and a signal. */
export interface HandlerInfo<K extends string = string> extends RequestInfo<K> {
  /**
   * Aborts when the answer is no longer wanted here: the asking peer left (reason
   * `REQUEST_LOST`), the handler ran past `handlerTimeout` (reason `HANDLER_TIMEOUT`), or the hub
   * closed past its drain (`REQUEST_LOST`). Pass it to what the handler awaits (`fetch`, a
   * database driver) so abandoned work stops. A request resent after a drop is answered with
   * what the handler gives, so keep going on `REQUEST_LOST` where the result must reach the
   * resend (a payment): the work was asked for and its result is kept for the window.
   */
  readonly signal: AbortSignal
}

/**
 * How a peer's connection ended: the client's `CloseInfo` (`code`, `reason`, `wasClean`, false
 * for a connection that dropped without a close frame).
 * @deprecated Use `CloseInfo` (from `@lifeline/core/protocol`), the one close shape of every package.
 */
export type PeerCloseEvent = CloseInfo

/** An ordinary message from a client, as the `message` event carries it. */
export interface PeerMessage {
  /** The message type. */
  type: string
  /** The payload; absent when the client sent none. */
  data?: unknown
}

/** The events a peer emits: its messages, keyed by type, plus `message` (every message) and `close`. */
export type PeerEvents<In> = {
  /** Every ordinary message (requests and replies excepted), as its envelope. */
  message: PeerMessage
  /** The connection ended; pending `peer.request`s have rejected with `REQUEST_LOST`. */
  close: CloseInfo
} & Omit<In, ReservedName>

/**
 * The parts of a `ws` WebSocket a hub uses. Typed loosely on purpose: `ws`'s overloaded
 * `on` must fit as it is.
 */
export interface PeerSocket {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number
  /** Bytes written and not yet sent: checked on every write against `highWaterMark`. */
  readonly bufferedAmount?: number
  /** Writes a text frame. */
  send(frame: string, callback?: (error?: Error) => void): void
  /** Starts the close handshake. */
  close(code?: number, reason?: string): void
  /** Destroys the connection at once, without a handshake. */
  terminate(): void
  /** Sends a WebSocket ping frame (answered by the client's WebSocket itself with a pong). */
  ping(): void
  /** Stops reading from the connection (a peer over its rate limit), where the socket can. */
  pause?(): void
  /** Reads from the connection again. */
  resume?(): void
  /** Listens to `message`, `pong`, `close`, `error`. */
  // biome-ignore lint/suspicious/noExplicitAny: fits every overload of ws's `on`
  on(event: string, listener: (...args: any[]) => void): unknown
  /** Stops listening. */
  // biome-ignore lint/suspicious/noExplicitAny: fits every overload of ws's `off`
  off(event: string, listener: (...args: any[]) => void): unknown
}

/** The parts of a `ws` WebSocketServer a hub uses. */
export interface WebSocketServerLike {
  /** Listens to `connection` (a socket and its upgrade request) and `close`. */
  // biome-ignore lint/suspicious/noExplicitAny: fits every overload of ws's `on`
  on(event: string, listener: (...args: any[]) => void): unknown
  /** Stops listening. */
  // biome-ignore lint/suspicious/noExplicitAny: fits every overload of ws's `off`
  off(event: string, listener: (...args: any[]) => void): unknown
}

/** The HTTP upgrade request a connection came with: headers, url, remote address. */
export type UpgradeRequest = IncomingMessage
