/**
 * The framework-free core of Lifeline: a WebSocket that stays alive, with typed events,
 * heartbeats, jittered reconnects and an offline send queue.
 *
 * @packageDocumentation
 */
export { type BackoffOptions, backoffDelay, type Jitter, MAX_TIMER_DELAY } from './backoff.js'
export { defaultShouldReconnect } from './closeCodes.js'
export { type Codec, type Envelope, type Frame, frameBytes, jsonCodec, rawCodec } from './codec.js'
export { connect } from './connect.js'
export type { BrowserEventTarget, WebSocketConstructor, WebSocketLike } from './environment.js'
export { type ErrorCode, isLifelineError, LifelineError } from './errors.js'
export type { HeartbeatOptions } from './heartbeat.js'
export type { Logger } from './logger.js'
export type { ConnectOptions, ProtocolsOption, UrlOption } from './options.js'
export type { Overflow, QueueOptions } from './outbox.js'
export type { QueueStore, StoredItem } from './queueStore.js'
export type { RequestOptions } from './requests.js'
export type { ReconnectOptions } from './retryPolicy.js'
export type { ReplyOf, RequestArgs, SendArgs, Socket } from './socket.js'
export {
  type CloseEvent,
  type CloseInfo,
  type DropEvent,
  type DropReason,
  idleSnapshot,
  type LifecycleEvents,
  type MessageMap,
  type ReconnectingEvent,
  type ReservedName,
  type SendResult,
  type Snapshot,
  type SocketEvents,
  type Status,
} from './types.js'
export { webStorageQueue } from './webStorageQueue.js'
