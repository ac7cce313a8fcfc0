// Samples of docs/errors.md. Each region is pasted into the guide as it is.
import { connect, type ErrorCode, isLifelineError, type Socket } from '@lifeline/core'

interface Outgoing {
  chat: { text: string }
}

declare const socket: Socket<Record<string, unknown>, Outgoing>
declare function showBanner(text: string): void
declare function hideBanner(): void
declare function reportBug(error: unknown): void
declare function tellUserToWait(): void
declare function configError(message: string): never

// #region branch
socket.on('error', (error) => {
  switch (error.code) {
    case 'HEARTBEAT_TIMEOUT':
    case 'CONNECT_TIMEOUT':
    case 'CONNECT_FAILED':
      showBanner('Connection lost, reconnecting…') // Lifeline is already retrying
      break
    case 'HANDLER_FAILED':
    case 'DECODE_FAILED':
      reportBug(error) // a bug in your code or a server sending something unexpected
      break
  }
})
socket.on('open', hideBanner)
// #endregion

// #region thrown
export function createSocket(url: string) {
  try {
    return connect(url, { heartbeat: true })
  } catch (error) {
    // Thrown only for misuse: fix the call, do not retry it.
    if (isLifelineError(error)) configError(`${error.code}: ${error.message}`)
    throw error
  }
}

export function sendChat(text: string) {
  try {
    return socket.send('chat', { text })
  } catch (error) {
    if (isLifelineError(error) && error.code === 'QUEUE_FULL') return tellUserToWait()
    throw error
  }
}
// #endregion

// #region messages
// A Record over ErrorCode stops compiling when a release adds a code you have not handled.
export const userMessages: Record<ErrorCode, string | null> = {
  INVALID_URL: 'The connection address is wrong.',
  INVALID_OPTIONS: null,
  NO_WEBSOCKET: 'This browser cannot open live connections.',
  URL_PROVIDER_FAILED: 'Could not sign in to the live service; retrying…',
  CONNECT_TIMEOUT: 'The server is slow to answer; retrying…',
  CONNECT_FAILED: 'Cannot reach the server; retrying…',
  HEARTBEAT_TIMEOUT: 'Connection lost; reconnecting…',
  ENCODE_FAILED: null,
  DECODE_FAILED: null,
  MESSAGE_TOO_LARGE: null,
  QUEUE_FULL: 'Too many messages waiting; try again in a moment.',
  HANDLER_FAILED: null,
  DISPOSED: null,
  NO_SOCKET: null,
  REQUEST_TIMEOUT: 'The server did not answer in time.',
  REQUEST_ABORTED: null,
  REQUEST_FAILED: 'The server could not do that.',
  REQUEST_LOST: 'The connection closed before the server answered.',
  STORE_FAILED: null,
  JOIN_REFUSED: 'You cannot join this conversation.',
  PUBLISH_REFUSED: 'You cannot post here.',
  AUTH_FAILED: 'Could not get your sign-in; retrying…',
  AUTH_REFUSED: 'Your session has ended: please sign in again.',
}
// #endregion
