import { FakeWebSocket, fakeWindow } from '@lifeline/test-support/fakeWebSocket'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { openLink, setup } from './helpers.js'

const heartbeat = { interval: 1000, timeout: 500 }
const reconnect = { initialDelay: 100, jitter: 'none' } as const

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('heartbeat', () => {
  it('pings after interval of silence and publishes the round trip as latency', async () => {
    const { socket, events } = setup({ heartbeat })
    const ws = await openLink()
    vi.advanceTimersByTime(999)
    expect(ws.messages).toEqual([])
    vi.advanceTimersByTime(1)
    expect(ws.messages).toEqual([{ type: 'ping' }])
    vi.advanceTimersByTime(42)
    ws.serverSend({ type: 'pong' })
    expect(socket.getSnapshot().latency).toBe(42)
    expect(events.at(-1)).toEqual(['latency', 42])
    socket.dispose()
  })

  it('does not deliver pongs to message handlers', async () => {
    const { socket } = setup({ heartbeat })
    const onMessage = vi.fn()
    socket.on('message', onMessage)
    socket.on('pong', onMessage)
    const ws = await openLink()
    vi.advanceTimersByTime(1000)
    ws.serverSend({ type: 'pong' })
    expect(onMessage).not.toHaveBeenCalled()
    socket.dispose()
  })

  it('counts any incoming message as life and pings only after silence', async () => {
    const { socket } = setup({ heartbeat })
    const ws = await openLink()
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(600)
      ws.serverSend({ type: 'tick' })
    }
    expect(ws.messages).toEqual([])
    vi.advanceTimersByTime(1000)
    expect(ws.messages).toEqual([{ type: 'ping' }])
    socket.dispose()
  })

  it('drops a dead link at once: error, one close 1006, reconnecting', async () => {
    const { socket, events, names } = setup({ heartbeat, reconnect })
    const ws = await openLink()
    // interval + timeout, plus the grace turn (a 0 ms timer runs 1 ms later under fake timers)
    vi.advanceTimersByTime(1000 + 500 + 1)
    expect(ws.terminated).toBe(true)
    expect(names()).toEqual(['open', 'error', 'close', 'reconnecting'])
    expect(events[1]?.[1]).toMatchObject({ code: 'HEARTBEAT_TIMEOUT' })
    expect(events[2]?.[1]).toEqual({ code: 1006, reason: '', wasClean: false, willReconnect: true })
    // The old socket's late close handshake changes nothing.
    ws.serverClose(1000)
    expect(socket.getSnapshot().status).toBe('reconnecting')
    vi.advanceTimersByTime(100)
    expect(FakeWebSocket.instances).toHaveLength(2)
    socket.dispose()
  })

  it('gives pending I/O one turn before declaring the link dead', async () => {
    const { socket } = setup({ heartbeat, reconnect })
    const ws = await openLink()
    vi.advanceTimersByTime(1500) // the deadline check runs and yields once
    expect(socket.getSnapshot().status).toBe('open')
    vi.advanceTimersByTime(1)
    expect(socket.getSnapshot().status).toBe('reconnecting')
    expect(ws.terminated).toBe(true)
    socket.dispose()
  })

  it('keeps the link when the pong arrives during that turn', async () => {
    const { socket } = setup({ heartbeat, reconnect })
    const ws = await openLink()
    vi.advanceTimersByTime(1500)
    ws.serverSend({ type: 'pong' }) // was waiting in the I/O queue behind the late timer
    vi.advanceTimersByTime(1)
    expect(socket.getSnapshot().status).toBe('open')
    socket.dispose()
  })

  it('with throttled timers, a send after the deadline is queued and, with no answer in one turn, forces a reconnect', async () => {
    const { socket, names } = setup({ heartbeat, reconnect })
    const ws = await openLink()
    // A background tab: the clock moves on, no timer fires.
    vi.setSystemTime(Date.now() + 60_000)
    expect(socket.send('chat', 'hello')).toBe('queued')
    expect(ws.sent).toEqual([])
    expect(ws.terminated).toBe(false) // pending I/O gets one turn first
    vi.advanceTimersByTime(1)
    expect(ws.terminated).toBe(true)
    expect(names().slice(1)).toEqual(['error', 'close', 'reconnecting'])
    vi.advanceTimersByTime(100)
    const next = await openLink()
    expect(next.messages).toEqual([{ type: 'chat', data: 'hello' }])
    socket.dispose()
  })

  it('does not time out a live link whose deadline timer was throttled', async () => {
    const { socket } = setup({ heartbeat, reconnect })
    const ws = await openLink()
    vi.advanceTimersByTime(1000)
    expect(ws.messages).toEqual([{ type: 'ping' }])
    vi.advanceTimersByTime(10)
    ws.serverSend({ type: 'pong' })
    // A background tab: the deadline check fires a minute late.
    vi.setSystemTime(Date.now() + 60_000)
    vi.advanceTimersByTime(490)
    expect(socket.getSnapshot().status).toBe('open')
    socket.dispose()
  })

  it('reconnects when the page becomes visible after the deadline passed and the link stays silent for one turn', async () => {
    const win = fakeWindow()
    const { socket } = setup({ heartbeat, reconnect, browserEvents: win })
    await openLink()
    win.document.visibilityState = 'hidden'
    vi.setSystemTime(Date.now() + 10_000)
    win.fire('visibilitychange')
    expect(socket.getSnapshot().status).toBe('open')
    win.document.visibilityState = 'visible'
    win.fire('visibilitychange')
    vi.advanceTimersByTime(1)
    expect(socket.getSnapshot().status).toBe('reconnecting')
    socket.dispose()
  })

  it('probes with a ping when the browser says offline', async () => {
    const win = fakeWindow()
    const { socket } = setup({ heartbeat, browserEvents: win })
    const ws = await openLink()
    vi.advanceTimersByTime(10)
    win.fire('offline')
    expect(ws.messages).toEqual([{ type: 'ping' }])
    vi.advanceTimersByTime(501)
    expect(socket.getSnapshot().status).toBe('reconnecting')
    socket.dispose()
  })

  it('gives an offline probe 2 s, not the heartbeat timeout, to be answered', async () => {
    const win = fakeWindow()
    const { socket } = setup({ heartbeat: { interval: 25_000, timeout: 10_000 }, browserEvents: win })
    const ws = await openLink()
    win.fire('offline')
    expect(ws.messages).toEqual([{ type: 'ping' }])
    vi.advanceTimersByTime(1999)
    expect(socket.getSnapshot().status).toBe('open')
    vi.advanceTimersByTime(2)
    expect(socket.getSnapshot().status).toBe('reconnecting')
    socket.dispose()
  })

  it('shortens the wait for a ping already out when the browser says offline', async () => {
    const win = fakeWindow()
    const { socket } = setup({ heartbeat: { interval: 25_000, timeout: 10_000 }, browserEvents: win })
    const ws = await openLink()
    vi.advanceTimersByTime(25_000) // the heartbeat's own ping: 10 s to answer
    expect(ws.messages).toEqual([{ type: 'ping' }])
    vi.advanceTimersByTime(1000)
    win.fire('offline')
    expect(ws.messages).toEqual([{ type: 'ping' }]) // no second ping
    vi.advanceTimersByTime(2001)
    expect(socket.getSnapshot().status).toBe('reconnecting')
    socket.dispose()
  })

  it('waits for the answer to a probe sent in the same millisecond as the last frame', async () => {
    const win = fakeWindow()
    const { socket } = setup({ heartbeat: { interval: 60_000, timeout: 100 }, browserEvents: win })
    const ws = await openLink()
    ws.serverSend({ type: 'tick' })
    win.fire('offline')
    vi.advanceTimersByTime(101)
    expect(socket.getSnapshot().status).toBe('reconnecting')
    socket.dispose()
  })

  it('sends a string or binary ping as a ready frame', async () => {
    const { socket } = setup({
      codec: (await import('../codec.js')).rawCodec,
      heartbeat: { ...heartbeat, ping: () => 'PING' },
    })
    const ws = await openLink()
    vi.advanceTimersByTime(1000)
    expect(ws.sent).toEqual(['PING'])
    socket.dispose()
  })

  it('holds sends while an offline probe is unanswered, and sends them in order when the link answers', async () => {
    const win = fakeWindow()
    const { socket } = setup({ heartbeat, browserEvents: win })
    const ws = await openLink()
    win.fire('offline')
    expect(socket.send('chat', 1)).toBe('queued')
    expect(socket.send('chat', 2)).toBe('queued')
    expect(ws.messages).toEqual([{ type: 'ping' }])
    ws.serverSend({ type: 'pong' })
    expect(ws.messages).toEqual([{ type: 'ping' }, { type: 'chat', data: 1 }, { type: 'chat', data: 2 }])
    expect(socket.send('chat', 3)).toBe('sent')
    expect(socket.getSnapshot().queued).toBe(0)
    socket.dispose()
  })

  it('delivers sends held during an unanswered probe on the next link', async () => {
    const win = fakeWindow()
    const { socket } = setup({ heartbeat, reconnect, browserEvents: win })
    const dead = await openLink()
    win.fire('offline')
    socket.send('chat', 1)
    vi.advanceTimersByTime(501 + 100)
    const next = await openLink()
    expect(dead.messages).toEqual([{ type: 'ping' }])
    expect(next.messages).toEqual([{ type: 'chat', data: 1 }])
    socket.dispose()
  })

  it('supports custom ping and pong messages', async () => {
    const { socket } = setup({
      heartbeat: {
        ...heartbeat,
        ping: () => ({ type: 'hb', data: 1 }),
        isPong: (m) => (m as { type: string }).type === 'hb-ack',
      },
    })
    const ws = await openLink()
    vi.advanceTimersByTime(1000)
    expect(ws.messages).toEqual([{ type: 'hb', data: 1 }])
    vi.advanceTimersByTime(7)
    ws.serverSend({ type: 'hb-ack' })
    expect(socket.getSnapshot().latency).toBe(7)
    socket.dispose()
  })
})
