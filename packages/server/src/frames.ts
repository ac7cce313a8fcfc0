import { LifelineServerError } from './errors.js'

/** What one incoming frame is, once read. */
export type Incoming =
  | { kind: 'message'; type: string; data: unknown }
  | { kind: 'request'; type: string; data: unknown; id: string }
  | { kind: 'reply'; re: string; data: unknown; error: unknown }
  | { kind: 'ping'; id: string | undefined }
  | { kind: 'ignored' }
  | { kind: 'text-ping' }
  | { kind: 'bad'; reason: BadFrame }

/** Why a frame was ignored: not JSON, JSON that is no envelope, or over the size limit. */
export type BadFrame = 'invalidJson' | 'invalidEnvelope' | 'oversize'

/**
 * The longest request id read (Lifeline's are about 20 characters): ids are kept in the dedupe
 * window, so a client must not be able to make each one a megabyte.
 */
export const MAX_ID_LENGTH = 256

/** A frame as `ws` hands it over, whatever the socket's `binaryType`. */
export type RawFrame = Buffer | ArrayBuffer | Buffer[]

const byteLength = (raw: RawFrame) =>
  Array.isArray(raw) ? raw.reduce((sum, part) => sum + part.length, 0) : raw.byteLength

const textOf = (raw: RawFrame) =>
  (Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw)).toString('utf8')

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Reads one frame of Lifeline's JSON envelope. Text and binary frames are both read as UTF-8
 * JSON, as the client's `jsonCodec` does; the text frame `ping` is the heartbeat of a client on
 * `rawCodec`. Never throws: what cannot be read comes back as `bad`.
 */
export function readFrame(raw: RawFrame, isBinary: boolean, maxBytes: number): Incoming {
  if (byteLength(raw) > maxBytes) return { kind: 'bad', reason: 'oversize' }
  const text = textOf(raw)
  if (!isBinary && text === 'ping') return { kind: 'text-ping' }
  let message: unknown
  try {
    message = JSON.parse(text)
  } catch {
    return { kind: 'bad', reason: 'invalidJson' }
  }
  if (!isObject(message)) return { kind: 'bad', reason: 'invalidEnvelope' }
  const { type, data, id, re, error } = message
  if (re !== undefined) return typeof re === 'string' ? { kind: 'reply', re, data, error } : bad()
  if (typeof type !== 'string') return bad()
  if (id !== undefined && (typeof id !== 'string' || id.length > MAX_ID_LENGTH)) return bad()
  if (type === 'ping') return { kind: 'ping', id }
  if (type === 'pong') return { kind: 'ignored' }
  return id === undefined ? { kind: 'message', type, data } : { kind: 'request', type, data, id }
}

const bad = (): Incoming => ({ kind: 'bad', reason: 'invalidEnvelope' })

/** Encodes an envelope as one JSON text frame; throws `ENCODE_FAILED` for what JSON cannot carry. */
export function encode(envelope: object): string {
  try {
    return JSON.stringify(envelope)
  } catch (cause) {
    throw new LifelineServerError('ENCODE_FAILED', `cannot encode the message: ${(cause as Error).message}`, { cause })
  }
}

/** A message frame: `{"type", "data"?}` (`data` left out when undefined). */
export const messageFrame = (type: string, data: unknown, id?: string): string =>
  encode(id === undefined ? { type, data } : { type, data, id })
