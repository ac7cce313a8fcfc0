import { createSocket } from './createSocket.js'
import { resolveUrl } from './environment.js'
import { type ConnectOptions, resolveOptions, type UrlOption } from './options.js'
import type { Socket } from './socket.js'
import type { MessageMap } from './types.js'

/**
 * Creates a {@link Socket} and, unless `autoConnect: false`, starts connecting.
 *
 * @param url - `ws:`/`wss:` (or `http:`/`https:`, relative to the page), or a function
 * returning one (sync or async) that is called before every attempt: the place for a fresh
 * auth token.
 * @throws `INVALID_URL` for a static URL that cannot be used, `INVALID_OPTIONS` for bad
 * options, `NO_WEBSOCKET` when the runtime has no WebSocket and none was passed.
 * @typeParam In - incoming message types, as `{ type: payload }`.
 * @typeParam Out - outgoing message types, as `{ type: payload }`.
 * @typeParam Replies - reply types of requests, keyed by the outgoing type asked.
 * @example
 * ```ts
 * import { connect } from '@lifeline/core'
 *
 * interface Incoming { chat: { from: string; text: string } }
 * interface Outgoing { chat: { text: string } }
 *
 * const socket = connect<Incoming, Outgoing>('wss://example.com/live', { heartbeat: true })
 * socket.on('chat', (msg) => console.log(msg.from, msg.text))
 * socket.send('chat', { text: 'hi' })
 * ```
 */
export function connect<
  In extends MessageMap<In> = Record<string, unknown>,
  Out = Record<string, unknown>,
  Replies = {},
>(url: UrlOption, options?: ConnectOptions<In, Out, Replies>): Socket<In, Out, Replies> {
  const target = typeof url === 'function' ? url : resolveUrl(url)
  // `onOpen` gets the socket made here, whose requests know `Replies`.
  const settings = resolveOptions(options as ConnectOptions<In, Out> | undefined)
  const socket = createSocket<In, Out, Replies>(target, settings)
  if (settings.autoConnect) socket.open()
  return socket
}
