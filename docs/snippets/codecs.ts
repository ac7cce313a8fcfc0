// Samples of docs/codecs.md. Each region is pasted into the guide as it is.
import { type Codec, connect, jsonCodec, rawCodec } from '@lifeline/core'

interface Incoming {
  chat: { from: string; text: string }
}
interface Outgoing {
  chat: { text: string }
  hello: undefined
  'upload-start': { name: string; size: number }
}

declare function reportBug(error: unknown): void

export function envelope() {
  const socket = connect<Incoming, Outgoing>('wss://example.com/live')
  // #region envelope
  socket.send('chat', { text: 'hi' }) // {"type":"chat","data":{"text":"hi"}}
  socket.send('hello') // {"type":"hello"}

  // {"type":"chat","data":{"from":"ada","text":"hi"},"id":"r1"} arrives as:
  socket.on('message', (message) => console.log(message)) // { type: 'chat', data: { from, text }, id: 'r1' }
  socket.on('chat', (chat) => console.log(chat.from, chat.text)) // { from: 'ada', text: 'hi' }
  // #endregion
}

export function raw() {
  // #region raw
  const feed = connect('wss://example.com/feed', { codec: rawCodec })
  feed.on('message', (frame) => {
    if (typeof frame === 'string') console.log('text', frame)
    else console.log('binary', (frame as ArrayBuffer).byteLength)
  })
  feed.send('subscribe', 'ticker:BTC') // the text frame ticker:BTC
  feed.send('hello') // no data: the type itself, the text frame hello
  feed.send('upload', new Uint8Array([1, 2, 3])) // a binary frame
  // #endregion
}

declare namespace Shown {
  // #region codec-interface
  interface Codec {
    encode(message: { type: string; data?: unknown; id?: string }): string | ArrayBuffer | ArrayBufferView
    decode(frame: string | ArrayBuffer): unknown
  }
  // #endregion
}
// The interface shown in the guide is the one the package exports, in both directions.
export const shownIsExported: Codec = {} as Shown.Codec
export const exportedIsShown: Shown.Codec = {} as Codec

// #region tuple
// A server that already speaks ["chat", {"text": "hi"}] arrays.
const decoder = new TextDecoder()

export const tupleCodec: Codec = {
  encode: ({ type, data }) => JSON.stringify(data === undefined ? [type] : [type, data]),
  decode(frame) {
    const value = JSON.parse(typeof frame === 'string' ? frame : decoder.decode(frame))
    if (!Array.isArray(value) || typeof value[0] !== 'string') throw new Error('not a [type, data] pair')
    return { type: value[0], data: value[1] } // emitted as `message`, and `data` under `type`
  },
}

const socket = connect<Incoming, Outgoing>('wss://example.com/live', { codec: tupleCodec })
// #endregion

// #region binary
interface Cursor {
  user: number
  x: number
  y: number
}

// Cursor positions travel as 13-byte binary frames; everything else as the JSON envelope.
const CURSOR = 1

export const cursorCodec: Codec = {
  encode(message) {
    if (message.type !== 'cursor') return jsonCodec.encode(message)
    const { user, x, y } = message.data as Cursor
    const view = new DataView(new ArrayBuffer(13))
    view.setUint8(0, CURSOR)
    view.setUint32(1, user)
    view.setFloat32(5, x)
    view.setFloat32(9, y)
    return view.buffer
  },
  decode(frame) {
    if (typeof frame === 'string') return jsonCodec.decode(frame)
    const view = new DataView(frame)
    if (view.getUint8(0) !== CURSOR) throw new Error(`unknown binary frame kind ${view.getUint8(0)}`)
    return { type: 'cursor', data: { user: view.getUint32(1), x: view.getFloat32(5), y: view.getFloat32(9) } }
  },
}

const canvas = connect<{ cursor: Cursor }, { cursor: Cursor }>('wss://example.com/canvas', { codec: cursorCodec })
canvas.on('cursor', ({ user, x, y }) => console.log(user, x, y))
canvas.send('cursor', { user: 7, x: 120.5, y: 48 })
// #endregion

// #region library
// `pack` and `unpack` stand for your MessagePack library's encode and decode functions.
declare function pack(value: unknown): Uint8Array
declare function unpack(bytes: Uint8Array): unknown

export const msgpackCodec: Codec = {
  encode: (message) => pack(message),
  decode: (frame) => (typeof frame === 'string' ? JSON.parse(frame) : unpack(new Uint8Array(frame))),
}
// #endregion

// #region validate
// Types on `connect<Incoming>` are a promise, not a check. To refuse unexpected messages,
// throw from `decode`: the frame is skipped and reported as DECODE_FAILED.
const knownTypes = new Set(['chat', 'presence'])

export const checkedCodec: Codec = {
  encode: jsonCodec.encode,
  decode(frame) {
    const message = jsonCodec.decode(frame) as { type?: unknown } | null
    if (typeof message?.type !== 'string' || !knownTypes.has(message.type)) {
      throw new Error('unexpected message')
    }
    return message
  },
}
// #endregion

// #region send-raw
// A file as one binary frame, announced by a JSON message on the same socket.
async function upload(file: File) {
  const bytes = await file.arrayBuffer()
  socket.send('upload-start', { name: file.name, size: file.size })
  socket.sendRaw(bytes) // 'sent' | 'queued' | 'dropped', like send
}
// #endregion

export function limits() {
  // #region max-incoming
  const socket = connect('wss://example.com/live', { maxMessageBytes: 1_048_576 }) // 1 MiB
  socket.on('error', (error) => {
    if (error.code === 'MESSAGE_TOO_LARGE') reportBug(error) // the frame was skipped unparsed
  })
  // #endregion
  return socket
}

export { upload }
