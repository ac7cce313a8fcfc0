import { afterEach, describe, expect, it } from 'vitest'
import {
  type Chat,
  countingWebSocket,
  eventNames,
  FAST_RECONNECT,
  nextEvent,
  payloadsOf,
  Resources,
  range,
  recordEvents,
  sendNumbered,
  seqs,
  untilStatus,
} from '../support/client.js'
import { FaultyNetwork, recordingLogger } from '../support/faults.js'

const resources = new Resources()
afterEach(() => resources.dispose())

/** A promise and its resolver, for a provider that answers when the test says so. */
function deferred<T>() {
  let resolve: (value: T) => void = () => {}
  const promise = new Promise<T>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

/** Wraps a URL provider to record when each call started and how many were pending at once. */
function tracked(provider: (call: number) => Promise<string>) {
  const stats = { calls: 0, pending: 0, maxPending: 0, startedAt: [] as number[] }
  const url = () => {
    stats.calls++
    stats.pending++
    stats.maxPending = Math.max(stats.maxPending, stats.pending)
    stats.startedAt.push(Date.now())
    return provider(stats.calls).finally(() => stats.pending--)
  }
  return { url, stats }
}

describe('a token provider', () => {
  it('that rejects is retried with a growing backoff, one call at a time, and no WebSocket is made until it answers', async () => {
    const server = await resources.server()
    const { WebSocket, stats: sockets } = countingWebSocket()
    const { url, stats } = tracked(async (call) => {
      if (call <= 4) throw new Error(`token service down (${call})`)
      return server.url(`/live?token=t${call}`)
    })
    const socket = resources.connect<Chat, Chat>(url, {
      WebSocket,
      reconnect: { initialDelay: 10, maxDelay: 1000, jitter: 'none' },
    })
    const log = recordEvents(socket)

    await nextEvent(socket, 'open')

    expect(eventNames(log)).toEqual([...Array(4).fill(['error:URL_PROVIDER_FAILED', 'reconnecting']).flat(), 'open'])
    expect(payloadsOf(log, 'error').map((e) => (e.cause as Error).message)).toEqual(
      range(1, 5).map((call) => `token service down (${call})`),
    )
    const delays = payloadsOf(log, 'reconnecting').map((r) => r.delay)
    expect(delays).toEqual([10, 20, 40, 80])
    // Time is the subject: each retry waited its backoff delay after the failure before it.
    for (let i = 1; i < stats.startedAt.length; i++) {
      expect((stats.startedAt[i] as number) - (stats.startedAt[i - 1] as number)).toBeGreaterThanOrEqual(
        (delays[i - 1] as number) - 2,
      )
    }
    expect(stats).toMatchObject({ calls: 5, maxPending: 1 })
    expect(sockets).toMatchObject({ created: 1, maxLive: 1 })
    expect(server.handshakes).toEqual(['/live?token=t5'])
  })

  it('that throws synchronously is reported like one that rejects (URL_PROVIDER_FAILED), never thrown from connect() or a timer', async () => {
    const server = await resources.server()
    let calls = 0
    const provider = () => {
      if (++calls <= 2) throw new Error(`no token yet (${calls})`)
      return server.url(`/?token=t${calls}`)
    }
    let socket: ReturnType<typeof resources.connect<Chat, Chat>> | undefined
    expect(() => {
      socket = resources.connect<Chat, Chat>(provider, { reconnect: { initialDelay: 5, maxDelay: 5 } })
    }).not.toThrow()
    const log = recordEvents(socket!)

    await nextEvent(socket!, 'open')

    expect(eventNames(log)).toEqual([
      'error:URL_PROVIDER_FAILED',
      'reconnecting',
      'error:URL_PROVIDER_FAILED',
      'reconnecting',
      'open',
    ])
    expect(payloadsOf(log, 'error').map((e) => (e.cause as Error).message)).toEqual([
      'no token yet (1)',
      'no token yet (2)',
    ])
    expect(server.handshakes).toEqual(['/?token=t3'])
  })

  it('that hangs is abandoned after connectTimeout and asked again; its late answer opens no second socket', async () => {
    const server = await resources.server()
    const { WebSocket, stats: sockets } = countingWebSocket()
    const hung = deferred<string>()
    const { url, stats } = tracked((call) =>
      call === 1 ? hung.promise : Promise.resolve(server.url(`/?token=t${call}`)),
    )
    const socket = resources.connect<Chat, Chat>(url, { WebSocket, reconnect: FAST_RECONNECT, connectTimeout: 100 })
    const log = recordEvents(socket)

    const timedOut = await nextEvent(socket, 'error')
    expect(timedOut.code).toBe('CONNECT_TIMEOUT')
    expect(socket.getSnapshot()).toMatchObject({ status: 'reconnecting', attempt: 1 })
    await nextEvent(socket, 'open')
    // The abandoned call answers at last, with a URL that would work.
    hung.resolve(server.url('/?token=t1'))
    sendNumbered(socket, 0, 1)
    await server.until(() => server.messagesOf('chat').length === 1, 'a chat on the link')

    expect(stats.calls).toBe(2)
    expect(server.handshakes).toEqual(['/?token=t2'])
    expect(sockets).toMatchObject({ created: 1, maxLive: 1 })
    expect(eventNames(log)).toEqual(['error:CONNECT_TIMEOUT', 'reconnecting', 'open'])
  })

  it('that is slow is asked once: reconnect(), open() and sends meanwhile join the pending attempt, and one socket carries the queue', async () => {
    const network = await FaultyNetwork.start(resources)
    const { server } = network
    const { WebSocket, stats: sockets } = countingWebSocket()
    const slow = deferred<string>()
    const { url, stats } = tracked((call) => (call === 1 ? Promise.resolve(network.url('/?token=t1')) : slow.promise))
    const socket = resources.connect<Chat, Chat>(url, { WebSocket, reconnect: { initialDelay: 0, maxDelay: 0 } })
    await nextEvent(socket, 'open')

    const dropped = nextEvent(socket, 'close')
    network.cut()
    await dropped
    await untilStatus(socket, 'connecting')
    expect(stats.calls).toBe(2) // the retry is waiting for its token
    socket.reconnect()
    socket.reconnect()
    socket.open()
    expect(sendNumbered(socket, 0, 20).every((r) => r === 'queued')).toBe(true)
    expect(stats.calls).toBe(2)
    expect(sockets.created).toBe(1)

    const reopened = nextEvent(socket, 'open')
    slow.resolve(network.url('/?token=t2'))
    await reopened
    await server.until(() => server.messagesOf('chat').length === 20, 'the queued chats')

    expect(stats).toMatchObject({ calls: 2, maxPending: 1 })
    expect(sockets).toMatchObject({ created: 2, maxLive: 1 })
    expect(server.handshakes).toEqual(['/?token=t1', '/?token=t2'])
    expect(seqs(server.last.messages)).toEqual(range(0, 20))
  })

  it('that is slow, then close(): the late answer opens nothing', async () => {
    const server = await resources.server()
    const { WebSocket, stats: sockets } = countingWebSocket()
    const slow = deferred<string>()
    const socket = resources.connect<Chat, Chat>(() => slow.promise, { WebSocket, reconnect: FAST_RECONNECT })
    const log = recordEvents(socket)
    sendNumbered(socket, 0, 2)

    socket.close()
    slow.resolve(server.url())
    await slow.promise
    // A socket would be constructed synchronously from the answer: one loop turn is enough to see none.
    await new Promise((resolve) => setImmediate(resolve))

    expect(sockets.created).toBe(0)
    expect(socket.getSnapshot()).toMatchObject({ status: 'closed', queued: 0 })
    expect(payloadsOf(log, 'drop').map((d) => d.reason)).toEqual(['closed', 'closed'])
    expect(server.handshakes).toEqual([])
  })
})

describe('tokens in logs', () => {
  const SECRET = 's3cr3t-token-value'

  /** Connects through a refused route, then a working one, drops, reconnects, exchanges messages and closes. */
  async function fullLife(logSensitive: boolean): Promise<string[]> {
    const network = await FaultyNetwork.start(resources)
    const { lines, logger } = recordingLogger()
    let calls = 0
    network.refuse()
    const socket = resources.connect<Chat, Chat>(() => network.url(`/live?room=1&token=${SECRET}-${++calls}`), {
      reconnect: FAST_RECONNECT,
      logger,
      logSensitive,
    })
    await nextEvent(socket, 'error')
    network.forward()
    await nextEvent(socket, 'open')
    const reopened = nextEvent(socket, 'open')
    network.cut()
    await reopened
    const echo = nextEvent(socket, 'message')
    socket.send('chat', { text: SECRET, seq: 1 })
    await echo
    socket.close()
    expect(lines.length).toBeGreaterThan(3)
    return lines
  }

  it('never appear in log lines through connect, failure, reconnect and close', async () => {
    const lines = await fullLife(false)
    expect(lines.filter((line) => line.includes(SECRET))).toEqual([])
    // The attempts are logged with every query value hidden.
    expect(lines.some((line) => / ws:\/\/127\.0\.0\.1:\d+\/live\?room=\*\*\*&token=\*\*\*$/.test(line))).toBe(true)
  })

  it('appear with logSensitive: true (the check above can fail)', async () => {
    const lines = await fullLife(true)
    expect(lines.some((line) => line.includes(`token=${SECRET}`))).toBe(true)
  })

  it.each([
    ['in the query', `ws://127.0.0.1:99999/live?token=${SECRET}`],
    ['as the password', `ws://user:${SECRET}@127.0.0.1:99999/live`],
  ])(
    'never appear in log lines when the provider returns a URL that cannot be parsed, with the token %s',
    async (_, url) => {
      const { lines, logger } = recordingLogger()
      const socket = resources.connect<Chat, Chat>(() => url, { reconnect: false, logger })
      const error = await nextEvent(socket, 'error')

      expect(error.code).toBe('INVALID_URL')
      expect(lines.length).toBeGreaterThan(0)
      expect(lines.filter((line) => line.includes(SECRET))).toEqual([])
    },
  )
})
