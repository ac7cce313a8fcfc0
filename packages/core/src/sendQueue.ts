import type { Frame } from './codec.js'

/** What happens when a message does not fit in the queue. */
export type Overflow = 'drop-oldest' | 'drop-newest' | 'error'

/** Limits of the send queue. */
export interface QueueLimits {
  /** Most messages kept. */
  maxMessages: number
  /** Most bytes kept (UTF-8 bytes of the encoded frames). */
  maxBytes: number
  /** What to do when a message does not fit. */
  overflow: Overflow
  /** How long a message may wait, in ms. */
  ttl: number
}

/** A message waiting to be sent, already encoded. */
export interface QueuedMessage {
  /** The message type, `undefined` for raw frames. */
  type: string | undefined
  /** The payload as given to `send` (or the frame, for `sendRaw`). */
  data: unknown
  /** The encoded frame. */
  frame: Frame
  /** The frame's size in bytes. */
  bytes: number
  /** When it expires (epoch ms). */
  expiresAt: number
}

/** The outcome of {@link SendQueue.push}. */
export interface PushResult {
  /** Whether the new message is now in the queue. */
  accepted: boolean
  /** Older messages removed to make room (with `drop-oldest`). */
  evicted: QueuedMessage[]
}

/**
 * A bounded FIFO of encoded messages. A plain data structure: no timers, no events; the
 * socket decides when to expire, flush and report drops.
 */
export class SendQueue {
  #items: QueuedMessage[] = []
  #head = 0
  #bytes = 0
  readonly #limits: QueueLimits

  constructor(limits: QueueLimits) {
    this.#limits = limits
  }

  /** Messages waiting. */
  get size(): number {
    return this.#items.length - this.#head
  }

  /** Bytes waiting. */
  get bytes(): number {
    return this.#bytes
  }

  /** Builds an entry stamped with its expiry time. */
  entry(type: string | undefined, data: unknown, frame: Frame, bytes: number, now: number): QueuedMessage {
    return { type, data, frame, bytes, expiresAt: now + this.#limits.ttl }
  }

  /**
   * Adds a message. With `drop-oldest`, evicts from the front until it fits (a message
   * larger than the whole queue is refused instead). Otherwise refuses it when full.
   */
  push(item: QueuedMessage): PushResult {
    const { maxMessages, maxBytes, overflow } = this.#limits
    const evicted: QueuedMessage[] = []
    if (this.#fits(item)) {
      this.#append(item)
      return { accepted: true, evicted }
    }
    if (overflow !== 'drop-oldest' || maxMessages < 1 || item.bytes > maxBytes) {
      return { accepted: false, evicted }
    }
    while (!this.#fits(item)) evicted.push(this.shift() as QueuedMessage)
    this.#append(item)
    return { accepted: true, evicted }
  }

  /** Removes and returns the oldest message. */
  shift(): QueuedMessage | undefined {
    if (this.#head >= this.#items.length) return undefined
    const item = this.#items[this.#head] as QueuedMessage
    this.#items[this.#head++] = undefined as unknown as QueuedMessage
    this.#bytes -= item.bytes
    if (this.#head === this.#items.length) this.#reset()
    else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head)
      this.#head = 0
    }
    return item
  }

  /** Removes and returns the messages whose `ttl` has passed at `now` (oldest first). */
  expire(now: number): QueuedMessage[] {
    const expired: QueuedMessage[] = []
    // TTL is the same for every entry, so the oldest expire first.
    while (this.size > 0 && (this.#items[this.#head] as QueuedMessage).expiresAt <= now) {
      expired.push(this.shift() as QueuedMessage)
    }
    return expired
  }

  /** When the oldest message expires (epoch ms), `undefined` if the queue is empty. */
  nextExpiry(): number | undefined {
    return this.size > 0 ? (this.#items[this.#head] as QueuedMessage).expiresAt : undefined
  }

  /** Removes and returns every message, oldest first. */
  clear(): QueuedMessage[] {
    const items = this.#items.slice(this.#head)
    this.#reset()
    return items
  }

  #fits(item: QueuedMessage): boolean {
    return this.size < this.#limits.maxMessages && this.#bytes + item.bytes <= this.#limits.maxBytes
  }

  #append(item: QueuedMessage): void {
    this.#items.push(item)
    this.#bytes += item.bytes
  }

  #reset(): void {
    this.#items = []
    this.#head = 0
    this.#bytes = 0
  }
}
