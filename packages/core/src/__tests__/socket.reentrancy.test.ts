// The rules of "Fixes the round-1 core owes" (DESIGN.md): user code may call any public method
// from any handler at any moment, the last call wins, and nothing is left behind.

import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type ConnectOptions, connect, type Socket } from '../index.js'

const noJitter = { initialDelay: 100, maxDelay: 1000, jitter: 'none' } as const

function open(options: ConnectOptions = {}) {
  return connect('wss://example.test/live', { WebSocket: FakeWebSocket, browserEvents: false, ...options })
}

/** Opens the newest fake socket and lets `onOpen` and the flush run. */
async function serverOpens(): Promise<FakeWebSocket> {
  const ws = FakeWebSocket.last
  ws.serverOpen()
  await vi.advanceTimersByTimeAsync(0)
  return ws
}

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('methods called from onOpen', () => {
  it.each([
    ['close()', (s: Socket) => s.close()],
    ['dispose()', (s: Socket) => s.dispose()],
  ])('%s in a synchronous onOpen never throws into the WebSocket, and leaves the socket closed', async (_, call) => {
    let outer: Socket | undefined
    const socket = open({ onOpen: () => call(outer as Socket) })
    outer = socket
    socket.send('queued', 1)
    expect(() => FakeWebSocket.last.serverOpen()).not.toThrow()
    await vi.advanceTimersByTimeAsync(0)
    expect(socket.getSnapshot().status).toBe('closed')
    expect(FakeWebSocket.last.sent).toEqual([])
    expect(vi.getTimerCount()).toBe(0)
    socket.dispose()
  })

  it('reconnect({ force: true }) in a synchronous onOpen starts one new attempt, and the old link stays unused', async () => {
    let first = true
    let outer: Socket | undefined
    const socket = open({
      onOpen: () => {
        if (first) (outer as Socket).reconnect({ force: true })
        first = false
      },
    })
    outer = socket
    socket.send('queued', 1)
    const old = FakeWebSocket.last
    expect(() => old.serverOpen()).not.toThrow()
    await vi.advanceTimersByTimeAsync(0)
    expect(FakeWebSocket.instances).toHaveLength(2)
    expect(old.sent).toEqual([])
    const next = await serverOpens()
    expect(next.messages).toEqual([{ type: 'queued', data: 1 }])
    expect(socket.getSnapshot().status).toBe('open')
    socket.dispose()
  })

  it('sends through the outer variable during a synchronous onOpen go ahead of the queue', async () => {
    let outer: Socket | undefined
    const socket = open({ onOpen: () => void (outer as Socket).send('auth', 'token') })
    outer = socket
    socket.send('chat', 'queued before')
    const ws = await serverOpens()
    expect(ws.messages).toEqual([
      { type: 'auth', data: 'token' },
      { type: 'chat', data: 'queued before' },
    ])
    socket.dispose()
  })
})

describe('methods called from state and subscribe listeners', () => {
  it('close() from a state handler as the link opens stays closed: no open event after it, no timer', async () => {
    const socket = open({ reconnect: noJitter })
    socket.send('chat', 1)
    const events: string[] = []
    socket.on('open', () => events.push('open'))
    socket.on('close', () => events.push('close'))
    FakeWebSocket.last.onopen = ((opened) => (event: unknown) => {
      socket.once('state', () => socket.close())
      opened?.(event)
    })(FakeWebSocket.last.onopen)
    await serverOpens()
    expect(socket.getSnapshot().status).toBe('closed')
    expect(events).toEqual(['close'])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('dispose() from a subscriber while the queue flushes leaves nothing alive', async () => {
    const socket = open({ reconnect: noJitter, heartbeat: { interval: 1000, timeout: 500 } })
    socket.send('chat', 1)
    FakeWebSocket.last.onopen = ((opened) => (event: unknown) => {
      socket.subscribe(() => socket.dispose())
      opened?.(event)
    })(FakeWebSocket.last.onopen)
    await serverOpens()
    expect(socket.getSnapshot().status).toBe('closed')
    expect(vi.getTimerCount()).toBe(0)
    expect(FakeWebSocket.live()).toHaveLength(0)
  })

  it('a send made in a state handler during the flush is delivered on that link', async () => {
    const socket = open()
    socket.send('chat', 'first')
    let sent = false
    socket.on('state', (s) => {
      if (!sent && s.queued === 0) {
        sent = true
        socket.send('chat', 'from the handler')
      }
    })
    const ws = await serverOpens()
    expect(ws.messages).toEqual([
      { type: 'chat', data: 'first' },
      { type: 'chat', data: 'from the handler' },
    ])
    expect(socket.getSnapshot().queued).toBe(0)
    socket.dispose()
  })

  it('close() from a state handler at connecting stops the attempt: "give up after 3" makes no 4th', () => {
    const socket = open({ reconnect: noJitter, autoConnect: false })
    let attempts = 0
    socket.on('state', (s) => {
      if (s.status === 'connecting' && ++attempts > 3) socket.close()
    })
    socket.open()
    for (let i = 0; i < 5; i++) {
      if (FakeWebSocket.last.readyState === FakeWebSocket.CONNECTING) FakeWebSocket.last.serverFail()
      vi.advanceTimersByTime(1000)
    }
    expect(FakeWebSocket.instances).toHaveLength(3)
    expect(socket.getSnapshot().status).toBe('closed')
    expect(vi.getTimerCount()).toBe(0)
  })

  it('a subscriber that unsubscribes and resubscribes itself is called once per change', () => {
    const socket = open({ autoConnect: false })
    let calls = 0
    let off = () => {}
    const listener = () => {
      calls++
      off()
      off = socket.subscribe(listener)
    }
    off = socket.subscribe(listener)
    socket.open()
    expect(calls).toBe(1)
    socket.dispose()
  })
})

describe('methods called from other handlers', () => {
  it('a drop handler that closes the socket inside send() leaves nothing queued and no timer', () => {
    const socket = open({ queue: { ttl: 1000 } })
    socket.send('chat', 1)
    socket.on('drop', () => socket.close())
    vi.setSystemTime(Date.now() + 5000) // a throttled tab: the ttl passed, no timer fired yet
    socket.send('chat', 2) // expires 1 first: its drop handler closes the socket
    expect(socket.getSnapshot()).toMatchObject({ status: 'closed', queued: 0 })
    expect(vi.getTimerCount()).toBe(0)
  })

  it.each([
    ['open()', (s: Socket) => s.open()],
    ['reconnect()', (s: Socket) => s.reconnect()],
  ])('dispose() while a close handler calls %s leaves no live socket', async (_, call) => {
    const socket = open({ reconnect: noJitter })
    await serverOpens()
    socket.on('close', () => {
      try {
        call(socket)
      } catch {
        // DISPOSED: the socket is going away
      }
    })
    socket.dispose()
    vi.advanceTimersByTime(10_000)
    expect(FakeWebSocket.live()).toHaveLength(0)
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('reconnect() from the error handler of a failed attempt connects now, not after the backoff', () => {
    const socket = open({ reconnect: { initialDelay: 60_000, jitter: 'none' } })
    socket.once('error', () => socket.reconnect())
    FakeWebSocket.last.serverFail()
    expect(FakeWebSocket.instances).toHaveLength(2)
    expect(socket.getSnapshot()).toMatchObject({ status: 'connecting', attempt: 0, nextRetryAt: null })
    socket.dispose()
  })
})

describe('subscriptions', () => {
  it('the function on() returns removes its own subscription only; off(type, handler) removes them all', async () => {
    const socket = open({ heartbeat: { interval: 1000, timeout: 500 } })
    const seen: number[] = []
    const handler = (ms: number) => seen.push(ms)
    const unmountFirst = socket.on('latency', handler) // two components passing the same function
    socket.on('latency', handler)
    unmountFirst()
    const ws = await serverOpens()
    const pingPong = () => {
      vi.advanceTimersByTime(1000)
      vi.advanceTimersByTime(5)
      ws.serverSend({ type: 'pong' })
    }
    pingPong()
    expect(seen).toEqual([5]) // the second is still subscribed, once
    socket.on('latency', handler)
    socket.off('latency', handler)
    pingPong()
    expect(seen).toEqual([5])
    socket.dispose()
  })
})

describe('time', () => {
  it('a wall clock stepping back neither stops dead-link detection nor gives a negative latency', async () => {
    const socket = open({ heartbeat: { interval: 1000, timeout: 500 }, reconnect: noJitter })
    const latencies: number[] = []
    socket.on('latency', (ms) => latencies.push(ms))
    const ws = await serverOpens()
    vi.advanceTimersByTime(1000)
    vi.setSystemTime(Date.now() - 3_600_000) // an hour back, between the ping and its pong
    vi.advanceTimersByTime(20)
    ws.serverSend({ type: 'pong' })
    expect(latencies).toEqual([20])
    vi.setSystemTime(Date.now() - 3_600_000)
    vi.advanceTimersByTime(1000 + 500 + 1) // a silent link is still declared dead on time
    expect(socket.getSnapshot().status).toBe('reconnecting')
    socket.dispose()
  })

  it('a wall clock stepping back does not keep ttl-expired messages', () => {
    const socket = open({ queue: { ttl: 1000 } })
    const drops: string[] = []
    socket.on('drop', (d) => drops.push(d.reason))
    socket.send('chat', 1)
    vi.setSystemTime(Date.now() - 86_400_000)
    vi.advanceTimersByTime(1000)
    expect(drops).toEqual(['expired'])
    socket.dispose()
  })

  it('a wall clock stepping weeks back never arms a timer beyond what timers accept', async () => {
    const socket = open({ heartbeat: { interval: 1000, timeout: 500 }, queue: { ttl: 30 * 86_400_000 } })
    socket.send('chat', 1)
    const ws = await serverOpens()
    const setTimeout = vi.spyOn(globalThis, 'setTimeout')
    vi.setSystemTime(Date.now() - 60 * 86_400_000)
    socket.send('chat', 2)
    vi.advanceTimersByTime(1200)
    for (const [, delay] of setTimeout.mock.calls) expect(delay ?? 0).toBeLessThanOrEqual(2 ** 31 - 1)
    expect(ws.messages.map((m) => (m as { type: string }).type)).toContain('ping')
    socket.dispose()
  })

  it('pings after every interval of silence even when timeout is longer than interval', async () => {
    const socket = open({ heartbeat: { interval: 1000, timeout: 5000 } })
    const ws = await serverOpens()
    for (let i = 1; i <= 3; i++) {
      vi.advanceTimersByTime(1000)
      expect(ws.messages).toHaveLength(i)
      vi.advanceTimersByTime(10)
      ws.serverSend({ type: 'pong' })
    }
    socket.dispose()
  })
})

describe('the queue and close()', () => {
  it('sends a queued binary frame as it was at send time, whatever the caller did with the buffer', async () => {
    const socket = open()
    const buffer = new Uint8Array([1, 2, 3])
    socket.sendRaw(buffer)
    buffer.fill(0)
    const ws = await serverOpens()
    expect([...new Uint8Array(ws.sent[0] as ArrayBuffer)]).toEqual([1, 2, 3])
    socket.dispose()
  })

  it('close() refuses a reason that is not a string', () => {
    const socket = open()
    expect(() => socket.close(4001, 12345 as unknown as string)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    )
    socket.dispose()
  })
})

describe('1013 try again later', () => {
  it('draws the wait uniformly in [maxDelay / 2, maxDelay], so shed clients come back spread out', async () => {
    const waits: number[] = []
    for (const draw of [0, 0.25, 0.5, 0.999]) {
      vi.spyOn(Math, 'random').mockReturnValue(draw)
      const socket = open({ reconnect: { initialDelay: 100, maxDelay: 10_000 } })
      socket.on('reconnecting', ({ delay }) => waits.push(delay))
      ;(await serverOpens()).serverClose(1013, 'overloaded')
      socket.dispose()
      vi.restoreAllMocks()
    }
    expect(waits).toEqual([5000, 6250, 7500, 9995])
  })
})

describe('runtimes', () => {
  it('ends an attempt on an error with no close after it (Node 22 on a refused connection)', () => {
    const socket = open({ reconnect: noJitter })
    const errors: string[] = []
    socket.on('error', (e) => errors.push(e.code))
    FakeWebSocket.last.readyState = FakeWebSocket.CLOSED
    FakeWebSocket.last.onerror?.({ type: 'error' })
    expect(errors).toEqual(['CONNECT_FAILED'])
    expect(socket.getSnapshot().status).toBe('reconnecting')
    vi.advanceTimersByTime(100)
    expect(FakeWebSocket.instances).toHaveLength(2)
    socket.dispose()
  })

  it('reports a close code of 0 (Deno, on an abrupt drop) as 1006', async () => {
    const socket = open({ reconnect: noJitter })
    const codes: number[] = []
    socket.on('close', (c) => codes.push(c.code))
    ;(await serverOpens()).serverClose(0, '', false)
    expect(codes).toEqual([1006])
    expect(socket.getSnapshot().lastClose?.code).toBe(1006)
    socket.dispose()
  })
})
