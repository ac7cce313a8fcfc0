import { after, type Timer } from './clock.js'
import { type Frame, frameBytes } from './codec.js'
import { LifelineError } from './errors.js'
import type { QueueStore } from './queueStore.js'
import type { DropReason, Outgoing, QueuedMessage, SendResult } from './types.js'

/** What happens when a message does not fit in the queue. */
export type Overflow = 'drop-oldest' | 'drop-newest' | 'error'

/** The offline send queue. */
export interface QueueOptions {
  /**
   * Most messages kept while not open.
   * @default 1000
   */
  maxMessages?: number
  /**
   * Most bytes kept (UTF-8 bytes of the encoded frames).
   * @default 1_048_576
   */
  maxBytes?: number
  /**
   * When full: `'drop-oldest'` evicts the oldest, `'drop-newest'` refuses the new message,
   * `'error'` throws `QUEUE_FULL` from `send`.
   * @default 'drop-oldest'
   */
  overflow?: Overflow
  /**
   * How long a message may wait, in ms, before it is dropped with reason `'expired'`.
   * @default Infinity
   */
  ttl?: number
  /**
   * Keeps what is waiting (queued messages and unanswered requests) across a reload or a crash of
   * the page: {@link webStorageQueue}, or a store of your own.
   */
  store?: QueueStore
}

/** Queue settings with defaults applied. */
export type QueueSettings = Required<Omit<QueueOptions, 'store'>> & Pick<QueueOptions, 'store'>

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
  /** Writes queued messages to `link`, oldest first, while `room()` says the link can take more; returns them. */
  flush(link: Writer, room: () => boolean): QueuedMessage[]
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
  size(): number
  /** Messages waiting, oldest first (a copy). */
  readonly items: QueuedMessage[]
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
 * `overflow` policy), else dropped with a reason. Sending, evicting the oldest, flushing and
 * finding a request by id cost the same however long the queue is.
 */
export function createOutbox(limits: QueueSettings | null, host: OutboxHost): Outbox {
  /** The queue, oldest first, from `head` on: taking the oldest moves `head` instead of every item. */
  let list: QueuedMessage[] = []
  let head = 0
  /**
   * How many of the oldest were loaded from a store. Each of those expires at its own time, so
   * `loadedExpiry` keeps their earliest (it may have left already: the next look finds the next);
   * the rest were sent here with one ttl, so they expire oldest first.
   */
  let loaded = 0
  let loadedExpiry = Infinity
  let bytes = 0
  /** The ids of the queued requests. */
  const ids = new Set<string>()
  let expiry: Timer | undefined

  const size = () => list.length - head
  const keep = (item: QueuedMessage) => {
    bytes += item.bytes
    if (item.id !== undefined) ids.add(item.id)
  }
  const forget = (item: QueuedMessage) => {
    bytes -= item.bytes
    ids.delete(item.id as string)
    return item
  }
  /** Takes the oldest message out; the list is cut once half of it is behind `head`. */
  const shift = () => {
    const item = list[head++] as QueuedMessage
    if (loaded) loaded--
    if (head * 2 >= list.length) {
      list = list.slice(head)
      head = 0
    }
    return forget(item)
  }
  /** Takes, in one pass, the messages `leave` picks out of the queue, and returns them oldest first. */
  const takeOut = (leave: (item: QueuedMessage) => boolean) => {
    const kept: QueuedMessage[] = []
    const gone: QueuedMessage[] = []
    let stillLoaded = 0
    for (let i = head; i < list.length; i++) {
      const item = list[i] as QueuedMessage
      if (leave(item)) gone.push(forget(item))
      else {
        kept.push(item)
        if (i < head + loaded) stillLoaded++
      }
    }
    list = kept
    head = 0
    loaded = stillLoaded
    return gone
  }
  /** Reports messages that left the queue: the count first, then a drop for each with `reason`. */
  const gone = (items: QueuedMessage[], reason?: DropReason) => {
    if (!items.length) return
    host.changed()
    if (reason) for (const item of items) host.dropped(item, reason)
    schedule()
  }

  /** When the next message expires: the earliest loaded one, or the oldest of those sent here. */
  const next = () => Math.min(loadedExpiry, list[head + loaded]?.expiresAt ?? Infinity)
  const findLoadedExpiry = () => {
    loadedExpiry = Infinity
    for (let i = head; i < head + loaded; i++) loadedExpiry = Math.min(loadedExpiry, list[i]!.expiresAt)
  }
  /** Drops what has expired: in one pass while loaded messages wait, else from the front. */
  const expire = () => {
    const now = host.now()
    if (next() > now) return
    const expired = loaded ? takeOut((item) => item.expiresAt <= now) : []
    while (size() && list[head]!.expiresAt <= now) expired.push(shift())
    findLoadedExpiry()
    gone(expired, 'expired')
  }
  function schedule() {
    clearTimeout(expiry)
    const at = next()
    if (at === Infinity) return
    expiry = after(
      host.atomic(() => {
        expire()
        schedule() // a timer may fire a little early by the monotonic clock
      }),
      at - host.now(),
    )
  }

  const drop = (message: Outgoing, reason: DropReason): SendResult => {
    host.dropped(message, reason)
    return 'dropped'
  }
  const enqueue = (message: Outgoing): SendResult => {
    if (!limits) return drop(message, 'offline')
    const { maxMessages, maxBytes, overflow, ttl } = limits
    expire()
    const frame = copy(message.frame)
    const item: QueuedMessage = {
      type: message.type,
      data: message.data === message.frame ? frame : message.data,
      frame,
      id: message.id,
      bytes: frameBytes(frame),
      expiresAt: host.now() + ttl,
    }
    const full = () => size() >= maxMessages || bytes + item.bytes > maxBytes
    if (full()) {
      if (overflow === 'error') throw new LifelineError('QUEUE_FULL', 'queue full')
      // A message larger than the whole queue is refused whatever the policy.
      if (overflow === 'drop-newest' || item.bytes > maxBytes || maxMessages < 1) return drop(item, 'overflow')
      const evicted: QueuedMessage[] = []
      while (full()) evicted.push(shift())
      gone(evicted, 'overflow')
    }
    list.push(item)
    keep(item)
    host.changed()
    schedule()
    return 'queued'
  }

  return {
    send(message) {
      if (host.closed()) return drop(message, 'closed')
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
      return written
    },
    adopt(messages) {
      const now = host.now()
      const { maxMessages = Infinity, maxBytes = Infinity, overflow } = limits ?? {}
      const fresh: QueuedMessage[] = []
      const expired: QueuedMessage[] = []
      const refused: QueuedMessage[] = []
      for (const item of messages) {
        if (ids.has(item.id as string)) continue
        if (item.expiresAt <= now) expired.push(item)
        else if (item.bytes > maxBytes) refused.push(item)
        else {
          fresh.push(item)
          keep(item)
        }
      }
      // Behind the messages loaded earlier, ahead of the ones sent here.
      const end = head + loaded
      list = list.slice(head, end).concat(fresh, list.slice(end))
      head = 0
      loaded += fresh.length
      findLoadedExpiry()
      const evicted: QueuedMessage[] = []
      // As sends would have been: 'drop-oldest' evicts the oldest; 'drop-newest' and 'error' refuse the newest.
      while (size() > maxMessages || bytes > maxBytes) {
        if (overflow === 'drop-oldest') evicted.push(shift())
        else {
          evicted.push(forget(list.pop() as QueuedMessage))
          if (list.length - head < loaded) loaded--
        }
      }
      if (overflow !== 'drop-oldest') evicted.reverse()
      host.changed()
      for (const item of expired) host.dropped(item, 'expired')
      for (const item of refused.concat(evicted)) host.dropped(item, 'overflow')
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
    size,
    get items() {
      return list.slice(head)
    },
  }
}
