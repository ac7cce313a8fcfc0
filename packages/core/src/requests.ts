import { after } from './clock.js'
import type { Envelope, Frame } from './codec.js'
import { fail, LifelineError } from './errors.js'
import type { Outgoing } from './outbox.js'
import type { DropReason, SendResult } from './types.js'

/** Options of `socket.request()`. */
export interface RequestOptions {
  /**
   * How long to wait for the reply, in ms, queued time included; `Infinity` waits for ever.
   * @default the socket's `requestTimeout` (10_000)
   */
  timeout?: number
  /** Aborts the request: it rejects with `REQUEST_ABORTED` and, if still queued, is never sent. */
  signal?: AbortSignal
  /**
   * Write the request again, with the same id, when the link drops before the reply
   * (at-least-once; the server dedupes by id). `false` rejects with `REQUEST_LOST` instead.
   * @default true
   */
  resend?: boolean
}

/** What requests ask of their socket. */
export interface RequestsHost {
  /** Sends like `send`: written, queued or dropped (a drop settles the request through {@link Requests.dropped}). */
  send(message: Outgoing): SendResult
  /** Whether the message with `id` is still in the queue. */
  queued(id: string): boolean
  /** Takes the message with `id` out of the queue. */
  remove(id: string): void
  /** Encodes an envelope with the socket's codec; throws `ENCODE_FAILED`. */
  encode(envelope: Envelope): Frame
  /** The number of pending requests changed. */
  changed(): void
  /** A background failure, emitted as `error`. */
  report(error: LifelineError): void
  /** Writes a debug line to the socket's logger. */
  debug(...args: unknown[]): void
  /** The default timeout (`requestTimeout`). */
  readonly timeout: number
  /** Wraps a callback so the events it causes go out when it returns. */
  atomic<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void
}

/** Requests the socket made and is waiting for, and handlers for the server's requests. */
export interface Requests {
  request(type: string, data: unknown, options: RequestOptions | undefined): Promise<unknown>
  handle(type: string, handler: (data: never) => unknown): () => void
  /** Takes a reply or a request for a handler; `true` when `message` was one. */
  route(message: unknown): boolean
  /** The link dropped: requests written to it are resent on the next (or rejected with `resend: false`). */
  lost(): void
  /** Writes the requests lost with the last link to `write`, oldest first. */
  resend(write: (frame: Frame) => void): void
  /** A queued request left the queue unsent. */
  dropped(id: string, reason: DropReason): void
  /** The socket closed for good: every pending request rejects with `REQUEST_LOST`. */
  close(): void
  /** Requests not settled yet. */
  size(): number
  /** The requests written and not answered (not those still queued), oldest first. */
  unanswered(): Outgoing[]
}

interface Pending {
  message: Outgoing
  resend: boolean
  /** Written to a link that dropped before the reply: to be written again first on the next. */
  lost?: boolean
  settle(error: LifelineError | null, value?: unknown): void
}

/** 64 random bits, fresh for every page load and process, so ids never repeat across tabs or reloads. */
const prefix = Array.from(
  globalThis.crypto?.getRandomValues?.(new Uint32Array(2)) ?? [Math.random() * 2 ** 32, Math.random() * 2 ** 32],
  (n) => (n >>> 0).toString(36),
).join('')
let counter = 0

/** A request id: the page's random prefix and a counter. */
export const nextId = (): string => `${prefix}.${(++counter).toString(36)}`

const lost = (reason: string) => fail('REQUEST_LOST', `request lost: ${reason}`, reason)

export function createRequests(host: RequestsHost): Requests {
  const pending = new Map<string, Pending>()
  const handlers = new Map<string, (data: never) => unknown>()

  const reply = host.atomic((re: string, data: unknown, error?: unknown) => {
    let frame: Frame
    try {
      frame = host.encode(error ? { re, error } : { re, data })
    } catch (cause) {
      host.report(cause as LifelineError)
      frame = host.encode({ re, error: { message: 'cannot encode the reply' } })
    }
    host.send({ type: undefined, data: data ?? error, frame })
  })

  return {
    request(type, data, { timeout = host.timeout, signal, resend = true } = {}) {
      if (!(timeout >= 0)) throw new LifelineError('INVALID_OPTIONS', 'timeout must be ms >= 0')
      const id = nextId()
      const message = { type, data, id, frame: host.encode(data === undefined ? { type, id } : { type, data, id }) }
      const aborted = () => fail('REQUEST_ABORTED', 'request aborted', signal?.reason)
      if (signal?.aborted) return Promise.reject(aborted())
      let entry!: Pending
      const promise = new Promise((resolve, reject) => {
        // Finite timeouts past what timers accept are clamped by `after`; Infinity waits for ever.
        const timer =
          timeout < Infinity
            ? after(
                host.atomic(() => entry.settle(fail('REQUEST_TIMEOUT', `no reply in ${timeout} ms`))),
                timeout,
              )
            : undefined
        const abort = host.atomic(() => entry.settle(aborted()))
        entry = {
          message,
          resend,
          settle(error, value) {
            if (!pending.delete(id)) return
            clearTimeout(timer)
            signal?.removeEventListener('abort', abort)
            host.remove(id)
            host.changed()
            if (error) reject(error)
            else resolve(value)
          },
        }
        signal?.addEventListener('abort', abort)
      })
      pending.set(id, entry)
      host.changed()
      try {
        host.send(message)
      } catch (error) {
        // QUEUE_FULL with `overflow: 'error'`: thrown, as `send` throws it.
        promise.catch(() => {})
        entry.settle(error as LifelineError)
        throw error
      }
      return promise
    },

    handle(type, handler) {
      if (handlers.has(type)) throw new LifelineError('INVALID_OPTIONS', `"${type}" has a handler`)
      handlers.set(type, handler)
      return () => {
        if (handlers.get(type) === handler) handlers.delete(type)
      }
    },

    route(message) {
      const { re, id, type, data, error } = (message ?? {}) as Envelope
      if (typeof re === 'string') {
        // A late, duplicate or unknown reply settles nothing; `"error": null` is no error.
        const reason = error as { message?: unknown } | null | undefined
        const entry = pending.get(re)
        if (!entry) host.debug('reply to no pending request', re)
        entry?.settle(
          reason == null ? null : fail('REQUEST_FAILED', String(reason?.message ?? 'request failed'), reason),
          data,
        )
        return true
      }
      const handler = typeof id === 'string' && handlers.get(type as string)
      if (!handler) return false
      new Promise((resolve) => resolve(handler(data as never))).then(
        (value) => reply(id, value),
        (thrown: { code?: unknown; message?: unknown }) =>
          reply(id, undefined, { code: thrown?.code, message: String(thrown?.message ?? thrown) }),
      )
      return true
    },

    lost() {
      for (const entry of pending.values()) {
        if (host.queued(entry.message.id as string)) continue
        if (entry.resend) entry.lost = true
        else entry.settle(lost('link dropped'))
      }
    },

    resend(write) {
      for (const entry of pending.values()) {
        if (entry.lost) write(entry.message.frame)
        entry.lost = false
      }
    },

    dropped: (id, reason) => pending.get(id)?.settle(lost(reason)),

    close() {
      for (const entry of pending.values()) entry.settle(lost('closed'))
    },

    size: () => pending.size,
    unanswered: () =>
      [...pending.values()].filter((entry) => !host.queued(entry.message.id as string)).map((entry) => entry.message),
  }
}
