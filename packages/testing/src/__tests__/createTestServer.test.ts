// The kit as users use it: a Lifeline socket against the test server. Every case runs twice, under
// vitest's fake timers and under real ones; `settle` is the only difference (it advances fake time
// until a promise settles, or just awaits it).
import { type ConnectOptions, connect, type Socket } from '@lifeline/core'
import { LifelineWebSocket } from '@lifeline/core/websocket'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createTestServer, type TestServer } from '../index.js'

interface Incoming {
  chat: { text: string }
}
interface Outgoing {
  chat: { text: string }
  getUser: { id: string }
}
interface Replies {
  getUser: { name: string }
}

const FAST = { initialDelay: 20, maxDelay: 100, jitter: 'none' } as const

describe.each(['fake timers', 'real timers'])('the test server, under %s', (mode) => {
  const fake = mode === 'fake timers'
  let server: TestServer
  const sockets: Array<{ dispose(): void }> = []

  beforeEach(() => {
    if (fake) vi.useFakeTimers()
    server = createTestServer()
  })
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.dispose()
    server.stop()
    vi.useRealTimers()
  })

  /** Waits for `promise`, advancing fake time meanwhile (by 10 ms steps, at most 60 s of it). */
  async function settle<T>(promise: Promise<T>): Promise<T> {
    if (!fake) return promise
    let done = false
    const settled = promise.finally(() => {
      done = true
    })
    for (let i = 0; i < 6000 && !done; i++) await vi.advanceTimersByTimeAsync(10)
    return settled
  }

  function open(options: ConnectOptions<Incoming, Outgoing> = {}, url = server.url) {
    const socket: Socket<Incoming, Outgoing, Replies> = connect<Incoming, Outgoing, Replies>(url, {
      WebSocket: server.WebSocket,
      reconnect: FAST,
      ...options,
    })
    sockets.push(socket)
    return socket
  }

  const next = <T>(socket: Socket<Incoming, Outgoing, Replies>, type: 'open' | 'close' | 'error') =>
    new Promise<T>((resolve) => socket.once(type, resolve as never))

  it('opens without advancing any timer, and records what the client sends', async () => {
    const socket = open()
    const connection = await server.waitForConnection()
    expect(socket.getSnapshot().status).toBe('open')
    expect(connection.url).toBe(server.url)
    socket.send('chat', { text: 'hi' })
    socket.send('chat', { text: 'there' })
    const first = await server.waitForMessage('chat')
    const second = await server.waitForMessage((message) => message.type === 'chat')
    expect([first.data, second.data]).toEqual([{ text: 'hi' }, { text: 'there' }])
    expect(server.messages.map((message) => message.data)).toEqual([{ text: 'hi' }, { text: 'there' }])
    expect(connection.messages).toHaveLength(2)
  })

  it('accepts a client token at once and records it; a test refuses it by closing with 4401', async () => {
    const socket = open({ auth: async () => 'token-1' })
    socket.send('chat', { text: 'after the accept' })
    const token = await server.waitForMessage('$auth')
    expect(token.data).toEqual({ token: 'token-1' })
    expect((await server.waitForMessage('chat')).data).toEqual({ text: 'after the accept' })
    expect(server.messages.map((message) => message.type)).toEqual(['$auth', 'chat'])
    await settle(
      new Promise((resolve) => (socket.getSnapshot().status === 'open' ? resolve(0) : socket.once('open', resolve))),
    )

    const refused = open({ auth: () => 'bad' })
    const closed = next<{ code: number; willReconnect: boolean }>(refused, 'close')
    const second = await server.waitForMessage((message) => message.type === '$auth' && message !== token)
    second.connection.close(4401, 'unauthorized')
    expect(await settle(closed)).toMatchObject({ code: 4401, willReconnect: false })
  })

  it('hands each connection to one waitForConnection, made before or after the call', async () => {
    open()
    await Promise.resolve()
    open()
    const [a, b] = [await server.waitForConnection(), await server.waitForConnection()]
    expect(a).not.toBe(b)
    const later = server.waitForConnection()
    open()
    expect(await later).toBe(server.connections[2])
  })

  it('delivers what it sends at once, as typed events', async () => {
    const socket = open()
    const heard: string[] = []
    socket.on('chat', ({ text }) => heard.push(text))
    const connection = await server.waitForConnection()
    server.send('chat', { text: 'to all' })
    connection.send('chat', { text: 'to one' })
    expect(heard).toEqual(['to all', 'to one'])
  })

  it('answers requests: one by one, with an error, and by type', async () => {
    const socket = open()
    const user = socket.request('getUser', { id: '42' })
    server.reply(await server.waitForMessage('getUser'), { name: 'Ada' })
    expect(await user).toEqual({ name: 'Ada' })

    const failing = socket.request('getUser', { id: '0' })
    server.replyError(await server.waitForMessage('getUser'), { code: 'NOT_FOUND', message: 'no such user' })
    await expect(failing).rejects.toMatchObject({
      code: 'REQUEST_FAILED',
      message: expect.stringContaining('no such user'),
    })

    const stop = server.handle('getUser', async (data) => ({ name: `user ${(data as { id: string }).id}` }))
    expect(await socket.request('getUser', { id: '7' })).toEqual({ name: 'user 7' })
    server.handle('getUser', () => {
      throw new Error('database down')
    })
    await expect(socket.request('getUser', { id: '8' })).rejects.toMatchObject({ code: 'REQUEST_FAILED' })
    stop()
  })

  it('answers whatever a handler throws or returns with a reply, never with an unhandled rejection', async () => {
    const socket = open()
    const failure = (request: Promise<unknown>) =>
      settle(request.catch((error: { code: string; message: string }) => error))

    server.handle('getUser', () => {
      throw Object.create(null) // no prototype: no toString to turn it into text
    })
    expect(await failure(socket.request('getUser', { id: '1' }, { timeout: 5000 }))).toMatchObject({
      code: 'REQUEST_FAILED',
      message: 'request failed',
    })

    const unreadable = new Error('hidden')
    Object.defineProperty(unreadable, 'message', {
      get() {
        throw new Error('getter threw')
      },
    })
    server.handle('getUser', () => Promise.reject(unreadable))
    expect(await failure(socket.request('getUser', { id: '2' }, { timeout: 5000 }))).toMatchObject({
      code: 'REQUEST_FAILED',
      message: 'request failed',
    })

    server.handle('getUser', () => {
      throw Object.assign(new Error('no such user'), { code: 'NOT_FOUND' })
    })
    expect(await failure(socket.request('getUser', { id: '3' }, { timeout: 5000 }))).toMatchObject({
      code: 'REQUEST_FAILED',
      message: 'no such user',
      cause: { code: 'NOT_FOUND', message: 'no such user' },
    })

    server.handle('getUser', () => ({ name: 10n }) as never) // JSON cannot carry a BigInt
    expect(await failure(socket.request('getUser', { id: '4' }, { timeout: 5000 }))).toMatchObject({
      code: 'REQUEST_FAILED',
      message: 'cannot encode the reply',
    })
  })

  it('across a restart keeps its handlers and records, answers a resent request again, and sends nothing on a closed connection', async () => {
    const socket = open()
    await server.waitForConnection()
    const pending: Array<(reply: { name: string }) => void> = []
    server.handle('getUser', () => new Promise<{ name: string }>((resolve) => pending.push(resolve)))

    const asked = socket.request('getUser', { id: '42' })
    const first = await server.waitForMessage('getUser')
    await server.close(1012, 'restart')
    pending[0]?.({ name: 'on the closed connection' }) // goes nowhere
    server.reply(first, { name: 'on the closed connection' }) // nowhere either

    // Back: the client writes the request again with its id; the handler, still there, runs again.
    const again = await settle(server.waitForMessage('getUser'))
    expect([again.id, again.connection === first.connection]).toEqual([first.id, false])
    expect(pending).toHaveLength(2)
    pending[1]?.({ name: 'Ada' })
    expect(await settle(asked)).toEqual({ name: 'Ada' })
    expect(server.messages.filter((m) => m.type === 'getUser').map((m) => m.id)).toEqual([first.id, first.id])
    expect(server.connections.map((c) => c.open)).toEqual([false, true])
  })

  it('hands each message to one waiter: those waiting when it arrives first, then any made in a handler', async () => {
    const socket = open()
    await server.waitForConnection()
    let inHandler: Promise<unknown> = Promise.resolve()
    server.handle('getUser', () => {
      inHandler = server.waitForMessage().then((message) => message.data)
      return { name: 'Ada' }
    })

    const early = server.waitForMessage() // waiting when the request arrives: it takes the request
    expect(await socket.request('getUser', { id: '1' })).toEqual({ name: 'Ada' })
    expect((await early).data).toEqual({ id: '1' })
    socket.send('chat', { text: 'next' }) // the handler's waiter takes the next message
    expect(await inHandler).toEqual({ text: 'next' })

    // With nobody waiting when it arrives, the handler's waiter takes the request itself.
    expect(await socket.request('getUser', { id: '2' })).toEqual({ name: 'Ada' })
    expect(await inHandler).toEqual({ id: '2' })
    const later = server.waitForMessage()
    socket.send('chat', { text: 'last' })
    expect((await later).data).toEqual({ text: 'last' })
  })

  it('closes with a code: a retryable one brings the client back, a terminal one does not', async () => {
    const socket = open()
    await server.waitForConnection()
    const closed = next<{ code: number; wasClean: boolean }>(socket, 'close')
    server.close(1012, 'restart')
    expect(await closed).toMatchObject({ code: 1012, wasClean: true })
    await settle(server.waitForConnection())
    expect(socket.getSnapshot().status).toBe('open')

    server.close(4401, 'unauthorized')
    await settle(next(socket, 'close'))
    expect(socket.getSnapshot()).toMatchObject({ status: 'closed', lastClose: { code: 4401, reason: 'unauthorized' } })
  })

  it('drops connections as a crash does: 1006, not clean', async () => {
    const socket = open()
    const connection = await server.waitForConnection()
    server.drop()
    expect(await next(socket, 'close')).toMatchObject({ code: 1006, wasClean: false, willReconnect: true })
    expect(await connection.closed).toEqual({ code: 1006, reason: '', wasClean: false })
    expect(connection.open).toBe(false)
  })

  it('refuses the next handshakes, which fail before opening', async () => {
    server.refuse(2)
    const socket = open()
    const errors: string[] = []
    socket.on('error', (error) => errors.push(error.code))
    await settle(server.waitForConnection())
    expect(errors).toEqual(['CONNECT_FAILED', 'CONNECT_FAILED'])
    expect(server.connections).toHaveLength(1)
  })

  it('answers heartbeat pings, and stops when told, so the client notices a dead link', async () => {
    const socket = open({ heartbeat: { interval: 100, timeout: 100 } })
    await server.waitForConnection()
    const latency = new Promise<number>((resolve) => socket.once('latency', resolve))
    expect(await settle(latency)).toBeGreaterThanOrEqual(0)
    server.answerPings(false)
    const error = await settle(next<{ code: string }>(socket, 'error'))
    expect(error.code).toBe('HEARTBEAT_TIMEOUT')
    expect(server.pings).toBeGreaterThanOrEqual(2)
    expect(server.messages).toEqual([]) // pings are not messages
  })

  it('black-holes traffic and handshakes until lifted', async () => {
    const socket = open({ heartbeat: { interval: 100, timeout: 100 }, connectTimeout: 300 })
    await server.waitForConnection()
    server.blackhole()
    socket.send('chat', { text: 'lost' })
    const errors: string[] = []
    socket.on('error', (error) => errors.push(error.code))
    await settle(new Promise((resolve) => socket.on('error', (e) => e.code === 'CONNECT_TIMEOUT' && resolve(e))))
    expect(errors.slice(0, 2)).toEqual(['HEARTBEAT_TIMEOUT', 'CONNECT_TIMEOUT'])
    expect(server.connections).toHaveLength(1)
    server.blackhole(false)
    await settle(server.waitForConnection())
    expect(server.messages).toEqual([])
  })

  it('carries binary frames both ways, and records the URL and subprotocols the client used', async () => {
    const ws = new LifelineWebSocket(`${server.url}?token=abc`, ['v2', 'v1'], { WebSocket: server.WebSocket })
    sockets.push(ws.socket)
    ws.binaryType = 'arraybuffer'
    const connection = await server.waitForConnection()
    expect(connection.url).toBe(`${server.url}?token=abc`)
    expect(connection.protocols).toEqual(['v2', 'v1'])
    const received = new Promise<MessageEvent>((resolve) => ws.addEventListener('message', resolve as never))
    ws.send(new Uint8Array([1, 2, 3]))
    const message = await server.waitForMessage()
    expect([...new Uint8Array(message.frame as ArrayBuffer)]).toEqual([1, 2, 3])
    connection.sendRaw(new Uint8Array([4, 5]).buffer)
    expect([...new Uint8Array((await received).data as ArrayBuffer)]).toEqual([4, 5])
  })

  it('answers the raw heartbeat of a LifelineWebSocket (the text frame ping) with pong', async () => {
    const ws = new LifelineWebSocket(server.url, [], {
      WebSocket: server.WebSocket,
      heartbeat: { interval: 100, timeout: 100, ping: () => 'ping' },
    })
    sockets.push(ws.socket)
    await server.waitForConnection()
    expect(await settle(new Promise<number>((resolve) => ws.socket.once('latency', resolve)))).toBeGreaterThanOrEqual(0)
    expect(server.pings).toBe(1)
  })

  it('rejects pending waits when stopped, frees its URL, and leaves no timer behind', async () => {
    const waiting = server.waitForMessage('never')
    const url = server.url
    expect(() => createTestServer(url)).toThrow(/listening on/)
    server.stop()
    await expect(waiting).rejects.toThrow(/was stopped/)
    server = createTestServer(url)
    const socket = open({}, url)
    await server.waitForConnection()
    socket.dispose()
    sockets.splice(0)
    if (fake) expect(vi.getTimerCount()).toBe(0)
  })
})
