import { type LifelineError, rawCodec } from '@lifeline/core'
import type { CloseInfo, LifelineServerError, Peer } from '@lifeline/server'
import { attach, memoryAdapter } from '@lifeline/server'
import { describe, expect, expectTypeOf, it, vi } from 'vitest'
import type WebSocket from 'ws'
import { gate, next, nextFrame, nextPeer, openClient, rawClient, startHub, until } from './support/hub.js'

/** What clients send: the client's `Outgoing`, the hub's `In`. */
interface ClientSends {
  chat: { text: string }
  getUser: { id: string }
  slow: { n: number }
  fail: { code?: string; message: string }
  huge: undefined
}
/** What the server sends: the client's `Incoming`, the hub's `Out`. */
interface ServerSends {
  chat: { text: string }
  confirm: { text: string }
  unanswered: undefined
}
interface Replies {
  getUser: { name: string }
  slow: number
}
interface ClientReplies {
  confirm: boolean
}

const startChat = (options?: Parameters<typeof startHub<ClientSends, ServerSends, Replies, ClientReplies>>[0]) =>
  startHub<ClientSends, ServerSends, Replies, ClientReplies>(options)
const openChat = (url: string | (() => string), options?: Parameters<typeof openClient>[1]) =>
  openClient<ServerSends, ClientSends, Replies>(url, options)

/**
 * Sends frames and waits for the pong of a ping sent after them: the server has read every frame
 * by then. Resolves with what the server sent before the pong (the replies of handlers that
 * answered at once), in order.
 */
function sendAndSync(ws: WebSocket, ...frames: Array<string | Buffer>): Promise<string[]> {
  const before: string[] = []
  const synced = new Promise<string[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no pong within 5 s')), 5000)
    const listener = (raw: unknown) => {
      const text = String(raw)
      if (text !== '{"type":"pong"}') return void before.push(text)
      clearTimeout(timer)
      ws.off('message', listener)
      resolve(before)
    }
    ws.on('message', listener)
  })
  for (const frame of frames) ws.send(frame)
  ws.send('{"type":"ping"}')
  return synced
}

describe('messages', () => {
  it('routes a typed message to peer.on(type) and to message, and broadcast reaches every peer but except', async () => {
    const { hub, url } = await startChat()
    const chats: Array<{ text: string }> = []
    const all: unknown[] = []
    hub.on('connection', (peer) => {
      peer.on('chat', (data) => {
        expectTypeOf(data).toEqualTypeOf<{ text: string }>()
        chats.push(data)
        hub.broadcast('chat', data, { except: peer })
      })
      peer.on('message', (message) => all.push(message))
    })
    const ada = openChat(url)
    const grace = openChat(url)
    await Promise.all([next(ada, 'open'), next(grace, 'open')])

    const heard = next(grace, 'chat')
    const adaHeard = vi.fn()
    ada.on('chat', adaHeard)
    ada.send('chat', { text: 'hi' })
    expect(await heard).toEqual({ text: 'hi' })
    expect(chats).toEqual([{ text: 'hi' }])
    expect(all).toEqual([{ type: 'chat', data: { text: 'hi' } }])

    // Ada was the exception; a broadcast without one reaches her, after the one she did not get.
    const back = next(ada, 'chat')
    hub.broadcast('chat', { text: 'to everyone' })
    expect(await back).toEqual({ text: 'to everyone' })
    expect(adaHeard).toHaveBeenCalledTimes(1)
    // Five frames out: each peer's accept, the first broadcast to Grace alone, the second to both.
    expect(hub.stats()).toMatchObject({
      peers: 2,
      transports: { websocket: 2, http: 0 },
      messages: 1,
      framesSent: 5,
      badFrames: 0,
    })
  })

  it("gives each peer an id of its own and data that starts empty and is the server's to set", async () => {
    const { hub, url } = await startChat()
    const seen: Peer[] = []
    hub.on('connection', (peer) => {
      expect(peer.data).toEqual({})
      peer.data = { user: `user ${seen.push(peer)}` }
    })
    openChat(url)
    openChat(url)
    await until(() => seen.length === 2, 'two peers')
    const [first, second] = seen as [Peer, Peer]
    expect(first.id).toEqual(expect.any(String))
    expect(first.id).not.toBe(second.id)
    expect([...hub.peers].map((peer) => peer.data)).toEqual([{ user: 'user 1' }, { user: 'user 2' }])
  })

  it("answers the client's heartbeat ping with a pong, which the client reports as latency", async () => {
    const { url } = await startChat()
    const socket = openChat(url, { heartbeat: { interval: 10, timeout: 1000 } })
    const latency = await next<number>(socket, 'latency')
    expect(latency).toBeGreaterThanOrEqual(0)
    expect(socket.getSnapshot().status).toBe('open')
  })

  it('answers a ping with an id with a pong with that id, and the text frame ping (rawCodec) with pong', async () => {
    const { url } = await startChat()
    const ws = await rawClient(url)
    const pong = nextFrame(ws)
    ws.send('{"type":"ping","id":"p1"}')
    expect(await pong).toBe('{"type":"pong","id":"p1"}')

    const raw = openClient(url, { codec: rawCodec, heartbeat: { interval: 10, timeout: 1000 } })
    expect(await next(raw, 'latency')).toBeGreaterThanOrEqual(0)
  })

  it('emits message for a client message named like a reserved event, not the event itself', async () => {
    const { hub, url } = await startHub()
    const peer = nextPeer(hub)
    const ws = await rawClient(url)
    const close = vi.fn()
    const all: unknown[] = []
    ;(await peer).on('close', close)
    ;(await peer).on('message', (message) => all.push(message))
    await sendAndSync(ws, '{"type":"close","data":1}')
    expect(all).toEqual([{ type: 'close', data: 1 }])
    expect(close).not.toHaveBeenCalled()
  })
})

describe('writes', () => {
  it('holds the frames written in one turn of the event loop and sends them in one TCP write as it ends, in order', async () => {
    const { hub, url } = await startChat()
    const connected = nextPeer(hub)
    const ws = await rawClient(url)
    const peer = await connected
    const frames: string[] = []
    ws.on('message', (raw) => frames.push(String(raw)))
    const reads: number[] = []
    // The client's TCP socket: how many reads the frames took.
    ;(ws as unknown as { _socket: NodeJS.EventEmitter })._socket.on('data', (chunk: Buffer) => reads.push(chunk.length))

    for (const text of ['one', 'two', 'three']) peer.send('chat', { text })
    const socket = peer.socket as unknown as WebSocket
    // Not written yet: waiting in the socket for the end of the turn (each would be written at once otherwise).
    const bytes = ['one', 'two', 'three'].map((text) => 2 + JSON.stringify({ type: 'chat', data: { text } }).length)
    expect(socket.bufferedAmount).toBe(bytes.reduce((sum, n) => sum + n)) // 2-byte frame headers
    await new Promise((resolve) => setImmediate(resolve))
    expect(socket.bufferedAmount).toBe(0)

    await until(() => frames.length === 3, 'three frames')
    expect(frames.map((frame) => JSON.parse(frame).data.text)).toEqual(['one', 'two', 'three'])
    expect(reads).toHaveLength(1)
  })

  it('lets a batch go after 16 frames, so the client starts on them while the rest are written', async () => {
    const { hub, url } = await startChat()
    const connected = nextPeer(hub)
    await rawClient(url)
    const peer = await connected
    const socket = peer.socket as unknown as WebSocket
    const size = (n: number) => 2 + JSON.stringify({ type: 'chat', data: { text: `${n}`.padStart(2, '0') } }).length
    for (let n = 0; n < 40; n++) peer.send('chat', { text: `${n}`.padStart(2, '0') })
    // Two batches of 16 have gone to the kernel; the last 8 wait for the end of the turn.
    expect(socket.bufferedAmount).toBe(8 * size(0))
    await new Promise((resolve) => setImmediate(resolve))
    expect(socket.bufferedAmount).toBe(0)
  })

  it('sends a frame written just before close ahead of the close frame', async () => {
    const { hub, url } = await startChat()
    const connected = nextPeer(hub)
    const ws = await rawClient(url)
    const peer = await connected
    const frame = nextFrame(ws)
    const closed = new Promise<number>((resolve) => ws.once('close', resolve))
    peer.send('chat', { text: 'bye' })
    peer.close(4001, 'kicked')
    expect(JSON.parse(await frame)).toEqual({ type: 'chat', data: { text: 'bye' } })
    expect(await closed).toBe(4001)
  })
})

describe('requests from clients', () => {
  it("resolves the client's request with the handler's return value, sync or async", async () => {
    const { hub, url } = await startChat()
    const seen: unknown[] = []
    hub.on('connection', (peer) => {
      peer.handle('getUser', async (data, request) => {
        seen.push([data, request])
        return { name: `user ${data.id}` }
      })
      peer.handle('slow', ({ n }) => n * 2)
    })
    const socket = openChat(url)
    const user = await socket.request('getUser', { id: '42' })
    expectTypeOf(user).toEqualTypeOf<{ name: string }>()
    expect(user).toEqual({ name: 'user 42' })
    expect(await socket.request('slow', { n: 21 })).toBe(42)
    expect(seen).toEqual([[{ id: '42' }, expect.objectContaining({ type: 'getUser', id: expect.any(String) })]])
    expect((seen[0] as [unknown, { signal: AbortSignal }])[1].signal).toBeInstanceOf(AbortSignal)
    expect(hub.stats()).toMatchObject({ requests: 2, duplicates: 0 })
  })

  it('answers a throwing handler with an error reply: the client rejects REQUEST_FAILED with code and message', async () => {
    const { hub, url } = await startChat()
    hub.on('connection', (peer) => {
      peer.handle('fail', ({ code, message }) => {
        throw Object.assign(new Error(message), code ? { code } : {})
      })
    })
    const socket = openChat(url)
    await expect(socket.request('fail', { code: 'NOT_FOUND', message: 'no such user' })).rejects.toMatchObject({
      code: 'REQUEST_FAILED',
      message: 'no such user',
      cause: { code: 'NOT_FOUND', message: 'no such user' },
    })
    const failed = (await socket.request('fail', { message: 'plain' }).catch((error) => error)) as LifelineError
    expect(failed.cause).toEqual({ message: 'plain' })
    expect(socket.getSnapshot()).toMatchObject({ status: 'open', pending: 0 })
  })

  it('lets formatError decide what an error reply says', async () => {
    const seen: unknown[] = []
    const { hub, url } = await startChat({
      formatError: (error, request) => {
        seen.push([(error as Error).message, request.type])
        return { code: 'INTERNAL', message: 'something went wrong' }
      },
    })
    hub.on('connection', (peer) => peer.handle('fail', () => Promise.reject(new Error('db password wrong'))))
    const socket = openChat(url)
    await expect(socket.request('fail', { message: '' })).rejects.toMatchObject({
      cause: { code: 'INTERNAL', message: 'something went wrong' },
    })
    expect(seen).toEqual([['db password wrong', 'fail']])
  })

  it('answers a request with no handler with NO_HANDLER at once', async () => {
    const { hub, url } = await startChat()
    const socket = openChat(url)
    await expect(socket.request('getUser', { id: '1' })).rejects.toMatchObject({
      code: 'REQUEST_FAILED',
      cause: { code: 'NO_HANDLER' },
    })
    expect(hub.stats()).toMatchObject({ unhandled: 1, requests: 0 })
  })

  it('answers a request resent after a drop, while its handler still runs, with the first reply: the handler runs once', async () => {
    const { hub, url } = await startChat()
    const release = gate<number>()
    const started = gate()
    const calls = vi.fn()
    const resent = gate()
    let peers = 0
    hub.on('connection', (peer) => {
      peers++
      peer.handle('slow', () => {
        calls()
        started.open()
        return release.promise
      })
      // The second connection's first frame is the resent request (the hub has claimed it by then).
      if (peers === 2) peer.socket.on('message', () => resent.open())
    })
    const socket = openChat(url)
    const first = await nextPeer(hub)
    const reply = socket.request('slow', { n: 1 })
    await started.promise

    const reopened = next(socket, 'open')
    first.socket.terminate() // the link dies before the reply
    await reopened
    await resent.promise
    release.open(7)

    expect(await reply).toBe(7)
    expect(calls).toHaveBeenCalledTimes(1)
    expect(hub.stats()).toMatchObject({ requests: 1, duplicates: 1 })
  })

  it('answers a request resent after its reply was lost with the dying link, from the dedupe window', async () => {
    const { hub, url } = await startChat()
    const calls = vi.fn()
    hub.on('connection', (peer) => {
      peer.handle('getUser', ({ id }) => {
        calls()
        peer.socket.terminate() // the reply is written into a dead link
        return { name: `user ${id}` }
      })
    })
    const socket = openChat(url)
    expect(await socket.request('getUser', { id: '9' })).toEqual({ name: 'user 9' })
    expect(calls).toHaveBeenCalledTimes(1)
    expect(hub.stats()).toMatchObject({ requests: 1, duplicates: 1 })
  })

  it('answers the same id twice on one connection with one reply each, the handler run once', async () => {
    const { hub, url } = await startChat()
    const calls = vi.fn(({ n }: { n: number }) => n)
    hub.on('connection', (peer) => peer.handle('slow', calls))
    const ws = await rawClient(url)
    const replies = new Promise<string[]>((resolve) => {
      const frames: string[] = []
      ws.on('message', (raw) => frames.push(String(raw)) === 2 && resolve(frames))
    })
    ws.send('{"type":"slow","data":{"n":3},"id":"same"}')
    ws.send('{"type":"slow","data":{"n":4},"id":"same"}')
    expect(await replies).toEqual(['{"re":"same","data":3}', '{"re":"same","data":3}'])
    expect(calls).toHaveBeenCalledTimes(1)
    expect(hub.stats()).toMatchObject({ requests: 1, duplicates: 1 })
  })

  it('runs the handler for every resend with dedupe: false', async () => {
    const { hub, url } = await startChat({ dedupe: false })
    const calls = vi.fn(({ n }: { n: number }) => n)
    hub.on('connection', (peer) => peer.handle('slow', calls))
    const ws = await rawClient(url)
    // A handler that returns at once is answered at once: both replies come before the pong, in order.
    expect(
      await sendAndSync(ws, '{"type":"slow","data":{"n":3},"id":"same"}', '{"type":"slow","data":{"n":4},"id":"same"}'),
    ).toEqual(['{"re":"same","data":3}', '{"re":"same","data":4}'])
    expect(calls).toHaveBeenCalledTimes(2)
    expect(hub.stats()).toMatchObject({ requests: 2, duplicates: 0 })
  })

  it('scopes dedupe by dedupe.key', async () => {
    const { hub, url } = await startChat({ dedupe: { key: (request, peer) => `${tenants.get(peer)}:${request.id}` } })
    const tenants = new WeakMap<Peer, string>()
    let n = 0
    hub.on('connection', (peer) => {
      tenants.set(peer, `tenant-${++n}`)
      peer.handle('slow', () => n)
    })
    const [a, b] = [await rawClient(url), await rawClient(url)]
    const [replyA, replyB] = [nextFrame(a), nextFrame(b)]
    a.send('{"type":"slow","data":{"n":0},"id":"same"}')
    b.send('{"type":"slow","data":{"n":0},"id":"same"}')
    expect([await replyA, await replyB]).toEqual(['{"re":"same","data":2}', '{"re":"same","data":2}'])
    expect(hub.stats()).toMatchObject({ requests: 2, duplicates: 0 })
  })

  it('answers a reply that cannot be encoded with ENCODE_FAILED and reports it, error replies too', async () => {
    const { hub, url } = await startChat({ formatError: () => ({ message: 'x', code: 1n as never }) })
    const errors: LifelineServerError[] = []
    hub.on('error', (error) => errors.push(error))
    hub.on('connection', (peer) => {
      peer.handle('getUser', () => ({ name: 1n }) as never)
      peer.handle('fail', () => {
        throw new Error('a formatError result JSON cannot carry')
      })
    })
    const socket = openChat(url)
    const encodeFailed = { code: 'REQUEST_FAILED', cause: { code: 'ENCODE_FAILED' } }
    await expect(socket.request('getUser', { id: '1' })).rejects.toMatchObject(encodeFailed)
    await expect(socket.request('fail', { message: '' })).rejects.toMatchObject(encodeFailed)
    expect(errors.map((error) => error.code)).toEqual(['ENCODE_FAILED', 'ENCODE_FAILED'])
  })
})

describe('adapter failures', () => {
  it('answers UNAVAILABLE, without running the handler, when the adapter cannot claim the id', async () => {
    const memory = memoryAdapter()
    const { hub, url } = await startChat({
      adapter: { ...memory, replies: { ...memory.replies, claim: () => Promise.reject(new Error('redis is down')) } },
    })
    const errors: LifelineServerError[] = []
    hub.on('error', (error) => errors.push(error))
    const calls = vi.fn(() => ({ name: 'x' }))
    hub.on('connection', (peer) => peer.handle('getUser', calls))
    const socket = openChat(url)
    await expect(socket.request('getUser', { id: '1' })).rejects.toMatchObject({ cause: { code: 'UNAVAILABLE' } })
    expect(calls).not.toHaveBeenCalled()
    expect(errors.map((error) => [error.code, (error.cause as Error).message])).toEqual([
      ['ADAPTER_FAILED', 'redis is down'],
    ])
  })

  it('rejects ready and reports ADAPTER_FAILED when the adapter cannot start', async () => {
    const { wss } = await startHub()
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const memory = memoryAdapter()
      const broker = { ...memory.broker, start: () => Promise.reject(new Error('no redis')) }
      const hub = attach(wss, { adapter: { ...memory, broker } })
      await expect(hub.ready).rejects.toThrow('no redis')
      expect(log).toHaveBeenCalledWith(expect.objectContaining({ code: 'ADAPTER_FAILED' }))
      await hub.close()
    } finally {
      log.mockRestore()
    }
  })
})

describe('requests to clients', () => {
  it("resolves peer.request with the client's socket.handle reply, or rejects REQUEST_FAILED with its error", async () => {
    const { hub, url } = await startChat()
    const socket = openChat(url)
    socket.handle('confirm', ({ text }) => {
      if (text === 'fail') throw new Error('the user closed the dialog')
      return text.length > 2
    })
    const peer = await nextPeer(hub)
    const answer = await peer.request('confirm', { text: 'ok?' })
    expectTypeOf(answer).toEqualTypeOf<boolean>()
    expect(answer).toBe(true)
    await expect(peer.request('confirm', { text: 'fail' })).rejects.toMatchObject({
      code: 'REQUEST_FAILED',
      message: 'the user closed the dialog',
      cause: { message: 'the user closed the dialog' },
    })
  })

  it('rejects REQUEST_TIMEOUT when the client does not answer, and REQUEST_ABORTED on abort, also before the call', async () => {
    const { hub, url } = await startChat({ requestTimeout: 30 })
    openChat(url)
    const peer = await nextPeer(hub)
    await expect(peer.request('unanswered')).rejects.toMatchObject({ code: 'REQUEST_TIMEOUT' })
    await expect(peer.request('unanswered', undefined, { timeout: 10 })).rejects.toMatchObject({
      code: 'REQUEST_TIMEOUT',
      message: 'no reply in 10 ms',
    })
    const controller = new AbortController()
    const aborted = peer.request('unanswered', undefined, { timeout: Infinity, signal: controller.signal })
    controller.abort(new Error('user left the page'))
    await expect(aborted).rejects.toMatchObject({ code: 'REQUEST_ABORTED', cause: new Error('user left the page') })
    await expect(peer.request('unanswered', undefined, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'REQUEST_ABORTED',
    })
    expect(() => peer.request('unanswered', undefined, { timeout: -1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    )
  })

  it('rejects REQUEST_LOST when the peer disconnects first, and after it did; send returns false then', async () => {
    const { hub, url } = await startChat()
    const connected = nextPeer(hub)
    const socket = openChat(url, { reconnect: false })
    await next(socket, 'open')
    const peer = await connected
    const pending = peer.request('unanswered', undefined, { timeout: Infinity })
    const closed = next<CloseInfo>(peer, 'close')
    socket.close(4000, 'bye')
    await expect(pending).rejects.toMatchObject({ code: 'REQUEST_LOST' })
    expect(await closed).toEqual({ code: 4000, reason: 'bye', wasClean: true })
    expect(peer.isOpen).toBe(false)
    expect(hub.peers.size).toBe(0)
    await expect(peer.request('unanswered')).rejects.toMatchObject({ code: 'REQUEST_LOST' })
    expect(peer.send('chat', { text: 'too late' })).toBe(false)
  })

  it('throws ENCODE_FAILED from send, request and broadcast for what JSON cannot carry', async () => {
    const { hub, url } = await startChat()
    openChat(url)
    const peer = await nextPeer(hub)
    const bad = { text: 1n } as never
    const encodeFailed = expect.objectContaining({ code: 'ENCODE_FAILED' })
    expect(() => peer.send('chat', bad)).toThrow(encodeFailed)
    expect(() => peer.request('confirm', bad)).toThrow(encodeFailed)
    expect(() => hub.broadcast('chat', bad)).toThrow(encodeFailed)
  })
})

describe('bad frames', () => {
  it('counts frames that are not JSON or not an envelope, and ignores them; the link stays up', async () => {
    const { hub, url } = await startChat({ maxMessageBytes: 64 })
    const heard = vi.fn()
    hub.on('connection', (peer) => peer.on('chat', heard))
    const ws = await rawClient(url)
    await sendAndSync(
      ws,
      'not json',
      '{"type":"chat"',
      '[1,2]',
      '{"data":"no type"}',
      '{"type":"chat","id":7}',
      Buffer.from([0xff, 0xfe]),
    )
    expect(heard).not.toHaveBeenCalled()
    expect(hub.stats()).toMatchObject({ invalidJson: 3, invalidEnvelope: 3, oversize: 0, badFrames: 6, messages: 0 })
    await sendAndSync(ws, '{"type":"chat","data":{"text":"fine"}}')
    expect(heard).toHaveBeenCalledWith({ text: 'fine' })
  })

  it('closes with 1009 at a frame over maxMessageBytes, refused by ws from its header', async () => {
    const { hub, url, wss } = await startChat({ maxMessageBytes: 64 })
    expect(wss.options.maxPayload).toBe(64)
    const ws = await rawClient(url)
    const closed = new Promise<number>((resolve) => ws.once('close', resolve))
    ws.send(`{"type":"chat","data":{"text":"${'x'.repeat(64)}"}}`)
    expect(await closed).toBe(1009)
    expect(hub.stats()).toMatchObject({ oversize: 1, badFrames: 1 })
  })

  it('ignores a reply that answers nothing it asked', async () => {
    const { hub, url } = await startChat()
    const ws = await rawClient(url)
    await sendAndSync(ws, '{"re":"unknown","data":1}')
    expect(hub.stats()).toMatchObject({ badFrames: 0, messages: 0, unknownReplies: 1 })
  })
})

describe('listeners', () => {
  it('reports a throwing listener as HANDLER_FAILED; the other listeners still run', async () => {
    const { hub, url } = await startChat()
    const errors: LifelineServerError[] = []
    hub.on('error', (error) => errors.push(error))
    const later = vi.fn()
    hub.on('connection', (peer) => {
      peer.on('chat', () => {
        throw new Error('boom')
      })
      peer.on('chat', later)
      throw new Error('connection listener failed')
    })
    const ws = await rawClient(url)
    await sendAndSync(ws, '{"type":"chat","data":{"text":"hi"}}')
    expect(later).toHaveBeenCalledTimes(1)
    expect(errors.map((error) => [error.code, (error.cause as Error).message])).toEqual([
      ['HANDLER_FAILED', 'connection listener failed'],
      ['HANDLER_FAILED', 'boom'],
    ])
  })

  it('logs to the console when no error listener is attached, and never re-reports a throwing error listener', async () => {
    const { hub, url } = await startChat()
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      hub.on('connection', (peer) =>
        peer.on('chat', () => {
          throw new Error('boom')
        }),
      )
      const ws = await rawClient(url)
      await sendAndSync(ws, '{"type":"chat","data":{"text":"hi"}}')
      expect(log).toHaveBeenCalledTimes(1)
      hub.on('error', () => {
        throw new Error('the error listener failed')
      })
      await sendAndSync(ws, '{"type":"chat","data":{"text":"hi"}}')
      expect(log).toHaveBeenCalledTimes(2)
      expect(log.mock.calls[1]?.[0]).toMatchObject({ code: 'HANDLER_FAILED', message: 'a "error" listener threw' })
    } finally {
      log.mockRestore()
    }
  })
})

describe('the ws heartbeat', () => {
  it('terminates a peer that answers no ws ping, and keeps one that does', async () => {
    const { hub, url } = await startChat({ heartbeat: { interval: 20 } })
    const dead = await rawClient(url, { autoPong: false })
    const alive = await rawClient(url)
    const pings = new Promise<void>((resolve) => {
      let count = 0
      alive.on('ping', () => ++count === 5 && resolve())
    })
    const code = await new Promise<number>((resolve) => dead.once('close', resolve))
    expect(code).toBe(1006)
    await pings
    expect(alive.readyState).toBe(alive.OPEN)
    expect(hub.peers.size).toBe(1)
  })
})

describe('lifecycle', () => {
  it('close() closes every peer with 1012, so Lifeline clients retry elsewhere; it is idempotent', async () => {
    const { hub, url } = await startChat()
    const socket = openChat(url)
    await next(socket, 'open')
    const closed = next(socket, 'close')
    await Promise.all([hub.close(), hub.close()])
    expect(await closed).toMatchObject({ code: 1012, reason: 'server restarting', willReconnect: true })
  })

  it('stops with the ws server: no heartbeat, the adapter closed', async () => {
    const { wss } = await startHub()
    const adapter = {
      broker: { start: vi.fn(), publish: vi.fn(), close: vi.fn() },
      replies: { start: vi.fn(), claim: vi.fn(), settle: vi.fn(), close: vi.fn() },
      history: { start: vi.fn(), append: vi.fn(), since: vi.fn(), top: vi.fn(), reset: vi.fn(), close: vi.fn() },
    }
    attach(wss, { adapter })
    await new Promise((resolve) => wss.close(resolve))
    for (const seam of Object.values(adapter)) {
      await vi.waitFor(() => expect(seam.close).toHaveBeenCalledTimes(1))
    }
  })

  it('throws INVALID_OPTIONS for bad options and a second handler for one type', async () => {
    const { wss, hub, url } = await startChat()
    const invalid = expect.objectContaining({ code: 'INVALID_OPTIONS' })
    expect(() => attach({} as never)).toThrow(invalid)
    for (const options of [
      { maxMessageBytes: -1 },
      { requestTimeout: Number.NaN },
      { dedupe: { ttl: 0 } },
      { dedupe: { max: 0 } },
      { heartbeat: { interval: 0 } },
      { formatError: 'no' as never },
      { dedupe: { key: 'id' as never } },
      { adapter: { publish() {} } as never },
    ]) {
      expect(() => attach(wss, options), JSON.stringify(options)).toThrow(invalid)
    }
    openChat(url)
    const peer = await nextPeer(hub)
    peer.handle('slow', () => 1)
    expect(() => peer.handle('slow', () => 2)).toThrow(invalid)
    expect(() => peer.close(1006)).toThrow(invalid)
    expect(peer.isOpen).toBe(true)
  })

  it('removes a handler with the function handle returned, and frees the type for another', async () => {
    const { hub, url } = await startChat()
    const socket = openChat(url)
    const peer = await nextPeer(hub)
    const off = peer.handle('slow', () => 1)
    expect(await socket.request('slow', { n: 0 })).toBe(1)
    off()
    await expect(socket.request('slow', { n: 0 })).rejects.toMatchObject({ cause: { code: 'NO_HANDLER' } })
    peer.handle('slow', () => 2)
    expect(await socket.request('slow', { n: 0 })).toBe(2)
  })
})
