import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type FallbackOptions, FallbackWebSocket } from '../FallbackWebSocket.js'

const URL = 'ws://example.test/live?room=1'

interface Post {
  url: string
  body: string
  answer(status: number): void
  fail(): void
}

/** A fetch driven by the test: the stream's GET gets a body the test writes to; each POST waits for `answer`. */
function fakeFetch() {
  const posts: Post[] = []
  let stream: ReadableStreamDefaultController<Uint8Array> | null = null
  const gets: string[] = []
  const encoder = new TextEncoder()
  const fetch = vi.fn((input: string, init?: RequestInit) => {
    if (init?.method === 'POST') {
      return new Promise((resolve, reject) => {
        posts.push({
          url: input,
          body: String(init.body),
          answer: (status) => resolve({ ok: status < 300, status }),
          fail: () => reject(new TypeError('network')),
        })
      })
    }
    gets.push(input)
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        stream = controller
      },
    })
    init?.signal?.addEventListener('abort', () => stream?.error(new Error('aborted')))
    return Promise.resolve({ ok: true, status: 200, body })
  })
  return {
    fetch: fetch as unknown as typeof globalThis.fetch,
    gets,
    posts,
    /** Writes raw text to the stream. */
    write: (text: string) => stream?.enqueue(encoder.encode(text)),
    open: () => stream?.enqueue(encoder.encode('event: open\ndata: {"sid":"i.s","key":"k3y"}\n\n')),
    end: () => stream?.close(),
  }
}

/** Lets promise jobs and stream reads run (fake timers do not move). */
const settle = () => vi.advanceTimersByTimeAsync(0)

function make(options: FallbackOptions = {}) {
  const net = fakeFetch()
  const storage = new Map<string, string>()
  const Ws = FallbackWebSocket.with({
    WebSocket: FakeWebSocket,
    fetch: net.fetch,
    storage: {
      getItem: (key) => storage.get(key) ?? null,
      setItem: (key, value) => void storage.set(key, value),
      removeItem: (key) => void storage.delete(key),
    },
    ...options,
  })
  const ws = new Ws(URL)
  const events: Array<[string, unknown]> = []
  ws.onopen = () => events.push(['open', ws.transport])
  ws.onmessage = (event) => events.push(['message', event.data])
  ws.onerror = () => events.push(['error', null])
  ws.onclose = (event) => events.push(['close', { code: event.code, reason: event.reason, wasClean: event.wasClean }])
  return { ws, net, storage, events }
}

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('FallbackWebSocket: choosing a transport', () => {
  it('uses the WebSocket when it opens within openTimeout, and never touches HTTP', async () => {
    const { ws, net, events } = make()
    await vi.advanceTimersByTimeAsync(2999)
    FakeWebSocket.last.serverOpen()
    expect(events).toEqual([['open', 'websocket']])
    ws.send('hi')
    expect(FakeWebSocket.last.sent).toEqual(['hi'])
    expect(net.fetch).not.toHaveBeenCalled()
  })

  it('falls back to HTTP at openTimeout exactly, on the same URL and query, and remembers it', async () => {
    const { net, storage, events } = make()
    await vi.advanceTimersByTimeAsync(2999)
    expect(net.gets).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(FakeWebSocket.last.closedWith).not.toBeNull()
    expect(net.gets).toEqual(['http://example.test/live?room=1&lifeline=stream'])
    net.open()
    await settle()
    expect(events).toEqual([['open', 'http']])
    expect([...storage]).toEqual([['lifeline:fallback:example.test/live', 'http']])
  })

  it('falls back at once when the WebSocket fails before it opens', async () => {
    const { net } = make()
    FakeWebSocket.last.serverClose(1006)
    await settle()
    expect(net.gets).toHaveLength(1)
  })

  it('goes straight to HTTP when the session chose it before', async () => {
    const first = make()
    await vi.advanceTimersByTimeAsync(3000)
    first.net.open()
    await settle()
    const Ws = FallbackWebSocket.with({
      WebSocket: FakeWebSocket,
      fetch: first.net.fetch,
      storage: { getItem: (k) => first.storage.get(k) ?? null, setItem() {}, removeItem() {} },
    })
    const before = FakeWebSocket.instances.length
    new Ws(URL)
    expect(FakeWebSocket.instances).toHaveLength(before)
    expect(first.net.gets).toHaveLength(2)
  })

  it('refuses a URL it cannot read with INVALID_URL', () => {
    expect(() => new FallbackWebSocket('not a url')).toThrow(expect.objectContaining({ code: 'INVALID_URL' }))
  })

  it('reports error then close (1006) when neither transport gets through', async () => {
    const { net, events } = make({ transport: 'http' })
    net.end()
    await settle()
    expect(events).toEqual([
      ['error', null],
      ['close', { code: 1006, reason: '', wasClean: false }],
    ])
  })
})

describe('FallbackWebSocket over HTTP', () => {
  async function opened(options: FallbackOptions = {}) {
    const made = make({ transport: 'http', ...options })
    made.net.open()
    await settle()
    return made
  }

  it('reads server-sent events split anywhere, frames with newlines, and ignores comments', async () => {
    const { net, events } = await opened()
    net.write('data: {"a":')
    net.write('1}\n\n: a comment\n\ndata: line one\ndata: line two\n\nda')
    net.write('ta: last\n\n')
    await settle()
    expect(events.slice(1)).toEqual([
      ['message', '{"a":1}'],
      ['message', 'line one\nline two'],
      ['message', 'last'],
    ])
  })

  it('posts the frames of one turn in one numbered POST, the next only once it is answered', async () => {
    const { ws, net } = await opened()
    ws.send('one')
    ws.send('two:2')
    expect(ws.bufferedAmount).toBe(8)
    await settle()
    expect(net.posts).toHaveLength(1)
    expect(net.posts[0]).toMatchObject({
      url: 'http://example.test/live?room=1&lifeline=send&sid=i.s&seq=0',
      body: 'k3y\n3:one5:two:2',
    })
    ws.send('three')
    await settle()
    expect(net.posts).toHaveLength(1)
    net.posts[0]?.answer(204)
    await settle()
    expect(ws.bufferedAmount).toBe(5)
    expect(net.posts[1]).toMatchObject({ url: expect.stringContaining('&seq=1'), body: 'k3y\n5:three' })
  })

  it('retries a POST that failed on the network with the same number, then gives the link up', async () => {
    const { ws, net, events } = await opened()
    ws.send('once')
    await settle()
    net.posts[0]?.fail()
    await settle()
    expect(net.posts[1]).toMatchObject({ url: expect.stringContaining('&seq=0'), body: 'k3y\n4:once' })
    net.posts[1]?.fail()
    await settle()
    net.posts[2]?.fail()
    await settle()
    expect(net.posts).toHaveLength(3)
    expect(events.at(-1)).toEqual(['close', { code: 1006, reason: 'uplink failed', wasClean: false }])
  })

  it('closes with 1009 when the server refuses a body as too large, 1006 for an unknown session', async () => {
    const big = await opened()
    big.ws.send('x'.repeat(10))
    await settle()
    big.net.posts[0]?.answer(413)
    await settle()
    expect(big.events.at(-1)).toMatchObject(['close', { code: 1009 }])

    const gone = await opened()
    gone.ws.send('x')
    await settle()
    gone.net.posts[0]?.answer(404)
    await settle()
    expect(gone.events.at(-1)).toMatchObject(['close', { code: 1006 }])
  })

  it('closes with 1009 once one unfinished event holds more than maxEventSize, and stops reading', async () => {
    const { ws, net, events } = await opened({ maxEventSize: 100 })
    // Up to the cap an event waits for its end, however it is split; a whole event of any size is read.
    net.write(`data: ${'a'.repeat(94)}`)
    await settle()
    net.write(`\n\ndata: ${'b'.repeat(200)}\n\ndata: ${'c'.repeat(94)}`)
    await settle()
    expect(events.slice(1)).toEqual([
      ['message', 'a'.repeat(94)],
      ['message', 'b'.repeat(200)],
    ])
    net.write('c')
    await settle()
    expect(events.slice(3)).toEqual([['close', { code: 1009, reason: 'event too large', wasClean: false }]])
    expect(ws.readyState).toBe(3)
    const [, init] = vi.mocked(net.fetch).mock.calls[0] as [string, RequestInit]
    expect(init.signal?.aborted).toBe(true)
  })

  it('holds by default an unfinished event of a frame of the core’s default maxMessageBytes (16 MiB), not more', async () => {
    const { net, events } = await opened()
    // With `data: `, 16 MiB and 256 characters held: the default cap, reached and not passed.
    net.write(`data: ${'x'.repeat(16 * 1024 * 1024 + 250)}`)
    await settle()
    expect(events).toHaveLength(1)
    net.write('x')
    await settle()
    expect(events.slice(1)).toEqual([['close', { code: 1009, reason: 'event too large', wasClean: false }]])
  }, 15_000) // 16 MiB through a TextDecoderStream: seconds on a loaded machine

  it('refuses a maxEventSize that is not a positive number', () => {
    for (const maxEventSize of [0, -1, Number.NaN])
      expect(() => FallbackWebSocket.with({ maxEventSize })).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTIONS' }),
      )
  })

  it('answers the server’s ping with an empty POST', async () => {
    const { net } = await opened()
    net.write('event: ping\ndata:\n\n')
    await settle()
    expect(net.posts).toHaveLength(1)
    expect(net.posts[0]?.body).toBe('k3y\n')
  })

  it('closes after the frames sent before close(): then the close POST, then the server’s close event', async () => {
    const { ws, net, events } = await opened()
    ws.send('last words')
    ws.close(4000, 'bye')
    expect(ws.readyState).toBe(2)
    ws.send('too late')
    await settle()
    expect(net.posts.map((p) => p.body)).toEqual(['k3y\n10:last words'])
    net.posts[0]?.answer(204)
    await settle()
    expect(net.posts[1]).toMatchObject({
      url: expect.stringContaining('lifeline=close'),
      body: 'k3y\n{"code":4000,"reason":"bye"}',
    })
    net.posts[1]?.answer(204)
    net.write('event: close\ndata: {"code":4000,"reason":"bye"}\n\n')
    net.end()
    await settle()
    expect(events.at(-1)).toEqual(['close', { code: 4000, reason: 'bye', wasClean: true }])
  })

  it('may be closed from inside its own message handler', async () => {
    const { ws, net, events } = await opened()
    ws.onmessage = () => ws.terminate()
    net.write('data: a\n\ndata: b\n\n')
    await settle()
    expect(events.at(-1)).toEqual(['close', { code: 1006, reason: '', wasClean: false }])
    expect(events.filter(([type]) => type === 'close')).toHaveLength(1)
  })
})

describe('FallbackWebSocket: moving back to a WebSocket', () => {
  it('probes every probeInterval and, once a probe is answered, closes HTTP with 1001 and forgets the choice', async () => {
    const { ws, net, storage, events } = make({ probeInterval: 10_000 })
    await vi.advanceTimersByTimeAsync(3000)
    net.open()
    await settle()
    const before = FakeWebSocket.instances.length
    await vi.advanceTimersByTimeAsync(10_000)
    const probe = FakeWebSocket.last
    expect(FakeWebSocket.instances).toHaveLength(before + 1)
    expect(probe.url).toBe('ws://example.test/live?room=1&lifeline=probe')
    // A proxy that cuts it: no move, another probe later.
    probe.serverClose(1006)
    await vi.advanceTimersByTimeAsync(10_000)
    const second = FakeWebSocket.last
    expect(second).not.toBe(probe)
    second.serverClose(1000, 'probe', true)
    await settle()
    expect(storage.size).toBe(0)
    expect(ws.readyState).toBe(2)
    expect(net.posts.at(-1)).toMatchObject({ body: 'k3y\n{"code":1001,"reason":"websocket available"}' })
    net.posts.at(-1)?.answer(204)
    net.write('event: close\ndata: {"code":1001,"reason":"websocket available"}\n\n')
    net.end()
    await settle()
    // A code the socket reconnects after: the next link is a WebSocket again.
    expect(events.at(-1)).toEqual(['close', { code: 1001, reason: 'websocket available', wasClean: true }])
  })
})
