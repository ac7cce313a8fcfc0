import type { Envelope } from './envelope.js'

/** The text frame a client on the raw codec pings with. */
export const TEXT_PING = 'ping'
/** The text frame that answers {@link TEXT_PING}. */
export const TEXT_PONG = 'pong'

/**
 * The heartbeat's ping envelope, `{"type":"ping"}`: what a client sends after a silence, and the
 * default of its `heartbeat.ping`.
 */
export const ping = (): Envelope<'ping'> => ({ type: 'ping' })

/**
 * Whether a decoded message is a heartbeat ping: the envelope `{"type":"ping"}` (with or
 * without an `id`) or the text frame `ping`.
 *
 * @example
 * ```ts
 * isPing({ type: 'ping' }) // true
 * isPing('ping') // true
 * ```
 */
export function isPing(message: unknown): boolean {
  return message === TEXT_PING || (message as { type?: unknown } | null)?.type === 'ping'
}

/**
 * Whether a decoded message is a heartbeat pong: the envelope `{"type":"pong"}` or the text frame
 * `pong`. The default of the client's `heartbeat.isPong`.
 *
 * @example
 * ```ts
 * connect(url, { heartbeat: { isPong: (message) => isPong(message) || message === 'PONG' } })
 * ```
 */
export function isPong(message: unknown): boolean {
  return message === TEXT_PONG || (message as { type?: unknown } | null)?.type === 'pong'
}

/**
 * The frame that answers a ping: the text frame `pong` for the text frame `ping`, else the
 * envelope `{"type":"pong"}`, echoing the ping's `id` when it has one.
 *
 * @example
 * ```ts
 * pongFrame('ping') // 'pong'
 * pongFrame({ type: 'ping', id: 'p1' }) // '{"type":"pong","id":"p1"}'
 * ```
 */
export function pongFrame(ping: unknown): string {
  if (ping === TEXT_PING) return TEXT_PONG
  const id = (ping as { id?: unknown } | null)?.id
  return JSON.stringify(typeof id === 'string' ? { type: 'pong', id } : { type: 'pong' })
}
