/**
 * Works where WebSockets are blocked: a WebSocket-like class for `connect`'s `WebSocket` option that
 * tries a WebSocket and falls back to HTTP (server-sent events down, POSTs up) to a
 * `@lifeline/server` hub, with the same `Socket` API and protocol, and upgrades back when a
 * WebSocket gets through again.
 *
 * @packageDocumentation
 */
export {
  type FallbackOptions,
  type FallbackStorage,
  type FallbackTransport,
  FallbackWebSocket,
} from './FallbackWebSocket.js'
