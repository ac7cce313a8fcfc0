/**
 * What one decoded incoming message is, by the envelope's rules:
 * - `reply`: `re` is a string (whatever else it has);
 * - `ping` / `pong`: the heartbeat's reserved types (a ping may carry an `id` to echo);
 * - `request`: a string `type` and a string `id`;
 * - `message`: a string `type` and no `id`;
 * - `bad`: not an object, an `re` or `id` that is not a string, or no string `type`.
 */
export type Classified =
  | {
      /** A message: a string `type` and no `id`. */
      kind: 'message'
      /** The message type. */
      type: string
      /** The payload; `undefined` when absent. */
      data: unknown
    }
  | {
      /** A request: a string `type` and a string `id`. */
      kind: 'request'
      /** The request type. */
      type: string
      /** The payload; `undefined` when absent. */
      data: unknown
      /** The request's id, for its reply's `re`. */
      id: string
    }
  | {
      /** A reply: a string `re`. */
      kind: 'reply'
      /** The id of the request it answers. */
      re: string
      /** The payload of a success; `undefined` when absent. */
      data: unknown
      /** What went wrong, in an error reply; `undefined` otherwise. */
      error: unknown
    }
  | {
      /** The heartbeat's ping envelope. */
      kind: 'ping'
      /** The id for the pong to echo; `undefined` when absent. */
      id: string | undefined
    }
  | {
      /** The heartbeat's pong envelope. */
      kind: 'pong'
    }
  | {
      /** Not a valid envelope. */
      kind: 'bad'
    }

const BAD: Classified = Object.freeze({ kind: 'bad' })
const PONG: Classified = Object.freeze({ kind: 'pong' })

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Tells apart the kinds of envelope a decoded frame can be (see {@link Classified}). Never
 * throws. The text frames `ping` and `pong` of the raw heartbeat are not envelopes: see
 * {@link isPing} and {@link isPong}.
 *
 * @example
 * ```ts
 * classify(JSON.parse('{"type":"getUser","data":{"id":"42"},"id":"k3j9.1"}'))
 * // { kind: 'request', type: 'getUser', data: { id: '42' }, id: 'k3j9.1' }
 * classify({ re: 'k3j9.1', data: 1 }) // { kind: 'reply', re: 'k3j9.1', data: 1, error: undefined }
 * classify([1, 2]) // { kind: 'bad' }
 * ```
 */
export function classify(message: unknown): Classified {
  if (!isRecord(message)) return BAD
  const { type, data, id, re, error } = message
  if (re !== undefined) return typeof re === 'string' ? { kind: 'reply', re, data, error } : BAD
  if (typeof type !== 'string' || (id !== undefined && typeof id !== 'string')) return BAD
  if (type === 'ping') return { kind: 'ping', id }
  if (type === 'pong') return PONG
  return id === undefined ? { kind: 'message', type, data } : { kind: 'request', type, data, id }
}
