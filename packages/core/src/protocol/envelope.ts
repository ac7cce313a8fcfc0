/**
 * One message of Lifeline's JSON envelope, as `send(type, data)` hands it to a codec and as it
 * travels. A request has an `id`; its reply has no `type`, names the request in `re` and carries
 * `data` or `error`.
 */
export interface Envelope<T extends string = string, D = unknown> {
  /** The message type: `send('chat', …)` gives `'chat'`; absent in replies. */
  type?: T
  /** The payload; absent when `send(type)` had none. */
  data?: D
  /** A request's id, unique across tabs and reloads. */
  id?: string
  /** In a reply: the id of the request it answers. */
  re?: string
  /** In an error reply: what went wrong, `{ code?, message? }` by convention. */
  error?: unknown
}

/** What an error reply carries in `error`: `{"re": id, "error": { "code"?, "message" }}`. */
export interface ErrorReply {
  /** A stable string for programs to branch on, e.g. `NOT_FOUND`. */
  code?: string
  /** What went wrong, for people. */
  message: string
}

/**
 * A message, or a request when `id` is given: `{ type, data?, id? }`. `data` and `id` are left
 * out when undefined, as JSON leaves out undefined fields.
 *
 * @example
 * ```ts
 * JSON.stringify(envelope('chat', { text: 'hi' })) // '{"type":"chat","data":{"text":"hi"}}'
 * JSON.stringify(envelope('getUser', { id: '42' }, 'k3j9.1')) // '{"type":"getUser","data":{"id":"42"},"id":"k3j9.1"}'
 * ```
 */
export function envelope<T extends string>(type: T, data?: unknown, id?: string): Envelope<T> {
  return id === undefined ? { type, data } : { type, data, id }
}

/**
 * The reply to request `re`: `{ re, data }` for a success, `{ re, error }` for a failure.
 *
 * @example
 * ```ts
 * JSON.stringify(reply('k3j9.1', { name: 'Ada' })) // '{"re":"k3j9.1","data":{"name":"Ada"}}'
 * JSON.stringify(errorReply('k3j9.1', { code: 'NOT_FOUND', message: 'no user 42' }))
 * ```
 */
export function reply(
  re: string,
  data: unknown,
): Envelope & {
  /** The id of the request it answers. */
  re: string
} {
  return { re, data }
}

/** The error reply to request `re`: `{ re, error }`. See {@link reply}. */
export function errorReply(
  re: string,
  error: ErrorReply | { code?: unknown; message?: unknown },
): Envelope & {
  /** The id of the request it answers. */
  re: string
} {
  return { re, error }
}

/**
 * An envelope as one JSON text frame. Throws what `JSON.stringify` throws (a BigInt, a cycle);
 * each side wraps that in its own `ENCODE_FAILED`.
 */
export function encodeEnvelope(message: Envelope): string {
  return JSON.stringify(message)
}

/**
 * The error reply's `{ code, message }` for what a handler threw, read with care, since a handler
 * may throw anything (`null`, an object with no prototype, an error whose getters throw): never
 * throws itself.
 *
 * @example
 * ```ts
 * errorOf(new Error('no user 42')) // { code: undefined, message: 'no user 42' }
 * errorOf(Object.create(null)) // { code: undefined, message: 'request failed' }
 * ```
 */
export function errorOf(thrown: unknown): {
  /** The thrown value's `code`, when it has one that can be read. */
  code?: unknown
  /** The thrown value's `message`, else the value as text, else `request failed`. */
  message: string
} {
  const read = (key: 'code' | 'message'): unknown => {
    try {
      return (thrown as Record<string, unknown> | null | undefined)?.[key]
    } catch {
      return undefined
    }
  }
  let message: string
  try {
    message = String(read('message') ?? thrown)
  } catch {
    message = 'request failed'
  }
  return { code: read('code'), message }
}
