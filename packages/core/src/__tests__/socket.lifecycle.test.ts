import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { connect } from '../connect.js'
import { openLink, setup } from './helpers.js'

const noJitter = { initialDelay: 1000, maxDelay: 30_000, jitter: 'none' } as const

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('status', () => {
  it('goes connecting -> open, and emits open once the link is up', async () => {
    const { socket, names } = setup()
    const statuses: string[] = []
    socket.subscribe(() => statuses.push(socket.getSnapshot().status))
    expect(socket.getSnapshot().status).toBe('connecting')
    expect(FakeWebSocket.last.url).toBe('wss://example.test/live')
    expect(FakeWebSocket.last.binaryType).toBe('arraybuffer')
    await openLink()
    expect(statuses).toEqual(['open'])
    expect(names()).toEqual(['open'])
    socket.dispose()
  })

  it('waits for open() with autoConnect: false, queueing sends meanwhile', async () => {
    const { socket } = setup({ autoConnect: false })
    expect(socket.getSnapshot().status).toBe('idle')
    expect(FakeWebSocket.instances).toHaveLength(0)
    expect(socket.send('a', 1)).toBe('queued')
    socket.open()
    const ws = await openLink()
    expect(ws.messages).toEqual([{ type: 'a', data: 1 }])
    socket.dispose()
  })

  it('keeps the same snapshot object until a field changes', async () => {
    const { socket } = setup()
    const first = socket.getSnapshot()
    expect(socket.getSnapshot()).toBe(first)
    await openLink()
    const second = socket.getSnapshot()
    expect(second).not.toBe(first)
    expect(Object.isFrozen(second)).toBe(true)
    expect(second).toMatchObject({ status: 'open', attempt: 0, queued: 0, latency: null, nextRetryAt: null })
    socket.dispose()
  })
})

describe('reconnect after a drop', () => {
  it('emits close, then reconnecting with the delay, then retries after it', async () => {
    const { socket, events } = setup({ reconnect: noJitter })
    const ws = await openLink()
    ws.serverClose(1006)
    expect(events.slice(1)).toEqual([
      ['close', { code: 1006, reason: '', wasClean: false, willReconnect: true }],
      ['reconnecting', { attempt: 1, delay: 1000 }],
    ])
    expect(socket.getSnapshot()).toMatchObject({ status: 'reconnecting', attempt: 1, nextRetryAt: Date.now() + 1000 })
    vi.advanceTimersByTime(999)
    expect(FakeWebSocket.instances).toHaveLength(1)
    vi.advanceTimersByTime(1)
    expect(FakeWebSocket.instances).toHaveLength(2)
    expect(socket.getSnapshot()).toMatchObject({ status: 'connecting', nextRetryAt: null })
    socket.dispose()
  })

  it('reports a failed attempt as an error, not a close, and backs off exponentially', async () => {
    const { socket, events } = setup({ reconnect: noJitter })
    FakeWebSocket.last.serverFail()
    vi.advanceTimersByTime(1000)
    FakeWebSocket.last.serverFail()
    vi.advanceTimersByTime(2000)
    FakeWebSocket.last.serverFail()
    const names = events.map(([n]) => n)
    expect(names).toEqual(['error', 'reconnecting', 'error', 'reconnecting', 'error', 'reconnecting'])
    expect(events.filter(([n]) => n === 'reconnecting').map(([, e]) => e)).toEqual([
      { attempt: 1, delay: 1000 },
      { attempt: 2, delay: 2000 },
      { attempt: 3, delay: 4000 },
    ])
    expect(events[0]?.[1]).toMatchObject({ code: 'CONNECT_FAILED' })
    socket.dispose()
  })

  it('resets the attempt counter only after the link stayed open for stableAfter', async () => {
    const { socket } = setup({ reconnect: { ...noJitter, stableAfter: 5000 } })
    FakeWebSocket.last.serverFail()
    vi.advanceTimersByTime(1000)
    await openLink()
    expect(socket.getSnapshot().attempt).toBe(1)
    vi.advanceTimersByTime(4999)
    expect(socket.getSnapshot().attempt).toBe(1)
    vi.advanceTimersByTime(1)
    expect(socket.getSnapshot().attempt).toBe(0)
    socket.dispose()
  })

  it('grows the delay for a flapping link that never stays up', async () => {
    const { socket, events } = setup({ reconnect: noJitter })
    for (let i = 0; i < 3; i++) {
      ;(await openLink()).serverClose(1006)
      vi.advanceTimersByTime(socket.getSnapshot().nextRetryAt! - Date.now())
    }
    const delays = events.filter(([n]) => n === 'reconnecting').map(([, e]) => (e as { delay: number }).delay)
    expect(delays).toEqual([1000, 2000, 4000])
    socket.dispose()
  })

  it('gives up after maxAttempts with a close event that will not reconnect', async () => {
    const { socket, events } = setup({ reconnect: { ...noJitter, maxAttempts: 2 } })
    const ws = await openLink()
    ws.serverClose(1006)
    vi.advanceTimersByTime(1000)
    FakeWebSocket.last.serverFail()
    vi.advanceTimersByTime(2000)
    FakeWebSocket.last.serverFail()
    expect(FakeWebSocket.instances).toHaveLength(3)
    expect(socket.getSnapshot().status).toBe('closed')
    expect(events.at(-1)).toEqual(['close', { code: 1006, reason: '', wasClean: false, willReconnect: false }])
    vi.advanceTimersByTime(60_000)
    expect(FakeWebSocket.instances).toHaveLength(3)
    expect(vi.getTimerCount()).toBe(0)
    socket.dispose()
  })

  it.each([1000, 1003, 1007, 1008, 1009, 1010, 4400, 4401, 4499])('stops after server close %i', async (code) => {
    const { socket, events } = setup()
    const ws = await openLink()
    ws.serverClose(code, 'bye')
    expect(socket.getSnapshot()).toMatchObject({ status: 'closed', lastClose: { code, reason: 'bye', wasClean: true } })
    expect(events.at(-1)).toEqual(['close', { code, reason: 'bye', wasClean: true, willReconnect: false }])
    expect(vi.getTimerCount()).toBe(0)
    socket.dispose()
  })

  it.each([1001, 1011, 1012, 4000, 4500])('reconnects after server close %i', async (code) => {
    const { socket } = setup()
    ;(await openLink()).serverClose(code)
    expect(socket.getSnapshot().status).toBe('reconnecting')
    socket.dispose()
  })

  it('waits at least maxDelay / 2 after 1013 (try again later)', async () => {
    const { socket, events } = setup({ reconnect: { initialDelay: 100, maxDelay: 10_000 } })
    ;(await openLink()).serverClose(1013)
    const [, reconnecting] = events.at(-1) as [string, { delay: number }]
    expect(reconnecting.delay).toBeGreaterThanOrEqual(5000)
    socket.dispose()
  })

  it('lets shouldReconnect override the policy, but not maxAttempts or the 1013 wait', async () => {
    const shouldReconnect = vi.fn((close: { code: number }) => close.code === 4401 || close.code === 1013)
    const { socket, events } = setup({ reconnect: { initialDelay: 10, maxDelay: 10_000, shouldReconnect } })
    ;(await openLink()).serverClose(4401)
    expect(socket.getSnapshot().status).toBe('reconnecting')
    vi.advanceTimersByTime(10)
    ;(await openLink()).serverClose(1013)
    expect(events.at(-1)?.[1]).toMatchObject({ delay: expect.toSatisfy((d: number) => d >= 5000) })
    vi.advanceTimersByTime(10_000)
    ;(await openLink()).serverClose(1001)
    expect(socket.getSnapshot().status).toBe('closed')
    expect(shouldReconnect).toHaveBeenCalledTimes(3)
    socket.dispose()
  })

  it('does not reconnect with reconnect: false', async () => {
    const { socket } = setup({ reconnect: false })
    ;(await openLink()).serverClose(1006)
    expect(socket.getSnapshot().status).toBe('closed')
    socket.dispose()
  })
})

describe('connect timeout', () => {
  it('abandons an attempt not open in time, as a failed attempt', () => {
    const { socket, events } = setup({ connectTimeout: 500, reconnect: noJitter })
    const ws = FakeWebSocket.last
    vi.advanceTimersByTime(500)
    expect(ws.terminated).toBe(false) // pending I/O gets one turn first
    vi.advanceTimersByTime(1)
    expect(ws.terminated).toBe(true)
    expect(events.map(([n]) => n)).toEqual(['error', 'reconnecting'])
    expect(events[0]?.[1]).toMatchObject({ code: 'CONNECT_TIMEOUT' })
    // The abandoned socket opening late changes nothing.
    ws.serverOpen()
    expect(socket.getSnapshot().status).toBe('reconnecting')
    socket.dispose()
  })
})

describe('close()', () => {
  it('closes the link with the code given, emits close, and does not reconnect', async () => {
    const { socket, events } = setup()
    const ws = await openLink()
    socket.close(4000, 'done')
    expect(ws.closedWith).toEqual({ code: 4000, reason: 'done' })
    expect(events.at(-1)).toEqual(['close', { code: 4000, reason: 'done', wasClean: true, willReconnect: false }])
    expect(socket.getSnapshot().status).toBe('closed')
    ws.serverClose(4000, 'done')
    vi.advanceTimersByTime(120_000)
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(events.filter(([n]) => n === 'close')).toHaveLength(1)
  })

  it('drops queued messages with reason closed, and later sends too', async () => {
    const { socket, events } = setup()
    socket.send('a', 1)
    socket.send('b')
    socket.close()
    expect(events.filter(([n]) => n === 'drop').map(([, e]) => e)).toEqual([
      { type: 'a', data: 1, reason: 'closed' },
      { type: 'b', data: undefined, reason: 'closed' },
    ])
    expect(socket.send('c', 3)).toBe('dropped')
    expect(events.at(-1)).toEqual(['drop', { type: 'c', data: 3, reason: 'closed' }])
    expect(socket.getSnapshot().queued).toBe(0)
  })

  it('is idempotent and refuses codes browsers refuse', async () => {
    const { socket, events } = setup()
    await openLink()
    expect(() => socket.close(1001)).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }))
    expect(() => socket.close(1000, 'é'.repeat(62))).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }))
    expect(socket.getSnapshot().status).toBe('open')
    socket.close()
    socket.close()
    expect(events.filter(([n]) => n === 'close')).toHaveLength(1)
  })

  it.each(['connecting', 'open', 'reconnecting'])('leaves no timer when called while %s', async (state) => {
    const { socket } = setup({ heartbeat: true, queue: { ttl: 60_000 } })
    socket.send('queued', 1)
    if (state !== 'connecting') await openLink()
    if (state === 'reconnecting') FakeWebSocket.last.serverClose(1006)
    expect(socket.getSnapshot().status).toBe(state)
    socket.close()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('can be reopened with open()', async () => {
    const { socket } = setup()
    await openLink()
    socket.close()
    socket.open()
    expect(FakeWebSocket.instances).toHaveLength(2)
    await openLink()
    expect(socket.getSnapshot()).toMatchObject({ status: 'open', attempt: 0 })
    socket.dispose()
  })
})

describe('reconnect()', () => {
  it('drops an open link, emits close with willReconnect, and connects at once', async () => {
    const { socket, events } = setup()
    const ws = await openLink()
    socket.reconnect()
    expect(ws.closedWith).not.toBeNull()
    expect(events.at(-1)).toEqual(['close', { code: 1000, reason: 'reconnect', wasClean: true, willReconnect: true }])
    expect(FakeWebSocket.instances).toHaveLength(2)
    expect(socket.getSnapshot().status).toBe('connecting')
    socket.dispose()
  })

  it('skips the backoff wait and resets the attempt counter', async () => {
    const { socket } = setup({ reconnect: noJitter })
    FakeWebSocket.last.serverFail()
    vi.advanceTimersByTime(1000)
    FakeWebSocket.last.serverFail()
    expect(socket.getSnapshot()).toMatchObject({ status: 'reconnecting', attempt: 2 })
    socket.reconnect()
    expect(socket.getSnapshot()).toMatchObject({ status: 'connecting', attempt: 0, nextRetryAt: null })
    expect(FakeWebSocket.instances).toHaveLength(3)
    vi.advanceTimersByTime(10_000)
    expect(FakeWebSocket.instances).toHaveLength(3)
    socket.dispose()
  })

  it('with force, abandons an attempt under way and starts afresh', async () => {
    let room = 'a'
    const socket = connect(() => `wss://example.test/${room}`, { WebSocket: FakeWebSocket, browserEvents: false })
    await vi.advanceTimersByTimeAsync(0)
    const stale = FakeWebSocket.last
    room = 'b'
    socket.reconnect({ force: true })
    await vi.advanceTimersByTimeAsync(0)
    expect(FakeWebSocket.instances.map((ws) => ws.url)).toEqual(['wss://example.test/a', 'wss://example.test/b'])
    expect(FakeWebSocket.live()).toEqual([FakeWebSocket.last])
    stale.serverOpen()
    expect(socket.getSnapshot().status).toBe('connecting')
    socket.dispose()
  })

  it('joins an attempt already under way instead of starting a second one', () => {
    const { socket } = setup()
    socket.reconnect()
    socket.reconnect()
    expect(FakeWebSocket.instances).toHaveLength(1)
    socket.dispose()
  })
})

describe('dispose()', () => {
  it('removes every listener and timer; later use throws DISPOSED; getSnapshot still works', async () => {
    const { socket } = setup({ heartbeat: true })
    const listener = vi.fn()
    socket.subscribe(listener)
    await openLink()
    listener.mockClear()
    socket.dispose()
    socket.dispose()
    expect(vi.getTimerCount()).toBe(0)
    expect(socket.getSnapshot().status).toBe('closed')
    for (const use of [
      () => socket.send('x'),
      () => socket.sendRaw('x'),
      () => socket.open(),
      () => socket.reconnect(),
      () => socket.on('open', () => {}),
    ]) {
      expect(use).toThrow(expect.objectContaining({ code: 'DISPOSED' }))
    }
    expect(() => socket.close()).not.toThrow()
  })
})

describe('invariants', () => {
  it('error + close + online + a timer together start exactly one attempt', async () => {
    const win = (await import('@lifeline/test-support/fakeWebSocket')).fakeWindow()
    const socket = connect('wss://example.test/', {
      WebSocket: FakeWebSocket,
      browserEvents: win,
      reconnect: { initialDelay: 100, jitter: 'none' },
    })
    const ws = await openLink()
    ws.serverFail() // error then close
    win.fire('online')
    vi.advanceTimersByTime(100) // the retry timer's moment
    win.fire('online')
    expect(FakeWebSocket.instances).toHaveLength(2)
    expect(FakeWebSocket.live()).toHaveLength(1)
    socket.dispose()
  })

  it('never has two live WebSockets, across 1,000 rapid open/close cycles', () => {
    const socket = connect('wss://example.test/', {
      WebSocket: FakeWebSocket,
      browserEvents: false,
      autoConnect: false,
    })
    let maxLive = 0
    for (let i = 0; i < 1000; i++) {
      socket.open()
      if (i % 2) FakeWebSocket.last.serverOpen()
      maxLive = Math.max(maxLive, FakeWebSocket.live().length)
      socket.close()
    }
    expect(maxLive).toBe(1)
    expect(FakeWebSocket.live()).toHaveLength(0)
    expect(vi.getTimerCount()).toBe(0)
    socket.dispose()
  })

  it('ignores every event of an abandoned socket', async () => {
    const { socket, events } = setup({ reconnect: noJitter })
    const old = await openLink()
    socket.reconnect()
    const count = events.length
    old.serverSend({ type: 'chat', data: 1 })
    old.serverClose(1008)
    old.serverOpen()
    expect(events.length).toBe(count)
    expect(socket.getSnapshot().status).toBe('connecting')
    socket.dispose()
  })
})
