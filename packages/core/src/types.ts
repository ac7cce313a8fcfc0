import type { Frame } from './codec.js'
import type { LifelineError } from './errors.js'
import type { MessageMap as ReservingMessageMap } from './protocol/messageMap.js'

/** How a link ended: the numbers from the WebSocket `close` event. */
export interface CloseInfo {
  /** The close code, e.g. 1000 (normal), 1006 (dropped without a close frame), 4401. */
  code: number
  /** The reason the closing side gave, often empty. */
  reason: string
  /** Whether the close handshake completed. */
  wasClean: boolean
}

/** The `close` event: how the link ended and whether Lifeline will try again. */
export interface CloseEvent extends CloseInfo {
  /** `true` when a reconnect is scheduled, `false` when the socket is now `closed`. */
  willReconnect: boolean
}

/** The `reconnecting` event: which retry is next and how long until it starts. */
export interface ReconnectingEvent {
  /** The retry number, 1 for the first retry after a drop. */
  attempt: number
  /** The wait before it, in ms. */
  delay: number
}

/** Why a message left the queue unsent. */
export type DropReason = 'overflow' | 'expired' | 'closed' | 'offline'

/** The `drop` event: a message Lifeline could not send, and why. */
export interface DropEvent {
  /** The message type; `undefined` for frames passed to `sendRaw` and for replies. */
  type: string | undefined
  /** The payload given to `send`, or the frame given to `sendRaw`. */
  data: unknown
  /**
   * `'overflow'`: the queue was full; `'expired'`: it waited longer than `ttl`;
   * `'closed'`: the socket closed for good; `'offline'`: sent while not open with `queue: false`.
   */
  reason: DropReason
  /** The envelope id, when the message was a request. */
  id?: string
}

/**
 * Where the connection is:
 * - `idle`: created with `autoConnect: false`, `open()` not called yet.
 * - `connecting`: an attempt is under way (URL, handshake, `onOpen`, queue flush).
 * - `open`: the link is up and the queue has flushed.
 * - `reconnecting`: waiting for the next retry.
 * - `closed`: closed by you, by a terminal close code, or after `maxAttempts`.
 */
export type Status = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed'

/**
 * The socket's state at one moment. Immutable: a new object is made only when a field
 * changes, so identity comparison tells frameworks whether to re-render.
 */
export interface Snapshot {
  /** Where the connection is. */
  readonly status: Status
  /** Failed attempts since the last stable link: 0 while stable, 1 while waiting for the first retry. */
  readonly attempt: number
  /** Messages waiting in the send queue. */
  readonly queued: number
  /** Requests not settled yet, queued or awaiting their reply. */
  readonly pending: number
  /** The round trip of the last heartbeat ping in ms, `null` before the first pong. */
  readonly latency: number | null
  /** How the last link ended, `null` before any close. */
  readonly lastClose: CloseInfo | null
  /** The last error emitted since the link last opened, `null` if none. */
  readonly lastError: LifelineError | null
  /** When the next retry starts (epoch ms), `null` when none is scheduled. */
  readonly nextRetryAt: number | null
}

/**
 * The snapshot of a socket that has not connected: what every socket starts with, and what
 * framework adapters render on the server.
 *
 * @example
 * ```ts
 * useSyncExternalStore(socket.subscribe, socket.getSnapshot, () => idleSnapshot)
 * ```
 */
export const idleSnapshot: Snapshot = Object.freeze({
  status: 'idle',
  attempt: 0,
  queued: 0,
  pending: 0,
  latency: null,
  lastClose: null,
  lastError: null,
  nextRetryAt: null,
})

/** The lifecycle events every socket emits. Their names cannot be used as message types. */
export interface LifecycleEvents {
  /** The link is up, `onOpen` has run and the queue has flushed. */
  open: undefined
  /** A link that was open ended (or the socket closed for good). */
  close: CloseEvent
  /** Something went wrong in the background; branch on `error.code`. */
  error: LifelineError
  /** A retry is scheduled. Follows `close` or an `error` from a failed attempt. */
  reconnecting: ReconnectingEvent
  /** The snapshot changed. */
  state: Snapshot
  /** Every decoded incoming message, whatever its type (pongs excepted). */
  message: unknown
  /** A message left the queue unsent. */
  drop: DropEvent
  /** The round trip of a heartbeat ping, in ms. */
  latency: number
}

/** The event names Lifeline reserves; a message type may not use one. */
export type ReservedName = keyof LifecycleEvents

/**
 * A map from message type to payload type, as you declare for `connect<Incoming, Outgoing>`.
 * A type whose name is reserved (`open`, `close`, `error`, …) makes it a type error whose text
 * says so: `Type '{ by: string; }' is not assignable to type '"Error: 'close' is a reserved
 * event name (a lifecycle event); rename this message type"'`.
 */
export type MessageMap<T> = ReservingMessageMap<T, ReservedName, 'a reserved event name (a lifecycle event)'>

/** The events a socket with incoming messages `In` emits: its messages plus the lifecycle. */
export type SocketEvents<In> = LifecycleEvents & Omit<In, ReservedName>

/** The handler type for event `K`. */
export type Handler<Events, K extends keyof Events> = (payload: Events[K]) => void

/** What `send` did with a message: written to the link, kept in the queue, or dropped. */
export type SendResult = 'sent' | 'queued' | 'dropped'

/** A message on its way out, already encoded. */
export interface Outgoing {
  /** The message type, `undefined` for raw frames and replies. */
  type: string | undefined
  /** The payload as given to `send` (or the frame, for `sendRaw`). */
  data: unknown
  /** The encoded frame. */
  frame: Frame
  /** The envelope id, for requests. */
  id?: string | undefined
}

/** A message waiting in the queue. */
export interface QueuedMessage extends Outgoing {
  /** The frame's size in bytes. */
  bytes: number
  /** When it expires, on the socket's monotonic clock. */
  expiresAt: number
}
