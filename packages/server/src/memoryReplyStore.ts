import { LifelineServerError } from './errors.js'
import type { DedupeWindow, ReplyStore } from './replyStore.js'

interface Entry {
  key: string
  /** The first reply; `null` while its handler runs. */
  reply: string | null
  /** Monotonic ms after which the entry is forgotten: `ttl` after its reply, or after its claim while it has none. */
  expires: number
  /** Duplicates waiting for the reply, made on the first. */
  waiters?: Set<Waiter>
  /** Forgotten: its slot in the expiry queue is skipped. */
  gone: boolean
}

/** A duplicate waiting for the first reply. */
interface Waiter {
  resolve(reply: string): void
  reject(error: unknown): void
}

const lapsed = () => new LifelineServerError('REQUEST_LOST', 'the first attempt at this request ended without a reply')

/** How many spent slots the expiry queue may hold at its front before it is compacted. */
const COMPACT_AFTER = 1024

/**
 * The dedupe window of one process: a map of at most `max` ids (the earliest claimed out first),
 * each kept `ttl` ms after its reply. A claim is answered at once when it can be (no promise):
 * `null` for a first claim, the reply for a duplicate whose first has replied.
 *
 * @example
 * ```ts
 * attach(wss, { adapter: { ...memoryAdapter(), replies: memoryReplyStore() }, dedupe: { ttl: 60_000, max: 1000 } })
 * ```
 */
export function memoryReplyStore(): ReplyStore {
  let window: DedupeWindow = { ttl: 0, max: 0 }
  const entries = new Map<string, Entry>()
  // Entries in the order they were claimed, oldest at `head`: the order they are forgotten in
  // when the window is full. A reply moves an entry's expiry later but not its place, so a slot
  // may wait behind one that expires later; `claim` never answers from an expired entry.
  let queue: Entry[] = []
  let head = 0

  const add = (key: string, reply: string | null, now: number) => {
    const entry: Entry = { key, reply, expires: now + window.ttl, gone: false }
    entries.set(key, entry)
    queue.push(entry)
    sweep(now)
  }

  const forget = (entry: Entry) => {
    entry.gone = true
    entries.delete(entry.key)
    // Most entries never had a duplicate waiting: no iterator for them.
    if (entry.waiters) for (const waiter of entry.waiters) waiter.reject(lapsed())
  }

  const sweep = (now: number) => {
    for (; head < queue.length; head++) {
      const entry = queue[head] as Entry
      if (entry.gone) continue
      if (entry.expires > now && entries.size <= window.max) break
      forget(entry)
    }
    if (head > COMPACT_AFTER && head * 2 > queue.length) {
      queue = queue.slice(head)
      head = 0
    }
  }

  return {
    start(host) {
      window = host.dedupe
    },

    claim(key, signal) {
      const now = performance.now()
      let entry = entries.get(key)
      // Expired, and not swept yet: forgotten now (the sweep below takes the others).
      if (entry && entry.expires <= now) {
        forget(entry)
        entry = undefined
      }
      if (!entry) {
        add(key, null, now)
        return null
      }
      if (entry.reply !== null) return entry.reply
      return new Promise((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason)
        entry.waiters ??= new Set()
        const waiters = entry.waiters
        const done = () => {
          signal.removeEventListener('abort', abort)
          waiters.delete(waiter)
        }
        const waiter: Waiter = {
          resolve(reply) {
            done()
            resolve(reply)
          },
          reject(error) {
            done()
            reject(error)
          },
        }
        const abort = () => waiter.reject(signal.reason)
        signal.addEventListener('abort', abort)
        waiters.add(waiter)
      })
    },

    settle(key, reply) {
      const now = performance.now()
      const entry = entries.get(key)
      // Forgotten while its handler ran (the window is full of newer ids): kept again from now.
      if (!entry) return add(key, reply, now)
      const { waiters } = entry
      entry.reply = reply
      entry.expires = now + window.ttl
      entry.waiters = undefined
      if (waiters) for (const waiter of waiters) waiter.resolve(reply)
    },

    close() {
      for (const entry of entries.values()) forget(entry)
      queue = []
      head = 0
    },
  }
}
