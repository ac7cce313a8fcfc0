import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { openLink, setup } from './helpers.js'

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
})

const drops = (events: Array<[string, unknown]>) => events.filter(([n]) => n === 'drop').map(([, e]) => e)

describe('send queue', () => {
  it('keeps sends made while connecting and flushes them in order on open', async () => {
    const { socket } = setup()
    expect(socket.send('n', 1)).toBe('queued')
    expect(socket.send('n', 2)).toBe('queued')
    expect(socket.getSnapshot().queued).toBe(2)
    const ws = await openLink()
    expect(ws.messages).toEqual([
      { type: 'n', data: 1 },
      { type: 'n', data: 2 },
    ])
    expect(socket.getSnapshot().queued).toBe(0)
    socket.dispose()
  })

  it('keeps sends made while reconnecting and delivers them once after the link is back', async () => {
    const { socket } = setup({ reconnect: { initialDelay: 10, jitter: 'none' } })
    const first = await openLink()
    first.serverClose(1006)
    for (let i = 0; i < 1000; i++) socket.send('n', i)
    vi.advanceTimersByTime(10)
    const second = await openLink()
    expect(second.messages.map((m) => (m as { data: number }).data)).toEqual(Array.from({ length: 1000 }, (_, i) => i))
    expect(first.sent).toEqual([])
    socket.dispose()
  })

  it('runs onOpen before the flush; sends made inside it go first', async () => {
    const { socket } = setup<Record<string, unknown>, Record<string, unknown>>({
      onOpen: async (s) => {
        s.send('auth', 'token')
        await Promise.resolve()
        s.send('subscribe', 'room')
      },
    })
    socket.send('queued', 1)
    const ws = FakeWebSocket.last
    ws.serverOpen()
    expect(socket.getSnapshot().status).toBe('connecting')
    await vi.advanceTimersByTimeAsync(0)
    expect(ws.messages.map((m) => (m as { type: string }).type)).toEqual(['auth', 'subscribe', 'queued'])
    expect(socket.getSnapshot().status).toBe('open')
    socket.dispose()
  })

  it('queues sends made elsewhere while an async onOpen waits, behind older queued messages', async () => {
    let authorised: () => void = () => {}
    const { socket } = setup<Record<string, unknown>, Record<string, unknown>>({
      onOpen: async (s) => {
        s.send('auth', 'token')
        await new Promise<void>((resolve) => (authorised = resolve))
      },
    })
    socket.send('n', 0)
    const ws = FakeWebSocket.last
    ws.serverOpen()
    expect(socket.send('n', 1)).toBe('queued')
    authorised()
    await vi.advanceTimersByTimeAsync(0)
    expect(ws.messages).toEqual([
      { type: 'auth', data: 'token' },
      { type: 'n', data: 0 },
      { type: 'n', data: 1 },
    ])
    socket.dispose()
  })

  it('drops and retries the link when onOpen fails, sending nothing from the queue on it', async () => {
    let fail = true
    const { socket, events } = setup({
      reconnect: { initialDelay: 10, jitter: 'none' },
      onOpen: () => {
        if (fail) throw new Error('auth refused')
      },
    })
    socket.send('queued', 1)
    const ws = await openLink()
    expect(ws.sent).toEqual([])
    const [, error] = events.find(([n]) => n === 'error') as [string, { code: string; cause: Error }]
    expect(error.code).toBe('HANDLER_FAILED')
    expect(error.cause.message).toBe('auth refused')
    expect(socket.getSnapshot().status).toBe('reconnecting')
    fail = false
    vi.advanceTimersByTime(10)
    const next = await openLink()
    expect(next.messages).toEqual([{ type: 'queued', data: 1 }])
    socket.dispose()
  })

  it('an async onOpen that rejects is handled the same way', async () => {
    const { socket, events } = setup({ onOpen: () => Promise.reject(new Error('no')) })
    await openLink()
    expect(events.map(([n]) => n)).toEqual(['error', 'reconnecting'])
    socket.dispose()
  })

  it('drop-oldest: evicts the oldest with reason overflow', () => {
    const { socket, events } = setup({ queue: { maxMessages: 2 } })
    socket.send('n', 1)
    socket.send('n', 2)
    expect(socket.send('n', 3)).toBe('queued')
    expect(drops(events)).toEqual([{ type: 'n', data: 1, reason: 'overflow' }])
    socket.dispose()
  })

  it('drop-newest: refuses the new message', () => {
    const { socket, events } = setup({ queue: { maxMessages: 2, overflow: 'drop-newest' } })
    socket.send('n', 1)
    socket.send('n', 2)
    expect(socket.send('n', 3)).toBe('dropped')
    expect(drops(events)).toEqual([{ type: 'n', data: 3, reason: 'overflow' }])
    expect(socket.getSnapshot().queued).toBe(2)
    socket.dispose()
  })

  it('error: throws QUEUE_FULL and emits nothing', () => {
    const { socket, events } = setup({ queue: { maxMessages: 1, overflow: 'error' } })
    socket.send('n', 1)
    expect(() => socket.send('n', 2)).toThrow(expect.objectContaining({ code: 'QUEUE_FULL' }))
    expect(drops(events)).toEqual([])
    socket.dispose()
  })

  it('10,000 sends into a queue of 1,000 drop exactly 9,000 and keep the newest in order', async () => {
    const { socket, events } = setup({ queue: { maxMessages: 1000 } })
    for (let i = 0; i < 10_000; i++) socket.send('n', i)
    expect(drops(events)).toHaveLength(9000)
    const ws = await openLink()
    expect(ws.messages.map((m) => (m as { data: number }).data)).toEqual(
      Array.from({ length: 1000 }, (_, i) => 9000 + i),
    )
    socket.dispose()
  })

  it('limits bytes with maxBytes (UTF-8 of the encoded frame)', () => {
    const { socket, events } = setup({ queue: { maxBytes: 40 } })
    socket.send('n', 'é'.repeat(5)) // {"type":"n","data":"ééééé"} = 32 bytes
    socket.send('n', 'x')
    expect(drops(events)).toEqual([{ type: 'n', data: 'ééééé', reason: 'overflow' }])
    socket.dispose()
  })

  it('expires messages after ttl with a drop event, on a timer', () => {
    const { socket, events } = setup({ queue: { ttl: 1000 } })
    socket.send('n', 1)
    vi.advanceTimersByTime(500)
    socket.send('n', 2)
    vi.advanceTimersByTime(500)
    expect(drops(events)).toEqual([{ type: 'n', data: 1, reason: 'expired' }])
    expect(socket.getSnapshot().queued).toBe(1)
    vi.advanceTimersByTime(500)
    expect(drops(events)).toHaveLength(2)
    expect(socket.getSnapshot().queued).toBe(0)
    socket.dispose()
  })

  it("with queue: false, a send while not open is dropped with reason 'offline'", () => {
    const { socket, events } = setup({ queue: false })
    expect(socket.send('n', 1)).toBe('dropped')
    expect(drops(events)).toEqual([{ type: 'n', data: 1, reason: 'offline' }])
    socket.dispose()
  })

  it('rejects a payload the codec cannot encode at send, leaving the queue untouched', () => {
    const { socket } = setup()
    socket.send('ok', 1)
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    expect(() => socket.send('bad', 10n)).toThrow(expect.objectContaining({ code: 'ENCODE_FAILED' }))
    expect(() => socket.send('bad', cycle)).toThrow(expect.objectContaining({ code: 'ENCODE_FAILED' }))
    expect(socket.getSnapshot().queued).toBe(1)
    socket.dispose()
  })

  it('sendRaw sends a frame as it is, queued like any send', async () => {
    const { socket } = setup()
    const bytes = new Uint8Array([1, 2, 3])
    expect(socket.sendRaw(bytes)).toBe('queued')
    const ws = await openLink()
    expect(socket.sendRaw('plain')).toBe('sent')
    expect(ws.sent).toEqual([bytes, 'plain'])
    expect(() => socket.sendRaw({} as never)).toThrow(expect.objectContaining({ code: 'ENCODE_FAILED' }))
    socket.dispose()
  })

  it('queues instead of writing to a socket that is already closing', async () => {
    const { socket } = setup()
    const ws = await openLink()
    ws.readyState = FakeWebSocket.CLOSING
    expect(socket.send('n', 1)).toBe('queued')
    socket.dispose()
  })
})
