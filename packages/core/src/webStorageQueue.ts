import { LifelineError } from './errors.js'
import type { QueueStore, StoredItem } from './queueStore.js'

// biome-ignore lint/suspicious/noExplicitAny: browser globals, looked up at call time.
const platform = globalThis as any

/**
 * A {@link QueueStore} in Web Storage: what a socket has not sent survives a reload, a crash or
 * the tab being closed, and is sent once, in order, ahead of anything newer.
 *
 * Each page keeps its own record, `${key}:${page}`, and holds a Web Lock on it while it lives, so
 * two tabs on one key never overwrite each other. When a socket loads, it takes over the records
 * of the pages that are gone (their lock is free): it takes the lock, copies their items into its
 * own record, then removes theirs, so each stored queue is replayed by exactly one tab, and a
 * crash in between loses nothing. Under `connectShared` every tab does this for its own socket,
 * and what it replays goes out through the one connection. Where Web Locks are missing, the
 * queue is the one record `key`: use a key per tab there.
 *
 * @param key - the storage key, one per queue.
 * @param storage - where to keep it.
 * @default storage `localStorage`
 * @throws `INVALID_OPTIONS` where there is no `localStorage` and none was passed.
 * @example
 * ```ts
 * const socket = connect(url, { queue: { store: webStorageQueue('chat-outbox'), ttl: 60_000 } })
 * ```
 */
export function webStorageQueue(key: string, storage: Storage = platform.localStorage): QueueStore {
  if (!storage) throw new LifelineError('INVALID_OPTIONS', 'no localStorage here: pass a Storage')
  const read = (record: string): StoredItem[] => {
    try {
      const items = JSON.parse(storage.getItem(record) ?? '[]')
      return Array.isArray(items) ? items : []
    } catch {
      return []
    }
  }
  const write = (record: string, items: StoredItem[]) =>
    items.length ? storage.setItem(record, JSON.stringify(items)) : storage.removeItem(record)
  const locks = platform.navigator?.locks
  if (!locks) return { load: () => read(key), save: (items) => write(key, items) }

  const forever = () => new Promise(() => {})
  const lockOf = (record: string) => `lifeline:${record}`
  // The time first, so records sort oldest first.
  const mine = `${key}:${Date.now().toString(36)}.${Math.random().toString(36).slice(2)}`
  const held = new Promise<void>((resolve) =>
    locks.request(lockOf(mine), () => {
      resolve()
      return forever()
    }),
  )
  let latest: StoredItem[] = []
  /** Items taken over from gone pages that `load` has not returned yet: a save meanwhile keeps them, ahead. */
  let adopting: StoredItem[] = []
  return {
    async load() {
      await held
      const records: string[] = []
      for (let i = 0; i < storage.length; i++) {
        const record = storage.key(i) as string
        if (record.startsWith(`${key}:`) && /^\w+\.\w+$/.test(record.slice(key.length + 1))) records.push(record)
      }
      for (const record of records.sort()) {
        // Free: its page is gone (this page's own is held). Held from now on, so no other page takes it too.
        await new Promise<void>((done) =>
          locks.request(lockOf(record), { ifAvailable: true }, (lock: unknown) => {
            done()
            if (!lock) return
            adopting = adopting.concat(read(record))
            write(mine, [...adopting, ...latest])
            storage.removeItem(record)
            return forever()
          }),
        )
      }
      const adopted = adopting
      adopting = []
      return adopted
    },
    save(items) {
      latest = items
      return held.then(() => write(mine, [...adopting, ...latest]))
    },
  }
}
