/**
 * Every error code `@lifeline/server` reports. The request codes are the ones the client uses
 * for the same outcomes.
 *
 * - `INVALID_OPTIONS`: an option or argument has the wrong type or an impossible value.
 * - `ENCODE_FAILED`: a payload is not JSON-serialisable (thrown by `send`, `broadcast`,
 *   `request`; emitted as `error` for a handler's reply, which the client gets as an error reply).
 * - `HANDLER_FAILED`: a listener (`hub.on`, `peer.on`) threw; the hub carries on.
 * - `ADAPTER_FAILED`: the adapter (Redis) failed to start, publish, claim or store; the
 *   request it concerned got an `UNAVAILABLE` error reply.
 * - `REQUEST_TIMEOUT`: a `peer.request` got no reply within its timeout.
 * - `HANDLER_TIMEOUT`: a `handle` handler ran past `handlerTimeout`: the reason its signal aborts
 *   with (the client got the error reply `HANDLER_TIMEOUT`).
 * - `REQUEST_ABORTED`: a `peer.request`'s signal aborted it.
 * - `REQUEST_FAILED`: the client answered a `peer.request` with an error (its error is the `cause`).
 * - `REQUEST_LOST`: the peer disconnected (or was not connected) before it replied.
 */
export type ServerErrorCode =
  | 'INVALID_OPTIONS'
  | 'ENCODE_FAILED'
  | 'HANDLER_FAILED'
  | 'ADAPTER_FAILED'
  | 'REQUEST_TIMEOUT'
  | 'HANDLER_TIMEOUT'
  | 'REQUEST_ABORTED'
  | 'REQUEST_FAILED'
  | 'REQUEST_LOST'

/**
 * The one error class of `@lifeline/server`. Misuse (bad options, an unencodable payload)
 * throws it; failures in the background are emitted as the hub's `error` event.
 *
 * @example
 * ```ts
 * hub.on('error', (error) => {
 *   if (error.code === 'ADAPTER_FAILED') metrics.increment('redis.failures')
 * })
 * ```
 */
export class LifelineServerError extends Error {
  /** What went wrong, as a stable string to branch on. */
  readonly code: ServerErrorCode

  constructor(code: ServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'LifelineServerError'
    this.code = code
  }
}

/** Whether `value` is a {@link LifelineServerError}, by shape (works across bundled copies). */
export function isLifelineServerError(value: unknown): value is LifelineServerError {
  return (
    value instanceof Error &&
    value.name === 'LifelineServerError' &&
    typeof (value as { code?: unknown }).code === 'string'
  )
}
