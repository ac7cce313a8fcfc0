/**
 * The server side of Lifeline's protocol for Node's `ws`: typed messages, request handlers with
 * replies, requests to clients, broadcast, channels with recovery, in-band auth with refresh,
 * ping/pong, and request dedupe across reconnects and, through an adapter, across instances.
 *
 * @packageDocumentation
 */

export type { CloseInfo, HeartbeatOptions } from '@lifeline/core/protocol'
export {
  FORBIDDEN,
  MESSAGE_TOO_BIG,
  RATE_LIMITED,
  SERVICE_RESTART,
  SLOW_CONSUMER,
  TOKEN_EXPIRED,
  UNAUTHORIZED,
} from '@lifeline/core/protocol'
export { type Adapter, memoryAdapter } from './adapter.js'
export {
  attach,
  type BroadcastOptions,
  type CloseOptions,
  type Hub,
  type HubEvents,
  type HubStats,
  type Transport,
} from './attach.js'
export type { Authenticate, AuthenticateInfo, AuthResult, ExpiringAuth } from './auth.js'
export type { Broker, BrokerHost, Publication } from './broker.js'
export { isLifelineServerError, LifelineServerError, type ServerErrorCode } from './errors.js'
export type {
  ChannelPublication,
  GapReason,
  History,
  HistoryEntry,
  HistoryHost,
  HistoryLimits,
  Position,
  Replay,
} from './history.js'
export type { MaybePromise } from './maybePromise.js'
export { memoryBroker } from './memoryBroker.js'
export { memoryHistory } from './memoryHistory.js'
export { memoryPresence } from './memoryPresence.js'
export { memoryReplyStore } from './memoryReplyStore.js'
export type {
  AttachOptions,
  Authorize,
  ChannelAction,
  DedupeOptions,
  HistoryOptions,
  OriginPolicy,
  RateLimitOptions,
} from './options.js'
export type { Peer, RequestHandler } from './peer.js'
export type { PresenceHost, PresenceMember, PresenceMode, PresenceOptions, PresenceStore } from './presence.js'
export type { Relay, RelayHost } from './relay.js'
export type { DedupeWindow, ReplyStore, ReplyStoreHost } from './replyStore.js'
export type {
  ErrorReply,
  HandlerInfo,
  MessageMap,
  PeerCloseEvent,
  PeerEvents,
  PeerMessage,
  PeerRequestArgs,
  PeerRequestOptions,
  PeerSocket,
  ReplyOf,
  RequestInfo,
  ReservedName,
  SendArgs,
  UpgradeRequest,
  WebSocketServerLike,
} from './types.js'
