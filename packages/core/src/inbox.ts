import { type Codec, exceedsBytes } from './codec.js'
import { LifelineError } from './errors.js'
import type { LifecycleEvents } from './types.js'

/** What the inbox asks of its socket. */
export interface InboxHost {
  /** Whether a decoded message is the heartbeat's pong (when it runs). */
  isPong(message: unknown): unknown
  /** A frame arrived: the link is alive (called before anything else). */
  alive(): void
  /** A heartbeat pong arrived. */
  pong(): void
  /** A background failure, emitted as `error`. */
  report(error: LifelineError): void
  /** Takes replies and requests addressed to the socket; `true` when it took `message`. */
  route(message: unknown): boolean
  emit(type: string, payload: unknown): void
}

const RESERVED: ReadonlySet<string> = new Set<keyof LifecycleEvents>([
  'open',
  'close',
  'error',
  'reconnecting',
  'state',
  'message',
  'drop',
  'latency',
])

/**
 * Reads every incoming frame: the size limit first (an oversized frame is never parsed), then
 * the codec, then pongs, then replies and requests (the socket's requests take what is theirs:
 * a string `re`, or a string `id` with a handler for its type), and what is left is emitted as
 * `message` and, when it has a string `type`, under that type. A client delivers what it cannot
 * classify rather than drop it: with a custom codec any decoded value is a message.
 */
export function createInbox(
  { codec, maxMessageBytes }: { codec: Codec; maxMessageBytes: number },
  host: InboxHost,
): (frame: string | ArrayBuffer) => void {
  const isPong = (message: unknown) => {
    try {
      return host.isPong(message)
    } catch (cause) {
      host.report(new LifelineError('HANDLER_FAILED', 'isPong threw', { cause }))
    }
  }
  return (frame) => {
    host.alive()
    if (exceedsBytes(frame, maxMessageBytes)) {
      return host.report(new LifelineError('MESSAGE_TOO_LARGE', `frame over ${maxMessageBytes} bytes`))
    }
    let message: unknown
    try {
      message = codec.decode(frame)
    } catch (cause) {
      return host.report(new LifelineError('DECODE_FAILED', 'cannot decode a frame', { cause }))
    }
    if (isPong(message)) return host.pong()
    if (host.route(message)) return
    host.emit('message', message)
    const { type, data } = (message ?? {}) as { type?: unknown; data?: unknown }
    if (typeof type === 'string' && !RESERVED.has(type)) host.emit(type, data)
  }
}
