/**
 * A drop-in `WebSocket`: the standard interface over a Lifeline socket, for code written against
 * the plain WebSocket and for libraries that take a WebSocket class (y-websocket, graphql-ws).
 *
 * @packageDocumentation
 */
export { LifelineWebSocket, type LifelineWebSocketOptions } from './LifelineWebSocket.js'
