import { isTerminalCloseCode, NORMAL } from './protocol/closeCodes.js'
import type { CloseInfo } from './types.js'

export { ABNORMAL, NORMAL, TRY_AGAIN_LATER } from './protocol/closeCodes.js'

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
  return !isTerminalCloseCode(close.code)
}

/** Whether `code` may be passed to `socket.close(code)`: 1000 or 3000–4999, as browsers allow. */
export function isUserCloseCode(code: number): boolean {
  return code === NORMAL || (Number.isInteger(code) && code >= 3000 && code < 5000)
}
