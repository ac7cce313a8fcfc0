import { LifelineServerError } from './errors.js'
import type { DedupeWindow, ReplyStore } from './replyStore.js'

interface Entry {
  key: string
  scope: Scope
  /** The first reply; `null` while its handler runs. */
  reply: string | null
  /** Monotonic ms after which the entry is forgotten: `ttl` after its reply, or after its claim while it has none. */
  expires: number
  /** Duplicates waiting for the reply, made on the first. */
  waiters?: Set<Waiter>
  /** Forgotten: its slot in the expiry queues is skipped. */
  gone: boolean
}

/** The ids of one scope (a user, a client), in claim order. */
interface Scope {
  name: string
  queue: Queue
  /** Entries kept now. */
  size: number
}

/** Entries in the order they were claimed, oldest at `head`. */
interface Queue {
  items: Entry[]
  head: number
}

/** A duplicate waiting for the first reply. */
interface Waiter {
  resolve(reply: string): void
  reject(error: unknown): void
}

const lapsed = () => new LifelineServerError('REQUEST_LOST', 'the first attempt at this request ended without a reply')

/** How many spent slots a queue may hold at its front before it is compacted. */
const COMPACT_AFTER = 1024

/** How far past the front of a queue an eviction looks for an entry with a reply (running ones stay). */
const EVICTION_SCAN = 4096

const newQueue = (): Queue => ({ items: [], head: 0 })

function compact(queue: Queue) {
  if (queue.head > COMPACT_AFTER && queue.head * 2 > queue.items.length) {
    queue.items = queue.items.slice(queue.head)
    queue.head = 0
  }
}

/**
 * The dedupe window of one process. Each id is kept `ttl` ms after its reply. Ids are kept per
 * scope (the user or client that asked): at most `max` per scope, that scope's earliest claimed
 * out first, so one client's flood of ids never pushes out another's; and at most `maxBytes`
 * characters of keys and replies in all, the earliest claimed out first. An id whose handler is
 * still running is never pushed out (the hub bounds those per peer, and by `handlerTimeout`):
 * only its `ttl` ends it. A claim is answered at once when it can be (no promise): `null` for a
 * first claim, the reply for a duplicate whose first has replied.
 *
 * @example
 * ```ts
 * attach(wss, { adapter: { ...memoryAdapter(), replies: memoryReplyStore() }, dedupe: { ttl: 60_000, max: 1000 } })
 * ```
 */
export function memoryReplyStore(): ReplyStore {
  let window: DedupeWindow = { ttl: 0, max: 0, maxBytes: 0, claimTimeout: 0 }
  const entries = new Map<string, Entry>()
  const scopes = new Map<string, Scope>()
  // Every entry in claim order: the order they expire in (a reply moves an entry's expiry later
  // but not its place, so a slot may wait behind one that expires later; `claim` never answers
  // from an expired entry) and are pushed out in when `maxBytes` is reached.
  const queue = newQueue()
  let bytes = 0

  const sizeOf = (entry: Entry) => entry.key.length + (entry.reply?.length ?? 0)

  const forget = (entry: Entry) => {
    entry.gone = true
    entries.delete(entry.key)
    bytes -= sizeOf(entry)
    entry.scope.size--
    if (entry.scope.size === 0) scopes.delete(entry.scope.name)
    // Most entries never had a duplicate waiting: no iterator for them.
    if (entry.waiters) for (const waiter of entry.waiters) waiter.reject(lapsed())
  }

  /** Pushes out the earliest claimed entry with a reply from `from`; `false` when none is within reach. */
  const evictOne = (from: Queue): boolean => {
    const end = Math.min(from.items.length, from.head + EVICTION_SCAN)
    for (let i = from.head; i < end; i++) {
      const entry = from.items[i] as Entry
      if (entry.gone || entry.reply === null) continue
      forget(entry)
      return true
    }
    return false
  }

  /** Drops the spent slots at the front of a queue. */
  const trim = (from: Queue) => {
    while (from.head < from.items.length && (from.items[from.head] as Entry).gone) from.head++
    compact(from)
  }

  const sweep = (now: number) => {
    for (; queue.head < queue.items.length; queue.head++) {
      const entry = queue.items[queue.head] as Entry
      if (entry.gone) continue
      if (entry.expires > now) break
      forget(entry)
    }
    while (bytes > window.maxBytes && evictOne(queue)) trim(queue)
    compact(queue)
  }

  const add = (key: string, scopeName: string, reply: string | null, now: number) => {
    let scope = scopes.get(scopeName)
    if (!scope) {
      scope = { name: scopeName, queue: newQueue(), size: 0 }
      scopes.set(scopeName, scope)
    }
    const entry: Entry = { key, scope, reply, expires: now + window.ttl, gone: false }
    entries.set(key, entry)
    queue.items.push(entry)
    scope.queue.items.push(entry)
    scope.size++
    bytes += sizeOf(entry)
    while (scope.size > window.max && evictOne(scope.queue)) trim(scope.queue)
    trim(scope.queue)
    sweep(now)
  }

  return {
    start(host) {
      window = host.dedupe
    },

    claim(key, signal, scope = '') {
      const now = performance.now()
      let entry = entries.get(key)
      // Expired, and not swept yet: forgotten now (the sweep below takes the others).
      if (entry && entry.expires <= now) {
        forget(entry)
        entry = undefined
      }
      if (!entry) {
        add(key, scope, null, now)
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
      // Forgotten while its handler ran (its ttl passed): kept again from now.
      if (!entry) return add(key, '', reply, now)
      const { waiters } = entry
      bytes += reply.length - (entry.reply?.length ?? 0)
      entry.reply = reply
      entry.expires = now + window.ttl
      entry.waiters = undefined
      if (waiters) for (const waiter of waiters) waiter.resolve(reply)
      sweep(now)
    },

    close() {
      for (const entry of entries.values()) forget(entry)
      queue.items = []
      queue.head = 0
      scopes.clear()
      bytes = 0
    },
  }
}
