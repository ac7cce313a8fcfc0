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
  /**
   * Puts messages loaded from a store ahead of everything queued: expired ones drop, a request
   * already queued is not queued twice, and the limits apply as if they had been sent first.
   */
  adopt(messages: QueuedMessage[]): void
  /** Whether the message with `id` is waiting in the queue. */
  has(id: string): boolean
  /** Takes a message out of the queue without reporting it (a settled request). */
  remove(id: string): void
  /** Drops every queued message with `reason`. */
  clear(reason: DropReason): void
  /** The number of messages waiting. */
  readonly size: number
  /** Messages waiting, oldest first (a copy). */
  readonly items: readonly QueuedMessage[]
}

/** A binary frame copied, so the queue keeps what it held at send time whatever the caller does with its buffer. */
const copy = (frame: Frame): Frame =>
  typeof frame === 'string'
    ? frame
    : ArrayBuffer.isView(frame)
      ? new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength).slice()
      : frame.slice(0)

/** A list taken from the front: `shift` leaves an empty slot instead of moving every item, and the slots go now and then. */
function fifo() {
  let list: Array<QueuedMessage | undefined> = []
  let head = 0
  return {
    get size() {
      return list.length - head
    },
    /** The item at `index`, 0 being the oldest. */
    at: (index: number) => list[head + index],
    push: (item: QueuedMessage) => void list.push(item),
    pop: () => (list.length > head ? list.pop() : undefined),
    shift() {
      const item = list[head]
      list[head++] = undefined
      if (head === list.length) {
        list = []
        head = 0
      } else if (head >= 1024 && head * 2 >= list.length) {
        list = list.slice(head)
        head = 0
      }
      return item
    },
    /** Takes out, in one pass, the items `leave` picks, and returns them oldest first. */
    filterOut(leave: (item: QueuedMessage) => boolean) {
      const kept: QueuedMessage[] = []
      const gone: QueuedMessage[] = []
      for (let i = head; i < list.length; i++) {
        const item = list[i] as QueuedMessage
        if (leave(item)) gone.push(item)
        else kept.push(item)
      }
      if (gone.length) {
        list = kept
        head = 0
      }
      return gone
    },
    toArray: () => list.slice(head) as QueuedMessage[],
  }
}

/**
 * Where every outgoing message goes: straight to the link when it can be written, else into a
 * bounded FIFO (frames copied, `ttl` enforced on a timer, `maxMessages`/`maxBytes` with the
 * `overflow` policy), else dropped with a reason. Sending, evicting the oldest, flushing and
 * finding a request by id cost the same however long the queue is.
 */
export function createOutbox(limits: QueueSettings | null, host: OutboxHost): Outbox {
  /**
   * Messages loaded from a store, ahead of the rest. Each carries an expiry of its own, so
   * `loadedExpiry` keeps the earliest (it may be gone already: the next look finds the next one).
   */
  const loaded = fifo()
  let loadedExpiry = Number.POSITIVE_INFINITY
  /** Messages sent here: they share one ttl, so they expire oldest first and the oldest tells when. */
  const sent = fifo()
  let bytes = 0
  /** The ids of the queued requests. */
  const ids = new Set<string>()
  let expiry: Timer | undefined

  const size = () => loaded.size + sent.size
  const oldest = () => (loaded.size ? loaded : sent)
  const forget = (item: QueuedMessage) => {
    bytes -= item.bytes
    if (item.id !== undefined) ids.delete(item.id)
  }
  /** Reports messages that left the queue: the count first, then a drop for each with `reason`. */
  const gone = (items: QueuedMessage[], reason?: DropReason) => {
    if (!items.length) return
    host.changed()
    if (reason) for (const item of items) host.dropped(item, reason)
    schedule()
  }
  /** Takes the oldest message out of the queue. */
  const shift = () => {
    const item = oldest().shift() as QueuedMessage
    forget(item)
    return item
  }
  /** Takes, in one pass, the messages `leave` picks out of the queue, oldest first. */
  const takeOut = (leave: (item: QueuedMessage) => boolean) => {
    const items = loaded.filterOut(leave).concat(sent.filterOut(leave))
    for (const item of items) forget(item)
    return items
  }

  /** Drops what has expired: the due loaded messages in one pass, and the oldest sent ones. */
  const expire = () => {
    const now = host.now()
    let expired: QueuedMessage[] = []
    if (loadedExpiry <= now) {
      expired = loaded.filterOut((item) => item.expiresAt <= now)
      loadedExpiry = earliest()
    }
    while (sent.size && (sent.at(0) as QueuedMessage).expiresAt <= now) expired.push(sent.shift() as QueuedMessage)
    if (!expired.length) return
    for (const item of expired) forget(item)
    gone(expired, 'expired')
  }
  const earliest = () => {
    let at = Number.POSITIVE_INFINITY
    for (let i = 0; i < loaded.size; i++) at = Math.min(at, (loaded.at(i) as QueuedMessage).expiresAt)
    return at
  }
  function schedule() {
    clearTimeout(expiry)
    const next = Math.min(loadedExpiry, sent.at(0)?.expiresAt ?? Number.POSITIVE_INFINITY)
    if (next === Number.POSITIVE_INFINITY) return
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
    const full = () => size() >= maxMessages || bytes + item.bytes > maxBytes
    if (full()) {
      if (overflow === 'error') throw new LifelineError('QUEUE_FULL', 'queue full')
      // A message larger than the whole queue is refused whatever the policy.
      if (overflow === 'drop-newest' || item.bytes > maxBytes || maxMessages < 1) {
        host.dropped(item, 'overflow')
        return 'dropped'
      }
      const evicted: QueuedMessage[] = []
      while (full()) evicted.push(shift())
      gone(evicted, 'overflow')
    }
    sent.push(item)
    bytes += item.bytes
    if (item.id !== undefined) ids.add(item.id)
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
      const written: QueuedMessage[] = []
      while (size() && room()) {
        const item = shift()
        link.send(item.frame)
        written.push(item)
      }
      gone(written)
    },
    adopt(messages) {
      const now = host.now()
      const expired: QueuedMessage[] = []
      const refused: QueuedMessage[] = []
      const maxBytes = limits?.maxBytes ?? Number.POSITIVE_INFINITY
      const before = loaded.toArray()
      for (const item of messages) {
        if (item.id !== undefined && ids.has(item.id)) continue
        if (item.expiresAt <= now) expired.push(item)
        else if (item.bytes > maxBytes) refused.push(item)
        else {
          before.push(item)
          bytes += item.bytes
          if (item.id !== undefined) ids.add(item.id)
        }
      }
      // Loaded messages go ahead of the ones sent here (a message loaded earlier still goes first).
      loaded.filterOut(() => true)
      for (const item of before) loaded.push(item)
      loadedExpiry = earliest()
      const { maxMessages = Number.POSITIVE_INFINITY, overflow = 'drop-oldest' } = limits ?? {}
      const evicted: QueuedMessage[] = []
      // As sends would have been: 'drop-oldest' evicts the oldest; 'drop-newest' and 'error' refuse the newest.
      while (size() > maxMessages || bytes > maxBytes) {
        if (overflow === 'drop-oldest') evicted.push(shift())
        else {
          const item = (sent.size ? sent.pop() : loaded.pop()) as QueuedMessage
          forget(item)
          evicted.push(item)
        }
      }
      if (overflow !== 'drop-oldest') evicted.reverse()
      host.changed()
      for (const item of expired) host.dropped(item, 'expired')
      for (const item of [...refused, ...evicted]) host.dropped(item, 'overflow')
      schedule()
    },
    has: (id) => ids.has(id),
    remove(id) {
      if (ids.has(id)) gone(takeOut((item) => item.id === id))
    },
    clear(reason) {
      gone(
        takeOut(() => true),
        reason,
      )
    },
    get size() {
      return size()
    },
    get items() {
      return [...loaded.toArray(), ...sent.toArray()]
    },
  }
}
