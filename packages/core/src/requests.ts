import { after, type Timer } from './clock.js'
import type { Envelope, Frame } from './codec.js'
import { fail, isLifelineError, LifelineError } from './errors.js'
import { errorOf } from './protocol/envelope.js'
import type { DropReason, Outgoing, SendResult } from './types.js'

/** Options of `socket.request()`. */
export interface RequestOptions {
  /**
   * How long to wait for the reply once the request is written to a link, in ms; `Infinity` waits
   * for ever. Time spent queued while offline does not count, and a resend after a drop does not
   * start it again. The queue's `ttl` and `signal` (e.g. `AbortSignal.timeout(ms)`) bound the
   * whole wait from the call.
   * @default the socket's `requestTimeout` (10_000)
   */
  timeout?: number
  /**
   * Aborts the request: it rejects with `REQUEST_ABORTED` and, if still queued, is never sent.
   * `AbortSignal.timeout(ms)` bounds the whole wait, queued time included.
   */
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
  /** The socket's monotonic clock, in ms. */
  now(): number
  /** Wraps a callback so the events it causes go out when it returns. */
  atomic<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void
}

/** Requests the socket made and is waiting for, and handlers for the server's requests. */
export interface Requests {
  request(type: string, data: unknown, options: RequestOptions | undefined): Promise<unknown>
  handle(type: string, handler: (data: never) => unknown): () => void
  /** Takes a reply or a request for a handler; `true` when `message` was one. */
  route(message: unknown): boolean
  /** The queue wrote `messages` to the link: the requests among them start their timeouts. */
  written(messages: readonly Outgoing[]): void
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
  /** Its key in the pending store. */
  id: string
  message: Outgoing
  /** How long it may wait once written, in ms, as given. */
  timeout: number
  /** When it times out, on the socket's clock; `Infinity` until it is first written, and for never. */
  deadline: number
  resend: boolean
  /** Written to a link that dropped before the reply: to be written again first on the next. */
  lost?: boolean
  resolve(value: unknown): void
  reject(error: LifelineError): void
  signal: AbortSignal | undefined
  abort: (() => void) | undefined
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
const aborted = (signal: AbortSignal) => fail('REQUEST_ABORTED', 'request aborted', signal.reason)
const NO_OPTIONS: RequestOptions = {}

/** The functions of the promise made last: one executor serves every request, so none is made per request. */
let resolveLast: (value: unknown) => void
let rejectLast: (error: LifelineError) => void
const capture = (resolve: (value: unknown) => void, reject: (error: LifelineError) => void) => {
  resolveLast = resolve
  rejectLast = reject
}

export function createRequests(host: RequestsHost): Requests {
  /**
   * The pending requests by id, oldest first: a dictionary object rather than a Map. A Map whose
   * size keeps changing replaces its backing table again and again, each old table linked to its
   * successor; once one reaches the old generation (in Node, under load), the tables after it and
   * every request they name outlive each young-generation collection until a full one. Measured
   * in the request benchmark's client: half the time in garbage collection.
   */
  const pending: Record<string, Pending> = Object.create(null)
  let count = 0
  /** Runs `fn` on every pending request, oldest first; one settled meanwhile is skipped, as a Map's own iteration skips it. */
  const each = (fn: (entry: Pending) => void) => {
    for (const id in pending) fn(pending[id] as Pending)
  }
  const handlers = new Map<string, (data: never) => unknown>()

  /**
   * One timer for every deadline: it is set for the earliest, settles what has expired when it
   * fires and is set again for the next. Requests are answered far more often than they time
   * out, so most never touch a timer, and none is left behind once nothing is pending.
   */
  let timer: Timer | undefined
  let timerAt = Infinity
  const disarm = () => {
    clearTimeout(timer)
    timerAt = Infinity
  }
  const arm = (at: number) => {
    if (at >= timerAt) return
    clearTimeout(timer)
    timerAt = at
    timer = after(expire, at - host.now())
  }
  const expire = host.atomic(() => {
    timerAt = Infinity
    const now = host.now()
    let next = Infinity
    each((entry) => {
      if (entry.deadline <= now) settle(entry, fail('REQUEST_TIMEOUT', `no reply in ${entry.timeout} ms`))
      else next = Math.min(next, entry.deadline)
    })
    arm(next)
  })
  /** `entry` was written to a link for the first time: its timeout starts. */
  const start = (entry: Pending, now: number) => {
    entry.deadline = now + entry.timeout
    arm(entry.deadline)
  }

  /**
   * Settles `entry` once: later calls (a late reply, a second drop) do nothing. A settled entry
   * lets go of its message and promise at once, so that garbage which still names it (an old copy
   * of the pending store, until a full collection) cannot keep them alive.
   */
  const settle = (entry: Pending, error: LifelineError | null, value?: unknown) => {
    const { id, signal, abort, resolve, reject } = entry
    if (pending[id] !== entry) return
    delete pending[id]
    if (!--count) disarm()
    if (abort) signal?.removeEventListener('abort', abort)
    const held = entry as Partial<Pending>
    held.message = held.signal = held.abort = held.resolve = held.reject = undefined
    host.remove(id)
    host.changed()
    if (error) reject(error)
    else resolve(value)
  }

  /**
   * Answers the server's request `re`. It runs in the background, after the handler: whatever
   * goes wrong (a reply the codec refuses, a full queue with `overflow: 'error'`) is reported as
   * an `error` event, and a reply that cannot be encoded becomes an error reply.
   */
  const reply = host.atomic((re: string, data: unknown, error?: unknown) => {
    let frame: Frame
    try {
      try {
        frame = host.encode(error ? { re, error } : { re, data })
      } catch (cause) {
        host.report(cause as LifelineError)
        frame = host.encode({ re, error: { message: 'cannot encode the reply' } })
      }
      host.send({ type: undefined, data: data ?? error, frame })
    } catch (cause) {
      // QUEUE_FULL with `overflow: 'error'`, or a codec that cannot encode even the error reply.
      host.report(fail(isLifelineError(cause) ? cause.code : 'ENCODE_FAILED', `reply to ${re} not sent`, cause))
    }
  })

  return {
    request(type, data, options) {
      const { timeout = host.timeout, signal, resend = true } = options ?? NO_OPTIONS
      if (!(timeout >= 0)) throw new LifelineError('INVALID_OPTIONS', 'timeout must be ms >= 0')
      const id = nextId()
      const message = { type, data, id, frame: host.encode(data === undefined ? { type, id } : { type, data, id }) }
      if (signal?.aborted) return Promise.reject(aborted(signal))
      const promise = new Promise(capture)
      const entry: Pending = {
        id,
        message,
        timeout,
        deadline: Infinity,
        resend,
        resolve: resolveLast,
        reject: rejectLast,
        signal,
        abort: signal && host.atomic(() => settle(entry, aborted(signal))),
      }
      if (entry.abort) signal?.addEventListener('abort', entry.abort)
      pending[id] = entry
      count++
      host.changed()
      let result: SendResult
      try {
        result = host.send(message)
      } catch (error) {
        // QUEUE_FULL with `overflow: 'error'`: thrown, as `send` throws it.
        promise.catch(() => {})
        settle(entry, error as LifelineError)
        throw error
      }
      // Queued: its timeout starts when the queue writes it (`written`). Dropped: settled already.
      if (result === 'sent') start(entry, host.now())
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
        const entry = pending[re]
        if (!entry) host.debug('reply to no pending request', re)
        else
          settle(
            entry,
            reason == null ? null : fail('REQUEST_FAILED', String(reason.message ?? 'request failed'), reason),
            data,
          )
        return true
      }
      const handler = typeof id === 'string' && handlers.get(type as string)
      if (!handler) return false
      new Promise((resolve) => resolve(handler(data as never))).then(
        (value) => reply(id, value),
        (thrown: unknown) => reply(id, undefined, errorOf(thrown)),
      )
      return true
    },

    written(messages) {
      const now = host.now()
      for (const { id } of messages) {
        const entry = pending[id as string]
        if (entry) start(entry, now)
      }
    },

    lost() {
      each((entry) => {
        if (host.queued(entry.id)) return
        if (entry.resend) entry.lost = true
        else settle(entry, lost('link dropped'))
      })
    },

    resend(write) {
      each((entry) => {
        if (entry.lost) write(entry.message.frame)
        entry.lost = false
      })
    },

    dropped(id, reason) {
      const entry = pending[id]
      if (entry) settle(entry, lost(reason))
    },

    close() {
      each((entry) => settle(entry, lost('closed')))
    },

    size: () => count,
    unanswered: () =>
      Object.values(pending)
        .filter((entry) => !host.queued(entry.id))
        .map((entry) => entry.message),
  }
}
