import { after, type Timer } from './clock.js'
import { type Frame, frameBytes } from './codec.js'
import { LifelineError } from './errors.js'
import type { QueueSettings } from './options.js'
import type { DropReason, SendResult } from './types.js'

/** What happens when a message does not fit in the queue. */
export type Overflow = 'drop-oldest' | 'drop-newest' | 'error'

/** A message on its way out, already encoded. */
export interface Outgoing {
  /** The message type, `undefined` for raw frames and replies. */
  type: string | undefined
  /** The payload as given to `send` (or the frame, for `sendRaw`). */
  data: unknown
  /** The encoded frame. */
  frame: Frame
  /** The envelope id, for requests. */
  id?: string | undefined
}

/** A message waiting in the queue. */
export interface QueuedMessage extends Outgoing {
  /** The frame's size in bytes. */
  bytes: number
  /** When it expires, on the socket's monotonic clock. */
  expiresAt: number
}

/** Where messages are written: the socket's link. */
export interface Writer {
  send(frame: Frame): void
}

/** What the outbox asks of its socket. */
export interface OutboxHost {
  /** The socket's monotonic clock. */
  now(): number
  /** The link to write to now, or `null` when messages must wait in the queue. */
  writable(): Writer | null
  /** Whether the socket is closed for good (sends are dropped). */
  closed(): boolean
  /** A message leaves unsent: emit `drop` (and settle its request). */
  dropped(message: Outgoing, reason: DropReason): void
  /** The number of queued messages changed. */
  changed(): void
  /** Wraps a callback so the events it causes go out when it returns. */
  atomic(fn: () => void): () => void
}

/** Send routing, the queue, `ttl` and drops; see {@link createOutbox}. */
export interface Outbox {
  /** Writes `message` to the link, or queues it, or drops it. */
  send(message: Outgoing): SendResult
  /** Writes queued messages to `link`, oldest first, while `room()` says the link can take more. */
  flush(link: Writer, room: () => boolean): void
  /** Puts messages loaded from a store ahead of everything queued. */
  adopt(messages: QueuedMessage[]): void
  /** Whether the message with `id` is waiting in the queue. */
  has(id: string): boolean
  /** Takes a message out of the queue without reporting it (a settled request). */
  remove(id: string): void
  /** Drops every queued message with `reason`. */
  clear(reason: DropReason): void
  /** Messages waiting, oldest first. */
  readonly items: readonly QueuedMessage[]
}

/** A binary frame copied, so the queue keeps what it held at send time whatever the caller does with its buffer. */
const copy = (frame: Frame): Frame =>
  typeof frame === 'string'
    ? frame
    : ArrayBuffer.isView(frame)
      ? new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength).slice()
      : frame.slice(0)

/**
 * Where every outgoing message goes: straight to the link when it can be written, else into a
 * bounded FIFO (frames copied, `ttl` enforced on a timer, `maxMessages`/`maxBytes` with the
 * `overflow` policy), else dropped with a reason.
 */
export function createOutbox(limits: QueueSettings | null, host: OutboxHost): Outbox {
  let items: QueuedMessage[] = []
  let bytes = 0
  let expiry: Timer | undefined

  /** Takes the messages `leave` picks out of the queue (reporting them with `reason`) and returns them. */
  const take = (leave: (item: QueuedMessage, index: number) => boolean, reason?: DropReason) => {
    const gone = items.filter(leave)
    if (!gone.length) return gone
    items = items.filter((item, index) => !leave(item, index))
    for (const item of gone) bytes -= item.bytes
    host.changed()
    if (reason) for (const item of gone) host.dropped(item, reason)
    schedule()
    return gone
  }
  // Every entry has the same ttl, so the oldest expire first and one timer serves them all.
  const expire = () => {
    const now = host.now()
    if ((items[0]?.expiresAt as number) <= now) take((item) => item.expiresAt <= now, 'expired')
  }
  function schedule() {
    clearTimeout(expiry)
    const next = items[0]?.expiresAt
    if (next === undefined || next === Infinity) return
    expiry = after(
      host.atomic(() => {
        expire()
        schedule() // a timer may fire a little early by the monotonic clock
      }),
      next - host.now(),
    )
  }

  const enqueue = (message: Outgoing): SendResult => {
    if (!limits) {
      host.dropped(message, 'offline')
      return 'dropped'
    }
    const { maxMessages, maxBytes, overflow, ttl } = limits
    expire()
    const frame = copy(message.frame)
    const item: QueuedMessage = {
      ...message,
      frame,
      data: message.data === message.frame ? frame : message.data,
      bytes: frameBytes(frame),
      expiresAt: host.now() + ttl,
    }
    const full = () => items.length >= maxMessages || bytes + item.bytes > maxBytes
    if (full()) {
      if (overflow === 'error') throw new LifelineError('QUEUE_FULL', 'queue full')
      // A message larger than the whole queue is refused whatever the policy.
      if (overflow === 'drop-newest' || item.bytes > maxBytes || maxMessages < 1) {
        host.dropped(item, 'overflow')
        return 'dropped'
      }
      while (full()) take((_, index) => index === 0, 'overflow')
    }
    items.push(item)
    bytes += item.bytes
    host.changed()
    schedule()
    return 'queued'
  }

  return {
    send(message) {
      if (host.closed()) {
        host.dropped(message, 'closed')
        return 'dropped'
      }
      const link = host.writable()
      if (!link) return enqueue(message)
      link.send(message.frame)
      return 'sent'
    },
    flush(link, room) {
      expire()
      let count = 0
      while (count < items.length && room()) link.send((items[count++] as QueuedMessage).frame)
      take((_, index) => index < count)
    },
    adopt(messages) {
      items = [...messages, ...items]
      for (const item of messages) bytes += item.bytes
      host.changed()
      expire()
      schedule()
    },
    // A request settles with an empty queue on the hot path: nothing to look through.
    has: (id) => items.length > 0 && items.some((item) => item.id === id),
    remove: (id) => {
      if (items.length) take((item) => item.id === id)
    },
    clear: (reason) => take(() => true, reason),
    get items() {
      return items
    },
  }
}
