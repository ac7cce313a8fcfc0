// The close codes Lifeline gives meaning to (RFC 6455 section 7.4.1; 4000-4999 are the app's).

/** The normal end of a connection: a Lifeline client does not reconnect. */
export const NORMAL = 1000
/** Going away (a server shutting down, a page leaving): a Lifeline client reconnects. */
export const GOING_AWAY = 1001
/** The link dropped without a close frame (never sent, only reported). */
export const ABNORMAL = 1006
/** A frame over the server's size limit ("message too big"): the client stops, since a retry would send it again. */
export const MESSAGE_TOO_BIG = 1009
/** The server is restarting (a deploy): the client comes back, to this server or another. */
export const SERVICE_RESTART = 1012
/** The server is overloaded: try again later, and not soon. */
export const TRY_AGAIN_LATER = 1013
/** The token expired and no fresh one came in time: the client reconnects with a new one. */
export const TOKEN_EXPIRED = 4001
/** The client read too slowly (a slow consumer): it reconnects and recovers its channels. */
export const SLOW_CONSUMER = 4008
/** Bad or missing credentials: the client stops (a retry would send the same). */
export const UNAUTHORIZED = 4401
/** Forbidden (the user may not connect, or the page's `Origin` is not allowed): the client stops. */
export const FORBIDDEN = 4403
/** The client kept sending over its rate limit: it stops. */
export const RATE_LIMITED = 4429

/** 1000 normal, 1003 unsupported data, 1007 invalid payload, 1008 policy, 1009 too big, 1010 extension. */
const TERMINAL: readonly number[] = [NORMAL, 1003, 1007, 1008, 1009, 1010]

/**
 * Whether a close with `code` ends a Lifeline client for good: 1000, 1003, 1007, 1008, 1009,
 * 1010 and 4400–4499 (client errors such as 4401 unauthorized, which a retry would only repeat).
 * After every other code (1001, 1006, 1011, 1012, 1013, 4000–4399, 4500–4999) it reconnects.
 *
 * @example
 * ```ts
 * isTerminalCloseCode(4401) // true: the client stops
 * isTerminalCloseCode(1012) // false: it comes back
 * ```
 */
export function isTerminalCloseCode(code: number): boolean {
  return TERMINAL.includes(code) || (code >= 4400 && code < 4500)
}
