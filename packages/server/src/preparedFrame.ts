import type { BatchedSocket } from '@lifeline/core/protocol'
import type { PeerSocket } from './types.js'

/**
 * A text frame encoded once for many peers (a publication to every peer of a channel): its text,
 * and its whole WebSocket frame as bytes (FIN, text, unmasked: as a server sends it), written as
 * they are to every `ws` socket that compresses nothing. Writing the same bytes to a thousand
 * peers skips a thousand UTF-8 encodings and frame headers.
 */
export interface PreparedFrame {
  /** The frame's text, for sockets that frame it themselves. */
  readonly text: string
  /** The complete WebSocket frame: header and UTF-8 payload. */
  readonly bytes: Buffer
}

/** Frames `text` once: a FIN text frame with the 2, 4 or 10 byte header its length takes, unmasked. */
export function prepareFrame(text: string): PreparedFrame {
  const length = Buffer.byteLength(text)
  const head = length < 126 ? 2 : length < 65_536 ? 4 : 10
  const bytes = Buffer.allocUnsafe(head + length)
  bytes[0] = 0x81
  if (head === 2) bytes[1] = length
  else if (head === 4) {
    bytes[1] = 126
    bytes.writeUInt16BE(length, 2)
  } else {
    bytes[1] = 127
    bytes.writeBigUInt64BE(BigInt(length), 2)
  }
  bytes.write(text, head, 'utf8')
  return { text, bytes }
}

/** The parts of `ws`'s WebSocket that write a frame made elsewhere (socket.io's adapter writes its broadcasts so). */
interface WsInternals {
  /** The negotiated extensions, `''` when none (then nothing is compressed). */
  extensions?: unknown
  _socket?: BatchedSocket<Buffer>['_socket']
  _sender?: { sendFrame?: (list: Buffer[], callback?: () => void) => void } | null
}

/**
 * How to write prepared frames to `socket` as bytes, through its write batch: `ws`'s sender where
 * the connection negotiated no extension (a compressed connection must frame each message itself);
 * `null` for any other socket, which is sent the text.
 */
export function rawWriter(socket: PeerSocket): BatchedSocket<Buffer> | null {
  const ws = socket as PeerSocket & WsInternals
  const sender = ws._sender
  if (ws.extensions !== '' || typeof sender?.sendFrame !== 'function') return null
  return {
    send: (bytes) => sender.sendFrame?.([bytes]),
    get _socket() {
      return ws._socket
    },
  }
}
