import { FakeWebSocket, fakeWindow } from '@lifeline/test-support/fakeWebSocket'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { connect } from '../connect.js'
import { openLink, setup } from './helpers.js'

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

const base = { WebSocket: FakeWebSocket, browserEvents: false } as const

describe('urls', () => {
  it('resolves a relative URL against location, with http -> ws and https -> wss', () => {
    vi.stubGlobal('location', { href: 'https://app.example.com/chat/room?x=1#top' })
    connect('/live', base).dispose()
    connect('live#frag', base).dispose()
    connect('http://other.example/ws', base).dispose()
    expect(FakeWebSocket.instances.map((ws) => ws.url)).toEqual([
      'wss://app.example.com/live',
      'wss://app.example.com/chat/live',
      'ws://other.example/ws',
    ])
  })

  it('throws INVALID_URL for an unusable static URL', () => {
    for (const url of ['ftp://example.com', 'not a url', '/relative-without-location']) {
      expect(() => connect(url, base)).toThrow(expect.objectContaining({ code: 'INVALID_URL' }))
    }
    expect(FakeWebSocket.instances).toHaveLength(0)
  })

  it('calls a URL function before every attempt', async () => {
    let token = 0
    const url = vi.fn(async () => `wss://example.test/live?token=${++token}`)
    const socket = connect(url, { ...base, reconnect: { initialDelay: 10, jitter: 'none' } })
    await vi.advanceTimersByTimeAsync(0)
    FakeWebSocket.last.serverFail()
    await vi.advanceTimersByTimeAsync(10)
    expect(FakeWebSocket.instances.map((ws) => ws.url)).toEqual([
      'wss://example.test/live?token=1',
      'wss://example.test/live?token=2',
    ])
    expect(url).toHaveBeenCalledTimes(2)
    socket.dispose()
  })

  it('emits INVALID_URL from a URL function as an error and retries', async () => {
    const socket = connect(() => 'ftp://nope', { ...base, reconnect: { initialDelay: 10, jitter: 'none' } })
    const errors: string[] = []
    socket.on('error', (e) => errors.push(e.code))
    await vi.advanceTimersByTimeAsync(0)
    expect(errors).toEqual(['INVALID_URL'])
    expect(socket.getSnapshot().status).toBe('reconnecting')
    socket.dispose()
  })

  it('reports a URL or protocols function that throws as URL_PROVIDER_FAILED, never into the caller', async () => {
    const throwing = () => {
      throw new Error('no token')
    }
    for (const options of [{}, { protocols: throwing }]) {
      const url = Object.keys(options).length ? 'wss://a.test' : throwing
      const socket = connect(url, { ...base, ...options })
      const errors: string[] = []
      socket.on('error', (e) => errors.push(e.code))
      await vi.advanceTimersByTimeAsync(0)
      expect(errors).toEqual(['URL_PROVIDER_FAILED'])
      expect(socket.getSnapshot().status).toBe('reconnecting')
      expect(() => socket.reconnect()).not.toThrow()
      socket.dispose()
    }
  })

  it('keeps the query of an invalid URL out of the error, since it may hold a token', () => {
    expect(() => connect('wss://exa mple.com/live?token=s3cret', base)).toThrow(
      expect.objectContaining({ code: 'INVALID_URL', message: expect.not.stringContaining('s3cret') }),
    )
  })

  it('reports a rejecting URL function as URL_PROVIDER_FAILED and backs off', async () => {
    const url = vi.fn(() => Promise.reject(new Error('auth down')))
    const socket = connect(url, { ...base, reconnect: { initialDelay: 100, jitter: 'none' } })
    const errors: unknown[] = []
    socket.on('error', (e) => errors.push(e))
    await vi.advanceTimersByTimeAsync(0)
    expect(errors).toEqual([expect.objectContaining({ code: 'URL_PROVIDER_FAILED', cause: new Error('auth down') })])
    // The cause is in the message too, where a log line or an error tracker shows it.
    expect((errors[0] as Error).message).toBe('url or protocols failed: auth down')
    await vi.advanceTimersByTimeAsync(100)
    expect(url).toHaveBeenCalledTimes(2)
    expect(FakeWebSocket.instances).toHaveLength(0)
    socket.dispose()
  })

  it('times out a URL function that hangs, and a late answer opens nothing', async () => {
    let resolveFirst: (url: string) => void = () => {}
    const url = vi
      .fn<() => Promise<string>>()
      .mockImplementationOnce(() => new Promise((resolve) => (resolveFirst = resolve)))
      .mockImplementation(() => new Promise(() => {}))
    const socket = connect(url, { ...base, connectTimeout: 1000, reconnect: { initialDelay: 100, jitter: 'none' } })
    await vi.advanceTimersByTimeAsync(1001)
    expect(socket.getSnapshot()).toMatchObject({ status: 'reconnecting', lastError: { code: 'CONNECT_TIMEOUT' } })
    resolveFirst('wss://example.test/late')
    await vi.advanceTimersByTimeAsync(0)
    expect(FakeWebSocket.instances).toHaveLength(0)
    socket.dispose()
  })

  it('is single-flight: triggers during an attempt join it', async () => {
    const win = fakeWindow()
    const url = vi.fn(() => new Promise<string>(() => {}))
    const socket = connect(url, { ...base, browserEvents: win })
    socket.reconnect()
    socket.open()
    win.fire('online')
    await vi.advanceTimersByTimeAsync(0)
    expect(url).toHaveBeenCalledTimes(1)
    socket.dispose()
  })

  it('passes protocols, static or from a function per attempt', async () => {
    connect('wss://a.test', { ...base, protocols: ['v2', 'v1'] }).dispose()
    const protocols = vi.fn(() => 'v3')
    const socket = connect('wss://a.test', { ...base, protocols })
    await vi.advanceTimersByTimeAsync(0)
    expect(FakeWebSocket.instances.map((ws) => ws.protocols)).toEqual([['v2', 'v1'], 'v3'])
    socket.dispose()
  })

  it('reports a WebSocket constructor that throws as CONNECT_FAILED', () => {
    class Throwing {
      constructor() {
        throw new SyntaxError('bad')
      }
    }
    const socket = connect('wss://a.test', { WebSocket: Throwing as never, browserEvents: false })
    expect(socket.getSnapshot()).toMatchObject({ status: 'reconnecting', lastError: { code: 'CONNECT_FAILED' } })
    socket.dispose()
  })
})

describe('environment', () => {
  it('throws NO_WEBSOCKET with a hint when there is no WebSocket', () => {
    vi.stubGlobal('WebSocket', undefined)
    expect(() => connect('wss://a.test')).toThrow(
      expect.objectContaining({ code: 'NO_WEBSOCKET', message: expect.stringContaining("import WebSocket from 'ws'") }),
    )
  })

  it('uses the global WebSocket when none is passed', () => {
    vi.stubGlobal('WebSocket', FakeWebSocket)
    connect('wss://a.test', { browserEvents: false }).dispose()
    expect(FakeWebSocket.instances).toHaveLength(1)
  })

  it('importing the package touches no browser global', async () => {
    const touched: string[] = []
    for (const name of ['window', 'document', 'location', 'navigator', 'WebSocket']) {
      vi.stubGlobal(
        name,
        new Proxy(
          {},
          {
            get() {
              touched.push(name)
              return undefined
            },
          },
        ),
      )
    }
    vi.resetModules()
    await import('../index.js')
    expect(touched).toEqual([])
  })
})

describe('browser events', () => {
  it('listens on window from open() until close(), also during backoff waits', async () => {
    const win = fakeWindow()
    const { socket } = setup({ browserEvents: win, autoConnect: false })
    expect(win.count()).toBe(0)
    socket.open()
    expect(win.count()).toBe(4)
    FakeWebSocket.last.serverFail()
    expect(win.count()).toBe(4)
    socket.close()
    expect(win.count()).toBe(0)
  })

  it('uses window by default where it exists', () => {
    const win = fakeWindow()
    vi.stubGlobal('window', win)
    const socket = connect('wss://a.test', { WebSocket: FakeWebSocket })
    expect(win.count()).toBe(4)
    socket.dispose()
    expect(win.count()).toBe(0)
  })

  it('online reconnects at once, resetting the backoff wait', () => {
    const win = fakeWindow()
    const { socket } = setup({ browserEvents: win, reconnect: { initialDelay: 60_000, jitter: 'none' } })
    FakeWebSocket.last.serverFail()
    expect(socket.getSnapshot().status).toBe('reconnecting')
    win.fire('online')
    expect(FakeWebSocket.instances).toHaveLength(2)
    expect(socket.getSnapshot()).toMatchObject({ status: 'connecting', attempt: 0 })
    socket.dispose()
  })

  it('offline without a heartbeat changes nothing', async () => {
    const win = fakeWindow()
    const { socket } = setup({ browserEvents: win })
    const ws = await openLink()
    win.fire('offline')
    expect(ws.sent).toEqual([])
    expect(socket.getSnapshot().status).toBe('open')
    socket.dispose()
  })
})

describe('options', () => {
  const bad: Array<[string, object]> = [
    ['connectTimeout', { connectTimeout: -1 }],
    ['connectTimeout', { connectTimeout: Number.NaN }],
    ['reconnect.initialDelay', { reconnect: { initialDelay: -5 } }],
    ['reconnect.maxDelay', { reconnect: { maxDelay: '1000' } }],
    ['reconnect.factor', { reconnect: { factor: 0.5 } }],
    ['reconnect.jitter', { reconnect: { jitter: 'some' } }],
    ['reconnect.maxAttempts', { reconnect: { maxAttempts: Number.NaN } }],
    ['reconnect.shouldReconnect', { reconnect: { shouldReconnect: true } }],
    ['reconnect', { reconnect: 'yes' }],
    ['heartbeat.interval', { heartbeat: { interval: 0 } }],
    ['heartbeat.timeout', { heartbeat: { timeout: -1 } }],
    ['heartbeat.ping', { heartbeat: { ping: 'ping' } }],
    ['queue.overflow', { queue: { overflow: 'drop' } }],
    ['queue.maxMessages', { queue: { maxMessages: -1 } }],
    ['queue.ttl', { queue: { ttl: Number.NaN } }],
    ['codec', { codec: { encode: JSON.stringify } }],
    ['onOpen', { onOpen: 'auth' }],
    ['protocols', { protocols: 5 }],
    ['browserEvents', { browserEvents: 'window' }],
    ['maxMessageBytes', { maxMessageBytes: -1 }],
    ['WebSocket', { WebSocket: 'ws' }],
  ]
  it.each(bad)('rejects a bad %s with INVALID_OPTIONS', (name, options) => {
    expect(() => connect('wss://a.test', { ...base, ...options } as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS', message: expect.stringContaining(name) }),
    )
    expect(FakeWebSocket.instances).toHaveLength(0)
  })

  it('clamps very large durations to what timers accept', async () => {
    const { socket } = setup({ reconnect: { initialDelay: 1e15, maxDelay: 1e15, jitter: 'none' } })
    FakeWebSocket.last.serverFail()
    const { nextRetryAt } = socket.getSnapshot()
    expect(nextRetryAt! - Date.now()).toBe(2 ** 31 - 1)
    socket.dispose()
  })

  it('accepts Infinity for connectTimeout, maxAttempts and ttl', () => {
    const { socket } = setup({ connectTimeout: Number.POSITIVE_INFINITY, queue: { ttl: Number.POSITIVE_INFINITY } })
    socket.send('a', 1)
    expect(vi.getTimerCount()).toBe(0)
    socket.dispose()
  })
})
