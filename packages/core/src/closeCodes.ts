import type { CloseInfo } from './types.js'

/** Close codes Lifeline gives meaning to. Codes 4000–4999 are the application's own. */
export const CloseCode = {
  /** The normal end of a connection. */
  NORMAL: 1000,
  /** The server is going away (shutting down, navigating). */
  GOING_AWAY: 1001,
  /** The peer received a data type it cannot accept. */
  UNSUPPORTED_DATA: 1003,
  /** The link dropped without a close frame. */
  ABNORMAL: 1006,
  /** A message had data inconsistent with its type (e.g. bad UTF-8). */
  INVALID_PAYLOAD: 1007,
  /** The server's policy refused the client. */
  POLICY_VIOLATION: 1008,
  /** A message was too big for the peer. */
  MESSAGE_TOO_BIG: 1009,
  /** The client wanted an extension the server did not offer. */
  MANDATORY_EXTENSION: 1010,
  /** The server hit an unexpected condition. */
  INTERNAL_ERROR: 1011,
  /** The server is restarting. */
  SERVICE_RESTART: 1012,
  /** The server is overloaded: try again later, and not soon. */
  TRY_AGAIN_LATER: 1013,
} as const

const TERMINAL = new Set<number>([
  CloseCode.NORMAL,
  CloseCode.UNSUPPORTED_DATA,
  CloseCode.INVALID_PAYLOAD,
  CloseCode.POLICY_VIOLATION,
  CloseCode.MESSAGE_TOO_BIG,
  CloseCode.MANDATORY_EXTENSION,
])

/**
 * The default reconnect policy for a close the server made: no reconnect after 1000, 1003,
 * 1007, 1008, 1009, 1010 or 4400–4499 (client errors such as 4401 unauthorized, which a
 * retry would only repeat); reconnect after everything else (1001, 1006, 1011, 1012, 1013,
 * 4000–4399, 4500–4999).
 *
 * @example
 * ```ts
 * connect(url, {
 *   reconnect: { shouldReconnect: (close) => close.code !== 4001 && defaultShouldReconnect(close) },
 * })
 * ```
 */
export function defaultShouldReconnect(close: CloseInfo): boolean {
  return !(TERMINAL.has(close.code) || (close.code >= 4400 && close.code <= 4499))
}

/** Whether `code` may be passed to `socket.close(code)`: 1000 or 3000–4999, as browsers allow. */
export function isUserCloseCode(code: number): boolean {
  return code === CloseCode.NORMAL || (Number.isInteger(code) && code >= 3000 && code <= 4999)
}
