// LifelineWebSocket against real `ws` servers, over the runtime's client WebSocket (`ws` on Node 20,
// the built-in one on Node 22/24, Bun and Deno). The cases follow the behaviours reconnecting-websocket's
// own test suite checks, where its API is the standard one (written anew, not ported).
import { createServer, type Server as NetServer } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { type WebSocket as ServerSide, WebSocketServer } from 'ws'
import type { LifelineWebSocketOptions } from '../src/LifelineWebSocket.js'
import { LifelineWebSocket } from '../src/LifelineWebSocket.js'
import { clientWebSocket } from './support/client.js'

const { WebSocket } = clientWebSocket
const FAST = { initialDelay: 20, maxDelay: 100, jitter: 'none' } as const

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A `ws` server on 127.0.0.1:0 that echoes every frame and records every connection. */
async function serve(options: { port?: number; refuse?: boolean } = {}) {
  const handshakes: string[] = []
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: options.port ?? 0,
    verifyClient: (info, accept) => {
      handshakes.push(info.req.url ?? '')
      accept(!options.refuse, 503)
    },
  })
  await new Promise((resolve) => wss.once('listening', resolve))
  const connections: ServerSide[] = []
  const received: string[] = []
  wss.on('connection', (ws) => {
    connections.push(ws)
    ws.on('message', (frame, isBinary) => {
      received.push(String(frame))
      ws.send(frame, { binary: isBinary })
    })
  })
  let stopped = false
  const stop = () => {
    if (stopped) return
    stopped = true
    for (const ws of wss.clients) ws.terminate()
    return new Promise((resolve) => wss.close(resolve))
  }
  cleanups.push(stop)
  const { port } = wss.address() as { port: number }
  return { wss, port, url: `ws://127.0.0.1:${port}/live`, handshakes, connections, received, stop }
}

/** A port where nothing listens: connections to it are refused at once. */
async function closedPort(): Promise<number> {
  const server = await serve()
  await server.stop()
  return server.port
}

function open(url: string, protocols?: string | string[], options: LifelineWebSocketOptions = {}) {
  const ws = new LifelineWebSocket(url, protocols, { WebSocket, reconnect: FAST, ...options })
  cleanups.push(() => ws.close())
  return ws
}

/** The next `type` event of `target`. */
function next<E extends Event = Event>(target: EventTarget, type: string): Promise<E> {
  return new Promise((resolve) => target.addEventListener(type, (event) => resolve(event as E), { once: true }))
}

/** Records the type of every event, in order. */
function record(ws: LifelineWebSocket): string[] {
  const log: string[] = []
  for (const type of ['open', 'message', 'error', 'close']) ws.addEventListener(type, () => log.push(type))
  return log
}

const until = async (condition: () => boolean, what: string) => {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10))
  if (!condition()) throw new Error(`timed out waiting for ${what}`)
}

describe('LifelineWebSocket, constructed', () => {
  it('throws for a WebSocket option that is not a constructor, and without any WebSocket', () => {
    expect(() => new LifelineWebSocket('ws://127.0.0.1:1/', [], { WebSocket: {} as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    )
    const global = globalThis.WebSocket
    // @ts-expect-error: a runtime without a WebSocket
    delete globalThis.WebSocket
    try {
      expect(() => new LifelineWebSocket('ws://127.0.0.1:1/')).toThrow(
        expect.objectContaining({ code: 'NO_WEBSOCKET' }),
      )
    } finally {
      if (global) globalThis.WebSocket = global
    }
  })

  it('cannot be called without new', () => {
    expect(() => (LifelineWebSocket as unknown as () => void)()).toThrow(TypeError)
  })

  it('has the four constants, on the class and on instances', async () => {
    const ws = open(`ws://127.0.0.1:${await closedPort()}/`)
    expect([
      LifelineWebSocket.CONNECTING,
      LifelineWebSocket.OPEN,
      LifelineWebSocket.CLOSING,
      LifelineWebSocket.CLOSED,
    ]).toEqual([0, 1, 2, 3])
    expect([ws.CONNECTING, ws.OPEN, ws.CLOSING, ws.CLOSED]).toEqual([0, 1, 2, 3])
  })

  it('reports the standard values before it is open', async () => {
    const ws = open(`http://127.0.0.1:${await closedPort()}/live#top`)
    expect(ws.readyState).toBe(ws.CONNECTING)
    expect(ws.bufferedAmount).toBe(0)
    expect(ws.protocol).toBe('')
    expect(ws.extensions).toBe('')
    expect(ws.binaryType).toBe('blob')
    expect(ws.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/live$/) // resolved as the standard does
  })

  it('uses the global WebSocket, looked up at each attempt, when none is passed', async () => {
    const server = await serve()
    const global = globalThis.WebSocket
    let constructed = 0
    globalThis.WebSocket = class extends (WebSocket as unknown as typeof globalThis.WebSocket) {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols)
        constructed++
      }
    }
    try {
      const ws = new LifelineWebSocket(server.url, [], { reconnect: FAST })
      cleanups.push(() => ws.close())
      await next(ws, 'open')
      expect(constructed).toBe(1)
    } finally {
      globalThis.WebSocket = global
    }
  })
})

describe('LifelineWebSocket, connected', () => {
  it('connects, sends, receives and closes with the standard ready states', async () => {
    const server = await serve()
    const ws = open(server.url, 'chat')
    expect(ws.readyState).toBe(ws.CONNECTING)
    await next(ws, 'open')
    expect(ws.readyState).toBe(ws.OPEN)
    expect(ws.protocol).toBe('chat')
    expect(ws.extensions).toBe('')
    expect(ws.bufferedAmount).toBe(0)

    ws.send('hello')
    const message = await next<MessageEvent>(ws, 'message')
    expect(message.data).toBe('hello')
    expect(message).toBeInstanceOf(MessageEvent)

    const closed = next<CloseEvent>(ws, 'close')
    ws.close(1000, 'done')
    expect(ws.readyState).toBe(ws.CLOSING)
    const close = await closed
    expect(ws.readyState).toBe(ws.CLOSED)
    expect({ code: close.code, reason: close.reason, wasClean: close.wasClean }).toEqual({
      code: 1000,
      reason: 'done',
      wasClean: true,
    })
    expect(ws.url).toBe(server.url)
  })

  it('offers no subprotocol when protocols is undefined', async () => {
    const server = await serve()
    const ws = open(server.url, undefined)
    await next(ws, 'open')
    expect(ws.protocol).toBe('')
  })

  it('delivers binary messages as Blob by default and as ArrayBuffer when asked', async () => {
    const server = await serve()
    const ws = open(server.url)
    await next(ws, 'open')
    ws.send(new Uint8Array([1, 2, 3]))
    const blob = (await next<MessageEvent>(ws, 'message')).data
    expect(blob).toBeInstanceOf(Blob)
    expect([...new Uint8Array(await (blob as Blob).arrayBuffer())]).toEqual([1, 2, 3])

    ws.binaryType = 'arraybuffer'
    ws.send(new Uint8Array([4, 5]).buffer)
    const buffer = (await next<MessageEvent>(ws, 'message')).data
    expect(buffer).toBeInstanceOf(ArrayBuffer)
    expect([...new Uint8Array(buffer as ArrayBuffer)]).toEqual([4, 5])
  })

  it('keeps the binaryType set before open', async () => {
    const server = await serve()
    const ws = open(server.url)
    ws.binaryType = 'arraybuffer'
    await next(ws, 'open')
    expect(ws.binaryType).toBe('arraybuffer')
  })

  it('calls on* handlers and listeners (functions and handleEvent objects), once per listener', async () => {
    const server = await serve()
    const ws = open(server.url, 'chat')
    const calls: string[] = []
    const fail = () => calls.push('removed listener called')
    ws.addEventListener('open', fail)
    ws.addEventListener('open', fail) // a duplicate is ignored
    ws.removeEventListener('open', fail)
    ws.addEventListener('unknown', fail)
    ws.removeEventListener('unknown-too', fail)
    ws.onopen = () => calls.push('onopen')
    ws.addEventListener('open', { handleEvent: () => calls.push('handleEvent') })
    ws.addEventListener('open', (event) => {
      calls.push('listener')
      expect(event.target).toBe(ws)
    })
    await next(ws, 'open')
    expect(calls).toEqual(['onopen', 'handleEvent', 'listener'])
    expect(ws.onopen).toBeTypeOf('function')
    ws.onopen = null
    expect(ws.onopen).toBeNull()
  })

  it('fires one close event when close() is called several times', async () => {
    const server = await serve()
    const ws = open(server.url)
    const log = record(ws)
    await next(ws, 'open')
    const closed = next(ws, 'close')
    ws.close()
    ws.close()
    ws.close()
    await closed
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(log).toEqual(['open', 'close'])
  })

  it('closed while connecting: no open, one error and one close with 1006', async () => {
    const server = await serve()
    const ws = open(server.url)
    const log = record(ws)
    const closed = next<CloseEvent>(ws, 'close')
    ws.close()
    expect(ws.readyState).toBe(ws.CLOSING)
    expect((await closed).code).toBe(1006)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(log).toEqual(['error', 'close'])
    expect(ws.readyState).toBe(ws.CLOSED)
  })

  it('queues sends made before open and delivers them in order, counting them in bufferedAmount', async () => {
    const server = await serve()
    const ws = open(server.url)
    for (const text of ['message1', 'message2', 'message3']) ws.send(text)
    expect(ws.bufferedAmount).toBe(24)
    await next(ws, 'open')
    await until(() => server.received.length === 3, 'three messages')
    expect(server.received).toEqual(['message1', 'message2', 'message3'])
    expect(ws.bufferedAmount).toBe(0)
  })
})

describe('LifelineWebSocket, reconnecting (the default)', () => {
  it('keeps its on* handlers across reconnects and fires one close per drop', async () => {
    const server = await serve()
    const ws = open(server.url)
    const log = record(ws)
    const handlers = { onopen: () => {}, onclose: () => {}, onmessage: () => {}, onerror: () => {} }
    Object.assign(ws, handlers)
    await next(ws, 'open')
    for (let round = 0; round < 3; round++) {
      const closed = next<CloseEvent>(ws, 'close')
      server.connections.at(-1)?.close(4000, 'again')
      const close = await closed
      expect({ code: close.code, reason: close.reason }).toEqual({ code: 4000, reason: 'again' })
      expect(ws.readyState).toBe(ws.CONNECTING)
      await next(ws, 'open')
      expect(ws.readyState).toBe(ws.OPEN)
    }
    expect(log).toEqual(['open', 'close', 'open', 'close', 'open', 'close', 'open'])
    expect({ onopen: ws.onopen, onclose: ws.onclose, onmessage: ws.onmessage, onerror: ws.onerror }).toEqual(handlers)
  })

  it('reports a crash as error + close 1006, then opens again and delivers what was sent meanwhile', async () => {
    const server = await serve()
    const ws = open(server.url)
    await next(ws, 'open')
    const log = record(ws)
    const closed = next<CloseEvent>(ws, 'close')
    server.connections[0]?.terminate()
    expect((await closed).code).toBe(1006)
    ws.send('while down')
    expect(ws.bufferedAmount).toBe(10)
    await next(ws, 'open')
    await until(() => server.received.includes('while down'), 'the queued message')
    expect(log.slice(0, 3)).toEqual(['error', 'close', 'open'])
  })

  it('stays closed when close() is called from a close handler', async () => {
    const server = await serve()
    const ws = open(server.url)
    await next(ws, 'open')
    const codes: number[] = []
    ws.onclose = (event) => {
      codes.push(event.code)
      if (event.code === 4001) ws.close()
    }
    server.connections[0]?.close(4000, '4000')
    await next(ws, 'open')
    server.connections[1]?.close(4001, '4001')
    await until(() => ws.readyState === ws.CLOSED, 'CLOSED')
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(server.connections).toHaveLength(2)
    expect(codes).toEqual([4000, 4001]) // the drop was reported; close() adds no second event
  })

  it('reconnects after the server closes without a code', async () => {
    const server = await serve()
    const ws = open(server.url)
    await next(ws, 'open')
    server.connections[0]?.close()
    const close = await next<CloseEvent>(ws, 'close')
    expect(close.code).toBe(1005)
    await next(ws, 'open')
    expect(server.connections).toHaveLength(2)
  })

  it('fires nothing for failed retries and connects once the server is back', async () => {
    const port = await closedPort()
    const ws = open(`ws://127.0.0.1:${port}/live`)
    const log = record(ws)
    const delays: number[] = []
    ws.socket.on('reconnecting', ({ delay }) => delays.push(delay))
    await until(() => delays.length >= 3, 'three retries')
    expect(delays.slice(0, 3)).toEqual([20, 40, 80]) // the backoff grows by `factor`
    expect(log).toEqual([])
    expect(ws.readyState).toBe(ws.CONNECTING)
    await serve({ port })
    await next(ws, 'open')
    expect(log).toEqual(['open'])
  })

  it.each([0, 1, 3])('gives up after maxAttempts = %i retries: one error and one close', async (maxAttempts) => {
    const server = await serve({ refuse: true })
    const ws = open(server.url, [], { reconnect: { ...FAST, maxAttempts } })
    const log = record(ws)
    await next(ws, 'close')
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(server.handshakes).toHaveLength(maxAttempts + 1)
    expect(log).toEqual(['error', 'close'])
    expect(ws.readyState).toBe(ws.CLOSED)
  })

  it('fails a refused connection at once, not by the connect timeout', async () => {
    const port = await closedPort()
    const ws = open(`ws://127.0.0.1:${port}/`, [], { connectTimeout: 5000, reconnect: { ...FAST, maxAttempts: 0 } })
    const errors: string[] = []
    ws.socket.on('error', (error) => errors.push(error.code))
    const started = Date.now()
    await next(ws, 'close')
    expect(Date.now() - started).toBeLessThan(2000)
    expect(errors).toEqual(['CONNECT_FAILED'])
  })

  it('abandons a handshake that never completes after connectTimeout', async () => {
    const sockets = new Set<import('node:net').Socket>()
    const silent: NetServer = createServer((socket) => sockets.add(socket)) // accepts TCP, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    cleanups.push(() => {
      for (const socket of sockets) socket.destroy()
      return new Promise((resolve) => silent.close(resolve))
    })
    const { port } = silent.address() as { port: number }
    const ws = open(`ws://127.0.0.1:${port}/`, [], { connectTimeout: 200, reconnect: { ...FAST, maxAttempts: 1 } })
    const errors: string[] = []
    ws.socket.on('error', (error) => errors.push(error.code))
    await next(ws, 'close')
    expect(errors).toEqual(['CONNECT_TIMEOUT', 'CONNECT_TIMEOUT'])
  })

  it('keeps the newest maxMessages in the queue and counts their bytes', async () => {
    const port = await closedPort()
    const ws = open(`ws://127.0.0.1:${port}/`, [], { queue: { maxMessages: 2 } })
    for (let i = 0; i < 10; i++) ws.send('message')
    expect(ws.bufferedAmount).toBe(14)
  })

  it('joins one attempt when the socket is told to reconnect twice before open', async () => {
    const server = await serve()
    const ws = open(server.url)
    ws.socket.reconnect()
    ws.socket.reconnect()
    await next(ws, 'open')
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(server.connections).toHaveLength(1)
  })

  it('reports socket.reconnect() as a close with its reason, then opens again', async () => {
    const server = await serve()
    const ws = open(server.url)
    await next(ws, 'open')
    const closed = next<CloseEvent>(ws, 'close')
    ws.socket.reconnect()
    expect((await closed).reason).toBe('reconnect')
    expect(ws.readyState).toBe(ws.CONNECTING)
    await next(ws, 'open')
  })
})

describe('LifelineWebSocket with { reconnect: false }', () => {
  it('throws InvalidStateError for a send before open, as a plain WebSocket does', async () => {
    const server = await serve()
    const ws = open(server.url, [], { reconnect: false })
    expect(() => ws.send('early')).toThrow(expect.objectContaining({ name: 'InvalidStateError' }))
    await next(ws, 'open')
  })

  it('ends once, with error + close, when the server goes away, and stays closed', async () => {
    const server = await serve()
    const ws = open(server.url, [], { reconnect: false })
    const log = record(ws)
    await next(ws, 'open')
    const closed = next<CloseEvent>(ws, 'close')
    await server.stop()
    expect((await closed).code).toBe(1006)
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(log).toEqual(['open', 'error', 'close'])
    expect(ws.readyState).toBe(ws.CLOSED)
    ws.send('after the end') // discarded, and counted, as the standard says
    expect(ws.bufferedAmount).toBe(13)
  })

  it('fires close without error for a clean close from the server', async () => {
    const server = await serve()
    const ws = open(server.url, [], { reconnect: false })
    const log = record(ws)
    await next(ws, 'open')
    server.connections[0]?.close(4000, 'bye')
    const close = await next<CloseEvent>(ws, 'close')
    expect([close.code, close.reason, close.wasClean]).toEqual([4000, 'bye', true])
    expect(log).toEqual(['open', 'close'])
  })

  it('fails a refused connection with error + close 1006', async () => {
    const ws = open(`ws://127.0.0.1:${await closedPort()}/`, [], { reconnect: false })
    const log = record(ws)
    expect((await next<CloseEvent>(ws, 'close')).code).toBe(1006)
    expect(log).toEqual(['error', 'close'])
  })

  it('notices a dead link with the heartbeat and ends it at once', async () => {
    const server = await serve()
    server.wss.removeAllListeners('connection') // accepts, then never answers anything
    server.wss.on('connection', (client) => server.connections.push(client))
    const ws = open(server.url, [], { reconnect: false, heartbeat: { interval: 100, timeout: 100 } })
    await next(ws, 'open')
    const started = Date.now()
    const close = await next<CloseEvent>(ws, 'close')
    expect(close.code).toBe(1006)
    expect(Date.now() - started).toBeLessThan(1500)
  })
})
