import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { connect } from '../connect.js'
import { LOAD_TIMEOUT, type QueueStore, type StoredItem } from '../queueStore.js'
import { openLink, setup } from './helpers.js'

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
})

/** A store over an array, recording every save. */
function memoryStore(initial: StoredItem[] = []) {
  let stored = initial
  const saves: StoredItem[][] = []
  const loads = { count: 0 }
  const store: QueueStore = {
    load: () => {
      loads.count++
      return stored
    },
    save: (items) => {
      stored = items
      saves.push(items)
    },
  }
  return { store, saves, loads, stored: () => stored }
}

const frame = (type: string, data: unknown) => JSON.stringify({ type, data })

describe('queue.store', () => {
  it('sends what an earlier page stored, in order, ahead of anything sent since', async () => {
    const { store } = memoryStore([
      { frame: frame('chat', 1), type: 'chat', expiresAt: null },
      { frame: frame('chat', 2), type: 'chat', expiresAt: Date.now() + 60_000 },
    ])
    const { socket } = setup({ queue: { store } })
    socket.send('chat', 3)
    const ws = await openLink()
    expect(ws.messages).toEqual([
      { type: 'chat', data: 1 },
      { type: 'chat', data: 2 },
      { type: 'chat', data: 3 },
    ])
    socket.dispose()
  })

  it('drops stored messages whose ttl passed while the page was gone, as expired, with the payload they were sent with', async () => {
    const { store } = memoryStore([
      { frame: frame('chat', 'old'), type: 'chat', expiresAt: Date.now() - 1 },
      { frame: frame('chat', 'fresh'), type: 'chat', expiresAt: Date.now() + 1000 },
    ])
    const { socket, events } = setup({ queue: { store } })
    const ws = await openLink()
    expect(ws.messages).toEqual([{ type: 'chat', data: 'fresh' }])
    expect(events.filter(([type]) => type === 'drop').map(([, drop]) => drop)).toEqual([
      { type: 'chat', data: 'old', reason: 'expired' },
    ])
    socket.dispose()
  })

  it('saves what waits (queued messages, unanswered requests) once per task, with wall-clock expiry', async () => {
    const { store, saves } = memoryStore()
    const { socket } = setup({ queue: { store, ttl: 5000 } })
    socket.send('chat', 'a')
    socket.send('chat', 'b')
    await Promise.resolve()
    expect(saves).toHaveLength(1)
    expect(saves[0]).toEqual([
      { frame: frame('chat', 'a'), type: 'chat', expiresAt: Date.now() + 5000 },
      { frame: frame('chat', 'b'), type: 'chat', expiresAt: Date.now() + 5000 },
    ])
    const ws = await openLink()
    const answer = socket.request('ask', 1).catch(() => {})
    await Promise.resolve()
    const asked = ws.messages[2] as { id: string }
    expect(saves.at(-1)).toEqual([{ frame: String(ws.sent[2]), type: 'ask', id: asked?.id, expiresAt: null }])
    ws.serverSend({ re: asked?.id, data: 'yes' })
    await answer
    await Promise.resolve()
    expect(saves.at(-1)).toEqual([])
    socket.dispose()
  })

  it('keeps binary frames as base64', async () => {
    const { store, stored } = memoryStore()
    const { socket } = setup({ queue: { store } })
    socket.sendRaw(new Uint8Array([0, 1, 255]))
    await Promise.resolve()
    expect(stored()).toEqual([{ frame: 'AAH/', binary: true, expiresAt: null }])
    socket.dispose()
  })

  it('waits for an async store before the first flush', async () => {
    let release: (items: StoredItem[]) => void = () => {}
    const store: QueueStore = { load: () => new Promise((resolve) => (release = resolve)), save: () => {} }
    const { socket } = setup({ queue: { store } })
    socket.send('chat', 'new')
    FakeWebSocket.last.serverOpen()
    await vi.advanceTimersByTimeAsync(0)
    expect(socket.getSnapshot().status).toBe('connecting')
    expect(FakeWebSocket.last.sent).toEqual([])
    release([{ frame: frame('chat', 'stored'), type: 'chat', expiresAt: null }])
    await vi.advanceTimersByTimeAsync(0)
    expect(FakeWebSocket.last.messages).toEqual([
      { type: 'chat', data: 'stored' },
      { type: 'chat', data: 'new' },
    ])
    expect(socket.getSnapshot().status).toBe('open')
    socket.dispose()
  })

  it.each([
    [
      'throws',
      () => ({
        load: () => [],
        save: () => {
          throw new Error('QuotaExceededError')
        },
      }),
    ],
    [
      'rejects',
      () => ({ load: () => Promise.reject(new Error('broken')), save: () => Promise.reject(new Error('broken')) }),
    ],
  ])('reports a store that %s as STORE_FAILED and keeps the queue in memory', async (_, make) => {
    const { socket, events } = setup({ queue: { store: make() as QueueStore } })
    socket.send('chat', 'kept')
    await vi.advanceTimersByTimeAsync(0)
    expect(events.find(([type]) => type === 'error')?.[1]).toMatchObject({ code: 'STORE_FAILED' })
    const ws = await openLink()
    expect(ws.messages).toEqual([{ type: 'chat', data: 'kept' }])
    socket.dispose()
  })

  it('refuses a store without load and save', () => {
    expect(() => setup({ queue: { store: {} as QueueStore } })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS', message: 'queue.store must be a QueueStore' }),
    )
  })

  it('loads once, however many attempts fail, and sends each message once', async () => {
    const { store, loads } = memoryStore([{ frame: frame('chat', 0), type: 'chat', expiresAt: null }])
    const { socket } = setup({ queue: { store }, reconnect: { initialDelay: 10, maxDelay: 10, jitter: 'none' } })
    for (const n of [1, 2, 3]) socket.send('chat', n)
    for (let attempt = 0; attempt < 7; attempt++) {
      FakeWebSocket.last.serverFail()
      await vi.advanceTimersByTimeAsync(10)
    }
    const ws = await openLink()
    expect(ws.messages).toEqual([0, 1, 2, 3].map((n) => ({ type: 'chat', data: n })))
    expect(loads.count).toBe(1)
    socket.dispose()
  })

  it('with autoConnect: false, keeps what was stored and sends what was queued before open() once', async () => {
    const { store, stored } = memoryStore([{ frame: frame('chat', 'stored'), type: 'chat', expiresAt: null }])
    const { socket } = setup({ queue: { store }, autoConnect: false })
    socket.send('chat', 'early')
    await vi.advanceTimersByTimeAsync(0)
    expect(stored().map((item) => item.frame)).toEqual([frame('chat', 'stored'), frame('chat', 'early')])
    socket.open()
    const ws = await openLink()
    expect(ws.messages).toEqual([
      { type: 'chat', data: 'stored' },
      { type: 'chat', data: 'early' },
    ])
    socket.dispose()
  })

  it('saves nothing until the load has settled, so a slow store keeps what it held', async () => {
    let stored: StoredItem[] = [{ frame: frame('chat', 'stored'), type: 'chat', expiresAt: null }]
    let release = () => {}
    const store: QueueStore = {
      load: () => new Promise((resolve) => (release = () => resolve(stored))),
      save: (items) => {
        stored = items
      },
    }
    const { socket } = setup({ queue: { store } })
    socket.send('chat', 'new')
    await vi.advanceTimersByTimeAsync(0)
    expect(stored.map((item) => item.frame)).toEqual([frame('chat', 'stored')])
    release()
    await vi.advanceTimersByTimeAsync(0)
    expect(stored.map((item) => item.frame)).toEqual([frame('chat', 'stored'), frame('chat', 'new')])
    socket.dispose()
  })

  it('leaves out malformed stored items, reports STORE_FAILED once, and opens', async () => {
    const { store } = memoryStore([
      null,
      { type: 'chat', expiresAt: null },
      { frame: '%%%', binary: true, expiresAt: null },
      { frame: frame('chat', 'good'), type: 'chat', expiresAt: null },
      { frame: frame('chat', 'bad expiry'), type: 'chat', expiresAt: 'soon' },
    ] as unknown as StoredItem[])
    const { socket, events } = setup({ queue: { store } })
    const ws = await openLink()
    await vi.advanceTimersByTimeAsync(1000)
    expect(socket.getSnapshot().status).toBe('open')
    expect(ws.messages).toEqual([{ type: 'chat', data: 'good' }])
    expect(events.filter(([type]) => type === 'error').map(([, error]) => (error as { code: string }).code)).toEqual([
      'STORE_FAILED',
    ])
    socket.dispose()
  })

  it('reports a load that throws at once after connect() has returned', async () => {
    const store: QueueStore = {
      load: () => {
        throw new Error('broken')
      },
      save: () => {},
    }
    const socket = connect('wss://example.test/live', {
      WebSocket: FakeWebSocket,
      browserEvents: false,
      queue: { store },
    })
    const errors: string[] = []
    socket.on('error', (error) => errors.push(error.code))
    socket.send('chat', 'kept')
    await vi.advanceTimersByTimeAsync(0)
    expect(errors).toEqual(['STORE_FAILED'])
    const ws = await openLink()
    expect(ws.messages).toEqual([{ type: 'chat', data: 'kept' }])
    socket.dispose()
  })

  it(`opens without a load that has not settled in ${LOAD_TIMEOUT} ms, and sends what it gives later then, once`, async () => {
    let release: (items: StoredItem[]) => void = () => {}
    const saves: StoredItem[][] = []
    const store: QueueStore = {
      load: () => new Promise((resolve) => (release = resolve)),
      save: (items) => void saves.push(items),
    }
    const { socket, events } = setup({ queue: { store }, connectTimeout: 60_000 })
    socket.send('chat', 'first')
    FakeWebSocket.last.serverOpen()
    await vi.advanceTimersByTimeAsync(LOAD_TIMEOUT - 1)
    expect(socket.getSnapshot().status).toBe('connecting')
    await vi.advanceTimersByTimeAsync(1)
    expect(socket.getSnapshot().status).toBe('open')
    expect(events.find(([type]) => type === 'error')?.[1]).toMatchObject({ code: 'STORE_FAILED' })
    const ws = FakeWebSocket.last
    expect(ws.messages).toEqual([{ type: 'chat', data: 'first' }])
    expect(saves).toEqual([]) // nothing is saved over what the store has not given yet
    release([{ frame: frame('chat', 'late'), type: 'chat', expiresAt: null }])
    await vi.advanceTimersByTimeAsync(0)
    expect(ws.messages).toEqual([
      { type: 'chat', data: 'first' },
      { type: 'chat', data: 'late' },
    ])
    expect(saves.at(-1)).toEqual([])
    socket.dispose()
  })

  it('drops a stored message that expires while a stored request without expiry waits in front of it', async () => {
    const { store } = memoryStore([
      { frame: JSON.stringify({ type: 'ask', data: 1, id: 'r1' }), type: 'ask', id: 'r1', expiresAt: null },
      { frame: frame('chat', 'soon stale'), type: 'chat', expiresAt: Date.now() + 1000 },
      { frame: frame('chat', 'kept'), type: 'chat', expiresAt: null },
    ])
    const { socket, events } = setup({ queue: { store } })
    FakeWebSocket.last.serverFail()
    await vi.advanceTimersByTimeAsync(2000)
    expect(events.filter(([type]) => type === 'drop').map(([, drop]) => drop)).toEqual([
      { type: 'chat', data: 'soon stale', reason: 'expired' },
    ])
    socket.reconnect()
    const ws = await openLink()
    expect(ws.messages).toEqual([
      { type: 'ask', data: 1, id: 'r1' },
      { type: 'chat', data: 'kept' },
    ])
    socket.dispose()
  })

  it('holds a large stored queue to maxMessages when loading, dropping the oldest as overflow', async () => {
    const STORED = 10_000
    const { store } = memoryStore(
      Array.from({ length: STORED }, (_, n) => ({ frame: frame('chat', n), type: 'chat', expiresAt: null })),
    )
    const { socket, events } = setup({ queue: { store, maxMessages: 100 } })
    await vi.advanceTimersByTimeAsync(0)
    const drops = () => events.filter(([type]) => type === 'drop').map(([, drop]) => drop as { data: number })
    expect(drops()).toHaveLength(STORED - 100)
    expect(drops()[0]).toEqual({ type: 'chat', data: 0, reason: 'overflow' })
    expect(socket.getSnapshot().queued).toBe(100)
    socket.send('chat', 'new') // evicts one more, the oldest
    expect(drops()).toHaveLength(STORED - 99)
    const ws = await openLink()
    expect(ws.messages).toHaveLength(100)
    expect(ws.messages[0]).toEqual({ type: 'chat', data: STORED - 99 })
    expect(ws.messages.at(-1)).toEqual({ type: 'chat', data: 'new' })
    socket.dispose()
  })

  it('leaves no timer behind after close() or dispose() while a load has not settled', () => {
    for (const end of ['close', 'dispose'] as const) {
      const store: QueueStore = { load: () => new Promise<StoredItem[]>(() => {}), save: () => {} }
      const { socket } = setup({ queue: { store }, autoConnect: false })
      expect(vi.getTimerCount()).toBe(1) // the load's timeout
      socket[end]()
      expect(vi.getTimerCount()).toBe(0)
      socket.dispose()
    }
  })

  it('keeps what a store gives after the socket closed: in the store, unsent and not dropped', async () => {
    let release: (items: StoredItem[]) => void = () => {}
    const saves: StoredItem[][] = []
    const store: QueueStore = {
      load: () => new Promise((resolve) => (release = resolve)),
      save: (items) => void saves.push(items),
    }
    const { socket, events } = setup({ queue: { store } })
    socket.close()
    const stored = { frame: frame('chat', 'stored'), type: 'chat', expiresAt: null }
    release([stored])
    await vi.advanceTimersByTimeAsync(0)
    expect(saves.at(-1)).toEqual([stored])
    expect(events.filter(([type]) => type === 'drop')).toEqual([])
    socket.open()
    const ws = await openLink()
    expect(ws.messages).toEqual([{ type: 'chat', data: 'stored' }])
    socket.dispose()
  })
})
