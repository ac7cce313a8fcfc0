/**
 * Test code that uses Lifeline without a real server: an in-memory test server (on mock-socket)
 * that records what clients send, answers pings and requests, speaks channels (replays, gaps), and
 * plays every fault a network can.
 * Works with vitest, Jest and node:test, under fake timers or real ones.
 *
 * @packageDocumentation
 */
export {
  type AnyMessages,
  type ConnectionClose,
  createTestServer,
  type Frame,
  type ReceivedEnvelope,
  type ReceivedMessage,
  type ReplyArgs,
  type TestConnection,
  type TestServer,
  type TestServerOptions,
  type UntypedMessage,
} from './createTestServer.js'
export { TestWebSocket } from './TestWebSocket.js'
export type { TestHistoryOptions } from './testChannels.js'
