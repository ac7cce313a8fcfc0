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

/**
 * A bounded FIFO of encoded messages. A plain data structure: no timers, no events; the
 * socket decides when to expire, flush and report drops.
 */
export class SendQueue {
  /** Waiting messages, oldest first. */
  readonly items: QueuedMessage[] = []
  /** Bytes waiting. */
  bytes = 0
  readonly #limits: QueueLimits

  constructor(limits: QueueLimits) {
    this.#limits = limits
  }

  /**
   * Adds a message; returns the messages that leave the queue unsent for lack of room: the
   * new one itself when it is refused, or the oldest ones evicted for it (`drop-oldest`).
   * A message larger than the whole queue is refused whatever the policy.
   */
  push(item: QueuedMessage): QueuedMessage[] {
    const { maxMessages, maxBytes, overflow } = this.#limits
    const evicted: QueuedMessage[] = []
    if (!this.#fits(item) && (overflow !== 'drop-oldest' || maxMessages < 1 || item.bytes > maxBytes)) return [item]
    while (!this.#fits(item)) evicted.push(this.shift() as QueuedMessage)
    this.items.push(item)
    this.bytes += item.bytes
    return evicted
  }

  /** Removes and returns the oldest message. */
  shift(): QueuedMessage | undefined {
    const item = this.items.shift()
    if (item) this.bytes -= item.bytes
    return item
  }

  /** Removes and returns the messages whose `ttl` has passed at `now` (oldest first). */
  expire(now: number): QueuedMessage[] {
    const expired: QueuedMessage[] = []
    // TTL is the same for every entry, so the oldest expire first.
    while ((this.items[0]?.expiresAt as number) <= now) expired.push(this.shift() as QueuedMessage)
    return expired
  }

  /** Removes and returns every message, oldest first. */
  clear(): QueuedMessage[] {
    this.bytes = 0
    return this.items.splice(0)
  }

  #fits(item: QueuedMessage): boolean {
    return this.items.length < this.#limits.maxMessages && this.bytes + item.bytes <= this.#limits.maxBytes
  }
}
