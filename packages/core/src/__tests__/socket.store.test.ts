import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { QueueStore, StoredItem } from '../queueStore.js'
import { FakeWebSocket } from './fakeWebSocket.js'
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
  const store: QueueStore = {
    load: () => stored,
    save: (items) => {
      stored = items
      saves.push(items)
    },
  }
  return { store, saves, stored: () => stored }
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

  it('drops stored messages whose ttl passed while the page was gone, as expired', async () => {
    const { store } = memoryStore([
      { frame: frame('chat', 'old'), type: 'chat', expiresAt: Date.now() - 1 },
      { frame: frame('chat', 'fresh'), type: 'chat', expiresAt: Date.now() + 1000 },
    ])
    const { socket, events } = setup({ queue: { store } })
    const ws = await openLink()
    expect(ws.messages).toEqual([{ type: 'chat', data: 'fresh' }])
    expect(events.filter(([type]) => type === 'drop').map(([, drop]) => drop)).toEqual([
      { type: 'chat', data: frame('chat', 'old'), reason: 'expired' },
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
})
