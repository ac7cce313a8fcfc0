import { type Envelope, encodeEnvelope } from './protocol/envelope.js'

export type { Envelope }

/** A frame as it travels on the wire. */
export type Frame = string | ArrayBuffer | ArrayBufferView

/**
 * How messages map to frames. `encode` may throw for a value it cannot represent (the
 * `send` call then throws `ENCODE_FAILED`); `decode` may throw for a frame it cannot read
 * (an `error` event with `DECODE_FAILED`, and the frame is dropped). Binary frames arrive
 * as `ArrayBuffer`.
 *
 * @example
 * ```ts
 * // A server that speaks `[type, data]` arrays.
 * const tupleCodec: Codec = {
 *   encode: (msg) => JSON.stringify([msg.type, msg.data]),
 *   decode: (frame) => {
 *     const [type, data] = JSON.parse(String(frame))
 *     return { type, data }
 *   },
 * }
 * connect(url, { codec: tupleCodec })
 * ```
 */
export interface Codec {
  /** Turns a message into a frame. */
  encode(message: Envelope): Frame
  /** Turns a frame into a message; an object with a string `type` is also emitted under that type. */
  decode(frame: string | ArrayBuffer): unknown
}

let utf8Decoder: TextDecoder | undefined

function frameText(frame: string | ArrayBuffer): string {
  if (typeof frame === 'string') return frame
  utf8Decoder ??= new TextDecoder()
  return utf8Decoder.decode(frame)
}

/**
 * The default codec: each message is one JSON text frame `{ "type", "data"?, "id"? }`.
 * `send(type)` without data leaves `data` out. Binary frames are read as UTF-8 JSON.
 *
 * @example
 * ```ts
 * jsonCodec.encode({ type: 'chat', data: { text: 'hi' } }) // '{"type":"chat","data":{"text":"hi"}}'
 * ```
 */
export const jsonCodec: Codec = {
  encode(message) {
    // JSON would leave a function or symbol payload out of the frame without a word.
    const kind = typeof message.data
    if (kind === 'function' || kind === 'symbol') throw new TypeError(`a ${kind} is not JSON`)
    return encodeEnvelope(message)
  },
  decode(frame) {
    return JSON.parse(frameText(frame))
  },
}

/** Whether `value` is a binary frame (an `ArrayBuffer` or a typed array / DataView). */
export function isBinary(value: unknown): value is ArrayBuffer | ArrayBufferView {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value)
}

/**
 * No envelope: frames are sent and delivered as they are. `send(type, data)` sends `data`
 * when it is a string or binary, and the `type` string itself when there is no data (so the
 * heartbeat's default ping is the text frame `ping`, and a `pong` frame answers it). Every
 * incoming frame arrives as a `message` event, unchanged.
 *
 * @example
 * ```ts
 * const socket = connect('wss://example.com/feed', { codec: rawCodec })
 * socket.on('message', (frame) => console.log(frame)) // string | ArrayBuffer
 * socket.send('subscribe', 'ticker:BTC')               // sends the frame "ticker:BTC"
 * ```
 */
export const rawCodec: Codec = {
  encode(message) {
    if (message.data === undefined) return message.type ?? ''
    if (typeof message.data === 'string' || isBinary(message.data)) return message.data
    throw new TypeError('rawCodec sends strings and binary only')
  },
  decode(frame) {
    return frame
  },
}

/**
 * The size of a frame in bytes: UTF-8 bytes for text, `byteLength` for binary. Text is counted
 * unit by unit, with no `TextEncoder` (Jest's jsdom environment has none) and no copy: a unit
 * below U+0080 is 1 byte, below U+0800 2, a surrogate pair 4, any other unit 3 (a lone
 * surrogate is written as U+FFFD). Lifeline's byte limits (`maxBytes`, `maxMessageBytes`,
 * `bufferedAmount`) count frames this way.
 *
 * @example
 * ```ts
 * frameBytes('héllo') // 6
 * frameBytes(new Uint8Array(3)) // 3
 * ```
 */
export function frameBytes(frame: Frame): number {
  if (typeof frame !== 'string') return frame.byteLength
  const length = frame.length
  let bytes = length
  for (let i = 0; i < length; i++) {
    const unit = frame.charCodeAt(i)
    if (unit < 0x80) continue
    if (unit < 0x800) {
      bytes += 1
      continue
    }
    bytes += 2
    if (unit >= 0xd800 && unit <= 0xdbff) {
      // A high surrogate and a low one: 4 bytes for the pair's 2 units. (NaN past the end.)
      const next = frame.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) i++
    }
  }
  return bytes
}

/** Whether a text or binary frame is larger than `limit` bytes, without counting when it need not. */
export function exceedsBytes(frame: string | ArrayBuffer, limit: number): boolean {
  if (typeof frame !== 'string') return frame.byteLength > limit
  // One UTF-16 unit is 1 to 3 UTF-8 bytes: only lengths in between need counting.
  if (frame.length * 3 <= limit) return false
  if (frame.length > limit) return true
  return frameBytes(frame) > limit
}
