// The HTTP fallback end to end on a real `ws` server's HTTP server: Lifeline clients whose
// `FallbackWebSocket` talks HTTP (Node's fetch, its downlink streamed), and raw HTTP requests for
// what a client would never send.
import { randomUUID } from 'node:crypto'
import { createServer, get } from 'node:http'
import type { AddressInfo } from 'node:net'
import { connect, type Socket, type WebSocketConstructor } from '@lifeline/core'
import { channel } from '@lifeline/core/channels'
import { type FallbackOptions, FallbackWebSocket } from '@lifeline/core/fallback'
import { attach, memoryAdapter } from '@lifeline/server'
import { redisAdapter } from '@lifeline/server/redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket, { WebSocketServer } from 'ws'
import { FAST_RECONNECT, gate, next, nextPeer, onCleanup, startHub, until } from './support/hub.js'
import { type RedisServer, requireRedisServer, startRedis } from './support/redis.js'

/** A remembered-choice store of the test's own. */
const store = () => {
  const items = new Map<string, string>()
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  }
}

/** A Lifeline client over the fallback; disposed after the test. */
function openFallback(url: string, fallback: FallbackOptions = {}, options: Parameters<typeof connect>[1] = {}) {
  const socket: Socket = connect(url, {
    WebSocket: FallbackWebSocket.with({
      WebSocket: WebSocket as never,
      transport: 'http',
      storage: store(),
      ...fallback,
    }),
    reconnect: FAST_RECONNECT,
    ...options,
  })
  onCleanup(() => socket.dispose())
  return socket
}

/** A WebSocket that never opens, as behind a proxy that drops the upgrade; counts its instances. */
function blackHoled() {
  const made: string[] = []
  class Never {
    readyState = 0
    binaryType = 'blob'
    onopen = null
    onclose = null
    onerror = null
    onmessage = null
    constructor(url: string) {
      made.push(url)
    }
    send() {}
    close() {
      this.readyState = 3
    }
  }
  return { made, WebSocket: Never as unknown as WebSocketConstructor }
}

/** A raw session: the open stream's events as they come, its id and key. */
async function rawSession(url: string) {
  const base = url.replace(/^ws/, 'http')
  const controller = new AbortController()
  onCleanup(() => controller.abort())
  const res = await fetch(`${base}?lifeline=stream`, { signal: controller.signal })
  const events: Array<{ event: string; data: string }> = []
  const reader = (res.body as ReadableStream<Uint8Array>).getReader()
  const decoder = new TextDecoder()
  let text = ''
  ;(async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }))
      if (done) return events.push({ event: 'end', data: '' })
      text += decoder.decode(value, { stream: true })
      for (let cut = text.indexOf('\n\n'); cut >= 0; cut = text.indexOf('\n\n')) {
        const block = text.slice(0, cut).split('\n')
        text = text.slice(cut + 2)
        const event = block.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message'
        const data = block.filter((l) => l.startsWith('data:')).map((l) => l.replace(/^data: ?/, ''))
        events.push({ event, data: data.join('\n') })
      }
    }
  })()
  await until(() => events.length > 0, 'the open event')
  const { sid, key } = JSON.parse((events[0] as { data: string }).data)
  const post = (seq: number, frames: string[], options: { key?: string; sid?: string; op?: string } = {}) =>
    fetch(`${base}?lifeline=${options.op ?? 'send'}&sid=${options.sid ?? sid}&seq=${seq}`, {
      method: 'POST',
      body: `${options.key ?? key}\n${frames.map((f) => `${f.length}:${f}`).join('')}`,
    })
  return { res, events, sid: sid as string, key: key as string, post, abort: () => controller.abort(), base }
}

const frames = (events: Array<{ event: string; data: string }>) =>
  events.filter((e) => e.event === 'message').map((e) => JSON.parse(e.data))

describe('the HTTP fallback', () => {
  it('carries messages, requests both ways and channels with the same Socket API; stats count it as http', async () => {
    const { hub, url } = await startHub()
    const seen: unknown[] = []
    hub.on('connection', (peer) => {
      peer.on('chat', (data) => seen.push(data))
      peer.handle('add', (data) => {
        const { a, b } = data as { a: number; b: number }
        return a + b
      })
      peer.send('hello', { to: peer.id })
    })
    const socket = openFallback(url)
    socket.handle('whoAreYou', () => 'the client')
    const hello = next(socket, 'hello')
    const peer = await nextPeer(hub)
    expect(await hello).toEqual({ to: peer.id })
    socket.send('chat', 'one')
    socket.send('chat', 'two\nlines')
    expect(await socket.request('add', { a: 2, b: 3 })).toBe(5)
    expect(seen).toEqual(['one', 'two\nlines'])
    expect(await peer.request('whoAreYou' as never)).toBe('the client')
    expect(hub.stats()).toMatchObject({ peers: 1, transports: { websocket: 0, http: 1 } })

    const room = channel<{ text: string }>(socket, 'room:1')
    const lines: string[] = []
    room.on('message', (line) => lines.push(line.text))
    await until(() => room.getSnapshot().status === 'joined', 'the join')
    await room.publish({ text: 'mine' })
    await hub.publish('room:1', { text: 'theirs' })
    await until(() => lines.length === 2, 'both publications')
    expect(lines).toEqual(['mine', 'theirs'])
  })

  it('falls back when the WebSocket does not open in time, remembers it, and the next link goes straight to HTTP', async () => {
    const { hub, url } = await startHub()
    const blocked = blackHoled()
    const remembered = store()
    const socket = openFallback(url, {
      transport: 'auto',
      WebSocket: blocked.WebSocket,
      openTimeout: 50,
      probeInterval: 60_000,
      storage: remembered,
    })
    await next(socket, 'open')
    expect(blocked.made).toHaveLength(1)
    expect([...remembered.items.values()]).toEqual(['http'])
    expect(hub.stats().transports.http).toBe(1)
    const [peer] = hub.peers
    peer?.close(1012)
    await next(socket, 'open')
    // The second link did not wait for a WebSocket.
    expect(blocked.made).toHaveLength(1)
  })

  it('falls back when a proxy lets the WebSocket open and cuts it before anything arrives (SignalR#4686)', async () => {
    const { hub, url } = await startHub()
    const made: string[] = []
    // A proxy that answers the upgrade itself and hangs up: open, then 1006, nothing received.
    class CutByProxy {
      readyState = 0
      binaryType = 'blob'
      onopen: ((event: unknown) => void) | null = null
      onclose: ((event: unknown) => void) | null = null
      onerror: ((event: unknown) => void) | null = null
      onmessage: ((event: unknown) => void) | null = null
      constructor(target: string) {
        made.push(target)
        setTimeout(() => {
          this.readyState = 1
          this.onopen?.({})
          setTimeout(() => {
            this.readyState = 3
            this.onclose?.({ code: 1006, reason: '', wasClean: false })
          })
        })
      }
      send() {}
      close() {}
    }
    const remembered = store()
    const socket = openFallback(url, {
      transport: 'auto',
      WebSocket: CutByProxy as unknown as WebSocketConstructor,
      probeInterval: 60_000,
      storage: remembered,
    })
    hub.on('connection', (peer) => peer.handle('echo', (data) => data))
    // Written to the doomed WebSocket first, then resent over HTTP: a request outlives the drop.
    expect(await socket.request('echo', 'queued')).toBe('queued')
    expect(made).toHaveLength(1)
    expect([...remembered.items.values()]).toEqual(['http'])
    expect(hub.stats().transports).toEqual({ websocket: 0, http: 1 })
  })

  it('refuses an adapter whose relay lacks a method or a usable instance id', async () => {
    const { wss } = await startHub()
    const relay = { instance: 'a1', start() {}, forward() {}, close() {} }
    for (const bad of [
      { ...relay, forward: undefined },
      { ...relay, instance: 'a.b' },
      { ...relay, instance: '' },
    ]) {
      expect(() => attach(wss, { adapter: { ...memoryAdapter(), relay: bad as never } })).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTIONS' }),
      )
    }
  })

  it('refuses bad options and binary frames over HTTP with a LifelineError', async () => {
    expect(() => FallbackWebSocket.with({ openTimeout: -1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    )
    expect(() => FallbackWebSocket.with({ transport: 'smoke' as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    )
    expect(() => FallbackWebSocket.with({ fetch: 'no' as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    )
    const { url } = await startHub()
    const Http = FallbackWebSocket.with({ transport: 'http', storage: null })
    const ws = new Http(url)
    onCleanup(() => ws.close())
    await new Promise((resolve) => {
      ws.onopen = resolve
    })
    expect(ws.transport).toBe('http')
    expect(() => ws.send(new Uint8Array([1, 2]))).toThrow(expect.objectContaining({ code: 'ENCODE_FAILED' }))
  })

  it('probes WebSocket in the background and moves back to it without losing a message or a request', async () => {
    const { hub, url } = await startHub()
    const received: number[] = []
    const slow = gate<number>()
    hub.on('connection', (peer) => {
      peer.on('n', (n) => received.push(n as number))
      peer.handle('slow', () => slow.promise)
    })
    let allow = false
    // WebSocket "blocked" until `allow`: the constructor of a socket that never opens, then ws itself.
    const blocked = blackHoled()
    const Switching = function (this: unknown, target: string, protocols?: string | string[]) {
      return allow ? new WebSocket(target, protocols) : new blocked.WebSocket(target)
    } as unknown as WebSocketConstructor
    const remembered = store()
    const socket = openFallback(url, {
      transport: 'auto',
      WebSocket: Switching,
      openTimeout: 50,
      probeInterval: 100,
      storage: remembered,
    })
    await next(socket, 'open')
    expect(hub.stats().transports).toEqual({ websocket: 0, http: 1 })
    const room = channel<number>(socket, 'room:1')
    const publications: number[] = []
    room.on('message', (n) => publications.push(n))
    await until(() => room.getSnapshot().status === 'joined', 'the join')
    // Publications go on all through the move: before, while no link is up, and after.
    let published = 0
    const publishing = setInterval(() => void hub.publish('room:1', published++), 2)
    onCleanup(() => clearInterval(publishing))
    const answer = socket.request('slow')
    for (let n = 0; n < 50; n++) socket.send('n', n)
    allow = true
    const closed = await next<{ code: number; willReconnect: boolean }>(socket, 'close')
    expect(closed).toMatchObject({ code: 1001, willReconnect: true })
    for (let n = 50; n < 100; n++) socket.send('n', n)
    await next(socket, 'open')
    await until(() => hub.stats().transports.websocket === 1, 'the WebSocket peer')
    slow.open(42)
    expect(await answer).toBe(42)
    await until(() => received.length >= 100, 'every message')
    expect(received).toEqual(Array.from({ length: 100 }, (_, n) => n))
    clearInterval(publishing)
    await until(() => publications.length === published, 'every publication')
    expect(publications).toEqual(Array.from({ length: published }, (_, n) => n))
    expect(room.getSnapshot().recovered).toBe(true)
    expect(remembered.items.size).toBe(0)
    expect(hub.stats()).toMatchObject({ peers: 1, transports: { websocket: 1, http: 0 } })
  })

  it('authenticates in-band: the token in the first uplink, a refused one closes with 4401 and stops the client', async () => {
    const { hub, url } = await startHub({
      authenticate: ({ token }) => {
        if (token !== 'good') throw new Error('bad token')
        return { user: 'ada' }
      },
    })
    const users: unknown[] = []
    hub.on('connection', (peer) => {
      users.push(peer.data)
      peer.handle('me', () => peer.data)
    })
    const good = openFallback(url, {}, { auth: () => 'good' })
    expect(await good.request('me')).toEqual({ user: 'ada' })
    expect(url).not.toContain('good')

    const bad = openFallback(url, {}, { auth: () => 'bad' })
    const closed = await next<{ code: number; willReconnect: boolean }>(bad, 'close')
    expect(closed).toMatchObject({ code: 4401, willReconnect: false })
    expect(users).toEqual([{ user: 'ada' }])
    await until(() => hub.peers.size === 1, 'the refused session to end')
  })

  it('frees a session whose client went away: the peer closes, its stream is gone', async () => {
    const { hub, url } = await startHub()
    const session = await rawSession(url)
    const peer = [...hub.peers][0]
    expect(peer).toBeDefined()
    const closed = next<{ code: number }>(peer as never, 'close')
    session.abort()
    expect(await closed).toMatchObject({ code: 1006 })
    expect(hub.peers.size).toBe(0)
    expect((await session.post(0, ['{"type":"x"}'])).status).toBe(404)
  })

  it('ends a session whose client stopped answering: the hub’s ping goes unanswered, the peer is cut', async () => {
    const { hub, url } = await startHub({ heartbeat: { interval: 50 } })
    const session = await rawSession(url)
    const peer = [...hub.peers][0] as typeof hub.peers extends ReadonlySet<infer P> ? P : never
    const closed = next<{ code: number }>(peer, 'close')
    await until(() => session.events.some((e) => e.event === 'ping'), 'a ping on the stream')
    expect(await closed).toMatchObject({ code: 1006 })
    expect(hub.stats()).toMatchObject({ deadPeers: 1, peers: 0 })
    expect((await session.post(0, [])).status).toBe(404)
  })

  it('reads numbered POSTs in order whatever order they come in, each once', async () => {
    const { hub, url } = await startHub()
    const seen: unknown[] = []
    hub.on('connection', (peer) => peer.on('n', (n) => seen.push(n)))
    const session = await rawSession(url)
    await until(() => frames(session.events).length > 0, 'the accept')
    expect(frames(session.events)[0]).toMatchObject({ type: '$accept' })
    const n = (i: number) => JSON.stringify({ type: 'n', data: i })
    const third = session.post(2, [n(4), n(5)])
    const second = session.post(1, [n(2), n(3)])
    expect((await session.post(0, [n(0), n(1)])).status).toBe(204)
    expect([(await second).status, (await third).status]).toEqual([204, 204])
    expect((await session.post(1, [n(2), n(3)])).status).toBe(204) // a repeat: ignored
    expect((await session.post(3, [])).status).toBe(204)
    expect(seen).toEqual([0, 1, 2, 3, 4, 5])
    // Too far ahead of the next expected POST (some were lost on the way): refused, nothing read, and
    // the link ends rather than go on with a hole in it.
    const peer = [...hub.peers][0] as typeof hub.peers extends ReadonlySet<infer P> ? P : never
    const closed = next<{ code: number }>(peer, 'close')
    expect((await session.post(20, [n(20)])).status).toBe(409)
    expect(await closed).toMatchObject({ code: 1011 })
    expect(seen).toHaveLength(6)
  })

  it('answers bad requests with a clear status and never throws: unknown session, wrong key, wrong method, bad body, too big', async () => {
    const { hub, url } = await startHub({ maxMessageBytes: 1000 })
    const errors: unknown[] = []
    hub.on('error', (error) => errors.push(error))
    const seen: unknown[] = []
    hub.on('connection', (peer) => peer.on('x', (data) => seen.push(data)))
    const session = await rawSession(url)
    const x = JSON.stringify({ type: 'x', data: 1 })
    expect((await session.post(0, [x], { sid: `${session.sid.split('.')[0]}.guessed` })).status).toBe(404)
    expect((await session.post(0, [x], { sid: 'nonsense' })).status).toBe(404)
    // Another user's session: its id known (URLs get logged), its key not.
    expect((await session.post(0, [x], { key: 'k'.repeat(session.key.length) })).status).toBe(403)
    // As many characters as the key, more bytes.
    expect((await session.post(0, [x], { key: 'é'.repeat(session.key.length) })).status).toBe(403)
    expect((await fetch(`${session.base}?lifeline=send&sid=${session.sid}&seq=0`)).status).toBe(405)
    expect((await fetch(`${session.base}?lifeline=stream`, { method: 'PUT' })).status).toBe(405)
    expect((await fetch(`${session.base}?lifeline=what`)).status).toBe(400)
    expect((await fetch(`${session.base}?lifeline=send&sid=${session.sid}&seq=-1`, { method: 'POST' })).status).toBe(
      400,
    )
    const garbled = await fetch(`${session.base}?lifeline=send&sid=${session.sid}&seq=0`, {
      method: 'POST',
      body: `${session.key}\n99:{}`,
    })
    expect(garbled.status).toBe(400)
    const huge = await fetch(`${session.base}?lifeline=send&sid=${session.sid}&seq=0`, {
      method: 'POST',
      body: `${session.key}\n${'y'.repeat(200_000)}`,
    })
    expect(huge.status).toBe(413)
    expect(hub.stats().oversize).toBe(1)
    // The session is unharmed by all of it.
    expect((await session.post(0, [x])).status).toBe(204)
    expect(seen).toEqual([1])
    expect(errors).toEqual([])
    expect(hub.peers.size).toBe(1)
  })

  it('opens a session only past the same checks as an upgrade: origins, then the ws server’s own verifyClient', async () => {
    const verifyClient = (info: { req: { headers: Record<string, unknown> } }) => info.req.headers['x-pass'] === 'yes'
    const { hub, url } = await startHub({}, { verifyClient } as never)
    const stream = `${url.replace(/^ws/, 'http')}?lifeline=stream`
    expect((await fetch(stream)).status).toBe(401)
    expect((await fetch(stream, { headers: { origin: 'https://elsewhere.example' } })).status).toBe(403)
    expect(hub.stats()).toMatchObject({ peers: 0, connections: 0, originRefused: 1 })
    const controller = new AbortController()
    onCleanup(() => controller.abort())
    const passed = await fetch(stream, { headers: { 'x-pass': 'yes' }, signal: controller.signal })
    expect(passed.status).toBe(200)
    expect(passed.headers.get('content-type')).toBe('text/event-stream')
    await until(() => hub.peers.size === 1, 'the peer')
  })

  it('closes a session whose client does not read its stream as a slow consumer (4008)', async () => {
    const { hub, url } = await startHub({ highWaterMark: 64 * 1024 })
    const connected = nextPeer(hub)
    const request = get(`${url.replace(/^ws/, 'http')}?lifeline=stream`, (res) => res.pause())
    onCleanup(() => request.destroy())
    const peer = await connected
    const closed = next<{ code: number }>(peer, 'close')
    const big = 'z'.repeat(16 * 1024)
    const timer = setInterval(() => peer.send('big', big), 1)
    onCleanup(() => clearInterval(timer))
    expect(await closed).toMatchObject({ code: 4008 })
    expect(hub.stats()).toMatchObject({ slowConsumers: 1, peers: 0 })
  })

  it('serves on an http.Server with its own request handler: the app keeps its requests, the fallback takes its own', async () => {
    const server = createServer((req, res) => res.end(`app:${req.url}`))
    const wss = new WebSocketServer({ server, path: '/live' })
    const hub = attach(wss)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    onCleanup(async () => {
      await hub.close()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    })
    const { port } = server.address() as AddressInfo
    const base = `http://127.0.0.1:${port}`
    expect(await (await fetch(`${base}/index.html`)).text()).toBe('app:/index.html')
    // Another path with the marker is the app's too.
    expect(await (await fetch(`${base}/other?lifeline=stream`)).text()).toBe('app:/other?lifeline=stream')
    hub.on('connection', (peer) => peer.handle('ping?', () => 'pong!'))
    const socket = openFallback(`ws://127.0.0.1:${port}/live`)
    expect(await socket.request('ping?')).toBe('pong!')
    await hub.close()
    // Once the hub is closed, the server's requests are all the app's again.
    expect(await (await fetch(`${base}/live?lifeline=stream`)).text()).toBe('app:/live?lifeline=stream')
  })
})

const redisServer = requireRedisServer()

describe.skipIf(!redisServer)('the HTTP fallback behind a round-robin balancer, with Redis', () => {
  let redis: RedisServer
  beforeAll(async () => {
    redis = await startRedis(redisServer as string)
  })
  afterAll(async () => {
    await redis?.stop()
  })

  it('needs no sticky sessions: POSTs that land on the other instance are forwarded, read once and in order', async () => {
    const prefix = `test:${randomUUID()}:`
    const one = await startHub({ adapter: redisAdapter({ url: redis.url, prefix }) })
    const two = await startHub({ adapter: redisAdapter({ url: redis.url, prefix }) })
    await Promise.all([one.hub.ready, two.hub.ready])
    const received: number[] = []
    one.hub.on('connection', (peer) => {
      peer.on('n', (n) => received.push(n as number))
      peer.handle('sum', (data) => (data as number[]).reduce((a, b) => a + b, 0))
    })
    // The balancer: the stream to instance one, the POSTs to each instance in turn.
    const hosts = [one.url, two.url].map((url) => new URL(url.replace(/^ws/, 'http')).host)
    const landed = [0, 0]
    let turn = 0
    const balanced: typeof fetch = (input, init) => {
      const url = new URL(String(input))
      if (init?.method === 'POST') {
        const to = turn++ % 2
        landed[to] = (landed[to] ?? 0) + 1
        url.host = hosts[to] as string
      }
      return fetch(url, init)
    }
    const socket = openFallback(one.url, { fetch: balanced })
    await next(socket, 'open')
    for (let n = 0; n < 40; n++) {
      socket.send('n', n)
      if (n % 3 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
    expect(await socket.request('sum', [1, 2, 3])).toBe(6)
    await until(() => received.length === 40, 'every message')
    expect(received).toEqual(Array.from({ length: 40 }, (_, n) => n))
    expect(landed[1]).toBeGreaterThan(2)
    expect(one.hub.stats().transports.http).toBe(1)
    expect(two.hub.stats().peers).toBe(0)
  })
})
