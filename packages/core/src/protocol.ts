/**
 * Lifeline's wire protocol, shared by the client (`@lifeline/core`), the server
 * (`@lifeline/server`) and the testing kit (`@lifeline/testing`), for anyone who speaks it: the
 * JSON envelope and its classifier, the heartbeat's ping and pong, the auth and accept frames, the
 * close codes, per-turn write batching on Node's `ws`, the types that check message maps, and the
 * frames of channels.
 * Runs anywhere (no Node-only API); docs/protocol.md is the specification.
 *
 * @example
 * ```ts
 * import { classify, envelope, pongFrame } from '@lifeline/core/protocol'
 *
 * ws.on('message', (raw) => {
 *   const message = JSON.parse(String(raw))
 *   const frame = classify(message)
 *   if (frame.kind === 'ping') ws.send(pongFrame(message))
 *   else if (frame.kind === 'message') console.log(frame.type, frame.data)
 * })
 * ws.send(JSON.stringify(envelope('chat', { text: 'hi' })))
 * ```
 *
 * @packageDocumentation
 */

export type { HeartbeatOptions } from './heartbeat.js'
export { ACCEPT, type AcceptData, AUTH, type AuthMessage, authMessage } from './protocol/auth.js'
export {
  type ChannelGap,
  type ChannelGapReason,
  type ChannelPosition,
  isChannelName,
  isPresenceFrame,
  isPublication,
  JOIN,
  type JoinReply,
  type JoinRequest,
  LEAVE,
  type LeaveMessage,
  MAX_CHANNEL_LENGTH,
  MAX_SUB_LENGTH,
  MAX_SUBS,
  type PresenceFrame,
  type PresenceMember,
  type PresenceMode,
  PUBLISH,
  type PublicationFrame,
  type PublishRequest,
  publicationParts,
  publicationText,
} from './protocol/channels.js'
export { type Classified, classify } from './protocol/classify.js'
export {
  ABNORMAL,
  FORBIDDEN,
  GOING_AWAY,
  isTerminalCloseCode,
  MESSAGE_TOO_BIG,
  NORMAL,
  RATE_LIMITED,
  SERVICE_RESTART,
  SLOW_CONSUMER,
  TOKEN_EXPIRED,
  TRY_AGAIN_LATER,
  UNAUTHORIZED,
} from './protocol/closeCodes.js'
export {
  type Envelope,
  type ErrorReply,
  encodeEnvelope,
  envelope,
  errorOf,
  errorReply,
  reply,
} from './protocol/envelope.js'
export type { MessageMap, ReplyOf, RequestArgs, SendArgs } from './protocol/messageMap.js'
export { isPing, isPong, ping, pongFrame, TEXT_PING, TEXT_PONG } from './protocol/pingPong.js'
export {
  BATCH_FRAMES,
  type BatchedSocket,
  type Corkable,
  createWriteBatch,
  type WriteBatch,
} from './protocol/writeBatch.js'
export type { CloseInfo } from './types.js'
