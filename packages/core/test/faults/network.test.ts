import { afterEach, describe, expect, it } from 'vitest'
import type { Socket } from '../../src/index.js'
import {
  type Chat,
  clientWebSocket,
  countingWebSocket,
  echoedClose,
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
  untilSnapshot,
} from '../support/client.js'
import { FaultyNetwork, sleep, within } from '../support/faults.js'

const resources = new Resources()
afterEach(() => resources.dispose())

/** A server stream of numbered ticks, and the client's request to resume it. */
interface Stream {
  tick: { seq: number }
}
interface Resume extends Chat {
  resume: { from: number }
}

/** Resolves after one round trip through `socket`, proving the route works. */
async function roundTrip(socket: Socket<Chat, Chat>, seq = -1): Promise<void> {
  const echo = new Promise((resolve) => socket.once('chat', resolve))
  socket.send('chat', { text: 'round trip', seq })
  await echo
}

describe('a server crash mid-stream', () => {
  it('delivers a prefix of the stream on the dead link, then the resumed rest: every tick once, in order', async () => {
    const TOTAL = 3000
    const server = await resources.server()
    let crashed: Promise<void> | null = null
    // Streams ticks `from`… in batches, one batch per loop turn, while the connection is open. The
    // server crashes once tick 500 is out, as seen from the server: when the client saw it, an
    // in-process server on Deno has already written the whole stream, leaving nothing to resume.
    server.onMessage = (message, connection) => {
      if (message.type !== 'resume') return undefined
      let seq = (message.data as { from: number }).from
      const pump = () => {
        for (let n = 0; n < 50 && seq < TOTAL && connection.isOpen; n++)
          connection.send({ type: 'tick', data: { seq: seq++ } })
        if (seq > 500 && crashed === null) crashed = server.crash()
        else if (seq < TOTAL && connection.isOpen) setImmediate(pump)
      }
      pump()
      return true
    }
    const ticks: number[] = []
    const socket = resources.connect<Stream, Resume>(server.url(), {
      reconnect: FAST_RECONNECT,
      onOpen: (s) => {
        s.send('resume', { from: ticks.length })
      },
    })
    const log = recordEvents(socket)
    const all = new Promise<void>((resolve) =>
      socket.on('tick', ({ seq }) => {
        ticks.push(seq)
        if (ticks.length === TOTAL) resolve()
      }),
    )

    const dropped = await nextEvent(socket, 'close')
    const onFirstLink = ticks.length
    await crashed
    const reopened = nextEvent(socket, 'open')
    await server.start()
    await reopened
    await within(all, `all ${TOTAL} ticks`)

    expect(dropped).toEqual({ code: 1006, reason: '', wasClean: false, willReconnect: true })
    expect(onFirstLink).toBeGreaterThan(500)
    expect(onFirstLink).toBeLessThan(TOTAL)
    expect(ticks).toEqual(range(0, TOTAL))
    expect(server.connections.map((c) => c.messages)).toEqual([
      [{ type: 'resume', data: { from: 0 } }],
      [{ type: 'resume', data: { from: onFirstLink } }],
    ])
    expect(eventNames(log)[0]).toBe('open')
    expect(eventNames(log).filter((name) => name === 'close')).toHaveLength(1)
    expect(eventNames(log).at(-1)).toBe('open')
  })
})

describe.each([
  [1001, 'going away'],
  [1012, 'service restart'],
])('a graceful server restart with %i', (code, reason) => {
  it('closes cleanly, retries at the normal backoff, and delivers what was sent meanwhile once, in order', async () => {
    const server = await resources.server()
    const socket = resources.connect<Chat, Chat>(server.url(), {
      reconnect: { initialDelay: 20, maxDelay: 5000, jitter: 'none' },
    })
    const log = recordEvents(socket)
    await nextEvent(socket, 'open')
    expect(sendNumbered(socket, 0, 10).every((r) => r === 'sent')).toBe(true)
    await server.until(() => server.messagesOf('chat').length === 10, 'ten chats')

    const closed = nextEvent(socket, 'close')
    const stopped = server.stop(code, reason)
    expect(await closed).toEqual({ code, reason, wasClean: true, willReconnect: true })
    await stopped
    expect(sendNumbered(socket, 10, 90).every((r) => r === 'queued')).toBe(true)
    const reopened = nextEvent(socket, 'open')
    await server.start()
    await reopened
    await server.until(() => server.messagesOf('chat').length === 100, '100 chats')

    expect(seqs(server.messagesOf('chat'))).toEqual(range(0, 100))
    expect(seqs(server.last.messages)).toEqual(range(10, 100))
    expect(await server.connections[0]!.closed).toEqual(echoedClose(code, reason))
    // Not the long wait of 1013: the first retry is the backoff's first step.
    expect(payloadsOf(log, 'reconnecting')[0]).toEqual({ attempt: 1, delay: 20 })
    expect(socket.getSnapshot()).toMatchObject({ status: 'open', queued: 0, lastClose: { code, reason } })
    expect(payloadsOf(log, 'drop')).toEqual([])
    expect(server.connections).toHaveLength(2)
  })
})

describe('a black hole', () => {
  it('swallows what is sent into it; once the heartbeat notices, the client queues, times out silent handshakes with one socket at a time, and delivers the queue when the route returns', async () => {
    const network = await FaultyNetwork.start(resources)
    const { server, proxy } = network
    const { WebSocket, stats } = countingWebSocket()
    const socket = resources.connect<Chat, Chat>(network.url(), {
      WebSocket,
      reconnect: FAST_RECONNECT,
      heartbeat: FAST_HEARTBEAT,
      connectTimeout: 150,
    })
    const log = recordEvents(socket)
    await nextEvent(socket, 'open')
    await roundTrip(socket)

    const timedOut = nextEvent(socket, 'error', (e) => e.code === 'HEARTBEAT_TIMEOUT')
    network.blackhole().dropHandshakes() // the current link and every new one go silent
    // Sent while the client still believes the link is up: lost, by design (no acks).
    expect(sendNumbered(socket, 0, 5)).toEqual(['sent', 'sent', 'sent', 'sent', 'sent'])
    await timedOut
    expect(sendNumbered(socket, 5, 100).every((r) => r === 'queued')).toBe(true)
    await nextEvent(socket, 'error', (e) => e.code === 'CONNECT_TIMEOUT')
    await nextEvent(socket, 'error', (e) => e.code === 'CONNECT_TIMEOUT')
    expect(stats.live()).toBeLessThanOrEqual(1)

    const reopened = nextEvent(socket, 'open')
    network.forward()
    await reopened
    await server.until(() => server.messagesOf('chat').length >= 101, 'the queued chats')

    expect(seqs(server.messagesOf('chat'))).toEqual([-1, ...range(5, 105)])
    expect(stats.maxLive).toBe(1)
    // Every abandoned socket was dropped at once, none waited for a close handshake. Only `ws` and
    // Bun have terminate(); on the other runtimes close() is all the core can call.
    expect(stats.terminated).toBe(clientWebSocket.canTerminate ? stats.created - 1 : 0)
    // The black-holed link is still open at the server: the client never waited for it.
    expect(server.connections[0]!.isOpen).toBe(true)
    expect(server.connections).toHaveLength(2)
    const names = eventNames(log)
    expect(names.slice(0, 4)).toEqual(['open', 'error:HEARTBEAT_TIMEOUT', 'close', 'reconnecting'])
    expect(new Set(names.slice(4, -1))).toEqual(new Set(['error:CONNECT_TIMEOUT', 'reconnecting']))
    expect(payloadsOf(log, 'close')).toEqual([{ code: 1006, reason: '', wasClean: false, willReconnect: true }])
    const attempts = payloadsOf(log, 'reconnecting').map((r) => r.attempt)
    expect(attempts).toEqual(range(1, attempts.length + 1))
    proxy.cut()
    expect(await server.connections[0]!.closed).toMatchObject({ code: 1006 })
  })
})

describe('a server close with 1013 (try again later)', () => {
  it('waits at least maxDelay / 2 before every retry, even when shouldReconnect says yes', async () => {
    const server = await resources.server()
    const handshakeAt: number[] = []
    let refusals = 3
    server.onConnection = (connection) => {
      handshakeAt.push(Date.now())
      if (refusals-- > 0) void connection.close(1013, 'overloaded')
    }
    const maxDelay = 200
    const socket = resources.connect<Chat, Chat>(server.url(), {
      reconnect: { initialDelay: 10, maxDelay, shouldReconnect: () => true },
    })
    const log = recordEvents(socket)
    const retryWaits: number[] = []
    socket.on('reconnecting', () => retryWaits.push((socket.getSnapshot().nextRetryAt as number) - Date.now()))

    await server.until(() => server.connections.length === 4, 'four connections')
    await untilSnapshot(socket, (s) => s.status === 'open', 'status "open"')

    const delays = payloadsOf(log, 'reconnecting')
    expect(delays.map((r) => r.attempt)).toEqual([1, 2, 3])
    // The backoff alone would give at most 10, 20 and 40 ms here.
    for (const { delay } of delays) expect(delay).toBeGreaterThanOrEqual(maxDelay / 2)
    for (const wait of retryWaits) expect(wait).toBeGreaterThanOrEqual(maxDelay / 2 - 2)
    for (let i = 1; i < handshakeAt.length; i++) {
      expect((handshakeAt[i] as number) - (handshakeAt[i - 1] as number)).toBeGreaterThanOrEqual(maxDelay / 2 - 5)
    }
    expect(payloadsOf(log, 'close').map((c) => [c.code, c.willReconnect])).toEqual([
      [1013, true],
      [1013, true],
      [1013, true],
    ])
  })
})

interface Auth extends Chat {
  auth: { token: string }
  authOk: undefined
}

describe.each([
  [1008, 'policy violation'],
  [4401, 'unauthorized'],
  [4499, 'last client error'],
])('a terminal close (%i) on the reconnect after a drop', (code, reason) => {
  it('closes for good: the messages queued offline drop with reason closed, in order, and nothing retries', async () => {
    const network = await FaultyNetwork.start(resources)
    const { server } = network
    // The first token is accepted; by the time the client comes back it has been revoked.
    server.onMessage = (message, connection) => {
      if (message.type !== 'auth') return undefined
      if ((message.data as { token: string }).token === 't1') connection.send({ type: 'authOk' })
      else void connection.close(code, reason)
      return true
    }
    let tokens = 0
    const socket = resources.connect<Auth, Auth>(network.url(), {
      reconnect: { initialDelay: 10, maxDelay: 40 },
      onOpen: (s) => {
        s.send('auth', { token: `t${++tokens}` })
        return new Promise<void>((resolve) => s.once('authOk', () => resolve()))
      },
    })
    const log = recordEvents(socket)
    await nextEvent(socket, 'open')

    const dropped = nextEvent(socket, 'close')
    network.cut()
    expect(await dropped).toMatchObject({ code: 1006, willReconnect: true })
    expect(sendNumbered(socket, 0, 3)).toEqual(['queued', 'queued', 'queued'])
    const final = await nextEvent(socket, 'close', (c) => !c.willReconnect)

    expect(final).toEqual({ code, reason, wasClean: true, willReconnect: false })
    expect(socket.getSnapshot()).toMatchObject({ status: 'closed', queued: 0, nextRetryAt: null })
    expect(payloadsOf(log, 'drop')).toEqual(
      range(0, 3).map((seq) => ({ type: 'chat', data: { text: `message ${seq}`, seq }, reason: 'closed' })),
    )
    expect(server.messagesOf('chat')).toEqual([])
    expect(sendNumbered(socket, 3, 1)).toEqual(['dropped'])
    // Time is the subject: three full backoff windows pass, and no retry comes.
    await sleep(3 * 40)
    expect(server.handshakes).toHaveLength(2)
    expect(eventNames(log).slice(0, 3)).toEqual(['open', 'close', 'reconnecting'])
    expect(eventNames(log).filter((name) => name === 'reconnecting')).toHaveLength(1)
  })
})

describe('a flapping server', () => {
  it('survives 20 cuts in a row with a growing backoff and one socket at a time, then stays up and resets the backoff', async () => {
    const CUTS = 20
    const network = await FaultyNetwork.start(resources)
    const { server } = network
    const { WebSocket, stats } = countingWebSocket()
    const stableAfter = 150
    const socket = resources.connect<Chat, Chat>(network.url(), {
      WebSocket,
      reconnect: { initialDelay: 5, maxDelay: 20, jitter: 'none', stableAfter },
    })
    const log = recordEvents(socket)
    let cuts = 0
    // Every link the client reports open is reset at once, 20 times.
    socket.on('open', () => {
      if (cuts < CUTS) {
        cuts++
        network.cut()
      }
    })
    // Sent after the last cut, while waiting for the link that stays: queued, and delivered once.
    socket.on('close', () => {
      if (cuts === CUTS) sendNumbered(socket, 0, 50)
    })

    await server.until(() => server.connections.length === CUTS + 1, `${CUTS + 1} connections`)
    await untilSnapshot(socket, (s) => s.status === 'open' && cuts === CUTS, 'the link that stays')
    const attemptWhenStable = socket.getSnapshot().attempt
    await server.until(() => server.messagesOf('chat').length >= 50, 'the queued chats')
    await untilSnapshot(socket, (s) => s.attempt === 0, 'the backoff reset')

    expect(attemptWhenStable).toBe(CUTS)
    expect(payloadsOf(log, 'reconnecting')).toEqual(
      range(1, CUTS + 1).map((attempt) => ({ attempt, delay: Math.min(20, 5 * 2 ** (attempt - 1)) })),
    )
    expect(payloadsOf(log, 'close')).toEqual(
      range(0, CUTS).map(() => ({ code: 1006, reason: '', wasClean: false, willReconnect: true })),
    )
    expect(eventNames(log).filter((name) => name.startsWith('error'))).toEqual([])
    expect(seqs(server.messagesOf('chat'))).toEqual(range(0, 50))
    expect(seqs(server.last.messages)).toEqual(range(0, 50))
    expect(stats.maxLive).toBe(1)
    expect(stats.created).toBe(CUTS + 1)
    expect(socket.getSnapshot()).toMatchObject({ status: 'open', attempt: 0, queued: 0 })
  })
})
