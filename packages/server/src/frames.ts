import { type Classified, classify, encodeEnvelope, envelope, TEXT_PING } from '@lifeline/core/protocol'
import { LifelineServerError } from './errors.js'

/** What one incoming frame is, once read: what the protocol's classifier says, pongs ignored, bad ones with why. */
export type Incoming =
  | Exclude<Classified, { kind: 'pong' | 'bad' }>
  | { kind: 'ignored' }
  | { kind: 'text-ping' }
  | { kind: 'bad'; reason: BadFrame }

/** Why a frame was ignored: not JSON, JSON that is no envelope, over the size limit, or nested too deep. */
export type BadFrame = 'invalidJson' | 'invalidEnvelope' | 'oversize' | 'tooDeep'

/** The limits a frame is read under. */
export interface FrameLimits {
  /** Frames larger than this many bytes are not read. */
  readonly maxBytes: number
  /** JSON nested deeper than this (objects and arrays) is not parsed. */
  readonly maxDepth: number
}

/**
 * The longest request id read (Lifeline's are about 20 characters): ids are kept in the dedupe
 * window, so a client must not be able to make each one a megabyte.
 */
export const MAX_ID_LENGTH = 256

/** A frame as `ws` hands it over, whatever the socket's `binaryType`. */
export type RawFrame = Buffer | ArrayBuffer | Buffer[]

/** A frame's size in bytes. */
export const byteLength = (raw: RawFrame) =>
  Array.isArray(raw) ? raw.reduce((sum, part) => sum + part.length, 0) : raw.byteLength

const textOf = (raw: RawFrame) =>
  (Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw)).toString('utf8')

/**
 * Whether JSON text nests objects and arrays deeper than `max`, found by counting brackets
 * outside strings: linear, no recursion and no allocation, so a frame nested 500,000 levels deep
 * is refused in about a millisecond instead of being handed to `JSON.parse`. Text that is not
 * JSON may pass; `JSON.parse` refuses it then.
 */
export function nestsDeeper(text: string, max: number): boolean {
  // Each level takes at least one character: short text cannot be deep.
  if (text.length <= max) return false
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92)
        i++ // a backslash: the next character is escaped
      else if (c === 34) inString = false
    } else if (c === 34) inString = true
    else if (c === 123 || c === 91) {
      if (++depth > max) return true
    } else if (c === 125 || c === 93) depth--
  }
  return false
}

const IGNORED: Incoming = { kind: 'ignored' }
const TEXT_PING_FRAME: Incoming = { kind: 'text-ping' }
const bad = (reason: BadFrame): Incoming => ({ kind: 'bad', reason })

/**
 * Reads one frame of Lifeline's JSON envelope: the size limit first (an oversized frame is
 * never read), then the text (text and binary frames are both UTF-8 JSON, as the client's
 * `jsonCodec` reads them; the text frame `ping` is the heartbeat of a client on `rawCodec`),
 * then its nesting depth (checked without parsing), then the protocol's classifier, and last
 * the server's own limit on request ids. Pongs are ignored. Never throws: what cannot be read
 * comes back as `bad`.
 */
export function readFrame(raw: RawFrame, isBinary: boolean, limits: FrameLimits): Incoming {
  if (byteLength(raw) > limits.maxBytes) return bad('oversize')
  const text = textOf(raw)
  if (!isBinary && text === TEXT_PING) return TEXT_PING_FRAME
  if (nestsDeeper(text, limits.maxDepth)) return bad('tooDeep')
  let message: unknown
  try {
    message = JSON.parse(text)
  } catch {
    return bad('invalidJson')
  }
  const frame = classify(message)
  switch (frame.kind) {
    case 'bad':
      return bad('invalidEnvelope')
    case 'pong':
      return IGNORED
    case 'request':
    case 'ping':
      return frame.id !== undefined && frame.id.length > MAX_ID_LENGTH ? bad('invalidEnvelope') : frame
    default:
      return frame
  }
}

/** Encodes an envelope as one JSON text frame; throws `ENCODE_FAILED` for what JSON cannot carry. */
export function encode(message: object): string {
  try {
    return encodeEnvelope(message)
  } catch (cause) {
    throw new LifelineServerError('ENCODE_FAILED', `cannot encode the message: ${(cause as Error).message}`, { cause })
  }
}

/** A message frame, or a request frame with `id`: `{"type", "data"?, "id"?}`. */
export const messageFrame = (type: string, data: unknown, id?: string): string => encode(envelope(type, data, id))
