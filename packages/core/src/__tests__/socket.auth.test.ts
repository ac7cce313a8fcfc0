import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { setup } from './helpers.js'

const reconnect = { initialDelay: 100, maxDelay: 100, jitter: 'none' } as const
const accept = (data: object = {}) => ({ type: '$accept', data })

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
})

/** Lets the `auth` promise and the attempt it starts run. */
const settle = () => vi.advanceTimersByTimeAsync(0)

describe('auth', () => {
  it('sends the token as the first frame, never in the URL, and holds onOpen and the queue until the accept', async () => {
    const onOpen = vi.fn((socket) => socket.send('hello'))
    const { socket, names } = setup({ auth: async () => 'secret-1', onOpen })
    socket.send('queued', 1)
    await settle()
    const ws = FakeWebSocket.last
    expect(ws.url).not.toContain('secret')
    ws.serverOpen()
    await settle()
    expect(ws.messages).toEqual([{ type: '$auth', data: { token: 'secret-1' } }])
    expect(onOpen).not.toHaveBeenCalled()
    expect(socket.getSnapshot().status).toBe('connecting')
    socket.send('later', 2)

    ws.serverSend(accept())
    await settle()
    expect(ws.messages).toEqual([
      { type: '$auth', data: { token: 'secret-1' } },
      { type: 'hello' },
      { type: 'queued', data: 1 },
      { type: 'later', data: 2 },
    ])
    expect(socket.getSnapshot().status).toBe('open')
    expect(names()).toEqual(['open'])
    socket.dispose()
  })

  it('calls auth for every link, so a reconnect carries a fresh token', async () => {
    let n = 0
    const { socket } = setup({ auth: () => `token-${++n}`, reconnect })
    await settle()
    FakeWebSocket.last.serverOpen()
    FakeWebSocket.last.serverSend(accept())
    FakeWebSocket.last.serverClose(1012)
    await vi.advanceTimersByTimeAsync(100)
    FakeWebSocket.last.serverOpen()
    expect(FakeWebSocket.last.messages).toEqual([{ type: '$auth', data: { token: 'token-2' } }])
    socket.dispose()
  })

  it('reports a failing auth as AUTH_FAILED and retries it with backoff, without an unhandled rejection', async () => {
    let calls = 0
    const { socket, events } = setup({
      reconnect,
      auth: () => {
        calls++
        if (calls === 1) throw new Error('no session yet')
        if (calls === 2) return Promise.reject(new Error('token endpoint down'))
        return 'ok'
      },
    })
    await settle()
    expect(FakeWebSocket.instances).toHaveLength(0)
    expect(events[0]?.[1]).toMatchObject({ code: 'AUTH_FAILED', message: expect.stringContaining('no session yet') })
    expect(socket.getSnapshot().status).toBe('reconnecting')
    await vi.advanceTimersByTimeAsync(100)
    expect(events.filter(([type]) => type === 'error').map(([, error]) => (error as Error).message)).toEqual([
      expect.stringContaining('no session yet'),
      expect.stringContaining('token endpoint down'),
    ])
    await vi.advanceTimersByTimeAsync(100)
    expect(FakeWebSocket.instances).toHaveLength(1)
    FakeWebSocket.last.serverOpen()
    expect(FakeWebSocket.last.messages).toEqual([{ type: '$auth', data: { token: 'ok' } }])
    socket.dispose()
  })

  it('closes for good when the server refuses the token: AUTH_REFUSED, the queue dropped, requests lost, nothing flushed', async () => {
    const { socket, events, names } = setup({ auth: () => 'bad', reconnect })
    socket.send('chat', 'hi')
    const request = socket.request('load', 1)
    await settle()
    const ws = FakeWebSocket.last
    ws.serverOpen()
    ws.serverClose(4401, 'unauthorized')
    await expect(request).rejects.toMatchObject({ code: 'REQUEST_LOST' })
    expect(ws.messages).toEqual([{ type: '$auth', data: { token: 'bad' } }])
    expect(socket.getSnapshot().status).toBe('closed')
    expect(names()).toEqual(['error', 'close', 'drop', 'drop'])
    expect(events[0]?.[1]).toMatchObject({ code: 'AUTH_REFUSED' })
    expect(events[1]?.[1]).toMatchObject({ code: 4401, willReconnect: false })
    expect(events[2]?.[1]).toMatchObject({ type: 'chat', data: 'hi', reason: 'closed' })
    await vi.advanceTimersByTimeAsync(1000)
    expect(FakeWebSocket.instances).toHaveLength(1)
    socket.dispose()
  })

  it('refreshes the token on the open link before it expires: no drop, nothing queued', async () => {
    let n = 0
    const { socket, names } = setup({ auth: async () => `token-${++n}` })
    await settle()
    const ws = FakeWebSocket.last
    ws.serverOpen()
    await settle()
    ws.serverSend(accept({ expiresIn: 60_000 }))
    // Refreshed a quarter of its life ahead at most 30 s ahead: at 45 s.
    await vi.advanceTimersByTimeAsync(44_999)
    expect(ws.messages).toHaveLength(1)
    socket.send('meanwhile')
    await vi.advanceTimersByTimeAsync(1)
    expect(ws.messages).toEqual([
      { type: '$auth', data: { token: 'token-1' } },
      { type: 'meanwhile' },
      { type: '$auth', data: { token: 'token-2' } },
    ])
    // The server's accept of the refresh sets the next one.
    ws.serverSend(accept({ expiresIn: 600_000 }))
    await vi.advanceTimersByTimeAsync(569_999)
    expect(ws.messages).toHaveLength(3)
    await vi.advanceTimersByTimeAsync(1)
    expect(ws.messages.at(-1)).toEqual({ type: '$auth', data: { token: 'token-3' } })
    expect(names()).toEqual(['open'])
    expect(socket.getSnapshot()).toMatchObject({ status: 'open', queued: 0 })
    socket.dispose()
  })

  it('tries a failed refresh again halfway to the expiry, reporting each failure', async () => {
    let n = 0
    const { socket, events } = setup({
      auth: () => {
        n++
        if (n === 2) throw new Error('offline')
        return `token-${n}`
      },
    })
    await settle()
    const ws = FakeWebSocket.last
    ws.serverOpen()
    ws.serverSend(accept({ expiresIn: 8000 }))
    await vi.advanceTimersByTimeAsync(6000) // 8000 - 8000 / 4
    expect(events.at(-1)?.[1]).toMatchObject({ code: 'AUTH_FAILED' })
    await vi.advanceTimersByTimeAsync(1000) // half of the 2 s left
    expect(ws.messages.at(-1)).toEqual({ type: '$auth', data: { token: 'token-3' } })
    expect(socket.getSnapshot().status).toBe('open')
    socket.dispose()
  })

  it('stops refreshing when the link goes: a new link brings its own token', async () => {
    const auth = vi.fn(() => 'token')
    const { socket } = setup({ auth, reconnect })
    await settle()
    FakeWebSocket.last.serverOpen()
    FakeWebSocket.last.serverSend(accept({ expiresIn: 1000 }))
    FakeWebSocket.last.serverClose(4001, 'token expired')
    await vi.advanceTimersByTimeAsync(99)
    expect(auth).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(auth).toHaveBeenCalledTimes(2)
    expect(socket.getSnapshot().status).toBe('connecting')
    socket.dispose()
  })

  it('counts an attempt whose accept never comes as CONNECT_TIMEOUT', async () => {
    const { socket, events } = setup({ auth: () => 't', connectTimeout: 1000, reconnect })
    await settle()
    FakeWebSocket.last.serverOpen()
    await vi.advanceTimersByTimeAsync(1001)
    expect(events[0]?.[1]).toMatchObject({ code: 'CONNECT_TIMEOUT' })
    socket.dispose()
  })
})

describe("the server's accept", () => {
  it('turns on the heartbeat it advises when the option is not set', async () => {
    const { socket } = setup()
    const ws = FakeWebSocket.last
    ws.serverOpen()
    await settle()
    ws.serverSend(accept({ heartbeat: { interval: 1000, timeout: 500 } }))
    await vi.advanceTimersByTimeAsync(1000)
    expect(ws.messages).toEqual([{ type: 'ping' }])
    await vi.advanceTimersByTimeAsync(501)
    expect(socket.getSnapshot().status).toBe('reconnecting')
    // A new link runs it from its open, before any accept.
    await vi.advanceTimersByTimeAsync(5000)
    FakeWebSocket.last.serverOpen()
    await vi.advanceTimersByTimeAsync(1000)
    expect(FakeWebSocket.last.messages).toEqual([{ type: 'ping' }])
    socket.dispose()
  })

  it('leaves the heartbeat as the option says when it is set, and is never delivered as a message', async () => {
    const { socket } = setup({ heartbeat: false })
    const onMessage = vi.fn()
    socket.on('message', onMessage)
    const ws = FakeWebSocket.last
    ws.serverOpen()
    await settle()
    ws.serverSend(accept({ heartbeat: { interval: 1000, timeout: 500 } }))
    await vi.advanceTimersByTimeAsync(5000)
    expect(ws.messages).toEqual([])
    expect(onMessage).not.toHaveBeenCalled()
    socket.dispose()
  })

  it('ignores advice that is not a valid heartbeat', async () => {
    const { socket, events } = setup()
    const ws = FakeWebSocket.last
    ws.serverOpen()
    await settle()
    ws.serverSend(accept({ heartbeat: { interval: -1, timeout: 'soon' } }))
    ws.serverSend({ type: '$accept', data: 'garbage' })
    ws.serverSend({ type: '$accept' })
    await vi.advanceTimersByTimeAsync(60_000)
    expect(ws.messages).toEqual([])
    expect(events).toEqual([['open', undefined]])
    socket.dispose()
  })
})
