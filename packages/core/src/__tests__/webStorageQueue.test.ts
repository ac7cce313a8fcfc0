import { type FakeTab, fakeBrowser } from '@lifeline/test-support/fakeTabs'
import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { connect } from '../connect.js'
import type { StoredItem } from '../queueStore.js'
import { webStorageQueue } from '../webStorageQueue.js'

/** `localStorage` as the standard defines it, over a Map; `full` makes every write throw as a full one does. */
function memoryStorage(): Storage & { full: boolean; dump(): Record<string, StoredItem[]> } {
  const map = new Map<string, string>()
  return {
    full: false,
    get length() {
      return map.size
    },
    key: (i) => [...map.keys()][i] ?? null,
    getItem: (k) => map.get(k) ?? null,
    setItem(k, v) {
      if (this.full) throw new DOMException('quota', 'QuotaExceededError')
      map.set(k, String(v))
    },
    removeItem: (k) => void map.delete(k),
    clear: () => map.clear(),
    dump: () => Object.fromEntries([...map].map(([k, v]) => [k, JSON.parse(v)])),
  }
}

const item = (frame: string): StoredItem => ({ frame, expiresAt: null })
const frames = (items: StoredItem[]) => items.map((i) => i.frame)

/** A page of the profile: `webStorageQueue` is made while its Web Locks are the global ones. */
function page(profile: ReturnType<typeof fakeBrowser>, storage: Storage, key = 'outbox') {
  const tab: FakeTab = profile.tab()
  vi.stubGlobal('navigator', { locks: tab.locks })
  const store = webStorageQueue(key, storage)
  vi.unstubAllGlobals()
  return { tab, store }
}

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

describe('webStorageQueue', () => {
  it('says clearly when there is no localStorage', () => {
    expect(() => webStorageQueue('k')).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }))
  })

  it('keeps one record under the key where Web Locks are missing, and reads a broken one as empty', async () => {
    const storage = memoryStorage()
    const store = webStorageQueue('outbox', storage)
    await store.save([item('a'), item('b')])
    expect(storage.dump()).toEqual({ outbox: [item('a'), item('b')] })
    expect(frames(await webStorageQueue('outbox', storage).load())).toEqual(['a', 'b'])
    await store.save([])
    expect(storage.dump()).toEqual({})
    storage.setItem('outbox', '{not json')
    expect(await webStorageQueue('outbox', storage).load()).toEqual([])
  })

  it('gives each page its own record, so two tabs on one key never overwrite each other', async () => {
    const profile = fakeBrowser()
    const storage = memoryStorage()
    const one = page(profile, storage)
    const two = page(profile, storage)
    await Promise.all([one.store.load(), two.store.load()].map((p) => vi.advanceTimersByTimeAsync(5).then(() => p)))
    await Promise.all([one.store.save([item('one')]), two.store.save([item('two')]), vi.advanceTimersByTimeAsync(5)])
    const records = Object.values(storage.dump()).map(frames)
    expect(records.sort()).toEqual([['one'], ['two']])
    // A third page takes nothing that a live page holds.
    const three = page(profile, storage)
    const loading = three.store.load()
    await vi.advanceTimersByTimeAsync(5)
    expect(await loading).toEqual([])
  })

  it("replays a gone page's record once, in order, in the page that loads next, and keeps it until sent", async () => {
    const profile = fakeBrowser()
    const storage = memoryStorage()
    const old = page(profile, storage)
    await Promise.all([old.store.save([item('1'), item('2'), item('3')]), vi.advanceTimersByTimeAsync(5)])
    old.tab.kill() // a reload, a crash, the tab closed
    const next = page(profile, storage)
    const loading = next.store.load()
    await vi.advanceTimersByTimeAsync(5)
    expect(frames(await loading)).toEqual(['1', '2', '3'])
    // The items now live in the new page's record: a crash before they are sent loses nothing.
    expect(Object.values(storage.dump()).map(frames)).toEqual([['1', '2', '3']])
    const again = page(profile, storage)
    const second = again.store.load()
    await vi.advanceTimersByTimeAsync(5)
    expect(await second).toEqual([])
  })

  it('replays each gone record exactly once when two pages load at the same time', async () => {
    const profile = fakeBrowser()
    const storage = memoryStorage()
    const gone = [page(profile, storage), page(profile, storage), page(profile, storage)]
    await Promise.all([
      ...gone.map((p, i) => p.store.save([item(`${i}a`), item(`${i}b`)])),
      vi.advanceTimersByTimeAsync(5),
    ])
    for (const p of gone) p.tab.kill()
    const [a, b] = [page(profile, storage), page(profile, storage)]
    const loads = Promise.all([a.store.load(), b.store.load()])
    await vi.advanceTimersByTimeAsync(20)
    const [fromA, fromB] = await loads
    const all = [...frames(fromA), ...frames(fromB)]
    expect(all.sort()).toEqual(['0a', '0b', '1a', '1b', '2a', '2b'])
    // Each record stays whole and in order, in one page.
    for (const list of [frames(fromA), frames(fromB)]) {
      for (const i of [0, 1, 2])
        if (list.includes(`${i}a`)) expect(list.indexOf(`${i}b`)).toBe(list.indexOf(`${i}a`) + 1)
    }
  })

  it("sends a gone page's queue first, in order, when the next page's socket opens", async () => {
    const profile = fakeBrowser()
    const storage = memoryStorage()
    const old = page(profile, storage)
    const first = connect('wss://example.test/live', {
      WebSocket: FakeWebSocket,
      browserEvents: false,
      queue: { store: old.store },
    })
    first.send('n', 1)
    first.send('n', 2)
    await vi.advanceTimersByTimeAsync(5)
    old.tab.kill()
    const next = page(profile, storage)
    const second = connect('wss://example.test/live', {
      WebSocket: FakeWebSocket,
      browserEvents: false,
      queue: { store: next.store },
    })
    second.send('n', 3)
    await vi.advanceTimersByTimeAsync(5)
    FakeWebSocket.last.serverOpen()
    await vi.advanceTimersByTimeAsync(5)
    expect(FakeWebSocket.last.messages).toEqual([
      { type: 'n', data: 1 },
      { type: 'n', data: 2 },
      { type: 'n', data: 3 },
    ])
    await vi.advanceTimersByTimeAsync(5)
    expect(storage.dump()).toEqual({})
    first.dispose()
    second.dispose()
  })

  it('reports a full storage as STORE_FAILED and keeps the queue in memory', async () => {
    const profile = fakeBrowser()
    const storage = memoryStorage()
    const { store } = page(profile, storage)
    storage.full = true
    const socket = connect('wss://example.test/live', {
      WebSocket: FakeWebSocket,
      browserEvents: false,
      queue: { store },
    })
    const errors: string[] = []
    socket.on('error', (error) => errors.push(error.code))
    socket.send('n', 1)
    await vi.advanceTimersByTimeAsync(5)
    expect(errors).toContain('STORE_FAILED')
    FakeWebSocket.last.serverOpen()
    await vi.advanceTimersByTimeAsync(5)
    expect(FakeWebSocket.last.messages).toEqual([{ type: 'n', data: 1 }])
    socket.dispose()
  })
})

describe('webStorageQueue under a socket', () => {
  it('where Web Locks are missing, sends what was stored and each send once, however many attempts fail', async () => {
    const storage = memoryStorage()
    storage.setItem(
      'outbox',
      JSON.stringify([{ frame: JSON.stringify({ type: 'n', data: 0 }), type: 'n', expiresAt: null }]),
    )
    const socket = connect('wss://example.test/live', {
      WebSocket: FakeWebSocket,
      browserEvents: false,
      reconnect: { initialDelay: 10, maxDelay: 10, jitter: 'none' },
      queue: { store: webStorageQueue('outbox', storage) },
    })
    for (const n of [1, 2, 3]) socket.send('n', n)
    for (let attempt = 0; attempt < 7; attempt++) {
      FakeWebSocket.last.serverFail()
      await vi.advanceTimersByTimeAsync(10)
    }
    FakeWebSocket.last.serverOpen()
    await vi.advanceTimersByTimeAsync(5)
    expect(FakeWebSocket.last.messages).toEqual([0, 1, 2, 3].map((n) => ({ type: 'n', data: n })))
    expect(storage.dump()).toEqual({})
    socket.dispose()
  })

  it('where Web Locks are missing, with autoConnect: false, keeps what was stored and sends it once', async () => {
    const storage = memoryStorage()
    storage.setItem(
      'outbox',
      JSON.stringify([{ frame: JSON.stringify({ type: 'n', data: 0 }), type: 'n', expiresAt: null }]),
    )
    const socket = connect('wss://example.test/live', {
      WebSocket: FakeWebSocket,
      browserEvents: false,
      autoConnect: false,
      queue: { store: webStorageQueue('outbox', storage) },
    })
    socket.send('n', 1)
    await vi.advanceTimersByTimeAsync(5)
    expect(frames(storage.dump().outbox ?? [])).toEqual(['{"type":"n","data":0}', '{"type":"n","data":1}'])
    socket.open()
    FakeWebSocket.last.serverOpen()
    await vi.advanceTimersByTimeAsync(5)
    expect(FakeWebSocket.last.messages).toEqual([
      { type: 'n', data: 0 },
      { type: 'n', data: 1 },
    ])
    socket.dispose()
  })

  it("keeps a gone page's items in this page's record when a save comes while they are being taken over", async () => {
    const profile = fakeBrowser()
    const storage = memoryStorage()
    const first = page(profile, storage)
    await Promise.all([first.store.save([item('1'), item('2')]), vi.advanceTimersByTimeAsync(5)])
    const second = page(profile, storage)
    await Promise.all([second.store.save([item('3')]), vi.advanceTimersByTimeAsync(5)])
    const [firstRecord] = Object.entries(storage.dump()).find(([, items]) => frames(items).includes('1')) ?? []
    first.tab.kill()
    second.tab.kill()
    const next = page(profile, storage)
    const loading = next.store.load()
    // Between the two records it takes over: the first one's items are in this page's record now.
    while (firstRecord && storage.getItem(firstRecord) !== null) await vi.advanceTimersByTimeAsync(1)
    await next.store.save([item('4')])
    // A reload now loses nothing: the first page's items are still in this page's record.
    expect(Object.values(storage.dump()).map(frames)).toContainEqual(['1', '2', '4'])
    await vi.advanceTimersByTimeAsync(5)
    expect(frames(await loading)).toEqual(['1', '2', '3'])
    expect(Object.values(storage.dump()).map(frames)).toEqual([['1', '2', '3', '4']])
  })
})
