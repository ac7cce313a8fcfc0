import type { CloseInfo } from './types.js'

// The close codes Lifeline gives meaning to (RFC 6455 section 7.4.1; 4000-4999 are the app's).
/** The normal end of a connection. */
export const NORMAL = 1000
/** The link dropped without a close frame. */
export const ABNORMAL = 1006
/** The server is overloaded: try again later, and not soon. */
export const TRY_AGAIN_LATER = 1013

/** 1000 normal, 1003 unsupported data, 1007 invalid payload, 1008 policy, 1009 too big, 1010 extension. */
const TERMINAL = [NORMAL, 1003, 1007, 1008, 1009, 1010]

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
  const { code } = close
  return !(TERMINAL.includes(code) || (code >= 4400 && code < 4500))
}

/** Whether `code` may be passed to `socket.close(code)`: 1000 or 3000–4999, as browsers allow. */
export function isUserCloseCode(code: number): boolean {
  return code === NORMAL || (Number.isInteger(code) && code >= 3000 && code < 5000)
}
