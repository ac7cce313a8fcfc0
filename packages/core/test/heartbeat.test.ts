import { afterEach, describe, expect, it } from 'vitest'
import {
  type Chat,
  clientWebSocket,
  countingWebSocket,
  eventNames,
  FAST_HEARTBEAT,
  FAST_RECONNECT,
  nextEvent,
  payloadsOf,
  Resources,
  range,
  recordEvents,
  sendNumbered,
  seqs,
} from './support/client.js'

const resources = new Resources()
afterEach(() => resources.dispose())

/** Timer lateness and I/O allowed on top of interval + timeout on a loaded 2-core machine. */
const SLACK = 150

/** A server behind a proxy, and a socket with a fast heartbeat connected through it. */
async function linkThroughProxy() {
  const server = await resources.server()
  const proxy = await resources.proxy({ target: { port: server.port } })
  const { WebSocket, stats } = countingWebSocket()
  const socket = resources.connect<Chat, Chat>(proxy.url(), {
    WebSocket,
    reconnect: FAST_RECONNECT,
    heartbeat: FAST_HEARTBEAT,
  })
  const log = recordEvents(socket)
  await nextEvent(socket, 'open')
  // One round trip proves the route works before it is broken.
  const echo = new Promise((resolve) => socket.once('chat', resolve))
  socket.send('chat', { text: 'before', seq: -1 })
  await echo
  return { server, proxy, socket, log, stats }
}

describe('heartbeat over a black-holed link', () => {
  it('notices within interval + timeout, reports HEARTBEAT_TIMEOUT then close 1006, and a new link delivers what was sent meanwhile', async () => {
    const { server, proxy, socket, log, stats } = await linkThroughProxy()
    const timedOut = nextEvent(socket, 'error')
    const dropped = nextEvent(socket, 'close')
    const reopened = nextEvent(socket, 'open')

    const cutAt = Date.now()
    proxy.blackhole() // the current link goes silent; the retry gets a working route
    const error = await timedOut
    const noticedAfter = Date.now() - cutAt

    expect(error.code).toBe('HEARTBEAT_TIMEOUT')
    expect(noticedAfter).toBeLessThanOrEqual(FAST_HEARTBEAT.interval + FAST_HEARTBEAT.timeout + SLACK)
    expect(await dropped).toEqual({ code: 1006, reason: '', wasClean: false, willReconnect: true })
    // Abandoned at once: no close handshake to wait for on a dead route. Only `ws` and Bun have
    // terminate(); on the other runtimes close() is all the core can call.
    expect(stats.terminated).toBe(clientWebSocket.canTerminate ? 1 : 0)
    const results = sendNumbered(socket, 0, 200)
    expect(results.every((r) => r === 'queued')).toBe(true)

    await reopened
    await server.until(() => server.connections.length === 2 && server.last.messages.length >= 200, '200 chats')
    expect(seqs(server.last.messages.filter((m) => m.type === 'chat'))).toEqual(range(0, 200))
    expect(seqs(server.messagesOf('chat'))).toEqual([-1, ...range(0, 200)])
    expect(eventNames(log)).toEqual(['open', 'error:HEARTBEAT_TIMEOUT', 'close', 'reconnecting', 'open'])
    expect(payloadsOf(log, 'close')).toHaveLength(1)
    expect(stats.maxLive).toBe(1)
  })

  it('queues a send made after the deadline passed unnoticed, and replaces the link when one turn brings nothing', async () => {
    const { server, proxy, socket, log } = await linkThroughProxy()
    const reopened = nextEvent(socket, 'open')
    const timedOut = nextEvent(socket, 'error')
    proxy.blackhole()

    // A blocked event loop (or a throttled background tab): the heartbeat timer cannot fire.
    const deadline = Date.now() + FAST_HEARTBEAT.interval + FAST_HEARTBEAT.timeout + 50
    while (Date.now() < deadline) {
      // busy: no timer runs
    }
    expect(socket.send('chat', { text: 'after the deadline', seq: 0 })).toBe('queued')

    expect((await timedOut).code).toBe('HEARTBEAT_TIMEOUT')
    await reopened
    await server.until(() => server.connections.length === 2 && server.last.messages.length >= 1, 'the chat')
    expect(seqs(server.messagesOf('chat'))).toEqual([-1, 0])
    expect(eventNames(log)).toEqual(['open', 'error:HEARTBEAT_TIMEOUT', 'close', 'reconnecting', 'open'])
  })

  it('keeps a healthy link: pongs arrive unseen by handlers, latency is published, no timeout', async () => {
    const server = await resources.server()
    const socket = resources.connect<Chat, Chat>(server.url(), { heartbeat: FAST_HEARTBEAT })
    const log = recordEvents(socket)
    await nextEvent(socket, 'open')

    const latencies: number[] = []
    const delivered: unknown[] = []
    socket.on('latency', (ms) => latencies.push(ms))
    socket.on('message', (message) => delivered.push(message))
    await server.until(() => server.messagesOf('ping').length >= 3, 'three pings')
    await nextEvent(socket, 'latency')

    expect(latencies.every((ms) => ms >= 0 && ms < FAST_HEARTBEAT.timeout)).toBe(true)
    expect(socket.getSnapshot().latency).toEqual(expect.any(Number))
    expect(delivered).toEqual([]) // pongs are not delivered to handlers
    expect(eventNames(log)).toEqual(['open'])
    expect(server.connections).toHaveLength(1)
  })
})
