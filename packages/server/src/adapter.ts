import { LifelineServerError } from './errors.js'

/** A value, or a promise of it: adapters that need no I/O answer at once. */
export type MaybePromise<T> = T | Promise<T>

/** What a hub gives its adapter when it starts it. */
export interface AdapterHost {
  /** Sends a broadcast frame that another instance published to this instance's peers. */
  deliver(frame: string): void
  /** Reports a background failure as the hub's `error` event (`ADAPTER_FAILED`). */
  report(error: unknown): void
  /** The dedupe window, from the hub's `dedupe` option. */
  readonly dedupe: DedupeWindow
}

/** The dedupe window an adapter keeps. */
export interface DedupeWindow {
  /** How long a reply is kept, in ms after it was made; a claim with no reply lapses after as long. */
  readonly ttl: number
  /** At most how many ids are kept (where the adapter can bound that). */
  readonly max: number
}

/**
 * Where a hub shares what must be shared when one server process becomes several: broadcasts
 * (each instance's peers get every instance's broadcast) and the dedupe window (a request
 * resent to another instance after a drop is answered with the first reply, and its handler
 * runs once across all of them). {@link memoryAdapter} is the default, for one process;
 * `redisAdapter` from `@lifeline/server/redis` spans several. One adapter serves one hub.
 *
 * The claim is the heart of it: exactly one `claim` of a key, across every instance, returns
 * `null` (run the handler); every other returns the reply that one stores with `settle`.
 *
 * @example
 * ```ts
 * // An adapter that logs broadcasts and leaves dedupe to the in-memory one.
 * function loggingAdapter(): Adapter {
 *   const memory = memoryAdapter()
 *   return { ...memory, publish: (frame) => console.log('broadcast', frame) }
 * }
 * ```
 */
export interface Adapter {
  /** Called once, by `attach`. A rejection is reported (`ADAPTER_FAILED`) and rejects `hub.ready`. */
  start(host: AdapterHost): MaybePromise<void>
  /** Sends a broadcast frame to the other instances (this one has sent it to its own peers). */
  publish(frame: string): MaybePromise<void>
  /**
   * Claims a request's dedupe `key`. `null`: this is the first time the key is seen in the
   * window; the caller runs the handler and calls `settle(key, reply)`. A string: the first
   * reply, returned as soon as it exists (waiting while the first is still running). Rejects
   * when `signal` aborts (the asking peer left), and with `REQUEST_LOST` when the first claim
   * lapsed without a reply (its instance died while the handler ran).
   */
  claim(key: string, signal: AbortSignal): MaybePromise<string | null>
  /** Stores the reply to a claimed key for the window and hands it to everyone waiting. */
  settle(key: string, reply: string): MaybePromise<void>
  /** Stops: no more deliveries; releases what the adapter opened. */
  close(): MaybePromise<void>
}

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
 * The default adapter: broadcasts stay in this process, and the dedupe window is a map of at
 * most `max` ids (the earliest claimed out first), each kept `ttl` ms after its reply.
 *
 * @example
 * ```ts
 * const hub = attach(wss, { adapter: memoryAdapter(), dedupe: { ttl: 60_000, max: 1000 } })
 * ```
 */
export function memoryAdapter(): Adapter {
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

    publish() {
      // One process: the hub has already sent the frame to every peer there is.
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
