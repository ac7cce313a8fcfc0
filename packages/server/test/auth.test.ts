import { describe, expect, it, vi } from 'vitest'
import WebSocket from 'ws'
import { gate, next, nextFrame, openClient, rawClient, startHub, until } from './support/hub.js'

interface User {
  userId: string
}

/** A hub whose tokens are `user:<id>` (or `user:<id>:<ms to expiry>`); `forbidden:…` is a valid user who may not connect. */
const startAuthHub = (
  options: Parameters<typeof startHub<Record<string, unknown>, Record<string, unknown>, {}, {}, User>>[0] = {},
) =>
  startHub<Record<string, unknown>, Record<string, unknown>, {}, {}, User>({
    authenticate: ({ token }) => {
      const [kind, userId, ttl] = String(token).split(':')
      if (kind === 'forbidden') throw Object.assign(new Error('banned'), { code: 'FORBIDDEN' })
      if (kind !== 'user' || !userId) throw new Error('bad token')
      return ttl ? { data: { userId }, expiresAt: Date.now() + Number(ttl) } : { userId }
    },
    ...options,
  })

describe('in-band auth', () => {
  it('reads nothing before the token passes: the client’s queue and onOpen sends reach handlers that see peer.data', async () => {
    const { hub, url } = await startAuthHub()
    const seen: Array<[string, unknown]> = []
    const connected = vi.fn()
    hub.on('connection', (peer) => {
      connected(peer.data)
      peer.on('chat', (data) => seen.push([peer.data.userId, data]))
      peer.handle('whoami', () => peer.data.userId)
    })
    const socket = openClient(url, {
      auth: async () => 'user:ada',
      onOpen: (s) => {
        s.send('chat', 'first')
      },
    })
    socket.send('chat', 'queued')
    expect(await socket.request('whoami')).toBe('ada')
    expect(seen).toEqual([
      ['ada', 'first'],
      ['ada', 'queued'],
    ])
    expect(connected).toHaveBeenCalledWith({ userId: 'ada' })
    expect(url).not.toContain('ada')
  })

  it('closes a refused token with 4401: the client stops, drops its queue and loses its requests, none read', async () => {
    const { hub, url } = await startAuthHub()
    const connection = vi.fn()
    hub.on('connection', connection)
    const socket = openClient(url, { auth: () => 'nonsense' })
    const drops: unknown[] = []
    socket.on('drop', (drop) => drops.push(drop))
    const refused = next<{ code: string }>(socket, 'error')
    socket.send('chat', 'never read')
    const request = socket.request('anything')
    const closed = next<{ code: number; willReconnect: boolean }>(socket, 'close')
    await expect(request).rejects.toMatchObject({ code: 'REQUEST_LOST' })
    expect(await refused).toMatchObject({ code: 'AUTH_REFUSED' })
    expect(await closed).toMatchObject({ code: 4401, willReconnect: false })
    expect(drops).toEqual([expect.objectContaining({ type: 'chat', reason: 'closed' }), expect.anything()])
    expect(socket.getSnapshot().status).toBe('closed')
    expect(connection).not.toHaveBeenCalled()
    expect(hub.stats()).toMatchObject({ authRefused: 1, messages: 0, requests: 0 })
  })

  it('closes a valid user who may not connect with 4403', async () => {
    const { url } = await startAuthHub()
    const socket = openClient(url, { auth: () => 'forbidden:eve' })
    expect(await next(socket, 'close')).toMatchObject({ code: 4403, willReconnect: false })
  })

  it('closes a connection whose first frame is not a token with 4401, unread', async () => {
    const { hub, url } = await startAuthHub()
    const message = vi.fn()
    hub.on('connection', (peer) => peer.on('message', message))
    const ws = await rawClient(url, undefined, { accepted: false })
    const closed = new Promise<number>((resolve) => ws.once('close', resolve))
    ws.send(JSON.stringify({ type: 'chat', data: 'sneaky' }))
    ws.send(JSON.stringify({ type: '$auth', data: { token: 'user:ada' } }))
    expect(await closed).toBe(4401)
    expect(message).not.toHaveBeenCalled()
  })

  it('accepts with the expiry and the heartbeat to run, and takes a refreshed token on the open link', async () => {
    const { hub, url } = await startAuthHub()
    const peer = next<{ data: User }>(hub, 'connection')
    const ws = await rawClient(url, undefined, { accepted: false })
    const accept = nextFrame(ws)
    ws.send(JSON.stringify({ type: '$auth', data: { token: 'user:ada:60000' } }))
    const first = JSON.parse(await accept)
    expect(first).toMatchObject({ type: '$accept', data: { heartbeat: { interval: 25_000, timeout: 10_000 } } })
    expect(first.data.expiresIn).toBeGreaterThan(59_000)
    expect(first.data.expiresIn).toBeLessThanOrEqual(60_000)
    const server = await peer
    expect(server.data).toEqual({ userId: 'ada' })

    const again = nextFrame(ws)
    ws.send(JSON.stringify({ type: '$auth', data: { token: 'user:ada2:120000' } }))
    expect(JSON.parse(await again).data.expiresIn).toBeGreaterThan(119_000)
    expect(server.data).toEqual({ userId: 'ada2' })
  })

  it('refreshes a short-lived token without a drop: the link stays, nothing is queued or resent', async () => {
    const { hub, url } = await startAuthHub()
    let n = 0
    const auth = vi.fn(() => `user:ada:${++n === 1 ? 400 : 60_000}`)
    hub.on('connection', (peer) => peer.handle('echo', (data) => data))
    const socket = openClient(url, { auth })
    const close = vi.fn()
    socket.on('close', close)
    await next(socket, 'open')
    // Refreshed at 300 ms, before the server's 400 ms expiry; the server's 4001 would come after.
    await until(() => auth.mock.calls.length === 2, 'the refresh', 3000)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(await socket.request('echo', 'still here')).toBe('still here')
    expect(close).not.toHaveBeenCalled()
    expect(hub.stats()).toMatchObject({ connections: 1, authExpired: 0 })
  })

  it('closes an expired, unrefreshed token with 4001; the client comes back with a fresh one', async () => {
    const { hub, url } = await startAuthHub()
    let n = 0
    const socket = openClient(url, {
      // The refresh fails: the token expires on the server, which closes with 4001.
      auth: () =>
        ++n === 2 ? Promise.reject(new Error('refresh endpoint down')) : `user:ada:${n === 1 ? 200 : 60_000}`,
    })
    await next(socket, 'open')
    const closed = await next<{ code: number; willReconnect: boolean }>(socket, 'close')
    expect(closed).toMatchObject({ code: 4001, willReconnect: true })
    await next(socket, 'open')
    expect(hub.stats()).toMatchObject({ authExpired: 1, connections: 2 })
  })

  it('runs onConnection after authenticate, with peer.data set, and holds frames for both', async () => {
    const setUp = gate()
    const order: string[] = []
    const { hub, url } = await startAuthHub({
      onConnection: async (peer) => {
        order.push(`onConnection ${peer.data.userId}`)
        await setUp.promise
      },
    })
    hub.on('connection', (peer) => peer.on('chat', (data) => order.push(`chat ${data}`)))
    const socket = openClient(url, { auth: () => 'user:ada' })
    socket.send('chat', 'hi')
    await until(() => order.length === 1, 'onConnection')
    setUp.open()
    await until(() => order.length === 2, 'the chat')
    expect(order).toEqual(['onConnection ada', 'chat hi'])
  })

  it('accepts every connection at once when there is no authenticate, advising the heartbeat only when it runs', async () => {
    const firstFrame = async (url: string) => {
      const ws = new WebSocket(url)
      const frame = new Promise<string>((resolve) => ws.once('message', (raw) => resolve(String(raw))))
      const parsed = JSON.parse(await frame)
      ws.terminate()
      return parsed
    }
    expect(await firstFrame((await startHub()).url)).toEqual({
      type: '$accept',
      data: { heartbeat: { interval: 25_000, timeout: 10_000 } },
    })
    expect(await firstFrame((await startHub({ heartbeat: false })).url)).toEqual({ type: '$accept', data: {} })
  })

  it('limits the rate per user: more connections of one user buy no more, other users keep theirs', async () => {
    const { hub, url } = await startAuthHub({ rateLimit: { messages: 10, burst: 1, closeAfter: 60_000 } })
    const received: string[] = []
    hub.on('connection', (peer) => peer.on('chat', () => received.push(peer.data.userId)))
    const signIn = async (token: string) => {
      const ws = await rawClient(url, undefined, { accepted: false })
      const accepted = nextFrame(ws)
      ws.send(JSON.stringify({ type: '$auth', data: { token } }))
      await accepted
      return ws
    }
    const [ada1, ada2, grace] = [await signIn('user:ada'), await signIn('user:ada'), await signIn('user:grace')]
    for (const ws of [ada1, ada2, grace]) {
      for (let i = 0; i < 8; i++) ws.send('{"type":"chat"}')
    }
    await until(() => hub.stats().messages + hub.stats().rateLimited === 24, 'every chat read or refused')
    // Ada's two connections share 10 a second (about, as the bucket refills meanwhile); Grace has her own.
    expect(received.filter((user) => user === 'grace')).toHaveLength(8)
    expect(received.filter((user) => user === 'ada').length).toBeLessThan(12)
    expect(hub.stats().rateLimited).toBeGreaterThan(4)
  })
})
