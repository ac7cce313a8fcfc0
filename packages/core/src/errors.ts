/**
 * Every error code Lifeline reports. Branch on `error.code` rather than `instanceof`:
 * two bundled copies of the core each have their own `LifelineError` class.
 *
 * - `INVALID_URL`: the URL could not be parsed, or its scheme is not ws/wss/http/https.
 * - `INVALID_OPTIONS`: an option has the wrong type or an impossible value.
 * - `NO_WEBSOCKET`: no `WebSocket` constructor was found or passed.
 * - `URL_PROVIDER_FAILED`: the `url` or `protocols` function threw or rejected.
 * - `CONNECT_TIMEOUT`: an attempt was not open within `connectTimeout`.
 * - `CONNECT_FAILED`: an attempt closed before it opened.
 * - `HEARTBEAT_TIMEOUT`: no traffic arrived within the heartbeat deadline.
 * - `ENCODE_FAILED`: the codec could not encode a message (thrown by `send`).
 * - `DECODE_FAILED`: the codec could not decode an incoming frame.
 * - `MESSAGE_TOO_LARGE`: an incoming frame exceeded `maxMessageBytes`.
 * - `QUEUE_FULL`: the queue is full and `overflow` is `'error'` (thrown by `send`).
 * - `HANDLER_FAILED`: an event handler or `onOpen` threw; the socket carries on.
 * - `DISPOSED`: the socket was used after `dispose()`.
 * - `NO_SOCKET`: a React hook or Vue composable found no socket (no provider, no argument).
 * - `REQUEST_TIMEOUT`: a request got no reply within its timeout.
 * - `REQUEST_ABORTED`: a request's signal aborted it.
 * - `REQUEST_FAILED`: the server answered a request with an error (its error is the `cause`).
 * - `REQUEST_LOST`: a request can no longer be answered: dropped from the queue, its link lost
 *   with `resend: false`, or the socket closed for good.
 * - `STORE_FAILED`: the queue's store (`queue.store`) threw or rejected; the in-memory queue carries on.
 * - `JOIN_REFUSED`: the server refused to join a channel (not allowed, a bad name, too many channels).
 * - `PUBLISH_REFUSED`: the server refused a publication into a channel.
 * - `AUTH_FAILED`: the `auth` option's function threw or rejected; the link is retried.
 * - `AUTH_REFUSED`: the server refused the token or the user (closed with 4401 or 4403 before
 *   accepting the link); the socket closes for good.
 */
export type ErrorCode =
  | 'INVALID_URL'
  | 'INVALID_OPTIONS'
  | 'NO_WEBSOCKET'
  | 'URL_PROVIDER_FAILED'
  | 'CONNECT_TIMEOUT'
  | 'CONNECT_FAILED'
  | 'HEARTBEAT_TIMEOUT'
  | 'ENCODE_FAILED'
  | 'DECODE_FAILED'
  | 'MESSAGE_TOO_LARGE'
  | 'QUEUE_FULL'
  | 'HANDLER_FAILED'
  | 'DISPOSED'
  | 'NO_SOCKET'
  | 'REQUEST_TIMEOUT'
  | 'REQUEST_ABORTED'
  | 'REQUEST_FAILED'
  | 'REQUEST_LOST'
  | 'STORE_FAILED'
  | 'JOIN_REFUSED'
  | 'PUBLISH_REFUSED'
  | 'AUTH_FAILED'
  | 'AUTH_REFUSED'

/**
 * The one error class of Lifeline. Misuse (bad options, sending after `dispose()`) throws
 * it; failures in the background (a lost link, a throwing handler) are emitted as `error`
 * events and never thrown into your code.
 *
 * @example
 * ```ts
 * socket.on('error', (error) => {
 *   if (error.code === 'HEARTBEAT_TIMEOUT') showBanner('Connection lost, reconnecting…')
 * })
 * ```
 */
export class LifelineError extends Error {
  /** What went wrong, as a stable string to branch on. */
  declare readonly code: ErrorCode

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'LifelineError'
    this.code = code
  }
}

/**
 * Whether `value` is a {@link LifelineError}, by shape, so it also recognises errors from
 * another bundled copy of the core.
 *
 * @example
 * ```ts
 * try { socket.send('chat', { text }) } catch (e) {
 *   if (isLifelineError(e) && e.code === 'QUEUE_FULL') tellUserToWait()
 * }
 * ```
 */
export function isLifelineError(value: unknown): value is LifelineError {
  return (
    value instanceof Error && value.name === 'LifelineError' && typeof (value as { code?: unknown }).code === 'string'
  )
}

/**
 * A {@link LifelineError} with its `cause`, whose message ends with what the cause says (its
 * `message`, or the cause itself when it is a string), unless it says it already
 * (`url or protocols failed: Failed to fetch`).
 */
export const fail = (code: ErrorCode, message: string, cause?: unknown): LifelineError => {
  let said: unknown
  try {
    said = typeof cause === 'string' ? cause : (cause as { message?: unknown } | null)?.message
  } catch {
    // A getter that throws says nothing.
  }
  return new LifelineError(
    code,
    typeof said === 'string' && said && !message.includes(said) ? `${message}: ${said}` : message,
    { cause },
  )
}
